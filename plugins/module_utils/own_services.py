# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# What a port forward takes from the router's own services (/ip service): a dstnat rule on the
# router's address answers that port for the LAN host instead of the router. Usually wanted
# (WebFig should not face the internet), so it is a warning; it is an error only where the
# forward would cut off the API path this very run uses.

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import PortForward
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    interface_address,
    ip_network,
    ipv4_address,
    is_true,
    port_range,
)

# What an admin calls each service of /ip service, for messages.
SERVICE_TITLES = {
    "www": "WebFig",
    "www-ssl": "WebFig over HTTPS",
    "winbox": "Winbox",
    "ssh": "SSH",
    "telnet": "Telnet",
    "ftp": "FTP",
    "api": "the API",
    "api-ssl": "the API over TLS",
}

IPv4 = ipaddress.IPv4Address


@dataclass(frozen=True)
class OwnService:
    """An enabled /ip service entry: its TCP port and the networks its ``address=`` admits
    (empty: every client)."""

    name: str
    port: int
    allowed: Tuple[ipaddress.IPv4Network, ...] = ()

    @property
    def title(self) -> str:
        known = SERVICE_TITLES.get(self.name)
        label = "%s (%s, tcp/%d)" % (known, self.name, self.port) if known else "%s (tcp/%d)" % (self.name, self.port)
        return label[0].upper() + label[1:]


@dataclass(frozen=True)
class RouterSide:
    """The router as the checks need it: its own addresses per interface, interface-list
    members, address-list contents (where read) and enabled services."""

    addresses: Mapping[str, Tuple[ipaddress.IPv4Interface, ...]] = field(default_factory=dict)
    list_members: Mapping[str, FrozenSet[str]] = field(default_factory=dict)
    address_lists: Optional[Mapping[str, FrozenSet[IPv4]]] = None
    services: Tuple[OwnService, ...] = ()

    def own(self) -> List[IPv4]:
        seen: List[IPv4] = []
        for interface in sorted(self.addresses):
            for item in self.addresses[interface]:
                if item.ip not in seen:
                    seen.append(item.ip)
        return seen

    def interface_of(self, address: IPv4) -> Optional[str]:
        for interface in sorted(self.addresses):
            if any(item.ip == address for item in self.addresses[interface]):
                return interface
        return None


@dataclass(frozen=True)
class ManagementPath:
    """How this run reaches the router: the /ip service it speaks to and the address it
    connects to (None when that is a name or an address the router does not hold)."""

    service: str
    port: int
    address: Optional[IPv4] = None


@dataclass(frozen=True)
class ServiceLoss:
    forward: str
    service: OwnService
    lost: Tuple[IPv4, ...]  # empty: every address of the router
    kept: Tuple[IPv4, ...]
    ingress: Optional[str]  # "interface 'ether1'" or "interface list 'WAN'", None for every client
    cuts_run: bool

    @property
    def message(self) -> str:
        where = ", ".join(str(a) for a in self.lost) if self.lost else "any of the router's addresses"
        through = " for clients that arrive through %s" % self.ingress if self.ingress else ""
        if self.kept:
            rest = "it still is on %s" % ", ".join(str(a) for a in self.kept)
        elif self.ingress:
            rest = "it still is for clients that arrive through other interfaces"
        else:
            rest = "it is then reachable on no address of the router"
        return "%s is no longer reachable on %s%s; %s" % (self.service.title, where, through, rest)


def service_networks(text: object) -> Tuple[ipaddress.IPv4Network, ...]:
    """The IPv4 networks of an /ip service ``address=`` value (comma-separated; IPv6 parts are
    left out, since the forwards here are IPv4)."""
    networks = (ip_network(part.strip()) for part in str(text or "").split(",") if part.strip())
    return tuple(net for net in networks if isinstance(net, ipaddress.IPv4Network))


def _ingress(forward: PortForward, router: RouterSide) -> Tuple[Optional[FrozenSet[str]], Optional[str]]:
    if forward.in_interface:
        return frozenset((forward.in_interface,)), "interface %r" % forward.in_interface
    if forward.in_interface_list:
        members = router.list_members.get(forward.in_interface_list, frozenset())
        return frozenset(members), "interface list %r" % forward.in_interface_list
    return None, None


def _taken(forward: PortForward, router: RouterSide) -> Tuple[List[IPv4], bool]:
    """(router addresses whose port the forward takes, whether it takes every one)."""
    own = router.own()
    if forward.public_local or (forward.public_address is None and forward.public_address_list is None):
        return own, True
    if forward.public_address is not None:
        address = ipv4_address(str(forward.public_address))
        return ([address] if address is not None and address in own else []), False
    held = (router.address_lists or {}).get(str(forward.public_address_list), frozenset())
    return [address for address in own if address in held], False


def _kept_out(service: OwnService, ingress: Optional[FrozenSet[str]], router: RouterSide) -> bool:
    """Does the service's ``address=`` already keep out every client the forward takes? Only
    when the forward is limited to some interfaces and every admitted network lies behind the
    router's other interfaces."""
    if not service.allowed or ingress is None:
        return False
    behind_others = [
        item.network for interface, items in router.addresses.items() if interface not in ingress for item in items
    ]
    return all(any(net.subnet_of(other) for other in behind_others) for net in service.allowed)


def _cuts_run(
    taken: Sequence[IPv4], every: bool, ingress: Optional[FrozenSet[str]], router: RouterSide, path: ManagementPath
) -> bool:
    if path.address is None:
        # Through which address and interface the run arrives is unknown: only a forward that
        # takes the port on every address surely cuts it, and one limited to some interfaces may.
        return every
    if path.address not in taken:
        return False
    if ingress is None:
        return True
    arrives = router.interface_of(path.address)
    return arrives is None or arrives in ingress


def service_losses(
    forwards: Sequence[PortForward], router: RouterSide, path: Optional[ManagementPath] = None
) -> List[ServiceLoss]:
    """What each TCP forward on one of the router's addresses takes from its enabled services."""
    out: List[ServiceLoss] = []
    services = sorted(router.services, key=lambda item: (item.port, item.name))
    for forward in forwards:
        span = port_range(forward.port)
        if span is None or forward.disabled or forward.protocol not in ("tcp", "both"):
            continue
        # Most forwards take no service port: decide that before looking at addresses.
        hit = [service for service in services if span[0] <= service.port <= span[1]]
        if not hit:
            continue
        taken, every = _taken(forward, router)
        if not taken:
            continue
        ingress, ingress_label = _ingress(forward, router)
        for service in hit:
            if _kept_out(service, ingress, router):
                continue
            cuts = (
                path is not None
                and service.name == path.service
                and service.port == path.port
                and _cuts_run(taken, every, ingress, router, path)
            )
            kept: Tuple[IPv4, ...] = () if every else tuple(a for a in router.own() if a not in taken)
            out.append(
                ServiceLoss(
                    forward=forward.name,
                    service=service,
                    lost=() if every else tuple(taken),
                    kept=kept,
                    ingress=ingress_label,
                    cuts_run=cuts,
                )
            )
    return out


def cut_off_message(loss: ServiceLoss, path: ManagementPath) -> str:
    """The error for a forward that takes the API path of this run (the field is ``port``)."""
    return (
        "tcp port {port} is {service}, the port this run connects to ({name}, tcp/{port}); forwarding it on "
        "{where} would cut this run off from the router. Publish the service on another public port, or move "
        "the {name} service (/ip service set {name} port=...)".format(
            port=path.port,
            service=SERVICE_TITLES.get(path.service, path.service),
            name=path.service,
            where=", ".join(str(a) for a in loss.lost) if loss.lost else "every address of the router",
        )
    )


def router_side(view: Any) -> RouterSide:
    """The router as these checks need it, from the one read (a read.RouterView)."""
    addresses = {
        interface: tuple(item for item in map(interface_address, texts) if item is not None)
        for interface, texts in view.interface_addresses.items()
    }
    held: Dict[str, set] = {}
    for row in view.entries.get("address_lists", ()):
        address = ipv4_address(str(row.get("address", "")))
        if address is not None and not is_true(row.get("disabled")):
            held.setdefault(str(row.get("list", "")), set()).add(address)
    services = tuple(
        OwnService(name, int(port), service_networks(",".join(view.service_addresses.get(name, ()))))
        for name, port in view.facts.services.items()
    )
    return RouterSide(
        addresses=addresses,
        list_members=view.list_members,
        address_lists={name: frozenset(found) for name, found in held.items()},
        services=services,
    )


def management_path(
    params: Mapping[str, Any], side: RouterSide, services: Mapping[str, int]
) -> Optional[ManagementPath]:
    """The /ip service this run speaks to (api-ssl with TLS, else api), at the port the router
    gives it (the run may reach it through a forwarded or proxied port), and the router address
    it connects to, if the hostname is one."""
    name = "api-ssl" if params.get("tls", True) else "api"
    if name not in services:
        return None
    address = ipv4_address(str(params.get("hostname") or ""))
    return ManagementPath(name, int(services[name]), address if address in side.own() else None)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""What the analysis knows about a router besides its NAT table: :class:`Facts`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import (
    interface_of,
)

# What the router runs when /ip service was never touched (RouterOS 7); an export lists only
# the differences (`set www disabled=yes`).
DEFAULT_ROUTER_SERVICES: Mapping[str, Tuple[int, bool]] = {
    "telnet": (23, True),
    "ftp": (21, True),
    "www": (80, True),
    "ssh": (22, True),
    "www-ssl": (443, False),
    "api": (8728, True),
    "winbox": (8291, True),
    "api-ssl": (8729, True),
}


@dataclass
class Facts:
    """What the analysis needs besides the NAT table.

    Router side (read from the router, an export, or given): ``addresses`` (interface, address
    with prefix) of enabled ``/ip address`` entries; ``interface_list_members`` (list -> its
    interfaces); ``address_lists`` (list -> entries: addresses, subnets, ranges; DNS names only
    count through the addresses the router resolved them to); ``services`` (enabled
    ``/ip service`` name -> tcp port); ``service_addresses`` (service name -> its ``address=``
    prefixes, the clients it accepts; absent or empty: every client); ``dns_static`` ((name,
    address) of enabled A entries); ``firewall_filter`` (the ``/ip firewall filter`` rows in
    table order, as RouterOS prints them; None when the filter was not read, and then the
    verdicts are NAT's alone); ``firewall_filter6`` (the ``/ipv6 firewall filter`` rows, likewise:
    the owned IPv6 pinholes are checked against it; None: not read) and ``address_lists6`` (its
    address lists: list -> enabled entries).

    User side: the WAN (``wan_interface`` or ``wan_interface_list``; default: the list ``WAN``),
    the LAN (``lan_interface`` or ``lan_interface_list``; default: the list ``LAN``),
    ``lan_subnets`` (default: the router's networks on the LAN), ``public_address`` (the address
    you publish; checked against the WAN's current address, and used as that address when the
    router's WAN address is unknown, e.g. a DHCP WAN in an export), and the probe addresses
    ``internet_client`` / ``lan_client`` (defaults: a documentation address; an address in the
    server's LAN subnet).
    """

    addresses: List[Tuple[str, str]] = field(default_factory=list)
    interface_list_members: Dict[str, List[str]] = field(default_factory=dict)
    address_lists: Dict[str, List[str]] = field(default_factory=dict)
    services: Dict[str, int] = field(default_factory=dict)
    dns_static: List[Tuple[str, str]] = field(default_factory=list)
    service_addresses: Dict[str, List[str]] = field(default_factory=dict)
    firewall_filter: Optional[List[Dict[str, Any]]] = None
    firewall_filter6: Optional[List[Dict[str, Any]]] = None
    address_lists6: Dict[str, List[str]] = field(default_factory=dict)
    # /ip firewall mangle rows and /ip route default routes (None: not known), for the reply
    # routing of several WANs.
    mangle: Optional[List[Dict[str, Any]]] = None
    routes: Optional[List[Dict[str, Any]]] = None
    wan_interface: Optional[str] = None
    wan_interface_list: Optional[str] = None
    lan_interface: Optional[str] = None
    lan_interface_list: Optional[str] = None
    lan_subnets: List[str] = field(default_factory=list)
    public_address: Optional[str] = None
    internet_client: Optional[str] = None
    lan_client: Optional[str] = None

    USER_FIELDS = (
        "wan_interface",
        "wan_interface_list",
        "lan_interface",
        "lan_interface_list",
        "lan_subnets",
        "public_address",
        "internet_client",
        "lan_client",
    )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Facts:
        """Facts from plain data: this class's fields, or the ``facts`` of ``nat_info`` (flat
        ``addresses`` paired with their interface through ``lan_networks``)."""
        facts = cls()
        facts.addresses = addresses_from_data(data.get("addresses") or [], data.get("lan_networks") or {})
        members = data.get("interface_list_members") or {}
        facts.interface_list_members = {str(k): [str(v) for v in _as_list(vs)] for k, vs in members.items()}
        lists = data.get("address_lists") or {}
        facts.address_lists = {str(k): [str(v) for v in _as_list(vs)] for k, vs in lists.items()}
        facts.services = {str(k): int(v) for k, v in (data.get("services") or {}).items()}
        facts.dns_static = [_dns_pair(entry) for entry in data.get("dns_static") or []]
        allowed = data.get("service_addresses") or {}
        facts.service_addresses = {str(k): [str(v) for v in _as_list(vs)] for k, vs in allowed.items()}
        rows = data.get("firewall_filter")
        facts.firewall_filter = None if rows is None else [dict(row) for row in rows]
        rows6 = data.get("firewall_filter6")
        facts.firewall_filter6 = None if rows6 is None else [dict(row) for row in rows6]
        lists6 = data.get("address_lists6") or {}
        facts.address_lists6 = {str(k): [str(v) for v in _as_list(vs)] for k, vs in lists6.items()}
        for name in ("mangle", "routes"):
            found = data.get(name)
            setattr(facts, name, None if found is None else [dict(row) for row in found])
        facts.update(data)
        return facts

    def update(self, data: Mapping[str, Any]) -> None:
        """Take the user-side fields that ``data`` gives (None: keep what is there)."""
        for name in self.USER_FIELDS:
            value = data.get(name)
            if value is None or value == []:
                continue
            setattr(self, name, [str(v) for v in _as_list(value)] if name == "lan_subnets" else str(value))

    def merged(self, data: Optional[Mapping[str, Any]]) -> Facts:
        """These facts with what ``data`` gives (plain data, as :meth:`from_dict` reads) on top."""
        if not data:
            return self
        base = self.as_dict()
        base.update({name: value for name, value in data.items() if value not in (None, [], {})})
        if "addresses" in data and "lan_networks" in data:
            base["lan_networks"] = data["lan_networks"]
        return Facts.from_dict(base)

    def as_dict(self) -> Dict[str, Any]:
        return dict(
            addresses=[dict(interface=name, address=address) for name, address in self.addresses],
            interface_list_members={k: list(v) for k, v in self.interface_list_members.items()},
            address_lists={k: list(v) for k, v in self.address_lists.items()},
            services=dict(self.services),
            dns_static=[dict(name=name, address=address) for name, address in self.dns_static],
            service_addresses={k: list(v) for k, v in self.service_addresses.items()},
            firewall_filter=None if self.firewall_filter is None else [dict(row) for row in self.firewall_filter],
            firewall_filter6=None if self.firewall_filter6 is None else [dict(row) for row in self.firewall_filter6],
            address_lists6={k: list(v) for k, v in self.address_lists6.items()},
            mangle=None if self.mangle is None else [dict(row) for row in self.mangle],
            routes=None if self.routes is None else [dict(row) for row in self.routes],
            **{name: getattr(self, name) for name in self.USER_FIELDS},
        )


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def _dns_pair(entry: Any) -> Tuple[str, str]:
    if isinstance(entry, Mapping):
        return str(entry.get("name", "")), str(entry.get("address", ""))
    name, address = entry
    return str(name), str(address)


def addresses_from_data(items: Iterable[Any], networks: Mapping[str, Iterable[str]]) -> List[Tuple[str, str]]:
    result = []
    for item in items:
        if isinstance(item, Mapping):
            result.append((str(item.get("interface", "")), str(item.get("address", ""))))
            continue
        if isinstance(item, (list, tuple)):
            result.append((str(item[0]), str(item[1])))
            continue
        # nat_info gives the router's addresses flat; its lan_networks say which interface
        # holds which network.
        interface = interface_of(str(item), networks)
        result.append((interface or "", str(item)))
    return result

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# Hairpin rules derived from what only the router knows: its LAN subnets (the addresses on the
# LAN interface or list) decide which subnet each server's hairpin rule covers.

from __future__ import annotations

from dataclasses import replace
from typing import List, Optional, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.desired import Desired
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    Hairpin,
    HairpinSubnet,
    OneToOneHairpin,
    PortForward,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.read import RouterView
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import (
    BUILTIN_INTERFACE_LISTS,
    RouterFacts,
    ValidationError,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    address_span,
    canonical_subnet,
    ipv4_network,
    is_true,
    lan_subnet_for,
    looks_numeric,
)

# The field of a problem of a 1:1 NAT entry: the netmap's field, after this prefix.
NETMAP_FIELD_PREFIX = "netmap."


def finish_hairpins(desired: Desired, view: Optional[RouterView]) -> None:
    """Fill in what only the router knows: hairpin rules derived from port forwards and 1:1 NAT,
    and LAN subnets not given in the options (the router's addresses on the LAN). `view` None: no
    router (rendered), so only given subnets count."""
    if view is not None:
        _check_netmaps(desired, view)
    auto = desired.auto_hairpin
    mode = auto.mode
    lan_if, lan_list = auto.lan_interface, auto.lan_interface_list
    subnets = list(auto.lan_subnets)
    if mode != "none" and view is not None:
        missing = _missing_lan(view.facts, lan_if, lan_list)
        if missing:
            field_name, message = missing
            for service in [forward.name for forward in desired.auto_hairpin_for] or ["auto_hairpin"]:
                desired.errors.append(ValidationError(service, field_name, message))
            return
    if mode != "none" and not subnets and view is not None:
        subnets = view.lan_networks(lan_if, lan_list)
    if mode != "none" and not subnets:
        where = "from the router's addresses on the LAN" if view is not None else "(no router to read them from)"
        desired.errors.append(ValidationError("auto_hairpin", "lan_subnets", "no LAN subnet given or found %s" % where))
        return
    source = "given" if auto.lan_subnets else "read from the router's addresses on the LAN"
    if mode in ("per_service", "subnet"):
        for forward in desired.auto_hairpin_for:
            subnet = lan_subnet_for(forward.host, subnets)
            if subnet is None:
                desired.notes.append(
                    "service %r: host %s is on none of the LAN subnets (%s, %s), so it gets no hairpin rule: "
                    "its replies to LAN clients go through the router, which needs none"
                    % (forward.name, forward.host, ", ".join(subnets), source)
                )
            elif not _admits(_admitted(desired, forward, view), subnet):
                desired.notes.append(
                    "service %r: its sources hold no address of the LAN subnet %s, so LAN clients do not reach "
                    "it by the public address%s"
                    % (forward.name, subnet, ", and it gets no hairpin rule" if mode == "per_service" else "")
                )
            elif mode == "per_service":
                desired.hairpins.append(Hairpin.for_port_forward(forward, subnet, lan_if, lan_list))
    if mode == "per_service":
        for netmap in desired.netmaps:
            subnet = lan_subnet_for(netmap.host, subnets)
            if subnet is None:
                desired.notes.append(
                    "netmap %r: host %s is on none of the LAN subnets (%s, %s), so it gets no hairpin rule"
                    % (netmap.name, netmap.host, ", ".join(subnets), source)
                )
            else:
                desired.netmap_hairpins.append(
                    OneToOneHairpin(netmap.name, netmap.host, subnet, lan_if, lan_list, netmap.comment)
                )
    if mode == "subnet":
        seen = set()
        for subnet in subnets:
            network = canonical_subnet(subnet) if "/" in subnet else subnet
            if network not in seen:
                seen.add(network)
                desired.hairpin_subnets.append(HairpinSubnet(network, lan_if, lan_list))
    for index, hairpin in enumerate(desired.hairpins):
        if hairpin.lan_subnet or view is None:
            continue
        found = lan_subnet_for(hairpin.host, view.lan_networks(hairpin.lan_interface, hairpin.lan_interface_list))
        if found is None:
            desired.errors.append(
                ValidationError(
                    hairpin.name,
                    "lan_subnet",
                    "not given, and no address of the router on the LAN holds %s" % hairpin.host,
                )
            )
        else:
            desired.hairpins[index] = replace(hairpin, lan_subnet=found)


def _check_netmaps(desired: Desired, view: RouterView) -> None:
    """A 1:1 public address must be one of the router's own addresses (the router answers for
    it on the WAN, so traffic to it arrives), and its host must not be."""
    own = {}
    for interface in sorted(view.interface_addresses):
        for value in view.interface_addresses[interface]:
            address = value.split("/", 1)[0]
            own.setdefault(address, interface)
    for netmap in desired.netmaps:
        if netmap.public_address not in own:
            wan = netmap.out_interface or "<WAN interface>"
            desired.errors.append(
                ValidationError(
                    netmap.name,
                    NETMAP_FIELD_PREFIX + "public_address",
                    "%s is none of the router's addresses, so traffic to it never reaches the router; add it to "
                    "the WAN first (/ip address add address=%s/<prefix> interface=%s)"
                    % (netmap.public_address, netmap.public_address, wan),
                )
            )
        if netmap.host in own:
            desired.errors.append(
                ValidationError(
                    netmap.name,
                    NETMAP_FIELD_PREFIX + "host",
                    "%s is the router's own address (on interface %r); 1:1 NAT must go to another host"
                    % (netmap.host, own[netmap.host]),
                )
            )


def _admitted(desired: Desired, forward: PortForward, view: Optional[RouterView]) -> Optional[List[str]]:
    """The clients a source-limited forward admits, as address specs; None: every client, or
    not known (a list of the user's, read from the router, that holds DNS names)."""
    if forward.name in desired.sources:
        return list(desired.sources[forward.name])
    if forward.src_address_list is None or view is None:
        return None
    held = [
        str(row.get("address"))
        for row in view.entries.get("address_lists", [])
        if row.get("list") == forward.src_address_list and not is_true(row.get("disabled"))
    ]
    if any(not looks_numeric(address) for address in held):
        return None
    return held


def _admits(admitted: Optional[List[str]], subnet: str) -> bool:
    """Does any admitted source hold an address of ``subnet``?"""
    if admitted is None:
        return True
    lan = ipv4_network(subnet)
    for spec in admitted:
        span = address_span(spec)
        if lan is None or span is None:
            return True
        low, high = span
        if int(low) <= int(lan.broadcast_address) and int(lan.network_address) <= int(high):
            return True
    return False


def _missing_lan(
    facts: RouterFacts, lan_interface: Optional[str], lan_interface_list: Optional[str]
) -> Optional[Tuple[str, str]]:
    """(field, message) when the LAN the hairpin rules go out of does not exist on the router."""
    if lan_interface and lan_interface not in facts.interfaces:
        return "lan_interface", "interface %r does not exist on the router" % lan_interface
    if lan_interface_list and lan_interface_list not in facts.interface_lists | BUILTIN_INTERFACE_LISTS:
        return "lan_interface_list", "interface list %r does not exist on the router" % lan_interface_list
    return None

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The router as the analysis sees it (:class:`Topology`): facts resolved into interfaces per
side, networks, the WAN's current address and the probe addresses.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, FrozenSet, List, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import (
    AnalyzeError,
    IPv4,
    Net,
    host_interface,
    parse_address,
    parse_networks,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.values import interface_address

# Documentation addresses (RFC 5737) for the internet client when none is given: the first one
# that is on none of the router's networks.
_INTERNET_CLIENT_CANDIDATES = ("198.51.100.10", "192.0.2.10", "203.0.113.10")


@dataclass
class Topology:
    """Facts resolved: interfaces per side, networks, the WAN's current address, probe addresses."""

    facts: Facts
    addresses: List[Tuple[str, ipaddress.IPv4Interface]]
    wan_interfaces: List[str]
    lan_interfaces: List[str]
    lan_subnets: List[Net]
    wan_address: IPv4
    internet_client: IPv4
    notes: List[str] = field(default_factory=list)
    # The firewall filter's rules (rules.Rule, table order) when the facts hold the filter.
    filter: Optional[List[Any]] = None

    @property
    def own(self) -> FrozenSet[IPv4]:
        return frozenset(address.ip for _name, address in self.addresses)

    def members(self, list_name: str) -> Optional[FrozenSet[str]]:
        """Interfaces of an interface list; None when the analysis cannot know them."""
        if list_name == "all":
            return frozenset(name for name, _address in self.addresses) | frozenset(
                name for names in self.facts.interface_list_members.values() for name in names
            )
        if list_name == "none":
            return frozenset()
        if list_name in self.facts.interface_list_members:
            return frozenset(self.facts.interface_list_members[list_name])
        return None

    def route(self, destination: IPv4) -> Tuple[Optional[str], Optional[Net]]:
        """(out-interface, connected network) for a destination; the default route goes out of
        the WAN; (None, None) for the router's own addresses."""
        if destination in self.own or destination.is_loopback:
            return None, None
        best: Optional[Tuple[str, Net]] = None
        for name, address in self.addresses:
            if destination in address.network and (best is None or address.network.prefixlen > best[1].prefixlen):
                best = (name, address.network)
        if best is not None:
            return best
        return (self.wan_interfaces[0] if self.wan_interfaces else None), None

    def address_on(self, interface: Optional[str], towards: Optional[IPv4] = None) -> Optional[IPv4]:
        """The source address the router uses on ``interface`` (the one on ``towards``' network)."""
        candidates = [address for name, address in self.addresses if name == interface]
        for address in candidates:
            if towards is not None and towards in address.network:
                return address.ip
        return candidates[0].ip if candidates else None

    def interface_for(self, address: IPv4, among: Sequence[str]) -> Optional[str]:
        for name, own in self.addresses:
            if name in among and address in own.network:
                return name
        return None

    def lan_subnet_of(self, host: IPv4) -> Optional[Net]:
        best = None
        for subnet in self.lan_subnets:
            if host in subnet and (best is None or subnet.prefixlen > best.prefixlen):
                best = subnet
        return best

    def lan_client_for(self, host: IPv4) -> Tuple[IPv4, Optional[str]]:
        """A LAN client in the server's subnet (the case hairpin NAT is for), and its interface."""
        subnet = self.lan_subnet_of(host) or (self.lan_subnets[0] if self.lan_subnets else None)
        if subnet is None:
            raise AnalyzeError("no LAN subnet given or found on the LAN interfaces; give lan_subnets")
        if self.facts.lan_client:
            client = parse_address(self.facts.lan_client, "lan_client")
        else:
            taken = self.own | {host}
            hosts = list(subnet.hosts()) if subnet.num_addresses <= 65536 else []
            client = next((a for a in reversed(hosts) if a not in taken), subnet.network_address)
        interface = self.interface_for(client, self.lan_interfaces) or (
            self.lan_interfaces[0] if self.lan_interfaces else None
        )
        return client, interface


def _side(facts: Facts, interface: Optional[str], list_name: Optional[str], default_list: str, what: str) -> List[str]:
    if interface and list_name:
        raise AnalyzeError("give {0}_interface or {0}_interface_list, not both".format(what))
    if interface:
        return [interface]
    name = list_name or (default_list if default_list in facts.interface_list_members else None)
    if name is None:
        raise AnalyzeError(
            "which interface is the {0}? give {1}_interface or {1}_interface_list (the router has no "
            "interface list {2!r})".format(what.upper(), what, default_list)
        )
    if name not in facts.interface_list_members:
        raise AnalyzeError("interface list {0!r} ({1}_interface_list) is unknown: give its members".format(name, what))
    return sorted(facts.interface_list_members[name])


def resolve(facts: Facts) -> Topology:
    """The router as the analysis sees it, or AnalyzeError naming the missing fact."""
    addresses = []
    for name, text in facts.addresses:
        parsed = interface_address(text)
        if parsed is not None:
            addresses.append((name, parsed))
    wan = _side(facts, facts.wan_interface, facts.wan_interface_list, "WAN", "wan")
    lan = _side(facts, facts.lan_interface, facts.lan_interface_list, "LAN", "lan")
    notes = []
    wan_addresses = [address.ip for name, address in addresses if name in wan]
    if wan_addresses:
        wan_address = wan_addresses[0]
    elif facts.public_address:
        wan_address = parse_address(facts.public_address, "public_address")
        # The WAN's address is not in the facts (a DHCP or PPPoE WAN in an export): take the
        # public address as the WAN's, so the probes have a destination.
        addresses.append((wan[0], host_interface(wan_address)))
        notes.append(
            "the WAN's address is not in the facts; using public_address {0} as its address".format(wan_address)
        )
    else:
        raise AnalyzeError("the WAN ({0}) has no address in the facts; give public_address".format(", ".join(wan)))
    if facts.lan_subnets:
        subnets = parse_networks(facts.lan_subnets, "lan_subnets")
    else:
        subnets = [address.network for name, address in addresses if name in lan]
    if facts.internet_client:
        client = parse_address(facts.internet_client, "internet_client")
    else:
        networks = [address.network for _name, address in addresses] + subnets
        free = [IPv4(a) for a in _INTERNET_CLIENT_CANDIDATES if not any(IPv4(a) in net for net in networks)]
        if not free:
            raise AnalyzeError("every documentation address is on the router's networks; give internet_client")
        client = free[0]
    return Topology(facts, addresses, wan, lan, subnets, wan_address, client, notes)


def wan_in(topology: Topology, dst: IPv4) -> Optional[str]:
    return topology.interface_for(dst, topology.wan_interfaces) or (
        topology.wan_interfaces[0] if topology.wan_interfaces else None
    )

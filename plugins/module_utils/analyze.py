# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Reachability analysis of a RouterOS NAT table: who reaches each published service, and why not.

The analysis is a packet walk, not a pattern search. For every published service (a ``dst-nat``
rule) it builds the first packet of a connection -- from an internet client to the WAN's
address, and from a LAN client in the server's subnet to the same address -- and runs it
through ``dstnat`` (first match wins, ``jump``/``return``/``passthrough`` followed), routes it by
the router's addresses, runs it through ``srcnat``, and decides from where the reply will go
whether the connection works and which source address the server sees. Findings come from the
same walk: the rule that took the packet first, the hairpin rule that did not match and why.

``analyze(rows, facts)`` is pure (NAT rows as RouterOS prints them + :class:`Facts`); the
readers below it turn a live router, an ``/export`` or ``nat_info`` output into those inputs.
Run as a program for CI pipelines::

    PYTHONPATH=<collections dir> python -m \\
        ansible_collections.hairpin.routeros.plugins.module_utils.analyze --rsc export.rsc --help
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    NAME_RE,
    Hairpin,
    effective_value,
    is_true,
    split_comment,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import ACTION_ADD, Operation
from ansible_collections.hairpin.routeros.plugins.module_utils.render import (
    NAT_MENU,
    RscParseError,
    parse_nat_rsc,
    render_operation,
)

IPv4 = ipaddress.IPv4Address
Net = ipaddress.IPv4Network

# Finding codes (stable: CI pipelines filter on them).
SHADOWED = "shadowed"
PUBLIC_ADDRESS_MISMATCH = "public-address-mismatch"
NOT_MATCHED = "not-matched"
MISSING_HAIRPIN = "missing-hairpin"
HAIRPIN_MISMATCH = "hairpin-mismatch"
HAIRPIN_SHADOWED = "hairpin-shadowed"
CAPTURES_ROUTER_SERVICE = "captures-router-service"
CAPTURES_OUTBOUND = "captures-outbound"
NO_MASQUERADE = "no-masquerade"
SPLIT_DNS_PORT = "split-dns-port"
FINDING_CODES = (
    SHADOWED,
    PUBLIC_ADDRESS_MISMATCH,
    NOT_MATCHED,
    MISSING_HAIRPIN,
    HAIRPIN_MISMATCH,
    HAIRPIN_SHADOWED,
    CAPTURES_ROUTER_SERVICE,
    CAPTURES_OUTBOUND,
    NO_MASQUERADE,
    SPLIT_DNS_PORT,
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
# Documentation addresses (RFC 5737) for the internet client when none is given: the first one
# that is on none of the router's networks.
_INTERNET_CLIENT_CANDIDATES = ("198.51.100.10", "192.0.2.10", "203.0.113.10")
# A client's source port: any ephemeral port; rules rarely match on it.
_CLIENT_PORT = 49152
_MAX_JUMP_DEPTH = 16

_TRANSLATING = frozenset(("dst-nat", "src-nat", "masquerade", "redirect", "netmap", "same"))
_DSTNAT_ACTIONS = frozenset(("dst-nat", "redirect", "netmap", "same"))
_SRCNAT_ACTIONS = frozenset(("src-nat", "masquerade", "netmap", "same"))
# Actions after which the packet goes on to the next rule.
_CONTINUING = frozenset(("passthrough", "log", "add-dst-to-address-list", "add-src-to-address-list"))
# Properties that are not packet matchers.
_NOT_MATCHERS = frozenset(
    (
        ".id",
        ".nextid",
        ".about",
        "chain",
        "action",
        "to-addresses",
        "to-ports",
        "jump-target",
        "address-list",
        "address-list-timeout",
        "log",
        "log-prefix",
        "comment",
        "disabled",
        "dynamic",
        "invalid",
        "bytes",
        "packets",
        "place-before",
        "copy-from",
        # What nat_info adds to each row.
        "position",
        "owned",
        "owner",
    )
)
# Rule properties left out of the one-line text of a rule.
_TEXT_SKIP = frozenset(
    (".id", ".nextid", ".about", "comment", "dynamic", "invalid", "bytes", "packets", "position", "owned", "owner")
)
_PORT_PROTOCOLS = frozenset(("tcp", "udp", "udp-lite", "sctp", "dccp"))


class AnalyzeError(ValueError):
    """The inputs cannot be analysed (a missing or contradictory fact); the message says which."""


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass
class Facts:
    """What the analysis needs besides the NAT table.

    Router side (read from the router, an export, or given): ``addresses`` (interface, address
    with prefix) of enabled ``/ip address`` entries; ``interface_list_members`` (list -> its
    interfaces); ``address_lists`` (list -> entries: addresses, subnets, ranges; DNS names only
    count through the addresses the router resolved them to); ``services`` (enabled
    ``/ip service`` name -> tcp port); ``dns_static`` ((name, address) of enabled A entries).

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
        facts.addresses = _addresses_from_data(data.get("addresses") or [], data.get("lan_networks") or {})
        members = data.get("interface_list_members") or {}
        facts.interface_list_members = {str(k): [str(v) for v in _as_list(vs)] for k, vs in members.items()}
        lists = data.get("address_lists") or {}
        facts.address_lists = {str(k): [str(v) for v in _as_list(vs)] for k, vs in lists.items()}
        facts.services = {str(k): int(v) for k, v in (data.get("services") or {}).items()}
        facts.dns_static = [_dns_pair(entry) for entry in data.get("dns_static") or []]
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


def _addresses_from_data(items: Iterable[Any], networks: Mapping[str, Iterable[str]]) -> List[Tuple[str, str]]:
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
        interface = _interface_of(str(item), networks)
        result.append((interface or "", str(item)))
    return result


def _interface_of(address: str, networks: Mapping[str, Iterable[str]]) -> Optional[str]:
    try:
        network = ipaddress.IPv4Interface(address).network
    except ValueError:
        return None
    for name, nets in networks.items():
        for net in nets:
            try:
                if ipaddress.IPv4Network(str(net), strict=False) == network:
                    return str(name)
            except ValueError:
                continue
    return None


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One row of the NAT table, values normalised by the engine's model (``effective_value``)."""

    position: int
    values: Mapping[str, str]

    @classmethod
    def from_row(cls, position: int, row: Mapping[str, Any]) -> Rule:
        values = {}
        for name, raw in row.items():
            value = effective_value(str(name), raw)
            if value is not None:
                values[str(name)] = value
        return cls(position, values)

    def get(self, name: str) -> Optional[str]:
        return self.values.get(name)

    @property
    def chain(self) -> str:
        return self.values.get("chain", "")

    @property
    def action(self) -> str:
        return self.values.get("action", "accept")

    @property
    def active(self) -> bool:
        # RouterOS skips disabled rules and rules that name something missing (invalid).
        return not is_true(self.values.get("disabled")) and not is_true(self.values.get("invalid"))

    @property
    def owner(self):
        return None if is_true(self.values.get("dynamic")) else split_comment(self.values.get("comment"))[0]

    @property
    def label(self) -> str:
        comment = self.values.get("comment")
        return "rule #{0}".format(self.position) + (" ({0})".format(comment) if comment else "")

    def text(self) -> str:
        """The rule as the CLI would add it (the engine's renderer, so quoting is RouterOS's)."""
        fields = {
            name: value
            for name, value in self.values.items()
            if name not in _TEXT_SKIP
            and not (name in ("disabled", "log") and value == "false")
            and not (name == "log-prefix" and value == "")
        }
        return render_operation(Operation(ACTION_ADD, None, fields=fields))[len(NAT_MENU) + len(" add ") :]

    def ref(self) -> Dict[str, Any]:
        return dict(
            position=self.position,
            id=self.values.get(".id"),
            comment=self.values.get("comment"),
            chain=self.chain,
            action=self.action,
            text=self.text(),
        )


@dataclass(frozen=True)
class Packet:
    """The first packet of a connection, as NAT sees it. ``out_interface`` is None before routing."""

    protocol: str
    src: IPv4
    dst: IPv4
    dst_port: int
    in_interface: Optional[str]
    out_interface: Optional[str] = None
    src_port: int = _CLIENT_PORT

    def routed(self, **changes: Any) -> Packet:
        values = dict(self.__dict__)
        values.update(changes)
        return Packet(**values)


# ---------------------------------------------------------------------------------------------
# The router as the analysis sees it
# ---------------------------------------------------------------------------------------------


@dataclass
class Router:
    """Facts resolved: interfaces per side, networks, the WAN's current address, probe addresses."""

    facts: Facts
    addresses: List[Tuple[str, ipaddress.IPv4Interface]]
    wan_interfaces: List[str]
    lan_interfaces: List[str]
    lan_subnets: List[Net]
    wan_address: IPv4
    internet_client: IPv4
    notes: List[str] = field(default_factory=list)

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
            client = _parse_address(self.facts.lan_client, "lan_client")
        else:
            taken = self.own | {host}
            hosts = list(subnet.hosts()) if subnet.num_addresses <= 65536 else []
            client = next((a for a in reversed(hosts) if a not in taken), subnet.network_address)
        interface = self.interface_for(client, self.lan_interfaces) or (
            self.lan_interfaces[0] if self.lan_interfaces else None
        )
        return client, interface


def _parse_address(text: str, what: str) -> IPv4:
    try:
        return IPv4(str(text).split("/", maxsplit=1)[0])
    except ValueError:
        raise AnalyzeError("{0}: {1!r} is not an IPv4 address".format(what, text)) from None


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


def resolve(facts: Facts) -> Router:
    """The router as the analysis sees it, or AnalyzeError naming the missing fact."""
    addresses = []
    for name, text in facts.addresses:
        try:
            addresses.append((name, ipaddress.IPv4Interface(text)))
        except ValueError:
            continue
    wan = _side(facts, facts.wan_interface, facts.wan_interface_list, "WAN", "wan")
    lan = _side(facts, facts.lan_interface, facts.lan_interface_list, "LAN", "lan")
    notes = []
    wan_addresses = [address.ip for name, address in addresses if name in wan]
    if wan_addresses:
        wan_address = wan_addresses[0]
    elif facts.public_address:
        wan_address = _parse_address(facts.public_address, "public_address")
        # The WAN's address is not in the facts (a DHCP or PPPoE WAN in an export): take the
        # public address as the WAN's, so the probes have a destination.
        addresses.append((wan[0], ipaddress.IPv4Interface("{0}/32".format(wan_address))))
        notes.append(
            "the WAN's address is not in the facts; using public_address {0} as its address".format(wan_address)
        )
    else:
        raise AnalyzeError("the WAN ({0}) has no address in the facts; give public_address".format(", ".join(wan)))
    if facts.lan_subnets:
        try:
            subnets = [ipaddress.IPv4Network(s, strict=False) for s in facts.lan_subnets]
        except ValueError as exc:
            raise AnalyzeError("lan_subnets: {0}".format(exc)) from None
    else:
        subnets = [address.network for name, address in addresses if name in lan]
    if facts.internet_client:
        client = _parse_address(facts.internet_client, "internet_client")
    else:
        networks = [address.network for _name, address in addresses] + subnets
        free = [IPv4(a) for a in _INTERNET_CLIENT_CANDIDATES if not any(IPv4(a) in net for net in networks)]
        if not free:
            raise AnalyzeError("every documentation address is on the router's networks; give internet_client")
        client = free[0]
    return Router(facts, addresses, wan, lan, subnets, wan_address, client, notes)


# ---------------------------------------------------------------------------------------------
# Matching one rule
# ---------------------------------------------------------------------------------------------


class _UnknownError(Exception):
    """A matcher the analysis cannot evaluate (the rule is then taken as not matching)."""


def _negated(value: str) -> Tuple[bool, str]:
    return (True, value[1:]) if value.startswith("!") else (False, value)


def _in_address_spec(spec: str, address: IPv4) -> bool:
    low, sep, high = spec.partition("-")
    try:
        if sep:
            return IPv4(low) <= address <= IPv4(high)
        return address in ipaddress.IPv4Network(spec, strict=False)
    except ValueError:
        raise _UnknownError("{0!r} is not an address".format(spec)) from None


def _in_ports(spec: str, port: int) -> bool:
    for part in spec.split(","):
        low, sep, high = part.partition("-")
        try:
            if int(low) <= port <= int(high if sep else low):
                return True
        except ValueError:
            raise _UnknownError("{0!r} is not a port list".format(spec)) from None
    return False


def _address_type(router: Router, address: IPv4) -> str:
    if address in router.own or address.is_loopback:
        return "local"
    if address.is_multicast:
        return "multicast"
    if address == IPv4("255.255.255.255") or any(address == a.network.broadcast_address for _n, a in router.addresses):
        return "broadcast"
    return "unicast"


def _list_holds(router: Router, list_name: str, address: IPv4) -> bool:
    entries = router.facts.address_lists.get(list_name)
    if entries is None:
        raise _UnknownError("address list {0!r} is not in the facts".format(list_name))
    numeric = [entry for entry in entries if entry[:1].isdigit()]
    if not numeric and entries:
        # Only DNS names, none resolved: the router would match their current addresses.
        raise _UnknownError("address list {0!r} holds only DNS names ({1})".format(list_name, ", ".join(entries)))
    return any(_in_address_spec(entry, address) for entry in numeric)


def _check(rule: Rule, name: str, value: str, packet: Packet, router: Router) -> Optional[str]:
    """None when ``name=value`` holds for ``packet``, else why not (for people)."""
    negated, spec = _negated(value)

    def verdict(holds: bool, what: str) -> Optional[str]:
        if holds != negated:
            return None
        return "{0}={1}, but {2}".format(name, value, what)

    if name == "protocol":
        return verdict(packet.protocol == spec, "the packet is {0}".format(packet.protocol))
    if name in ("src-address", "dst-address"):
        address = packet.src if name == "src-address" else packet.dst
        side = "comes from" if name == "src-address" else "goes to"
        return verdict(_in_address_spec(spec, address), "the packet {0} {1}".format(side, address))
    if name in ("src-address-list", "dst-address-list"):
        address = packet.src if name == "src-address-list" else packet.dst
        return verdict(_list_holds(router, spec, address), "{0} is not in that list".format(address))
    if name in ("src-address-type", "dst-address-type"):
        address = packet.src if name == "src-address-type" else packet.dst
        kind = _address_type(router, address)
        return verdict(kind == spec, "{0} is a {1} address".format(address, kind))
    if name in ("dst-port", "src-port", "port"):
        if packet.protocol not in _PORT_PROTOCOLS:
            return "{0}={1}, but {2} has no ports".format(name, value, packet.protocol)
        if name == "dst-port":
            return verdict(_in_ports(spec, packet.dst_port), "the packet goes to port {0}".format(packet.dst_port))
        if name == "src-port":
            return verdict(_in_ports(spec, packet.src_port), "the packet comes from port {0}".format(packet.src_port))
        holds = _in_ports(spec, packet.dst_port) or _in_ports(spec, packet.src_port)
        return verdict(holds, "the packet uses ports {0} and {1}".format(packet.src_port, packet.dst_port))
    if name in ("in-interface", "out-interface", "in-interface-list", "out-interface-list"):
        interface = packet.in_interface if name.startswith("in-") else packet.out_interface
        if interface is None:
            if name.startswith("out-"):
                return "{0}={1}, but the packet is not routed yet in {2}".format(name, value, rule.chain or "dstnat")
            return "{0}={1}, but the router itself sends the packet".format(name, value)
        way = "arrives on" if name.startswith("in-") else "leaves through"
        if name.endswith("-list"):
            members = router.members(spec)
            if members is None:
                raise _UnknownError("the members of interface list {0!r} are not in the facts".format(spec))
            return verdict(interface in members, "the packet {0} {1}, which is not in that list".format(way, interface))
        return verdict(interface == spec, "the packet {0} {1}".format(way, interface))
    if name == "ipsec-policy":
        # No IPsec policy applies to the analysed traffic: "none" holds, "ipsec" does not.
        return None if spec.endswith(",none") else "ipsec-policy={0}, but no IPsec policy applies".format(value)
    raise _UnknownError("{0}={1} is not analysed".format(name, value))


def mismatches(rule: Rule, packet: Packet, router: Router) -> Tuple[List[str], List[str]]:
    """(why the rule does not match the packet, matchers that could not be evaluated)."""
    reasons, unknown = [], []
    for name, value in rule.values.items():
        if name in _NOT_MATCHERS:
            continue
        try:
            reason = _check(rule, name, value, packet, router)
        except _UnknownError as exc:
            unknown.append(str(exc))
            continue
        if reason is not None:
            reasons.append(reason)
    return reasons, unknown


# ---------------------------------------------------------------------------------------------
# Running a chain
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """How a chain ended for a packet. ``kind``: ``none`` (no rule decided), ``accept`` (accept,
    or return in the built-in chain: no translation), ``nat`` (translated), ``unknown``."""

    kind: str = "none"
    rule: Optional[Rule] = None
    address: Optional[IPv4] = None
    address_text: Optional[str] = None
    ports: Optional[Tuple[int, int]] = None
    passed: List[Rule] = field(default_factory=list)


def _first_address(text: str) -> Optional[IPv4]:
    try:
        return IPv4(text.split("-")[0].split("/")[0])
    except ValueError:
        return None


def _port_span(text: Optional[str], default: int) -> Tuple[int, int]:
    if not text:
        return default, default
    low, sep, high = text.partition("-")
    try:
        return int(low), int(high if sep else low)
    except ValueError:
        return default, default


def _netmap(address: IPv4, match_spec: Optional[str], to_text: str) -> Optional[IPv4]:
    try:
        target = ipaddress.IPv4Network(to_text, strict=False)
        source = ipaddress.IPv4Network(match_spec, strict=False) if match_spec else None
    except ValueError:
        return _first_address(to_text)
    if source is None or address not in source:
        return target.network_address
    offset = int(address) - int(source.network_address)
    return IPv4(int(target.network_address) + offset % target.num_addresses)


def _translate(rule: Rule, packet: Packet, router: Router, chain: str, outcome: Outcome, notes: List[str]) -> None:
    action = rule.action
    to_addresses = rule.get("to-addresses")
    outcome.rule = rule
    outcome.kind = "nat"
    if chain == "dstnat" and action in _DSTNAT_ACTIONS:
        outcome.ports = _port_span(rule.get("to-ports"), packet.dst_port)
        if action == "redirect":
            outcome.address = router.address_on(packet.in_interface) or packet.dst
        elif action == "netmap" and to_addresses:
            outcome.address = _netmap(packet.dst, _negated(rule.get("dst-address") or "")[1] or None, to_addresses)
        else:
            outcome.address = _first_address(to_addresses) if to_addresses else packet.dst
        outcome.address_text = to_addresses if to_addresses and "-" in to_addresses else str(outcome.address)
    elif chain == "srcnat" and action in _SRCNAT_ACTIONS:
        outcome.ports = _port_span(rule.get("to-ports"), packet.src_port)
        if action == "masquerade":
            outcome.address = router.address_on(packet.out_interface, packet.dst)
            outcome.address_text = (
                str(outcome.address) if outcome.address else "the router's address on {0}".format(packet.out_interface)
            )
        elif action == "netmap" and to_addresses:
            outcome.address = _netmap(packet.src, _negated(rule.get("src-address") or "")[1] or None, to_addresses)
            outcome.address_text = str(outcome.address)
        else:
            outcome.address = _first_address(to_addresses) if to_addresses else packet.src
            outcome.address_text = to_addresses if to_addresses and "-" in to_addresses else str(outcome.address)
    else:
        # endpoint-independent-nat, or a translation in the other chain: it ends the chain, but
        # the analysis does not know where the packet goes.
        outcome.kind = "unknown"
        notes.append("{0}: action {1} in {2} is not analysed".format(rule.label, action, chain))


def run_chain(rules: Sequence[Rule], chain: str, packet: Packet, router: Router, notes: List[str]) -> Outcome:
    """First match wins, as RouterOS NAT does: the decision of ``chain`` for ``packet``."""
    by_chain: Dict[str, List[Rule]] = {}
    for rule in rules:
        by_chain.setdefault(rule.chain, []).append(rule)
    outcome = Outcome()

    def walk(name: str, depth: int) -> bool:
        """True when a rule decided (outcome filled in); False when the chain ran out/returned."""
        for rule in by_chain.get(name, []):
            if not rule.active:
                continue
            reasons, unknown = mismatches(rule, packet, router)
            if unknown:
                note = "{0}: {1}; taken as not matching".format(rule.label, "; ".join(unknown))
                if note not in notes:
                    notes.append(note)
                continue
            if reasons:
                continue
            action = rule.action
            if action in _CONTINUING:
                outcome.passed.append(rule)
                continue
            if action == "jump":
                target = rule.get("jump-target") or ""
                outcome.passed.append(rule)
                if depth >= _MAX_JUMP_DEPTH:
                    notes.append("{0}: jumps nest deeper than {1}; stopped".format(rule.label, _MAX_JUMP_DEPTH))
                    outcome.kind, outcome.rule = "unknown", rule
                    return True
                if walk(target, depth + 1):
                    return True
                continue
            if action == "return":
                if depth > 0:
                    outcome.passed.append(rule)
                    return False
                outcome.kind, outcome.rule = "accept", rule
                return True
            if action == "accept":
                outcome.kind, outcome.rule = "accept", rule
                return True
            _translate(rule, packet, router, chain, outcome, notes)
            return True
        return False

    walk(chain, 0)
    return outcome


@dataclass
class Flow:
    """A connection's first packet through the router: dstnat, routing, srcnat."""

    packet: Packet
    dstnat: Outcome
    dst: IPv4
    dst_port: int
    to_router: bool
    out_interface: Optional[str]
    network: Optional[Net]
    srcnat: Optional[Outcome]
    src: IPv4


def run_flow(rules: Sequence[Rule], packet: Packet, router: Router, notes: List[str]) -> Flow:
    dstnat = run_chain(rules, "dstnat", packet, router, notes)
    dst, dst_port = packet.dst, packet.dst_port
    if dstnat.kind == "nat" and dstnat.address is not None:
        dst = dstnat.address
        dst_port = dstnat.ports[0] if dstnat.ports else dst_port
    out_interface, network = router.route(dst)
    if out_interface is None:
        return Flow(packet, dstnat, dst, dst_port, True, None, None, None, packet.src)
    routed = packet.routed(dst=dst, dst_port=dst_port, out_interface=out_interface)
    srcnat = run_chain(rules, "srcnat", routed, router, notes)
    src = srcnat.address if srcnat.kind == "nat" and srcnat.address is not None else packet.src
    return Flow(packet, dstnat, dst, dst_port, False, out_interface, network, srcnat, src)


# ---------------------------------------------------------------------------------------------
# Services and verdicts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    """A published service: one ``dst-nat`` rule (per protocol) with a public port."""

    name: str
    protocol: str
    port: str
    host: str
    host_ports: Tuple[int, int]
    rule: Rule
    owned: bool

    @property
    def label(self) -> str:
        return "{0}/{1}".format(self.name, self.protocol)

    @property
    def probe_port(self) -> int:
        return int(re.split(r"[-,]", self.port)[0])

    @property
    def host_address(self) -> Optional[IPv4]:
        return _first_address(self.host)

    @property
    def target(self) -> str:
        low, high = self.host_ports
        return "{0}:{1}".format(self.host, low if low == high else "{0}-{1}".format(low, high))

    def reached_by(self, flow: Flow) -> bool:
        if flow.to_router or flow.dstnat.kind != "nat":
            return False
        low, high = self.host_ports
        if not low <= flow.dst_port <= high:
            return False
        host = self.host
        if "-" in host:
            return _in_address_spec(host, flow.dst)
        return flow.dst == self.host_address


def chains_under(rules: Sequence[Rule], base: str) -> FrozenSet[str]:
    """``base`` and every chain that a rule reached from it jumps to."""
    found = {base}
    changed = True
    while changed:
        changed = False
        for rule in rules:
            target = rule.get("jump-target")
            if rule.action == "jump" and rule.chain in found and target and target not in found:
                found.add(target)
                changed = True
    return frozenset(found)


def services_of(rules: Sequence[Rule]) -> List[Service]:
    """Every published service: owned port forwards by their name, foreign dst-nat rules with a
    protocol and public port by their comment (or position). Catch-alls without a port are not
    services of their own; they show up where they take other services' traffic."""
    services = []
    dstnat = chains_under(rules, "dstnat")
    for rule in rules:
        if rule.chain not in dstnat or rule.action != "dst-nat" or not rule.get("to-addresses"):
            continue
        protocol, port = rule.get("protocol"), rule.get("dst-port")
        if protocol not in ("tcp", "udp") or not port or port.startswith("!"):
            continue
        key = rule.owner
        owned = key is not None and key.kind == KIND_DSTNAT
        name = key.name if owned else (rule.get("comment") or "rule-{0}".format(rule.position))
        first_port = int(re.split(r"[-,]", port)[0])
        services.append(
            Service(
                name=name,
                protocol=protocol,
                port=port,
                host=rule.get("to-addresses") or "",
                host_ports=_port_span(rule.get("to-ports"), first_port) if rule.get("to-ports") else _span_of(port),
                rule=rule,
                owned=owned,
            )
        )
    return services


def _span_of(port: str) -> Tuple[int, int]:
    first = port.split(",")[0]
    return _port_span(first, 0)


@dataclass
class Verdict:
    """Can a client reach the service this way, and what does the server see?"""

    reachable: bool
    via: str
    reaches: Optional[str]
    server_sees: Optional[str]
    sees: Optional[str]
    client: str
    reason: Optional[str] = None
    rules: List[int] = field(default_factory=list)
    # The reason in a few words, for the table.
    summary: Optional[str] = None

    def fail(self, reason: str, summary: str) -> None:
        self.reachable, self.reason, self.summary = False, reason, summary

    def as_dict(self) -> Dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Finding:
    code: str
    service: Optional[str]
    message: str
    rule: Optional[Rule] = None
    fix: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return dict(
            code=self.code,
            service=self.service,
            message=self.message,
            rule=self.rule.ref() if self.rule is not None else None,
            fix=self.fix,
        )


class _Findings:
    def __init__(self) -> None:
        self.items: List[Finding] = []

    def add(self, finding: Finding) -> None:
        key = (finding.code, finding.service, finding.rule.position if finding.rule else None)
        if all((f.code, f.service, f.rule.position if f.rule else None) != key for f in self.items):
            self.items.append(finding)


def _used(flow: Flow) -> List[int]:
    rules = [r.position for r in flow.dstnat.passed]
    if flow.dstnat.rule is not None:
        rules.append(flow.dstnat.rule.position)
    if flow.srcnat is not None:
        rules.extend(r.position for r in flow.srcnat.passed)
        if flow.srcnat.rule is not None:
            rules.append(flow.srcnat.rule.position)
    return rules


def _sees(router: Router, flow: Flow) -> Tuple[str, str]:
    if flow.src == flow.packet.src:
        return str(flow.src), "client"
    if flow.src in router.own:
        return str(flow.src), "router"
    return str(flow.src), "other"


def _where(flow: Flow) -> str:
    return "{0}:{1}".format(flow.dst, flow.dst_port)


def _public_side(reasons: Sequence[str]) -> List[str]:
    return [r for r in reasons if r.split("=")[0] in ("dst-address", "dst-address-list", "dst-address-type")]


def _short(rule: Rule) -> str:
    return "rule #{0}".format(rule.position)


def _explain_unforwarded(
    service: Service, flow: Flow, router: Router, rules: Sequence[Rule], who: str
) -> Tuple[str, str]:
    """Why the service's own rule did not take the packet (it was not taken by another one):
    (reason, summary)."""
    rule = service.rule
    if not rule.active:
        return "{0} is disabled".format(rule.label), "{0} is disabled".format(_short(rule))
    reasons, unknown = mismatches(rule, flow.packet, router)
    if reasons:
        return (
            "{0} does not match {1}: {2}".format(rule.label, who, "; ".join(reasons)),
            "{0} does not match ({1})".format(_short(rule), ", ".join(r.split(", but")[0] for r in reasons)),
        )
    if unknown:
        return "{0} could not be evaluated: {1}".format(rule.label, "; ".join(unknown)), "not analysed"
    returned = [r for r in flow.dstnat.passed if r.action == "return" and r.chain == rule.chain]
    if returned:
        why = "{0} returns from chain {1} first".format(returned[-1].label, rule.chain)
    elif rule.chain in chains_under(rules, "dstnat"):
        why = "a rule before it ends chain {0} first".format(rule.chain)
    else:
        why = "no rule jumps to chain {0}".format(rule.chain)
    return "{0} is never reached: {1}".format(rule.label, why), "{0} is never reached".format(_short(rule))


def _taken_elsewhere(service: Service, flow: Flow) -> Optional[str]:
    """When another rule decided first: what it did, for people."""
    taker = flow.dstnat.rule
    if taker is None or taker.position == service.rule.position:
        return None
    if flow.dstnat.kind == "accept":
        return "{0} ends dstnat first (action={1}), so the packet is not forwarded".format(taker.label, taker.action)
    if flow.dstnat.kind == "unknown":
        return "{0} takes the packet first (action={1})".format(taker.label, taker.action)
    where = "the router itself" if flow.to_router else _where(flow)
    return "{0} takes it first and sends it to {1}".format(taker.label, where)


def _internet_verdict(service: Service, router: Router, rules: Sequence[Rule], findings: _Findings, notes) -> Verdict:
    dst = _public_destination(service, router)
    packet = Packet(service.protocol, router.internet_client, dst, service.probe_port, _wan_in(router, dst))
    flow = run_flow(rules, packet, router, notes)
    verdict = Verdict(False, "public address", None, None, None, str(packet.src), rules=_used(flow))
    if not flow.to_router:
        verdict.reaches = _where(flow)
    if service.reached_by(flow):
        if flow.network is None:
            verdict.fail(
                "{0} is on none of the router's networks; the packet leaves through {1}".format(
                    flow.dst, flow.out_interface
                ),
                "server on no network of the router",
            )
            return verdict
        verdict.reachable = True
        verdict.server_sees, verdict.sees = _sees(router, flow)
        if flow.dstnat.rule is not None and flow.dstnat.rule.position != service.rule.position:
            notes.append("{0}: forwarded by {1}, above its own rule".format(service.label, flow.dstnat.rule.label))
        return verdict
    taken = _taken_elsewhere(service, flow)
    if taken is not None:
        verdict.fail(taken, "shadowed by {0}".format(_short(flow.dstnat.rule)))
        findings.add(
            Finding(
                SHADOWED,
                service.label,
                "from the internet, {0} port {1} to {2}: {3}; {4} (the service's rule) never sees it".format(
                    service.protocol, service.probe_port, dst, taken, service.rule.label
                ),
                flow.dstnat.rule,
            )
        )
        return verdict
    verdict.fail(*_explain_unforwarded(service, flow, router, rules, "traffic from the internet"))
    if service.rule.active:
        reasons, _unknown = mismatches(service.rule, packet, router)
        if _public_side(reasons):
            findings.add(
                Finding(
                    PUBLIC_ADDRESS_MISMATCH,
                    service.label,
                    "{0} matches {1}, but the WAN's current address is {2}: traffic from the internet is not "
                    "forwarded".format(
                        service.rule.label,
                        ", ".join(r.split(", but")[0] for r in _public_side(reasons)),
                        router.wan_address,
                    ),
                    service.rule,
                )
            )
        elif reasons:
            findings.add(Finding(NOT_MATCHED, service.label, verdict.reason, service.rule))
    return verdict


def _public_destination(service: Service, router: Router) -> IPv4:
    """The address internet clients use: the rule's own dst-address when it is one of the WAN's
    addresses (a second public address), else the WAN's current address."""
    spec = service.rule.get("dst-address")
    if spec and not spec.startswith("!"):
        address = _first_address(spec)
        wan = {a.ip for name, a in router.addresses if name in router.wan_interfaces}
        if address in wan and "/" not in spec and "-" not in spec:
            return address
    return router.wan_address


def _wan_in(router: Router, dst: IPv4) -> Optional[str]:
    return router.interface_for(dst, router.wan_interfaces) or (
        router.wan_interfaces[0] if router.wan_interfaces else None
    )


def _lan_verdict(
    service: Service, router: Router, rules: Sequence[Rule], findings: _Findings, notes, dns_names: Sequence[str]
) -> Verdict:
    host = service.host_address
    client, in_interface = router.lan_client_for(host)
    dst = _public_destination(service, router)
    packet = Packet(service.protocol, client, dst, service.probe_port, in_interface)
    flow = run_flow(rules, packet, router, notes)
    verdict = Verdict(False, "public address", None, None, None, str(client), rules=_used(flow))
    if not flow.to_router:
        verdict.reaches = _where(flow)
    if not service.reached_by(flow):
        taken = _taken_elsewhere(service, flow)
        if taken is not None:
            verdict.fail(taken, "shadowed by {0}".format(_short(flow.dstnat.rule)))
            findings.add(
                Finding(
                    SHADOWED,
                    service.label,
                    "from the LAN, {0} port {1} to {2}: {3}; {4} (the service's rule) never sees it".format(
                        service.protocol, service.probe_port, dst, taken, service.rule.label
                    ),
                    flow.dstnat.rule,
                )
            )
        else:
            verdict.fail(*_explain_unforwarded(service, flow, router, rules, "LAN clients"))
        return verdict
    verdict.server_sees, verdict.sees = _sees(router, flow)
    translated = flow.srcnat is not None and flow.srcnat.kind == "nat"
    if translated:
        verdict.reachable, verdict.via = True, "hairpin"
        return verdict
    if flow.network is None or client not in flow.network:
        # Client and server on different subnets: both directions go through the router.
        verdict.reachable, verdict.via = True, "routed"
        return verdict
    verdict.fail(
        "the server answers {0} directly, not through the router, so the client drops the reply "
        "(no srcnat rule translates LAN traffic to {1})".format(client, _where(flow)),
        "no hairpin NAT, the reply bypasses the router",
    )
    if dns_names:
        # Split DNS: LAN clients use the name, not the public address; no hairpin rule needed.
        return verdict
    _hairpin_finding(service, flow, router, rules, findings)
    return verdict


def _hairpin_finding(service: Service, flow: Flow, router: Router, rules: Sequence[Rule], findings: _Findings) -> None:
    routed = flow.packet.routed(dst=flow.dst, dst_port=flow.dst_port, out_interface=flow.out_interface)
    stopper = flow.srcnat.rule if flow.srcnat is not None and flow.srcnat.kind == "accept" else None
    candidates = []
    srcnat = chains_under(rules, "srcnat")
    for rule in rules:
        if rule.chain not in srcnat or rule.action not in _SRCNAT_ACTIONS or not rule.active:
            continue
        reasons, unknown = mismatches(rule, routed, router)
        if not reasons and not unknown and stopper is not None and rule.position > stopper.position:
            findings.add(
                Finding(
                    HAIRPIN_SHADOWED,
                    service.label,
                    "{0} would translate LAN clients' traffic to {1}, but {2} above it ends srcnat first "
                    "(action={3})".format(rule.label, _where(flow), stopper.label, stopper.action),
                    stopper,
                )
            )
            return
        key = rule.owner
        ours = key is not None and (
            (key.kind == KIND_HAIRPIN and key.name == service.name and key.protocol == service.protocol)
            or (key.kind == KIND_HAIRPIN_SUBNET and flow.network is not None and _covers(key.name, flow.dst))
        )
        # A foreign rule about this server counts, unless it is for another port or protocol
        # (then it is another service's hairpin rule, not a broken one of this service).
        about_host = (
            key is None
            and _mentions(rule.get("dst-address"), flow.dst)
            and not any(r.split("=")[0] in ("protocol", "dst-port", "port") for r in reasons)
        )
        if reasons and (ours or about_host):
            candidates.append((not ours, len(reasons), rule, reasons))
    if candidates:
        _not_ours, _count, rule, reasons = sorted(candidates, key=lambda c: (c[0], c[1], c[2].position))[0]
        findings.add(
            Finding(
                HAIRPIN_MISMATCH,
                service.label,
                "{0} should give LAN clients hairpin NAT to {1} but does not match: {2}".format(
                    rule.label, _where(flow), "; ".join(reasons)
                ),
                rule,
                _hairpin_fix(service, flow),
            )
        )
        return
    findings.add(
        Finding(
            MISSING_HAIRPIN,
            service.label,
            "no srcnat rule translates LAN clients' traffic to {0} (out of {1}), so the server answers "
            "them directly and they drop the reply".format(_where(flow), flow.out_interface),
            stopper,
            _hairpin_fix(service, flow),
        )
    )


def _covers(subnet: str, address: IPv4) -> bool:
    try:
        return address in ipaddress.IPv4Network(subnet, strict=False)
    except ValueError:
        return False


def _mentions(spec: Optional[str], address: IPv4) -> bool:
    if not spec or spec.startswith("!"):
        return False
    try:
        return _in_address_spec(spec, address)
    except _UnknownError:
        return False


def _hairpin_fix(service: Service, flow: Flow) -> Optional[str]:
    """The rule the hairpin module would add (rendered by the engine)."""
    if flow.network is None:
        return None
    name = service.name
    if not NAME_RE.match(name):
        # A foreign rule is named by its comment; the marker needs a name the engine accepts.
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")[:64] or "rule-{0}".format(service.rule.position)
        if not NAME_RE.match(name):
            name = "rule-{0}".format(service.rule.position)
    hairpin = Hairpin(
        name=name,
        protocol=service.protocol,
        host=str(flow.dst),
        host_port=str(flow.dst_port),
        lan_subnet=str(flow.network),
        lan_interface=flow.out_interface,
    )
    rule = hairpin.rules()[0]
    return render_operation(Operation(ACTION_ADD, rule.key, fields=rule.fields))


def _dns_verdicts(service: Service, router: Router, rules, findings: _Findings, notes, names) -> List[Dict[str, Any]]:
    result = []
    host = service.host_address
    for name in names:
        client, in_interface = router.lan_client_for(host)
        # A client that resolved the name connects to the *public* port on the server's address.
        packet = Packet(service.protocol, client, host, service.probe_port, in_interface)
        network = router.lan_subnet_of(host)
        if network is not None and client in network:
            # Same subnet: the router is not on the path at all.
            listening = service.host_ports[0] <= service.probe_port <= service.host_ports[1]
            verdict = Verdict(
                listening, "dns name " + name, "{0}:{1}".format(host, service.probe_port), None, None, str(client)
            )
            if listening:
                verdict.server_sees, verdict.sees = str(client), "client"
            else:
                verdict.fail(
                    "{0} resolves to {1}, and clients then connect to port {2}, but the server listens on {3}".format(
                        name, host, service.probe_port, service.target
                    ),
                    "{0}: the server listens on another port".format(name),
                )
                findings.add(Finding(SPLIT_DNS_PORT, service.label, verdict.reason, service.rule))
        else:
            flow = run_flow(rules, packet, router, notes)
            verdict = Verdict(
                False, "dns name " + name, None if flow.to_router else _where(flow), None, None, str(client)
            )
            verdict.rules = _used(flow)
            low, high = service.host_ports
            if not flow.to_router and flow.dst == host and low <= flow.dst_port <= high:
                verdict.reachable = True
                verdict.server_sees, verdict.sees = _sees(router, flow)
            else:
                end = "the router" if flow.to_router else _where(flow)
                verdict.fail(
                    "{0} resolves to {1}, but the connection ends at {2}".format(name, host, end),
                    "{0}: ends at {1}".format(name, end),
                )
        result.append(dict(verdict.as_dict(), name=name))
    return result


def _masquerade_finding(service: Service, router: Router, rules, findings: _Findings, notes) -> None:
    host = service.host_address
    in_interface = router.interface_for(host, [name for name, _a in router.addresses]) if host else None
    if host is None or in_interface is None:
        return
    packet = Packet(service.protocol, host, router.internet_client, _CLIENT_PORT, in_interface)
    flow = run_flow(rules, packet, router, notes)
    if flow.to_router or flow.out_interface not in router.wan_interfaces:
        return
    if flow.srcnat is not None and flow.srcnat.kind == "nat":
        return
    findings.add(
        Finding(
            NO_MASQUERADE,
            service.label,
            "{0} forwards to {1}, but no srcnat rule masquerades {1}'s traffic out of {2}: the server's own "
            "connections to the internet leave with its private address".format(
                service.rule.label, host, flow.out_interface
            ),
            service.rule,
        )
    )


def _outbound_finding(service: Service, router: Router, rules, findings: _Findings, notes) -> None:
    """A forward without a public destination also takes LAN clients' traffic to any server."""
    host = service.host_address
    if host is None:
        return
    client, in_interface = router.lan_client_for(host)
    packet = Packet(service.protocol, client, router.internet_client, service.probe_port, in_interface)
    flow = run_flow(rules, packet, router, notes)
    if flow.dstnat.kind != "nat" or flow.dstnat.rule is None:
        return
    findings.add(
        Finding(
            CAPTURES_OUTBOUND,
            service.label,
            "{0} also takes LAN clients' {1} port {2} to any internet address (e.g. {3}) and sends it to {4}: "
            "they cannot reach that port on other servers (give the rule a dst-address or "
            "in-interface)".format(
                flow.dstnat.rule.label, service.protocol, service.probe_port, router.internet_client, _where(flow)
            ),
            flow.dstnat.rule,
        )
    )


def _router_service_findings(router: Router, rules: Sequence[Rule], findings: _Findings, notes) -> None:
    """dst-nat rules that take traffic meant for the router's own services (tcp): one finding per
    rule, listing what it hides from where."""
    lan_client = router.lan_client_for(router.lan_subnets[0].network_address) if router.lan_subnets else None
    taken: Dict[int, Tuple[Rule, List[str]]] = {}
    for name, port in sorted(router.facts.services.items(), key=lambda item: (item[1], item[0])):
        for address_interface, address in router.addresses:
            origins = []
            if address_interface in router.wan_interfaces:
                origins.append(("the internet", router.internet_client, _wan_in(router, address.ip)))
            if lan_client is not None:
                origins.append(("the LAN", lan_client[0], lan_client[1]))
            for origin, client, in_interface in origins:
                packet = Packet("tcp", client, address.ip, int(port), in_interface)
                outcome = run_chain(rules, "dstnat", packet, router, notes)
                if outcome.kind != "nat" or outcome.rule is None or outcome.address in router.own:
                    continue
                entry = taken.setdefault(outcome.rule.position, (outcome.rule, []))
                entry[1].append("{0} (tcp/{1}) on {2} from {3}".format(name, port, address.ip, origin))
    for rule, hidden in taken.values():
        findings.add(
            Finding(
                CAPTURES_ROUTER_SERVICE,
                None,
                "{0} forwards traffic meant for the router's own services, which are then unreachable there: "
                "{1}".format(rule.label, ", ".join(hidden)),
                rule,
            )
        )


@dataclass
class Report:
    services: List[Dict[str, Any]]
    findings: List[Finding]
    outbound: Dict[str, Any]
    facts: Dict[str, Any]
    notes: List[str]

    def as_dict(self) -> Dict[str, Any]:
        return dict(
            services=self.services,
            findings=[finding.as_dict() for finding in self.findings],
            outbound=self.outbound,
            facts=self.facts,
            notes=self.notes,
            table=render_table(self),
        )


def _check_lists(rules: Sequence[Rule], facts: Facts) -> None:
    """Lists the active rules use must be known: a guess would make confident, wrong verdicts."""
    for rule in rules:
        if not rule.active:
            continue
        for name in ("in-interface-list", "out-interface-list"):
            value = rule.get(name)
            list_name = value.lstrip("!") if value else None
            if list_name and list_name not in ("all", "none") and list_name not in facts.interface_list_members:
                raise AnalyzeError(
                    "{0} uses interface list {1!r}, whose members are not in the facts; give them in "
                    "interface_list_members".format(rule.label, list_name)
                )
        for name in ("src-address-list", "dst-address-list"):
            value = rule.get(name)
            list_name = value.lstrip("!") if value else None
            if not list_name:
                continue
            entries = facts.address_lists.get(list_name)
            if entries is None:
                raise AnalyzeError(
                    "{0} uses address list {1!r}, which is not in the facts; give its entries in address_lists".format(
                        rule.label, list_name
                    )
                )
            if entries and not any(entry[:1].isdigit() for entry in entries):
                raise AnalyzeError(
                    "{0} uses address list {1!r}, which holds only DNS names ({2}); give the addresses they "
                    "resolve to in address_lists".format(rule.label, list_name, ", ".join(entries))
                )


def analyze(rows: Sequence[Mapping[str, Any]], facts: Facts) -> Report:
    """Verdicts for every published service in ``rows`` (the NAT table in order) on the router
    ``facts`` describe. Raises AnalyzeError when a needed fact is missing."""
    router = resolve(facts)
    rules = [Rule.from_row(position, row) for position, row in enumerate(rows)]
    _check_lists(rules, facts)
    notes: List[str] = list(router.notes)
    findings = _Findings()
    if facts.public_address and _parse_address(facts.public_address, "public_address") not in {
        a.ip for n, a in router.addresses if n in router.wan_interfaces
    }:
        findings.add(
            Finding(
                PUBLIC_ADDRESS_MISMATCH,
                None,
                "the public address {0} is not the WAN's current address ({1}); the internet reaches the router at "
                "{1}".format(facts.public_address, router.wan_address),
            )
        )
    services = []
    for service in services_of(rules):
        host = service.host_address
        if host is None:
            continue
        names = sorted(name for name, address in facts.dns_static if _first_address(address) == host)
        before = len(findings.items)
        internet = _internet_verdict(service, router, rules, findings, notes)
        lan_public = _lan_verdict(service, router, rules, findings, notes, names)
        dns = _dns_verdicts(service, router, rules, findings, notes, names)
        _masquerade_finding(service, router, rules, findings, notes)
        _outbound_finding(service, router, rules, findings, notes)
        lan = lan_public.as_dict()
        working = [entry for entry in dns if entry["reachable"]]
        if not lan_public.reachable and working:
            # Split DNS: LAN clients that use the names reach the server directly.
            lan = dict(working[0], via="split DNS", names=[entry["name"] for entry in working])
            lan.pop("name")
        services.append(
            dict(
                name=service.name,
                protocol=service.protocol,
                port=service.port,
                public="{0}:{1}".format(_public_destination(service, router), service.port),
                target=service.target,
                owned=service.owned,
                rule=service.rule.ref(),
                internet=internet.as_dict(),
                lan=lan,
                lan_public_address=lan_public.as_dict(),
                lan_dns_names=dns,
                findings=[f.code for f in findings.items[before:] if f.service == service.label],
            )
        )
    _router_service_findings(router, rules, findings, notes)
    outbound = _outbound(router, rules, notes)
    used = dict(
        wan_interfaces=router.wan_interfaces,
        wan_address=str(router.wan_address),
        lan_interfaces=router.lan_interfaces,
        lan_subnets=[str(s) for s in router.lan_subnets],
        internet_client=str(router.internet_client),
        public_address=facts.public_address,
    )
    return Report(services, findings.items, outbound, used, notes)


def _outbound(router: Router, rules: Sequence[Rule], notes: List[str]) -> Dict[str, Any]:
    """LAN clients to the internet: which address the internet sees."""
    if not router.lan_subnets:
        return dict(masqueraded=False, address=None, rule=None, client=None)
    client, in_interface = router.lan_client_for(router.lan_subnets[0].network_address)
    packet = Packet("tcp", client, router.internet_client, 443, in_interface)
    flow = run_flow(rules, packet, router, notes)
    translated = flow.srcnat is not None and flow.srcnat.kind == "nat"
    return dict(
        client=str(client),
        masqueraded=translated and flow.src != client,
        address=str(flow.src),
        rule=flow.srcnat.rule.ref() if translated and flow.srcnat.rule is not None else None,
    )


# ---------------------------------------------------------------------------------------------
# The readable table
# ---------------------------------------------------------------------------------------------


def _cell(verdict: Mapping[str, Any], lan: bool) -> str:
    if not verdict.get("reachable"):
        return "no: " + str(verdict.get("summary") or verdict.get("reason") or "not forwarded")
    via = str(verdict.get("via"))
    how = "yes"
    if lan and via == "split DNS":
        how = "yes (split DNS: {0})".format(", ".join(verdict.get("names") or []))
    elif lan:
        how = "yes ({0})".format(via)
    kind = verdict.get("sees")
    who = "client" if kind == "client" else ("router" if kind == "router" else "")
    return "{0}, server sees {1} {2}".format(how, who, verdict.get("server_sees")).replace("  ", " ")


def render_table(report: Report) -> str:
    """The report for people: one line per service, then the LAN's way out, then the findings."""
    header = ("SERVICE", "PUBLIC", "SERVER", "FROM THE INTERNET", "FROM THE LAN")
    lines = [
        (s["name"] + "/" + s["protocol"], s["public"], s["target"], _cell(s["internet"], False), _cell(s["lan"], True))
        for s in report.services
    ]
    out = []
    if lines:
        widths = [max(len(row[i]) for row in [header, *lines]) for i in range(4)]
        for row in [header, *lines]:
            out.append("  ".join(row[i].ljust(widths[i]) for i in range(4)) + "  " + row[4])
    else:
        out.append("no published services (no dst-nat rule with a protocol and a port)")
    outbound = report.outbound
    if outbound.get("masqueraded"):
        rule = outbound.get("rule") or {}
        comment = " ({0})".format(rule["comment"]) if rule.get("comment") else ""
        how = "masqueraded" if rule.get("action") == "masquerade" else "translated"
        out.append(
            "\nLAN clients to the internet: {0} to {1} by rule #{2}{3}".format(
                how, outbound["address"], rule.get("position"), comment
            )
        )
    elif outbound.get("client"):
        out.append("\nLAN clients to the internet: NOT masqueraded (they leave with {0})".format(outbound["address"]))
    if report.findings:
        out.append("\nFINDINGS ({0})".format(len(report.findings)))
        for finding in report.findings:
            where = finding.service + ": " if finding.service else ""
            out.append("  [{0}] {1}{2}".format(finding.code, where, finding.message))
            if finding.rule is not None:
                out.append("      {0}: {1}".format(finding.rule.label.split(" (")[0], finding.rule.text()))
            if finding.fix:
                out.append("      fix: " + finding.fix)
    else:
        out.append("\nno findings")
    for note in report.notes:
        out.append("note: " + note)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Readers: an /export, a live router
# ---------------------------------------------------------------------------------------------


def _rsc_lines(text: str) -> Iterable[Tuple[int, str, str, List[str]]]:
    """(line number, menu, command, arguments) of every command line of RouterOS script."""
    # render.py owns RouterOS script reading (quoting, continuations, menu headers).
    from ansible_collections.hairpin.routeros.plugins.module_utils.render import rsc_commands

    return rsc_commands(text)


def _assignments(arguments: Sequence[str]) -> Tuple[List[str], Dict[str, str]]:
    positional, values = [], {}
    for argument in arguments:
        name, sep, value = argument.partition("=")
        if sep and not argument.startswith("["):
            values[name] = value
        else:
            positional.append(argument)
    return positional, values


def _enabled(values: Mapping[str, Any]) -> bool:
    return not is_true(values.get("disabled"))


def facts_from_rsc(text: str) -> Facts:
    """The router side of Facts from an ``/export``: interface list members, addresses, address
    lists, static DNS, IP services (RouterOS defaults plus the export's ``set`` lines)."""
    facts = Facts()
    services = {name: [port, enabled] for name, (port, enabled) in DEFAULT_ROUTER_SERVICES.items()}
    for _number, menu, command, arguments in _rsc_lines(text):
        positional, values = _assignments(arguments)
        if command == "add" and not _enabled(values):
            continue
        if menu == "interface list member" and command == "add":
            facts.interface_list_members.setdefault(values.get("list", ""), []).append(values.get("interface", ""))
        elif menu == "interface list" and command == "add" and "name" in values:
            facts.interface_list_members.setdefault(values["name"], [])
        elif menu == "ip address" and command == "add" and "address" in values:
            facts.addresses.append((values.get("interface", ""), values["address"]))
        elif menu == "ip firewall address-list" and command == "add" and "list" in values:
            facts.address_lists.setdefault(values["list"], []).append(values.get("address", ""))
        elif menu == "ip dns static" and command == "add" and "address" in values and "name" in values:
            if values.get("type", "A") == "A":
                facts.dns_static.append((values["name"].rstrip(".").lower(), values["address"]))
        elif menu == "ip service" and command == "set":
            name = _service_name(positional)
            if name is None:
                continue
            entry = services.setdefault(name, [0, True])
            if "port" in values:
                entry[0] = int(values["port"])
            if "disabled" in values:
                entry[1] = not is_true(values["disabled"])
    facts.services = {name: port for name, (port, enabled) in services.items() if enabled and port}
    return facts


def _service_name(positional: Sequence[str]) -> Optional[str]:
    for word in positional:
        match = re.search(r"name=([A-Za-z0-9_-]+)", word)
        if match:
            return match.group(1)
        if re.match(r"\A[A-Za-z][A-Za-z0-9_-]*\Z", word):
            return word
    return None


def rows_from_rsc(text: str) -> List[Dict[str, str]]:
    """The NAT table of an ``/export`` (the engine's reader)."""
    return parse_nat_rsc(text)


def facts_from_view(view: Any) -> Facts:
    """The router side of Facts from ``runner.read_router`` with the address-list and static
    DNS entries read (``entries=[ADDRESS_LISTS, DNS_ENTRIES]``)."""
    facts = Facts()
    facts.addresses = _addresses_from_data(sorted(view.facts.addresses), view.networks)
    facts.interface_list_members = {name: sorted(members) for name, members in view.list_members.items()}
    for name in view.facts.interface_lists:
        facts.interface_list_members.setdefault(name, [])
    for row in view.entries.get("address_lists", []):
        if _enabled(row) and "list" in row and "address" in row:
            facts.address_lists.setdefault(str(row["list"]), []).append(str(row["address"]))
    facts.services = dict(view.facts.services)
    for row in view.entries.get("dns_static", []):
        if _enabled(row) and row.get("name") and row.get("address") and str(row.get("type", "A")) == "A":
            facts.dns_static.append((str(row["name"]).rstrip(".").lower(), str(row["address"])))
    return facts


def read_live(router: Any) -> Tuple[List[Dict[str, Any]], Facts]:
    """(NAT rows, router-side Facts) of a connected ``api.Router``, in one round trip."""
    from ansible_collections.hairpin.routeros.plugins.module_utils.runner import (
        ADDRESS_LISTS,
        DNS_ENTRIES,
        read_router,
    )

    view = read_router(router, entries=[ADDRESS_LISTS, DNS_ENTRIES])
    return list(view.nat), facts_from_view(view)


# ---------------------------------------------------------------------------------------------
# Command line (for CI pipelines)
# ---------------------------------------------------------------------------------------------

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_FINDINGS = 2


def _argument_parser():
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m ansible_collections.hairpin.routeros.plugins.module_utils.analyze",
        description="Who reaches each service published on a RouterOS router (from the internet, from the "
        "LAN), which address the server sees, and what in the NAT table is wrong.",
        epilog="Exit status: 0 analysed, 1 bad input or no connection, 2 findings with --fail-on-findings.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--rsc", metavar="FILE", help="an /export of the router (- for stdin)")
    source.add_argument(
        "--rules",
        metavar="FILE",
        help="JSON: the NAT rows in table order (a list), or nat_info's result (rules and facts)",
    )
    source.add_argument("--host", help="read the router live over its API (password from $HAIRPIN_API_PASSWORD)")
    parser.add_argument(
        "--facts", metavar="FILE", help="JSON: router facts (the keys of the module's facts option) over the source's"
    )
    parser.add_argument("--port", type=int, help="API port (default 8729 with TLS, 8728 without)")
    parser.add_argument("--username", default=os.environ.get("HAIRPIN_API_USERNAME", "admin"), help="API user")
    parser.add_argument("--ca-path", help="CA certificate (PEM) of the router's API-SSL certificate")
    parser.add_argument("--no-tls", action="store_true", help="plain API (the password travels in clear text)")
    parser.add_argument("--no-validate-certs", action="store_true", help="accept any certificate")
    parser.add_argument("--wan-interface")
    parser.add_argument("--wan-interface-list")
    parser.add_argument("--lan-interface")
    parser.add_argument("--lan-interface-list")
    parser.add_argument("--lan-subnet", action="append", dest="lan_subnets", metavar="SUBNET")
    parser.add_argument("--public-address", help="the address you publish (checked against the WAN's)")
    parser.add_argument("--internet-client", help="probe address of the internet client")
    parser.add_argument("--lan-client", help="probe address of the LAN client")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--fail-on-findings", action="store_true", help="exit 2 when there is any finding")
    return parser


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _load(args: Any) -> Tuple[List[Dict[str, Any]], Facts]:
    if args.rsc:
        text = _read_text(args.rsc)
        return rows_from_rsc(text), facts_from_rsc(text)
    if args.rules:
        data = json.loads(_read_text(args.rules))
        if isinstance(data, Mapping):
            return list(data.get("rules") or []), Facts.from_dict(data.get("facts") or {})
        return list(data), Facts()
    from ansible_collections.hairpin.routeros.plugins.module_utils.api import connect

    params = dict(
        hostname=args.host,
        port=args.port,
        username=args.username,
        password=os.environ.get("HAIRPIN_API_PASSWORD", ""),
        tls=not args.no_tls,
        validate_certs=not args.no_validate_certs,
        ca_path=args.ca_path,
        timeout=10,
    )
    with connect(params) as router:
        return read_live(router)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _argument_parser().parse_args(argv)
    from ansible_collections.hairpin.routeros.plugins.module_utils.api import RouterError

    try:
        rows, facts = _load(args)
        if args.facts:
            facts = facts.merged(json.loads(_read_text(args.facts)))
        facts.update({name: getattr(args, name, None) for name in Facts.USER_FIELDS})
        report = analyze(rows, facts)
    except (AnalyzeError, RscParseError, RouterError, OSError, ValueError) as exc:
        sys.stderr.write("hairpin analyze: {0}\n".format(exc))
        return EXIT_ERROR
    if args.format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_table(report))
    return EXIT_FINDINGS if args.fail_on_findings and report.findings else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())

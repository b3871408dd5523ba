# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The ``/ipv6 firewall filter`` forward chain for a new connection from the internet to a LAN
server's own IPv6 address (no NAT in IPv6: the server is reached at its address).

The chain runs as RouterOS runs it, as the IPv4 forward chain does (``firewall.run_filter``):
rules in order, the first ``accept``/``drop``/``reject`` decides, ``fasttrack-connection`` counts
as accept, ``jump``/``return`` are followed, ``log``, ``passthrough`` and the address-list
actions go on, and a chain that runs out accepts.

The client is any internet host: a rule that matches only some sources (``src-address``,
``src-address-list``, ``src-port``) does not decide for the service, since the rule that drops
new connections from the WAN is the one every source meets. A matcher the analysis cannot
evaluate (``out-interface``: the server's interface is not read; ``hop-limit``; a
``dst-address-list`` when the IPv6 address lists are not known or hold DNS names) is taken as
not matching, with a note.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.firewall import (
    _FILTER_CONTINUING,
    DROPPING,
    FORWARD,
    PASSING,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.walk import MAX_JUMP_DEPTH
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    normalize_protocol,
    parse_marker,
    without_fingerprint,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.operations import is_dynamic, row_id
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

# Matchers that say nothing about which packets a rule takes.
_NOT_MATCHERS = frozenset(
    (
        ".id",
        ".nextid",
        "chain",
        "action",
        "comment",
        "disabled",
        "dynamic",
        "invalid",
        "log",
        "log-prefix",
        "jump-target",
        "reject-with",
        "address-list",
        "address-list-timeout",
        "bytes",
        "packets",
        "place-before",
        "_position",
    )
)
# Matchers whose value depends on which internet host connects.
_SOURCE_MATCHERS = frozenset(("src-address", "src-address-list", "src-port", "src-mac-address"))
_PORT_PROTOCOLS = frozenset(("tcp", "udp", "udp-lite", "sctp", "dccp"))


@dataclass(frozen=True)
class Packet6:
    """The first packet of a new connection from the internet: ``protocol`` to ``dst``
    (the server's IPv6 address) port ``dst_port``, arriving on ``in_interface`` (None: unknown)."""

    protocol: str
    dst: ipaddress.IPv6Address
    dst_port: int
    in_interface: Optional[str]


@dataclass(frozen=True)
class Verdict6:
    """Whether chain forward passes the packet; ``position`` is the row (index in the table as
    read) that decided (None: the chain ran out and accepts), ``entry`` the row of chain
    forward through which the walk reached it (itself, or the jump to its chain)."""

    passes: bool
    position: Optional[int]
    entry: Optional[int]

    def label(self, rows: Sequence[Mapping[str, Any]]) -> str:
        if self.position is None:
            return "the end of the forward chain"
        return rule_label(self.position, rows[self.position])


def rule_label(position: int, row: Mapping[str, Any]) -> str:
    """How messages name a filter row: its id (``*N``, what ``place-before`` and ``move`` take;
    its position ``#N`` in the table when it has none, as in an export), and its comment."""
    comment = without_fingerprint(row.get("comment"))
    name = str(row[".id"]) if row.get(".id") else "#%d" % position
    return "rule %s%s" % (name, " (%s)" % comment if comment else "")


def _split(value: Any) -> Tuple[bool, str]:
    text = str(value)
    return (True, text[1:]) if text.startswith("!") else (False, text)


def _in_ports(spec: str, port: int) -> bool:
    for part in spec.split(","):
        low, _sep, high = part.partition("-")
        if low.isdigit() and (high or low).isdigit() and int(low) <= port <= int(high or low):
            return True
    return False


def _in_prefix(spec: str, address: ipaddress.IPv6Address) -> Optional[bool]:
    low, sep, high = spec.partition("-")
    try:
        if sep:
            return ipaddress.IPv6Address(low) <= address <= ipaddress.IPv6Address(high)
        return address in ipaddress.IPv6Network(spec, strict=False)
    except ValueError:
        return None


def _holds(
    name: str,
    spec: str,
    packet: Packet6,
    members: Mapping[str, Sequence[str]],
    lists: Optional[Mapping[str, Sequence[str]]],
) -> Tuple[Optional[bool], Optional[str]]:
    """(does ``name=spec`` hold for the packet, or None when not analysed; why not analysed)."""
    if name == "dst-address-list":
        if lists is None:
            return None, "the IPv6 address lists are not known"
        entries = lists.get(spec, ())
        if any(":" not in entry for entry in entries):
            return None, "address list %r holds DNS names" % spec
        return any(_in_prefix(entry, packet.dst) for entry in entries), None
    if name == "protocol":
        return normalize_protocol(spec) == packet.protocol, None
    if name == "dst-address":
        holds = _in_prefix(spec, packet.dst)
        return holds, None if holds is not None else "dst-address=%s is no IPv6 prefix" % spec
    if name == "dst-address-type":
        return spec == "unicast", None
    if name == "dst-port":
        return packet.protocol in _PORT_PROTOCOLS and _in_ports(spec, packet.dst_port), None
    if name in ("in-interface", "in-interface-list"):
        if packet.in_interface is None:
            return None, "the WAN interface is not known"
        if name == "in-interface":
            return packet.in_interface == spec, None
        if spec == "all":
            return True, None
        if spec not in members:
            return None, "the members of interface list %r are not known" % spec
        return packet.in_interface in members[spec], None
    if name == "connection-state":
        return "new" in spec.split(","), None
    if name == "connection-nat-state":
        # IPv6 is not translated: no connection is dstnat or srcnat.
        return False, None
    if name == "ipsec-policy":
        return spec.endswith(",none"), None
    return None, "%s=%s is not analysed" % (name, spec)


def _matches(
    row: Mapping[str, Any],
    packet: Packet6,
    members: Mapping[str, Sequence[str]],
    lists: Optional[Mapping[str, Sequence[str]]],
    notes: List[str],
) -> bool:
    for name, value in row.items():
        if name in _NOT_MATCHERS or value in (None, ""):
            continue
        negated, spec = _split(value)
        if name in _SOURCE_MATCHERS:
            # Some internet hosts match, others do not: a negated source match takes "the rest".
            if negated:
                continue
            return False
        holds, why = _holds(name, spec, packet, members, lists)
        if holds is None:
            note = "IPv6 %s: %s; taken as not matching" % (rule_label(int(row.get("_position", 0)), row), why)
            if note not in notes:
                notes.append(note)
            return False
        if holds == negated:
            return False
    return True


def forward6_verdict(
    rows: Sequence[Mapping[str, Any]],
    packet: Packet6,
    members: Mapping[str, Sequence[str]],
    notes: Optional[List[str]] = None,
    lists: Optional[Mapping[str, Sequence[str]]] = None,
) -> Verdict6:
    """The verdict of chain forward of ``rows`` (the ``/ipv6/firewall/filter`` table as read) on
    ``packet``; ``members``: interface list -> its interfaces; ``lists``: IPv6 address list -> its
    addresses (None: not known). Notes on what was not analysed go to ``notes``."""
    found: List[str] = [] if notes is None else notes
    by_chain: Dict[str, List[Tuple[int, Dict[str, Any]]]] = {}
    for position, row in enumerate(rows):
        if is_true(row.get("disabled")) or is_true(row.get("invalid")):
            continue
        entry = dict(row)
        entry["_position"] = position
        by_chain.setdefault(str(row.get("chain")), []).append((position, entry))

    def walk(chain: str, depth: int, entry: Optional[int]) -> Optional[Verdict6]:
        for position, row in by_chain.get(chain, []):
            if not _matches(row, packet, members, lists, found):
                continue
            here = position if entry is None else entry
            action = str(row.get("action", "accept"))
            if action in _FILTER_CONTINUING:
                continue
            if action == "jump":
                if depth >= MAX_JUMP_DEPTH:
                    return Verdict6(True, position, here)
                decided = walk(str(row.get("jump-target") or ""), depth + 1, here)
                if decided is not None:
                    return decided
                continue
            if action == "return":
                return None if depth > 0 else Verdict6(True, position, here)
            if action in PASSING:
                return Verdict6(True, position, here)
            if action in DROPPING:
                return Verdict6(False, position, here)
        return None

    return walk(FORWARD, 0, None) or Verdict6(True, None, None)


def owned_pinholes(rows: Sequence[Mapping[str, Any]]) -> List[Tuple[int, Mapping[str, Any]]]:
    """(position, row) of every owned IPv6 pinhole of ``rows``."""
    out = []
    for position, row in enumerate(rows):
        key = parse_marker(row.get("comment"))
        if key is not None and key.kind == "filter6" and not is_dynamic(row):
            out.append((position, row))
    return out


def pinhole_packet(row: Mapping[str, Any], members: Mapping[str, Sequence[str]]) -> Optional[Packet6]:
    """The connection an owned pinhole row is for (None when it names no address and port)."""
    address = str(row.get("dst-address") or "").split("/", 1)[0]
    port = str(row.get("dst-port") or "").split(",", 1)[0].split("-", 1)[0]
    try:
        dst = ipaddress.IPv6Address(address)
    except ValueError:
        return None
    if not port.isdigit():
        return None
    interface = row.get("in-interface")
    if not interface and row.get("in-interface-list"):
        listed = sorted(members.get(str(row["in-interface-list"]), ()))
        interface = listed[0] if listed else None
    return Packet6(normalize_protocol(row.get("protocol", "tcp")), dst, int(port), interface)


@dataclass(frozen=True)
class PinholeFinding:
    """An owned IPv6 pinhole that a rule before it drops: the service, its protocol, the
    dropping row (position and label)."""

    service: str
    protocol: str
    position: int
    label: str

    @property
    def message(self) -> str:
        return "IPv6 pinhole for %r (%s) is after %s which drops it" % (self.service, self.protocol, self.label)

    def as_dict(self) -> Dict[str, Any]:
        return dict(service=self.service, protocol=self.protocol, rule=self.position, message=self.message)


def pinhole_findings(
    rows: Sequence[Mapping[str, Any]],
    members: Mapping[str, Sequence[str]],
    notes: Optional[List[str]] = None,
    lists: Optional[Mapping[str, Sequence[str]]] = None,
) -> List[PinholeFinding]:
    """The owned IPv6 pinholes of ``rows`` that do not let new WAN traffic through because a
    rule before them drops it."""
    out = []
    for position, row in owned_pinholes(rows):
        packet = pinhole_packet(row, members)
        if packet is None:
            continue
        verdict = forward6_verdict(rows, packet, members, notes, lists)
        if not verdict.passes and verdict.position is not None and verdict.position < position:
            key = parse_marker(row.get("comment"))
            out.append(
                PinholeFinding(key.name, key.protocol or "", verdict.position, verdict.label(rows))  # type: ignore[union-attr]
            )
    return out


def first_drop(
    rows: Sequence[Mapping[str, Any]],
    packet: Packet6,
    members: Mapping[str, Sequence[str]],
    lists: Optional[Mapping[str, Sequence[str]]] = None,
) -> Optional[Mapping[str, Any]]:
    """The row of chain forward a pinhole for ``packet`` goes just before: the rule that drops
    it, or the jump of chain forward that leads to that rule; None when nothing drops it."""
    verdict = forward6_verdict(rows, packet, members, lists=lists)
    if verdict.passes or verdict.entry is None:
        return None
    row = rows[verdict.entry]
    return None if is_dynamic(row) or not row_id(row) else row

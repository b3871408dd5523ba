# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Foreign rules that shadow an owned port forward, or that an owned port forward shadows, in a
planned NAT table: the check every converge runs before it writes, in every mode.

It runs on every router of a fleet run, so it stays light: one pass over the table picks the
active rules of the ``dstnat`` chain, a port index pairs each foreign rule only with the owned
forwards whose protocol and ports it can meet, and only those pairs are tried, with the
analyzer's own matcher (:func:`rules.mismatches`), on a packet both rules would see. A pair is
reported only when such a packet exists, so a warning is never a guess. Rules in chains that
``dstnat`` jumps to are left to the analysis (``analyze``), which walks the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import IPv4, split_negation
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.readers import facts_from_view
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import Packet, Rule, mismatches
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.walk import DSTNAT_ACTIONS
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_DSTNAT,
    MARKER_PREFIX,
    RuleKey,
    parse_marker,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    first_address,
    interface_address,
    is_true,
    port_spans,
)

# What a foreign rule in dstnat can do to a packet that an owned forward wants: translate it,
# or end the chain untranslated (accept; return in the built-in chain).
_TAKING = DSTNAT_ACTIONS | frozenset(("accept", "return"))
# The client of the probe packets: a documentation address (RFC 5737), the first that is on
# none of the router's networks.
_CLIENTS = ("198.51.100.10", "192.0.2.10", "203.0.113.10")
# Enough probe packets per pair to meet both rules' address and interface matchers.
_MAX_PROBES = 24

Span = Tuple[int, int]


@dataclass(frozen=True)
class Shadowing:
    """An owned port forward and a foreign rule that both take some of the same traffic; the
    first of the two in the chain gets it."""

    service: str
    protocol: Optional[str]
    rule: Rule
    foreign_first: bool
    message: str

    def as_dict(self) -> Dict[str, Any]:
        return dict(
            service=self.service,
            protocol=self.protocol,
            rule=self.rule.ref(),
            first="foreign" if self.foreign_first else "service",
            message=self.message,
        )


@dataclass
class _Forward:
    position: int
    row: Mapping[str, Any]
    key: RuleKey
    spans: List[Span]


def foreign_shadowing(rows: Sequence[Mapping[str, Any]], view: Any) -> List[Shadowing]:
    """Every (owned forward, foreign rule) pair of the ``dstnat`` chain of ``rows`` (a NAT table
    in order, as RouterOS prints it) where one takes traffic the other matches. ``view`` is the
    router's read (``read.RouterView``): its addresses, interface lists and address lists."""
    forwards: List[_Forward] = []
    foreign: List[Tuple[int, Mapping[str, Any]]] = []
    for position, row in enumerate(rows):
        if row.get("chain") != "dstnat" or is_true(row.get("disabled")) or is_true(row.get("invalid")):
            continue
        action = row.get("action") or "accept"
        comment = row.get("comment")
        owned = isinstance(comment, str) and comment.startswith(MARKER_PREFIX) and not is_true(row.get("dynamic"))
        key = parse_marker(comment) if owned else None
        if key is not None:
            spans = port_spans(row.get("dst-port"))
            if key.kind == KIND_DSTNAT and action == "dst-nat" and spans:
                forwards.append(_Forward(position, row, key, spans))
        elif action in _TAKING:
            foreign.append((position, row))
    if not forwards or not foreign:
        return []
    by_port: Dict[int, List[_Forward]] = {}
    ranged: List[_Forward] = []
    for forward in forwards:
        if len(forward.spans) == 1 and forward.spans[0][0] == forward.spans[0][1]:
            by_port.setdefault(forward.spans[0][0], []).append(forward)
        else:
            ranged.append(forward)
    checker: Optional[_Checker] = None
    found: List[Shadowing] = []
    for position, row in foreign:
        candidates = _candidates(row, forwards, by_port, ranged)
        if not candidates:
            continue
        if checker is None:
            checker = _Checker(view)
        other = Rule.from_row(position, row)
        for forward in candidates:
            item = checker.shadowing(forward, other)
            if item is not None:
                found.append(item)
    return found


def _candidates(
    row: Mapping[str, Any], forwards: List[_Forward], by_port: Dict[int, List[_Forward]], ranged: List[_Forward]
) -> List[_Forward]:
    """The owned forwards a foreign rule can meet by protocol and destination port alone."""
    protocol = row.get("protocol")
    ports = row.get("dst-port")
    if (isinstance(ports, int) and not isinstance(ports, bool)) or (isinstance(ports, str) and ports.isdigit()):
        # The usual foreign forward, one port (librouteros hands it over as a number): a look-up.
        port = int(ports)
        candidates = by_port.get(port, [])
        if ranged:
            candidates = candidates + [f for f in ranged if _meets(f.spans, [(port, port)])]
    elif ports in (None, "") or str(ports).startswith("!"):
        candidates = forwards
    else:
        spans = port_spans(ports)
        if spans is None:
            return []
        if len(spans) == 1 and spans[0][0] == spans[0][1]:
            candidates = by_port.get(spans[0][0], []) + [f for f in ranged if _meets(f.spans, spans)]
        else:
            candidates = [f for f in forwards if _meets(f.spans, spans)]
    if protocol and not str(protocol).startswith("!"):
        candidates = [f for f in candidates if f.key.protocol == protocol]
    return candidates


def _meets(ours: Sequence[Span], theirs: Sequence[Span]) -> bool:
    return any(low <= t_high and t_low <= high for low, high in ours for t_low, t_high in theirs)


class _Checker:
    """The router's side of matching (addresses, interface lists, address lists), made once
    per call and only when some pair needs it."""

    def __init__(self, view: Any) -> None:
        facts = facts_from_view(view)
        addresses = []
        for name, text in facts.addresses:
            parsed = interface_address(text)
            if parsed is not None:
                addresses.append((name, parsed))
        networks = [address.network for _name, address in addresses]
        client = next(
            (IPv4(a) for a in _CLIENTS if not any(IPv4(a) in network for network in networks)), IPv4(_CLIENTS[0])
        )
        wan = addresses[0][1].ip if addresses else IPv4("0.0.0.0")
        self.topology = Topology(facts, addresses, [], [], [], wan, client)
        self.client = client

    def shadowing(self, forward: _Forward, other: Rule) -> Optional[Shadowing]:
        ours = Rule.from_row(forward.position, forward.row)
        for packet in self._probes(forward, ours, other):
            if self._matches(ours, packet) and self._matches(other, packet):
                return _shadowing(forward, ours, other, packet)
        return None

    def _matches(self, rule: Rule, packet: Packet) -> bool:
        reasons, unknown = mismatches(rule, packet, self.topology)
        return not reasons and not unknown

    def _probes(self, forward: _Forward, ours: Rule, other: Rule) -> Iterator[Packet]:
        protocol = forward.key.protocol or ours.get("protocol") or "tcp"
        ports = _probe_ports(forward.spans, port_spans(split_negation(other.get("dst-port") or "")[1]))
        destinations = _unique(self._destinations(ours) + self._destinations(other) + self._own())
        # (A router without addresses: the probes arrive on no interface the table names.)
        interfaces = _unique(self._interfaces(ours) + self._interfaces(other) + self._all_interfaces()) or [None]
        count = 0
        for port in ports:
            for dst in destinations:
                for interface in interfaces:
                    if count >= _MAX_PROBES:
                        return
                    count += 1
                    yield Packet(protocol, self.client, dst, port, interface)

    def _destinations(self, rule: Rule) -> List[IPv4]:
        out = []
        negated, spec = split_negation(rule.get("dst-address") or "")
        address = first_address(spec) if spec and not negated else None
        if address is not None:
            out.append(address)
        negated, name = split_negation(rule.get("dst-address-list") or "")
        if name and not negated:
            for entry in self.topology.facts.address_lists.get(name, []):
                address = first_address(entry)
                if address is not None:
                    out.append(address)
                    break
        return out

    def _own(self) -> List[IPv4]:
        return [address.ip for _name, address in self.topology.addresses]

    def _interfaces(self, rule: Rule) -> List[Optional[str]]:
        out: List[Optional[str]] = []
        negated, name = split_negation(rule.get("in-interface") or "")
        if name and not negated:
            out.append(name)
        negated, name = split_negation(rule.get("in-interface-list") or "")
        if name and not negated:
            out.extend(sorted(self.topology.members(name) or ()))
        return out

    def _all_interfaces(self) -> List[Optional[str]]:
        return [name for name, _address in self.topology.addresses]


def _probe_ports(ours: Sequence[Span], theirs: Optional[Sequence[Span]]) -> List[int]:
    """Ports of our forward to try: where the two meet first, else (the other rule matches any
    port, or all but some) our first and last."""
    for low, high in ours:
        for t_low, t_high in theirs or ():
            if low <= t_high and t_low <= high:
                return [max(low, t_low)]
    return _unique([ours[0][0], ours[-1][1]])


def _unique(items: Sequence[Any]) -> List[Any]:
    seen: List[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _traffic(rule: Rule) -> str:
    protocol, port = rule.get("protocol"), rule.get("dst-port")
    if protocol and port:
        return "{0}/{1}".format(protocol, port)
    if protocol:
        return "all {0}".format(protocol)
    if port:
        return "port {0}".format(port)
    return "all traffic"


def _target(rule: Rule) -> str:
    """Where a dstnat rule sends what it takes."""
    to_ports = rule.get("to-ports")
    port = ":{0}".format(to_ports) if to_ports and to_ports != rule.get("dst-port") else ""
    if rule.action == "redirect":
        return "the router itself" + (" (port {0})".format(to_ports) if to_ports else "")
    to = rule.get("to-addresses")
    return "{0}{1}".format(to, port) if to else "its own address{0}".format(port)


def _name(rule: Rule) -> str:
    identifier = rule.get(".id") or "#{0}".format(rule.position)
    comment = rule.get("comment")
    return "foreign rule {0}".format(identifier) + (' "{0}"'.format(comment) if comment else "")


def _shadowing(forward: _Forward, ours: Rule, other: Rule, packet: Packet) -> Shadowing:
    service = "service '{0}'".format(forward.key.name)
    if other.position < forward.position:
        if other.action in DSTNAT_ACTIONS:
            verb = "redirects" if other.action == "redirect" else "forwards"
            message = "{0} already {1} {2} to {3} before the rule of {4}: it takes its traffic".format(
                _name(other), verb, _traffic(other), _target(other), service
            )
        else:
            message = (
                "{0} ends dstnat for {1} untranslated (action={2}) before the rule of {3}, which never sees its "
                "traffic".format(_name(other), _traffic(other), other.action, service)
            )
        return Shadowing(forward.key.name, forward.key.protocol, other, True, message)
    what = "{0} -> {1}".format(_traffic(other), _target(other)) if other.action in DSTNAT_ACTIONS else other.action
    covered = other.get("protocol") == forward.key.protocol and _within(other.get("dst-port"), forward.spans)
    gets = "traffic" if covered else "its {0}/{1} traffic".format(forward.key.protocol, ours.get("dst-port"))
    message = "the rule of {0} comes before {1} ({2}), which no longer gets {3}".format(
        service, _name(other), what, gets
    )
    return Shadowing(forward.key.name, forward.key.protocol, other, False, message)


def _within(ports: Optional[str], spans: Sequence[Span]) -> bool:
    theirs = port_spans(ports) if ports and not ports.startswith("!") else None
    if not theirs:
        return False
    return all(any(low <= t_low and t_high <= high for low, high in spans) for t_low, t_high in theirs)

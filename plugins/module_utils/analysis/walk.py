# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The packet walk: a chain run as RouterOS runs NAT (first match wins, ``jump``/``return``/
``passthrough`` followed), and a connection's first packet through dstnat, routing and srcnat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import (
    IPv4,
    Net,
    netmap,
    port_span,
    split_negation,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import Packet, Rule, mismatches
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology
from ansible_collections.hairpin.routeros.plugins.module_utils.values import first_address

MAX_JUMP_DEPTH = 16

_TRANSLATING = frozenset(("dst-nat", "src-nat", "masquerade", "redirect", "netmap", "same"))
DSTNAT_ACTIONS = frozenset(("dst-nat", "redirect", "netmap", "same"))
SRCNAT_ACTIONS = frozenset(("src-nat", "masquerade", "netmap", "same"))
# Actions after which the packet goes on to the next rule.
CONTINUING = frozenset(("passthrough", "log", "add-dst-to-address-list", "add-src-to-address-list"))


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


def _translate(rule: Rule, packet: Packet, topology: Topology, chain: str, outcome: Outcome, notes: List[str]) -> None:
    action = rule.action
    to_addresses = rule.get("to-addresses")
    outcome.rule = rule
    outcome.kind = "nat"
    if chain == "dstnat" and action in DSTNAT_ACTIONS:
        outcome.ports = port_span(rule.get("to-ports"), packet.dst_port)
        if action == "redirect":
            outcome.address = topology.address_on(packet.in_interface) or packet.dst
        elif action == "netmap" and to_addresses:
            outcome.address = netmap(packet.dst, split_negation(rule.get("dst-address") or "")[1] or None, to_addresses)
        else:
            outcome.address = first_address(to_addresses) if to_addresses else packet.dst
        outcome.address_text = to_addresses if to_addresses and "-" in to_addresses else str(outcome.address)
    elif chain == "srcnat" and action in SRCNAT_ACTIONS:
        outcome.ports = port_span(rule.get("to-ports"), packet.src_port)
        if action == "masquerade":
            outcome.address = topology.address_on(packet.out_interface, packet.dst)
            outcome.address_text = (
                str(outcome.address) if outcome.address else "the router's address on {0}".format(packet.out_interface)
            )
        elif action == "netmap" and to_addresses:
            outcome.address = netmap(packet.src, split_negation(rule.get("src-address") or "")[1] or None, to_addresses)
            outcome.address_text = str(outcome.address)
        else:
            outcome.address = first_address(to_addresses) if to_addresses else packet.src
            outcome.address_text = to_addresses if to_addresses and "-" in to_addresses else str(outcome.address)
    else:
        # endpoint-independent-nat, or a translation in the other chain: it ends the chain, but
        # the analysis does not know where the packet goes.
        outcome.kind = "unknown"
        notes.append("{0}: action {1} in {2} is not analysed".format(rule.label, action, chain))


def run_chain(rules: Sequence[Rule], chain: str, packet: Packet, topology: Topology, notes: List[str]) -> Outcome:
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
            reasons, unknown = mismatches(rule, packet, topology)
            if unknown:
                note = "{0}: {1}; taken as not matching".format(rule.label, "; ".join(unknown))
                if note not in notes:
                    notes.append(note)
                continue
            if reasons:
                continue
            action = rule.action
            if action in CONTINUING:
                outcome.passed.append(rule)
                continue
            if action == "jump":
                target = rule.get("jump-target") or ""
                outcome.passed.append(rule)
                if depth >= MAX_JUMP_DEPTH:
                    notes.append("{0}: jumps nest deeper than {1}; stopped".format(rule.label, MAX_JUMP_DEPTH))
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
            _translate(rule, packet, topology, chain, outcome, notes)
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


def run_flow(rules: Sequence[Rule], packet: Packet, topology: Topology, notes: List[str]) -> Flow:
    dstnat = run_chain(rules, "dstnat", packet, topology, notes)
    dst, dst_port = packet.dst, packet.dst_port
    if dstnat.kind == "nat" and dstnat.address is not None:
        dst = dstnat.address
        dst_port = dstnat.ports[0] if dstnat.ports else dst_port
    out_interface, network = topology.route(dst)
    if out_interface is None:
        return Flow(packet, dstnat, dst, dst_port, True, None, None, None, packet.src)
    routed = packet.routed(dst=dst, dst_port=dst_port, out_interface=out_interface)
    srcnat = run_chain(rules, "srcnat", routed, topology, notes)
    src = srcnat.address if srcnat.kind == "nat" and srcnat.address is not None else packet.src
    return Flow(packet, dstnat, dst, dst_port, False, out_interface, network, srcnat, src)


def endpoint(flow: Flow) -> str:
    return "{0}:{1}".format(flow.dst, flow.dst_port)


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

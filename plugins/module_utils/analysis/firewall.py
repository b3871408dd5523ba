# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The firewall filter's ``forward`` chain for a connection the NAT walk routed through the router.

A connection works only when the filter passes both its first packet (connection state ``new``,
after dstnat and routing, before srcnat) and the server's replies (``established``). The chain
runs as RouterOS runs it: rules in order, the first ``accept``/``drop``/``reject`` decides,
``fasttrack-connection`` counts as accept (it only speeds up what it accepts), ``jump`` and
``return`` are followed, ``log``, ``passthrough`` and the address-list actions go on to the next
rule, and a chain that runs out accepts (the built-in chains' policy).

Defconf's "drop all from WAN not DSTNATed" (``connection-state=new connection-nat-state=!dstnat
in-interface-list=WAN``) therefore passes a forwarded connection: dstnat has translated it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import (
    TABLE_FILTER,
    Packet,
    Rule,
    mismatches,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.walk import (
    CONTINUING,
    MAX_JUMP_DEPTH,
    Flow,
)

FORWARD = "forward"
PASSING = frozenset(("accept", "fasttrack-connection"))
DROPPING = frozenset(("drop", "reject", "tarpit"))
_FILTER_CONTINUING = CONTINUING | frozenset(("add-dst-to-address-list", "add-src-to-address-list"))


def filter_rules(facts: Facts) -> Optional[List[Rule]]:
    """The filter's rules, or None when the facts do not hold the filter."""
    if facts.firewall_filter is None:
        return None
    return [Rule.from_row(position, row, table=TABLE_FILTER) for position, row in enumerate(facts.firewall_filter)]


def run_filter(
    rules: Sequence[Rule], chain: str, packet: Packet, topology: Topology, notes: List[str]
) -> Tuple[bool, Optional[Rule]]:
    """(passes, the rule that decided; None when the chain ran out) for ``packet`` in ``chain``."""
    by_chain: Dict[str, List[Rule]] = {}
    for rule in rules:
        by_chain.setdefault(rule.chain, []).append(rule)

    def note(text: str) -> None:
        if text not in notes:
            notes.append(text)

    def walk(name: str, depth: int) -> Optional[Tuple[bool, Optional[Rule]]]:
        for rule in by_chain.get(name, []):
            if not rule.active:
                continue
            reasons, unknown = mismatches(rule, packet, topology)
            if unknown:
                note("{0}: {1}; taken as not matching".format(rule.label, "; ".join(unknown)))
                continue
            if reasons:
                continue
            action = rule.action
            if action in _FILTER_CONTINUING:
                continue
            if action == "jump":
                if depth >= MAX_JUMP_DEPTH:
                    note("{0}: jumps nest deeper than {1}; taken as passing".format(rule.label, MAX_JUMP_DEPTH))
                    return True, rule
                decided = walk(rule.get("jump-target") or "", depth + 1)
                if decided is not None:
                    return decided
                continue
            if action == "return":
                if depth > 0:
                    return None
                return True, rule
            if action in PASSING:
                return True, rule
            if action in DROPPING:
                return False, rule
            note("{0}: action {1} is not analysed; taken as going on".format(rule.label, action))
        return None

    return walk(chain, 0) or (True, None)


@dataclass(frozen=True)
class FilterVerdict:
    """Whether the forward chain passes a connection; ``rule`` decided it (None: no rule did,
    the chain's end accepts); ``packet`` is ``request`` (the first packet) or ``reply``."""

    passes: bool
    rule: Optional[Rule]
    packet: str

    def as_dict(self) -> Dict[str, Any]:
        return dict(passes=self.passes, packet=self.packet, rule=self.rule.ref() if self.rule is not None else None)

    def reason(self) -> str:
        if self.rule is None:
            return "the forward chain passes it"
        what = "the connection's first packet" if self.packet == "request" else "the server's replies"
        verb = {"drop": "drops", "reject": "rejects", "tarpit": "tarpits"}.get(self.rule.action, self.rule.action)
        return "{0} {1} {2} in the forward chain".format(self.rule.label, verb, what)

    def summary(self) -> str:
        return "blocked by {0}".format(self.rule.label if self.rule is not None else "the filter")


def forward_verdict(rules: Sequence[Rule], flow: Flow, topology: Topology, notes: List[str]) -> FilterVerdict:
    """The forward chain for ``flow``'s connection: its first packet, then the server's replies."""
    packet = flow.packet
    nat_state = {"dstnat"} if flow.dstnat.kind == "nat" else set()
    request = Packet(
        packet.protocol,
        packet.src,
        flow.dst,
        flow.dst_port,
        packet.in_interface,
        flow.out_interface,
        packet.src_port,
        state="new",
        nat_state=frozenset(nat_state),
    )
    passes, rule = run_filter(rules, FORWARD, request, topology, notes)
    if not passes:
        return FilterVerdict(False, rule, "request")
    if flow.srcnat is not None and flow.srcnat.kind == "nat":
        nat_state.add("srcnat")
    # In forward, a reply still has the server's own address and is already sent back to the
    # client's own address: srcnat is undone before forward, dstnat after it.
    reply = Packet(
        packet.protocol,
        flow.dst,
        packet.src,
        packet.src_port,
        flow.out_interface,
        packet.in_interface,
        flow.dst_port,
        state="established",
        nat_state=frozenset(nat_state),
    )
    reply_passes, reply_rule = run_filter(rules, FORWARD, reply, topology, notes)
    if not reply_passes:
        return FilterVerdict(False, reply_rule, "reply")
    return FilterVerdict(True, rule, "request")

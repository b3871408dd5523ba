# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Owned firewall filter accepts for published services (``hairpin:filter:<service>:<protocol>``).

Pure: no I/O. A router whose forward chain drops new connections from the WAN drops a port
forward's connections too, unless an accept for them comes first. Such an accept is derived
from the forward itself (:class:`FilterAccept`: its protocol, the port on the host after dstnat,
the host, the WAN it comes in on, and any source limit the forward carries), and placed just
before the first filter rule that would drop the connection. Whether a rule would drop it is
the analyzer's verdict (``analysis.verdicts.internet_verdict``), asked of the filter without
the owned accepts: there is one reading of the filter, the analyzer's.

The rules are planned by the same planner as NAT rules (``plan.plan_changes`` with
``menus.FILTER_TABLE``): ownership marker, fingerprint, drift, placement, removal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import AnalyzeError, split_negation
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.findings import Findings
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.firewall import DROPPING, FORWARD
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.published import services_of
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import TABLE_FILTER, Rule
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import resolve
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.verdicts import internet_verdict
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import FILTER_TABLE
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_FILTER,
    POSITION_BEFORE,
    TOP,
    Anchor,
    NatRule,
    PortForward,
    RuleKey,
    make_rule,
    parse_marker,
    protocols_of,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.operations import is_dynamic, row_id
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

FILTER_AUTO = "auto"
FILTER_ALWAYS = "true"
FILTER_NEVER = "false"
FILTER_MODES = (FILTER_AUTO, FILTER_ALWAYS, FILTER_NEVER)
SCOPE = frozenset((KIND_FILTER,))


def filter_mode(value: Any) -> Optional[str]:
    """The filter setting as "auto", "true" or "false"; None when it is none of them."""
    if isinstance(value, str) and value.strip().lower() == FILTER_AUTO:
        return FILTER_AUTO
    if isinstance(value, bool):
        return FILTER_ALWAYS if value else FILTER_NEVER
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        return FILTER_ALWAYS if value.strip().lower() in ("true", "yes", "on", "1") else FILTER_NEVER
    return None


@dataclass(frozen=True)
class FilterJob:
    """What a call wants of the owned filter accepts: ``mode`` (auto, true, false), and what the
    analysis is told besides what it reads (``facts``: the WAN, the LAN, the public address)."""

    mode: str = FILTER_AUTO
    facts: Mapping[str, Any] = None  # type: ignore[assignment]


@dataclass(frozen=True)
class FilterAccept:
    """The accept in chain forward for one port forward's connections, after dstnat: its matchers
    are the forward's own (protocol, the port on the host, the host, the forward's in-interface
    or list, and any ``src_address``/``src_address_list`` the forward carries)."""

    forward: PortForward
    anchor: Anchor = TOP
    protocol: Optional[str] = None  # one of the forward's protocols; None: all of them

    @property
    def name(self) -> str:
        return self.forward.name

    def rules(self) -> List[NatRule]:
        forward = self.forward
        out = []
        protocols = protocols_of(forward.protocol) if self.protocol is None else (self.protocol,)
        for protocol in protocols:
            values: Dict[str, object] = {
                "chain": FORWARD,
                "action": "accept",
                "connection-nat-state": "dstnat",
                "protocol": protocol,
                "src-address": forward.src_address,
                "src-address-list": forward.src_address_list,
                "dst-address": forward.host,
                "dst-port": forward.target_port,
                # The forward's own: the WAN when it names it; a hairpinned forward matches LAN
                # clients too (no in-interface), and so does its accept, or hairpin NAT would
                # be dropped where the internet gets through.
                "in-interface": forward.in_interface,
                "in-interface-list": forward.in_interface_list,
                "disabled": forward.disabled,
            }
            key = RuleKey(KIND_FILTER, forward.name, protocol)
            out.append(make_rule(key, values, self.anchor, forward.comment, forward.protocol, FILTER_TABLE.fields))
        return out


def owned_accept(row: Mapping[str, Any]) -> bool:
    """Is ``row`` (a filter row as printed) one of the owned accepts?"""
    key = parse_marker(row.get("comment"))
    return key is not None and key.kind == KIND_FILTER and not is_dynamic(row)


@dataclass(frozen=True)
class Drop:
    """A filter rule that would drop a service's connections from the WAN: the row (as read) and
    where an accept for it goes (``anchor``: before that row, or before the jump to its chain)."""

    row: Mapping[str, Any]
    anchor: Anchor


def _anchor_for(rule_ref: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> Anchor:
    """Before the dropping rule when it is in chain forward; a drop in a chain forward jumps to
    is reached through the first active jump to that chain, so the accept goes before that."""
    position = rule_ref.get("position")
    row = rows[position] if isinstance(position, int) and 0 <= position < len(rows) else None
    # A dynamic row is RouterOS's own and no placement anchor: the top of the chain is before it.
    if row is None or is_dynamic(row):
        return TOP
    if rule_ref.get("chain") == FORWARD:
        return Anchor(POSITION_BEFORE, row=row_id(row))
    target = rule_ref.get("chain")
    for candidate in rows:
        if (
            str(candidate.get("chain")) == FORWARD
            and str(candidate.get("action")) == "jump"
            and str(candidate.get("jump-target")) == target
            and not is_true(candidate.get("disabled"))
            and not is_dynamic(candidate)
        ):
            return Anchor(POSITION_BEFORE, row=row_id(candidate))
    return TOP


# Chains a forwarded connection never passes: a rule there drops none of a service's.
_NOT_FORWARDED = frozenset(("input", "output"))


def _holds_for(value: Any, state: str) -> bool:
    """Can a connection in ``state`` match a connection-state / connection-nat-state value?"""
    if value is None or str(value) == "":
        return True
    negated, spec = split_negation(str(value))
    return (state in spec.split(",")) != negated


def may_drop_published(row: Mapping[str, Any]) -> bool:
    """Could this filter row drop a service's connection from the WAN: its new, dst-natted
    first packet, or the server's replies (established, dst-natted)?

    Only what no packet of such a connection can match is ruled out (a disabled row, the input
    and output chains, a row that is not a drop, one for other connection or NAT states, as
    defconf's ``connection-state=new connection-nat-state=!dstnat`` drop), so a filter without
    any such row drops no service and needs no analysis: that is a stock router's, and the
    check costs a pass over the rows instead of a walk per service."""
    if is_true(row.get("disabled")) or str(row.get("chain")) in _NOT_FORWARDED:
        return False
    if str(row.get("action")) not in DROPPING:
        return False
    states = row.get("connection-state")
    return (_holds_for(states, "new") or _holds_for(states, "established")) and _holds_for(
        row.get("connection-nat-state"), "dstnat"
    )


def drops(
    nat_rows: Sequence[Mapping[str, Any]], filter_rows: Sequence[Mapping[str, Any]], facts: Facts
) -> Dict[Tuple[str, str], Drop]:
    """(service, protocol) -> the filter rule that would drop the owned forward's connections
    from the internet, for every owned forward of ``nat_rows`` (the planned NAT table) the
    analyzer finds dropped by ``filter_rows`` (the filter without the owned accepts). Raises
    AnalyzeError when the analysis lacks a fact it needs."""
    foreign = [dict(row) for row in filter_rows if not owned_accept(row)]
    if not any(may_drop_published(row) for row in foreign):
        return {}
    topology = resolve(facts)
    rules = [Rule.from_row(position, row) for position, row in enumerate(nat_rows)]
    topology.filter = [Rule.from_row(position, row, table=TABLE_FILTER) for position, row in enumerate(foreign)]
    found: Dict[Tuple[str, str], Drop] = {}
    notes: List[str] = []
    for service in services_of(rules):
        if not service.owned or service.host_address is None:
            continue
        verdict = internet_verdict(service, topology, rules, Findings(), notes)
        decision = verdict.filter
        if decision is None or decision.get("passes") or decision.get("rule") is None:
            continue
        ref = decision["rule"]
        position = ref.get("position")
        if not isinstance(position, int) or not 0 <= position < len(foreign):
            continue
        found.setdefault((service.name, service.protocol), Drop(foreign[position], _anchor_for(ref, foreign)))
    return found


def accepts_wanted(
    job: FilterJob,
    forwards: Sequence[PortForward],
    nat_rows: Sequence[Mapping[str, Any]],
    filter_rows: Sequence[Mapping[str, Any]],
    facts: Facts,
) -> List[FilterAccept]:
    """The owned accepts ``job`` wants on a router with ``nat_rows`` (planned) and ``filter_rows``
    (as read): per protocol of each forward, for ``auto`` only where a rule would drop it, for
    ``true`` always (before that rule, else at the top of chain forward), for ``false`` none.
    Raises AnalyzeError when ``auto`` cannot tell."""
    if job.mode == FILTER_NEVER or not forwards:
        return []
    try:
        found = drops(nat_rows, filter_rows, facts)
    except AnalyzeError:
        if job.mode == FILTER_AUTO:
            raise
        found = {}
    out = []
    for forward in forwards:
        for protocol in protocols_of(forward.protocol):
            drop = found.get((forward.name, protocol))
            if drop is None and job.mode == FILTER_AUTO:
                continue
            anchor = drop.anchor if drop is not None else TOP
            out.append(FilterAccept(forward, anchor, protocol))
    return out


def analysis_facts_of(view: Any, extra: Optional[Mapping[str, Any]]) -> Facts:
    """The analysis's Facts of a router view (the one read), with what the call tells it."""
    from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.readers import facts_from_view

    facts = facts_from_view(view)
    if extra:
        facts.update(dict(extra))
    return facts

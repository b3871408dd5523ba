# -*- coding: utf-8 -*-
# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The data inside here is private to this collection. If you use this from outside the collection,
# you are on your own. There can be random changes to its format even in bugfix releases!

"""The planner: desired owned rules + the current NAT table -> ordered operations.

Pure: no I/O. RouterOS NAT is first-match *within a chain*: the order of rules of different
chains (dstnat, srcnat, custom chains) means nothing, so every placement decision below looks
only at the rows of the rule's own chain. Where each rule goes in its chain is the job of
``placement`` (its vocabulary: owned, fixed, walls, gaps); what a plan is made of and how it
plays on a table is ``operations``.

Operation order (every op references only ids that exist before the batch, so a caller can
pipeline all writes): removes, sets/unsets, moves (per chain, from the end of the chain's target
order backwards, each to just before the next pre-existing row of the chain's target), then adds
in target order with ``place-before`` the next pre-existing row of the chain's target. A rule
with no such row goes right after the chain's last row that stays (before the next row of the
table that stays, of any chain; none: append); in a chain that has no row yet, ``top`` rules go
before the first row of the table that stays and the others are appended.
"""

from __future__ import annotations

from typing import Collection, Dict, List, Optional, Sequence, Set, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KINDS,
    NAT_FIELDS,
    NatRule,
    RuleKey,
    effective_value,
    parse_marker,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.operations import (
    ACTION_ADD,
    ACTION_MOVE,
    ACTION_REMOVE,
    ACTION_SET,
    ACTION_UNSET,
    STATE_DELETED,
    STATE_MERGED,
    STATE_OVERRIDDEN,
    STATE_REPLACED,
    WRITE_STATES,
    AnchorError,
    Operation,
    Plan,
    PlanError,
    Row,
    apply_plan,
    is_dynamic,
    row_id,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.placement import classify, placement

# The plan's vocabulary lives in ``operations``; callers of the planner find it here too.
__all__ = [
    "ACTION_ADD",
    "ACTION_MOVE",
    "ACTION_REMOVE",
    "ACTION_SET",
    "ACTION_UNSET",
    "STATE_DELETED",
    "STATE_MERGED",
    "STATE_OVERRIDDEN",
    "STATE_REPLACED",
    "WRITE_STATES",
    "AnchorError",
    "Operation",
    "Plan",
    "PlanError",
    "Row",
    "apply_plan",
    "field_changes",
    "is_dynamic",
    "plan_changes",
    "row_id",
]


def field_changes(rule: NatRule, row: Row) -> Tuple[Dict[str, str], List[str]]:
    """(values to set, properties to unset) turning ``row`` into ``rule``, over NAT_FIELDS."""
    to_set: Dict[str, str] = {}
    to_unset: List[str] = []
    for name, info in NAT_FIELDS.items():
        want = rule.fields.get(name, info.default)
        raw = row.get(name)
        # A row holds a few of the fields: the absent ones mean the default, without a call.
        have = info.default if raw is None else effective_value(name, raw)
        if want == have:
            continue
        if want is None:
            if info.can_unset:
                to_unset.append(name)
            else:  # pragma: no cover - every non-unsettable field has a default or is always set
                continue
        else:
            to_set[name] = want
    return to_set, to_unset


def _services_of(desired: Sequence[NatRule], services: Optional[Collection[str]]) -> Set[str]:
    if services is not None:
        return set(services)
    return {rule.key.name for rule in desired}


def plan_changes(
    desired: Sequence[NatRule],
    current: Sequence[Row],
    *,
    state: str,
    scope_kinds: Collection[str],
    services: Optional[Collection[str]] = None,
) -> Plan:
    """Plan the writes that bring ``current`` (rows as librouteros returns them) to ``desired``.

    ``scope_kinds``: the marker kinds this module manages; rows of other kinds are left alone.
    ``services``: names the config mentions (replaced/deleted act on these); default: the names
    of ``desired``. States: merged, replaced, overridden, deleted (see docs/engine-design.md).
    """
    if state not in WRITE_STATES:
        raise PlanError("state must be one of {0}, not {1!r}".format(", ".join(WRITE_STATES), state))
    scope = frozenset(scope_kinds)
    unknown = scope - set(KINDS)
    if unknown:
        raise PlanError("unknown rule kinds in scope: {0}".format(", ".join(sorted(unknown))))
    seen: Set[RuleKey] = set()
    for rule in desired:
        if rule.key.kind not in scope:
            raise PlanError(
                "rule {0!r} is of kind {1!r}, outside this module's scope".format(rule.comment, rule.key.kind)
            )
        if rule.key in seen:
            raise PlanError("two desired rules share the key {0}".format(":".join(p for p in rule.key if p)))
        seen.add(rule.key)

    table = classify(current, scope)
    names = _services_of(desired, services)
    removes: List[int] = list(table.duplicates)
    operations: List[Operation] = []

    if state == STATE_DELETED:
        for key, row in table.owned.items():
            if not names or key.name in names:
                removes.append(row)
        desired = ()
    keep_untouched: List[int] = []
    if state != STATE_DELETED:
        for key, row in table.owned.items():
            if key in seen:
                continue
            if state == STATE_OVERRIDDEN or (state == STATE_REPLACED and key.name in names):
                removes.append(row)
            else:
                keep_untouched.append(row)

    for row in sorted(removes):
        operations.append(
            Operation(ACTION_REMOVE, parse_marker(table.rows[row].get("comment")), row_id(table.rows[row]))
        )

    matched = {rule.key: table.owned[rule.key] for rule in desired if rule.key in table.owned}
    for rule in sorted((rule for rule in desired if rule.key in matched), key=lambda r: matched[r.key]):
        row = matched[rule.key]
        to_set, to_unset = field_changes(rule, table.rows[row])
        if to_set:
            operations.append(Operation(ACTION_SET, rule.key, row_id(table.rows[row]), fields=to_set))
        if to_unset:
            operations.append(
                Operation(ACTION_UNSET, rule.key, row_id(table.rows[row]), fields={name: "" for name in to_unset})
            )

    if state != STATE_DELETED:
        moves, adds = placement(table, desired, matched, keep_untouched, set(removes))
        operations.extend(moves)
        operations.extend(adds)

    before = [dict(row) for row in current]
    return Plan(operations=operations, before=before, after=apply_plan(current, operations))

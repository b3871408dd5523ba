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

from typing import Collection, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.adopt import Adoptions, find_adoptions
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import NAT_TABLE, OrderedMenu
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KINDS,
    NAT_FIELDS,
    FieldInfo,
    NatRule,
    RuleKey,
    comment_fingerprint,
    effective_value,
    fingerprint_fields_part,
    implied_to_ports,
    parse_marker,
    row_fields_digest,
    without_fingerprint,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.operations import (
    ACTION_ADD,
    ACTION_MOVE,
    ACTION_REMOVE,
    ACTION_SET,
    ACTION_UNSET,
    DRIFT_DUPLICATE,
    DRIFT_FIELDS,
    DRIFT_MISSING,
    DRIFT_POSITION,
    STATE_DELETED,
    STATE_MERGED,
    STATE_OVERRIDDEN,
    STATE_REPLACED,
    WRITE_STATES,
    AnchorError,
    Drift,
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
    "Drift",
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


def field_changes(
    rule: NatRule, row: Row, table: Optional[Mapping[str, FieldInfo]] = None
) -> Tuple[Dict[str, str], List[str]]:
    """(values to set, properties to unset) turning ``row`` into ``rule``, over the fields of
    ``table`` (the rule's menu's; default NAT_FIELDS).

    The comment's fingerprint alone is never a change (a rule written without one, or one whose
    fields were put back by hand, is not rewritten for it); any other change writes the whole
    comment, so the fingerprint always describes what was last written."""
    to_set: Dict[str, str] = {}
    to_unset: List[str] = []
    for name, info in (NAT_FIELDS if table is None else table).items():
        if name == "comment":
            continue
        want = rule.fields.get(name, info.default)
        raw = row.get(name)
        # A row holds a few of the fields: the absent ones mean the default, without a call.
        have = info.default if raw is None else effective_value(name, raw)
        if want == have:
            continue
        if name == "to-ports" and have is None and want == _kept_port(rule):
            # A hand-made forward without to-ports keeps the port: once its dst-port is the
            # rule's (set with the other fields when not), the same rule, left as it is.
            continue
        if want is None:
            if info.can_unset:
                to_unset.append(name)
            else:  # pragma: no cover - every non-unsettable field has a default or is always set
                continue
        else:
            to_set[name] = want
    want_comment = rule.fields.get("comment")
    have_comment = effective_value("comment", row.get("comment"))
    other_edits = bool(to_set or to_unset)
    if (
        want_comment is not None
        and want_comment != have_comment
        and (other_edits or without_fingerprint(want_comment) != without_fingerprint(have_comment))
    ):
        to_set["comment"] = want_comment
    return to_set, to_unset


def _kept_port(rule: NatRule) -> Optional[str]:
    return implied_to_ports(rule.fields.get("action"), rule.fields.get("dst-port"), None)


def _field_drift(
    rule: NatRule, row: Row, to_set: Mapping[str, str], to_unset: Sequence[str], table: Mapping[str, FieldInfo]
) -> Optional[Drift]:
    """The drift a set/unset repairs: the row's fields are not what its fingerprint says we
    wrote. None for an inventory change (the fingerprint matches the row) or a row written
    without a fingerprint."""
    written = comment_fingerprint(row.get("comment"))
    if written is None or row_fields_digest(row, table) == fingerprint_fields_part(written):
        return None
    changes = []
    for name, info in table.items():
        if name == "comment" or (name not in to_set and name not in to_unset):
            continue
        raw = row.get(name)
        have = info.default if raw is None else effective_value(name, raw)
        changes.append((name, have, rule.fields.get(name, info.default)))
    return Drift(rule.key, DRIFT_FIELDS, row_id(row), tuple(changes))


def _inventory_unchanged(rule: NatRule, row: Row) -> bool:
    """Does ``row`` carry the fingerprint ``rule`` would write: has the inventory left the rule
    (fields, anchor, its service's protocols) as it was when the row was written?"""
    written = comment_fingerprint(row.get("comment"))
    return written is not None and written == comment_fingerprint(rule.comment)


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
    menu: OrderedMenu = NAT_TABLE,
    adopt: bool = False,
) -> Plan:
    """Plan the writes that bring ``current`` (rows as librouteros returns them) to ``desired``.

    ``scope_kinds``: the marker kinds this module manages; rows of other kinds are left alone.
    ``services``: names the config mentions (replaced/deleted act on these); default: the names
    of ``desired``. States: merged, replaced, overridden, deleted (see docs/engine-design.md).
    ``menu``: the ordered menu ``current`` is (its field table is what a rule is compared on).
    ``adopt``: take over the foreign rows that do exactly what a desired rule does (adopt.py)
    with a ``set`` of the comment; without it they are only reported (``Plan.twins``).
    """
    if state not in WRITE_STATES:
        raise PlanError("state must be one of {0}, not {1!r}".format(", ".join(WRITE_STATES), state))
    scope = frozenset(scope_kinds)
    unknown = scope - set(KINDS)
    if unknown:
        raise PlanError("unknown rule kinds in scope: {0}".format(", ".join(sorted(unknown))))
    elsewhere = scope - menu.kinds
    if elsewhere:
        raise PlanError("unknown rule kinds in scope of the {0}: {1}".format(menu.label, ", ".join(sorted(elsewhere))))
    seen: Set[RuleKey] = set()
    for rule in desired:
        if rule.key.kind not in scope:
            raise PlanError(
                "rule {0!r} is of kind {1!r}, outside this module's scope".format(
                    without_fingerprint(rule.comment), rule.key.kind
                )
            )
        if rule.key in seen:
            raise PlanError("two desired rules share the key {0}".format(":".join(p for p in rule.key if p)))
        seen.add(rule.key)

    # Adoption compares NAT fields; the other ordered menus own only rules no admin writes by hand.
    adoptions = (
        find_adoptions(desired if state != STATE_DELETED else (), current, scope, adopt=adopt)
        if menu is NAT_TABLE
        else Adoptions()
    )
    table = classify(current, scope, adoptions.rows)
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

    drift: List[Drift] = []
    duplicates = set(table.duplicates)
    for row in sorted(removes):
        key = parse_marker(table.rows[row].get("comment"))
        operations.append(Operation(ACTION_REMOVE, key, row_id(table.rows[row])))
        if row in duplicates and key is not None:
            original = row_id(table.rows[table.owned[key]])
            drift.append(Drift(key, DRIFT_DUPLICATE, row_id(table.rows[row]), original=original))

    matched = {rule.key: table.owned[rule.key] for rule in desired if rule.key in table.owned}
    for rule in sorted((rule for rule in desired if rule.key in matched), key=lambda r: matched[r.key]):
        row = matched[rule.key]
        to_set, to_unset = field_changes(rule, table.rows[row], menu.fields)
        if to_set:
            operations.append(Operation(ACTION_SET, rule.key, row_id(table.rows[row]), fields=to_set))
        if to_unset:
            operations.append(
                Operation(ACTION_UNSET, rule.key, row_id(table.rows[row]), fields={name: "" for name in to_unset})
            )
        if to_set or to_unset:
            edited = _field_drift(rule, table.rows[row], to_set, to_unset, menu.fields)
            if edited is not None:
                drift.append(edited)

    if state != STATE_DELETED:
        moves, adds = placement(table, desired, matched, keep_untouched, set(removes))
        operations.extend(moves)
        operations.extend(adds)
        drift.extend(_placement_drift(desired, table.rows, matched, moves, adds))

    before = [dict(row) for row in current]
    return Plan(
        operations=operations,
        before=before,
        after=apply_plan(current, operations),
        drift=drift,
        adopted=adoptions.adopted,
        twins=adoptions.twins,
    )


def _placement_drift(
    desired: Sequence[NatRule],
    rows: Sequence[Row],
    matched: Mapping[RuleKey, int],
    moves: Sequence[Operation],
    adds: Sequence[Operation],
) -> List[Drift]:
    """Moves and adds that repair the router rather than follow the inventory.

    A move is drift when the inventory changed no rule of its service since it was written
    (fingerprint == desired: neither fields, anchor nor protocols); an add when the inventory
    changed none of the present rules of its service and kind."""
    by_key = {rule.key: rule for rule in desired}
    unchanged: Dict[Tuple[str, str], List[bool]] = {}
    for rule in desired:
        row = matched.get(rule.key)
        if row is not None:
            unchanged.setdefault((rule.key.kind, rule.key.name), []).append(_inventory_unchanged(rule, rows[row]))
    service_unchanged = {}
    for (_kind, name), flags in unchanged.items():
        service_unchanged[name] = service_unchanged.get(name, True) and all(flags)
    out: List[Drift] = []
    for op in moves:
        key = op.key
        if key is not None and key in by_key and service_unchanged.get(key.name, False):
            out.append(Drift(key, DRIFT_POSITION, op.id))
    for op in adds:
        key = op.key
        if key is None:
            continue
        siblings = unchanged.get((key.kind, key.name), [])
        if siblings and all(siblings):
            out.append(Drift(key, DRIFT_MISSING))
    return out

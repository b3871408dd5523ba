# -*- coding: utf-8 -*-
# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The data inside here is private to this collection. If you use this from outside the collection,
# you are on your own. There can be random changes to its format even in bugfix releases!

"""The planner: desired owned rules + the current NAT table -> ordered operations.

Pure: no I/O. Vocabulary used below:

* *owned* row: not dynamic, its comment parses as our marker, and its kind is in ``scope_kinds``.
  Only owned rows are ever set, moved or removed.
* *fixed* row: every other non-dynamic row (foreign rules, rules of kinds another module owns).
  Fixed rows never move; they cut the table into *gaps*: gap ``g`` is the stretch after the
  ``g``-th fixed row (gap 0 = before the first fixed row, gap ``len(fixed)`` = the end).
* dynamic rows are RouterOS' own; they are ignored for placement and never referenced.

Operation order (every op references only ids that exist before the batch, so a caller can
pipeline all writes): removes, sets/unsets, moves (processed from the end of the target order
backwards, each to just before the next pre-existing element of the target order), then adds in
target order with ``place-before`` the next pre-existing element (none: append).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Collection, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KINDS,
    NAT_FIELDS,
    POSITION_AFTER,
    POSITION_BEFORE,
    POSITION_BOTTOM,
    NatRule,
    RuleKey,
    effective_value,
    is_true,
    normalize_value,
    parse_marker,
)

STATE_MERGED = "merged"
STATE_REPLACED = "replaced"
STATE_OVERRIDDEN = "overridden"
STATE_DELETED = "deleted"
STATES = (STATE_MERGED, STATE_REPLACED, STATE_OVERRIDDEN, STATE_DELETED)

ACTION_ADD = "add"
ACTION_SET = "set"
ACTION_UNSET = "unset"
ACTION_MOVE = "move"
ACTION_REMOVE = "remove"

Row = Mapping[str, object]


class PlanError(ValueError):
    """The desired rules cannot be planned (bad anchor, duplicate desired key, bad state)."""


class AnchorError(PlanError):
    """A ``before``/``after`` anchor matches no foreign rule, or more than one."""


@dataclass(frozen=True)
class Operation:
    """One write.

    * ``add``: ``fields`` is the full body; ``destination`` is the ``place-before`` id (None: append).
    * ``set``: ``fields`` holds the new values.
    * ``unset``: ``fields`` keys are the properties to unset (values are ``""``).
    * ``move``: ``destination`` is the id to move before (None: to the end).
    * ``remove``: only ``id``.

    Values are normalised strings (booleans ``"true"``/``"false"``).
    """

    action: str
    key: Optional[RuleKey]
    id: Optional[str] = None
    fields: Mapping[str, str] = field(default_factory=dict)
    destination: Optional[str] = None

    def as_dict(self) -> Dict[str, object]:
        """Plain data for module results (``key`` as a list)."""
        return {
            "action": self.action,
            "key": list(self.key) if self.key is not None else None,
            "id": self.id,
            "fields": dict(self.fields),
            "destination": self.destination,
        }


@dataclass
class Plan:
    """The ordered operations, the table before, and the table after (pure simulation)."""

    operations: List[Operation]
    before: List[Dict[str, object]]
    after: List[Dict[str, object]]

    @property
    def changed(self) -> bool:
        return bool(self.operations)


def row_id(row: Row) -> str:
    return str(row.get(".id"))


def is_dynamic(row: Row) -> bool:
    value = row.get("dynamic")
    if value is None or value is False:  # the common cases first: this runs once per row
        return False
    return value is True or is_true(value)


_BOOL_WORDS = {"yes": "\x00true", "true": "\x00true", "no": "\x00false", "false": "\x00false"}


def _comment_match_key(value: object) -> str:
    # librouteros turns a comment "yes"/"true" into True and "no"/"false" into False; compare
    # anchors in a form where both spellings meet.
    text = value.strip() if isinstance(value, str) else normalize_value("comment", value)
    if len(text) <= 5:
        return _BOOL_WORDS.get(text.lower(), text)
    return text


def field_changes(rule: NatRule, row: Row) -> Tuple[Dict[str, str], List[str]]:
    """(values to set, properties to unset) turning ``row`` into ``rule``, over NAT_FIELDS."""
    to_set: Dict[str, str] = {}
    to_unset: List[str] = []
    for name, info in NAT_FIELDS.items():
        want = rule.fields.get(name, info.default)
        have = effective_value(name, row.get(name))
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


def _smallest_longest_increasing(values: Sequence[int]) -> Set[int]:
    """Indices of the longest strictly increasing subsequence of ``values`` (distinct ints)
    whose set of values is lexicographically smallest, in O(n log n).

    The tie-break is what makes plans crash-safe: rows a partial run already moved join the
    chain, and among chains of the new maximal length the smallest one is still the old chain
    plus those rows, so a resumed plan aims at the same table.
    """
    count = len(values)
    # length[i]: longest increasing run starting at i (patience sorting from the right).
    length = [0] * count
    tails: List[int] = []
    for index in range(count - 1, -1, -1):
        negated = -values[index]
        position = bisect.bisect_left(tails, negated)
        if position == len(tails):
            tails.append(negated)
        else:
            tails[position] = negated
        length[index] = position + 1
    # Same-length indices have strictly decreasing values left to right (else one would extend
    # the other), so at each level the smallest usable value is the last usable index.
    levels: Dict[int, List[int]] = {}
    for index in range(count):
        levels.setdefault(length[index], []).append(index)
    keep: Set[int] = set()
    last_index, last_value = -1, None
    for need in range(len(tails), 0, -1):
        chosen = None
        for index in levels[need]:
            if index <= last_index:
                continue
            if last_value is not None and values[index] <= last_value:
                break
            chosen = index
        if chosen is None:  # pragma: no cover - a run of length ``need`` always continues
            break
        keep.add(chosen)
        last_index, last_value = chosen, values[chosen]
    return keep


@dataclass
class _Table:
    """The current table, classified once (one pass, no quadratic work)."""

    rows: List[Row]
    fixed: List[int]  # row indices of fixed rows, in table order
    gap_of: Dict[int, int]  # owned row index -> its current gap
    owned: Dict[RuleKey, int]  # first owned row per key
    duplicates: List[int]  # later owned rows of an already seen key
    comments: Dict[str, List[int]]  # comment match key -> positions in ``fixed``


def _classify(current: Sequence[Row], scope: Collection[str]) -> _Table:
    fixed: List[int] = []
    gap_of: Dict[int, int] = {}
    owned: Dict[RuleKey, int] = {}
    duplicates: List[int] = []
    comments: Dict[str, List[int]] = {}
    for index, row in enumerate(current):
        if is_dynamic(row):
            continue
        comment = row.get("comment")
        key = parse_marker(comment) if isinstance(comment, str) else None
        if key is not None and key.kind in scope:
            gap_of[index] = len(fixed)
            if key in owned:
                duplicates.append(index)
            else:
                owned[key] = index
            continue
        if comment is not None:
            comments.setdefault(_comment_match_key(comment), []).append(len(fixed))
        fixed.append(index)
    return _Table(list(current), fixed, gap_of, owned, duplicates, comments)


def _target_gap(rule: NatRule, table: _Table) -> int:
    anchor = rule.anchor
    if anchor.position in (POSITION_BEFORE, POSITION_AFTER):
        matches = table.comments.get(_comment_match_key(anchor.comment), [])
        if len(matches) != 1:
            found = ", ".join(row_id(table.rows[table.fixed[m]]) for m in matches)
            detail = "no foreign rule" if not matches else "{0} foreign rules ({1})".format(len(matches), found)
            raise AnchorError(
                "rule {0!r}: anchor {1} matches {2}; the anchor must match the comment of exactly one "
                "rule this module does not manage".format(rule.comment, anchor.describe(), detail)
            )
        return matches[0] + (1 if anchor.position == POSITION_AFTER else 0)
    if anchor.position == POSITION_BOTTOM:
        return len(table.fixed)
    return 0


def _services_of(desired: Sequence[NatRule], services: Optional[Collection[str]]) -> Set[str]:
    if services is not None:
        return set(services)
    return {rule.key.name for rule in desired}


def _placement(
    table: _Table, desired: Sequence[NatRule], matched: Mapping[RuleKey, int], untouched: Sequence[int]
) -> Tuple[List[Operation], List[Operation]]:
    """Moves and adds that put every desired rule at its anchor with the fewest moves.

    Per gap: untouched owned rows (merged/replaced) never move, like foreign rows. Of the desired
    rows already in the gap, the longest run that is in config order stays (the smallest such
    run when there are several, see :func:`_smallest_longest_increasing`). Every other desired
    rule of the gap goes right after the staying rule that precedes it in config order, or right
    before the first staying rule; with no staying rule, at the end of the gap.
    """
    gap_count = len(table.fixed) + 1
    desired_in_gap: List[List[int]] = [[] for _ in range(gap_count)]
    for position, rule in enumerate(desired):
        desired_in_gap[_target_gap(rule, table)].append(position)

    # Untouched owned rows are walls: like foreign rows, this plan never moves them.
    walls: Dict[int, List[int]] = {}
    for row in sorted(untouched):
        walls.setdefault(table.gap_of[row], []).append(row)

    target: List[Tuple[str, int]] = []  # ("row", row index) or ("new", desired position)
    moving: List[int] = []
    for gap in range(gap_count):
        positions = desired_in_gap[gap]
        if not positions:
            # Nothing is placed here: walls (untouched rows) and the fixed row stay as they are.
            target.extend(("row", row) for row in walls.get(gap, ()))
            if gap < len(table.fixed):
                target.append(("row", table.fixed[gap]))
            continue
        in_gap = sorted(
            (row, position)
            for position in positions
            for row in (matched.get(desired[position].key),)
            if row is not None and table.gap_of[row] == gap
        )
        chain = _smallest_longest_increasing([position for _row, position in in_gap])
        staying = {in_gap[index][1]: in_gap[index][0] for index in chain}
        staying_positions = sorted(staying)

        # Each placed rule hangs after the previous staying rule in config order (None: before
        # the first staying rule, or at the end of the gap when nothing stays).
        hang: Dict[Optional[int], List[int]] = {}
        for position in positions:
            if position in staying:
                continue
            before = bisect.bisect_left(staying_positions, position)
            hang.setdefault(staying_positions[before - 1] if before else None, []).append(position)
            row = matched.get(desired[position].key)
            if row is not None:
                moving.append(row)

        def place(positions_to_place: Sequence[int]) -> None:
            for position in positions_to_place:
                row = matched.get(desired[position].key)
                target.append(("row", row) if row is not None else ("new", position))

        # Walls and staying rows keep their table order; placed rules go in next to them.
        position_of_row = {row: position for position, row in staying.items()}
        placed_leading = False
        for row in sorted(walls.get(gap, []) + list(position_of_row)):
            position = position_of_row.get(row)
            if position is not None and not placed_leading:
                place(hang.get(None, ()))  # the rules before the first staying one in config order
                placed_leading = True
            target.append(("row", row))
            if position is not None:
                place(hang.get(position, ()))
        if not placed_leading:
            place(hang.get(None, ()))  # nothing stays in this gap: its rules go at its end
        if gap < len(table.fixed):
            target.append(("row", table.fixed[gap]))

    moving_set = set(moving)
    moves: List[Operation] = []
    add_before: Dict[int, Optional[str]] = {}
    next_existing: Optional[str] = None
    for kind, item in reversed(target):
        if kind == "new":
            add_before[item] = next_existing
            continue
        if item in moving_set:
            key = parse_marker(table.rows[item].get("comment"))
            moves.append(Operation(ACTION_MOVE, key, row_id(table.rows[item]), destination=next_existing))
        next_existing = row_id(table.rows[item])
    adds = [
        Operation(ACTION_ADD, desired[item].key, fields=dict(desired[item].fields), destination=add_before[item])
        for kind, item in target
        if kind == "new"
    ]
    return moves, adds


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
    if state not in STATES:
        raise PlanError("state must be one of {0}, not {1!r}".format(", ".join(STATES), state))
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

    table = _classify(current, scope)
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
        moves, adds = _placement(table, desired, matched, keep_untouched)
        operations.extend(moves)
        operations.extend(adds)

    before = [dict(row) for row in current]
    return Plan(operations=operations, before=before, after=apply_plan(current, operations))


def _next_id(rows: Sequence[Row]) -> int:
    highest = 0
    for row in rows:
        text = str(row.get(".id", ""))
        if text.startswith("*"):
            try:
                highest = max(highest, int(text[1:], 16))
            except ValueError:
                continue
    return highest + 1


def apply_plan(current: Sequence[Row], plan: object) -> List[Dict[str, object]]:
    """The table after ``plan`` (a Plan or a sequence of Operations), simulated purely.

    New rows get ids after the highest existing ``*HEX`` id, like RouterOS. Runs in
    O(rows + operations): the table is a doubly linked list while operations apply.
    """
    operations: Sequence[Operation] = plan.operations if isinstance(plan, Plan) else plan  # type: ignore[assignment]
    rows: List[Dict[str, object]] = [dict(row) for row in current]
    head = -1  # sentinel node; nodes are indices into ``rows``
    following: Dict[int, int] = {}
    preceding: Dict[int, int] = {}
    node_of: Dict[object, int] = {}
    last = head
    for index, row in enumerate(rows):
        following[last], preceding[index] = index, last
        last = index
        node_of[row.get(".id")] = index
    following[last], preceding[head] = head, last
    next_id = _next_id(rows)

    def node(identifier: Optional[str]) -> int:
        if identifier not in node_of:
            raise PlanError("operation references {0}, which is not in the table".format(identifier))
        return node_of[identifier]

    def unlink(item: int) -> None:
        before, after = preceding[item], following[item]
        following[before], preceding[after] = after, before

    def link_before(item: int, destination: Optional[str]) -> None:
        after = node(destination) if destination is not None else head
        before = preceding[after]
        following[before], preceding[item] = item, before
        following[item], preceding[after] = after, item

    for op in operations:
        if op.action == ACTION_ADD:
            new_row: Dict[str, object] = {".id": "*{0:X}".format(next_id)}
            next_id += 1
            new_row.update(op.fields)
            rows.append(new_row)
            node_of[new_row[".id"]] = len(rows) - 1
            link_before(len(rows) - 1, op.destination)
        elif op.action == ACTION_REMOVE:
            item = node(op.id)
            unlink(item)
            del node_of[op.id]
        elif op.action == ACTION_SET:
            rows[node(op.id)].update(op.fields)
        elif op.action == ACTION_UNSET:
            target = rows[node(op.id)]
            for name in op.fields:
                target.pop(name, None)
        elif op.action == ACTION_MOVE:
            item = node(op.id)
            if op.destination == op.id:
                continue
            unlink(item)
            link_before(item, op.destination)
        else:
            raise PlanError("unknown operation {0!r}".format(op.action))

    result: List[Dict[str, object]] = []
    item = following[head]
    while item != head:
        result.append(rows[item])
        item = following[item]
    return result

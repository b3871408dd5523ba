# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Placement: where each desired rule goes in its chain, with the fewest moves.

Pure: no I/O. RouterOS NAT is first-match *within a chain*, so every decision here looks only
at the rows of the rule's own chain. Vocabulary:

* *owned* row: not dynamic, its comment parses as our marker, and its kind is in ``scope_kinds``.
  Only owned rows are ever set, moved or removed.
* *fixed* row: every other non-dynamic row (foreign rules, rules of kinds another module owns).
  Fixed rows never move. The fixed rows of a chain cut that chain into *gaps*: gap ``g`` of a
  chain is the stretch after its ``g``-th fixed row (gap 0 = before its first fixed row).
* *wall*: an owned row the plan leaves untouched (merged/replaced). Walls never move either, but
  they constrain nothing: a desired rule may sit on either side of them.
* dynamic rows are RouterOS' own; they are ignored for placement and never referenced.

Placement: a rule wants a gap of its chain (``top``: 0, ``bottom``: the last, ``before X`` /
``after X``: the gap just before / after the fixed row ``X`` of its chain), or, for a rule whose
row exists, the gap that row is in when only fixed rows it can cross without any packet leaving
differently stand between the two (disabled rows; rows no packet of the rule can match: another
protocol, interface, destination port or address; for a plain masquerade, other plain
masquerades), none of them ``X``: moving across them would change nothing. A rule already in its
gap and in order with the module's other rules there does not move (the longest such run stays).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Collection, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    POSITION_AFTER,
    POSITION_BEFORE,
    POSITION_BOTTOM,
    POSITION_TOP,
    NatRule,
    RuleKey,
    effective_value,
    normalize_value,
    parse_marker,
    without_fingerprint,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.operations import (
    ACTION_ADD,
    ACTION_MOVE,
    AnchorError,
    Operation,
    Row,
    is_dynamic,
    row_id,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import address_span, parse_flag, port_spans


def _comment_match_key(value: object) -> str:
    # librouteros turns a comment "yes"/"true" into True and "no"/"false" into False; compare
    # anchors in a form where both spellings meet.
    # An owned rule of another module is named by its marker and description, as the user
    # wrote them: the fingerprint is ours.
    value = without_fingerprint(value)
    text = value.strip() if isinstance(value, str) else normalize_value("comment", value)
    if len(text) <= 5:
        flag = parse_flag(text)
        if flag is not None:
            return "\x00true" if flag else "\x00false"
    return text


# The adoption of foreign rules (adopt.py) tells anchors apart the same way.
comment_match_key = _comment_match_key


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


# Order inside one gap when rules with different anchors share it: rules anchored after the fixed
# row that opens the gap come first (they must follow it immediately), then ``top``, then
# ``bottom`` (in a chain without fixed rows, top and bottom share its one gap), then rules
# anchored before the fixed row that closes the gap (they must precede it immediately). Rules
# with the same anchor keep config order.
_GAP_RANK = {POSITION_AFTER: 0, POSITION_TOP: 1, POSITION_BOTTOM: 2, POSITION_BEFORE: 3}


def row_chain(row: Row) -> str:
    """The chain a row belongs to (``""`` when it has none)."""
    return effective_value("chain", row.get("chain")) or ""


def _rule_chain(rule: NatRule) -> str:
    return rule.fields.get("chain") or ""


@dataclass
class Table:
    """The current table, classified once (one pass, no quadratic work)."""

    rows: List[Row]
    chains: List[Optional[str]]  # chain of each row; None for dynamic rows
    fixed: Dict[str, List[int]]  # chain -> row indices of its fixed rows, in table order
    owned: Dict[RuleKey, int]  # first owned row per key
    duplicates: List[int]  # later owned rows of an already seen key
    comments: Dict[str, List[int]]  # comment match key -> fixed row indices (any chain)

    def gap_of(self, row: int, chain: str) -> int:
        """The gap of ``chain`` that (non-fixed) row ``row`` sits in, by its table position."""
        return bisect.bisect_left(self.fixed.get(chain, []), row)


def classify(current: Sequence[Row], scope: Collection[str], adopted: Optional[Mapping[int, RuleKey]] = None) -> Table:
    """The table as the planner sees it; ``adopted`` (row index -> key) are foreign rows the plan
    takes over (adopt.py): owned from here on, never fixed rows."""
    adopted = adopted or {}
    chains: List[Optional[str]] = []
    fixed: Dict[str, List[int]] = {}
    owned: Dict[RuleKey, int] = {}
    duplicates: List[int] = []
    comments: Dict[str, List[int]] = {}
    for index, row in enumerate(current):
        if is_dynamic(row):
            chains.append(None)
            continue
        chain = row_chain(row)
        chains.append(chain)
        comment = row.get("comment")
        key = adopted.get(index) or (parse_marker(comment) if isinstance(comment, str) else None)
        if key is not None and key.kind in scope:
            if key in owned:
                duplicates.append(index)
            else:
                owned[key] = index
            continue
        if comment is not None:
            comments.setdefault(_comment_match_key(comment), []).append(index)
        fixed.setdefault(chain, []).append(index)
    return Table(list(current), chains, fixed, owned, duplicates, comments)


def _target_gap(rule: NatRule, table: Table) -> int:
    """The gap of the rule's chain that its anchor asks for."""
    chain = _rule_chain(rule)
    anchor = rule.anchor
    if anchor.row is not None:
        fixed = table.fixed.get(chain, [])
        found = [gap for gap, row in enumerate(fixed) if row_id(table.rows[row]) == anchor.row]
        if not found:
            raise AnchorError(
                "rule {0!r}: anchor {1} is no rule of chain {2} that this module does not manage".format(
                    without_fingerprint(rule.comment), anchor.describe(), chain
                )
            )
        return found[0]
    if anchor.position in (POSITION_BEFORE, POSITION_AFTER):
        matches = table.comments.get(_comment_match_key(anchor.comment), [])
        in_chain = [row for row in matches if table.chains[row] == chain]
        if len(in_chain) != 1:
            raise AnchorError(_anchor_problem(rule, chain, matches, in_chain, table))
        return table.gap_of(in_chain[0], chain) + (1 if anchor.position == POSITION_AFTER else 0)
    if anchor.position == POSITION_BOTTOM:
        return len(table.fixed.get(chain, ()))
    return 0


def _anchor_problem(rule: NatRule, chain: str, matches: List[int], in_chain: List[int], table: Table) -> str:
    wanted = "the anchor must match the comment of exactly one rule of chain {0} that this module does not manage"
    wanted = wanted.format(chain or "''")
    intro = "rule {0!r}: anchor {1}".format(without_fingerprint(rule.comment), rule.anchor.describe())
    if in_chain:
        found = ", ".join(row_id(table.rows[row]) for row in in_chain)
        return "{0} matches {1} foreign rules of chain {2} ({3}); {4}".format(
            intro, len(in_chain), chain, found, wanted
        )
    if matches:
        found = ", ".join("{0} in chain {1}".format(row_id(table.rows[row]), table.chains[row]) for row in matches)
        return (
            "{0} matches only rules of another chain ({1}), but the rule is in chain {2}; RouterOS orders "
            "rules only within their chain, so {3}".format(intro, found, chain, wanted)
        )
    return "{0} matches no foreign rule; {1}".format(intro, wanted)


def _is_disabled(row: Row) -> bool:
    return effective_value("disabled", row.get("disabled")) == "true"


def _masquerades(fields: Mapping[str, Optional[str]]) -> bool:
    """A plain masquerade: no to-ports, no log (every packet it takes leaves alike)."""
    return fields.get("action") == "masquerade" and fields.get("to-ports") is None and fields.get("log") != "true"


def _inert_for(rule: NatRule, row: Row) -> bool:
    """Can the rule cross this fixed row without any packet leaving differently? A disabled row
    takes no packet; of two plain masquerades (the other one foreign), whichever takes a packet both match does the same
    to it."""
    if _is_disabled(row):
        return True
    if parse_marker(row.get("comment")) is not None:
        # Another module's rule: its module places it against ours, so neither crosses the other.
        return False
    if _disjoint(rule, row):
        return True
    mine = {name: rule.fields.get(name) for name in ("action", "to-ports", "log")}
    theirs = {name: effective_value(name, row.get(name)) for name in ("action", "to-ports", "log")}
    return _masquerades(mine) and _masquerades(theirs)


def _plain(value: Optional[str]) -> Optional[str]:
    # A negated matcher ("!tcp") admits almost everything: it proves nothing disjoint.
    return None if value is None or value.startswith("!") else value


def _spans_overlap(mine: Sequence[Tuple[object, object]], theirs: Sequence[Tuple[object, object]]) -> bool:
    return any(low <= their_high and their_low <= high for low, high in mine for their_low, their_high in theirs)


def _disjoint(rule: NatRule, row: Row) -> bool:
    """Can no packet match both the rule and the row? Proven on one matcher both set plainly:
    another protocol, interface, destination port or destination address. Whatever else either
    matches only narrows it."""
    pairs = {
        name: (_plain(rule.fields.get(name)), _plain(effective_value(name, row.get(name))))
        for name in ("protocol", "in-interface", "dst-port", "dst-address")
    }
    for name in ("protocol", "in-interface"):
        mine, theirs = pairs[name]
        if mine is not None and theirs is not None and mine != theirs:
            return True
    mine, theirs = pairs["dst-port"]
    mine_ports, their_ports = port_spans(mine), port_spans(theirs)
    if mine_ports and their_ports and not _spans_overlap(mine_ports, their_ports):
        return True
    mine, theirs = pairs["dst-address"]
    mine_span, their_span = address_span(mine), address_span(theirs)
    return mine_span is not None and their_span is not None and not _spans_overlap([mine_span], [their_span])


def _wanted_gap(rule: NatRule, table: Table, row: Optional[int]) -> int:
    """The gap a rule goes to: its anchor's, or the gap its existing row is in when only fixed
    rows it can cross without any packet leaving differently stand between the two
    (:func:`_inert_for`): the rule already does where it is what its anchor would have it do,
    and a move would change nothing but the order."""
    target = _target_gap(rule, table)
    chain = _rule_chain(rule)
    if row is None or table.chains[row] != chain:
        return target
    where = table.gap_of(row, chain)
    if where == target:
        return target
    low, high = min(where, target), max(where, target)
    between = table.fixed.get(chain, [])[low:high]
    # The row the anchor names is never crossed, disabled or not: the inventory asked for it.
    named = _comment_match_key(rule.anchor.comment) if rule.anchor.comment is not None else None
    for index in between:
        if not _inert_for(rule, table.rows[index]):
            return target
        comment = table.rows[index].get("comment")
        if named is not None and comment is not None and _comment_match_key(comment) == named:
            return target
    return where


# A chain's target order: ("row", row index) for rows that exist, ("new", desired position).
_Target = List[Tuple[str, int]]


def _chain_target(
    table: Table,
    chain: str,
    desired: Sequence[NatRule],
    wanted: Mapping[int, Sequence[int]],
    walls: Mapping[int, Sequence[int]],
    matched: Mapping[RuleKey, int],
    moving: Set[int],
) -> _Target:
    """The target order of one chain's rows; adds the rows that must move to ``moving``.

    ``wanted``: gap -> desired positions in the order the gap wants them. Per gap: fixed rows and
    walls never move. Of the desired rows already in the gap, the longest run that is in the wanted
    order stays (the smallest such run when there are several, see
    :func:`_smallest_longest_increasing`). Every other desired rule of the gap goes right after the
    staying rule that precedes it in the wanted order, or right before the first staying rule; with
    no staying rule, at the end of the gap.
    """
    fixed = table.fixed.get(chain, [])
    target: _Target = []

    def place(positions: Sequence[int]) -> None:
        for position in positions:
            row = matched.get(desired[position].key)
            target.append(("row", row) if row is not None else ("new", position))

    for gap in range(len(fixed) + 1):
        order = wanted.get(gap, ())
        gap_walls = walls.get(gap, ())
        if not order:
            target.extend(("row", row) for row in gap_walls)
        else:
            rank_of = {position: rank for rank, position in enumerate(order)}
            in_gap = sorted(
                (row, rank_of[position])
                for position in order
                for row in (matched.get(desired[position].key),)
                if row is not None and table.gap_of(row, chain) == gap
            )
            chain_run = _smallest_longest_increasing([rank for _row, rank in in_gap])
            staying = {in_gap[index][1]: in_gap[index][0] for index in chain_run}  # rank -> row
            staying_ranks = sorted(staying)

            # Each placed rule hangs after the previous staying rule in the wanted order (None:
            # before the first staying rule, or at the end of the gap when nothing stays).
            hang: Dict[Optional[int], List[int]] = {}
            for rank, position in enumerate(order):
                if rank in staying:
                    continue
                before = bisect.bisect_left(staying_ranks, rank)
                hang.setdefault(staying_ranks[before - 1] if before else None, []).append(position)
                row = matched.get(desired[position].key)
                if row is not None:
                    moving.add(row)

            # Walls and staying rows keep their table order; placed rules go in next to them.
            rank_of_row = {row: rank for rank, row in staying.items()}
            placed_leading = False
            for row in sorted(list(gap_walls) + list(rank_of_row)):
                rank = rank_of_row.get(row)
                if rank is not None and not placed_leading:
                    place(hang.get(None, ()))  # the rules before the first staying one
                    placed_leading = True
                target.append(("row", row))
                if rank is not None:
                    place(hang.get(rank, ()))
            if not placed_leading:
                place(hang.get(None, ()))  # nothing stays in this gap: its rules go at its end
        if gap < len(fixed):
            target.append(("row", fixed[gap]))
    return target


def placement(
    table: Table,
    desired: Sequence[NatRule],
    matched: Mapping[RuleKey, int],
    untouched: Sequence[int],
    removed: Set[int],
) -> Tuple[List[Operation], List[Operation]]:
    """Moves and adds that put every desired rule at its anchor in its chain with the fewest moves."""
    chain_order: List[str] = []  # chains in order of their first desired rule
    wanted: Dict[str, Dict[int, List[int]]] = {}
    for position, rule in enumerate(desired):
        chain = _rule_chain(rule)
        if chain not in wanted:
            chain_order.append(chain)
            wanted[chain] = {}
        wanted[chain].setdefault(_wanted_gap(rule, table, matched.get(rule.key)), []).append(position)
    for by_gap in wanted.values():
        for positions in by_gap.values():
            positions.sort(key=lambda position: (_GAP_RANK[desired[position].anchor.position], position))

    walls: Dict[str, Dict[int, List[int]]] = {}
    for row in sorted(untouched):
        chain = table.chains[row]
        if chain is not None and chain in wanted:
            walls.setdefault(chain, {}).setdefault(table.gap_of(row, chain), []).append(row)

    moving: Set[int] = set()
    targets = [
        (chain, _chain_target(table, chain, desired, wanted[chain], walls.get(chain, {}), matched, moving))
        for chain in chain_order
    ]

    # A rule that nothing of its own chain follows is placed next to a row that stays where it is
    # (any chain, not dynamic): never next to a row that moves or goes.
    unsettled = moving | removed

    def next_settled(after: int) -> Optional[str]:
        for index in range(after + 1, len(table.rows)):
            if table.chains[index] is not None and index not in unsettled:
                return row_id(table.rows[index])
        return None

    owners = {row: key for key, row in matched.items()}
    moves: List[Operation] = []
    adds: List[Operation] = []
    for _chain, target in targets:
        last_staying = None
        for kind, item in target:
            if kind == "row" and item not in moving:
                last_staying = item
        # The rules after the chain's last staying row go right after it; a chain with no row yet
        # has only new rules: top ones go to the top of the table, the others to its end.
        tail = next_settled(last_staying) if last_staying is not None else None
        table_top = next_settled(-1) if last_staying is None else None
        add_before: Dict[int, Optional[str]] = {}
        next_existing = tail
        for kind, item in reversed(target):
            if kind == "new":
                top_of_new_chain = last_staying is None and desired[item].anchor.position == POSITION_TOP
                add_before[item] = table_top if top_of_new_chain else next_existing
                continue
            if item in moving:
                # An adopted row still carries its foreign comment: its key is the rule's.
                key = owners.get(item) or parse_marker(table.rows[item].get("comment"))
                moves.append(Operation(ACTION_MOVE, key, row_id(table.rows[item]), destination=next_existing))
            next_existing = row_id(table.rows[item])
        adds.extend(
            Operation(ACTION_ADD, desired[item].key, fields=dict(desired[item].fields), destination=add_before[item])
            for kind, item in target
            if kind == "new"
        )
    return moves, adds

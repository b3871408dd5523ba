# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The planner of owned entries of the unordered menus (entries.py): add / set / remove.

Operation order (every write references only ids that exist before the batch, so a caller can
send them all in one round trip): removes, then sets, then adds -- removing first frees the
(list, address) pair RouterOS keeps unique before an add could need it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.entries import (
    ADDRESS_LIST,
    DNS_STATIC,
    Entry,
    EntryError,
    EntryKey,
    EntryMenu,
    Row,
    owned_key,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    ACTION_REMOVE,
    ACTION_SET,
    STATE_DELETED,
    STATE_MERGED,
    STATE_OVERRIDDEN,
    WRITE_STATES,
    is_dynamic,
)


@dataclass(frozen=True)
class EntryOperation:
    """One write: ``add`` (``fields`` is the body), ``set`` (``fields`` the new values) or ``remove``."""

    action: str
    key: Optional[EntryKey]
    id: Optional[str] = None
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass
class EntryPlan:
    menu: EntryMenu
    operations: List[EntryOperation]
    # Owned entries before and after (pure simulation), as the router prints them.
    before: List[Dict[str, object]]
    after: List[Dict[str, object]]

    @property
    def changed(self) -> bool:
        return bool(self.operations)


def entry_changes(entry: Entry, row: Row) -> Dict[str, str]:
    """Values to set so that ``row`` becomes ``entry`` (over the menu's fields)."""
    menu = entry.menu
    changes = {}
    for name in menu.fields:
        want = entry.fields.get(name, menu.defaults.get(name))
        if want is None:
            continue  # a field the entry does not manage (address of a key-only DNS entry)
        if menu.effective(row, name) != want:
            changes[name] = want
    return changes


def _conflicts(menu: EntryMenu, desired: Sequence[Entry], current: Sequence[Row], adds: Sequence[Entry]) -> List[str]:
    """Foreign entries that stand where ours must go (reported, never touched)."""
    problems = []
    foreign = [row for row in current if owned_key(row, menu) is None]
    if menu is ADDRESS_LIST:
        for entry in adds:
            for row in foreign:
                same = menu.effective(row, "list") == entry.fields["list"] and menu.effective(
                    row, "address"
                ) == entry.fields.get("address")
                if same:
                    problems.append(
                        "address list {0!r} already holds {1} in entry {2} that hairpin does not own; RouterOS "
                        "keeps list and address unique, so remove that entry or put {3!r} at the start of its "
                        "comment".format(
                            entry.fields["list"],
                            entry.fields.get("address"),
                            row.get(".id"),
                            entry.fields["comment"].split(" ", 1)[0],
                        )
                    )
    elif menu is DNS_STATIC:
        for entry in desired:
            for row in foreign:
                if is_dynamic(row) or menu.effective(row, "disabled") == "true":
                    continue
                if menu.effective(row, "name") != entry.fields.get("name"):
                    continue
                kind = menu.effective(row, "type")
                if kind == "A" and menu.effective(row, "address") == entry.fields.get("address"):
                    continue  # the same answer: harmless
                if kind not in ("A", "CNAME"):
                    continue  # AAAA, MX, TXT... answer other questions
                problems.append(
                    "static DNS entry {0} (type {1}{2}), which hairpin does not own, also answers {3}; clients "
                    "would get either answer, so remove or disable it, or put {4!r} at the start of its "
                    "comment".format(
                        row.get(".id"),
                        kind,
                        ", address {0}".format(row.get("address")) if kind == "A" else "",
                        entry.fields.get("name"),
                        entry.fields["comment"].split(" ", 1)[0],
                    )
                )
    return problems


def plan_entries(
    menu: EntryMenu, desired: Sequence[Entry], current: Sequence[Row], *, state: str = STATE_MERGED
) -> EntryPlan:
    """The writes that bring the owned entries of ``menu`` in ``current`` (rows as printed) to ``desired``.

    * merged, replaced: add or set each desired entry; other owned entries stay (an entry is
      its own service, so both states mean the same here);
    * overridden: also remove every owned entry not desired;
    * deleted: remove the owned entries named by ``desired`` (only their keys matter), or every
      owned entry of the menu when ``desired`` is empty.

    Raises :class:`EntryError` for two desired entries with one key, or a foreign entry that
    would clash with a desired one (nothing is planned then).
    """
    if state not in WRITE_STATES:
        raise EntryError("state must be one of {0}, not {1!r}".format(", ".join(WRITE_STATES), state))
    seen = set()
    for entry in desired:
        if entry.menu is not menu:
            raise EntryError("entry {0} does not belong in {1}".format(entry.key.name, menu.path))
        if entry.key in seen:
            raise EntryError("two desired entries share the key {0}".format(entry.key.name))
        seen.add(entry.key)

    first: Dict[EntryKey, Row] = {}
    removes: List[Row] = []
    for row in current:
        key = owned_key(row, menu)
        if key is None:
            continue
        if key in first:
            removes.append(row)
        else:
            first[key] = row

    sets: List[EntryOperation] = []
    adds: List[Entry] = []
    if state == STATE_DELETED:
        for key, row in first.items():
            if not seen or key in seen:
                removes.append(row)
    else:
        for key, row in first.items():
            if state == STATE_OVERRIDDEN and key not in seen:
                removes.append(row)
        for entry in desired:
            row = first.get(entry.key)
            if row is None:
                adds.append(entry)
                continue
            changes = entry_changes(entry, row)
            if changes:
                sets.append(EntryOperation(ACTION_SET, entry.key, str(row.get(".id")), changes))
        problems = _conflicts(menu, desired, current, adds)
        if problems:
            raise EntryError("; ".join(problems))

    position = {id(row): index for index, row in enumerate(current)}
    operations = [
        EntryOperation(ACTION_REMOVE, owned_key(row, menu), str(row.get(".id")))
        for row in sorted(removes, key=lambda row: position[id(row)])
    ]
    operations.extend(sets)
    operations.extend(EntryOperation(ACTION_ADD, entry.key, fields=dict(entry.fields)) for entry in adds)
    before = [dict(row) for row in current if owned_key(row, menu) is not None]
    plan = EntryPlan(menu, operations, before, [])
    plan.after = [row for row in apply_entry_plan(current, plan) if owned_key(row, menu) is not None]
    return plan


def apply_entry_plan(current: Sequence[Row], plan: EntryPlan) -> List[Dict[str, object]]:
    """The table after ``plan`` (pure): removed rows gone, sets applied, adds appended with
    placeholder ids ``+1``, ``+2``... (the router assigns the real ones)."""
    removed = {op.id for op in plan.operations if op.action == ACTION_REMOVE}
    updates: Dict[str, Mapping[str, str]] = {op.id: op.fields for op in plan.operations if op.action == ACTION_SET}  # type: ignore[misc]
    rows: List[Dict[str, object]] = []
    for row in current:
        row_id = str(row.get(".id"))
        if row_id in removed:
            continue
        updated = dict(row)
        updated.update(updates.get(row_id, {}))
        rows.append(updated)
    added = 0
    for op in plan.operations:
        if op.action == ACTION_ADD:
            added += 1
            rows.append(dict(op.fields, **{".id": "+{0}".format(added)}))
    return rows

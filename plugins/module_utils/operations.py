# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""What a plan is made of: the states it brings owned rules to, its operations, and the
table they leave behind.

Pure: no I/O. An operation references rows by their RouterOS id; :func:`apply_plan` plays a
list of them on a table the way RouterOS would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import RuleKey
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

STATE_MERGED = "merged"
STATE_REPLACED = "replaced"
STATE_OVERRIDDEN = "overridden"
STATE_DELETED = "deleted"
# The states a plan brings owned rules to; the modules' states add the read-only ones
# (options.MODULE_STATES).
WRITE_STATES = (STATE_MERGED, STATE_REPLACED, STATE_OVERRIDDEN, STATE_DELETED)

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


DRIFT_FIELDS = "fields"
DRIFT_POSITION = "position"
DRIFT_MISSING = "missing"
DRIFT_DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Drift:
    """A repair of an owned rule that was changed on the router since we wrote it (not a change
    of the inventory). ``what``: fields, position, missing or duplicate. ``changes``: for fields,
    (property, value on the router, value in the inventory), None meaning not set. ``id``: the
    router's row (None for a missing rule); ``original``: the copy a duplicate repeats."""

    key: RuleKey
    what: str
    id: Optional[str] = None
    changes: Tuple[Tuple[str, Optional[str], Optional[str]], ...] = ()
    original: Optional[str] = None

    @property
    def rule(self) -> str:
        return "hairpin:" + ":".join(part for part in self.key if part)

    @property
    def message(self) -> str:
        where = "{0} ({1})".format(self.rule, self.id) if self.id else self.rule
        if self.what == DRIFT_FIELDS:
            changes = "; ".join(
                "{0} {1} on the router, {2} in the inventory".format(name, _shown(name, have), _shown(name, want))
                for name, have, want in self.changes
            )
            return "{0} was edited on the router: {1}".format(where, changes)
        if self.what == DRIFT_POSITION:
            return "{0} is not where the inventory places it (moved on the router, or a rule was put before it)".format(
                where
            )
        if self.what == DRIFT_MISSING:
            return "{0} is missing on the router, while the other rules of service {1} are as written".format(
                where, self.key.name
            )
        return "{0} is a second copy of {1} on the router".format(where, self.original)

    def as_dict(self) -> Dict[str, object]:
        """Plain data for the ``drift`` result."""
        return {
            "rule": self.rule,
            "service": self.key.name,
            "kind": self.what,
            "id": self.id,
            "fields": [{"name": name, "router": have, "inventory": want} for name, have, want in self.changes],
            "message": self.message,
        }


_FLAG_WORDS = {"true": "yes", "false": "no"}


def _shown(name: str, value: Optional[str]) -> str:
    if value is None:
        return "unset"
    if name in ("disabled", "log"):
        return _FLAG_WORDS.get(value, value)
    return value if value != "" else '""'


@dataclass
class Plan:
    """The ordered operations, the table before, and the table after (pure simulation), and
    the drift the operations repair; the foreign rows it adopts (``adopt.Adoption``: a ``set``
    of the comment each) and the foreign twins it leaves alone (``adopt.Twin``)."""

    operations: List[Operation]
    before: List[Dict[str, object]]
    after: List[Dict[str, object]]
    drift: List[Drift] = field(default_factory=list)
    # The plans of the other ordered menus the same call changes (the firewall filter's owned
    # accepts), by the menu's API path; the NAT plan's own `changed` does not count them.
    menus: Dict[str, "Plan"] = field(default_factory=dict)
    adopted: List[Any] = field(default_factory=list)
    twins: List[Any] = field(default_factory=list)

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

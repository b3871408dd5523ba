# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# Writing a plan: its operations as API sentences, sent in one pipelined batch, and what is done
# when another run wrote to the same table at the same time.

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.api import Command, CommandError
from ansible_collections.hairpin.routeros.plugins.module_utils.cli import ordered
from ansible_collections.hairpin.routeros.plugins.module_utils.entry_plan import EntryPlan
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import NAT_TABLE, OrderedMenu
from ansible_collections.hairpin.routeros.plugins.module_utils.model import is_owned, parse_marker
from ansible_collections.hairpin.routeros.plugins.module_utils.options import NAT_PATH
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    ACTION_MOVE,
    ACTION_REMOVE,
    ACTION_SET,
    ACTION_UNSET,
    Operation,
    PlanError,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import InvalidConfigError
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

# ---------------------------------------------------------------------------------------------
# Operations -> API sentences
# ---------------------------------------------------------------------------------------------


def api_commands(operations: Sequence[Operation], menu: OrderedMenu = NAT_TABLE) -> List[Command]:
    """The API sentences that carry out `operations` in `menu` (default: the NAT table), in
    order (the CLI twin is render.py)."""
    path = menu.path
    commands = []
    for op in operations:
        if op.action == ACTION_ADD:
            attributes = dict(op.fields)
            if op.destination is not None:
                attributes["place-before"] = op.destination
            commands.append(Command(path + "/add", attributes))
        elif op.action == ACTION_SET:
            commands.append(Command(path + "/set", dict({".id": str(op.id)}, **op.fields)))
        elif op.action == ACTION_UNSET:
            # `=!name=` in set removes the property, as the console's `set *5 !name` does.
            attributes = {".id": str(op.id)}
            attributes.update(("!" + name, "") for name in op.fields)
            commands.append(Command(path + "/set", attributes))
        elif op.action == ACTION_MOVE:
            attributes = {"numbers": str(op.id)}
            if op.destination is not None:
                attributes["destination"] = op.destination
            commands.append(Command(path + "/move", attributes))
        elif op.action == ACTION_REMOVE:
            commands.append(Command(path + "/remove", {".id": str(op.id)}))
        else:  # pragma: no cover - the planner makes no other action
            raise ValueError("unknown operation %r" % op.action)
    return commands


# ---------------------------------------------------------------------------------------------
# Writing, and two runs at once
# ---------------------------------------------------------------------------------------------

# Read at the end of a batch that adds rules, in the same round trip: the order of the table
# and its markers (cheap even for a long table), to compare with the plan's.
_SETTLE_READ = Command(NAT_PATH + "/print", {".proplist": ".id,comment,dynamic"})
# Read when the table is not as planned: everything a plan needs.
_FULL_READ = Command(NAT_PATH + "/print")
# RouterOS's answer when the item an .id names is gone (another run removed it first).
_NO_SUCH_ITEM = "no such item"
# Correction passes after a batch that adds, at most (each: one round trip, only when needed).
SETTLE_PASSES = 3


def _id_number(identifier: str) -> Optional[int]:
    try:
        return int(identifier[1:], 16) if identifier.startswith("*") else None
    except ValueError:
        return None


def later_copies(rows: Sequence[Mapping[str, Any]], keys: Any) -> List[str]:
    """The .id of every copy of an owned rule whose key is in `keys`, but the copy with the
    lowest .id (RouterOS ids only grow, so every run that looks keeps the same copy)."""
    copies: Dict[Any, List[str]] = {}
    for row in rows:
        key = parse_marker(row.get("comment"))
        if key is not None and key in keys and not is_true(row.get("dynamic")):
            copies.setdefault(key, []).append(str(row.get(".id", "")))
    doomed: List[str] = []
    for ids in copies.values():
        numbers = [_id_number(identifier) for identifier in ids]
        if len(ids) < 2 or None in numbers:
            continue  # one copy, or an id we cannot order: nothing we can safely remove
        keep = ids[numbers.index(min(numbers))]
        doomed.extend(identifier for identifier in ids if identifier != keep)
    return doomed


def _raise_first_trap(
    target: str, commands: Sequence[Command], results: Sequence[Any], gone_is_done: bool = False
) -> None:
    for command, result in zip(commands, results):
        if result.trap is None:
            continue
        message = str(result.trap.get("message", ""))
        if message == _NO_SUCH_ITEM and (gone_is_done or command.path.endswith("/remove")):
            continue  # another run at the same time removed it first (a correction re-reads anyway)
        category = result.trap.get("category")
        raise CommandError(target, command, message, None if category is None else str(category))


@dataclass
class Settled:
    """What a write batch took beyond its own writes (see write_batch)."""

    removed: List[str] = field(default_factory=list)  # later copies removed
    corrections: int = 0  # correction passes sent
    settled: bool = True  # False: the table still differed from the plan after the last pass


def layout(rows: Sequence[Mapping[str, Any]], old_ids: FrozenSet[str]) -> List[str]:
    """The order of a table: the .id of rules that existed before the call, the comment of new
    ones (whose ids the router picks). Dynamic rules come and go on their own: left out."""
    return [
        str(row.get(".id")) if str(row.get(".id")) in old_ids else "+%s" % row.get("comment")
        for row in rows
        if not is_true(row.get("dynamic"))
    ]


def write_batch(
    router: Any,
    writes: Sequence[Command],
    expected: Optional[List[str]],
    old_ids: FrozenSet[str],
    replan: Callable[[List[Dict[str, Any]]], List[Command]],
    kinds: FrozenSet[str],
) -> Settled:
    """Send `writes` in one round trip; when they add rules, make sure the table ends as planned.

    Two runs that read the table at the same moment both find a rule missing and both add it,
    and one run's moves can land between the other's adds. So a batch that adds (`expected`: the
    planned layout of the table, see layout()) ends with a read of the table's order and markers
    in the same round trip (a connection's commands are answered in order). When that matches the
    plan, that was all. Otherwise the whole table is read, every copy of an owned rule but the one
    with the lowest .id is removed (ids only grow, so every run keeps the same copy) and the rest
    is planned again (`replan`) and sent, with another read, while that finds work, up to
    SETTLE_PASSES times. The run that finishes last reads a table no one else is changing, so
    runs at once end with one copy of each rule, in the planned order. A remove that finds its
    rule already gone (the other run removed it) counts as done."""
    settled = Settled()
    batch = list(writes) + ([_SETTLE_READ] if expected is not None else [])
    results = router.run(batch, raise_on_trap=False)
    _raise_first_trap(router.target, batch, results)
    if expected is None:
        return settled
    rows = results[-1].rows
    ours = {result.ret for command, result in zip(batch, results) if command.path == NAT_PATH + "/add"}
    if not ours <= {str(row.get(".id")) for row in rows}:
        # The read did not see every add of ours (a router that runs tagged commands side by
        # side, or another run removed a copy of ours): read again, after every answer.
        rows = router.read([_SETTLE_READ])[0]
    if layout(rows, old_ids) == expected:
        return settled
    rows = router.read([_FULL_READ])[0]
    for _pass in range(SETTLE_PASSES + 1):
        keys = {parse_marker(row.get("comment")) for row in rows if is_owned(row, kinds)}
        doomed = later_copies(rows, keys)
        try:
            fixes = replan([row for row in rows if str(row.get(".id")) not in doomed])
        except (PlanError, InvalidConfigError, ValueError):
            fixes = []  # the table changed under us beyond planning: the next run reports it
        fixes = [Command(NAT_PATH + "/remove", {".id": identifier}) for identifier in doomed] + fixes
        if not fixes:
            return settled
        if settled.corrections == SETTLE_PASSES:
            break
        settled.removed.extend(doomed)
        settled.corrections += 1
        batch = [*fixes, _FULL_READ]
        results = router.run(batch, raise_on_trap=False)
        _raise_first_trap(router.target, batch, results, gone_is_done=True)
        rows = results[-1].rows
    settled.settled = False
    return settled


def entry_commands(plan: EntryPlan) -> List[Command]:
    """The API sentences that carry out ``plan``, in order (the CLI twin is :func:`render_entry_commands`)."""
    path = plan.menu.path
    commands = []
    for op in plan.operations:
        if op.action == ACTION_ADD:
            commands.append(Command(path + "/add", dict(ordered(op.fields, plan.menu.fields))))
        elif op.action == ACTION_SET:
            attributes = {".id": str(op.id)}
            attributes.update(dict(ordered(op.fields, plan.menu.fields)))
            commands.append(Command(path + "/set", attributes))
        elif op.action == ACTION_REMOVE:
            commands.append(Command(path + "/remove", {".id": str(op.id)}))
        else:  # pragma: no cover - the planner makes no other action
            raise ValueError("unknown operation {0!r}".format(op.action))
    return commands

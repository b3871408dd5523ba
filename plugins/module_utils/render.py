# -*- coding: utf-8 -*-
# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The data inside here is private to this collection. If you use this from outside the collection,
# you are on your own. There can be random changes to its format even in bugfix releases!

"""RouterOS CLI text: the operations of a NAT plan or an entry plan as command lines.

CLI forms written (one line per operation, ids as ``*HEX``):

* ``/ip firewall nat add chain=dstnat ... comment="hairpin:dstnat:web:tcp" place-before=*3``
* ``/ip firewall nat set *5 dst-port=8080``
* ``/ip firewall nat set *5 !to-ports !in-interface`` -- unset: ``!name`` in ``set`` is how the
  RouterOS console removes a property ("Parameter can be unset by specifying '!' before
  parameter", MikroTik Manual:Scripting, menu specific commands); it is also the ``!name`` word
  community.routeros' api_modify sends in ``set``.
* ``/ip firewall nat move *5 destination=*3`` (no destination: to the end)
* ``/ip firewall nat remove *7``

Values are quoted by cli.py; ``.rsc`` text is read by script_reader.py.
"""

from __future__ import annotations

from typing import List, Mapping, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.cli import assignments, ordered
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import ENTRY_FLAGS, EntryMenu
from ansible_collections.hairpin.routeros.plugins.module_utils.entry_plan import EntryOperation, EntryPlan
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOOLEAN_FIELDS,
    NAT_FIELDS,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    ACTION_MOVE,
    ACTION_REMOVE,
    ACTION_SET,
    ACTION_UNSET,
    Operation,
    Plan,
)

NAT_MENU = "/ip firewall nat"
# Counters change all the time; they are not configuration.
_COUNTERS = frozenset(("bytes", "packets"))
_NAT_ORDER = tuple(NAT_FIELDS)


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def _assignments(fields: Mapping[str, str]) -> str:
    return assignments(fields, _NAT_ORDER, BOOLEAN_FIELDS)


def render_operation(op: Operation) -> str:
    if op.action == ACTION_ADD:
        line = "{0} add {1}".format(NAT_MENU, _assignments(op.fields))
        return line if op.destination is None else "{0} place-before={1}".format(line, op.destination)
    if op.action == ACTION_SET:
        return "{0} set {1} {2}".format(NAT_MENU, op.id, _assignments(op.fields))
    if op.action == ACTION_UNSET:
        names = [name for name, _value in ordered(op.fields, _NAT_ORDER)]
        return "{0} set {1} {2}".format(NAT_MENU, op.id, " ".join("!" + name for name in names))
    if op.action == ACTION_MOVE:
        line = "{0} move {1}".format(NAT_MENU, op.id)
        return line if op.destination is None else "{0} destination={1}".format(line, op.destination)
    if op.action == ACTION_REMOVE:
        return "{0} remove {1}".format(NAT_MENU, op.id)
    raise ValueError("unknown operation {0!r}".format(op.action))


def render_commands(plan: object) -> List[str]:
    """CLI lines for a Plan (or a sequence of Operations), in execution order."""
    operations: Sequence[Operation] = plan.operations if isinstance(plan, Plan) else plan  # type: ignore[assignment]
    return [render_operation(op) for op in operations]


def _entry_assignments(menu: EntryMenu, fields: Mapping[str, str]) -> str:
    return assignments(fields, menu.fields, ENTRY_FLAGS)


def render_entry_operation(menu: EntryMenu, op: EntryOperation) -> str:
    if op.action == ACTION_ADD:
        return "{0} add {1}".format(menu.cli_menu, _entry_assignments(menu, op.fields))
    if op.action == ACTION_SET:
        return "{0} set {1} {2}".format(menu.cli_menu, op.id, _entry_assignments(menu, op.fields))
    if op.action == ACTION_REMOVE:
        return "{0} remove {1}".format(menu.cli_menu, op.id)
    raise ValueError("unknown operation {0!r}".format(op.action))


def render_entry_commands(plan: EntryPlan) -> List[str]:
    """CLI lines for ``plan``, in execution order (``/ip dns static add name=... address=... comment=...``)."""
    return [render_entry_operation(plan.menu, op) for op in plan.operations]

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

Annotations. Every ``set``, unset, ``move`` and ``remove`` (and an ``add`` with ``place-before``)
is preceded by a comment line naming the owned rule it touches by its marker, and for a move or
a placed add where it goes::

    # hairpin:dstnat:wg:udp
    /ip firewall nat remove *9
    # hairpin:dstnat:web:tcp: to before *3 (foreign: "defconf: masquerade")
    /ip firewall nat move *5 destination=*3

The annotation stands on a line of its own because RouterOS script has no trailing comments: a
``#`` starts a comment only where a command line starts (the Scripting manual's "Comments"; our
script_reader.py and the simulator's .rsc reader read it so), while ``remove *9 # ...`` would
hand ``#`` and the words after it to the command. So ``commands`` stays text a user can paste
into the terminal or ``/import`` as ``.rsc``.

:func:`render_diff` is the ``--diff`` text: the same lines grouped per service (a header line
per service, the masquerade, the hairpin subnets and each entry menu under their own), each group
in execution order, with the drift the plan repairs as ``# drift: ...`` lines.

Values are quoted by cli.py; ``.rsc`` text is read by script_reader.py.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.adopt import foreign_name
from ansible_collections.hairpin.routeros.plugins.module_utils.cli import assignments, ordered, quote_value
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import (
    ENTRY_FLAGS,
    KIND_ADDRESS_LIST,
    EntryMenu,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.entry_plan import EntryOperation, EntryPlan
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import NAT_TABLE, OrderedMenu
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOOLEAN_FIELDS,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    NAT_FIELDS,
    PortForward,
    RuleKey,
    normalize_value,
    split_comment,
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

NAT_MENU = NAT_TABLE.cli
# Counters change all the time; they are not configuration.
_COUNTERS = frozenset(("bytes", "packets"))
_NAT_ORDER = tuple(NAT_FIELDS)


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def _assignments(fields: Mapping[str, str], order: Sequence[str] = _NAT_ORDER) -> str:
    return assignments(fields, order, BOOLEAN_FIELDS)


def render_operation(op: Operation, menu: OrderedMenu = NAT_TABLE) -> str:
    """The console line of ``op`` in ``menu`` (default: the NAT table)."""
    cli, order = menu.cli, menu.order
    if op.action == ACTION_ADD:
        line = "{0} add {1}".format(cli, _assignments(op.fields, order))
        return line if op.destination is None else "{0} place-before={1}".format(line, op.destination)
    if op.action == ACTION_SET:
        return "{0} set {1} {2}".format(cli, op.id, _assignments(op.fields, order))
    if op.action == ACTION_UNSET:
        names = [name for name, _value in ordered(op.fields, order)]
        return "{0} set {1} {2}".format(cli, op.id, " ".join("!" + name for name in names))
    if op.action == ACTION_MOVE:
        line = "{0} move {1}".format(cli, op.id)
        return line if op.destination is None else "{0} destination={1}".format(line, op.destination)
    if op.action == ACTION_REMOVE:
        return "{0} remove {1}".format(cli, op.id)
    raise ValueError("unknown operation {0!r}".format(op.action))


def comment_line(text: str) -> str:
    """``# text`` as one script comment line: control characters (a newline in a foreign
    comment or a value read from the router) are written as ``\\XX``, so no text can end the
    comment and start a command line of its own."""
    safe = "".join("\\{0:02X}".format(ord(char)) if ord(char) < 0x20 or ord(char) == 0x7F else char for char in text)
    return "# " + safe


def rule_marker(key: Sequence[Optional[str]]) -> str:
    """The marker of an owned rule or entry key, without description: ``hairpin:dstnat:web:tcp``."""
    return "hairpin:" + ":".join(part for part in key if part)


def describe_row(row: Optional[Mapping[str, object]], identifier: str) -> str:
    """A row named for a reviewer: ``*3 (foreign: "defconf: masquerade")``, ``*5 (hairpin:dstnat:web:tcp)``."""
    if row is None:
        return identifier
    comment = row.get("comment")
    key = split_comment(comment)[0]
    if key is not None:
        return "{0} ({1})".format(identifier, rule_marker(key))
    if comment is None or comment == "":
        return "{0} (foreign, no comment: chain={1} action={2})".format(identifier, row.get("chain"), row.get("action"))
    text = quote_value(normalize_value("comment", comment))
    return "{0} (foreign: {1})".format(identifier, text if text.startswith('"') else '"{0}"'.format(text))


def _rows_by_id(rows: Iterable[Mapping[str, object]]) -> Dict[str, Mapping[str, object]]:
    return {str(row.get(".id")): row for row in rows}


def annotation(op: Operation, rows: Mapping[str, Mapping[str, object]]) -> Optional[str]:
    """The comment line before ``op``'s command: the owned rule it touches and, for a move or a
    placed add, where to. None for an add that appends (its ``comment=`` names it)."""
    marker = rule_marker(op.key) if op.key is not None else "rule {0}".format(op.id)
    if op.action == ACTION_ADD:
        if op.destination is None:
            return None
        return comment_line(
            "{0}: new, before {1}".format(marker, describe_row(rows.get(op.destination), op.destination))
        )
    if op.action == ACTION_SET and op.key is not None:
        row = rows.get(str(op.id))
        if row is not None and split_comment(row.get("comment"))[0] is None:
            # The set that writes the marker into a foreign rule's comment: an adoption.
            adopted = foreign_name(str(op.id), row.get("comment"))
            return comment_line("adopt {0} as {1} ({2})".format(adopted, op.key.name, marker))
    if op.action == ACTION_MOVE:
        if op.destination is None:
            return comment_line("{0}: to the end of the table".format(marker))
        return comment_line("{0}: to before {1}".format(marker, describe_row(rows.get(op.destination), op.destination)))
    return comment_line(marker)


def _annotated(
    op: Operation,
    rows: Mapping[str, Mapping[str, object]],
    previous: Optional[Operation] = None,
    menu: OrderedMenu = NAT_TABLE,
) -> List[str]:
    note = annotation(op, rows)
    line = render_operation(op, menu)
    # The unset right after the set of the same rule is under the set's annotation.
    same_edit = previous is not None and previous.action == ACTION_SET and previous.id == op.id
    if note is None or (op.action == ACTION_UNSET and same_edit):
        return [line]
    return [note, line]


def _nat_lines(
    operations: Sequence[Operation], rows: Mapping[str, Mapping[str, object]], menu: OrderedMenu = NAT_TABLE
) -> List[List[str]]:
    """The lines of each operation, in order."""
    out = []
    previous: Optional[Operation] = None
    for op in operations:
        out.append(_annotated(op, rows, previous, menu))
        previous = op
    return out


def render_commands(
    plan: object, rows: Optional[Iterable[Mapping[str, object]]] = None, menu: OrderedMenu = NAT_TABLE
) -> List[str]:
    """CLI lines for a Plan (or a sequence of Operations) of ``menu`` (default: the NAT table),
    in execution order, each command that touches an existing rule preceded by its annotation
    line. ``rows``: the table the ids refer to (default: the Plan's ``before``), used to name
    move and add destinations."""
    operations: Sequence[Operation] = plan.operations if isinstance(plan, Plan) else plan  # type: ignore[assignment]
    if rows is None:
        rows = plan.before if isinstance(plan, Plan) else ()
    return [line for lines in _nat_lines(operations, _rows_by_id(rows), menu) for line in lines]


# Properties the console writes as a bare word (``/routing table add name=... fib``).
_WORD_PROPERTIES = frozenset(("fib",))


def _entry_assignments(menu: EntryMenu, fields: Mapping[str, str]) -> str:
    words = [name for name in _WORD_PROPERTIES if fields.get(name) == ""]
    valued = {name: value for name, value in fields.items() if name not in words}
    return " ".join([assignments(valued, menu.fields, ENTRY_FLAGS), *words])


def render_entry_operation(menu: EntryMenu, op: EntryOperation) -> str:
    if op.action == ACTION_ADD:
        return "{0} add {1}".format(menu.cli_menu, _entry_assignments(menu, op.fields))
    if op.action == ACTION_SET:
        return "{0} set {1} {2}".format(menu.cli_menu, op.id, _entry_assignments(menu, op.fields))
    if op.action == ACTION_REMOVE:
        return "{0} remove {1}".format(menu.cli_menu, op.id)
    raise ValueError("unknown operation {0!r}".format(op.action))


def _annotated_entry(menu: EntryMenu, op: EntryOperation) -> List[str]:
    line = render_entry_operation(menu, op)
    if op.action == ACTION_ADD or op.key is None:
        return [line]
    return [comment_line(rule_marker(op.key)), line]


def render_entry_commands(plan: EntryPlan) -> List[str]:
    """CLI lines for ``plan``, in execution order (``/ip dns static add name=... address=... comment=...``),
    each ``set`` and ``remove`` preceded by the marker of the entry it touches."""
    return [line for op in plan.operations for line in _annotated_entry(plan.menu, op)]


# ---------------------------------------------------------------------------------------------
# The --diff text: grouped per service
# ---------------------------------------------------------------------------------------------

ORDER_NOTE = (
    "# grouped by service; the router runs the batch in the order removes, edits, moves, adds "
    "(the order of the commands result)"
)


def describe_forward(forward: PortForward) -> str:
    """``tcp/443 -> 192.168.88.10`` (``:80`` when the host port differs, ``tcp+udp`` for both)."""
    protocol = "tcp+udp" if forward.protocol == "both" else forward.protocol
    target = (
        forward.host if forward.target_port == forward.port else "{0}:{1}".format(forward.host, forward.target_port)
    )
    return "{0}/{1} -> {2}".format(protocol, forward.port, target)


def _nat_group(key: Optional[RuleKey]) -> Tuple[int, str]:
    if key is None:
        return (3, "")
    if key.kind == KIND_MASQUERADE:
        return (1, key.name)
    if key.kind == KIND_HAIRPIN_SUBNET:
        return (2, key.name)
    return (0, key.name)


def _nat_header(group: Tuple[int, str], forwards: Mapping[str, PortForward], only_removes: bool) -> str:
    rank, name = group
    if rank == 1:
        return "# masquerade out of {0}".format(name)
    if rank == 2:
        return "# hairpin NAT for the subnet {0}".format(name)
    if rank == 3:
        return "# other rules"
    forward = forwards.get(name)
    if forward is not None:
        return "# service {0} ({1})".format(name, describe_forward(forward))
    return "# service {0}{1}".format(name, " (removed)" if only_removes else "")


def _entry_header(menu: EntryMenu, op: EntryOperation) -> str:
    if menu.kind == KIND_ADDRESS_LIST:
        list_name = op.fields.get("list") if op.key is None else op.key.name.split(":", 1)[0]
        return "# address list {0}".format(list_name)
    return "# DNS static entries"


def render_diff(
    plan: Optional[Plan],
    entry_plans: Sequence[EntryPlan] = (),
    forwards: Iterable[PortForward] = (),
    drift: Iterable[object] = (),
    menu_plans: Sequence[Tuple[OrderedMenu, Plan]] = (),
) -> str:
    """The ``--diff`` text of a NAT plan (None: none) and the entry plans run before it: the commands of
    :func:`render_commands` and :func:`render_entry_commands` grouped per service (a header line
    each; ``forwards`` describe the services), each group in execution order, the drift the plan
    repairs (objects with ``key`` and ``message``) as ``# drift:`` lines at the head of its
    service. ``menu_plans``: the plans of the other ordered menus (the firewall filter), run
    after the NAT plan, their rules grouped under their service too. When the grouping changes
    the order, a first line says in which order the batch runs."""
    by_name = {forward.name: forward for forward in forwards}
    executed: List[str] = []
    groups: Dict[object, List[str]] = {}
    headers: Dict[object, str] = {}
    for entry_plan in entry_plans:
        for op in entry_plan.operations:
            lines = _annotated_entry(entry_plan.menu, op)
            executed.extend(lines)
            header = _entry_header(entry_plan.menu, op)
            group = (4, header)
            headers.setdefault(group, header)
            groups.setdefault(group, []).extend(lines)
    nat_ops: Dict[object, List[Operation]] = {}
    all_plans = ([(NAT_TABLE, plan)] if plan is not None else []) + list(menu_plans)
    for menu, menu_plan in all_plans:
        operations = menu_plan.operations
        rows = _rows_by_id(menu_plan.before)
        for op, lines in zip(operations, _nat_lines(operations, rows, menu)):
            executed.extend(lines)
            group = _nat_group(op.key)
            groups.setdefault(group, []).extend(lines)
            nat_ops.setdefault(group, []).append(op)
    drift_lines: Dict[object, List[str]] = {}
    for item in list(drift) + [item for _menu, menu_plan in menu_plans for item in menu_plan.drift]:
        group = _nat_group(item.key)  # type: ignore[attr-defined]
        drift_lines.setdefault(group, []).append(comment_line("drift: {0}".format(item.message)))  # type: ignore[attr-defined]
        groups.setdefault(group, [])
    for group, ops in nat_ops.items():
        only_removes = all(op.action == ACTION_REMOVE for op in ops)
        headers[group] = _nat_header(group, by_name, only_removes)  # type: ignore[arg-type]
    for group in drift_lines:
        headers.setdefault(group, _nat_header(group, by_name, False))  # type: ignore[arg-type]
    # Services in the order their first command runs, then the masquerades, the hairpin subnets
    # and the entry menus.
    first = {group: index for index, group in enumerate(groups)}
    ordered_groups = sorted(groups, key=lambda group: (group[0], first[group]))  # type: ignore[index]
    grouped = [line for group in ordered_groups for line in groups[group]]
    out: List[str] = []
    if grouped != executed:
        out.append(ORDER_NOTE)
    for group in ordered_groups:
        out.append(comment_line(headers[group][2:]))
        out.extend(drift_lines.get(group, []))
        out.extend(groups[group])
    return "\n".join(out) + "\n" if out else ""

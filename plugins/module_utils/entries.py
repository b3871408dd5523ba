# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The data inside here is private to this collection. If you use this from outside the collection,
# you are on your own. There can be random changes to its format even in bugfix releases!

"""Owned entries of *unordered* RouterOS menus: ``/ip/firewall/address-list`` and ``/ip/dns/static``.

Pure code: no I/O. Unlike NAT rules these entries have no meaningful order (RouterOS answers a
name from every matching static entry and an address list is a set), so planning is only
add / set / remove, keyed by an ownership marker at the start of the entry's comment:

* ``hairpin:address-list:<list>:<address>`` -- an address-list entry (the key RouterOS itself
  keeps unique), e.g. ``hairpin:address-list:hairpin-wan:gw.example.net``;
* ``hairpin:dns:<name>`` -- a static DNS ``A`` record, e.g. ``hairpin:dns:nas.example.net``.

As for NAT rules, the marker may be followed by one space and a free description, and an entry
whose comment is not a marker of its menu is foreign: never set or removed. Two owned entries
with the same key: the first is kept, the later ones are removed (a crashed run left them).

Operation order (every write references only ids that exist before the batch, so a caller can
send them all in one round trip): removes, then sets, then adds -- removing first frees the
(list, address) pair RouterOS keeps unique before an add could need it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.api import Command
from ansible_collections.hairpin.routeros.plugins.module_utils.cli import assignments, ordered
from ansible_collections.hairpin.routeros.plugins.module_utils.model import normalize_text
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    ACTION_REMOVE,
    ACTION_SET,
    STATE_DELETED,
    STATE_MERGED,
    STATE_OVERRIDDEN,
    WRITE_STATES,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import read_menu_adds
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import ValidationError
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    DNS_NAME_PATTERN,
    NAME_PATTERN,
    dns_name_problem,
    is_name,
    is_true,
    list_address_problem,
    normalize_address,
    normalize_dns_name,
    normalize_flag,
    normalize_list_address,
    text_problem,
    unicast_problem,
)

KIND_ADDRESS_LIST = "address-list"
KIND_DNS = "dns"

Row = Mapping[str, object]

# What an address-list entry may hold in its marker: an IPv4 address, subnet or range, or a
# DNS name (RouterOS resolves it and keeps dynamic entries for its addresses).
_LIST_ADDRESS_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_./-]*"

_MARKER_RES = {
    KIND_ADDRESS_LIST: re.compile(
        r"\Ahairpin:address-list:(?P<list>" + NAME_PATTERN + r"):(?P<address>" + _LIST_ADDRESS_PATTERN + r")"
        r"(?: (?P<description>.*))?\Z",
        re.DOTALL,
    ),
    KIND_DNS: re.compile(
        r"\Ahairpin:dns:(?P<name>" + DNS_NAME_PATTERN + r")(?: (?P<description>.*))?\Z",
        re.DOTALL,
    ),
}


class EntryError(ValueError):
    """Entries that cannot be planned: duplicates in the config, or a foreign entry in the way."""


class EntryKey(NamedTuple):
    """Identity of an owned entry: the menu's marker kind and its name (``list:address`` or the DNS name)."""

    kind: str
    name: str


# ---------------------------------------------------------------------------------------------
# The two menus, as data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryMenu:
    """One unordered menu: where it lives and which properties we write and compare.

    ``fields`` are in the order rendered CLI lines use; ``defaults`` are the values RouterOS
    reports for a property that was never set (compared as if they were written).
    """

    kind: str
    path: str
    cli_menu: str
    fields: Tuple[str, ...]
    defaults: Mapping[str, str]
    normalizers: Mapping[str, object]

    def normalize(self, name: str, value: object) -> str:
        normalizer = self.normalizers.get(name, normalize_text)
        return normalizer(value)  # type: ignore[operator]

    def effective(self, row: Row, name: str) -> Optional[str]:
        value = row.get(name)
        if value is None:
            return self.defaults.get(name)
        return self.normalize(name, value)


ADDRESS_LIST = EntryMenu(
    kind=KIND_ADDRESS_LIST,
    path="/ip/firewall/address-list",
    cli_menu="/ip firewall address-list",
    fields=("list", "address", "comment", "disabled"),
    defaults={"disabled": "false"},
    normalizers={"address": normalize_list_address, "disabled": normalize_flag},
)

DNS_STATIC = EntryMenu(
    kind=KIND_DNS,
    path="/ip/dns/static",
    cli_menu="/ip dns static",
    # `type` is compared (default A) so an owned entry someone turned into a CNAME is put back.
    fields=("name", "type", "address", "comment", "disabled"),
    defaults={"disabled": "false", "type": "A"},
    normalizers={
        "name": normalize_dns_name,
        "type": lambda value: normalize_text(value).upper(),
        "address": normalize_address,
        "disabled": normalize_flag,
    },
)

# The properties of both menus that are flags (written yes/no).
_FLAGS = frozenset(("disabled",))

MENUS: Mapping[str, EntryMenu] = {menu.kind: menu for menu in (ADDRESS_LIST, DNS_STATIC)}


# ---------------------------------------------------------------------------------------------
# Markers
# ---------------------------------------------------------------------------------------------


def format_entry_marker(key: EntryKey, description: Optional[str] = None) -> str:
    marker = "hairpin:{0}:{1}".format(key.kind, key.name)
    if description:
        marker = "{0} {1}".format(marker, description)
    if split_entry_comment(marker, key.kind)[0] != key:
        raise EntryError("{0!r} cannot be the name of an owned {1} entry".format(key.name, key.kind))
    return marker


def split_entry_comment(comment: object, kind: str) -> Tuple[Optional[EntryKey], Optional[str]]:
    """(key, description) of an owned entry's comment in the menu of ``kind``; (None, None) if foreign."""
    if not isinstance(comment, str) or not comment.startswith("hairpin:"):
        return None, None
    match = _MARKER_RES[kind].match(comment)
    if match is None:
        return None, None
    groups = match.groupdict()
    name = "{0}:{1}".format(groups["list"], groups["address"]) if kind == KIND_ADDRESS_LIST else groups["name"]
    return EntryKey(kind, name), groups["description"]


def parse_entry_marker(comment: object, kind: str) -> Optional[EntryKey]:
    return split_entry_comment(comment, kind)[0]


# ---------------------------------------------------------------------------------------------
# Desired entries
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One entry we want. ``fields`` are normalised and hold only non-default values (so the
    dict is also the body of an ``add``), the marker comment included."""

    menu: EntryMenu
    key: EntryKey
    fields: Mapping[str, str]


def address_list_key(list_name: str, address: str) -> EntryKey:
    return EntryKey(KIND_ADDRESS_LIST, "{0}:{1}".format(normalize_text(list_name), normalize_list_address(address)))


def dns_key(name: str) -> EntryKey:
    return EntryKey(KIND_DNS, normalize_dns_name(name))


def _entry(menu: EntryMenu, key: EntryKey, values: Mapping[str, object], description: Optional[str]) -> Entry:
    fields: Dict[str, str] = {}
    for name, raw in values.items():
        if raw is None:
            continue
        value = menu.normalize(name, raw)
        if value != menu.defaults.get(name):
            fields[name] = value
    fields["comment"] = format_entry_marker(key, description)
    return Entry(menu, key, fields)


def address_list_entry(
    list_name: str, address: str, description: Optional[str] = None, disabled: bool = False
) -> Entry:
    """An owned ``/ip/firewall/address-list`` entry (``address`` may be a DNS name)."""
    key = address_list_key(list_name, address)
    values = {"list": list_name, "address": address, "disabled": disabled}
    return _entry(ADDRESS_LIST, key, values, description)


def dns_entry(
    name: str, address: Optional[str] = None, description: Optional[str] = None, disabled: bool = False
) -> Entry:
    """An owned static DNS ``A`` record. Without ``address`` it only names an entry (state deleted)."""
    values = {"name": name, "address": address, "disabled": disabled}
    return _entry(DNS_STATIC, dns_key(name), values, description)


# ---------------------------------------------------------------------------------------------
# Checks of config entries (messages name the entry and the field, like NAT services)
# ---------------------------------------------------------------------------------------------


def _duplicates(labels: Iterable[Tuple[str, EntryKey]], what: str, host: Optional[str]) -> List[ValidationError]:
    errors = []
    seen: Dict[EntryKey, str] = {}
    for label, key in labels:
        if key in seen:
            errors.append(
                ValidationError(label, "name", "is given twice as {0} (also as {1!r})".format(what, seen[key]), host)
            )
        else:
            seen[key] = label
    return errors


def check_address_list_config(
    config: Sequence[Mapping[str, object]], *, host: Optional[str] = None
) -> List[ValidationError]:
    """Every problem with address-list config entries ``{list, address, comment}``."""
    errors: List[ValidationError] = []
    keys = []
    for entry in config:
        list_name, address = entry.get("list"), entry.get("address")
        label = "{0}:{1}".format(list_name, address)
        if not is_name(list_name):
            errors.append(
                ValidationError(
                    label,
                    "list",
                    "{0!r} is not a list name hairpin can own (1-64 letters, digits, '_', '.', '-')".format(list_name),
                    host,
                )
            )
            continue
        if address in (None, ""):
            errors.append(ValidationError(label, "address", "is required", host))
            continue
        problem = list_address_problem(address)
        if problem is not None:
            errors.append(ValidationError(label, "address", problem, host))
            continue
        if entry.get("comment") is not None:
            problem = text_problem(entry["comment"])
            if problem is not None:
                errors.append(ValidationError(label, "comment", problem, host))
        keys.append((label, address_list_key(list_name, str(address))))
    return errors + _duplicates(keys, "an address-list entry", host)


def check_dns_config(
    config: Sequence[Mapping[str, object]], *, host: Optional[str] = None, need_address: bool = True
) -> List[ValidationError]:
    """Every problem with DNS config entries ``{name, address, comment}`` (``need_address``
    is False for state deleted, where only names matter)."""
    errors: List[ValidationError] = []
    keys = []
    for entry in config:
        name = entry.get("name")
        label = str(name)
        problem = dns_name_problem(name) if name not in (None, "") else "is required"
        if problem is not None:
            errors.append(ValidationError(label, "name", problem, host))
            continue
        address = entry.get("address")
        if address in (None, ""):
            if need_address:
                errors.append(ValidationError(label, "address", "is required", host))
        else:
            problem = unicast_problem(address)
            if problem is not None:
                errors.append(ValidationError(label, "address", problem, host))
        if entry.get("comment") is not None:
            problem = text_problem(entry["comment"])
            if problem is not None:
                errors.append(ValidationError(label, "comment", problem, host))
        keys.append((label, dns_key(str(name))))
    return errors + _duplicates(keys, "a DNS name", host)


def address_list_entries(config: Sequence[Mapping[str, object]]) -> List[Entry]:
    """Entries from checked config ``{list, address, comment, disabled}``."""
    return [
        address_list_entry(
            str(entry["list"]),
            str(entry["address"]),
            entry.get("comment"),  # type: ignore[arg-type]
            bool(entry.get("disabled")),
        )
        for entry in config
    ]


def dns_entries(config: Sequence[Mapping[str, object]]) -> List[Entry]:
    """Entries from checked config ``{name, address, comment, disabled}``."""
    return [
        dns_entry(
            str(entry["name"]),
            None if entry.get("address") in (None, "") else str(entry["address"]),
            entry.get("comment"),  # type: ignore[arg-type]
            bool(entry.get("disabled")),
        )
        for entry in config
    ]


# ---------------------------------------------------------------------------------------------
# The planner
# ---------------------------------------------------------------------------------------------


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


def _is_dynamic(row: Row) -> bool:
    return is_true(row.get("dynamic"))


def owned_key(row: Row, menu: EntryMenu) -> Optional[EntryKey]:
    """The key of an owned entry of ``menu``, or None (foreign, or dynamic)."""
    if _is_dynamic(row):
        return None
    return parse_entry_marker(row.get("comment"), menu.kind)


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
                if _is_dynamic(row) or menu.effective(row, "disabled") == "true":
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


# ---------------------------------------------------------------------------------------------
# Operations -> API sentences and CLI lines
# ---------------------------------------------------------------------------------------------


def entry_commands(plan: EntryPlan) -> List[Command]:
    """The API sentences that carry out ``plan``, in order (the CLI twin is :func:`render_entry_commands`)."""
    path = plan.menu.path
    commands = []
    for op in plan.operations:
        if op.action == ACTION_ADD:
            commands.append(Command(path + "/add", _ordered(plan.menu, op.fields)))
        elif op.action == ACTION_SET:
            attributes = {".id": str(op.id)}
            attributes.update(_ordered(plan.menu, op.fields))
            commands.append(Command(path + "/set", attributes))
        elif op.action == ACTION_REMOVE:
            commands.append(Command(path + "/remove", {".id": str(op.id)}))
        else:  # pragma: no cover - the planner makes no other action
            raise ValueError("unknown operation {0!r}".format(op.action))
    return commands


def _ordered(menu: EntryMenu, fields: Mapping[str, str]) -> Dict[str, str]:
    return dict(ordered(fields, menu.fields))


def _assignments(menu: EntryMenu, fields: Mapping[str, str]) -> str:
    return assignments(fields, menu.fields, _FLAGS)


def render_entry_operation(menu: EntryMenu, op: EntryOperation) -> str:
    if op.action == ACTION_ADD:
        return "{0} add {1}".format(menu.cli_menu, _assignments(menu, op.fields))
    if op.action == ACTION_SET:
        return "{0} set {1} {2}".format(menu.cli_menu, op.id, _assignments(menu, op.fields))
    if op.action == ACTION_REMOVE:
        return "{0} remove {1}".format(menu.cli_menu, op.id)
    raise ValueError("unknown operation {0!r}".format(op.action))


def render_entry_commands(plan: EntryPlan) -> List[str]:
    """CLI lines for ``plan``, in execution order (``/ip dns static add name=... address=... comment=...``)."""
    return [render_entry_operation(plan.menu, op) for op in plan.operations]


# ---------------------------------------------------------------------------------------------
# Rows -> config (gathered / parsed)
# ---------------------------------------------------------------------------------------------


def rows_to_entry_config(menu: EntryMenu, rows: Sequence[Row]) -> Dict[str, List[Dict[str, object]]]:
    """Owned rows of ``menu`` as config entries (``config``, first of each key, table order) and
    every other row as plain data (``foreign``)."""
    config: List[Dict[str, object]] = []
    foreign: List[Dict[str, object]] = []
    seen = set()
    for row in rows:
        key = owned_key(row, menu)
        if key is None:
            foreign.append({name: normalize_text(value) for name, value in row.items()})
            continue
        if key in seen:
            continue
        seen.add(key)
        description = split_entry_comment(row.get("comment"), menu.kind)[1]
        entry: Dict[str, object] = {}
        for name in menu.fields:
            if name in ("comment", "disabled", "type"):
                continue
            value = menu.effective(row, name)
            if value is not None:
                entry[name] = value
        if description is not None:
            entry["comment"] = description
        entry["disabled"] = menu.effective(row, "disabled") == "true"
        config.append(entry)
    return {"config": config, "foreign": foreign}


def parse_entries_rsc(menu: EntryMenu, text: str) -> List[Dict[str, str]]:
    """Rows of every ``add`` in ``menu``'s section of RouterOS script ``text`` (an ``/export``
    or our own rendered lines); other menus and commands are skipped."""
    return read_menu_adds(text, menu.cli_menu.strip("/"))

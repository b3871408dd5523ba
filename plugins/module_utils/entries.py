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

The planner of such entries is entry_plan.py, their checks are in validate.py, their CLI in
render.py and their API sentences in writes.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import normalize_text
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import is_dynamic
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    DNS_NAME_PATTERN,
    NAME_PATTERN,
    normalize_address,
    normalize_dns_name,
    normalize_flag,
    normalize_list_address,
)

KIND_ADDRESS_LIST = "address-list"
KIND_DNS = "dns"
# Reply routing of several WANs: a routing table per WAN (RouterOS 7) and its default route.
KIND_ROUTING_TABLE = "routing-table"
KIND_ROUTE = "route"

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
    KIND_ROUTING_TABLE: re.compile(
        r"\Ahairpin:routing-table:(?P<name>" + NAME_PATTERN + r")(?: (?P<description>.*))?\Z",
        re.DOTALL,
    ),
    KIND_ROUTE: re.compile(
        r"\Ahairpin:route:(?P<name>" + NAME_PATTERN + r")(?: (?P<description>.*))?\Z",
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
# A WAN's own routing table (RouterOS 7, ``/routing table add name=... fib``), named by the
# engine. ``fib`` is a flag RouterOS prints without a value: it is written, not compared.
ROUTING_TABLE = EntryMenu(
    kind=KIND_ROUTING_TABLE,
    path="/routing/table",
    cli_menu="/routing table",
    fields=("name", "comment", "disabled"),
    defaults={"disabled": "false"},
    normalizers={"disabled": normalize_flag},
)

# The default route of a WAN's routing table, owned by its comment (``hairpin:route:<wan>``).
ROUTE = EntryMenu(
    kind=KIND_ROUTE,
    path="/ip/route",
    cli_menu="/ip route",
    fields=("dst-address", "gateway", "routing-table", "comment", "disabled"),
    defaults={"disabled": "false", "routing-table": "main"},
    normalizers={"dst-address": normalize_address, "disabled": normalize_flag},
)

ENTRY_FLAGS = frozenset(("disabled",))

MENUS: Mapping[str, EntryMenu] = {menu.kind: menu for menu in (ADDRESS_LIST, DNS_STATIC, ROUTING_TABLE, ROUTE)}


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


def routing_table_entry(name: str, description: Optional[str] = None) -> Entry:
    """An owned ``/routing/table`` entry with a FIB (the table a WAN's replies are routed by)."""
    entry = _entry(ROUTING_TABLE, EntryKey(KIND_ROUTING_TABLE, normalize_text(name)), {"name": name}, description)
    return Entry(entry.menu, entry.key, dict(entry.fields, fib=""))


def route_entry(wan: str, table: str, gateway: Optional[str] = None, description: Optional[str] = None) -> Entry:
    """The owned default route of ``wan``'s table, through ``gateway`` (named by the WAN)."""
    values = {"dst-address": "0.0.0.0/0", "gateway": gateway, "routing-table": table}
    return _entry(ROUTE, EntryKey(KIND_ROUTE, normalize_text(wan)), values, description)


def routing_table_entries(config: Sequence[Mapping[str, object]]) -> List[Entry]:
    """Entries from checked config ``{name, comment}``."""
    return [routing_table_entry(str(entry["name"]), entry.get("comment")) for entry in config]  # type: ignore[arg-type]


def route_entries(config: Sequence[Mapping[str, object]]) -> List[Entry]:
    """Entries from checked config ``{wan, routing-table, gateway, comment}``."""
    return [
        route_entry(
            str(entry["wan"]),
            str(entry.get("routing-table") or ""),
            None if entry.get("gateway") in (None, "") else str(entry["gateway"]),
            entry.get("comment"),  # type: ignore[arg-type]
        )
        for entry in config
    ]


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


def owned_key(row: Row, menu: EntryMenu) -> Optional[EntryKey]:
    """The key of an owned entry of ``menu``, or None (foreign, or dynamic)."""
    if is_dynamic(row):
        return None
    return parse_entry_marker(row.get("comment"), menu.kind)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# The router as one read: the NAT table, the facts the checks need (interfaces, lists, addresses,
# IP services; the firewall filter for the analysis) and the owned-entry menus a call manages, all
# in one round trip.

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.api import Command
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import (
    ADDRESS_LIST,
    DNS_STATIC,
    ROUTE,
    ROUTING_TABLE,
    EntryMenu,
    address_list_entries,
    dns_entries,
    route_entries,
    routing_table_entries,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.gather import rows_to_config
from ansible_collections.hairpin.routeros.plugins.module_utils.model import is_owned, parse_marker
from ansible_collections.hairpin.routeros.plugins.module_utils.options import NAT_PATH
from ansible_collections.hairpin.routeros.plugins.module_utils.safe_apply import (
    CLOCK_READ,
    SCHEDULER_READ,
    SCRIPT_READ,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import (
    RouterFacts,
    ValidationError,
    check_address_list_config,
    check_dns_config,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import interface_address, is_true

NAT_READ = _NAT_READ = Command(NAT_PATH + "/print")
_FACT_COMMANDS = (
    Command("/interface/print", {".proplist": "name"}),
    Command("/interface/list/print", {".proplist": "name"}),
    Command("/interface/list/member/print", {".proplist": "list,interface"}),
    Command("/ip/address/print", {".proplist": "address,interface,disabled"}),
    Command("/ip/service/print", {".proplist": "name,port,address,disabled"}),
)
# The whole filter, in table order: the analysis's verdicts rest on positions and every matcher,
# and the owned accepts are planned among its rows. A read for the analysis or for the owned
# accepts takes it.
FILTER_READ = _FILTER_READ = Command("/ip/firewall/filter/print")
# The whole IPv6 filter, for the owned pinholes: placed among its rows, and removed when their
# service leaves the inventory or drops its IPv6 address, so a call that owns them reads it
# whether or not a service has one now.
FILTER6_READ = Command("/ipv6/firewall/filter/print")
# Its address lists, for the rules that match on them (defconf drops what goes to bad_ipv6).
ADDRESS_LISTS6_READ = Command("/ipv6/firewall/address-list/print", {".proplist": "list,address,disabled"})
_IPV6_PATHS = frozenset((FILTER6_READ.path, ADDRESS_LISTS6_READ.path))
# The mangle table, in table order: the owned reply-routing rules of several WANs are planned
# among its rows. A services call takes it, so a WAN that left the inventory loses its rules.
MANGLE_READ = Command("/ip/firewall/mangle/print")
# Counters change all the time and say nothing about configuration.
_COUNTERS = ("bytes", "packets")


@dataclass(frozen=True)
class EntrySection:
    """An unordered menu of owned entries a call can manage (module option `option`):
    address-list entries (a DDNS name) and static DNS entries (split DNS)."""

    option: str
    menu: EntryMenu
    check: Callable[..., List[ValidationError]]
    build: Callable[[Sequence[Mapping[str, Any]]], List[Any]]
    # Owned entries can be anywhere in the menu; the properties we compare are all we read,
    # since such menus (block lists) can be large.
    read: Command


def _checked_with_the_wans(config: Sequence[Mapping[str, Any]], host: Optional[str] = None) -> List[ValidationError]:
    """Routing tables and routes are the engine's own, made of WANs the services checks passed."""
    del config, host
    return []


ADDRESS_LISTS, DNS_ENTRIES, ROUTING_TABLES, ROUTES = ENTRY_SECTIONS = (
    EntrySection(
        "address_lists",
        ADDRESS_LIST,
        check_address_list_config,
        address_list_entries,
        Command("/ip/firewall/address-list/print", {".proplist": ".id,list,address,comment,disabled,dynamic"}),
    ),
    EntrySection(
        "dns_static",
        DNS_STATIC,
        check_dns_config,
        dns_entries,
        Command("/ip/dns/static/print", {".proplist": ".id,name,type,address,comment,disabled,dynamic"}),
    ),
    # Before the routes: a route names its table, so the table is added first.
    EntrySection(
        "routing_tables",
        ROUTING_TABLE,
        _checked_with_the_wans,
        routing_table_entries,
        Command("/routing/table/print", {".proplist": ".id,name,fib,comment,disabled,dynamic"}),
    ),
    EntrySection(
        "routes",
        ROUTE,
        _checked_with_the_wans,
        route_entries,
        # Owned routes are default routes: the query keeps a full routing table off the wire.
        Command(
            "/ip/route/print",
            {".proplist": ".id,dst-address,gateway,routing-table,comment,disabled,dynamic"},
            ["?dst-address=0.0.0.0/0"],
        ),
    ),
)


@dataclass
class RouterView:
    nat: List[Dict[str, Any]]
    facts: RouterFacts
    # interface -> networks configured on it (enabled /ip/address entries)
    networks: Dict[str, List[str]]
    list_members: Dict[str, FrozenSet[str]]
    # option of an EntrySection -> its menu's rows
    entries: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)
    # /ip/firewall/filter rows in table order (None: not read)
    filter: Optional[List[Dict[str, Any]]] = None
    # /ipv6/firewall/filter rows in table order (None: not read, or the router has no IPv6)
    filter6: Optional[List[Dict[str, Any]]] = None
    # False when the IPv6 filter was asked for and the router has no /ipv6 menu (RouterOS 6
    # without its ipv6 package)
    ipv6: bool = True
    # /ipv6/firewall/address-list list -> its enabled addresses (read with the IPv6 filter)
    address_lists6: Dict[str, List[str]] = field(default_factory=dict)
    # /ip/firewall/mangle rows in table order (None: not read)
    mangle: Optional[List[Dict[str, Any]]] = None
    # enabled /ip/service name -> the address= prefixes it admits (empty: every client)
    service_addresses: Dict[str, List[str]] = field(default_factory=dict)
    # interface -> its enabled /ip/address values (address/prefix)
    interface_addresses: Dict[str, List[str]] = field(default_factory=dict)
    # /system/clock, /system/scheduler and /system/script rows (None: not read), for a run that
    # may arm a revert
    clock: Optional[List[Dict[str, Any]]] = None
    schedulers: Optional[List[Dict[str, Any]]] = None
    scripts: Optional[List[Dict[str, Any]]] = None

    def lan_networks(self, lan_interface: Optional[str], lan_interface_list: Optional[str]) -> List[str]:
        interfaces = set()
        if lan_interface:
            interfaces.add(lan_interface)
        if lan_interface_list:
            interfaces.update(self.list_members.get(lan_interface_list, frozenset()))
        return [net for name in sorted(interfaces) for net in self.networks.get(name, [])]


def _enabled(row: Mapping[str, Any]) -> bool:
    return not is_true(row.get("disabled"))


def read_router(
    connection: Any,
    *,
    facts: bool = True,
    entries: Sequence[EntrySection] = (),
    firewall: bool = False,
    ipv6_firewall: bool = False,
    safe: bool = False,
    mangle: bool = False,
) -> RouterView:
    """Everything the plan and the checks need, in one round trip: the NAT table and the router
    facts (unless `facts` is false: a call about entry menus only), the firewall filter (with
    `firewall`, for the analysis), the IPv6 filter (with `ipv6_firewall`), the menus of
    `entries`, and with `safe` (a run that arms a revert before it writes) the router's clock,
    its scheduler and its scripts; with `mangle` the mangle table."""
    fact_commands = [_NAT_READ, *_FACT_COMMANDS] if facts else []
    filter_commands = ([_FILTER_READ] if firewall else []) + (
        [FILTER6_READ, ADDRESS_LISTS6_READ] if ipv6_firewall else []
    )
    filter_commands += [MANGLE_READ] if mangle else []
    safe_commands = [CLOCK_READ, SCHEDULER_READ, SCRIPT_READ] if safe else []
    commands = fact_commands + filter_commands + [section.read for section in entries] + safe_commands
    # A RouterOS 6 router may run without its ipv6 package: no /ipv6 menu, and no IPv6 to manage.
    replies = connection.read(commands, absent_ok=_IPV6_PATHS) if ipv6_firewall else connection.read(commands)
    if safe:
        clock, schedulers, scripts = replies[-3:]
        replies = replies[:-3]
    view = RouterView([], RouterFacts(), {}, {})
    if facts:
        view = _view(*replies[: len(fact_commands)])
    replies = replies[len(fact_commands) :]
    if firewall:
        view.filter = list(replies[0])
        replies = replies[1:]
    if ipv6_firewall and (replies[0] is None or replies[1] is None):
        view.ipv6 = False
        replies = replies[2:]
    elif ipv6_firewall:
        view.filter6 = list(replies[0])
        for row in replies[1]:
            if _enabled(row) and "list" in row and "address" in row:
                view.address_lists6.setdefault(str(row["list"]), []).append(str(row["address"]))
        replies = replies[2:]
    if mangle:
        view.mangle = list(replies[0])
        replies = replies[1:]
    for section, rows in zip(entries, replies):
        view.entries[section.option] = rows
    if safe:
        view.clock, view.schedulers, view.scripts = list(clock), list(schedulers), list(scripts)
    return view


def _prefixes(value: Any) -> List[str]:
    # librouteros hands a list value over as text: "192.168.88.0/24,10.0.0.0/8".
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def _view(nat, interfaces, lists, members, addresses, services) -> RouterView:
    networks: Dict[str, List[str]] = {}
    own = []
    by_interface: Dict[str, List[str]] = {}
    for row in addresses:
        if not _enabled(row) or "address" not in row:
            continue
        own.append(str(row["address"]))
        by_interface.setdefault(str(row.get("interface", "")), []).append(str(row["address"]))
        interface = interface_address(row["address"])
        if interface is not None:
            networks.setdefault(str(row.get("interface", "")), []).append(str(interface.network))
    list_members: Dict[str, set] = {}
    for row in members:
        list_members.setdefault(str(row.get("list", "")), set()).add(str(row.get("interface", "")))
    facts = RouterFacts(
        interfaces=frozenset(str(row["name"]) for row in interfaces if "name" in row),
        interface_lists=frozenset(str(row["name"]) for row in lists if "name" in row),
        addresses=frozenset(own),
        services={
            str(row["name"]): int(row["port"])
            for row in services
            if _enabled(row) and "name" in row and str(row.get("port", "")).isdigit()
        },
    )
    return RouterView(
        nat,
        facts,
        networks,
        {k: frozenset(v) for k, v in list_members.items()},
        service_addresses={
            str(row["name"]): _prefixes(row.get("address")) for row in services if _enabled(row) and "name" in row
        },
        interface_addresses=by_interface,
    )


def owned_rows(rows: Sequence[Mapping[str, Any]], kinds: FrozenSet[str]) -> List[Dict[str, Any]]:
    """The owned rules of `kinds`, as the router printed them (counters left out)."""
    return [{k: v for k, v in row.items() if k not in _COUNTERS} for row in rows if is_owned(row, kinds)]


def describe_table(view: RouterView) -> Dict[str, Any]:
    """The NAT table and the router facts as plain data (the nat_info module's result)."""
    rules = []
    for position, row in enumerate(view.nat):
        entry = {k: v for k, v in row.items() if k not in _COUNTERS}
        key = parse_marker(row.get("comment"))
        owned = key is not None and not is_true(row.get("dynamic"))
        entry["position"] = position
        entry["owned"] = owned
        if owned:
            entry["owner"] = dict(kind=key.kind, name=key.name, protocol=key.protocol)
        rules.append(entry)
    return dict(
        rules=rules,
        config=rows_to_config(view.nat),
        facts=dict(
            interfaces=sorted(view.facts.interfaces),
            interface_lists=sorted(view.facts.interface_lists),
            interface_list_members={name: sorted(members) for name, members in sorted(view.list_members.items())},
            addresses=sorted(view.facts.addresses),
            services=dict(view.facts.services),
            lan_networks={name: list(nets) for name, nets in sorted(view.networks.items())},
        ),
    )

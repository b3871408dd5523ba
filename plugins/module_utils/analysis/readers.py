# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Readers of what a router holds: an ``/export`` (``.rsc``) and a router view read over the API,
turned into the analysis' inputs (NAT rows, :class:`Facts`).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import (
    DEFAULT_ROUTER_SERVICES,
    Facts,
    addresses_from_data,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import (
    read_commands,
    read_menu_adds,
    read_nat_adds,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true


def _rsc_lines(text: str) -> Iterable[Tuple[int, str, str, List[str]]]:
    """(line number, menu, command, arguments) of every command line of RouterOS script."""
    # script_reader.py owns RouterOS script reading (quoting, continuations, menu headers).
    return read_commands(text)


def _assignments(arguments: Sequence[str]) -> Tuple[List[str], Dict[str, str]]:
    positional, values = [], {}
    for argument in arguments:
        name, sep, value = argument.partition("=")
        if sep and not argument.startswith("["):
            values[name] = value
        else:
            positional.append(argument)
    return positional, values


def enabled(values: Mapping[str, Any]) -> bool:
    return not is_true(values.get("disabled"))


FILTER_MENU = "ip firewall filter"
FILTER6_MENU = "ipv6 firewall filter"


def facts_from_rsc(text: str) -> Facts:
    """The router side of Facts from an ``/export``: interface list members, addresses, address
    lists, static DNS, IP services (RouterOS defaults plus the export's ``set`` lines)."""
    facts = Facts()
    services = {name: [port, enabled] for name, (port, enabled) in DEFAULT_ROUTER_SERVICES.items()}
    for _number, menu, command, arguments in _rsc_lines(text):
        positional, values = _assignments(arguments)
        if command == "add" and not enabled(values):
            continue
        if menu == "interface list member" and command == "add":
            facts.interface_list_members.setdefault(values.get("list", ""), []).append(values.get("interface", ""))
        elif menu == "interface list" and command == "add" and "name" in values:
            facts.interface_list_members.setdefault(values["name"], [])
        elif menu == "ip address" and command == "add" and "address" in values:
            facts.addresses.append((values.get("interface", ""), values["address"]))
        elif menu == "ip firewall address-list" and command == "add" and "list" in values:
            facts.address_lists.setdefault(values["list"], []).append(values.get("address", ""))
        elif menu == "ipv6 firewall address-list" and command == "add" and "list" in values:
            if not is_true(values.get("disabled")):
                facts.address_lists6.setdefault(values["list"], []).append(values.get("address", ""))
        elif menu == "ip dns static" and command == "add" and "address" in values and "name" in values:
            if values.get("type", "A") == "A":
                facts.dns_static.append((values["name"].rstrip(".").lower(), values["address"]))
        elif menu == "ip service" and command == "set":
            name = _service_name(positional)
            if name is None:
                continue
            entry = services.setdefault(name, [0, True])
            if "port" in values:
                entry[0] = int(values["port"])
            if "disabled" in values:
                entry[1] = not is_true(values["disabled"])
            if "address" in values:
                facts.service_addresses[name] = _address_entries(values["address"])
    facts.services = {name: port for name, (port, enabled) in services.items() if enabled and port}
    facts.service_addresses = {name: v for name, v in facts.service_addresses.items() if name in facts.services and v}
    # An export lists every filter rule, so no filter section means an empty filter; disabled
    # rules stay in, since positions count them.
    facts.firewall_filter = read_menu_adds(text, FILTER_MENU, drop=("place-before",))
    facts.firewall_filter6 = read_menu_adds(text, FILTER6_MENU, drop=("place-before",))
    # So do the mangle table and the static routes (dynamic ones, a DHCP client's default route,
    # are not exported: without a static default route the reply routing is not checked).
    facts.mangle = read_menu_adds(text, "ip firewall mangle", drop=("place-before",))
    facts.routes = read_menu_adds(text, "ip route")
    return facts


def _address_entries(text: str) -> List[str]:
    return [entry for entry in str(text).split(",") if entry]


def _service_name(positional: Sequence[str]) -> Optional[str]:
    for word in positional:
        match = re.search(r"name=([A-Za-z0-9_-]+)", word)
        if match:
            return match.group(1)
        if re.match(r"\A[A-Za-z][A-Za-z0-9_-]*\Z", word):
            return word
    return None


def rows_from_rsc(text: str) -> List[Dict[str, str]]:
    """The NAT table of an ``/export`` (the engine's reader)."""
    return read_nat_adds(text)


def facts_from_view(view: Any) -> Facts:
    """The router side of Facts from a router view (``runner.read_router`` with the address-list
    and static DNS entries read, ``entries=[ADDRESS_LISTS, DNS_ENTRIES]``).

    The firewall filter comes from ``view.filter`` (None: not read); ``view.service_addresses``
    says which clients each service accepts."""
    facts = Facts()
    facts.addresses = addresses_from_data(sorted(view.facts.addresses), view.networks)
    facts.interface_list_members = {name: sorted(members) for name, members in view.list_members.items()}
    for name in view.facts.interface_lists:
        facts.interface_list_members.setdefault(name, [])
    for row in view.entries.get("address_lists", []):
        if enabled(row) and "list" in row and "address" in row:
            facts.address_lists.setdefault(str(row["list"]), []).append(str(row["address"]))
    facts.services = dict(view.facts.services)
    for row in view.entries.get("dns_static", []):
        if enabled(row) and row.get("name") and row.get("address") and str(row.get("type", "A")) == "A":
            facts.dns_static.append((str(row["name"]).rstrip(".").lower(), str(row["address"])))
    facts.firewall_filter = None if view.filter is None else [dict(row) for row in view.filter]
    filter6 = getattr(view, "filter6", None)
    facts.firewall_filter6 = None if filter6 is None else [dict(row) for row in filter6]
    facts.address_lists6 = {name: list(found) for name, found in getattr(view, "address_lists6", {}).items()}
    facts.mangle = None if view.mangle is None else [dict(row) for row in view.mangle]
    routes = view.entries.get("routes")
    facts.routes = None if routes is None else [dict(row) for row in routes]
    facts.service_addresses = {name: list(prefixes) for name, prefixes in view.service_addresses.items() if prefixes}
    return facts

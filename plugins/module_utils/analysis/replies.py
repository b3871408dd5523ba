# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Reply routing of a router with several WANs: does a forward on a WAN the main table's
default route does not leave by get its replies back out of that WAN?

The server's replies are routed like any packet from the LAN: by the main table, out of the
default route's WAN, with the other WAN's address as source, and the client drops them. They go
back the way the connection came only when the mangle table marks the WAN's inbound
connections (``mark-connection`` in prerouting, ``in-interface`` the WAN) and gives their
packets a routing mark (``mark-routing`` on that ``connection-mark``) whose table has a default
route (``routing-table=`` on RouterOS 7, ``routing-mark=`` on RouterOS 6).
"""

from __future__ import annotations

import ipaddress
from typing import Any, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.published import Service
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology
from ansible_collections.hairpin.routeros.plugins.module_utils.values import first_address, is_true

DEFAULT_ROUTE = "0.0.0.0/0"


def _enabled(row: Mapping[str, Any]) -> bool:
    return not is_true(row.get("disabled"))


def _text(row: Mapping[str, Any], name: str) -> str:
    return str(row.get(name) or "")


def _table_of(route: Mapping[str, Any]) -> str:
    return _text(route, "routing-table") or _text(route, "routing-mark") or "main"


def _default_routes(routes: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    return [row for row in routes if _enabled(row) and _text(row, "dst-address") in (DEFAULT_ROUTE, "")]


def gateway_interface(gateway: str, topology: Topology) -> Optional[str]:
    """The interface a route's gateway is on: named (``gateway=ether1``) or reached by one of the
    router's connected networks; None when the facts cannot tell."""
    for part in gateway.split(","):
        part = part.strip().split("%", 1)[0]
        if part in topology.wan_interfaces or part in {name for name, _address in topology.addresses}:
            return part
        try:
            address = ipaddress.IPv4Address(part)
        except ValueError:
            continue
        for name, interface in topology.addresses:
            if address in interface.network:
                return name
    return None


def default_wan(routes: Sequence[Mapping[str, Any]], topology: Topology) -> Optional[str]:
    """The WAN the main table's default route leaves by (the enabled one of the lowest distance,
    RouterOS's choice; the first of equals); None: unknown."""

    def distance(row: Mapping[str, Any]) -> int:
        text = _text(row, "distance")
        return int(text) if text.isdigit() else 1

    for row in sorted(_default_routes(routes), key=distance):
        if _table_of(row) == "main":
            found = gateway_interface(_text(row, "gateway"), topology)
            if found is not None:
                return found
    return None


def forward_wan(service: Service, topology: Topology) -> Optional[str]:
    """The WAN a forward is published on: its ``in-interface``, or the WAN that holds its
    ``dst-address``; None when it names neither (it then is on every WAN)."""
    rule = service.rule
    interface = rule.get("in-interface")
    if interface and not interface.startswith("!") and interface in topology.wan_interfaces:
        return interface
    spec = rule.get("dst-address")
    if spec and not spec.startswith("!") and "/" not in spec and "-" not in spec:
        address = first_address(spec)
        for name, interface_address in topology.addresses:
            if name in topology.wan_interfaces and interface_address.ip == address:
                return name
    return None


def replies_routed(wan: str, mangle: Sequence[Mapping[str, Any]], routes: Sequence[Mapping[str, Any]]) -> bool:
    """Do the mangle rules and routes send the replies of connections from ``wan`` back out of it?"""
    marks = {
        _text(row, "new-connection-mark")
        for row in mangle
        if _enabled(row)
        and _text(row, "chain") == "prerouting"
        and _text(row, "action") == "mark-connection"
        and _text(row, "in-interface") == wan
        and _text(row, "new-connection-mark")
    }
    tables = {
        _text(row, "new-routing-mark")
        for row in mangle
        if _enabled(row)
        and _text(row, "chain") == "prerouting"
        and _text(row, "action") == "mark-routing"
        and _text(row, "connection-mark") in marks
        and _text(row, "in-interface") != wan
    }
    return any(_table_of(row) in tables and _text(row, "gateway") for row in _default_routes(routes))


def reply_routing_problem(service: Service, topology: Topology, notes: List[str]) -> Optional[str]:
    """The message of a forward on a WAN whose replies leave by another one; None when the forward
    is not on such a WAN, its replies are routed back, or the facts lack the mangle table or the
    routes (a note says which)."""
    facts = topology.facts
    if len(topology.wan_interfaces) < 2:
        return None
    wan = forward_wan(service, topology)
    if wan is None:
        return None
    if facts.mangle is None or facts.routes is None:
        note = "the mangle table or the routes are not in the facts: the reply routing of several WANs is not checked"
        if note not in notes:
            notes.append(note)
        return None
    main_wan = default_wan(facts.routes, topology)
    if main_wan is None:
        note = "no default route of the main table in the facts: the reply routing of several WANs is not checked"
        if note not in notes:
            notes.append(note)
        return None
    if wan == main_wan or replies_routed(wan, facts.mangle, facts.routes):
        return None
    return (
        "published on {0}, but the main table's default route leaves by {1}: the server's replies leave by {1} "
        "and the connection fails; mark the connections from {0} (mangle mark-connection, in-interface={0}), "
        "give their replies a routing mark (mark-routing) and that table a default route via {0}'s gateway "
        "(hairpin_wans with a gateway does this)".format(wan, main_wan)
    )

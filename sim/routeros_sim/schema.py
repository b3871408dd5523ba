"""The RouterOS menus this simulator models, as data: one table per menu.

Like community.routeros's ``_api_data.py`` (which names the fields and defaults a client expects),
but only for our menus and with what a simulator needs on top: value types, which properties are
read-only or computed, how each is printed over the API, which commands a menu has, and the
rules RouterOS enforces between properties (``to-addresses`` only with a translating action, ports
only with a port protocol, ``jump-target`` only and always with ``action=jump``).

Properties are listed in the order RouterOS prints them (``chain``, ``action``, its arguments,
matchers, ``log``, counters, flags, ``comment``; see the API ``print`` output in client logs).
A property may appear twice with disjoint ``since``/``until`` ranges when a version changed it.

The building blocks live in :mod:`.menu_types`; the menus themselves in :mod:`.menus_firewall`,
:mod:`.menus_interface` and :mod:`.menus_ip`. This module gathers them into ``MENUS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from .menu_types import (
    ACTION_COMMANDS,
    DEFAULT_VERSION,
    OLD_VERSION,
    READ_COMMANDS,
    SHOW_ALWAYS,
    SHOW_NONDEFAULT,
    SHOW_SET,
    WRITE_COMMANDS,
    Menu,
    Prop,
    Unique,
    version_at_least,
    version_tuple,
)
from .menus_firewall import ADDRESS_LIST, FILTER, NAT
from .menus_interface import BRIDGE, BRIDGE_PORT, INTERFACE, INTERFACE_LIST, INTERFACE_LIST_MEMBER
from .menus_ip import (
    DNS,
    DNS_STATIC,
    IP_ADDRESS,
    IP_CLOUD,
    IP_SERVICE,
    SYSTEM_IDENTITY,
    SYSTEM_RESOURCE,
    SYSTEM_ROUTERBOARD,
)
from .menus_ipv6 import IPV6_ADDRESS, IPV6_ADDRESS_LIST, IPV6_FILTER, IPV6_ROUTE
from .menus_links import DHCP_CLIENT, LINK_MENUS, PORT_MENUS
from .menus_routing import IP_ROUTE, IP_ROUTE_RULE, MANGLE, ROUTING_RULE, ROUTING_TABLE
from .menus_system import LOG, SYSTEM_CLOCK, SYSTEM_SCHEDULER, SYSTEM_SCRIPT
from .values import PORT_PROTOCOLS

__all__ = [
    "ACTION_COMMANDS",
    "DEFAULT_VERSION",
    "DIRECTORIES",
    "LINK_PREFIXES",
    "MENUS",
    "OLD_VERSION",
    "PORT_MENUS",
    "READ_COMMANDS",
    "SHOW_ALWAYS",
    "SHOW_NONDEFAULT",
    "SHOW_SET",
    "WRITE_COMMANDS",
    "Menu",
    "Prop",
    "Unique",
    "directories_for",
    "menus_for",
    "version_at_least",
    "version_tuple",
]

MENUS: dict[str, Menu] = {
    menu.path: menu
    for menu in (
        NAT,
        FILTER,
        ADDRESS_LIST,
        DNS,
        DNS_STATIC,
        INTERFACE,
        BRIDGE,
        BRIDGE_PORT,
        INTERFACE_LIST,
        INTERFACE_LIST_MEMBER,
        IP_ADDRESS,
        IP_CLOUD,
        IP_SERVICE,
        SYSTEM_IDENTITY,
        SYSTEM_RESOURCE,
        SYSTEM_ROUTERBOARD,
        SYSTEM_SCRIPT,
        SYSTEM_SCHEDULER,
        SYSTEM_CLOCK,
        LOG,
        DHCP_CLIENT,
        MANGLE,
        IP_ROUTE,
        IP_ROUTE_RULE,
        ROUTING_TABLE,
        ROUTING_RULE,
        IPV6_ADDRESS,
        IPV6_FILTER,
        IPV6_ADDRESS_LIST,
        IPV6_ROUTE,
        *(menu for menu, _ in LINK_MENUS.values()),
    )
}

#: The name ``add`` gives an interface when none is given, per interface-creating menu.
LINK_PREFIXES: dict[str, str] = {path: prefix for path, (_, prefix) in LINK_MENUS.items()}
LINK_PREFIXES["/interface/bridge"] = "bridge"


@cache
def menus_for(version: str) -> dict[str, Menu]:
    """Every menu as ``version`` has it (properties outside their ``since``/``until`` dropped)."""
    return {path: menu.for_version(version) for path, menu in MENUS.items() if menu.exists_in(version)}


@cache
def directories_for(version: str) -> frozenset[str]:
    """``DIRECTORIES`` of the menus ``version`` has (RouterOS 6 has no ``/routing/table``)."""
    return directories(menus_for(version))


def directories(paths: Iterable[str]) -> frozenset[str]:
    """Every menu path and every prefix of one (``/ip``, ``/ip/firewall``): names that are not commands."""
    found: set[str] = set()
    for path in paths:
        parts = path.strip("/").split("/")
        for end in range(1, len(parts) + 1):
            found.add("/" + "/".join(parts[:end]))
    return frozenset(found)


DIRECTORIES = directories(MENUS)

# Ports need a protocol that has ports; exported so the router and tests name the same list.
PORT_PROTOCOL_NAMES = PORT_PROTOCOLS

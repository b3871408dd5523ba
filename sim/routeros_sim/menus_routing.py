"""Mangle and routing: ``/ip firewall mangle``, ``/ip route``, ``/routing table``, ``/routing rule``
(RouterOS 7) and ``/ip route rule`` (RouterOS 6).

RouterOS 6 has no routing tables to create: a routing mark is any name, and ``/ip route`` takes it
as ``routing-mark``. RouterOS 7 routes name a ``routing-table`` (built-in ``main``, others added
with ``fib``), and its routes and routing rules remember the values they were given, defaults
included, and export ``disabled=no``.
"""

from __future__ import annotations

from .menu_types import (
    LIST_COMMANDS,
    ORDERED_COMMANDS,
    Menu,
    Prop,
    Unique,
    always,
    flag,
)
from .menus_firewall import ADDRESS_LIST_ACTIONS, _log_props, _matchers, _rule_tail

MANGLE_ACTIONS = (
    "accept",
    "add-dst-to-address-list",
    "add-src-to-address-list",
    "change-dscp",
    "change-mss",
    "change-ttl",
    "clear-df",
    "fasttrack-connection",
    "jump",
    "log",
    "mark-connection",
    "mark-packet",
    "mark-routing",
    "passthrough",
    "return",
    "route",
    "set-priority",
    "sniff-pc",
    "sniff-tzsp",
    "strip-ipv4-options",
)
# The actions after which the packet goes on to the next rule unless `passthrough=no`.
PASSTHROUGH_ACTIONS = (
    "change-dscp",
    "change-mss",
    "change-ttl",
    "clear-df",
    "mark-connection",
    "mark-packet",
    "mark-routing",
    "route",
    "set-priority",
    "sniff-pc",
    "sniff-tzsp",
    "strip-ipv4-options",
)

MANGLE = Menu(
    "/ip/firewall/mangle",
    exact=True,
    commands=ORDERED_COMMANDS,
    ordered=True,
    required_when=(
        ("jump-target", ("action", ("jump",))),
        ("address-list", ("action", ADDRESS_LIST_ACTIONS)),
        ("new-connection-mark", ("action", ("mark-connection",))),
        ("new-packet-mark", ("action", ("mark-packet",))),
        ("new-routing-mark", ("action", ("mark-routing",))),
    ),
    props=(
        Prop("chain", "chain", required=True),
        always("action", "enum", "accept", choices=MANGLE_ACTIONS),
        Prop("jump-target", "name", only_with=("action", ("jump",))),
        Prop("address-list", "name", only_with=("action", ADDRESS_LIST_ACTIONS)),
        Prop(
            "address-list-timeout",
            "time",
            choices=("none-dynamic", "none-static"),
            only_with=("action", ADDRESS_LIST_ACTIONS),
        ),
        Prop("new-connection-mark", "name", only_with=("action", ("mark-connection",))),
        Prop("new-packet-mark", "name", only_with=("action", ("mark-packet",))),
        # RouterOS 6: any name; RouterOS 7: a table of /routing/table.
        Prop("new-routing-mark", "name", only_with=("action", ("mark-routing",)), until="7.0"),
        Prop(
            "new-routing-mark",
            "name",
            only_with=("action", ("mark-routing",)),
            refers="/routing/table",
            strict=True,
            since="7.0",
        ),
        Prop("new-mss", "str", only_with=("action", ("change-mss",))),
        Prop("new-dscp", "int", low=0, high=63, only_with=("action", ("change-dscp",))),
        Prop("new-ttl", "str", only_with=("action", ("change-ttl",))),
        Prop("new-priority", "str", only_with=("action", ("set-priority",))),
        Prop("route-dst", "ipv4", only_with=("action", ("route",))),
        Prop("sniff-id", "int", only_with=("action", ("sniff-tzsp",))),
        Prop("sniff-target", "ipv4", only_with=("action", ("sniff-tzsp",))),
        Prop("sniff-target-port", "int", low=1, high=65535, only_with=("action", ("sniff-tzsp",))),
        always("passthrough", "bool", "true", only_with=("action", PASSTHROUGH_ACTIONS)),
        *_matchers(filter_chain=True),
        Prop("tcp-flags", "str", negatable=True),
        Prop("p2p", "str", negatable=True, until="7.0"),
        Prop("routing-table", "name", negatable=True, since="7.0", until="7.15"),
        Prop("tls-host", "str", negatable=True),
        *_log_props(),
        *_rule_tail(),
    ),
)

CHECK_GATEWAY = ("arp", "bfd", "bfd-multihop", "none", "ping")
ROUTE_TYPES = ("blackhole", "prohibit", "unicast", "unreachable")


def _route_flags() -> tuple[Prop, ...]:
    """What RouterOS prints about a route's state: DAc is dynamic, active, connected."""
    return (
        flag("dynamic"),
        flag("active", computed=True),
        flag("static", computed=True),
        flag("connect"),
        flag("inactive", computed=True, since="7.0"),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    )


IP_ROUTE = Menu(
    "/ip/route",
    exact=True,
    commands=LIST_COMMANDS,
    keep_given_since="7.0",
    props=(
        always("dst-address", "ipv4-network", "0.0.0.0/0"),
        Prop("routing-table", "name", default="main", show="always", refers="/routing/table", strict=True, since="7.0"),
        Prop("pref-src", "ipv4", since="7.0"),
        Prop("gateway", "str"),
        Prop("immediate-gw", read_only=True, since="7.0"),
        Prop("local-address", read_only=True, since="7.0"),
        Prop("pref-src", "ipv4", until="7.0"),
        Prop("type", "enum", default="unicast", show="always", choices=ROUTE_TYPES, until="7.0"),
        Prop("blackhole", "flag-word", since="7.0"),
        Prop("check-gateway", "enum", choices=CHECK_GATEWAY),
        always("distance", "int", "1", low=0, high=255),
        always("scope", "int", "30", low=0, high=255),
        always("target-scope", "int", "10", low=0, high=255),
        Prop("vrf-interface", "name", refers="/interface", since="7.0"),
        Prop("routing-mark", "name", until="7.0"),
        Prop("route-tag", "int", until="7.0"),
        Prop("bgp-as-path", "str", until="7.0"),
        Prop("bgp-atomic-aggregate", "bool", until="7.0"),
        Prop("bgp-communities", "str", until="7.0"),
        Prop("bgp-local-pref", "int", until="7.0"),
        Prop("bgp-med", "int", until="7.0"),
        Prop("bgp-origin", "enum", choices=("egp", "igp", "incomplete"), until="7.0"),
        Prop("bgp-prepend", "int", low=0, high=16, until="7.0"),
        always("suppress-hw-offload", "bool", "false", since="7.0"),
        Prop("gateway-status", read_only=True, until="7.0"),
        *_route_flags(),
    ),
)

ROUTING_TABLE = Menu(
    "/routing/table",
    exact=True,
    commands=LIST_COMMANDS,
    named=True,
    since="7.0",
    keep_given_since="7.0",
    unique=(Unique(("name",), "failure: already have table with such name", static_only=False),),
    props=(
        Prop("name", "name", required=True),
        Prop("fib", "flag-word"),
        flag("dynamic"),
        flag("invalid", computed=True),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)

ROUTING_RULE_ACTIONS = ("drop", "lookup", "lookup-only-in-table", "unreachable")

ROUTING_RULE = Menu(
    "/routing/rule",
    exact=True,
    commands=ORDERED_COMMANDS,
    ordered=True,
    since="7.0",
    keep_given_since="7.0",
    props=(
        Prop("src-address", "ip-prefix"),
        Prop("dst-address", "ip-prefix"),
        Prop("routing-mark", "name", refers="/routing/table"),
        Prop("interface", "name", refers="/interface"),
        Prop("action", "enum", choices=ROUTING_RULE_ACTIONS),
        Prop("table", "name", refers="/routing/table", strict=True),
        Prop("min-prefix", "int", low=0, high=128),
        flag("invalid", computed=True),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)

IP_ROUTE_RULE = Menu(
    "/ip/route/rule",
    exact=True,
    commands=ORDERED_COMMANDS,
    ordered=True,
    until="7.0",
    props=(
        Prop("src-address", "ipv4-network"),
        Prop("dst-address", "ipv4-network"),
        Prop("routing-mark", "name"),
        Prop("interface", "name", refers="/interface"),
        always("action", "enum", "lookup", choices=ROUTING_RULE_ACTIONS),
        always("table", "name", "main"),
        flag("invalid", computed=True),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)

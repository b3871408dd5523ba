"""The firewall menus: NAT, filter (their shared packet matchers) and address lists."""

from __future__ import annotations

from .menu_types import (
    LIST_COMMANDS,
    ORDERED_COMMANDS,
    SHOW_NONDEFAULT,
    Menu,
    Prop,
    Unique,
    always,
    counter,
    flag,
    matcher,
)

NAT_ACTIONS = (
    "accept",
    "add-dst-to-address-list",
    "add-src-to-address-list",
    "dst-nat",
    "endpoint-independent-nat",
    "jump",
    "log",
    "masquerade",
    "netmap",
    "passthrough",
    "redirect",
    "return",
    "same",
    "src-nat",
)
FILTER_ACTIONS = (
    "accept",
    "add-dst-to-address-list",
    "add-src-to-address-list",
    "drop",
    "fasttrack-connection",
    "jump",
    "log",
    "passthrough",
    "reject",
    "return",
    "tarpit",
)
ADDRESS_LIST_ACTIONS = ("add-dst-to-address-list", "add-src-to-address-list")
ADDRESS_TYPES = ("unicast", "local", "broadcast", "multicast", "blackhole", "prohibit", "unreachable")
CONNECTION_TYPES = ("ftp", "h323", "irc", "pptp", "quake3", "sip", "tftp")
CONNECTION_STATES = ("established", "invalid", "new", "related", "untracked")
HOTSPOT_VALUES = ("auth", "from-client", "http", "local-dst", "to-client")
REJECT_WITH = (
    "icmp-admin-prohibited",
    "icmp-host-prohibited",
    "icmp-host-unreachable",
    "icmp-net-prohibited",
    "icmp-network-unreachable",
    "icmp-port-unreachable",
    "icmp-protocol-unreachable",
    "tcp-reset",
)


def _matchers(*, filter_chain: bool) -> tuple[Prop, ...]:
    """The packet matchers NAT and filter share, in RouterOS's print order."""
    connection_state = (
        (
            matcher("connection-state", "enum", choices=CONNECTION_STATES, multi=True),
            matcher("connection-nat-state", "enum", choices=("dstnat", "srcnat"), multi=True),
        )
        if filter_chain
        else ()
    )
    return (
        matcher("protocol", "protocol"),
        matcher("src-address", "ipv4-prefix"),
        matcher("dst-address", "ipv4-prefix"),
        matcher("src-address-list", "name"),
        matcher("dst-address-list", "name"),
        matcher("src-address-type", "enum", choices=ADDRESS_TYPES),
        matcher("dst-address-type", "enum", choices=ADDRESS_TYPES),
        *connection_state,
        matcher("connection-bytes", "str"),
        matcher("connection-limit", "str"),
        matcher("connection-mark", "name"),
        matcher("connection-rate", "str"),
        matcher("connection-type", "enum", choices=CONNECTION_TYPES),
        matcher("in-interface", "name", refers="/interface"),
        matcher("out-interface", "name", refers="/interface"),
        matcher("in-interface-list", "name", refers="/interface/list"),
        matcher("out-interface-list", "name", refers="/interface/list"),
        matcher("in-bridge-port", "name", refers="/interface"),
        matcher("out-bridge-port", "name", refers="/interface"),
        matcher("in-bridge-port-list", "name", refers="/interface/list"),
        matcher("out-bridge-port-list", "name", refers="/interface/list"),
        matcher("src-port", "ports", ports=True),
        matcher("dst-port", "ports", ports=True),
        matcher("port", "ports", ports=True),
        matcher("src-mac-address", "mac"),
        Prop("ipsec-policy", "ipsec-policy"),
        matcher("content", "str"),
        matcher("dscp", "int", low=0, high=63),
        Prop("dst-limit", "str"),
        matcher("fragment", "bool"),
        matcher("hotspot", "enum", choices=HOTSPOT_VALUES, multi=True),
        matcher("icmp-options", "str"),
        matcher("ingress-priority", "int", low=0, high=63),
        matcher("ipv4-options", "str"),
        matcher("layer7-protocol", "name"),
        Prop("limit", "str"),
        Prop("nth", "str"),
        matcher("packet-mark", "name"),
        matcher("packet-size", "str"),
        matcher("per-connection-classifier", "str"),
        matcher("priority", "int", low=0, high=7),
        Prop("psd", "str"),
        Prop("random", "int", low=1, high=99),
        matcher("realm", "str"),
        matcher("routing-mark", "name"),
        matcher("tcp-mss", "str"),
        Prop("time", "str"),
        Prop("ttl", "str"),
    )


def _log_props() -> tuple[Prop, ...]:
    return (
        always("log", "bool", "false", until="7.0"),
        Prop("log", "bool", default="false", show=SHOW_NONDEFAULT, since="7.0"),
        always("log-prefix", "str", "", until="7.0"),
        Prop("log-prefix", "str", default="", show=SHOW_NONDEFAULT, since="7.0"),
    )


def _rule_tail() -> tuple[Prop, ...]:
    return (
        counter("bytes"),
        counter("packets"),
        flag("invalid", computed=True),
        flag("dynamic"),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    )


_TRANSLATING = ("dst-nat", "netmap", "same", "src-nat")

NAT = Menu(
    "/ip/firewall/nat",
    exact=True,
    commands=ORDERED_COMMANDS,
    ordered=True,
    required_when=(
        ("jump-target", ("action", ("jump",))),
        ("address-list", ("action", ADDRESS_LIST_ACTIONS)),
    ),
    props=(
        Prop("chain", "chain", required=True),
        always("action", "enum", "accept", choices=NAT_ACTIONS),
        Prop("to-addresses", "ipv4-translation", only_with=("action", _TRANSLATING)),
        Prop(
            "to-ports",
            "port-range",
            only_with=("action", ("dst-nat", "masquerade", "netmap", "redirect", "same", "src-nat")),
        ),
        Prop("jump-target", "name", only_with=("action", ("jump",))),
        Prop("address-list", "name", only_with=("action", ADDRESS_LIST_ACTIONS)),
        Prop(
            "address-list-timeout",
            "time",
            choices=("none-dynamic", "none-static"),
            only_with=("action", ADDRESS_LIST_ACTIONS),
        ),
        Prop("randomise-ports", "bool", only_with=("action", ("masquerade", "src-nat", "netmap", "same"))),
        Prop("same-not-by-dst", "bool", only_with=("action", ("same",))),
        *_matchers(filter_chain=False),
        Prop("tls-host", "str", negatable=True, until="7.16"),
        Prop("socks5-port", "int", low=1, high=65535, since="7.20"),
        Prop("socks5-server", "ipv4", since="7.20"),
        Prop("socksify-service", "name", since="7.20"),
        *_log_props(),
        *_rule_tail(),
    ),
)

FILTER = Menu(
    "/ip/firewall/filter",
    exact=True,
    commands=ORDERED_COMMANDS,
    ordered=True,
    required_when=(
        ("jump-target", ("action", ("jump",))),
        ("address-list", ("action", ADDRESS_LIST_ACTIONS)),
    ),
    props=(
        Prop("chain", "chain", required=True),
        always("action", "enum", "accept", choices=FILTER_ACTIONS),
        Prop("jump-target", "name", only_with=("action", ("jump",))),
        Prop("reject-with", "enum", choices=REJECT_WITH, only_with=("action", ("reject",))),
        Prop("address-list", "name", only_with=("action", ADDRESS_LIST_ACTIONS)),
        Prop(
            "address-list-timeout",
            "time",
            choices=("none-dynamic", "none-static"),
            only_with=("action", ADDRESS_LIST_ACTIONS),
        ),
        Prop("hw-offload", "bool", only_with=("action", ("fasttrack-connection",))),
        *_matchers(filter_chain=True),
        Prop("tcp-flags", "str", negatable=True),
        Prop("p2p", "str", negatable=True, until="7.0"),
        Prop("routing-table", "name", negatable=True, until="7.15"),
        Prop("tls-host", "str", negatable=True),
        *_log_props(),
        *_rule_tail(),
    ),
)

ADDRESS_LIST = Menu(
    "/ip/firewall/address-list",
    exact=True,
    commands=LIST_COMMANDS,
    dynamic_removable=True,
    unique=(Unique(("list", "address"), "failure: already have such entry", static_only=False),),
    props=(
        Prop("list", "name", required=True),
        Prop("address", "list-address", required=True),
        Prop("creation-time", read_only=True),
        Prop("timeout", "time"),
        always("dynamic", "bool", "false", since="7.0"),
        flag("dynamic", until="7.0"),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)

"""The RouterOS menus this simulator models, as data: one table per menu.

Like community.routeros's ``_api_data.py`` (which names the fields and defaults a client expects),
but only for our menus and with what a simulator needs on top: value types, which properties are
read-only or computed, how each is printed over the API, which commands a menu has, and the
rules RouterOS enforces between properties (``to-addresses`` only with a translating action, ports
only with a port protocol, ``jump-target`` only and always with ``action=jump``).

Properties are listed in the order RouterOS prints them (``chain``, ``action``, its arguments,
matchers, ``log``, counters, flags, ``comment``; see the API ``print`` output in client logs).
A property may appear twice with disjoint ``since``/``until`` ranges when a version changed it.

How a property is printed (``show``):

* ``"set"`` - only when the item has a value (matchers, ``comment``);
* ``"always"`` - always; the default when the item has no value (``action``, ``disabled``);
* ``"nondefault"`` - only when set to something other than the default (RouterOS 7 hides
  ``log=false``/``log-prefix=""`` in NAT and filter rules; RouterOS 6 printed them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache

from .values import PORT_PROTOCOLS

__all__ = [
    "DEFAULT_VERSION",
    "MENUS",
    "OLD_VERSION",
    "READ_COMMANDS",
    "WRITE_COMMANDS",
    "Menu",
    "Prop",
    "menus_for",
    "version_at_least",
    "version_tuple",
]

DEFAULT_VERSION = "7.20.6"
OLD_VERSION = "6.49.18"

#: Commands that change state (``is_write``); ``comment`` sets the comment of items.
WRITE_COMMANDS = frozenset({"add", "set", "unset", "remove", "move", "enable", "disable", "comment"})
READ_COMMANDS = frozenset({"print", "getall"})

SHOW_SET, SHOW_ALWAYS, SHOW_NONDEFAULT = "set", "always", "nondefault"


def version_tuple(version: str) -> tuple[int, ...]:
    """``"7.20.6"`` -> ``(7, 20, 6)``; ``"7.18beta2"`` -> ``(7, 18)``."""
    parts = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if not digits:
            break
        parts.append(int(digits.group()))
        if digits.end() != len(part):
            break
    return tuple(parts)


def version_at_least(version: str, other: str) -> bool:
    return version_tuple(version) >= version_tuple(other)


@dataclass(frozen=True)
class Prop:
    """One property of a menu."""

    name: str
    kind: str = "str"  # a parser name from values.PARSERS
    default: str | None = None  # printed form of the value RouterOS uses when none is set
    show: str = SHOW_SET
    read_only: bool = False  # printed, never accepted from a client
    computed: bool = False  # read-only and worked out by the router at print time
    required: bool = False  # `add` needs it
    negatable: bool = False  # accepts a leading "!" (match the opposite)
    choices: tuple[str, ...] = ()  # for kind "enum" (and special words of "time")
    multi: bool = False  # enum: a comma-separated list of choices
    low: int | None = None  # for kind "int"
    high: int | None = None
    since: str | None = None  # first version that has it
    until: str | None = None  # first version that no longer has it
    only_with: tuple[str, tuple[str, ...]] | None = None  # e.g. ("action", ("dst-nat", ...))
    ports: bool = False  # a port matcher: needs protocol to be one of PORT_PROTOCOLS
    refers: str | None = None  # menu whose item `name` this names
    strict: bool = False  # the named item must exist (else a trap); otherwise the item is just `invalid`

    def exists_in(self, version: str) -> bool:
        if self.since is not None and not version_at_least(version, self.since):
            return False
        return not (self.until is not None and version_at_least(version, self.until))

    @property
    def settable(self) -> bool:
        return not (self.read_only or self.computed)


@dataclass(frozen=True)
class Unique:
    """Items may not share the values of ``props``; ``message`` is RouterOS's trap when they would."""

    props: tuple[str, ...]
    message: str
    static_only: bool = True  # dynamic items do not take part


@dataclass(frozen=True)
class Menu:
    """A menu (API path) and its properties, in print order."""

    path: str
    props: tuple[Prop, ...]
    commands: frozenset[str]
    singleton: bool = False  # one item, no .id in print, `set` without an id
    ordered: bool = False  # order matters: `move` and `add place-before=`
    named: bool = False  # items can be addressed by `name` instead of `.id`
    unique: tuple[Unique, ...] = ()
    # (property, (other, values)): property must be set when other has one of values.
    required_when: tuple[tuple[str, tuple[str, tuple[str, ...]]], ...] = ()
    one_of: tuple[str, ...] = ()  # exactly one of these must be set (dns static: name/regexp)
    dynamic_removable: bool = False  # dynamic items may be removed (address lists), never changed
    first_id: int = 1  # .id of the first item a client adds
    _by_name: dict[str, Prop] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for prop in self.props:
            self._by_name.setdefault(prop.name, prop)

    def prop(self, name: str) -> Prop | None:
        return self._by_name.get(name)

    def for_version(self, version: str) -> Menu:
        return replace(self, props=tuple(prop for prop in self.props if prop.exists_in(version)))


# ---------------------------------------------------------------------------------------------
# Building blocks

LIST_COMMANDS = frozenset({"print", "getall", "add", "set", "unset", "remove", "enable", "disable", "comment"})
ORDERED_COMMANDS = LIST_COMMANDS | {"move"}
SINGLETON_COMMANDS = frozenset({"print", "getall", "set", "unset"})
READ_ONLY_COMMANDS = READ_COMMANDS

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


def _flag(name: str, default: str = "false", *, computed: bool = False, **kwargs: object) -> Prop:
    """A read-only yes/no flag RouterOS always prints (``dynamic``, ``invalid``, ``running``)."""
    return Prop(name, "bool", default=default, show=SHOW_ALWAYS, read_only=True, computed=computed, **kwargs)  # type: ignore[arg-type]


def _counter(name: str) -> Prop:
    return Prop(name, "int", default="0", show=SHOW_ALWAYS, read_only=True, computed=True)


def _matchers(*, filter_chain: bool) -> tuple[Prop, ...]:
    """The packet matchers NAT and filter share, in RouterOS's print order."""
    neg = {"negatable": True}
    connection_state = (
        (
            Prop("connection-state", "enum", choices=CONNECTION_STATES, multi=True, **neg),  # type: ignore[arg-type]
            Prop("connection-nat-state", "enum", choices=("dstnat", "srcnat"), multi=True, **neg),  # type: ignore[arg-type]
        )
        if filter_chain
        else ()
    )
    return (
        Prop("protocol", "protocol", **neg),  # type: ignore[arg-type]
        Prop("src-address", "ipv4-prefix", **neg),  # type: ignore[arg-type]
        Prop("dst-address", "ipv4-prefix", **neg),  # type: ignore[arg-type]
        Prop("src-address-list", "name", **neg),  # type: ignore[arg-type]
        Prop("dst-address-list", "name", **neg),  # type: ignore[arg-type]
        Prop("src-address-type", "enum", choices=ADDRESS_TYPES, **neg),  # type: ignore[arg-type]
        Prop("dst-address-type", "enum", choices=ADDRESS_TYPES, **neg),  # type: ignore[arg-type]
        *connection_state,
        Prop("connection-bytes", "str", **neg),  # type: ignore[arg-type]
        Prop("connection-limit", "str", **neg),  # type: ignore[arg-type]
        Prop("connection-mark", "name", **neg),  # type: ignore[arg-type]
        Prop("connection-rate", "str", **neg),  # type: ignore[arg-type]
        Prop("connection-type", "enum", choices=CONNECTION_TYPES, **neg),  # type: ignore[arg-type]
        Prop("in-interface", "name", refers="/interface", **neg),  # type: ignore[arg-type]
        Prop("out-interface", "name", refers="/interface", **neg),  # type: ignore[arg-type]
        Prop("in-interface-list", "name", refers="/interface/list", **neg),  # type: ignore[arg-type]
        Prop("out-interface-list", "name", refers="/interface/list", **neg),  # type: ignore[arg-type]
        Prop("in-bridge-port", "name", refers="/interface", **neg),  # type: ignore[arg-type]
        Prop("out-bridge-port", "name", refers="/interface", **neg),  # type: ignore[arg-type]
        Prop("in-bridge-port-list", "name", refers="/interface/list", **neg),  # type: ignore[arg-type]
        Prop("out-bridge-port-list", "name", refers="/interface/list", **neg),  # type: ignore[arg-type]
        Prop("src-port", "ports", ports=True, **neg),  # type: ignore[arg-type]
        Prop("dst-port", "ports", ports=True, **neg),  # type: ignore[arg-type]
        Prop("port", "ports", ports=True, **neg),  # type: ignore[arg-type]
        Prop("src-mac-address", "mac", **neg),  # type: ignore[arg-type]
        Prop("ipsec-policy", "ipsec-policy"),
        Prop("content", "str", **neg),  # type: ignore[arg-type]
        Prop("dscp", "int", low=0, high=63, **neg),  # type: ignore[arg-type]
        Prop("dst-limit", "str"),
        Prop("fragment", "bool", **neg),  # type: ignore[arg-type]
        Prop("hotspot", "enum", choices=HOTSPOT_VALUES, multi=True, **neg),  # type: ignore[arg-type]
        Prop("icmp-options", "str", **neg),  # type: ignore[arg-type]
        Prop("ingress-priority", "int", low=0, high=63, **neg),  # type: ignore[arg-type]
        Prop("ipv4-options", "str", **neg),  # type: ignore[arg-type]
        Prop("layer7-protocol", "name", **neg),  # type: ignore[arg-type]
        Prop("limit", "str"),
        Prop("nth", "str"),
        Prop("packet-mark", "name", **neg),  # type: ignore[arg-type]
        Prop("packet-size", "str", **neg),  # type: ignore[arg-type]
        Prop("per-connection-classifier", "str", **neg),  # type: ignore[arg-type]
        Prop("priority", "int", low=0, high=7, **neg),  # type: ignore[arg-type]
        Prop("psd", "str"),
        Prop("random", "int", low=1, high=99),
        Prop("realm", "str", **neg),  # type: ignore[arg-type]
        Prop("routing-mark", "name", **neg),  # type: ignore[arg-type]
        Prop("tcp-mss", "str", **neg),  # type: ignore[arg-type]
        Prop("time", "str"),
        Prop("ttl", "str"),
    )


def _log_props() -> tuple[Prop, ...]:
    return (
        Prop("log", "bool", default="false", show=SHOW_ALWAYS, until="7.0"),
        Prop("log", "bool", default="false", show=SHOW_NONDEFAULT, since="7.0"),
        Prop("log-prefix", "str", default="", show=SHOW_ALWAYS, until="7.0"),
        Prop("log-prefix", "str", default="", show=SHOW_NONDEFAULT, since="7.0"),
    )


def _rule_tail() -> tuple[Prop, ...]:
    return (
        _counter("bytes"),
        _counter("packets"),
        _flag("invalid", computed=True),
        _flag("dynamic"),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    )


# ---------------------------------------------------------------------------------------------
# The menus

_TRANSLATING = ("dst-nat", "netmap", "same", "src-nat")

NAT = Menu(
    "/ip/firewall/nat",
    commands=ORDERED_COMMANDS,
    ordered=True,
    required_when=(
        ("jump-target", ("action", ("jump",))),
        ("address-list", ("action", ADDRESS_LIST_ACTIONS)),
    ),
    props=(
        Prop("chain", "chain", required=True),
        Prop("action", "enum", default="accept", show=SHOW_ALWAYS, choices=NAT_ACTIONS),
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
    commands=ORDERED_COMMANDS,
    ordered=True,
    required_when=(
        ("jump-target", ("action", ("jump",))),
        ("address-list", ("action", ADDRESS_LIST_ACTIONS)),
    ),
    props=(
        Prop("chain", "chain", required=True),
        Prop("action", "enum", default="accept", show=SHOW_ALWAYS, choices=FILTER_ACTIONS),
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
    commands=LIST_COMMANDS,
    dynamic_removable=True,
    unique=(Unique(("list", "address"), "failure: already have such entry", static_only=False),),
    props=(
        Prop("list", "name", required=True),
        Prop("address", "list-address", required=True),
        Prop("creation-time", read_only=True),
        Prop("timeout", "time"),
        Prop("dynamic", "bool", default="false", show=SHOW_ALWAYS, since="7.0"),
        _flag("dynamic", until="7.0"),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    ),
)

DNS = Menu(
    "/ip/dns",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(
        Prop("servers", "ip-list", default="", show=SHOW_ALWAYS),
        Prop("dynamic-servers", default="", show=SHOW_ALWAYS, read_only=True),
        Prop("use-doh-server", default="", show=SHOW_ALWAYS, since="6.47"),
        Prop("verify-doh-cert", "bool", default="false", show=SHOW_ALWAYS, since="6.47"),
        Prop("doh-max-server-connections", "int", default="5", show=SHOW_ALWAYS, low=1, high=10000, since="7.8"),
        Prop("doh-max-concurrent-queries", "int", default="50", show=SHOW_ALWAYS, low=1, high=10000, since="7.8"),
        Prop("doh-timeout", "time", default="5s", show=SHOW_ALWAYS, since="7.8"),
        Prop("allow-remote-requests", "bool", default="false", show=SHOW_ALWAYS),
        Prop("max-udp-packet-size", "int", default="4096", show=SHOW_ALWAYS, low=50, high=65507),
        Prop("query-server-timeout", "time", default="2s", show=SHOW_ALWAYS),
        Prop("query-total-timeout", "time", default="10s", show=SHOW_ALWAYS),
        Prop("max-concurrent-queries", "int", default="100", show=SHOW_ALWAYS, low=1, high=10000),
        Prop("max-concurrent-tcp-sessions", "int", default="20", show=SHOW_ALWAYS, low=1, high=10000),
        Prop("cache-size", default="2048KiB", show=SHOW_ALWAYS),
        Prop("cache-max-ttl", "time", default="1w", show=SHOW_ALWAYS),
        Prop("address-list-extra-time", "time", default="0s", show=SHOW_ALWAYS, since="7.15"),
        Prop("vrf", "name", default="main", show=SHOW_ALWAYS, since="7.15"),
        Prop("mdns-repeat-ifaces", default="", show=SHOW_ALWAYS, since="7.16"),
        Prop("cache-used", default="20KiB", show=SHOW_ALWAYS, read_only=True),
    ),
)

DNS_STATIC_TYPES = ("A", "AAAA", "CNAME", "FWD", "MX", "NS", "NXDOMAIN", "SRV", "TXT")

DNS_STATIC = Menu(
    "/ip/dns/static",
    commands=ORDERED_COMMANDS,
    ordered=True,
    one_of=("name", "regexp"),
    required_when=(("address", ("type", ("A", "AAAA"))),),
    props=(
        Prop("name", "name"),
        Prop("regexp", "name"),
        Prop("type", "enum", default="A", show=SHOW_NONDEFAULT, choices=DNS_STATIC_TYPES, since="6.47"),
        Prop("address", "ip", only_with=("type", ("A", "AAAA"))),
        Prop("cname", "name", only_with=("type", ("CNAME",))),
        Prop("forward-to", "str", only_with=("type", ("FWD",))),
        Prop("mx-exchange", "name", only_with=("type", ("MX",))),
        Prop("mx-preference", "int", low=0, high=65535, only_with=("type", ("MX",))),
        Prop("ns", "name", only_with=("type", ("NS",))),
        Prop("srv-port", "int", low=0, high=65535, only_with=("type", ("SRV",))),
        Prop("srv-priority", "int", low=0, high=65535, only_with=("type", ("SRV",))),
        Prop("srv-target", "name", only_with=("type", ("SRV",))),
        Prop("srv-weight", "int", low=0, high=65535, only_with=("type", ("SRV",))),
        Prop("text", "str", only_with=("type", ("TXT",))),
        Prop("address-list", "name", since="7.5"),
        Prop("match-subdomain", "bool", default="false", show=SHOW_NONDEFAULT, since="7.5"),
        Prop("ttl", "time", default="1d", show=SHOW_ALWAYS),
        _flag("dynamic"),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    ),
)

INTERFACE = Menu(
    "/interface",
    commands=frozenset({"print", "getall", "set", "unset", "remove", "enable", "disable", "comment"}),
    named=True,
    unique=(Unique(("name",), "failure: already have interface with such name", static_only=False),),
    props=(
        Prop("name", "name", required=True),
        Prop("default-name", read_only=True),
        Prop("type", read_only=True),
        Prop("mtu", "str", default="1500", show=SHOW_ALWAYS),
        Prop("actual-mtu", "int", read_only=True, computed=True),
        Prop("l2mtu", "int", low=0, high=65535),
        Prop("max-l2mtu", "int", read_only=True),
        Prop("mac-address", read_only=True),
        Prop("last-link-up-time", read_only=True),
        Prop("link-downs", "int", default="0", show=SHOW_ALWAYS, read_only=True),
        _flag("running", "true"),
        _flag("slave", computed=True),
        _flag("dynamic"),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    ),
)

BRIDGE = Menu(
    "/interface/bridge",
    commands=LIST_COMMANDS,
    named=True,
    unique=(Unique(("name",), "failure: already have interface with such name", static_only=False),),
    props=(
        Prop("name", "name"),
        Prop("mtu", "str", default="auto", show=SHOW_ALWAYS),
        Prop("actual-mtu", "int", read_only=True, computed=True),
        Prop("l2mtu", "int", read_only=True, computed=True),
        Prop(
            "arp",
            "enum",
            default="enabled",
            show=SHOW_ALWAYS,
            choices=("disabled", "enabled", "local-proxy-arp", "proxy-arp", "reply-only"),
        ),
        Prop("arp-timeout", "str", default="auto", show=SHOW_ALWAYS),
        Prop("mac-address", read_only=True),
        Prop("protocol-mode", "enum", default="rstp", show=SHOW_ALWAYS, choices=("mstp", "none", "rstp", "stp")),
        Prop("fast-forward", "bool", default="true", show=SHOW_ALWAYS),
        Prop("igmp-snooping", "bool", default="false", show=SHOW_ALWAYS),
        Prop("auto-mac", "bool", default="true", show=SHOW_ALWAYS),
        Prop("admin-mac", "mac", default="", show=SHOW_ALWAYS),
        Prop("ageing-time", "time", default="5m", show=SHOW_ALWAYS),
        Prop("priority", "str", default="0x8000", show=SHOW_ALWAYS),
        Prop("max-message-age", "time", default="20s", show=SHOW_ALWAYS),
        Prop("forward-delay", "time", default="15s", show=SHOW_ALWAYS),
        Prop("transmit-hold-count", "int", default="6", show=SHOW_ALWAYS, low=1, high=10),
        Prop("vlan-filtering", "bool", default="false", show=SHOW_ALWAYS),
        Prop("ether-type", "enum", default="0x8100", show=SHOW_ALWAYS, choices=("0x8100", "0x88a8", "0x9100")),
        Prop("pvid", "int", default="1", show=SHOW_ALWAYS, low=1, high=4094),
        Prop(
            "frame-types",
            "enum",
            default="admit-all",
            show=SHOW_ALWAYS,
            choices=("admit-all", "admit-only-untagged-and-priority-tagged", "admit-only-vlan-tagged"),
        ),
        Prop("ingress-filtering", "bool", default="false", show=SHOW_ALWAYS, until="7.0"),
        Prop("ingress-filtering", "bool", default="true", show=SHOW_ALWAYS, since="7.0"),
        Prop("dhcp-snooping", "bool", default="false", show=SHOW_ALWAYS),
        Prop("port-cost-mode", "enum", default="long", show=SHOW_ALWAYS, choices=("long", "short"), since="7.13"),
        Prop("mld-version", "enum", default="1", show=SHOW_ALWAYS, choices=("1", "2")),
        Prop("multicast-querier", "bool", default="false", show=SHOW_ALWAYS),
        Prop("mvrp", "bool", default="false", show=SHOW_ALWAYS, since="7.20"),
        Prop("max-learned-entries", "str", default="auto", show=SHOW_ALWAYS, since="7.16"),
        Prop("forward-reserved-addresses", "bool", default="false", show=SHOW_ALWAYS, since="7.16"),
        Prop("add-dhcp-option82", "bool", default="false", show=SHOW_ALWAYS, since="7.20", until="7.23"),
        *(
            Prop(name, kind, default=default, show=SHOW_ALWAYS, since="7.20", **extra)  # type: ignore[arg-type]
            for name, kind, default, extra in (
                ("igmp-version", "enum", "2", {"choices": ("2", "3")}),
                ("last-member-interval", "time", "1s", {}),
                ("last-member-query-count", "int", "2", {}),
                ("max-hops", "int", "20", {"low": 6, "high": 40}),
                ("membership-interval", "time", "4m20s", {}),
                (
                    "multicast-router",
                    "enum",
                    "temporary-query",
                    {"choices": ("disabled", "permanent", "temporary-query")},
                ),
                ("querier-interval", "time", "4m15s", {}),
                ("query-interval", "time", "2m5s", {}),
                ("query-response-interval", "time", "10s", {}),
                ("region-name", "str", "", {}),
                ("region-revision", "int", "0", {"low": 0, "high": 65535}),
                ("startup-query-count", "int", "2", {}),
                ("startup-query-interval", "time", "31s250ms", {}),
            )
        ),
        _flag("running", "true"),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    ),
)

BRIDGE_PORT = Menu(
    "/interface/bridge/port",
    commands=ORDERED_COMMANDS,
    ordered=True,
    unique=(Unique(("interface",), "failure: device already added as bridge port"),),
    props=(
        Prop("interface", "name", required=True, refers="/interface", strict=True),
        Prop("bridge", "name", required=True, refers="/interface/bridge", strict=True),
        Prop("priority", "str", default="0x80", show=SHOW_ALWAYS),
        Prop("path-cost", "int", default="10", show=SHOW_ALWAYS, until="7.13"),
        Prop("path-cost", "int", since="7.13"),
        Prop("internal-path-cost", "int", default="10", show=SHOW_ALWAYS, until="7.13"),
        Prop("internal-path-cost", "int", since="7.13"),
        Prop(
            "edge",
            "enum",
            default="auto",
            show=SHOW_ALWAYS,
            choices=("auto", "no", "no-discover", "yes", "yes-discover"),
        ),
        Prop("point-to-point", "enum", default="auto", show=SHOW_ALWAYS, choices=("auto", "no", "yes")),
        Prop("learn", "enum", default="auto", show=SHOW_ALWAYS, choices=("auto", "no", "yes")),
        Prop("horizon", "str", default="none", show=SHOW_ALWAYS),
        Prop("auto-isolate", "bool", default="false", show=SHOW_ALWAYS),
        Prop("restricted-role", "bool", default="false", show=SHOW_ALWAYS),
        Prop("restricted-tcn", "bool", default="false", show=SHOW_ALWAYS),
        Prop("pvid", "int", default="1", show=SHOW_ALWAYS, low=1, high=4094),
        Prop(
            "frame-types",
            "enum",
            default="admit-all",
            show=SHOW_ALWAYS,
            choices=("admit-all", "admit-only-untagged-and-priority-tagged", "admit-only-vlan-tagged"),
        ),
        Prop("ingress-filtering", "bool", default="false", show=SHOW_ALWAYS, until="7.0"),
        Prop("ingress-filtering", "bool", default="true", show=SHOW_ALWAYS, since="7.0"),
        Prop("unknown-unicast-flood", "bool", default="true", show=SHOW_ALWAYS),
        Prop("unknown-multicast-flood", "bool", default="true", show=SHOW_ALWAYS),
        Prop("broadcast-flood", "bool", default="true", show=SHOW_ALWAYS),
        Prop("tag-stacking", "bool", default="false", show=SHOW_ALWAYS),
        Prop("bpdu-guard", "bool", default="false", show=SHOW_ALWAYS),
        Prop("trusted", "bool", default="false", show=SHOW_ALWAYS),
        Prop(
            "multicast-router",
            "enum",
            default="temporary-query",
            show=SHOW_ALWAYS,
            choices=("disabled", "permanent", "temporary-query"),
        ),
        Prop("fast-leave", "bool", default="false", show=SHOW_ALWAYS),
        Prop("hw", "bool", default="true", show=SHOW_ALWAYS),
        Prop(
            "mvrp-applicant-state",
            "enum",
            default="normal-participant",
            show=SHOW_ALWAYS,
            choices=("non-participant", "normal-participant"),
            since="7.20",
        ),
        Prop(
            "mvrp-registrar-state",
            "enum",
            default="normal",
            show=SHOW_ALWAYS,
            choices=("fixed", "normal"),
            since="7.20",
        ),
        _flag("inactive", computed=True),
        _flag("dynamic"),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    ),
)

INTERFACE_LIST = Menu(
    "/interface/list",
    commands=frozenset({"print", "getall", "add", "set", "unset", "remove", "comment"}),
    named=True,
    first_id=0x2000010,  # the built-in lists take *2000000..*200000F
    unique=(Unique(("name",), "failure: already have such name", static_only=False),),
    props=(
        Prop("name", "name", required=True),
        _flag("builtin"),
        _flag("dynamic"),
        Prop("include", "str", default="", show=SHOW_ALWAYS),
        Prop("exclude", "str", default="", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    ),
)

INTERFACE_LIST_MEMBER = Menu(
    "/interface/list/member",
    commands=LIST_COMMANDS,
    unique=(Unique(("list", "interface"), "failure: already have such entry"),),
    props=(
        Prop("list", "name", required=True, refers="/interface/list", strict=True),
        Prop("interface", "name", required=True, refers="/interface", strict=True),
        _flag("dynamic"),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    ),
)

IP_ADDRESS = Menu(
    "/ip/address",
    commands=LIST_COMMANDS,
    unique=(Unique(("address", "interface"), "failure: already have such address"),),
    props=(
        Prop("address", "interface-address", required=True),
        Prop("network", "ipv4"),  # computed from address unless given
        Prop("netmask", "ipv4", since="7.15"),
        Prop("broadcast", "ipv4", since="7.15"),
        Prop("interface", "name", required=True, refers="/interface", strict=True),
        Prop("actual-interface", read_only=True, computed=True),
        _flag("invalid", computed=True),
        _flag("dynamic"),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
        Prop("comment", "str"),
    ),
)

IP_CLOUD = Menu(
    "/ip/cloud",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(
        Prop("ddns-enabled", "bool", default="false", show=SHOW_ALWAYS, until="7.17"),
        Prop("ddns-enabled", "enum", default="auto", show=SHOW_ALWAYS, choices=("auto", "no", "yes"), since="7.17"),
        Prop("ddns-update-interval", "time", default="none", show=SHOW_ALWAYS, choices=("none",)),
        Prop("update-time", "bool", default="true", show=SHOW_ALWAYS),
        Prop(
            "back-to-home-vpn",
            "enum",
            default="revoked-and-disabled",
            show=SHOW_ALWAYS,
            choices=("disabled", "enabled", "revoked-and-disabled"),
            since="7.12",
        ),
        Prop("vpn-prefer-relay-code", "str", since="7.15"),
        Prop("public-address", read_only=True),
        Prop("public-address-ipv6", read_only=True),
        Prop("dns-name", read_only=True),
        Prop("status", read_only=True, computed=True),
    ),
)

IP_SERVICE = Menu(
    "/ip/service",
    commands=frozenset({"print", "getall", "set", "unset", "enable", "disable"}),
    named=True,
    props=(
        Prop("name", read_only=True),
        Prop("port", "int", low=1, high=65535),
        Prop("address", "str", default="", show=SHOW_ALWAYS),
        Prop("vrf", "name", default="main", show=SHOW_ALWAYS, since="7.0"),
        Prop("max-sessions", "int", default="20", show=SHOW_ALWAYS, low=1, high=1000, since="7.16"),
        Prop("certificate", "str"),
        Prop("tls-version", "enum", choices=("any", "only-1.2")),
        _flag("invalid", computed=True),
        Prop("disabled", "bool", default="false", show=SHOW_ALWAYS),
    ),
)

SYSTEM_IDENTITY = Menu(
    "/system/identity",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(Prop("name", "name", default="MikroTik", show=SHOW_ALWAYS),),
)

SYSTEM_RESOURCE = Menu(
    "/system/resource",
    commands=READ_ONLY_COMMANDS,
    singleton=True,
    props=tuple(
        Prop(name, read_only=True, computed=name in ("uptime", "version"))
        for name in (
            "uptime",
            "version",
            "build-time",
            "factory-software",
            "free-memory",
            "total-memory",
            "cpu",
            "cpu-count",
            "cpu-frequency",
            "cpu-load",
            "free-hdd-space",
            "total-hdd-space",
            "write-sect-since-reboot",
            "write-sect-total",
            "bad-blocks",
            "architecture-name",
            "board-name",
            "platform",
        )
    ),
)

SYSTEM_ROUTERBOARD = Menu(
    "/system/routerboard",
    commands=READ_ONLY_COMMANDS,
    singleton=True,
    props=tuple(
        Prop(name, read_only=True, computed=name == "upgrade-firmware")
        for name in (
            "routerboard",
            "board-name",
            "model",
            "serial-number",
            "firmware-type",
            "factory-firmware",
            "current-firmware",
            "upgrade-firmware",
        )
    ),
)

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
    )
}


@cache
def menus_for(version: str) -> dict[str, Menu]:
    """Every menu as ``version`` has it (properties outside their ``since``/``until`` dropped)."""
    return {path: menu.for_version(version) for path, menu in MENUS.items()}


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

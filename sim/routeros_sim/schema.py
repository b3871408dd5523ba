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
from typing import Any

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


def _flag(
    name: str, default: str = "false", *, computed: bool = False, since: str | None = None, until: str | None = None
) -> Prop:
    """A read-only yes/no flag RouterOS always prints (``dynamic``, ``invalid``, ``running``)."""
    return Prop(
        name, "bool", default=default, show=SHOW_ALWAYS, read_only=True, computed=computed, since=since, until=until
    )


def _match(name: str, kind: str = "str", **options: Any) -> Prop:
    """A packet matcher: optional, and ``!value`` matches everything but ``value``."""
    return Prop(name, kind, negatable=True, **options)


def _always(name: str, kind: str, default: str, **options: Any) -> Prop:
    """A setting RouterOS always prints, its default when nothing else is set."""
    return Prop(name, kind, default=default, show=SHOW_ALWAYS, **options)


def _counter(name: str) -> Prop:
    return Prop(name, "int", default="0", show=SHOW_ALWAYS, read_only=True, computed=True)


def _matchers(*, filter_chain: bool) -> tuple[Prop, ...]:
    """The packet matchers NAT and filter share, in RouterOS's print order."""
    connection_state = (
        (
            _match("connection-state", "enum", choices=CONNECTION_STATES, multi=True),
            _match("connection-nat-state", "enum", choices=("dstnat", "srcnat"), multi=True),
        )
        if filter_chain
        else ()
    )
    return (
        _match("protocol", "protocol"),
        _match("src-address", "ipv4-prefix"),
        _match("dst-address", "ipv4-prefix"),
        _match("src-address-list", "name"),
        _match("dst-address-list", "name"),
        _match("src-address-type", "enum", choices=ADDRESS_TYPES),
        _match("dst-address-type", "enum", choices=ADDRESS_TYPES),
        *connection_state,
        _match("connection-bytes", "str"),
        _match("connection-limit", "str"),
        _match("connection-mark", "name"),
        _match("connection-rate", "str"),
        _match("connection-type", "enum", choices=CONNECTION_TYPES),
        _match("in-interface", "name", refers="/interface"),
        _match("out-interface", "name", refers="/interface"),
        _match("in-interface-list", "name", refers="/interface/list"),
        _match("out-interface-list", "name", refers="/interface/list"),
        _match("in-bridge-port", "name", refers="/interface"),
        _match("out-bridge-port", "name", refers="/interface"),
        _match("in-bridge-port-list", "name", refers="/interface/list"),
        _match("out-bridge-port-list", "name", refers="/interface/list"),
        _match("src-port", "ports", ports=True),
        _match("dst-port", "ports", ports=True),
        _match("port", "ports", ports=True),
        _match("src-mac-address", "mac"),
        Prop("ipsec-policy", "ipsec-policy"),
        _match("content", "str"),
        _match("dscp", "int", low=0, high=63),
        Prop("dst-limit", "str"),
        _match("fragment", "bool"),
        _match("hotspot", "enum", choices=HOTSPOT_VALUES, multi=True),
        _match("icmp-options", "str"),
        _match("ingress-priority", "int", low=0, high=63),
        _match("ipv4-options", "str"),
        _match("layer7-protocol", "name"),
        Prop("limit", "str"),
        Prop("nth", "str"),
        _match("packet-mark", "name"),
        _match("packet-size", "str"),
        _match("per-connection-classifier", "str"),
        _match("priority", "int", low=0, high=7),
        Prop("psd", "str"),
        Prop("random", "int", low=1, high=99),
        _match("realm", "str"),
        _match("routing-mark", "name"),
        _match("tcp-mss", "str"),
        Prop("time", "str"),
        Prop("ttl", "str"),
    )


def _log_props() -> tuple[Prop, ...]:
    return (
        _always("log", "bool", "false", until="7.0"),
        Prop("log", "bool", default="false", show=SHOW_NONDEFAULT, since="7.0"),
        _always("log-prefix", "str", "", until="7.0"),
        Prop("log-prefix", "str", default="", show=SHOW_NONDEFAULT, since="7.0"),
    )


def _rule_tail() -> tuple[Prop, ...]:
    return (
        _counter("bytes"),
        _counter("packets"),
        _flag("invalid", computed=True),
        _flag("dynamic"),
        _always("disabled", "bool", "false"),
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
        _always("action", "enum", "accept", choices=NAT_ACTIONS),
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
        _always("action", "enum", "accept", choices=FILTER_ACTIONS),
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
        _always("dynamic", "bool", "false", since="7.0"),
        _flag("dynamic", until="7.0"),
        _always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)

DNS = Menu(
    "/ip/dns",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(
        _always("servers", "ip-list", ""),
        Prop("dynamic-servers", default="", show=SHOW_ALWAYS, read_only=True),
        Prop("use-doh-server", default="", show=SHOW_ALWAYS, since="6.47"),
        _always("verify-doh-cert", "bool", "false", since="6.47"),
        _always("doh-max-server-connections", "int", "5", low=1, high=10000, since="7.8"),
        _always("doh-max-concurrent-queries", "int", "50", low=1, high=10000, since="7.8"),
        _always("doh-timeout", "time", "5s", since="7.8"),
        _always("allow-remote-requests", "bool", "false"),
        _always("max-udp-packet-size", "int", "4096", low=50, high=65507),
        _always("query-server-timeout", "time", "2s"),
        _always("query-total-timeout", "time", "10s"),
        _always("max-concurrent-queries", "int", "100", low=1, high=10000),
        _always("max-concurrent-tcp-sessions", "int", "20", low=1, high=10000),
        Prop("cache-size", default="2048KiB", show=SHOW_ALWAYS),
        _always("cache-max-ttl", "time", "1w"),
        _always("address-list-extra-time", "time", "0s", since="7.15"),
        _always("vrf", "name", "main", since="7.15"),
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
        _always("ttl", "time", "1d"),
        _flag("dynamic"),
        _always("disabled", "bool", "false"),
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
        _always("mtu", "str", "1500"),
        Prop("actual-mtu", "int", read_only=True, computed=True),
        Prop("l2mtu", "int", low=0, high=65535),
        Prop("max-l2mtu", "int", read_only=True),
        Prop("mac-address", read_only=True),
        Prop("last-link-up-time", read_only=True),
        _always("link-downs", "int", "0", read_only=True),
        _flag("running", "true"),
        _flag("slave", computed=True),
        _flag("dynamic"),
        _always("disabled", "bool", "false"),
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
        _always("mtu", "str", "auto"),
        Prop("actual-mtu", "int", read_only=True, computed=True),
        Prop("l2mtu", "int", read_only=True, computed=True),
        Prop(
            "arp",
            "enum",
            default="enabled",
            show=SHOW_ALWAYS,
            choices=("disabled", "enabled", "local-proxy-arp", "proxy-arp", "reply-only"),
        ),
        _always("arp-timeout", "str", "auto"),
        Prop("mac-address", read_only=True),
        _always("protocol-mode", "enum", "rstp", choices=("mstp", "none", "rstp", "stp")),
        _always("fast-forward", "bool", "true"),
        _always("igmp-snooping", "bool", "false"),
        _always("auto-mac", "bool", "true"),
        _always("admin-mac", "mac", ""),
        _always("ageing-time", "time", "5m"),
        _always("priority", "str", "0x8000"),
        _always("max-message-age", "time", "20s"),
        _always("forward-delay", "time", "15s"),
        _always("transmit-hold-count", "int", "6", low=1, high=10),
        _always("vlan-filtering", "bool", "false"),
        _always("ether-type", "enum", "0x8100", choices=("0x8100", "0x88a8", "0x9100")),
        _always("pvid", "int", "1", low=1, high=4094),
        Prop(
            "frame-types",
            "enum",
            default="admit-all",
            show=SHOW_ALWAYS,
            choices=("admit-all", "admit-only-untagged-and-priority-tagged", "admit-only-vlan-tagged"),
        ),
        _always("ingress-filtering", "bool", "false", until="7.0"),
        _always("ingress-filtering", "bool", "true", since="7.0"),
        _always("dhcp-snooping", "bool", "false"),
        _always("port-cost-mode", "enum", "long", choices=("long", "short"), since="7.13"),
        _always("mld-version", "enum", "1", choices=("1", "2")),
        _always("multicast-querier", "bool", "false"),
        _always("mvrp", "bool", "false", since="7.20"),
        _always("max-learned-entries", "str", "auto", since="7.16"),
        _always("forward-reserved-addresses", "bool", "false", since="7.16"),
        _always("add-dhcp-option82", "bool", "false", since="7.20", until="7.23"),
        *(
            _always(name, kind, default, since="7.20", **extra)
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
        _always("disabled", "bool", "false"),
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
        _always("priority", "str", "0x80"),
        _always("path-cost", "int", "10", until="7.13"),
        Prop("path-cost", "int", since="7.13"),
        _always("internal-path-cost", "int", "10", until="7.13"),
        Prop("internal-path-cost", "int", since="7.13"),
        Prop(
            "edge",
            "enum",
            default="auto",
            show=SHOW_ALWAYS,
            choices=("auto", "no", "no-discover", "yes", "yes-discover"),
        ),
        _always("point-to-point", "enum", "auto", choices=("auto", "no", "yes")),
        _always("learn", "enum", "auto", choices=("auto", "no", "yes")),
        _always("horizon", "str", "none"),
        _always("auto-isolate", "bool", "false"),
        _always("restricted-role", "bool", "false"),
        _always("restricted-tcn", "bool", "false"),
        _always("pvid", "int", "1", low=1, high=4094),
        Prop(
            "frame-types",
            "enum",
            default="admit-all",
            show=SHOW_ALWAYS,
            choices=("admit-all", "admit-only-untagged-and-priority-tagged", "admit-only-vlan-tagged"),
        ),
        _always("ingress-filtering", "bool", "false", until="7.0"),
        _always("ingress-filtering", "bool", "true", since="7.0"),
        _always("unknown-unicast-flood", "bool", "true"),
        _always("unknown-multicast-flood", "bool", "true"),
        _always("broadcast-flood", "bool", "true"),
        _always("tag-stacking", "bool", "false"),
        _always("bpdu-guard", "bool", "false"),
        _always("trusted", "bool", "false"),
        Prop(
            "multicast-router",
            "enum",
            default="temporary-query",
            show=SHOW_ALWAYS,
            choices=("disabled", "permanent", "temporary-query"),
        ),
        _always("fast-leave", "bool", "false"),
        _always("hw", "bool", "true"),
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
        _always("disabled", "bool", "false"),
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
        _always("include", "str", ""),
        _always("exclude", "str", ""),
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
        _always("disabled", "bool", "false"),
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
        _always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)

IP_CLOUD = Menu(
    "/ip/cloud",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(
        _always("ddns-enabled", "bool", "false", until="7.17"),
        _always("ddns-enabled", "enum", "auto", choices=("auto", "no", "yes"), since="7.17"),
        _always("ddns-update-interval", "time", "none", choices=("none",)),
        _always("update-time", "bool", "true"),
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
        _always("address", "str", ""),
        _always("vrf", "name", "main", since="7.0"),
        _always("max-sessions", "int", "20", low=1, high=1000, since="7.16"),
        Prop("certificate", "str"),
        Prop("tls-version", "enum", choices=("any", "only-1.2")),
        _flag("invalid", computed=True),
        _always("disabled", "bool", "false"),
    ),
)

SYSTEM_IDENTITY = Menu(
    "/system/identity",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(_always("name", "name", "MikroTik"),),
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

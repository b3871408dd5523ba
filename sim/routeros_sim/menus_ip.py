"""The IP and system menus: DNS, DNS static, addresses, cloud, services, identity, resource, routerboard."""

from __future__ import annotations

from .menu_types import (
    LIST_COMMANDS,
    ORDERED_COMMANDS,
    READ_ONLY_COMMANDS,
    SHOW_ALWAYS,
    SHOW_NONDEFAULT,
    SINGLETON_COMMANDS,
    Menu,
    Prop,
    Unique,
    always,
    flag,
)

DNS = Menu(
    "/ip/dns",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(
        always("servers", "ip-list", ""),
        Prop("dynamic-servers", default="", show=SHOW_ALWAYS, read_only=True),
        Prop("use-doh-server", default="", show=SHOW_ALWAYS, since="6.47"),
        always("verify-doh-cert", "bool", "false", since="6.47"),
        always("doh-max-server-connections", "int", "5", low=1, high=10000, since="7.8"),
        always("doh-max-concurrent-queries", "int", "50", low=1, high=10000, since="7.8"),
        always("doh-timeout", "time", "5s", since="7.8"),
        always("allow-remote-requests", "bool", "false"),
        always("max-udp-packet-size", "int", "4096", low=50, high=65507),
        always("query-server-timeout", "time", "2s"),
        always("query-total-timeout", "time", "10s"),
        always("max-concurrent-queries", "int", "100", low=1, high=10000),
        always("max-concurrent-tcp-sessions", "int", "20", low=1, high=10000),
        Prop("cache-size", default="2048KiB", show=SHOW_ALWAYS),
        always("cache-max-ttl", "time", "1w"),
        always("address-list-extra-time", "time", "0s", since="7.15"),
        always("vrf", "name", "main", since="7.15"),
        Prop("mdns-repeat-ifaces", default="", show=SHOW_ALWAYS, since="7.16"),
        Prop("cache-used", default="20KiB", show=SHOW_ALWAYS, read_only=True),
    ),
)

DNS_STATIC_TYPES = ("A", "AAAA", "CNAME", "FWD", "MX", "NS", "NXDOMAIN", "SRV", "TXT")

DNS_STATIC = Menu(
    "/ip/dns/static",
    exact=True,
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
        always("ttl", "time", "1d"),
        flag("dynamic"),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)


IP_ADDRESS = Menu(
    "/ip/address",
    exact=True,
    commands=LIST_COMMANDS,
    unique=(Unique(("address", "interface"), "failure: already have such address"),),
    props=(
        Prop("address", "interface-address", required=True),
        Prop("network", "ipv4"),  # computed from address unless given
        Prop("netmask", "ipv4", since="7.15"),
        Prop("broadcast", "ipv4", since="7.15"),
        Prop("interface", "name", required=True, refers="/interface", strict=True),
        Prop("actual-interface", read_only=True, computed=True),
        flag("invalid", computed=True),
        flag("dynamic"),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)

IP_CLOUD = Menu(
    "/ip/cloud",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(
        always("ddns-enabled", "bool", "false", until="7.17"),
        always("ddns-enabled", "enum", "auto", choices=("auto", "no", "yes"), since="7.17"),
        always("ddns-update-interval", "time", "none", choices=("none",)),
        always("update-time", "bool", "true"),
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
    exact=True,
    commands=frozenset({"print", "getall", "set", "unset", "enable", "disable"}),
    named=True,
    props=(
        Prop("name", read_only=True),
        Prop("port", "int", low=1, high=65535),
        always("address", "str", ""),
        always("vrf", "name", "main", since="7.0"),
        always("max-sessions", "int", "20", low=1, high=1000, since="7.16"),
        Prop("certificate", "str"),
        Prop("tls-version", "enum", choices=("any", "only-1.2")),
        flag("invalid", computed=True),
        always("disabled", "bool", "false"),
    ),
)

SYSTEM_IDENTITY = Menu(
    "/system/identity",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    props=(always("name", "name", "MikroTik"),),
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

"""The menu tables of the model (``routeros_sim.schema``) and the value types (``routeros_sim.values``).

The tables are data; these tests check that the data is coherent (every rule names real properties,
every default is already in printed form) and that it agrees with what community.routeros's
``api_modify``/``api_info`` expect to read back (field names, defaults, read-only-ness).
"""

from __future__ import annotations

import pytest

from routeros_sim import schema
from routeros_sim.schema import MENUS, Menu, Prop, menus_for, version_at_least, version_tuple
from routeros_sim.values import PARSERS, BadValueError, Spec, format_time, is_dns_name, parse_time

VERSIONS = ("7.20.6", "7.17", "7.15", "7.10", "6.49.18")


def parse(kind: str, value: str, **spec: object) -> str:
    return PARSERS[kind](value, Spec("prop", **spec))  # type: ignore[arg-type]


def refused(kind: str, value: str, **spec: object) -> str:
    with pytest.raises(BadValueError) as caught:
        parse(kind, value, **spec)
    return caught.value.message


# ---------------------------------------------------------------------------------------------
# The tables are coherent


def all_props() -> list[tuple[Menu, Prop]]:
    return [(menu, prop) for menu in MENUS.values() for prop in menu.props]


@pytest.mark.parametrize(("menu", "prop"), all_props(), ids=lambda x: getattr(x, "path", None) or x.name)
def test_every_property_has_a_parser_and_a_printed_default(menu: Menu, prop: Prop) -> None:
    assert prop.kind in PARSERS
    assert prop.show in (schema.SHOW_SET, schema.SHOW_ALWAYS, schema.SHOW_NONDEFAULT)
    if prop.default is not None and prop.settable:
        # The default is stored and compared in printed form, so parsing it must give it back.
        spec = Spec(prop.name, prop.choices, prop.multi, prop.low, prop.high)
        assert PARSERS[prop.kind](prop.default, spec) == prop.default
    if prop.show == schema.SHOW_NONDEFAULT:
        assert prop.default is not None
    if prop.required:
        assert prop.default is None and prop.settable


@pytest.mark.parametrize("version", VERSIONS)
def test_a_version_has_each_property_once(version: str) -> None:
    for menu in menus_for(version).values():
        names = [prop.name for prop in menu.props]
        assert len(names) == len(set(names)), menu.path


@pytest.mark.parametrize("menu", MENUS.values(), ids=lambda menu: menu.path)
def test_rules_between_properties_name_real_properties(menu: Menu) -> None:
    names = {prop.name for prop in menu.props}
    for prop in menu.props:
        if prop.only_with is not None:
            other, values = prop.only_with
            other_prop = menu.prop(other)
            assert other_prop is not None
            assert set(values) <= set(other_prop.choices), (prop.name, values)
        if prop.refers is not None:
            assert MENUS[prop.refers].prop("name") is not None
        if prop.ports:
            assert menu.prop("protocol") is not None
    for name, (other, values) in menu.required_when:
        assert name in names
        assert set(values) <= set(menu.prop(other).choices)  # type: ignore[union-attr]
    assert set(menu.one_of) <= names
    for rule in menu.unique:
        assert set(rule.props) <= names
        assert rule.message


@pytest.mark.parametrize("menu", MENUS.values(), ids=lambda menu: menu.path)
def test_commands_fit_the_kind_of_menu(menu: Menu) -> None:
    assert {"print", "getall"} <= menu.commands
    assert menu.commands <= schema.WRITE_COMMANDS | schema.READ_COMMANDS | schema.ACTION_COMMANDS
    assert ("move" in menu.commands) == menu.ordered
    if menu.singleton:
        assert not {"add", "remove", "move", "enable", "disable"} & menu.commands
    if {"enable", "disable"} & menu.commands:
        assert menu.prop("disabled") is not None
    if menu.named:
        assert menu.prop("name") is not None


def test_menus_and_their_directories() -> None:
    assert set(MENUS) == {
        "/ip/firewall/nat",
        "/ip/firewall/filter",
        "/ip/firewall/address-list",
        "/ip/dns",
        "/ip/dns/static",
        "/interface",
        "/interface/bridge",
        "/interface/bridge/port",
        "/interface/list",
        "/interface/list/member",
        "/ip/address",
        "/ip/cloud",
        "/ip/service",
        "/system/identity",
        "/system/resource",
        "/system/routerboard",
        "/system/script",
        "/system/scheduler",
        "/system/clock",
        "/log",
        "/ip/dhcp-client",
        "/interface/vlan",
        "/interface/pppoe-client",
        "/interface/pptp-client",
        "/interface/l2tp-client",
        "/interface/sstp-client",
        "/interface/ovpn-client",
        "/interface/lte",
        "/interface/wireguard",
        "/interface/bonding",
        "/interface/wireless",
        "/interface/wifi",
        "/interface/wifiwave2",
        "/interface/eoip",
        "/interface/eoipv6",
        "/interface/gre",
        "/interface/gre6",
        "/interface/ipip",
        "/interface/ipipv6",
        "/interface/6to4",
        "/interface/vxlan",
        "/interface/vrrp",
        "/interface/macvlan",
        "/interface/veth",
        "/interface/pwr-line",
        "/interface/w60g",
        "/ip/firewall/mangle",
        "/ip/route",
        "/ip/route/rule",
        "/routing/table",
        "/routing/rule",
        "/ipv6/address",
        "/ipv6/firewall/filter",
        "/ipv6/firewall/address-list",
        "/ipv6/route",
    }
    assert {"/ip", "/ip/firewall", "/system", "/interface/list"} <= schema.DIRECTORIES


def test_routing_menus_follow_the_version() -> None:
    seven, six = set(menus_for("7.20.6")), set(menus_for("6.49.18"))
    assert {"/routing/table", "/routing/rule"} <= seven - six
    assert "/ip/route/rule" in six - seven
    assert "/routing" not in schema.directories_for("6.49.18")
    assert "/routing/table" in schema.directories_for("7.20.6")
    route7, route6 = menus_for("7.20.6")["/ip/route"], menus_for("6.49.18")["/ip/route"]
    assert route7.prop("routing-table") is not None and route7.prop("routing-mark") is None
    assert route6.prop("routing-mark") is not None and route6.prop("routing-table") is None


def test_nat_has_the_routeros7_property_set_and_actions() -> None:
    nat = menus_for("7.20.6")["/ip/firewall/nat"]
    action = nat.prop("action")
    assert action is not None and action.default == "accept"
    assert set(action.choices) == {
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
    }
    names = [prop.name for prop in nat.props]
    # RouterOS prints chain and action first, then the action's arguments, the flags last.
    assert names[:4] == ["chain", "action", "to-addresses", "to-ports"]
    assert names[-6:] == ["bytes", "packets", "invalid", "dynamic", "disabled", "comment"]
    for read_only in ("bytes", "packets", "invalid", "dynamic"):
        assert not nat.prop(read_only).settable  # type: ignore[union-attr]
    assert nat.prop("tls-host") is None  # gone in 7.16
    assert menus_for("7.15")["/ip/firewall/nat"].prop("tls-host") is not None


def test_versions_change_how_log_is_printed() -> None:
    assert menus_for("7.20.6")["/ip/firewall/nat"].prop("log").show == schema.SHOW_NONDEFAULT  # type: ignore[union-attr]
    assert menus_for("6.49.18")["/ip/firewall/nat"].prop("log").show == schema.SHOW_ALWAYS  # type: ignore[union-attr]


# The places where this model deliberately differs from community.routeros's _api_data.py.
API_DATA_EXCEPTIONS = {
    ("/ip/firewall/filter", "p2p"),  # the p2p matcher is gone in RouterOS 7; _api_data keeps it unversioned
    ("/ip/service", "name"),  # a service cannot be renamed; _api_data lists it because it is the key
    ("/system/identity", "name"),  # RouterOS's default identity is "MikroTik" (_api_data says "Mikrotik")
    ("/interface/vxlan", "name"),  # `add` names the interface (vxlan1, vxlan2, ...): no default to drop
    ("/ip/dhcp-client", "disabled"),  # RouterOS 6 adds a DHCP client disabled (exports say disabled=no)
    ("/system/clock", "date"),  # the simulator's clock is its owner's (a test's): printed, never set
    ("/system/clock", "time"),
    ("/ip/firewall/mangle", "p2p"),  # gone in RouterOS 7, as in the filter
}
# _api_data's fields of RouterOS 7 routing, which it gives every version: RouterOS 6 routes name a
# routing-mark and have no routing tables, VRF interfaces or blackhole flag (a route type instead).
API_DATA_NOT_IN_6 = {
    ("/ip/firewall/mangle", "routing-table"),
    ("/ip/route", "routing-table"),
    ("/ip/route", "blackhole"),
    ("/ip/route", "suppress-hw-offload"),
    ("/ip/route", "vrf-interface"),
    ("/ipv6/route", "routing-table"),
    ("/ipv6/route", "blackhole"),
    ("/ipv6/route", "vrf-interface"),
}


@pytest.mark.parametrize("version", ["7.20.6", "7.15", "6.49.18"])
def test_fields_and_defaults_agree_with_community_routeros(version: str) -> None:
    api_data = pytest.importorskip("ansible_collections.community.routeros.plugins.module_utils._api_data")
    helper = pytest.importorskip("ansible_collections.community.routeros.plugins.module_utils._api_helper")
    checked = 0
    for path, menu in menus_for(version).items():
        data = api_data.PATHS.get(tuple(path.strip("/").split("/")))
        if data is None:
            continue  # /system/resource and /system/routerboard are read-only, not in _api_data
        supported, _ = data.provide_version(version)
        if not supported:
            continue
        for name, key_info in data.get_data().fields.items():
            if name == "numbers" or (path, name) in API_DATA_EXCEPTIONS:
                continue
            if (path, name) in API_DATA_NOT_IN_6 and not version_at_least(version, "7.0"):
                continue
            prop = menu.prop(name)
            if prop is None and menu.loose:
                continue  # a loose menu keeps the properties it does not model as given
            assert prop is not None, f"{version} {path}: no property {name}"
            assert prop.settable == (not key_info.read_only), f"{path} {name}"
            if key_info.default is not None:
                expected = helper.value_to_str(key_info.default, compat_bool=True)
                assert prop.default == expected, f"{version} {path} {name}"
            checked += 1
    assert checked > 150


# ---------------------------------------------------------------------------------------------
# Versions


def test_version_tuples_compare_numerically() -> None:
    assert version_tuple("7.20.6") == (7, 20, 6)
    assert version_tuple("7.18beta2") == (7, 18)
    assert version_tuple("6.49.18") == (6, 49, 18)
    assert version_at_least("7.10", "7.9")
    assert version_at_least("7.18", "7.18")
    assert not version_at_least("6.49.18", "7.0")


def test_menus_exist_between_since_and_until_and_keep_given_values_from_their_version() -> None:
    menu = Menu("/x", (Prop("a", default="1"),), frozenset({"print"}), since="7.0", keep_given_since="7.0")
    assert not menu.exists_in("6.49.18")
    assert menu.exists_in("7.1")
    assert menu.keeps_given("7.20.6") and not menu.keeps_given("6.49.18")
    assert "/routing/table" not in menus_for("6.49.18")


def test_properties_exist_between_since_and_until() -> None:
    prop = Prop("x", since="7.5", until="7.16")
    assert not prop.exists_in("7.4.1")
    assert prop.exists_in("7.5")
    assert prop.exists_in("7.15.3")
    assert not prop.exists_in("7.16")


# ---------------------------------------------------------------------------------------------
# Value types: the forms RouterOS prints


@pytest.mark.parametrize(("sent", "printed"), [("yes", "true"), ("true", "true"), ("no", "false"), ("FALSE", "false")])
def test_booleans_print_true_or_false(sent: str, printed: str) -> None:
    assert parse("bool", sent) == printed


def test_a_bad_boolean_names_the_property() -> None:
    assert refused("bool", "maybe") == "input does not match any value of prop"


@pytest.mark.parametrize(
    ("sent", "printed"), [("6", "tcp"), ("17", "udp"), ("1", "icmp"), ("TCP", "tcp"), ("253", "253")]
)
def test_protocols_print_by_name(sent: str, printed: str) -> None:
    assert parse("protocol", sent) == printed


def test_unknown_protocols_are_refused() -> None:
    assert refused("protocol", "tcpp") == "input does not match any value of prop"
    assert refused("protocol", "256") == "value of prop out of range (0..255)"


@pytest.mark.parametrize(
    ("sent", "printed"),
    [
        ("192.168.1.2/32", "192.168.1.2"),
        ("192.168.1.2", "192.168.1.2"),
        ("10.1.2.3/8", "10.0.0.0/8"),
        ("192.168.88.77/24", "192.168.88.0/24"),
        ("192.168.1.0/255.255.255.0", "192.168.1.0/24"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("10.0.0.1-10.0.0.9", "10.0.0.1-10.0.0.9"),
        ("10.0.0.1-10.0.0.1", "10.0.0.1"),
    ],
)
def test_firewall_addresses_are_normalised(sent: str, printed: str) -> None:
    assert parse("ipv4-prefix", sent) == printed


@pytest.mark.parametrize("sent", ["999.1.1.1", "1.2.3", "1.2.3.4/33", "10.0.0.9-10.0.0.1", "fe80::1", "", "host"])
def test_bad_firewall_addresses_are_refused(sent: str) -> None:
    assert refused("ipv4-prefix", sent) == "invalid value for argument prop"


def test_interface_addresses_keep_the_host_part() -> None:
    assert parse("interface-address", "192.168.88.1/24") == "192.168.88.1/24"
    assert parse("interface-address", "10.0.0.1") == "10.0.0.1/32"
    assert refused("interface-address", "10.0.0.256/24") == "invalid value for argument prop"


@pytest.mark.parametrize(
    ("sent", "printed"),
    [
        ("192.168.0.0-192.168.1.255", "192.168.0.0/23"),
        ("192.168.0.5-192.168.0.9", "192.168.0.5-192.168.0.9"),
        ("1.2.3.4/32", "1.2.3.4"),
        ("1.2.3.4/24", "1.2.3.0/24"),
        ("home.example.net", "home.example.net"),
        ("my-host.lan", "my-host.lan"),
        ("abcdef012345.sn.mynetname.net", "abcdef012345.sn.mynetname.net"),
    ],
)
def test_address_list_addresses(sent: str, printed: str) -> None:
    assert parse("list-address", sent) == printed


@pytest.mark.parametrize("sent", ["300.1.1.1", "1.2.3.4/40", "bad name", "-x-.example", ""])
def test_bad_address_list_addresses(sent: str) -> None:
    assert refused("list-address", sent) == "invalid value for argument prop"


def test_dns_names() -> None:
    assert is_dns_name("example.com")
    assert is_dns_name("localhost")
    assert not is_dns_name("1.2.3.4")
    assert not is_dns_name("1.2.3.4-1.2.3.9")
    assert not is_dns_name("a..b")
    assert not is_dns_name("trailing.")


@pytest.mark.parametrize(
    ("sent", "printed"),
    [("80-80", "80"), ("80", "80"), ("1000-2000", "1000-2000"), ("80,443,8000-8080", "80,443,8000-8080")],
)
def test_port_lists_collapse_single_port_ranges(sent: str, printed: str) -> None:
    assert parse("ports", sent) == printed


def test_bad_ports() -> None:
    assert refused("ports", "65536") == "value of prop out of range (0..65535)"
    assert refused("ports", "http") == "invalid value for argument prop"
    assert refused("ports", "90-80") == "invalid value for argument prop"
    assert refused("ports", ",".join(str(port) for port in range(1, 17))) == "invalid value for argument prop"
    assert refused("port-range", "70000") == "value of prop out of range (0..65535)"


def test_integers_respect_their_range() -> None:
    assert parse("int", "0x10", low=0, high=100) == "16"
    assert refused("int", "101", low=0, high=100) == "value of prop out of range (0..100)"
    assert refused("int", "ten") == "invalid value for argument prop"


def test_enums_take_exact_choices_and_lists_when_multi() -> None:
    assert parse("enum", "dst-nat", choices=("dst-nat", "src-nat")) == "dst-nat"
    assert refused("enum", "dstnat", choices=("dst-nat",)) == "input does not match any value of prop"
    assert parse("enum", "established,related", choices=("established", "related"), multi=True) == "established,related"


@pytest.mark.parametrize(
    ("sent", "printed"),
    [("24h", "1d"), ("1d", "1d"), ("00:05:00", "5m"), ("90", "1m30s"), ("1w2d", "1w2d"), ("500ms", "500ms")],
)
def test_times_print_in_routeros_units(sent: str, printed: str) -> None:
    assert parse("time", sent) == printed


def test_time_helpers() -> None:
    assert parse_time("1d2h3m4s") == 93784
    assert parse_time("soon") is None
    assert format_time(0) == "0s"
    assert format_time(31.25) == "31s250ms"
    assert parse("time", "none", choices=("none",)) == "none"


def test_other_kinds() -> None:
    assert parse("ipsec-policy", "out,none") == "out,none"
    assert refused("ipsec-policy", "sideways,none") == "input does not match any value of prop"
    assert parse("mac", "d4-01-c3-00-00-01") == "D4:01:C3:00:00:01"
    assert parse("ip-list", "1.1.1.1,2606:4700::1111") == "1.1.1.1,2606:4700::1111"
    assert parse("ip-list", "") == ""
    assert refused("chain", "my chain") == "invalid value for argument prop"
    assert parse("chain", "custom-chain") == "custom-chain"
    assert refused("name", "") == "invalid value for argument prop"

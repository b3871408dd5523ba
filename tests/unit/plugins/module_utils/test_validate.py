# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    Hairpin,
    HairpinSubnet,
    Masquerade,
    PortForward,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import (
    InvalidConfigError,
    RouterFacts,
    ValidationError,
    check_services,
    validate_services,
    verbatim_notes,
)

FACTS = RouterFacts(
    interfaces=frozenset({"ether1", "bridge", "pppoe-out1"}),
    interface_lists=frozenset({"WAN", "LAN"}),
    addresses=frozenset({"192.168.88.1/24", "203.0.113.5/24"}),
    services={"ssh": 22, "www": 80, "winbox": 8291, "api": 8728},
)


MATCH_FIELDS = ("public_address", "public_address_list", "public_local", "in_interface", "in_interface_list")


def forward(**overrides):
    """A valid port forward; it has a public address unless the test picks what it matches on."""
    values = {"name": "web", "protocol": "tcp", "port": "443", "host": "192.168.88.10"}
    if not any(name in overrides for name in MATCH_FIELDS):
        values["public_address"] = "198.51.100.7"
    values.update(overrides)
    return PortForward(**values)


def texts(errors):
    return [error.text for error in errors]


def test_a_valid_config_has_no_problems():
    errors = validate_services(
        port_forwards=[forward(), forward(name="dns", protocol="both", port="53", host="192.168.88.2")],
        masquerades=[Masquerade(out_interface_list="WAN", ipsec_policy="out,none")],
        hairpins=[Hairpin("web", "tcp", "192.168.88.10", "443", "192.168.88.0/24", lan_interface="bridge")],
        hairpin_subnets=[HairpinSubnet("192.168.88.0/24", lan_interface_list="LAN")],
        facts=FACTS,
    )
    assert errors == []


def test_message_names_service_and_field():
    (error,) = validate_services(port_forwards=[forward(port=70000)])
    assert error == ValidationError("web", "port", "70000 is not a port (1-65535)")
    assert str(error) == "service 'web': field 'port': 70000 is not a port (1-65535)"


def test_host_prefix_when_the_inventory_host_is_known():
    (error,) = validate_services(port_forwards=[forward(port="0")], host="r1")
    assert error.text == "host 'r1': service 'web': field 'port': 0 is not a port (1-65535)"


@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("0", "0 is not a port (1-65535)"),
        ("65536", "65536 is not a port (1-65535)"),
        ("90-80", "90-80 is not a port range: N-M needs N <= M"),
        ("80-70000", "70000 is not a port (1-65535)"),
        ("http", "http is not a port (1-65535) or a port range (N-M)"),
        ("80,443", "80,443 is not a port (1-65535) or a port range (N-M)"),
        ("", "'' is not a port (1-65535) or a port range (N-M)"),
    ],
)
def test_bad_ports(port, message):
    assert texts(validate_services(port_forwards=[forward(port=port)])) == ["service 'web': field 'port': " + message]


@pytest.mark.parametrize("port", ["1", "65535", "1000-2000", "5-5", 8080])
def test_good_ports(port):
    assert validate_services(port_forwards=[forward(port=port)]) == []


def test_bad_host_port_and_range_mismatch():
    errors = validate_services(
        port_forwards=[
            forward(name="a", host_port="99999"),
            forward(name="b", port="1000-1010", host_port="2000-2010"),
        ]
    )
    assert texts(errors) == [
        "service 'a': field 'host_port': 99999 is not a port (1-65535)",
        "service 'b': field 'host_port': 2000-2010 is a different port range than port 1000-1010; a range can "
        "only be forwarded to the same range or to a single port",
    ]


def test_protocol_must_be_tcp_udp_or_both():
    assert texts(validate_services(port_forwards=[forward(protocol="icmp")])) == [
        "service 'web': field 'protocol': 'icmp' is not one of tcp, udp, both"
    ]


@pytest.mark.parametrize("name", ["my web", "-web", "", "a" * 65, "web:tcp", "wéb"])
def test_names_must_fit_the_marker(name):
    (error,) = validate_services(port_forwards=[forward(name=name)])
    assert error.service == name
    assert error.field == "name"
    assert "is not a valid name" in error.message


def test_duplicate_names_are_reported_once():
    errors = validate_services(port_forwards=[forward(), forward(port="8443"), forward(port="9443")])
    assert texts(errors) == [
        "service 'web': field 'name': 'web' is defined 3 times as a port forward; names must be unique"
    ]


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("224.0.0.1", "224.0.0.1 is not a unicast IPv4 host address (multicast)"),
        ("255.255.255.255", "255.255.255.255 is not a unicast IPv4 host address (broadcast)"),
        ("0.0.0.0", "0.0.0.0 is not a unicast IPv4 host address (unspecified)"),
        ("127.0.0.1", "127.0.0.1 is not a unicast IPv4 host address (loopback)"),
        ("240.0.0.1", "240.0.0.1 is not a unicast IPv4 host address (reserved)"),
        ("192.168.88.300", "'192.168.88.300' is not an IPv4 address"),
        ("fe80::1", "'fe80::1' is not an IPv4 address"),
    ],
)
def test_host_must_be_unicast(host, reason):
    assert texts(validate_services(port_forwards=[forward(host=host)])) == ["service 'web': field 'host': " + reason]


def test_public_address_must_be_unicast_and_public_choices_are_exclusive():
    errors = validate_services(
        port_forwards=[
            forward(name="a", public_address="224.1.1.1"),
            forward(name="b", public_address="203.0.113.9", public_local=True),
        ]
    )
    assert texts(errors) == [
        "service 'a': field 'public_address': 224.1.1.1 is not a unicast IPv4 host address (multicast)",
        "service 'b': field 'public_local': cannot be combined with 'public_address'; give only one of "
        "public_address, public_address_list, public_local",
    ]


def test_overlapping_ports_on_the_same_public_address():
    errors = validate_services(
        port_forwards=[
            forward(name="web", protocol="both", port="80-90", public_address="203.0.113.9"),
            forward(name="alt", protocol="tcp", port="85", public_address="203.0.113.9"),
            forward(name="other-ip", protocol="tcp", port="85", public_address="198.51.100.1"),
            forward(name="udp-only", protocol="udp", port="100", public_address="203.0.113.9"),
            forward(name="tcp-100", protocol="tcp", port="100", public_address="203.0.113.9"),
        ]
    )
    assert texts(errors) == [
        "service 'alt': field 'port': tcp port 85 on public address 203.0.113.9 is already forwarded by "
        "service 'web' (tcp port 80-90)",
    ]


def test_any_destination_and_local_overlap_router_addresses():
    errors = validate_services(
        port_forwards=[
            forward(name="local", port="443", public_local=True),
            forward(name="own-ip", port="443", public_address="203.0.113.5"),
            forward(name="any", port="443", in_interface="ether1"),
        ],
        facts=FACTS,
    )
    assert texts(errors) == [
        "service 'own-ip': field 'port': tcp port 443 on public address 203.0.113.5 is already forwarded by "
        "service 'local' (tcp port 443)",
        "service 'any': field 'port': tcp port 443 on any destination address is already forwarded by service "
        "'local' (tcp port 443)",
    ]


NO_PUBLIC_SIDE = (
    "give public_address, public_address_list, public_local or in_interface(_list), otherwise the rule catches "
    "this port towards every destination, LAN clients' internet traffic included"
)


def test_a_forward_matching_only_protocol_and_port_is_rejected():
    # It would also catch LAN clients' connections to port 443 of every server on the internet.
    errors = validate_services(port_forwards=[PortForward("web", "tcp", "443", "192.168.88.10")])
    assert errors == [ValidationError("web", "public_address", NO_PUBLIC_SIDE)]
    assert texts(errors) == ["service 'web': field 'public_address': " + NO_PUBLIC_SIDE]


@pytest.mark.parametrize(
    "match",
    [
        {"public_address": "203.0.113.9"},
        {"public_address_list": "wan-ips"},
        {"public_local": True},
        {"in_interface": "ether1"},
        {"in_interface_list": "WAN"},
    ],
    ids=lambda match: next(iter(match)),
)
def test_any_public_side_or_ingress_is_enough(match):
    assert validate_services(port_forwards=[PortForward("web", "tcp", "443", "192.168.88.10", **match)]) == []


def test_empty_values_do_not_count_as_a_public_side():
    errors = validate_services(port_forwards=[forward(public_address_list="", in_interface="", public_local=False)])
    assert [(error.field, error.message) for error in errors] == [
        ("public_address_list", "'' is not a name"),
        ("in_interface", "'' is not a name"),
        ("public_address", NO_PUBLIC_SIDE),
    ]


def test_different_in_interfaces_do_not_overlap():
    errors = validate_services(
        port_forwards=[
            forward(name="wan1", port="443", public_local=True, in_interface="ether1"),
            forward(name="wan2", port="443", public_local=True, in_interface="pppoe-out1"),
        ],
        facts=FACTS,
    )
    assert errors == []


def test_interfaces_and_lists_must_exist_on_the_router():
    errors = validate_services(
        port_forwards=[forward(in_interface="ether9"), forward(name="b", port="1", in_interface_list="WAN2")],
        masquerades=[Masquerade(out_interface="sfp1")],
        hairpins=[Hairpin("web", "tcp", "192.168.88.10", "443", "192.168.88.0/24", lan_interface_list="HOME")],
        hairpin_subnets=[HairpinSubnet("192.168.88.0/24", lan_interface="br9")],
        facts=FACTS,
    )
    assert texts(errors) == [
        "service 'web': field 'in_interface': interface 'ether9' does not exist on the router",
        "service 'b': field 'in_interface_list': interface list 'WAN2' does not exist on the router",
        "service 'sfp1': field 'out_interface': interface 'sfp1' does not exist on the router",
        "service 'web': field 'lan_interface_list': interface list 'HOME' does not exist on the router",
        "service '192.168.88.0/24': field 'lan_interface': interface 'br9' does not exist on the router",
    ]


def test_builtin_interface_lists_always_exist_and_no_facts_skips_router_checks():
    assert validate_services(masquerades=[Masquerade(out_interface_list="all")], facts=FACTS) == []
    assert validate_services(port_forwards=[forward(in_interface="ether9")]) == []


def test_a_forward_on_a_router_service_is_no_validation_error():
    # What it takes from the router is a warning, or a refusal when it cuts off this run's API
    # path (own_services.py, run in converge with the connection at hand).
    errors = validate_services(
        port_forwards=[
            forward(name="winbox-fwd", port="8291", public_local=True),
            forward(name="web", port="80", public_address="203.0.113.5"),
        ],
        facts=FACTS,
    )
    assert errors == []


@pytest.mark.parametrize(
    ("comment", "what"),
    [
        ("line1\nline2", "a newline (\\n) at position 5"),
        ("cr\r", "a carriage return (\\r) at position 2"),
        ("nul\x00", "a NUL character (\\0) at position 3"),
        ("tab\there", "a tab (\\t) at position 3"),
        ("bell\x07", "the control character U+0007 at position 4"),
    ],
)
def test_comments_reject_control_characters(comment, what):
    assert texts(validate_services(port_forwards=[forward(comment=comment)])) == [
        "service 'web': field 'comment': contains "
        + what
        + "; RouterOS comments are one line of text, so control characters cannot be stored"
    ]


def test_comments_accept_quotes_backslashes_dollars_and_unicode():
    comment = 'say "hi" \\ $var ?q =eq ünïcødé 😀'
    assert validate_services(port_forwards=[forward(comment=comment)]) == []
    assert forward(comment=comment).rules()[0].comment.endswith(" " + comment)  # stored verbatim


def test_verbatim_notes_tell_which_special_characters_are_kept():
    notes = verbatim_notes(
        port_forwards=[forward(comment='say "hi" $x'), forward(name="plain", comment="just text")],
        masquerades=[Masquerade(out_interface_list="WAN", comment="a=b? c\\d")],
        hairpin_subnets=[HairpinSubnet("10.0.0.0/24", comment="Küche")],
    )
    assert notes == [
        "service 'web': field 'comment': '\"', '$' stored verbatim (the rendered CLI quotes or escapes them)",
        "service 'WAN': field 'comment': '\\', '=', '?' stored verbatim (the rendered CLI quotes or escapes them)",
        "service '10.0.0.0/24': field 'comment': non-ASCII characters stored verbatim (the rendered CLI quotes "
        "or escapes them)",
    ]


def test_masquerade_checks():
    errors = validate_services(
        masquerades=[
            Masquerade(),
            Masquerade(out_interface="ether1", out_interface_list="WAN"),
            Masquerade(out_interface="ether 2"),
            Masquerade(out_interface_list="LAN", ipsec_policy="sideways"),
            Masquerade(out_interface_list="LAN", comment="a\nb"),
        ]
    )
    assert texts(errors) == [
        "service 'masquerade': field 'out_interface': one of out_interface, out_interface_list is required",
        "service 'ether1': field 'out_interface_list': cannot be combined with 'out_interface'; give only one "
        "of out_interface, out_interface_list",
        "service 'ether 2': field 'out_interface': 'ether 2' cannot name the rule's ownership marker (allowed: "
        "letters, digits, '_', '.', '-'; starting with a letter or digit; at most 64 characters)",
        "service 'LAN': field 'ipsec_policy': 'sideways' is not in/out,ipsec/none (e.g. out,none)",
        "service 'LAN': field 'comment': contains a newline (\\n) at position 1; RouterOS comments are one line "
        "of text, so control characters cannot be stored",
        "service 'LAN': field 'name': 'LAN' is defined 2 times as a masquerade; names must be unique",
    ]


def test_hairpin_checks():
    errors = validate_services(
        hairpins=[
            Hairpin("a", "tcp", "192.168.1.10", "80", "192.168.88.0/24"),
            Hairpin("b", "tcp", "192.168.88.0", "80", "192.168.88.0/24"),
            Hairpin("c", "sctp", "192.168.88.5", "0", "192.168.88"),
        ]
    )
    assert texts(errors) == [
        "service 'a': field 'lan_subnet': 192.168.88.0/24 does not contain host 192.168.1.10",
        "service 'b': field 'host': 192.168.88.0 is the network or broadcast address of 192.168.88.0/24",
        "service 'c': field 'protocol': 'sctp' is not one of tcp, udp, both",
        "service 'c': field 'host_port': 0 is not a port (1-65535)",
        "service 'c': field 'lan_subnet': '192.168.88' is not an IPv4 subnet (address/prefix, e.g. 192.168.88.0/24)",
    ]


def test_hairpin_subnet_checks():
    errors = validate_services(
        hairpin_subnets=[HairpinSubnet("10.0.0.0"), HairpinSubnet("10.1.0.0/16"), HairpinSubnet("10.1.2.3/16")]
    )
    assert texts(errors) == [
        "service '10.0.0.0': field 'subnet': '10.0.0.0' is not an IPv4 subnet (address/prefix, e.g. 192.168.88.0/24)",
        "service '10.1.0.0/16': field 'name': '10.1.0.0/16' is defined 2 times as a hairpin subnet; names must be "
        "unique",
    ]


def test_all_problems_are_reported_at_once():
    with pytest.raises(InvalidConfigError) as caught:
        check_services(
            port_forwards=[forward(port="0", host="224.0.0.1", protocol="gre")],
            masquerades=[Masquerade(out_interface="nope")],
            facts=FACTS,
        )
    assert [(e.service, e.field) for e in caught.value.errors] == [
        ("web", "protocol"),
        ("web", "port"),
        ("web", "host"),
        ("nope", "out_interface"),
    ]
    assert "service 'web': field 'port': 0 is not a port (1-65535)" in str(caught.value)
    check_services(port_forwards=[forward()], facts=FACTS)  # valid: no exception

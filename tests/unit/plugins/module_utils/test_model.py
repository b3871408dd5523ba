# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOTTOM,
    MARKER_RE,
    NAT_FIELDS,
    TOP,
    Anchor,
    Hairpin,
    HairpinSubnet,
    Masquerade,
    PortForward,
    RuleKey,
    comment_fingerprint,
    comment_parts,
    desired_rules,
    effective_value,
    fingerprint_fields_part,
    format_marker,
    normalize_value,
    parse_marker,
    row_fields_digest,
    split_comment,
    without_fingerprint,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    canonical_subnet,
    ipv4_address,
    ipv4_network,
    lan_subnet_for,
)

# --- normalize_value ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("dst-port", "80-80", "80"),
        ("dst-port", 80, "80"),
        ("dst-port", "0080", "80"),
        ("dst-port", "1000-2000", "1000-2000"),
        ("dst-port", "80,443-443", "80,443"),
        ("dst-port", "!22", "!22"),
        ("to-ports", 8080, "8080"),
        ("protocol", "6", "tcp"),
        ("protocol", 17, "udp"),
        ("protocol", "TCP", "tcp"),
        ("protocol", "gre", "gre"),
        ("dst-address", "203.0.113.5/32", "203.0.113.5"),
        ("src-address", "192.168.1.7/24", "192.168.1.0/24"),
        ("src-address", "192.168.1.0/24", "192.168.1.0/24"),
        ("dst-address", "!10.0.0.1/32", "!10.0.0.1"),
        ("to-addresses", "10.0.0.1-10.0.0.1", "10.0.0.1"),
        ("to-addresses", "10.0.0.1-10.0.0.9", "10.0.0.1-10.0.0.9"),
        ("dst-address", "not-an-address", "not-an-address"),
        ("disabled", True, "true"),
        ("disabled", False, "false"),
        ("disabled", "yes", "true"),
        ("disabled", "no", "false"),
        ("disabled", "true", "true"),
        ("log", "false", "false"),
        ("comment", 123, "123"),
        ("comment", True, "true"),
        ("out-interface", "ether1", "ether1"),
        ("unknown-property", 5, "5"),
    ],
)
def test_normalize_value_gives_the_form_routeros_prints(field, raw, expected):
    assert normalize_value(field, raw) == expected


@pytest.mark.parametrize("field", list(NAT_FIELDS))
@pytest.mark.parametrize("raw", ["80-80", "6", "1.2.3.4/32", "10.1.1.9/8", True, "yes", 443, "a b"])
def test_normalize_value_is_idempotent(field, raw):
    once = normalize_value(field, raw)
    assert normalize_value(field, once) == once


def test_effective_value_fills_defaults_and_treats_empty_as_absent():
    assert effective_value("disabled", None) == "false"
    assert effective_value("log-prefix", None) == ""
    assert effective_value("action", None) == "accept"
    assert effective_value("to-ports", None) is None
    assert effective_value("in-interface", "") is None
    assert effective_value("dst-port", 443) == "443"


def test_effective_value_tells_equal_values_of_other_types_apart():
    # True == 1 and they hash alike: the cache must not answer one with the other's value.
    assert [effective_value("dst-port", raw) for raw in (True, 1, "1", 1.0, True)] == ["true", "1", "1", "1.0", "true"]
    assert [effective_value("disabled", raw) for raw in (0, False, "no")] == ["0", "false", "false"]


def test_effective_value_of_an_unhashable_value_is_its_text():
    assert effective_value("comment", ["a"]) == "['a']"


@pytest.mark.parametrize(
    ("text", "address", "network"),
    [
        ("192.168.1.7", "192.168.1.7", "192.168.1.7/32"),
        ("192.168.1.7/24", None, "192.168.1.0/24"),
        ("256.1.1.1", None, None),
        ("10.0.0.0/33", None, None),
        ("", None, None),
    ],
)
def test_ipv4_parsers_answer_none_for_what_is_not_an_address(text, address, network):
    assert (ipv4_address(text), ipv4_network(text)) == (
        None if address is None else IPv4Address(address),
        None if network is None else IPv4Network(network),
    )


def test_field_table_knows_what_can_be_unset():
    assert NAT_FIELDS["to-ports"].can_unset
    assert NAT_FIELDS["in-interface"].can_unset
    assert not NAT_FIELDS["disabled"].can_unset
    assert NAT_FIELDS["disabled"].default == "false"
    assert not NAT_FIELDS["chain"].can_unset


# --- marker ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "comment"),
    [
        (("dstnat", "web", "tcp"), "hairpin:dstnat:web:tcp"),
        (("hairpin", "web", "udp"), "hairpin:hairpin:web:udp"),
        (("masquerade", "ether1", None), "hairpin:masquerade:ether1"),
        (("hairpin-subnet", "192.168.1.0/24", None), "hairpin:hairpin-subnet:192.168.1.0/24"),
        (("netmap-in", "dmz", None), "hairpin:netmap-in:dmz"),
        (("netmap-out", "dmz", None), "hairpin:netmap-out:dmz"),
        (("netmap-hairpin", "dmz", None), "hairpin:netmap-hairpin:dmz"),
    ],
)
def test_format_and_parse_marker_round_trip(args, comment):
    assert format_marker(*args) == comment
    assert parse_marker(comment) == RuleKey(*args)


def test_marker_keeps_description_verbatim():
    description = 'Plex "media" \\ $x ?y =z ünï 😀  two  spaces'
    comment = format_marker("dstnat", "plex", "tcp", description)
    assert comment == "hairpin:dstnat:plex:tcp " + description
    assert split_comment(comment) == (RuleKey("dstnat", "plex", "tcp"), description)


@pytest.mark.parametrize(
    "comment",
    [
        None,
        "",
        "defconf: masquerade",
        "hairpin:dstnat:web",  # dstnat needs a protocol
        "hairpin:dstnat:web:icmp",
        "hairpin:dstnat:web:tcpx",
        "hairpin:dstnat:web:tcp:extra",
        "Hairpin:dstnat:web:tcp",
        "hairpin:DSTNAT:web:tcp",
        "xhairpin:dstnat:web:tcp",
        " hairpin:dstnat:web:tcp",
        "hairpin:masquerade:ether1:tcp",  # masquerade has no protocol
        "hairpin:netmap-in:dmz:tcp",  # nor has 1:1 NAT
        "hairpin:netmap:dmz",
        "hairpin:hairpin-subnet:192.168.1.0",
        "hairpin:dstnat:-web:tcp",
        "hairpin:dstnat:w b:tcp",
        "hairpin:portfwd:web:tcp",
        "hairpin:dstnat:" + "a" * 65 + ":tcp",
        123,
        True,
    ],
)
def test_parse_marker_treats_lookalikes_as_foreign(comment):
    assert parse_marker(comment) is None


def test_marker_regex_is_documented_and_anchored():
    assert MARKER_RE.match("hairpin:dstnat:web:tcp")
    assert not MARKER_RE.match("hairpin:dstnat:web:tcp\n")  # \Z, not $


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("dstnat", "web", None), "needs protocol"),
        (("dstnat", "web", "both"), "needs protocol"),
        (("masquerade", "ether1", "tcp"), "has no protocol"),
        (("dstnat", "my web", "tcp"), "not a valid name"),
        (("nat", "web", "tcp"), "unknown rule kind"),
        (("masquerade", "ether 1", None), "not a valid name"),
    ],
)
def test_format_marker_refuses_what_would_not_parse_back(args, message):
    with pytest.raises(ValueError, match=message):
        format_marker(*args)


# --- typed desired state -----------------------------------------------------------------------


def test_port_forward_both_gives_one_rule_per_protocol():
    forward = PortForward(
        name="web",
        protocol="both",
        port="443",
        host="192.168.88.10",
        host_port="8443",
        public_address="203.0.113.5/32",
        in_interface_list="WAN",
        comment="Web server",
    )
    rules = forward.rules()
    assert [rule.key for rule in rules] == [RuleKey("dstnat", "web", "tcp"), RuleKey("dstnat", "web", "udp")]
    assert rules[0].fields == {
        "chain": "dstnat",
        "action": "dst-nat",
        "protocol": "tcp",
        "dst-address": "203.0.113.5",
        "dst-port": "443",
        "in-interface-list": "WAN",
        "to-addresses": "192.168.88.10",
        "to-ports": "8443",
        # Pinned: a fingerprint must read the same in every version, or an upgrade would call
        # every owned rule edited on the router.
        "comment": "hairpin:dstnat:web:tcp ~67a5fdb5 Web server",
    }
    assert rules[0].anchor == TOP
    assert rules[1].fields["protocol"] == "udp"
    assert rules[1].comment == "hairpin:dstnat:web:udp ~493953b5 Web server"


def test_port_forward_defaults_host_port_to_port_and_public_local():
    (rule,) = PortForward(name="ssh", protocol="tcp", port=2222, host="10.0.0.2", public_local=True).rules()
    assert rule.fields["to-ports"] == "2222"
    assert rule.fields["dst-address-type"] == "local"
    assert "disabled" not in rule.fields  # defaults are not written


def test_port_forward_range_to_same_range_leaves_to_ports_unset():
    (rule,) = PortForward(name="game", protocol="udp", port="27015-27030", host="10.0.0.3").rules()
    assert "to-ports" not in rule.fields
    (single,) = PortForward(name="game", protocol="udp", port="27015-27030", host="10.0.0.3", host_port="27015").rules()
    assert single.fields["to-ports"] == "27015"


def test_port_forward_disabled_and_address_list():
    (rule,) = PortForward(
        name="rdp", protocol="tcp", port="3389", host="10.0.0.4", public_address_list="wan-ips", disabled=True
    ).rules()
    assert rule.fields["dst-address-list"] == "wan-ips"
    assert rule.fields["disabled"] == "true"


def test_masquerade_is_named_after_its_interface_and_defaults_to_bottom():
    (rule,) = Masquerade(out_interface_list="WAN", ipsec_policy="out,none").rules()
    assert rule.key == RuleKey("masquerade", "WAN", None)
    assert rule.anchor == BOTTOM
    assert rule.fields == {
        "chain": "srcnat",
        "action": "masquerade",
        "out-interface-list": "WAN",
        "ipsec-policy": "out,none",
        "comment": "hairpin:masquerade:WAN ~b7e21ebe",
    }


def test_hairpin_for_port_forward_targets_the_host_port():
    forward = PortForward(name="web", protocol="tcp", port="80", host="192.168.88.10", host_port="8080")
    hairpin = Hairpin.for_port_forward(forward, "192.168.88.0/24", lan_interface="bridge")
    (rule,) = hairpin.rules()
    assert rule.key == RuleKey("hairpin", "web", "tcp")
    assert rule.fields == {
        "chain": "srcnat",
        "action": "masquerade",
        "protocol": "tcp",
        "src-address": "192.168.88.0/24",
        "dst-address": "192.168.88.10",
        "dst-port": "8080",
        "out-interface": "bridge",
        "comment": "hairpin:hairpin:web:tcp ~7e01ada8",
    }


def test_hairpin_subnet_keeps_the_slash_in_its_name():
    (rule,) = HairpinSubnet(subnet="192.168.1.77/24", lan_interface_list="LAN").rules()
    assert rule.key == RuleKey("hairpin-subnet", "192.168.1.0/24", None)
    assert rule.comment == "hairpin:hairpin-subnet:192.168.1.0/24 ~78784fdc"
    assert rule.fields["src-address"] == rule.fields["dst-address"] == "192.168.1.0/24"
    (host_rule,) = HairpinSubnet(subnet="10.0.0.5/32").rules()
    assert host_rule.comment == "hairpin:hairpin-subnet:10.0.0.5/32 ~127ae3dc"
    assert host_rule.fields["src-address"] == "10.0.0.5"


def test_desired_rules_flattens_in_config_order():
    forwards = [PortForward("b", "tcp", "2", "10.0.0.2"), PortForward("a", "udp", "1", "10.0.0.1")]
    keys = [rule.key for rule in desired_rules(forwards, [Masquerade(out_interface="ether1")])]
    assert keys == [RuleKey("dstnat", "b", "tcp"), RuleKey("dstnat", "a", "udp"), RuleKey("masquerade", "ether1")]


def test_anchor_requires_a_comment_exactly_for_before_and_after():
    assert Anchor("before", "x").describe() == "before 'x'"
    with pytest.raises(ValueError, match="needs the comment"):
        Anchor("after")
    with pytest.raises(ValueError, match="takes no comment"):
        Anchor("top", "x")
    with pytest.raises(ValueError, match="must be one of"):
        Anchor("middle")


def test_lan_subnet_for_picks_the_most_specific_subnet_holding_the_host():
    subnets = ["192.168.0.0/16", "192.168.88.1/24", "10.0.0.0/8"]
    assert lan_subnet_for("192.168.88.10", subnets) == "192.168.88.0/24"
    assert lan_subnet_for("192.168.1.10", subnets) == "192.168.0.0/16"
    assert lan_subnet_for("172.16.0.1", subnets) is None
    assert lan_subnet_for("bogus", subnets) is None


def test_canonical_subnet():
    assert canonical_subnet("10.1.2.3/8") == "10.0.0.0/8"
    assert canonical_subnet("10.1.2.3/32") == "10.1.2.3/32"
    assert canonical_subnet("nonsense") == "nonsense"


# --- the fingerprint ------------------------------------------------------------------------------


def test_the_fingerprint_is_not_part_of_the_description():
    assert split_comment("hairpin:dstnat:web:tcp ~67a5fdb5 Web server") == (
        RuleKey("dstnat", "web", "tcp"),
        "Web server",
    )
    assert split_comment("hairpin:dstnat:web:tcp ~67a5fdb5") == (RuleKey("dstnat", "web", "tcp"), None)
    assert comment_fingerprint("hairpin:dstnat:web:tcp ~67a5fdb5 Web server") == "67a5fdb5"
    # Written before fingerprints: owned, no fingerprint, the description as it was.
    assert comment_parts("hairpin:dstnat:web:tcp Web server") == (RuleKey("dstnat", "web", "tcp"), None, "Web server")
    # Not a fingerprint: upper case, 7 digits, or glued to more text.
    for comment in (
        "hairpin:dstnat:web:tcp ~67A5FDB5",
        "hairpin:dstnat:web:tcp ~67a5fdb",
        "hairpin:dstnat:web:tcp ~67a5fdb5x",
    ):
        key, fingerprint, description = comment_parts(comment)
        assert key == RuleKey("dstnat", "web", "tcp") and fingerprint is None
        assert description == comment.split(" ", 1)[1]
    assert without_fingerprint("hairpin:dstnat:web:tcp ~67a5fdb5 Web server") == "hairpin:dstnat:web:tcp Web server"
    assert without_fingerprint("defconf: masquerade") == "defconf: masquerade"


def test_a_description_that_reads_as_a_fingerprint_is_refused():
    with pytest.raises(ValueError, match="reads as a fingerprint"):
        format_marker("dstnat", "web", "tcp", "~0123abcd")
    assert format_marker("dstnat", "web", "tcp", "~0123abcd!") == "hairpin:dstnat:web:tcp ~0123abcd!"


def test_the_fields_part_of_the_fingerprint_is_the_digest_of_the_row_the_router_stores():
    (rule,) = PortForward("web", "tcp", "443", "192.168.88.10", host_port="80", disabled=True).rules()
    row = {".id": "*5", "dynamic": False, "invalid": False, "log": False, "log-prefix": "", "bytes": 0}
    row.update(rule.fields)
    row.update({"dst-port": 443, "to-ports": 80, "disabled": True})  # librouteros' types
    fingerprint = comment_fingerprint(rule.comment)
    assert row_fields_digest(row) == fingerprint_fields_part(fingerprint)
    # Each field we write counts, disabled too; the comment does not.
    for name, value in (("to-ports", 8080), ("disabled", False), ("in-interface", "ether1")):
        assert row_fields_digest(dict(row, **{name: value})) != fingerprint_fields_part(fingerprint), name
    assert row_fields_digest(dict(row, comment="anything")) == fingerprint_fields_part(fingerprint)


def test_the_anchor_and_the_services_protocols_change_the_fingerprint_but_not_its_fields_part():
    (tcp,) = PortForward("web", "tcp", "443", "192.168.88.10").rules()
    both_tcp = PortForward("web", "both", "443", "192.168.88.10").rules()[0]
    (bottom,) = PortForward("web", "tcp", "443", "192.168.88.10", anchor=BOTTOM).rules()
    prints = [comment_fingerprint(rule.comment) for rule in (tcp, both_tcp, bottom)]
    assert len(set(prints)) == 3
    assert len({fingerprint_fields_part(item) for item in prints}) == 1

# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Adoption in place: the planner takes over foreign rules that already do exactly what a
desired rule does, with one set of the comment, and reports the near twins it leaves alone."""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    Anchor,
    Hairpin,
    HairpinSubnet,
    Masquerade,
    PortForward,
    parse_marker,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import Operation, plan_changes
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_commands, render_diff
from ansible_collections.hairpin.routeros.plugins.module_utils.safe_apply import NAT_MENU, menu_lines

SCOPE = ("dstnat", "hairpin", "masquerade", "hairpin-subnet")
WEB = PortForward(name="web", protocol="tcp", port="80", host="192.168.20.10", in_interface_list="WAN")


def hand_made(row_id, comment="web server", **changes):
    """A forward as an admin adds it in Winbox, printed by librouteros (port as int, flags as bool)."""
    row = {
        ".id": row_id,
        "chain": "dstnat",
        "action": "dst-nat",
        "protocol": "tcp",
        "dst-port": 80,
        "in-interface-list": "WAN",
        "to-addresses": "192.168.20.10",
        "log": False,
        "log-prefix": "",
        "bytes": 1234,
        "packets": 17,
        "invalid": False,
        "dynamic": False,
        "disabled": False,
    }
    if comment is not None:
        row["comment"] = comment
    for name, value in changes.items():
        if value is None:
            row.pop(name, None)
        else:
            row[name] = value
    return row


DNS = {
    ".id": "*1",
    "chain": "dstnat",
    "action": "redirect",
    "protocol": "udp",
    "dst-port": 53,
    "in-interface-list": "LAN",
    "to-ports": 53,
    "comment": "LAN DNS always to the router",
    "dynamic": False,
    "disabled": False,
}


def plan(desired, current, adopt=True, state="merged"):
    return plan_changes(desired, current, state=state, scope_kinds=SCOPE, adopt=adopt)


def assert_settled(desired, result, adopt=True, state="merged"):
    again = plan(desired, result.after, adopt, state)
    assert again.operations == []
    assert again.drift == []
    assert again.adopted == []


def test_an_exact_twin_is_adopted_with_one_comment_set_and_keeps_its_id_and_place():
    rules = WEB.rules()
    current = [hand_made("*5"), DNS]
    result = plan(rules, current)
    assert result.operations == [Operation("set", rules[0].key, "*5", fields={"comment": rules[0].comment})]
    assert [row[".id"] for row in result.after] == ["*5", "*1"]
    assert result.after[0]["packets"] == 17
    assert parse_marker(result.after[0]["comment"]) == rules[0].key
    assert {k: v for k, v in result.after[0].items() if k != "comment"} == {
        k: v for k, v in current[0].items() if k != "comment"
    }
    assert [(item.id, item.key, item.comment) for item in result.adopted] == [("*5", rules[0].key, "web server")]
    assert result.twins == [] and result.drift == []
    assert_settled(rules, result)


def test_without_adopt_the_twin_is_reported_and_the_owned_rule_added():
    rules = WEB.rules()
    current = [hand_made("*5"), DNS]
    result = plan(rules, current, adopt=False)
    assert [op.action for op in result.operations] == ["add"]
    assert result.after[1:] == current
    assert [(twin.id, twin.why) for twin in result.twins] == [("*5", "adopt-off")]
    assert "with adopt off it is left as it is" in result.twins[0].message
    assert result.adopted == []
    assert_settled(rules, result, adopt=False)


def test_two_twins_adopt_the_first_and_report_the_second_as_a_duplicate():
    rules = WEB.rules()
    current = [hand_made("*5"), hand_made("*6", comment="web again")]
    result = plan(rules, current)
    assert [(op.action, op.id) for op in result.operations] == [("set", "*5")]
    assert [(twin.id, twin.why, twin.adopted) for twin in result.twins] == [("*6", "duplicate", "*5")]
    assert result.after[1] == current[1]
    assert 'foreign rule *6 "web again"' in result.twins[0].message
    assert_settled(rules, result)


def test_a_disabled_twin_is_never_adopted_and_an_enabled_one_is():
    rules = WEB.rules()
    current = [hand_made("*5"), hand_made("*4", comment="old web", disabled=True)]
    result = plan(rules, current)
    assert [(op.action, op.id) for op in result.operations] == [("set", "*5")]
    assert [(twin.id, twin.why) for twin in result.twins] == [("*4", "disabled")]
    assert "disabled copy" in result.twins[0].message
    assert result.after[1] == current[1]


def test_a_disabled_twin_alone_leaves_the_owned_rule_to_be_added():
    rules = WEB.rules()
    current = [hand_made("*4", disabled=True)]
    result = plan(rules, current)
    assert [op.action for op in result.operations] == ["add"]
    assert result.after[1] == current[0]


def test_almost_the_same_rule_is_never_adopted():
    rules = WEB.rules()
    for near in (
        hand_made("*5", **{"to-addresses": "192.168.20.3"}),
        hand_made("*5", **{"to-ports": 8080}),
        hand_made("*5", **{"in-interface-list": None}),
        hand_made("*5", **{"src-address-list": "trusted"}),
        # A matcher the engine never writes makes another rule too.
        hand_made("*5", **{"src-port": "1024-65535"}),
        hand_made("*5", **{"connection-mark": "web"}),
    ):
        result = plan(rules, [near])
        assert [op.action for op in result.operations] == ["add"], near
        assert result.adopted == [] and result.twins == []
        assert result.after[1] == near


def test_a_twin_of_a_service_with_two_protocols_takes_its_protocol_and_the_other_is_added():
    both = PortForward(name="dns", protocol="both", port="53", host="192.168.20.2", in_interface_list="WAN")
    tcp, udp = both.rules()
    current = [hand_made("*5", comment="dns udp", protocol="udp", **{"dst-port": 53, "to-addresses": "192.168.20.2"})]
    result = plan([tcp, udp], current)
    sets = [op for op in result.operations if op.action == "set"]
    adds = [op for op in result.operations if op.action == "add"]
    assert [(op.id, op.key) for op in sets] == [("*5", udp.key)]
    assert [op.key for op in adds] == [tcp.key]
    assert_settled([tcp, udp], result)


def test_several_twins_of_several_services_are_adopted_in_one_plan():
    mail = PortForward(name="mail", protocol="tcp", port="25", host="192.168.20.25", in_interface_list="WAN")
    rules = WEB.rules() + mail.rules()
    current = [
        hand_made("*5"),
        hand_made("*6", comment=None, **{"dst-port": 25, "to-addresses": "192.168.20.25"}),
        DNS,
    ]
    result = plan(rules, current)
    assert [(op.action, op.id) for op in result.operations] == [("set", "*5"), ("set", "*6")]
    assert [row[".id"] for row in result.after] == ["*5", "*6", "*1"]
    assert [item.comment for item in result.adopted] == ["web server", None]
    assert_settled(rules, result)


def test_an_owned_rule_of_the_key_means_no_adoption():
    rules = WEB.rules()
    owned = hand_made("*3", comment=rules[0].comment)
    current = [owned, hand_made("*5")]
    result = plan(rules, current)
    assert result.operations == [] and result.adopted == []


def test_a_twin_that_is_another_rule_s_anchor_stays_foreign():
    before_web = PortForward(
        name="ssh", protocol="tcp", port="2222", host="192.168.20.11", anchor=Anchor("before", "web server")
    )
    rules = WEB.rules() + before_web.rules()
    current = [hand_made("*5")]
    result = plan(rules, current)
    assert [(twin.id, twin.why) for twin in result.twins] == [("*5", "anchor")]
    assert sorted(op.action for op in result.operations) == ["add", "add"]


def test_an_adopted_rule_behind_a_rule_of_other_packets_keeps_its_place():
    # The inventory puts web at the top; the foreign DNS redirect above it takes udp/53 only,
    # none of web's packets, so the adopted row stays where it is: no packet changes its rule.
    rules = WEB.rules()
    current = [DNS, hand_made("*5")]
    result = plan(rules, current)
    assert [(op.action, op.id) for op in result.operations] == [("set", "*5")]
    assert [row[".id"] for row in result.after] == ["*1", "*5"]
    assert_settled(rules, result)


def test_an_adopted_rule_behind_a_rule_that_takes_its_packets_moves_and_keeps_its_id():
    # A foreign catch-all of tcp from the WAN stands above the twin: at the top, where the
    # inventory puts web, the adopted row takes tcp/80 back from it (the shadowing warning says so).
    catch_all = {
        ".id": "*2",
        "chain": "dstnat",
        "action": "dst-nat",
        "protocol": "tcp",
        "in-interface-list": "WAN",
        "to-addresses": "192.168.20.99",
        "comment": "everything else to the old server",
    }
    rules = WEB.rules()
    current = [catch_all, hand_made("*5")]
    result = plan(rules, current)
    assert [(op.action, op.id) for op in result.operations] == [("set", "*5"), ("move", "*5")]
    assert [row[".id"] for row in result.after] == ["*5", "*2"]
    assert_settled(rules, result)


def test_hairpin_and_subnet_rules_are_adopted_when_exactly_equal_the_wan_masquerade_never():
    hairpin = Hairpin(name="web", protocol="tcp", host="192.168.20.10", host_port="80", lan_subnet="192.168.20.0/24")
    subnet = HairpinSubnet(subnet="192.168.30.0/24")
    masquerade = Masquerade(out_interface="ether1")
    rules = hairpin.rules() + subnet.rules() + masquerade.rules()
    base = {"chain": "srcnat", "action": "masquerade", "dynamic": False, "disabled": False}
    current = [
        dict(
            base,
            **{".id": "*7", "protocol": "tcp", "src-address": "192.168.20.0/24"},
            **{"dst-address": "192.168.20.10", "dst-port": 80},
        ),
        dict(base, **{".id": "*8", "src-address": "192.168.30.0/24", "dst-address": "192.168.30.0/24"}),
        dict(base, **{".id": "*9", "out-interface": "ether1", "comment": "masquerade"}),
    ]
    result = plan(rules, current)
    # The router's own masquerade stays the admin's: turning ours off must never remove it.
    assert sorted((op.action, op.id) for op in result.operations) == [("add", None), ("set", "*7"), ("set", "*8")]
    assert [row["comment"] for row in result.after if row[".id"] == "*9"] == ["masquerade"]
    assert_settled(rules, result)


def test_deleted_adopts_nothing():
    rules = WEB.rules()
    result = plan(rules, [hand_made("*5")], state="deleted")
    assert result.operations == [] and result.adopted == []


def test_check_mode_lines_say_which_foreign_rule_is_adopted():
    rules = WEB.rules()
    result = plan(rules, [hand_made("*5"), DNS])
    lines = render_commands(result)
    assert lines == [
        '# adopt foreign rule *5 "web server" as web (hairpin:dstnat:web:tcp)',
        f'/ip firewall nat set *5 comment="{rules[0].comment}"',
    ]
    diff = render_diff(result, (), [WEB])
    assert '# adopt foreign rule *5 "web server" as web (hairpin:dstnat:web:tcp)' in diff


def test_the_revert_gives_an_adopted_rule_its_comment_and_place_back():
    rules = WEB.rules()
    current = [hand_made("*5"), DNS]
    lines = menu_lines(NAT_MENU, current, ["*5"])
    assert lines == [
        "/ip firewall nat",
        'set *5 comment="web server"',
        'remove [ find where comment~"^hairpin:" and dynamic=no ]',
        "move *5 destination=*1",
    ]
    assert plan(rules, current).adopted[0].id == "*5"


def test_an_adopted_rule_behind_disabled_foreign_rules_stays_where_it_is():
    # A disabled rule takes no packet: the adopted forward already takes its traffic there.
    rules = WEB.rules()
    old_vpn = hand_made("*3", comment="old VPN box (replaced)", disabled=True, **{"dst-port": 1723})
    current = [old_vpn, hand_made("*4", comment="old web", disabled=True), hand_made("*5")]
    result = plan(rules, current)
    assert [(op.action, op.id) for op in result.operations] == [("set", "*5")]
    assert [row[".id"] for row in result.after] == ["*3", "*4", "*5"]
    assert [(twin.id, twin.why) for twin in result.twins] == [("*4", "disabled")]
    assert_settled(rules, result)


def test_a_disabled_rule_named_as_the_anchor_is_still_honoured():
    rules = [
        PortForward(
            name="web",
            protocol="tcp",
            port="80",
            host="192.168.20.10",
            in_interface_list="WAN",
            anchor=Anchor("before", "old VPN box (replaced)"),
        ).rules()[0]
    ]
    old_vpn = hand_made("*3", comment="old VPN box (replaced)", disabled=True, **{"dst-port": 1723})
    result = plan(rules, [old_vpn, hand_made("*5")])
    assert [(op.action, op.id, op.destination) for op in result.operations] == [
        ("set", "*5", None),
        ("move", "*5", "*3"),
    ]
    assert_settled(rules, result)


def test_an_adopted_hairpin_rule_behind_the_foreign_masquerade_stays_where_it_is():
    # Whichever of two plain masquerades takes a packet, it leaves the same way: no move.
    hairpin = Hairpin(name="web", protocol="tcp", host="192.168.20.10", host_port="80", lan_subnet="192.168.20.0/24")
    rules = hairpin.rules()
    defconf = {
        ".id": "*1",
        "chain": "srcnat",
        "action": "masquerade",
        "out-interface-list": "WAN",
        "ipsec-policy": "out,none",
        "comment": "defconf: masquerade",
        "dynamic": False,
        "disabled": False,
    }
    twin = {
        ".id": "*7",
        "chain": "srcnat",
        "action": "masquerade",
        "protocol": "tcp",
        "src-address": "192.168.20.0/24",
        "dst-address": "192.168.20.10",
        "dst-port": 80,
        "comment": "hairpin web",
        "dynamic": False,
        "disabled": False,
    }
    result = plan(rules, [defconf, twin])
    assert [(op.action, op.id) for op in result.operations] == [("set", "*7")]
    assert_settled(rules, result)
    # A src-nat to another address in between changes what the packet leaves as: it moves.
    other = dict(defconf, **{".id": "*2", "action": "src-nat", "to-addresses": "203.0.113.9", "comment": "via .9"})
    result = plan(rules, [other, twin])
    assert [(op.action, op.id) for op in result.operations] == [("set", "*7"), ("move", "*7")]

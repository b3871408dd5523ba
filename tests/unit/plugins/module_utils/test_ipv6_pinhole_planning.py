# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The owned IPv6 pinholes: planned and placed among defconf's IPv6 forward chain, and the
analysis of a pinhole that a rule before it drops."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.ipv6 import (
    Packet6,
    forward6_verdict,
    pinhole_findings,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import FILTER6_TABLE
from ansible_collections.hairpin.routeros.plugins.module_utils.model import desired_rules, normalize_value
from ansible_collections.hairpin.routeros.plugins.module_utils.pinholes import (
    SCOPE,
    Pinhole,
    host6_problem,
    pinholes_wanted,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import apply_plan, plan_changes
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_commands

MEMBERS = {"WAN": ["ether1"], "LAN": ["bridge"]}
LAN_DROP = "defconf: drop everything else not coming from LAN"


def _row(index: int, **values: Any) -> dict[str, Any]:
    return {".id": "*%X" % (index + 1), **values}


# RouterOS 7 defconf's IPv6 forward chain (the input chain left out: another chain).
DEFCONF = [
    _row(0, chain="forward", action="fasttrack-connection", **{"connection-state": "established,related"}),
    _row(1, chain="forward", action="accept", **{"connection-state": "established,related,untracked"}),
    _row(2, chain="forward", action="drop", **{"connection-state": "invalid"}),
    _row(3, chain="forward", action="drop", **{"src-address-list": "bad_ipv6"}),
    _row(4, chain="forward", action="drop", **{"dst-address-list": "bad_ipv6"}),
    _row(5, chain="forward", action="drop", protocol="icmpv6", **{"hop-limit": "equal:1"}),
    _row(6, chain="forward", action="accept", protocol="icmpv6"),
    _row(7, chain="forward", action="accept", protocol="udp", **{"dst-port": "500,4500"}),
    _row(8, chain="forward", action="accept", **{"ipsec-policy": "in,ipsec"}),
    _row(9, chain="forward", action="drop", comment=LAN_DROP, **{"in-interface-list": "!LAN"}),
]
WEB = Pinhole("web", "tcp", "3fff:0:0:2::2", "8443", in_interface="ether1")


def test_a_pinhole_goes_just_before_defconfs_drop_of_what_does_not_come_from_the_lan() -> None:
    wanted = pinholes_wanted([WEB], DEFCONF, MEMBERS)
    assert [rule.anchor.row for rule in wanted] == ["*A"]
    plan = plan_changes(desired_rules(wanted), DEFCONF, state="merged", scope_kinds=SCOPE, menu=FILTER6_TABLE)
    after = apply_plan(DEFCONF, plan.operations)
    comments = [row.get("comment", "") for row in after]
    assert comments[-2].startswith("hairpin:filter6:web:tcp ~") and comments[-1] == LAN_DROP
    line = render_commands(plan, menu=FILTER6_TABLE)[-1]
    assert line.startswith("/ipv6 firewall filter add chain=forward action=accept protocol=tcp")
    assert 'dst-address="3fff:0:0:2::2/128" dst-port=8443 in-interface=ether1' in line
    assert "place-before=*A" in line
    # As the router prints it, nothing is left to do.
    again = plan_changes(
        desired_rules(pinholes_wanted([WEB], after, MEMBERS)),
        after,
        state="merged",
        scope_kinds=SCOPE,
        menu=FILTER6_TABLE,
    )
    assert not again.changed


def test_both_protocols_make_two_pinholes_and_a_chain_without_a_drop_takes_them_at_its_bottom() -> None:
    dns = Pinhole("dns", "both", "3fff:0:0:2::3", "53", in_interface_list="WAN")
    open_chain = DEFCONF[:-1]
    wanted = pinholes_wanted([dns], open_chain, MEMBERS)
    assert [(rule.protocol, rule.anchor.position) for rule in wanted] == [("tcp", "bottom"), ("udp", "bottom")]


def test_a_drop_in_a_chain_forward_jumps_to_places_the_pinhole_before_the_jump() -> None:
    jump = _row(20, chain="forward", action="jump", **{"jump-target": "wan-in"})
    rows = [*DEFCONF[:-1], jump, _row(21, chain="wan-in", action="drop", **{"in-interface": "ether1"})]
    assert [rule.anchor.row for rule in pinholes_wanted([WEB], rows, MEMBERS)] == ["*15"]


def test_the_owned_pinholes_are_no_anchor_of_their_own() -> None:
    wanted = pinholes_wanted([WEB], DEFCONF, MEMBERS)
    plan = plan_changes(desired_rules(wanted), DEFCONF, state="merged", scope_kinds=SCOPE, menu=FILTER6_TABLE)
    after = apply_plan(DEFCONF, plan.operations)
    assert [rule.anchor.row for rule in pinholes_wanted([WEB], after, MEMBERS)] == ["*A"]


def test_removing_the_pinhole_leaves_defconf_as_it_was() -> None:
    plan = plan_changes(
        desired_rules(pinholes_wanted([WEB], DEFCONF, MEMBERS)),
        DEFCONF,
        state="merged",
        scope_kinds=SCOPE,
        menu=FILTER6_TABLE,
    )
    after = apply_plan(DEFCONF, plan.operations)
    gone = plan_changes([], after, state="overridden", scope_kinds=SCOPE, menu=FILTER6_TABLE)
    assert apply_plan(after, gone.operations) == DEFCONF


def test_the_verdict_drops_new_wan_connections_and_passes_once_the_pinhole_is_before_the_drop() -> None:
    packet = Packet6("tcp", ipaddress.IPv6Address("3fff:0:0:2::2"), 8443, "ether1")
    verdict = forward6_verdict(DEFCONF, packet, MEMBERS)
    assert (verdict.passes, verdict.position) == (False, 9)
    from_lan = Packet6("tcp", ipaddress.IPv6Address("3fff:0:0:2::2"), 8443, "bridge")
    assert forward6_verdict(DEFCONF, from_lan, MEMBERS).passes


def test_the_analysis_names_a_pinhole_after_the_drop() -> None:
    pinhole = _row(
        30,
        chain="forward",
        action="accept",
        protocol="tcp",
        comment="hairpin:filter6:web:tcp",
        **{"dst-address": "3fff:0:0:2::2/128", "dst-port": "8443", "in-interface": "ether1"},
    )
    after_drop = [*DEFCONF, pinhole]
    found = pinhole_findings(after_drop, MEMBERS)
    assert [item.message for item in found] == [
        f"IPv6 pinhole for 'web' (tcp) is after rule *A ({LAN_DROP}) which drops it"
    ]
    before_drop = [*DEFCONF[:-1], pinhole, DEFCONF[-1]]
    assert pinhole_findings(before_drop, MEMBERS) == []


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("3fff:0:0:2::2", None),
        ("2001:db8:1::10", None),
        ("fe80::1", "not a global unicast"),
        ("fd12::1", "not a global unicast"),
        ("ff02::1", "not a global unicast"),
        ("192.168.1.2", "not an IPv6 address"),
    ],
)
def test_host6_must_be_a_global_unicast_address(value: str, problem: str) -> None:
    found = host6_problem(value)
    assert (found is None) if problem is None else (problem in found)


def test_ipv6_addresses_compare_as_routeros_prints_them() -> None:
    assert normalize_value("dst-address", "3fff:0:0:2:0::2") == "3fff:0:0:2::2/128"
    assert normalize_value("dst-address", "3fff:0:0:2::/64") == "3fff:0:0:2::/64"
    assert normalize_value("dst-address", "192.168.1.2/32") == "192.168.1.2"


def test_a_host6_in_a_dropped_address_list_gets_its_pinhole_before_that_drop() -> None:
    # defconf's bad_ipv6 list holds the documentation prefix 2001:db8::/32.
    lists = {"bad_ipv6": ["2001:db8::/32", "fec0::/10"]}
    documented = Pinhole("doc", "tcp", "2001:db8:1::10", "443", in_interface="ether1")
    assert [rule.anchor.row for rule in pinholes_wanted([documented], DEFCONF, MEMBERS, lists)] == ["*5"]
    # Without the lists the analysis cannot tell, and takes the rule as not matching.
    assert [rule.anchor.row for rule in pinholes_wanted([documented], DEFCONF, MEMBERS)] == ["*A"]
    assert [rule.anchor.row for rule in pinholes_wanted([WEB], DEFCONF, MEMBERS, lists)] == ["*A"]

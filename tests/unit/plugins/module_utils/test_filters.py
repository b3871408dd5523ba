# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The owned firewall filter accepts: which services get one (the analyzer's verdict), what it
matches, where it goes, and how the NAT planner's machinery plans, renders and writes it."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils import filters
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.filters import (
    FILTER_ALWAYS,
    FILTER_AUTO,
    FILTER_NEVER,
    SCOPE,
    FilterAccept,
    FilterJob,
    accepts_wanted,
    drops,
    filter_mode,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import FILTER_TABLE, NAT_TABLE
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    POSITION_BEFORE,
    TOP,
    Anchor,
    PortForward,
    desired_rules,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import apply_plan, plan_changes
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_commands, render_diff
from ansible_collections.hairpin.routeros.plugins.module_utils.writes import api_commands
from ansible_collections.hairpin.routeros.plugins.plugin_utils.change_report import RouterRecord
from hypothesis import given, settings
from hypothesis import strategies as st

WEB = PortForward("web", "tcp", "443", "192.168.1.2", host_port="8443", public_address="203.0.113.1")
WG = PortForward("wg", "udp", "51820", "192.168.1.3", public_address="203.0.113.1", in_interface="ether1")


def facts() -> Facts:
    return Facts(
        addresses=[("ether1", "203.0.113.1/24"), ("bridge", "192.168.1.1/24")],
        interface_list_members={"WAN": ["ether1"], "LAN": ["bridge"]},
        wan_interface="ether1",
        lan_interface="bridge",
    )


def nat(*forwards: PortForward) -> list[dict[str, Any]]:
    rows = []
    for index, rule in enumerate(desired_rules(forwards)):
        rows.append(dict(rule.fields, **{".id": "*%X" % (0x10 + index)}))
    return rows


def row(identifier: str, chain: str, action: str, comment: str | None = None, **matchers: str) -> dict[str, Any]:
    found: dict[str, Any] = {".id": identifier, "chain": chain, "action": action}
    found.update({name.replace("_", "-"): value for name, value in matchers.items()})
    if comment is not None:
        found["comment"] = comment
    return found


ESTABLISHED = row("*1", "forward", "accept", "accept established", connection_state="established,related")
DEFCONF_DROP = row(
    "*2",
    "forward",
    "drop",
    "defconf: drop all from WAN not DSTNATed",
    connection_state="new",
    connection_nat_state="!dstnat",
    in_interface_list="WAN",
)
LAN_OUT = row("*3", "forward", "accept", "accept LAN to WAN", in_interface_list="LAN", out_interface_list="WAN")
DROP_ALL = row("*4", "forward", "drop", "drop all else")
STOCK = [ESTABLISHED, DEFCONF_DROP]
HARDENED = [ESTABLISHED, LAN_OUT, DROP_ALL]


def plan_filter(mode: str, filter_rows: list[dict[str, Any]], *forwards: PortForward, state: str = "overridden"):
    accepts = accepts_wanted(FilterJob(mode, {}), forwards, nat(*forwards), filter_rows, facts())
    return plan_changes(
        desired_rules(accepts), filter_rows, state=state, scope_kinds=SCOPE, menu=FILTER_TABLE, services=["web", "wg"]
    )


def chain_comments(rows: list[dict[str, Any]]) -> list[str]:
    return [str(r.get("comment", "")).split(" ~", maxsplit=1)[0] for r in rows]


def test_the_setting_reads_auto_true_and_false():
    assert [filter_mode(v) for v in ("auto", " AUTO ", True, "yes", False, "no")] == [
        FILTER_AUTO,
        FILTER_AUTO,
        FILTER_ALWAYS,
        FILTER_ALWAYS,
        FILTER_NEVER,
        FILTER_NEVER,
    ]
    assert filter_mode("sometimes") is None


def test_defconf_passes_dst_natted_connections_so_auto_wants_no_accept():
    assert drops(nat(WEB, WG), STOCK, facts()) == {}
    plan = plan_filter(FILTER_AUTO, STOCK, WEB, WG)
    assert plan.operations == []


def test_a_forward_chain_that_drops_the_rest_gets_an_accept_per_service_before_the_drop():
    found = drops(nat(WEB, WG), HARDENED, facts())
    assert {key: drop.anchor for key, drop in found.items()} == {
        ("web", "tcp"): Anchor(POSITION_BEFORE, row="*4"),
        ("wg", "udp"): Anchor(POSITION_BEFORE, row="*4"),
    }
    plan = plan_filter(FILTER_AUTO, HARDENED, WEB, WG)
    assert [(op.action, op.destination) for op in plan.operations] == [("add", "*4"), ("add", "*4")]
    assert chain_comments(plan.after) == [
        "accept established",
        "accept LAN to WAN",
        "hairpin:filter:web:tcp",
        "hairpin:filter:wg:udp",
        "drop all else",
    ]
    # Planned again on the table it makes: nothing to do.
    assert plan_filter(FILTER_AUTO, plan.after, WEB, WG).operations == []


def test_the_accept_matches_what_the_forward_forwards_after_dstnat():
    (web,) = FilterAccept(WEB, TOP).rules()
    assert {k: v for k, v in web.fields.items() if k != "comment"} == {
        "chain": "forward",
        "action": "accept",
        "connection-nat-state": "dstnat",
        "protocol": "tcp",
        "dst-address": "192.168.1.2",
        "dst-port": "8443",
    }
    assert web.comment.startswith("hairpin:filter:web:tcp ~")
    (wg,) = FilterAccept(WG, TOP).rules()
    assert wg.fields["in-interface"] == "ether1" and wg.fields["dst-port"] == "51820"
    both = FilterAccept(PortForward("dns", "both", "53", "192.168.1.5", public_address="203.0.113.1"), TOP)
    assert [rule.key.protocol for rule in both.rules()] == ["tcp", "udp"]


def test_the_accept_follows_the_drop_when_it_moves_and_goes_when_nothing_drops():
    plan = plan_filter(FILTER_AUTO, HARDENED, WEB)
    table = plan.after
    # The admin moves the drop above "accept LAN to WAN": the accept moves with it.
    drop = next(r for r in table if r.get("comment") == "drop all else")
    moved = [r for r in table if r is not drop]
    moved.insert(1, drop)
    again = plan_filter(FILTER_AUTO, moved, WEB)
    assert [op.action for op in again.operations] == ["move"]
    assert chain_comments(again.after)[:3] == ["accept established", "hairpin:filter:web:tcp", "drop all else"]
    # The drop goes: under auto the accept goes too.
    without = [r for r in again.after if r.get("comment") != "drop all else"]
    gone = plan_filter(FILTER_AUTO, without, WEB)
    assert [op.action for op in gone.operations] == ["remove"]


def test_true_keeps_one_per_service_and_false_removes_every_owned_accept():
    always = plan_filter(FILTER_ALWAYS, STOCK, WEB, WG)
    assert chain_comments(always.after)[:2] == ["hairpin:filter:web:tcp", "hairpin:filter:wg:udp"]
    never = plan_filter(FILTER_NEVER, always.after, WEB, WG)
    assert [op.action for op in never.operations] == ["remove", "remove"]
    assert apply_plan(always.after, never.operations) == [dict(r) for r in STOCK]


def test_a_drop_in_a_chain_forward_jumps_to_puts_the_accept_before_the_jump():
    rows = [
        ESTABLISHED,
        row("*5", "forward", "jump", "to wan-in", jump_target="wan-in", in_interface="ether1"),
        row("*6", "wan-in", "drop", "wan-in drops"),
    ]
    found = drops(nat(WG), rows, facts())
    assert found[("wg", "udp")].anchor == Anchor(POSITION_BEFORE, row="*5")
    plan = plan_filter(FILTER_AUTO, rows, WG)
    assert chain_comments(plan.after) == ["accept established", "hairpin:filter:wg:udp", "to wan-in", "wan-in drops"]


def test_foreign_rules_that_look_like_ours_are_never_touched():
    lookalike = row("*7", "forward", "accept", "hairpin:filter:web", protocol="tcp")
    plan = plan_filter(FILTER_NEVER, [*HARDENED, lookalike], WEB)
    assert plan.operations == []


def test_the_commands_and_api_sentences_name_the_filter_menu_and_the_diff_groups_by_service():
    plan = plan_filter(FILTER_AUTO, HARDENED, WEB)
    lines = render_commands(plan, menu=FILTER_TABLE)
    assert lines[0] == '# hairpin:filter:web:tcp: new, before *4 (foreign: "drop all else")'
    assert lines[1].startswith("/ip firewall filter add chain=forward action=accept connection-nat-state=dstnat")
    assert lines[1].endswith(" place-before=*4")
    (command,) = api_commands(plan.operations, FILTER_TABLE)
    assert command.path == "/ip/firewall/filter/add" and command.attributes["place-before"] == "*4"
    nat_plan = plan_changes(WEB.rules(), [], state="merged", scope_kinds=NAT_TABLE.kinds)
    diff = render_diff(nat_plan, (), [WEB], nat_plan.drift, menu_plans=[(FILTER_TABLE, plan)])
    service = diff.split("# service web (tcp/443 -> 192.168.1.2:8443)\n")[1]
    assert service.index("/ip firewall nat add") < service.index("/ip firewall filter add")


def test_the_nat_planner_refuses_the_filter_kind_and_the_filter_planner_the_nat_kinds():
    from ansible_collections.hairpin.routeros.plugins.module_utils.plan import PlanError

    with pytest.raises(PlanError, match="NAT table: filter"):
        plan_changes([], [], state="merged", scope_kinds={"filter"})
    with pytest.raises(PlanError, match="firewall filter: dstnat"):
        plan_changes([], [], state="merged", scope_kinds={"dstnat"}, menu=FILTER_TABLE)


def test_the_change_report_counts_filter_commands_apart_from_nat_rules():
    plan = plan_filter(FILTER_AUTO, HARDENED, WEB, WG)
    record = RouterRecord("gw", "changed", commands=render_commands(plan, menu=FILTER_TABLE))
    assert record.filter_rule_changes == {"added": 2, "edited": 0, "moved": 0, "removed": 0}
    assert record.rule_changes == {"added": 0, "edited": 0, "moved": 0, "removed": 0}


def test_a_dynamic_drop_is_no_anchor_the_accept_goes_to_the_top():
    dynamic = dict(row("*8", "forward", "drop", None), dynamic="true")
    plan = plan_filter(FILTER_AUTO, [ESTABLISHED, dynamic], WG)
    assert [(op.action, op.destination) for op in plan.operations] == [("add", "*1")]


# Rows a forward chain holds in the corpus, and some it could: the shortcut is sound only if the
# analysis, asked anyway, never finds a drop among filters the shortcut lets through.
_CANDIDATE_ROWS = [
    ESTABLISHED,
    DEFCONF_DROP,
    LAN_OUT,
    DROP_ALL,
    row("*5", "forward", "drop", "drop invalid", connection_state="invalid"),
    row("*6", "forward", "reject", "not new", connection_state="!new"),
    row("*E", "forward", "drop", "new and invalid", connection_state="new,invalid", protocol="udp"),
    row("*F", "forward", "drop", "only related", connection_state="related"),
    row("*7", "forward", "drop", "new only", connection_state="new", in_interface_list="WAN"),
    row("*8", "forward", "drop", "nat states", connection_nat_state="srcnat,dstnat"),
    row("*9", "forward", "drop", "disabled", disabled="true"),
    row("*A", "input", "drop", "input drop"),
    row("*B", "forward", "jump", "to custom", jump_target="custom"),
    row("*C", "custom", "tarpit", "custom drop", protocol="tcp"),
    row("*D", "forward", "drop", "untranslated", connection_nat_state="!srcnat"),
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_CANDIDATE_ROWS), max_size=6, unique_by=lambda found: found[".id"]))
def test_skipping_the_analysis_when_no_row_can_drop_never_changes_the_answer(filter_rows):
    answer = drops(nat(WEB, WG), filter_rows, facts())
    with mock.patch.object(filters, "may_drop_published", lambda _row: True):
        analysed = drops(nat(WEB, WG), filter_rows, facts())
    assert answer == analysed


def test_a_filter_no_row_of_which_can_drop_needs_no_facts():
    # A stock router's filter: the answer does not wait for facts the analysis would need.
    invalid, input_drop = (found for found in _CANDIDATE_ROWS if found[".id"] in ("*5", "*A"))
    assert drops(nat(WEB, WG), [*STOCK, invalid, input_drop], Facts()) == {}
    assert filters.may_drop_published(DROP_ALL)
    assert not filters.may_drop_published(DEFCONF_DROP)

# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The analyzer on a router with two WANs: a forward on the WAN the main table's default route
does not leave by is a finding (no-reply-routing) unless the mangle table marks its connections
and routes their replies by a table with a default route; the export of such a router (the
stock router with a second uplink) read as RouterOS prints it.

tests/dataplane/test_multiwan_dataplane.py checks the verdict against real traffic.
"""

from __future__ import annotations

from pathlib import Path

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import analyze, facts_from_rsc, rows_from_rsc
from ansible_collections.hairpin.routeros.plugins.module_utils.multiwan import WanReply

EXPORT = (Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "routers" / "two-wan-router.rsc").read_text()


def forward(address: str, comment: str) -> dict:
    return {
        "chain": "dstnat",
        "action": "dst-nat",
        "protocol": "tcp",
        "dst-address": address,
        "dst-port": "443",
        "to-addresses": "192.168.1.2",
        "to-ports": "443",
        "comment": comment,
    }


def codes(report, service: str) -> list:
    """The reply-routing findings of `service` (the forwards have no hairpin rule: not the point)."""
    return [
        item["code"]
        for item in report.as_dict()["findings"]
        if item["service"] == service and item["code"] == "no-reply-routing"
    ]


def owned_reply_rules() -> list:
    return [dict(rule.fields) for rule in WanReply("ether5", lan_interface="bridge").rules()]


def test_a_forward_on_the_second_wan_without_reply_routing_is_a_finding() -> None:
    rows = [*rows_from_rsc(EXPORT), forward("203.0.113.1", "web on ether1"), forward("192.0.2.2", "web on ether5")]
    report = analyze(rows, facts_from_rsc(EXPORT))
    assert codes(report, "web on ether5/tcp") == ["no-reply-routing"]
    message = next(item["message"] for item in report.as_dict()["findings"] if item["code"] == "no-reply-routing")
    assert "ether5" in message and "ether1" in message
    # The main table's default route leaves by ether1: its forward needs nothing more.
    assert codes(report, "web on ether1/tcp") == []


def test_mangle_marks_and_a_table_default_route_answer_it() -> None:
    facts = facts_from_rsc(EXPORT)
    facts.mangle = list(facts.mangle or []) + owned_reply_rules()
    rows = [*rows_from_rsc(EXPORT), forward("192.0.2.2", "web on ether5")]
    without_route = analyze(rows, facts)
    # The marks alone route the replies by an empty table: still a finding.
    assert codes(without_route, "web on ether5/tcp") == ["no-reply-routing"]
    facts.routes = [
        *list(facts.routes or []),
        {"dst-address": "0.0.0.0/0", "gateway": "192.0.2.254", "routing-table": "to-ether5"},
    ]
    assert codes(analyze(rows, facts), "web on ether5/tcp") == []


def test_routeros_6_routing_mark_routes_count_too() -> None:
    facts = facts_from_rsc(EXPORT)
    facts.mangle = owned_reply_rules()
    facts.routes = [
        *list(facts.routes or []),
        {"dst-address": "0.0.0.0/0", "gateway": "192.0.2.254", "routing-mark": "to-ether5"},
    ]
    rows = [*rows_from_rsc(EXPORT), forward("192.0.2.2", "web on ether5")]
    assert codes(analyze(rows, facts), "web on ether5/tcp") == []


def test_without_the_mangle_table_or_a_default_route_the_check_is_left_out_with_a_note() -> None:
    facts = facts_from_rsc(EXPORT)
    facts.mangle = None
    rows = [*rows_from_rsc(EXPORT), forward("192.0.2.2", "web on ether5")]
    report = analyze(rows, facts).as_dict()
    assert codes_of(report) == []
    assert any("mangle table or the routes are not in the facts" in note for note in report["notes"])
    facts = facts_from_rsc(EXPORT)
    facts.routes = [row for row in facts.routes or [] if row.get("comment") != "ISP1"]
    report = analyze(rows, facts).as_dict()
    assert codes_of(report) == []
    assert any("no default route of the main table" in note for note in report["notes"])


def codes_of(report: dict) -> list:
    return [item["code"] for item in report["findings"] if item["code"] == "no-reply-routing"]


CORPUS = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "exports"


def without_mangle(text: str) -> str:
    """An export with its /ip firewall mangle section left out (its lines up to the next menu)."""
    lines, skipping = [], False
    for line in text.splitlines():
        if line.startswith("/"):
            skipping = line == "/ip firewall mangle"
        if not skipping:
            lines.append(line)
    return "\n".join(lines) + "\n"


def reply_findings(text: str) -> list:
    report = analyze(rows_from_rsc(text), facts_from_rsc(text)).as_dict()
    return sorted(item["service"] for item in report["findings"] if item["code"] == "no-reply-routing")


def test_dual_wan_exports_with_the_recipe_have_no_finding_and_without_their_mangle_rules_do() -> None:
    # Two admins' routers, each forwarding a service on its second uplink with the recipe:
    # RouterOS 7 (routing-table=) and RouterOS 6 (routing-mark=).
    for name, service in (
        ("ros7-ccr2004-dual-wan.rsc", "mail via ISP-B/tcp"),
        ("ros6-rb3011-dual-wan.rsc", "camera NVR via ISP2/tcp"),
    ):
        text = (CORPUS / name).read_text()
        assert reply_findings(text) == [], name
        assert service in reply_findings(without_mangle(text)), name

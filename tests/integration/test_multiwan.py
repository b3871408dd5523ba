"""The role on a router with two WAN uplinks (hairpin_wans): a forward per WAN per service,
a masquerade per WAN where none covers it, and reply routing for the WAN that is not the main
table's default route (mangle connection and routing marks, a routing table, its default
route); all owned, shown in --check --diff, idempotent, removed with the WAN; the admin's
own mangle rule and routes untouched; one round trip for a no-op run, two for a change."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from role_support import ROLE_TASK, converge, host_result, table
from support import SimRouter

from routeros_sim.rsc_run import run_script
from routeros_sim.state import load_router
from tests.support.paths import REPO

# The stock router with a second uplink on ether5 (see the file).
TWO_WAN_ROUTER = REPO / "tests" / "fixtures" / "routers" / "two-wan-router.rsc"

VARS: dict[str, Any] = {
    "hairpin_wans": [
        {"interface": "ether1", "public_address": "203.0.113.1"},
        {"interface": "ether5", "public_address": "192.0.2.2", "gateway": "192.0.2.254"},
    ],
    "hairpin_lan_interface": "bridge",
    "hairpin_services": [
        {"name": "web", "protocol": "tcp", "port": 443, "host": "192.168.1.2"},
        {"name": "game", "protocol": "udp", "port": 27015, "host": "192.168.1.3", "wans": ["ether5"]},
    ],
}

REPLY_RULES = ["hairpin:reply-mark:ether5", "hairpin:reply-route:ether5", "hairpin:reply-output:ether5"]


def role_vars(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(VARS)
    values.update(changes)
    return values


def marker(row: dict[str, str]) -> str:
    comment = row.get("comment", "")
    return comment.split(" ", 1)[0] if comment.startswith("hairpin:") else comment


def ok(run) -> dict[str, Any]:
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    return host_result(run, ROLE_TASK)


def rows_by_marker(router: SimRouter, path: str) -> dict[str, dict[str, str]]:
    return {marker(row): row for row in table(router, path)}


@pytest.fixture
def two_wan(start_router) -> SimRouter:
    return start_router(seed=TWO_WAN_ROUTER, name="two-wan")


def test_check_diff_shows_nat_mangle_table_and_route_lines_and_writes_nothing(two_wan: SimRouter) -> None:
    before = {path: table(two_wan, path) for path in ("/ip/firewall/nat", "/ip/firewall/mangle", "/ip/route")}
    result = ok(converge(two_wan, role_vars(), check=True, diff=True))
    assert result["changed"] is True
    text = result["diff"]["prepared"] if "prepared" in result["diff"] else str(result["diff"])
    commands = "\n".join(result["commands"])
    for line in (
        "/ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-address=203.0.113.1",
        "/ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-address=192.0.2.2",
        "/ip firewall mangle add chain=prerouting action=mark-connection connection-state=new in-interface=ether5",
        "/ip firewall mangle add chain=prerouting action=mark-routing connection-mark=ether5-conn in-interface=bridge",
        "/ip firewall mangle add chain=output action=mark-routing connection-mark=ether5-conn",
        "/routing table add name=to-ether5",
        "/ip route add dst-address=0.0.0.0/0 gateway=192.0.2.254 routing-table=to-ether5",
    ):
        assert line in commands, commands
        assert line in text, text
    assert {path: table(two_wan, path) for path in before} == before


def test_apply_makes_a_forward_per_wan_reply_routing_and_a_second_run_changes_nothing(two_wan: SimRouter) -> None:
    result = ok(converge(two_wan, role_vars()))
    assert result["changed"] is True
    # Read; arm the revert and write (mangle, table and route in the NAT batch); check; confirm.
    assert result["round_trips"] == 4
    # The armed revert puts back the mangle table and the routes too.
    assert "/ip firewall mangle" in result["revert"]["script"] and "/ip route" in result["revert"]["script"]
    nat = rows_by_marker(two_wan, "/ip/firewall/nat")
    web1, web5 = nat["hairpin:dstnat:web.ether1:tcp"], nat["hairpin:dstnat:web.ether5:tcp"]
    assert (web1["dst-address"], web5["dst-address"]) == ("203.0.113.1", "192.0.2.2")
    # Hairpinned: LAN clients reach it by either address, so the forwards match no interface,
    # and one hairpin rule serves both (after dstnat both lead to the host).
    assert "in-interface" not in web1 and "in-interface" not in web5
    assert "hairpin:hairpin:web:tcp" in nat
    # Published on ether5 only.
    assert "hairpin:dstnat:game.ether5:udp" in nat and "hairpin:dstnat:game.ether1:udp" not in nat
    # defconf's masquerade out of the WAN list covers both WANs: none is added.
    assert not [name for name in nat if name.startswith("hairpin:masquerade:")]
    mangle = table(two_wan, "/ip/firewall/mangle")
    assert [marker(row) for row in mangle if marker(row).startswith("hairpin:")] == REPLY_RULES
    by = {marker(row): row for row in mangle}
    assert by["hairpin:reply-mark:ether5"]["new-connection-mark"] == "ether5-conn"
    assert by["hairpin:reply-route:ether5"]["new-routing-mark"] == "to-ether5"
    assert by["hairpin:reply-route:ether5"]["passthrough"] == "false"
    assert by["admin: router DNS"]["new-packet-mark"] == "dns"
    assert [marker(row) for row in table(two_wan, "/routing/table") if marker(row).startswith("hairpin:")] == [
        "hairpin:routing-table:to-ether5"
    ]
    routes = rows_by_marker(two_wan, "/ip/route")
    assert routes["hairpin:route:ether5"]["gateway"] == "192.0.2.254"
    assert routes["hairpin:route:ether5"]["routing-table"] == "to-ether5"
    assert routes["ISP1"]["routing-table"] == "main" and routes["partner"]["gateway"] == "192.0.2.254"
    assert [row["new-routing-mark"] for row in mangle if "new-routing-mark" in row] == ["to-ether5", "to-ether5"]
    again = ok(converge(two_wan, role_vars()))
    assert again["changed"] is False, again["commands"]
    assert again["round_trips"] == 1


def test_removing_a_wan_removes_its_forwards_and_reply_routing_and_leaves_foreign_rows(two_wan: SimRouter) -> None:
    ok(converge(two_wan, role_vars()))
    one = role_vars(
        hairpin_wans=[{"interface": "ether1", "public_address": "203.0.113.1"}],
        hairpin_services=[{"name": "web", "protocol": "tcp", "port": 443, "host": "192.168.1.2"}],
    )
    result = ok(converge(two_wan, dict(one, hairpin_confirm=False)))
    assert result["changed"] is True
    # Without a revert to arm: the read, and one batch of writes.
    assert result["round_trips"] == 2
    nat = rows_by_marker(two_wan, "/ip/firewall/nat")
    assert "hairpin:dstnat:web.ether1:tcp" in nat
    assert not [name for name in nat if "ether5" in name]
    mangle = [marker(row) for row in table(two_wan, "/ip/firewall/mangle")]
    assert mangle == ["admin: router DNS"]
    routes = rows_by_marker(two_wan, "/ip/route")
    assert "hairpin:route:ether5" not in routes and {"ISP1", "partner"} <= set(routes)
    assert ok(converge(two_wan, one))["changed"] is False


def test_wans_and_a_single_wan_setting_together_are_refused_before_any_write(two_wan: SimRouter) -> None:
    before = table(two_wan, "/ip/firewall/nat")
    run = converge(two_wan, role_vars(hairpin_wan_interface="ether1", hairpin_public_address="203.0.113.1"))
    assert run.returncode != 0
    text = run.stdout + run.stderr
    assert "hairpin_wan_interface" in text and "hairpin_wans" in text and "cannot be combined" in text
    assert "hairpin_public_address" in text
    assert table(two_wan, "/ip/firewall/nat") == before


def test_a_service_on_an_unknown_wan_is_refused_naming_host_service_and_field(two_wan: SimRouter) -> None:
    services = [{"name": "web", "protocol": "tcp", "port": 443, "host": "192.168.1.2", "wans": ["ether9"]}]
    run = converge(two_wan, role_vars(hairpin_services=services))
    assert run.returncode != 0
    text = run.stdout + run.stderr
    assert "service 'web': field 'wans': ether9 is not one of variable 'hairpin_wans' (ether1, ether5)" in text, text[
        -3000:
    ]


def test_the_analyzer_finds_the_second_wan_without_reply_routing_and_none_with_it(two_wan: SimRouter) -> None:
    without = role_vars(
        hairpin_wans=[
            {"interface": "ether1", "public_address": "203.0.113.1"},
            {"interface": "ether5", "public_address": "192.0.2.2"},
        ],
        hairpin_analyze=True,
        hairpin_analyze_fail_on_findings=False,
    )
    findings = ok(converge(two_wan, without))["analysis"]["findings"]
    missing = sorted(item["service"] for item in findings if item["code"] == "no-reply-routing")
    assert missing == ["game.ether5/udp", "web.ether5/tcp"], findings
    findings = ok(converge(two_wan, dict(role_vars(), hairpin_analyze=True)))["analysis"]["findings"]
    assert [item for item in findings if item["code"] == "no-reply-routing"] == []


def test_the_armed_revert_puts_mangle_routes_and_tables_back(two_wan: SimRouter) -> None:
    paths = ("/ip/firewall/nat", "/ip/firewall/mangle", "/ip/route", "/routing/table")

    def state() -> dict[str, list[dict[str, str]]]:
        return {path: [{k: v for k, v in row.items() if k != ".id"} for row in table(two_wan, path)] for path in paths}

    before = state()
    script = ok(converge(two_wan, role_vars()))["revert"]["script"]
    assert state() != before
    assert run_script(two_wan.router, script).executed
    assert state() == before


def test_the_commands_replayed_as_a_script_make_what_a_run_makes(two_wan: SimRouter, tmp_path) -> None:
    result = ok(converge(two_wan, role_vars(), check=True))
    replayed = load_router(tmp_path / "replayed.json", seed=TWO_WAN_ROUTER)
    assert run_script(replayed, "\n".join(result["commands"]) + "\n").executed
    ok(converge(two_wan, role_vars()))

    def shape(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
        return [
            tuple(row.get(k, "") for k in ("chain", "action", "comment", "routing-table", "gateway")) for row in rows
        ]

    for path in ("/ip/firewall/mangle", "/ip/route", "/routing/table"):
        replayed_rows = [row for kind, row in replayed.execute(f"{path}/print", []) if kind == "!re"]
        assert shape(replayed_rows) == shape(table(two_wan, path)), path


# RouterOS 6 as it ships (defconf): it has no /routing table.
ROUTEROS6 = REPO / "sim" / "routeros_sim" / "data" / "routeros6-defconf.rsc"


def test_reply_routing_on_routeros_6_is_refused_clearly_before_any_write(start_router) -> None:
    router = start_router(seed=ROUTEROS6, name="ros6")
    before = table(router, "/ip/firewall/nat")
    wans = [
        {"interface": "ether1", "public_address": "203.0.113.1"},
        {"interface": "ether5", "public_address": "192.0.2.2", "gateway": "192.0.2.254"},
    ]
    run = converge(router, role_vars(hairpin_wans=wans))
    assert run.returncode != 0
    text = run.stdout + run.stderr
    assert (
        "the reply routing of variable 'hairpin_wans' needs RouterOS 7 (/routing table); nothing was written" in text
    ), text[-3000:]
    assert table(router, "/ip/firewall/nat") == before

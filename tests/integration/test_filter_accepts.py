"""The role's owned firewall filter accepts (hairpin_filter) on simulated routers: on a router
whose forward chain drops what it does not accept, each published service gets an accept just
before that drop; on a stock router (defconf passes dst-natted connections) none; owned,
fingerprinted, repaired, moved, removed with the service, shown in --check --diff, replayable."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from role_support import ROLE_TASK, converge, host_result, table
from support import STOCK_ROUTER, SimRouter

from routeros_sim.rsc_run import run_script
from routeros_sim.state import load_router
from tests.support.paths import REPO

FILTER = "/ip/firewall/filter"
# The stock router hardened by hand: its forward chain ends in a plain drop (see the file).
FORWARD_DROP_ROUTER = REPO / "tests" / "fixtures" / "routers" / "forward-drop-router.rsc"
DROP_ALL = "drop all else"
WEB_ACCEPT = "hairpin:filter:web:tcp"
WG_ACCEPT = "hairpin:filter:wg:udp"

VARS: dict[str, Any] = {
    "hairpin_wan_interface": "ether1",
    "hairpin_lan_interface": "bridge",
    "hairpin_lan_subnets": ["192.168.1.0/24"],
    "hairpin_public_address": "203.0.113.1",
    "hairpin_services": [
        {"name": "web", "protocol": "tcp", "port": 443, "host": "192.168.1.2", "host_port": 8443},
        # Not hairpinned: its forward (and so its accept) matches only what comes in on the WAN.
        {"name": "wg", "protocol": "udp", "port": 51820, "host": "192.168.1.3", "hairpin": False},
    ],
}


def role_vars(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(VARS)
    values.update(changes)
    return values


def marker(row: dict[str, str]) -> str:
    """An owned row's marker, without fingerprint and description; a foreign row's comment."""
    comment = row.get("comment", "")
    return comment.split(" ", 1)[0] if comment.startswith("hairpin:") else comment


def forward_chain(router: SimRouter) -> list[str]:
    return [marker(row) for row in table(router, FILTER) if row.get("chain") == "forward"]


def ok(run) -> dict[str, Any]:
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    return host_result(run, ROLE_TASK)


@pytest.fixture
def drop_router(start_router) -> SimRouter:
    return start_router(seed=FORWARD_DROP_ROUTER, name="forward-drop")


def test_on_a_forward_drop_router_each_service_gets_an_accept_just_before_the_drop(drop_router: SimRouter) -> None:
    result = ok(converge(drop_router, role_vars()))
    assert result["changed"] is True
    chain = forward_chain(drop_router)
    assert chain[-3:] == [WEB_ACCEPT, WG_ACCEPT, DROP_ALL], chain
    rows = {marker(row): row for row in table(drop_router, FILTER)}
    web = rows[WEB_ACCEPT]
    # The forward's own matchers, after dstnat: the host and the port on the host.
    assert {key: web.get(key) for key in ("action", "connection-nat-state", "protocol", "dst-address", "dst-port")} == {
        "action": "accept",
        "connection-nat-state": "dstnat",
        "protocol": "tcp",
        "dst-address": "192.168.1.2",
        "dst-port": "8443",
    }
    # A hairpinned forward matches LAN clients too, and so does its accept; wg's only the WAN.
    assert "in-interface" not in web and "in-interface-list" not in web
    assert rows[WG_ACCEPT]["in-interface"] == "ether1"
    assert rows[WG_ACCEPT]["dst-port"] == "51820" and rows[WG_ACCEPT]["protocol"] == "udp"
    # The fingerprint follows the marker, as on the NAT rules.
    assert web["comment"].startswith(WEB_ACCEPT + " ~")
    assert [line for line in result["commands"] if line.startswith("/ip firewall filter add")], result["commands"]

    again = ok(converge(drop_router, role_vars()))
    assert again["changed"] is False, again.get("commands")
    assert forward_chain(drop_router)[-3:] == [WEB_ACCEPT, WG_ACCEPT, DROP_ALL]


def test_on_a_stock_router_auto_adds_no_filter_rule(start_router) -> None:
    router = start_router(seed=STOCK_ROUTER, name="stock")
    before = table(router, FILTER)
    result = ok(converge(router, role_vars()))
    assert result["changed"] is True  # the NAT rules
    assert table(router, FILTER) == before
    assert not [line for line in result["commands"] if "firewall filter" in line]


def test_filter_true_on_a_stock_router_keeps_one_per_service_and_false_removes_them(start_router) -> None:
    router = start_router(seed=STOCK_ROUTER, name="stock")
    ok(converge(router, role_vars(hairpin_filter=True)))
    chain = forward_chain(router)
    # No rule drops them: the accepts go to the top of chain forward.
    assert chain[:2] == [WEB_ACCEPT, WG_ACCEPT], chain
    assert ok(converge(router, role_vars(hairpin_filter=True)))["changed"] is False
    result = ok(converge(router, role_vars(hairpin_filter=False)))
    assert not [name for name in forward_chain(router) if name.startswith("hairpin:")]
    assert any(line.startswith("/ip firewall filter remove") for line in result["commands"])


def test_filter_false_adds_none_and_the_analysis_still_reports_the_drop(drop_router: SimRouter) -> None:
    result = ok(
        converge(
            drop_router, role_vars(hairpin_filter=False, hairpin_analyze=True, hairpin_analyze_fail_on_findings=False)
        )
    )
    assert not [name for name in forward_chain(drop_router) if name.startswith("hairpin:")]
    blocked = [f for f in result["analysis"]["findings"] if f["code"] == "filter-blocks" and f["service"]]
    assert {f["service"] for f in blocked} >= {"web/tcp", "wg/udp"}, result["analysis"]["findings"]
    assert all(f["rule"]["comment"] == DROP_ALL for f in blocked), blocked


def test_auto_with_the_analysis_finds_every_service_reachable(drop_router: SimRouter) -> None:
    result = ok(converge(drop_router, role_vars(hairpin_analyze=True)))
    internet = {(s["name"], s["protocol"]): s["internet"]["reachable"] for s in result["analysis"]["services"]}
    assert internet == {("web", "tcp"): True, ("wg", "udp"): True}, result["analysis"]["services"]


def test_the_accept_goes_with_its_service_and_follows_the_drop_when_it_moves(drop_router: SimRouter) -> None:
    ok(converge(drop_router, role_vars()))
    # The admin moves the drop above "accept LAN to WAN": the accepts must stay before it.
    rows = table(drop_router, FILTER)
    drop = next(row for row in rows if row.get("comment") == DROP_ALL)
    lan = next(row for row in rows if row.get("comment") == "accept LAN to WAN")
    drop_router.router.execute(f"{FILTER}/move", [f"=numbers={drop['.id']}", f"=destination={lan['.id']}"])
    moved = ok(converge(drop_router, role_vars()))
    assert moved["changed"] is True
    chain = forward_chain(drop_router)
    assert chain.index(WEB_ACCEPT) == chain.index(DROP_ALL) - 2 and chain.index(WG_ACCEPT) == chain.index(DROP_ALL) - 1
    assert any(line.startswith("/ip firewall filter move") for line in moved["commands"]), moved["commands"]

    services = [service for service in VARS["hairpin_services"] if service["name"] != "wg"]
    gone = ok(converge(drop_router, role_vars(hairpin_services=services)))
    assert WG_ACCEPT not in forward_chain(drop_router) and WEB_ACCEPT in forward_chain(drop_router)
    assert any(line == "# " + WG_ACCEPT for line in gone["commands"]), gone["commands"]


def test_a_hand_edit_of_the_accept_is_repaired_as_drift_and_foreign_rules_stay(drop_router: SimRouter) -> None:
    ok(converge(drop_router, role_vars()))
    foreign_before = [row for row in table(drop_router, FILTER) if not row.get("comment", "").startswith("hairpin:")]
    web = next(row for row in table(drop_router, FILTER) if marker(row) == WEB_ACCEPT)
    drop_router.router.execute(f"{FILTER}/set", [f"=.id={web['.id']}", "=dst-port=22"])
    repaired = ok(converge(drop_router, role_vars()))
    assert [(item["rule"], item["kind"]) for item in repaired["drift"]] == [(WEB_ACCEPT, "fields")], repaired["drift"]
    assert next(row for row in table(drop_router, FILTER) if marker(row) == WEB_ACCEPT)["dst-port"] == "8443"
    assert [row for row in table(drop_router, FILTER) if not row.get("comment", "").startswith("hairpin:")] == (
        foreign_before
    )


def test_check_diff_groups_the_accept_under_its_service_and_the_commands_replay(
    drop_router: SimRouter, tmp_path: Path
) -> None:
    before_nat, before_filter = drop_router.nat(), table(drop_router, FILTER)
    run = converge(drop_router, role_vars(), check=True, diff=True)
    result = ok(run)
    assert drop_router.nat() == before_nat and table(drop_router, FILTER) == before_filter
    diff = result["diff"]["prepared"]
    web = diff.split("# service web (tcp/443 -> 192.168.1.2:8443)\n", 1)[1].split("# service wg", 1)[0]
    assert "/ip firewall nat add" in web and "/ip firewall filter add" in web, diff
    # The placed add names where it goes: before the foreign drop.
    assert f"# {WEB_ACCEPT}: new, before " in web and f'(foreign: "{DROP_ALL}")' in web, diff

    # The commands, replayed as a script on the same starting router, make what a run makes.
    replayed = load_router(tmp_path / "replayed.json", seed=FORWARD_DROP_ROUTER)
    assert run_script(replayed, "\n".join(result["commands"]) + "\n").executed
    ok(converge(drop_router, role_vars()))

    def shape(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
        return [(row.get("chain", ""), row.get("comment", "")) for row in rows]

    replayed_filter = [row for kind, row in replayed.execute(f"{FILTER}/print", []) if kind == "!re"]
    assert shape(replayed_filter) == shape(table(drop_router, FILTER))


def test_the_armed_revert_puts_the_filter_back(drop_router: SimRouter) -> None:
    before = [{k: v for k, v in row.items() if k != ".id"} for row in table(drop_router, FILTER)]
    result = ok(converge(drop_router, role_vars()))
    script = result["revert"]["script"]
    assert '/ip firewall filter\nremove [ find where comment~"^hairpin:filter:" and dynamic=no ]\n' in script
    assert run_script(drop_router.router, script).executed
    after = [{k: v for k, v in row.items() if k != ".id"} for row in table(drop_router, FILTER)]
    assert after == before


def test_accepts_that_go_with_the_drop_do_not_count_as_mass_removal(drop_router: SimRouter) -> None:
    services = [{"name": f"svc{index}", "port": 10000 + index, "host": "192.168.1.2"} for index in range(6)]
    ok(converge(drop_router, role_vars(hairpin_services=services)))
    assert len([name for name in forward_chain(drop_router) if name.startswith("hairpin:filter:")]) == 6
    # The admin opens the forward chain: every accept goes, but no service does, so the guard
    # (which counts port forwards, by default at most half of them) lets the run through.
    drop = next(row for row in table(drop_router, FILTER) if row.get("comment") == DROP_ALL)
    drop_router.router.execute(f"{FILTER}/remove", [f"=.id={drop['.id']}"])
    result = ok(converge(drop_router, role_vars(hairpin_services=services)))
    assert len([line for line in result["commands"] if line.startswith("/ip firewall filter remove")]) == 6
    assert not [name for name in forward_chain(drop_router) if name.startswith("hairpin:")]
    # The forwards and hairpin rules stay.
    assert len([row for row in drop_router.nat() if row.get("comment", "").startswith("hairpin:")]) == 12

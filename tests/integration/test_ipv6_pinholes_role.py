"""The role's owned IPv6 pinholes (hairpin_services[].host6) on the simulated stock router, whose
IPv6 firewall is RouterOS 7 defconf's: an accept in /ipv6 firewall filter chain forward for each
service with host6, just before defconf's "drop everything else not coming from LAN"; shown in
--check --diff, idempotent, removed when host6 or the service goes, foreign rules untouched,
and the read and write in the same round trips as the NAT table."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from role_support import ROLE_TASK, converge, host_result, nat_analyze, table
from support import STOCK_ROUTER, SimRouter

FILTER6 = "/ipv6/firewall/filter"
DEFCONF_LAN_DROP = "defconf: drop everything else not coming from LAN"
WEB_PINHOLE = "hairpin:filter6:web:tcp"
DNS_TCP, DNS_UDP = "hairpin:filter6:dns:tcp", "hairpin:filter6:dns:udp"
WEB6, DNS6 = "3fff:0:0:2::2", "3fff:0:0:2::3"

VARS: dict[str, Any] = {
    "hairpin_wan_interface": "ether1",
    "hairpin_lan_interface": "bridge",
    "hairpin_lan_subnets": ["192.168.1.0/24"],
    "hairpin_public_address": "203.0.113.1",
    "hairpin_services": [
        # The server listens on 8443: nothing translates IPv6, so its pinhole is for 8443.
        {"name": "web", "protocol": "tcp", "port": 443, "host": "192.168.1.2", "host_port": 8443, "host6": WEB6},
        {"name": "dns", "protocol": "both", "port": 53, "host": "192.168.1.3", "host6": DNS6},
        {"name": "ssh", "protocol": "tcp", "port": 2222, "host": "192.168.1.4", "host_port": 22},
    ],
}


def role_vars(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(VARS)
    values.update(changes)
    return values


def marker(row: dict[str, str]) -> str:
    comment = row.get("comment", "")
    return comment.split(" ", 1)[0] if comment.startswith("hairpin:") else comment


def forward_chain(router: SimRouter) -> list[str]:
    return [marker(row) for row in table(router, FILTER6) if row.get("chain") == "forward"]


def ok(run) -> dict[str, Any]:
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    return host_result(run, ROLE_TASK)


@pytest.fixture
def stock(start_router) -> SimRouter:
    return start_router(seed=STOCK_ROUTER, name="stock")


def test_pinholes_go_just_before_defconfs_drop_and_a_second_run_changes_nothing(stock: SimRouter) -> None:
    foreign_before = [row for row in table(stock, FILTER6) if not marker(row).startswith("hairpin:")]
    check = converge(stock, role_vars(), check=True, diff=True)
    planned = ok(check)
    assert forward_chain(stock)[-1] == DEFCONF_LAN_DROP and WEB_PINHOLE not in forward_chain(stock)
    adds = [line for line in planned["commands"] if line.startswith("/ipv6 firewall filter add")]
    assert len(adds) == 3, planned["commands"]
    assert all("place-before=" in line and "chain=forward" in line and "action=accept" in line for line in adds)
    assert "/ipv6 firewall filter add" in check.stdout  # the diff shows them

    result = ok(converge(stock, role_vars()))
    assert result["changed"] is True
    # The armed revert takes the owned pinholes away too, were the run not confirmed.
    assert "/ipv6 firewall filter" in result["revert"]["script"], result["revert"]["script"]
    chain = forward_chain(stock)
    assert chain[-4:] == [WEB_PINHOLE, DNS_TCP, DNS_UDP, DEFCONF_LAN_DROP], chain
    rows = {marker(row): row for row in table(stock, FILTER6)}
    web = rows[WEB_PINHOLE]
    assert {k: web.get(k) for k in ("action", "protocol", "dst-address", "dst-port", "in-interface")} == {
        "action": "accept",
        "protocol": "tcp",
        "dst-address": WEB6 + "/128",
        "dst-port": "8443",
        "in-interface": "ether1",
    }
    assert "connection-state" not in web and "connection-nat-state" not in web
    assert rows[DNS_UDP]["protocol"] == "udp" and rows[DNS_UDP]["dst-port"] == "53"
    assert web["comment"].startswith(WEB_PINHOLE + " ~")
    assert [marker(row) for row in result["ipv6_filter_rules"]] == [WEB_PINHOLE, DNS_TCP, DNS_UDP]
    # The defconf rules are all still there, in their order.
    assert [row for row in table(stock, FILTER6) if not marker(row).startswith("hairpin:")] == foreign_before

    again = ok(converge(stock, role_vars()))
    assert again["changed"] is False, again.get("commands")
    assert again["round_trips"] == 1


def test_dropping_host6_or_the_service_removes_its_pinholes_and_nothing_else(stock: SimRouter) -> None:
    ok(converge(stock, role_vars()))
    foreign = [row for row in table(stock, FILTER6) if not marker(row).startswith("hairpin:")]
    services = copy.deepcopy(VARS["hairpin_services"])
    del services[0]["host6"]
    result = ok(converge(stock, role_vars(hairpin_services=services)))
    assert [line for line in result["commands"] if line.startswith("/ipv6 firewall filter remove")]
    assert WEB_PINHOLE not in forward_chain(stock)
    assert forward_chain(stock)[-3:] == [DNS_TCP, DNS_UDP, DEFCONF_LAN_DROP]
    # The service itself is still published over IPv4.
    assert any(marker(row) == "hairpin:dstnat:web:tcp" for row in table(stock, "/ip/firewall/nat"))

    result = ok(converge(stock, role_vars(hairpin_services=[services[0], services[2]])))
    assert not [name for name in forward_chain(stock) if name.startswith("hairpin:")]
    assert [row for row in table(stock, FILTER6) if not marker(row).startswith("hairpin:")] == foreign


def test_a_changed_host6_is_edited_in_place_in_one_write_round_trip(stock: SimRouter) -> None:
    ok(converge(stock, role_vars()))
    ids = {marker(row): row[".id"] for row in table(stock, FILTER6)}
    services = copy.deepcopy(VARS["hairpin_services"])
    services[0]["host6"] = "3fff:0:0:2::20"
    # Without the armed revert (its arming and its confirmation are round trips of their own).
    result = ok(converge(stock, role_vars(hairpin_services=services, hairpin_confirm=False)))
    assert result["changed"] is True
    rows = {marker(row): row for row in table(stock, FILTER6)}
    assert rows[WEB_PINHOLE][".id"] == ids[WEB_PINHOLE]
    assert rows[WEB_PINHOLE]["dst-address"] == "3fff:0:0:2::20/128"
    assert result["round_trips"] == 2


def test_the_ipv6_uplink_can_differ_from_the_wan(stock: SimRouter) -> None:
    ok(converge(stock, role_vars(hairpin_ipv6_wan_interface_list="WAN")))
    rows = {marker(row): row for row in table(stock, FILTER6)}
    assert rows[WEB_PINHOLE].get("in-interface-list") == "WAN" and "in-interface" not in rows[WEB_PINHOLE]


@pytest.mark.parametrize(
    ("host6", "problem"),
    [
        ("fe80::2", "is not a global unicast IPv6 address"),
        ("fd00::2", "is not a global unicast IPv6 address"),
        ("192.168.1.2", "is not an IPv6 address"),
    ],
)
def test_a_host6_that_is_no_global_address_fails_naming_host_service_and_field(
    stock: SimRouter, host6: str, problem: str
) -> None:
    before = table(stock, FILTER6)
    services = copy.deepcopy(VARS["hairpin_services"])
    services[0]["host6"] = host6
    run = converge(stock, role_vars(hairpin_services=services))
    assert run.returncode != 0
    text = run.stdout + run.stderr
    assert "service 'web': field 'host6'" in text and problem in text, text[-3000:]
    assert "gw" in text
    assert table(stock, FILTER6) == before


def test_a_pinhole_moved_behind_the_drop_is_found_by_nat_analyze_and_put_back_by_the_next_run(
    stock: SimRouter,
) -> None:
    ok(converge(stock, role_vars()))
    printed = [attributes for kind, attributes in stock.router.execute(f"{FILTER6}/print", []) if kind == "!re"]
    pinhole = next(row for row in printed if marker(row) == WEB_PINHOLE)
    drop = next(row for row in printed if row.get("comment") == DEFCONF_LAN_DROP and row["chain"] == "forward")
    # Someone moves the pinhole to the end of the table, behind defconf's drop.
    assert stock.router.execute(f"{FILTER6}/move", [f"=numbers={pinhole['.id']}"])[-1][0] == "!done"
    assert forward_chain(stock)[-1] == WEB_PINHOLE

    run = nat_analyze(stock, "203.0.113.1")
    analysis = run.result("analyze")
    findings = analysis.get("findings", [])
    blocked = [item for item in findings if item["code"] == "ipv6-pinhole-blocked"]
    assert [item["message"] for item in blocked] == [
        f"IPv6 pinhole for 'web' (tcp) is after rule {drop['.id']} ({DEFCONF_LAN_DROP}) which drops it"
    ], analysis

    # A check run plans it back before the drop, and the analysis of that plan finds nothing.
    planned = ok(converge(stock, role_vars(hairpin_analyze=True, hairpin_analyze_fail_on_findings=False), check=True))
    assert any(line.startswith("/ipv6 firewall filter move") for line in planned["commands"]), planned["commands"]
    assert "ipv6-pinhole-blocked" not in [item["code"] for item in planned["analysis"]["findings"]]
    ok(converge(stock, role_vars()))
    assert forward_chain(stock)[-4:] == [WEB_PINHOLE, DNS_TCP, DNS_UDP, DEFCONF_LAN_DROP]

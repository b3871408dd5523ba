"""The role hairpin.routeros.hairpin and its playbook, run by ansible-playbook against simulated
routers from inventories, as a user (or the example GitOps repository's CI) runs them."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from role_support import (
    EXAMPLE,
    EXAMPLE_FLEET,
    ROLE_TASK,
    SEED_RSC,
    SEED_VARS,
    api_vars,
    by_comment,
    changed_tasks,
    converge,
    example_fleet,
    foreign,
    host_result,
    owned,
    run_hairpin,
    table,
    write_seed,
)
from support import ANSIBLE_BIN, BROWNFIELD_ROUTER, PASSWORD, REPO, SimRouter

from routeros_sim import state
from routeros_sim.certs import CertPaths
from tests.support.tables import user_comment

DNS_PATH = "/ip/dns/static"
ADDRESS_LIST_PATH = "/ip/firewall/address-list"
WEB_DSTNAT = "hairpin:dstnat:web:tcp"
WEB_HAIRPIN = "hairpin:hairpin:web:tcp"
MASQUERADE = "hairpin:masquerade:ether1"


@pytest.fixture
def seed_router(start_router, tmp_path: Path) -> SimRouter:
    """The router of the hairpin NAT article (WAN ether1 203.0.113.1/24, LAN bridge 192.168.1.0/24)."""
    return start_router(seed=write_seed(tmp_path))


def seed_vars(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(SEED_VARS)
    values.update(changes)
    return values


def config_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows without what the router computes (counters, flags), for before/after comparisons."""
    computed = {"bytes", "packets", "invalid", "dynamic", "creation-time"}
    return [{k: v for k, v in row.items() if k not in computed} for row in rows]


def assert_ok(run) -> None:
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]


# ---------------------------------------------------------------------------------------------
# The seed scenario: inventory alone -> the three rules of the article; idempotent; check/diff


def test_seed_scenario_from_inventory_alone_makes_exactly_the_rules_of_the_article(seed_router: SimRouter) -> None:
    run = converge(seed_router, SEED_VARS)
    assert_ok(run)
    rows = seed_router.nat()
    assert len(rows) == 3, rows
    rules = by_comment(rows)
    assert set(rules) == {WEB_DSTNAT, WEB_HAIRPIN, MASQUERADE}
    dstnat, hairpin, masquerade = rules[WEB_DSTNAT], rules[WEB_HAIRPIN], rules[MASQUERADE]
    # add chain=dstnat dst-address=203.0.113.1 protocol=tcp dst-port=80 action=dst-nat to-addresses=192.168.1.2
    assert (dstnat["chain"], dstnat["action"], dstnat["protocol"], dstnat["dst-port"]) == (
        "dstnat",
        "dst-nat",
        "tcp",
        "80",
    )
    assert (dstnat["dst-address"], dstnat["to-addresses"]) == ("203.0.113.1", "192.168.1.2")
    assert "in-interface" not in dstnat  # LAN clients' packets to the public address must match too
    # add chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.2 protocol=tcp dst-port=80
    #     out-interface=bridge action=masquerade
    assert (hairpin["chain"], hairpin["action"], hairpin["protocol"], hairpin["dst-port"]) == (
        "srcnat",
        "masquerade",
        "tcp",
        "80",
    )
    assert (hairpin["src-address"], hairpin["dst-address"], hairpin["out-interface"]) == (
        "192.168.1.0/24",
        "192.168.1.2",
        "bridge",
    )
    # add chain=srcnat out-interface=ether1 action=masquerade
    assert (masquerade["chain"], masquerade["action"], masquerade["out-interface"]) == (
        "srcnat",
        "masquerade",
        "ether1",
    )
    assert {"src-address", "dst-address", "protocol"}.isdisjoint(masquerade)
    order = [user_comment(row["comment"]) for row in rows]
    assert order.index(WEB_HAIRPIN) < order.index(MASQUERADE)
    # One connection to read and write, one to check and confirm; the play needed no facts and no SSH.
    assert seed_router.site.stats.connections == 2
    assert host_result(run, ROLE_TASK)["changed"] is True


def test_second_run_reports_no_change_and_writes_nothing(seed_router: SimRouter) -> None:
    assert_ok(converge(seed_router, SEED_VARS))
    rows, writes = seed_router.nat(), len(seed_router.writes_logged())
    # The same playbook by path this time: both ways of naming it run the same thing.
    run = converge(seed_router, SEED_VARS, playbook=str(REPO / "playbooks" / "hairpin.yml"))
    assert_ok(run)
    assert changed_tasks(run) == 0
    assert host_result(run, ROLE_TASK)["commands"] == []
    assert len(seed_router.writes_logged()) == writes
    assert seed_router.nat() == rows


def test_a_play_that_imports_the_role_does_what_the_playbook_does(seed_router: SimRouter) -> None:
    # The playbook runs the role's task file without the role, so without the role's defaults as
    # variables: the module's own defaults must make the same plan as a user's play with the role.
    play = seed_router.tmp / "site.yml"
    role = {"name": "hairpin.routeros.hairpin", "rolespec_validate": False}
    task = {"name": "Publish", "ansible.builtin.import_role": role}
    play.write_text(yaml.safe_dump([{"name": "Routers", "hosts": "routers", "gather_facts": False, "tasks": [task]}]))
    by_playbook = converge(seed_router, SEED_VARS, check=True)
    by_role = converge(seed_router, SEED_VARS, check=True, playbook=str(play))
    assert_ok(by_playbook)
    assert_ok(by_role)
    planned = host_result(by_playbook, ROLE_TASK)["commands"]
    assert planned and host_result(by_role, ROLE_TASK)["commands"] == planned
    assert_ok(converge(seed_router, SEED_VARS, playbook=str(play)))
    again = converge(seed_router, SEED_VARS)
    assert_ok(again)
    assert changed_tasks(again) == 0 and host_result(again, ROLE_TASK)["commands"] == []


def test_check_diff_on_a_changed_inventory_shows_the_commands_and_writes_nothing(seed_router: SimRouter) -> None:
    assert_ok(converge(seed_router, SEED_VARS))
    rows, writes = seed_router.nat(), len(seed_router.writes_logged())
    dstnat_id = by_comment(rows)[WEB_DSTNAT][".id"]
    changed = seed_vars(
        hairpin_services=[
            {"name": "web", "port": 8080, "host": "192.168.1.2", "host_port": 80},
            {"name": "dns", "protocol": "udp", "port": 53, "host": "192.168.1.3"},
        ]
    )
    run = converge(seed_router, changed, check=True, diff=True)
    assert_ok(run)
    result = host_result(run, ROLE_TASK)
    assert result["changed"] is True
    set_web = f'/ip firewall nat set {dstnat_id} dst-port=8080 comment="hairpin:dstnat:web:tcp ~'
    (edit,) = [line for line in result["commands"] if line.startswith(set_web)]
    assert re.fullmatch(r'.* comment="hairpin:dstnat:web:tcp ~[0-9a-f]{8}"', edit)
    # The inventory changed, nobody touched the router: no drift.
    assert result["drift"] == [] and not any(
        line.startswith("# drift:") for line in result["diff"]["prepared"].splitlines()
    )
    assert any(
        line.startswith(
            "/ip firewall nat add chain=dstnat action=dst-nat protocol=udp dst-address=203.0.113.1 dst-port=53"
        )
        for line in result["commands"]
    )
    # The diff: the same commands grouped per service, each set under the rule it edits.
    diff = result["diff"]["prepared"].splitlines()
    assert sorted(line for line in diff if not line.startswith("#")) == sorted(
        line for line in result["commands"] if not line.startswith("#")
    )
    web = diff.index("# service web (tcp/8080 -> 192.168.1.2:80)")
    assert diff[web + 1 : web + 3] == ["# hairpin:dstnat:web:tcp", edit]
    assert "# service dns (udp/53 -> 192.168.1.3)" in diff
    assert len(seed_router.writes_logged()) == writes
    assert seed_router.nat() == rows

    # What a reviewer reads in the pull request's log (the default output): the same commands.
    human = converge(seed_router, changed, check=True, diff=True, env={"ANSIBLE_STDOUT_CALLBACK": "default"})
    assert human.returncode == 0, human.stdout
    assert f"/ip firewall nat set {dstnat_id} dst-port=8080" in human.stdout
    assert seed_router.nat() == rows


# ---------------------------------------------------------------------------------------------
# hairpin_mode


TWO_SERVICES = [
    {"name": "web", "port": 80, "host": "192.168.1.2", "dns_name": "www.example.net"},
    {"name": "dns", "protocol": "both", "port": 53, "host": "192.168.1.3", "dns_name": "ns.example.net"},
]
DSTNATS = {WEB_DSTNAT, "hairpin:dstnat:dns:tcp", "hairpin:dstnat:dns:udp"}


@pytest.mark.parametrize(
    ("mode", "hairpin_rules", "dns_entries", "in_interface"),
    [
        (
            "per_service",
            {WEB_HAIRPIN, "hairpin:hairpin:dns:tcp", "hairpin:hairpin:dns:udp"},
            {},
            None,
        ),
        ("subnet", {"hairpin:hairpin-subnet:192.168.1.0/24"}, {}, None),
        ("none", set(), {}, "ether1"),
        ("split_dns", set(), {"www.example.net": "192.168.1.2", "ns.example.net": "192.168.1.3"}, "ether1"),
    ],
)
def test_each_hairpin_mode(seed_router: SimRouter, mode, hairpin_rules, dns_entries, in_interface) -> None:
    services = TWO_SERVICES
    run = converge(seed_router, seed_vars(hairpin_mode=mode, hairpin_services=services))
    assert_ok(run)
    rules = by_comment(seed_router.nat())
    assert set(rules) == DSTNATS | hairpin_rules | {MASQUERADE}
    # Without hairpin NAT a forward only takes packets from the WAN, so LAN clients' packets to
    # the public address are never half-translated.
    assert {rules[name].get("in-interface") for name in DSTNATS} == {in_interface}
    if mode == "subnet":
        subnet_rule = rules["hairpin:hairpin-subnet:192.168.1.0/24"]
        assert (subnet_rule["src-address"], subnet_rule["dst-address"], subnet_rule["out-interface"]) == (
            "192.168.1.0/24",
            "192.168.1.0/24",
            "bridge",
        )
    dns = {row["name"]: row["address"] for row in table(seed_router, DNS_PATH)}
    assert dns == dns_entries
    # One call in every mode (its write and its check): the split-DNS entries ride in the NAT call.
    assert seed_router.site.stats.connections == 2
    again = converge(seed_router, seed_vars(hairpin_mode=mode, hairpin_services=services))
    assert_ok(again)
    assert changed_tasks(again) == 0


def test_a_service_can_override_the_mode(seed_router: SimRouter) -> None:
    services = [
        {"name": "web", "port": 80, "host": "192.168.1.2", "hairpin": False},
        {"name": "nas", "port": 443, "host": "192.168.1.4"},
    ]
    assert_ok(converge(seed_router, seed_vars(hairpin_services=services)))
    rules = by_comment(seed_router.nat())
    assert set(rules) == {WEB_DSTNAT, "hairpin:dstnat:nas:tcp", "hairpin:hairpin:nas:tcp", MASQUERADE}
    assert rules[WEB_DSTNAT]["in-interface"] == "ether1"
    services = [{**services[0], "hairpin": True}, services[1]]
    assert_ok(converge(seed_router, seed_vars(hairpin_mode="none", hairpin_services=services)))
    rules = by_comment(seed_router.nat())
    assert set(rules) == {WEB_DSTNAT, WEB_HAIRPIN, "hairpin:dstnat:nas:tcp", MASQUERADE}
    assert rules["hairpin:dstnat:nas:tcp"]["in-interface"] == "ether1"
    assert "in-interface" not in rules[WEB_DSTNAT]


BROWNFIELD_VARS: dict[str, Any] = {
    # RouterOS's default configuration: interface lists, and its own masquerade, which stays.
    "hairpin_wan_interface_list": "WAN",
    "hairpin_lan_interface_list": "LAN",
    "hairpin_masquerade": False,
    "hairpin_public_address": "203.0.113.2",
    "hairpin_services": [
        {"name": "nas", "port": 443, "host": "192.168.88.10", "dns_name": "nas.example.net"},
        {
            "name": "game",
            "protocol": "udp",
            "port": "27015-27030",
            "host": "192.168.88.20",
            "dns_name": "game.example.net",
        },
    ],
}


def test_switching_mode_on_a_router_with_rules_replaces_owned_rules_and_keeps_foreign_ones(start_router) -> None:
    router = start_router(seed=BROWNFIELD_ROUTER)
    foreign_nat = config_rows(foreign(router.nat()))
    foreign_dns = config_rows(foreign(table(router, DNS_PATH)))
    assert len(foreign_nat) == 5 and len(foreign_dns) == 2

    def switch(mode: str) -> tuple[set[str], dict[str, str]]:
        run = converge(router, {**BROWNFIELD_VARS, "hairpin_mode": mode})
        assert_ok(run)
        assert config_rows(foreign(router.nat())) == foreign_nat
        assert config_rows(foreign(table(router, DNS_PATH))) == foreign_dns
        dns = {row["name"]: row["address"] for row in owned(table(router, DNS_PATH))}
        return set(by_comment(router.nat())), dns

    dstnats = {"hairpin:dstnat:nas:tcp", "hairpin:dstnat:game:udp"}
    assert switch("per_service") == (dstnats | {"hairpin:hairpin:nas:tcp", "hairpin:hairpin:game:udp"}, {})
    assert switch("subnet") == (dstnats | {"hairpin:hairpin-subnet:192.168.88.0/24"}, {})
    split = {"nas.example.net": "192.168.88.10", "game.example.net": "192.168.88.20"}
    assert switch("split_dns") == (dstnats, split)
    # Leaving split DNS removes its entries too (the services still name them).
    assert switch("none") == (dstnats, {})
    assert switch("per_service") == (dstnats | {"hairpin:hairpin:nas:tcp", "hairpin:hairpin:game:udp"}, {})
    hairpin = by_comment(router.nat())["hairpin:hairpin:nas:tcp"]
    assert (hairpin["out-interface-list"], hairpin["src-address"]) == ("LAN", "192.168.88.0/24")
    # Leaving split DNS and dropping the names in the same change still removes the entries.
    assert switch("split_dns")[1] == split
    services = [{k: v for k, v in s.items() if k != "dns_name"} for s in BROWNFIELD_VARS["hairpin_services"]]
    assert_ok(converge(router, {**BROWNFIELD_VARS, "hairpin_mode": "per_service", "hairpin_services": services}))
    assert owned(table(router, DNS_PATH)) == []
    assert config_rows(foreign(table(router, DNS_PATH))) == foreign_dns


# ---------------------------------------------------------------------------------------------
# hairpin_public_address


def test_public_address_as_an_address_list(seed_router: SimRouter) -> None:
    assert_ok(converge(seed_router, seed_vars(hairpin_public_address={"address_list": "wan-addresses"})))
    rules = by_comment(seed_router.nat())
    assert rules[WEB_DSTNAT]["dst-address-list"] == "wan-addresses"
    assert "dst-address" not in rules[WEB_DSTNAT]
    assert WEB_HAIRPIN in rules


def test_public_address_local(seed_router: SimRouter) -> None:
    assert_ok(converge(seed_router, seed_vars(hairpin_public_address="local")))
    rules = by_comment(seed_router.nat())
    assert rules[WEB_DSTNAT]["dst-address-type"] == "local"
    assert "dst-address" not in rules[WEB_DSTNAT]


def readme_inventory() -> dict[str, Any]:
    """The host_vars of the README's first inventory example, as a user copies it."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("# inventory/host_vars/gw-home.yml\n", 1)[1].split("```", 1)[0]
    return yaml.safe_load(block)


def test_the_readme_inventory_converges_on_routeros7_as_shipped(start_router) -> None:
    router = start_router(seed=state.ROUTEROS7_DEFCONF_SEED)
    foreign_before = foreign(router.nat())
    run = converge(router, readme_inventory())
    assert_ok(run)
    result = host_result(run, ROLE_TASK)
    # WebFig ships enabled on tcp/80: the forward takes that port on the public address only.
    assert result["warnings"] == [
        "service 'web': WebFig (www, tcp/80) is no longer reachable on 203.0.113.10; it still is on 192.168.88.1"
    ]
    rows = router.nat()
    assert foreign(rows) == foreign_before
    # defconf's masquerade already covers the WAN, so the only masquerade out of it is defconf's.
    masquerades = [row for row in rows if row.get("action") == "masquerade" and "src-address" not in row]
    assert [row["comment"] for row in masquerades] == ["defconf: masquerade"]
    assert any("defconf: masquerade" in note for note in result["notes"])
    assert {user_comment(row["comment"]) for row in owned(rows)} == {WEB_DSTNAT, WEB_HAIRPIN}
    again = converge(router, readme_inventory())
    assert_ok(again)
    assert changed_tasks(again) == 0
    # hairpin_masquerade: true keeps an owned masquerade beside defconf's, IPsec traffic left out.
    assert_ok(converge(router, {**readme_inventory(), "hairpin_masquerade": True}))
    masquerade = by_comment(router.nat())[MASQUERADE]
    assert (masquerade["out-interface"], masquerade["ipsec-policy"]) == ("ether1", "out,none")


def test_a_port_of_the_routers_own_services_is_taken_with_a_warning(seed_router: SimRouter) -> None:
    services = [{"name": "winbox-fwd", "port": 8291, "host": "192.168.1.2"}]
    run = converge(seed_router, seed_vars(hairpin_public_address="local", hairpin_services=services))
    assert_ok(run)
    assert host_result(run, ROLE_TASK)["warnings"] == [
        "service 'winbox-fwd': Winbox (winbox, tcp/8291) is no longer reachable on any of the router's addresses; it "
        "is then reachable on no address of the router"
    ]
    assert "hairpin:dstnat:winbox-fwd:tcp" in by_comment(seed_router.nat())


def test_the_api_port_this_run_connects_to_is_refused_before_any_write(seed_router: SimRouter) -> None:
    # The run speaks TLS, so the API-SSL service (tcp/8729 on the router) is its way in.
    services = [{"name": "controller", "port": 8729, "host": "192.168.1.2"}]
    run = converge(seed_router, seed_vars(hairpin_public_address="local", hairpin_services=services))
    assert run.returncode != 0
    message = host_result(run, ROLE_TASK)["msg"]
    assert (
        "host 'gw (127.0.0.1)': service 'controller': field 'port': tcp port 8729 is the API over TLS, the port "
        "this run connects to (api-ssl, tcp/8729)"
    ) in message
    assert seed_router.writes_logged() == []


def test_public_address_follows_a_ddns_name(start_router) -> None:
    router = start_router(seed=EXAMPLE / "simulator" / "gw-cabin.rsc")
    router.router.patch("/ip/cloud", {"public-address": "198.51.100.77"})
    ddns = "hf20a1b2c3d4.sn.mynetname.net"
    host_vars = {
        "hairpin_wan_interface": "ether1",
        "hairpin_lan_interface": "bridge",
        "hairpin_public_address": {"ddns_name": ddns},
        "hairpin_services": [{"name": "camera", "port": 8443, "host": "192.168.50.5", "host_port": 443}],
    }
    run = converge(router, host_vars)
    assert_ok(run)
    rules = by_comment(router.nat())
    assert rules["hairpin:dstnat:camera:tcp"]["dst-address-list"] == "hairpin-wan"
    assert rules["hairpin:hairpin:camera:tcp"]["dst-port"] == "443"
    entries = table(router, ADDRESS_LIST_PATH)
    ours = [row for row in entries if row.get("comment") == f"hairpin:address-list:hairpin-wan:{ddns}"]
    assert [(row["list"], row["address"]) for row in ours] == [("hairpin-wan", ddns)]
    # RouterOS resolves the name: the list holds the current WAN address, and follows it.
    assert ("hairpin-wan", "198.51.100.77") in {(row["list"], row["address"]) for row in entries}
    # The address-list entry came in the same call: its write's connection and its check's.
    assert router.site.stats.connections == 2
    again = converge(router, host_vars)
    assert_ok(again)
    assert changed_tasks(again) == 0
    # Back to a fixed address: the owned address-list entry goes with the DDNS form.
    assert_ok(converge(router, {**host_vars, "hairpin_public_address": "198.51.100.77"}))
    assert not [row for row in table(router, ADDRESS_LIST_PATH) if row.get("list") == "hairpin-wan"]


# ---------------------------------------------------------------------------------------------
# hairpin_purge and per-service state


def test_without_purge_departed_services_stay_and_absent_ones_go(seed_router: SimRouter) -> None:
    services = [
        {"name": "web", "port": 80, "host": "192.168.1.2"},
        {"name": "nas", "port": 443, "host": "192.168.1.4"},
        {"name": "ssh", "port": 2222, "host": "192.168.1.5", "host_port": 22},
    ]
    assert_ok(converge(seed_router, seed_vars(hairpin_services=services)))
    later = [services[0], {"name": "ssh", "state": "absent"}]  # nas left the inventory
    run = converge(seed_router, seed_vars(hairpin_purge=False, hairpin_services=later))
    assert_ok(run)
    assert host_result(run, ROLE_TASK)["changed"] is True
    rules = set(by_comment(seed_router.nat()))
    assert {"hairpin:dstnat:nas:tcp", "hairpin:hairpin:nas:tcp"} <= rules
    assert not {name for name in rules if ":ssh:" in name}
    # One call per run (its write and its check), the absent service's removal included.
    assert seed_router.site.stats.connections == 4
    # With purge (the default), the departed service goes too, in the one call.
    assert_ok(converge(seed_router, seed_vars(hairpin_services=later)))
    assert set(by_comment(seed_router.nat())) == {WEB_DSTNAT, WEB_HAIRPIN, MASQUERADE}


def test_masquerade_off_removes_only_the_owned_masquerade(start_router) -> None:
    router = start_router(seed=BROWNFIELD_ROUTER)
    assert_ok(converge(router, {**BROWNFIELD_VARS, "hairpin_masquerade": True}))
    assert "hairpin:masquerade:WAN" in by_comment(router.nat())
    assert_ok(converge(router, BROWNFIELD_VARS))
    assert "hairpin:masquerade:WAN" not in by_comment(router.nat())
    assert any(row.get("comment") == "defconf: masquerade" for row in router.nat())


# ---------------------------------------------------------------------------------------------
# Bad inventory: fails before any write, naming the host, the service and the field


WEB = {"name": "web", "port": 80, "host": "192.168.1.2"}


@pytest.mark.parametrize(
    ("changes", "task", "expected"),
    [
        (
            {"hairpin_services": [{**WEB, "host": "192.168.1.300"}]},
            ROLE_TASK,
            "host 'gw (127.0.0.1)': service 'web': field 'host': '192.168.1.300' is not an IPv4 address",
        ),
        (
            {"hairpin_public_address": "203.0.113.256"},
            ROLE_TASK,
            "host 'gw (127.0.0.1)': variable 'hairpin_public_address': '203.0.113.256' is not an IPv4 address",
        ),
        (
            {"hairpin_services": [{**WEB, "port": 0}]},
            ROLE_TASK,
            "host 'gw (127.0.0.1)': service 'web': field 'port': 0 is not a port (1-65535)",
        ),
        (
            {"hairpin_services": [{**WEB, "port": 70000}]},
            ROLE_TASK,
            "host 'gw (127.0.0.1)': service 'web': field 'port': 70000 is not a port (1-65535)",
        ),
        (
            {"hairpin_services": [WEB, {**WEB, "host": "192.168.1.3", "port": 8080}]},
            ROLE_TASK,
            "host 'gw (127.0.0.1)': service 'web': field 'name': 'web' is defined 2 times in services",
        ),
        (
            {"hairpin_services": [WEB, {"name": "proxy", "protocol": "both", "port": "79-81", "host": "192.168.1.3"}]},
            ROLE_TASK,
            "host 'gw (127.0.0.1)': service 'proxy': field 'port': tcp port 79-81 is already published by "
            "service 'web'",
        ),
        (
            {"hairpin_lan_interface": "bridge-lan"},
            ROLE_TASK,
            "host 'gw (127.0.0.1)': variable 'hairpin_lan_interface': interface 'bridge-lan' does not exist on "
            "the router",
        ),
        (
            {"hairpin_lan_interface": "bridge-lan", "hairpin_lan_subnets": []},
            ROLE_TASK,
            "host 'gw (127.0.0.1)': variable 'hairpin_lan_interface': interface 'bridge-lan' does not exist on "
            "the router",
        ),
        (
            {"hairpin_services": [{**WEB, "protocol": "tcpx"}]},
            ROLE_TASK,
            "value of protocol must be one of: tcp, udp, both, got: tcpx found in services",
        ),
    ],
    ids=[
        "bad-host-ip",
        "bad-public-ip",
        "port-0",
        "port-70000",
        "duplicate-names",
        "two-services-one-port",
        "missing-lan-interface",
        "missing-lan-interface-subnets-from-router",
        "bad-protocol",
    ],
)
def test_bad_inventory_fails_before_any_write(seed_router: SimRouter, changes, task, expected) -> None:
    table_before = seed_router.nat()
    run = converge(seed_router, seed_vars(**changes))
    assert run.returncode != 0
    assert run.stats["gw"]["failures"] == 1
    result = host_result(run, task)  # the result is the inventory host's
    message = result["msg"] if isinstance(result["msg"], str) else "\n".join(result["msg"])
    assert expected in message
    assert seed_router.writes_logged() == []
    assert seed_router.nat() == table_before


def test_every_problem_is_reported_at_once(seed_router: SimRouter) -> None:
    services = [{**WEB, "port": 0, "host": "10.0.0.300"}, {**WEB, "name": "bad name"}]
    run = converge(seed_router, seed_vars(hairpin_services=services, hairpin_wan_interface=None))
    problems = host_result(run, ROLE_TASK)["problems"]
    assert problems == [
        "host 'gw (127.0.0.1)': variable 'hairpin_wan_interface': hairpin_masquerade is auto, so hairpin_wan_interface "
        "or hairpin_wan_interface_list is needed",
        "host 'gw (127.0.0.1)': service 'web': field 'port': 0 is not a port (1-65535)",
        "host 'gw (127.0.0.1)': service 'web': field 'host': '10.0.0.300' is not an IPv4 address",
        "host 'gw (127.0.0.1)': service 'bad name': field 'name': not a valid name (1-64 characters: letters, digits, "
        "'_', '.', '-'; starting with a letter or digit)",
    ]
    # The router is still read, so its problems would join these; nothing is written.
    assert seed_router.site.stats.connections == 1
    assert seed_router.writes_logged() == []


def test_the_password_never_shows(seed_router: SimRouter) -> None:
    for host_vars in (SEED_VARS, seed_vars(hairpin_lan_interface="bridge-lan")):
        run = converge(seed_router, host_vars, extra_args=["-vvv"], env={"ANSIBLE_STDOUT_CALLBACK": "default"})
        assert ROLE_TASK in run.stdout  # the run got to the router
        assert PASSWORD not in run.stdout + run.stderr


def test_variables_from_vault_and_hosts_vars_as_a_user_keeps_them(seed_router: SimRouter) -> None:
    """The password in Ansible Vault, the API address in hairpin_api_host (ansible_host points
    elsewhere): the role's task reads both from the variables, as a user's inventory has them."""
    secret = seed_router.tmp / "vault-pass"
    secret.write_text("vault-Pa55\n")
    encrypted = subprocess.run(
        [str(ANSIBLE_BIN / "ansible-vault"), "encrypt_string", "--vault-password-file", str(secret), PASSWORD],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    host = {**api_vars(seed_router), **SEED_VARS, "ansible_host": "127.0.0.2", "hairpin_api_host": "127.0.0.1"}
    del host["hairpin_api_password"]
    inventory = seed_router.tmp / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump({"routers": {"hosts": {"gw": host}}}, sort_keys=False)
        + "  vars:\n    hairpin_api_password: "
        + encrypted.replace("\n", "\n      ").rstrip()
        + "\n"
    )
    run = run_hairpin(seed_router.tmp, [inventory], extra_args=["--vault-password-file", str(secret)], diff=True)
    assert_ok(run)
    result = host_result(run, ROLE_TASK)
    assert result["changed"] is True
    assert WEB_DSTNAT in by_comment(seed_router.nat())
    assert PASSWORD not in run.stdout + run.stderr


# ---------------------------------------------------------------------------------------------
# The example GitOps repository, against three simulated routers


FLEET = EXAMPLE_FLEET


@pytest.fixture
def fleet(tmp_path: Path, certs: CertPaths) -> Iterator[dict[str, Any]]:
    with example_fleet(tmp_path, certs) as served:
        yield served


def run_example(fleet: dict[str, Any], *args: str, **kwargs: Any):
    return run_hairpin(
        fleet["tmp"],
        [fleet["repo"] / "inventory", fleet["overlay"]],
        playbook="hairpin.yml",
        cwd=fleet["repo"],
        env={"HAIRPIN_API_PASSWORD": PASSWORD},
        extra_args=args,
        **kwargs,
    )


def nat_of(site) -> list[dict[str, str]]:
    return [attrs for word, attrs in site.router.execute("/ip/firewall/nat/print", []) if word == "!re"]


def test_example_fleet_converges_in_one_run_with_one_connection_per_router(fleet) -> None:
    sites = fleet["sites"]
    plan = run_example(fleet, "--check")
    assert_ok(plan)
    assert all(site.stats.writes == 0 for site in sites.values())

    run = run_example(fleet)
    assert_ok(run)
    assert {name: site.stats.connections for name, site in sites.items()} == {
        "gw-home": 3,  # one for --check above, two for the run (its write, its check and confirm)
        "gw-office": 3,
        "gw-cabin": 3,
    }
    home = by_comment(nat_of(sites["gw-home"]))
    assert set(home) == {
        "hairpin:dstnat:nas-web:tcp",
        "hairpin:dstnat:nas-web-redirect:tcp",
        "hairpin:dstnat:game:udp",
        "hairpin:dstnat:vpn:udp",
        "hairpin:hairpin:nas-web:tcp",
        "hairpin:hairpin:nas-web-redirect:tcp",
        "hairpin:hairpin:vpn:udp",
        "hairpin:masquerade:ether1",
    }
    assert home["hairpin:dstnat:game:udp"]["in-interface"] == "ether1"
    assert any(row.get("comment") == "printer, set up by hand" for row in nat_of(sites["gw-home"]))
    office = by_comment(nat_of(sites["gw-office"]))
    assert set(office) == {
        "hairpin:dstnat:intranet:tcp",
        "hairpin:dstnat:mail-smtp:tcp",
        "hairpin:dstnat:mail-imaps:tcp",
        "hairpin:dstnat:sip:tcp",
        "hairpin:dstnat:sip:udp",
        "hairpin:hairpin-subnet:10.20.0.0/24",
    }
    assert office["hairpin:hairpin-subnet:10.20.0.0/24"]["out-interface-list"] == "LAN"
    assert [row["comment"] for row in foreign(nat_of(sites["gw-office"]))] == ["defconf: masquerade"]
    cabin = by_comment(nat_of(sites["gw-cabin"]))
    assert cabin["hairpin:dstnat:camera:tcp"]["dst-address-list"] == "hairpin-wan"

    again = run_example(fleet)
    assert_ok(again)
    assert changed_tasks(again) == 0
    # A run with nothing to change: one connection.
    assert all(site.stats.connections == 4 for site in sites.values())


def test_hairpin_hosts_picks_the_routers(fleet) -> None:
    run = run_example(fleet, "-e", "hairpin_hosts=gw-cabin")
    assert_ok(run)
    assert {name: site.stats.connections for name, site in fleet["sites"].items()} == {
        "gw-home": 0,
        "gw-office": 0,
        "gw-cabin": 2,
    }


def test_example_ci_workflow_checks_on_pull_requests_and_applies_on_main() -> None:
    workflow = yaml.safe_load((EXAMPLE / ".github" / "workflows" / "hairpin.yml").read_text())
    steps = {name: [step.get("run", "") for step in job["steps"]] for name, job in workflow["jobs"].items()}
    assert "pull_request" in workflow["on"] and workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["jobs"]["plan"]["if"] == "github.event_name == 'pull_request'"
    assert any("ansible-playbook hairpin.yml --check --diff" in run for run in steps["plan"])
    assert "refs/heads/main" in workflow["jobs"]["apply"]["if"]
    assert any(run.startswith("ansible-playbook hairpin.yml") and "--check" not in run for run in steps["apply"])


# ---------------------------------------------------------------------------------------------
# The role's variables have one source


def test_defaults_and_argument_spec_agree(tmp_path: Path) -> None:
    script = REPO / "scripts" / "check-role-spec.py"
    ok = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    broken = tmp_path / "hairpin"
    shutil.copytree(REPO / "roles" / "hairpin", broken)
    defaults = broken / "defaults" / "main.yml"
    defaults.write_text(defaults.read_text().replace("hairpin_purge: true", "hairpin_purge: false"))
    failed = subprocess.run([sys.executable, str(script), str(broken)], capture_output=True, text=True, check=False)
    assert failed.returncode == 1
    assert "hairpin_purge" in failed.stderr


# ---------------------------------------------------------------------------------------------
# The split-DNS module on its own


def dns_task(name: str, router: SimRouter, **options: Any) -> dict[str, Any]:
    return {
        "name": name,
        "hairpin.routeros.dns_static": {**router.connection_vars(), **options},
        "register": name.replace(" ", "_"),
        "ignore_errors": True,
    }


def test_dns_static_module_states(start_router) -> None:
    router = start_router(seed=BROWNFIELD_ROUTER)  # has foreign entries router.lan and nas.home.example.net
    foreign_dns = config_rows(foreign(table(router, DNS_PATH)))
    www = {"name": "www.example.net", "address": "192.168.88.10", "comment": "web server"}
    run = router.run_tasks(
        [
            dns_task("add", router, config=[www], state="merged"),
            dns_task("again", router, config=[www], state="overridden"),
            dns_task("gathered", router, state="gathered"),
            dns_task("clash", router, config=[{"name": "nas.home.example.net", "address": "192.168.88.99"}]),
            dns_task("rendered", router, config=[www], state="rendered"),
        ]
    )
    add, again, gathered = run.result("add"), run.result("again"), run.result("gathered")
    assert add["changed"] is True
    assert add["commands"] == [
        '/ip dns static add name=www.example.net address=192.168.88.10 comment="hairpin:dns:www.example.net web server"'
    ]
    assert again["changed"] is False and again["commands"] == []
    assert gathered["gathered"]["config"] == [
        {"name": "www.example.net", "address": "192.168.88.10", "comment": "web server", "disabled": False}
    ]
    assert {row["name"] for row in gathered["gathered"]["foreign"]} == {"router.lan", "nas.home.example.net"}
    clash = run.result("clash")
    assert clash["failed"] is True and "also answers nas.home.example.net" in clash["msg"]
    assert run.result("rendered")["rendered"] == add["commands"]
    assert config_rows(foreign(table(router, DNS_PATH))) == foreign_dns

    writes = len(router.writes_logged())
    check = router.run_tasks([dns_task("remove", router, state="deleted")], check=True, diff=True)
    removal = check.result("remove")
    assert removal["changed"] is True and removal["diff"]["prepared"].startswith(
        "# DNS static entries\n# hairpin:dns:www.example.net\n/ip dns static remove *"
    )
    assert len(router.writes_logged()) == writes
    assert router.run_tasks([dns_task("remove", router, state="deleted")]).result("remove")["changed"] is True
    assert owned(table(router, DNS_PATH)) == []
    assert config_rows(foreign(table(router, DNS_PATH))) == foreign_dns


def test_analyze_after_apply_reports_reachability_and_fails_on_findings(seed_router: SimRouter) -> None:
    run = converge(seed_router, seed_vars(hairpin_analyze=True))
    assert_ok(run)
    analysis = host_result(run, ROLE_TASK)["analysis"]
    # WebFig loses tcp/80 on the public address: a warning, which fails no run.
    assert [(finding["code"], finding["severity"]) for finding in analysis["findings"]] == [
        ("captures-router-service", "warning")
    ]
    web = next(service for service in analysis["services"] if service["name"] == "web")
    assert web["internet"]["reachable"] is True
    assert web["lan"]["reachable"] is True
    # With hairpin_mode none the LAN cannot use the public address, and the analysis says why.
    run = converge(seed_router, seed_vars(hairpin_analyze=True, hairpin_mode="none"))
    assert_ok(run)
    lan = host_result(run, ROLE_TASK)["analysis"]["services"][0]["lan"]
    assert lan["reachable"] is False
    assert "in-interface=ether1" in lan["reason"]
    # A public address the WAN does not have is a finding, and the play fails on it.
    broken = converge(seed_router, seed_vars(hairpin_analyze=True, hairpin_public_address="198.51.100.99"))
    assert broken.returncode != 0
    result = host_result(broken, ROLE_TASK)
    assert result.get("failed") is True
    assert "public-address-mismatch" in {finding["code"] for finding in result["analysis"]["findings"]}


def test_analyze_fails_on_a_filter_that_drops_the_service_and_passes_defconf(start_router, tmp_path: Path) -> None:
    # A router whose admin blocks the web server in the forward chain: not a default, on purpose.
    blocked = SEED_RSC + (
        "/ip firewall filter\n"
        'add action=drop chain=forward comment="no web from outside" dst-address=192.168.1.2 dst-port=80 '
        "protocol=tcp\n"
    )
    router = start_router(seed=write_seed(tmp_path, blocked, "blocked.rsc"), name="blocked")
    # hairpin_filter false: left to auto, the run would add an accept before the drop.
    run = converge(router, seed_vars(hairpin_analyze=True, hairpin_filter=False))
    assert run.returncode != 0
    result = host_result(run, ROLE_TASK)
    errors = [finding for finding in result["analysis"]["findings"] if finding["severity"] == "error"]
    assert errors and all(finding["code"] == "filter-blocks" for finding in errors)
    assert "no web from outside" in result["msg"]
    # The analysis is part of the check after the write: its findings leave the revert armed.
    assert "the router will revert this run's changes at" in result["msg"]
    schedulers = table(router, "/system/scheduler")
    assert [row["comment"] for row in schedulers] == ["hairpin:revert"]
    # RouterOS 7 as shipped: defconf's filter passes what is dst-NATed, so the analysis passes.
    stock = start_router(seed=state.ROUTEROS7_DEFCONF_SEED, name="stock")
    run = converge(stock, {**readme_inventory(), "hairpin_analyze": True})
    assert_ok(run)
    findings = host_result(run, ROLE_TASK)["analysis"]["findings"]
    assert [finding["severity"] for finding in findings] == ["warning"]


def test_a_router_that_cannot_be_reached_is_named_by_its_inventory_name(seed_router: SimRouter) -> None:
    port = seed_router.tls_port
    seed_router.stop()
    run = converge(seed_router, SEED_VARS)
    assert run.returncode != 0
    message = host_result(run, ROLE_TASK)["msg"]
    assert message.startswith(f"host 'gw (127.0.0.1)': router 127.0.0.1:{port} refused the connection"), message


def test_a_missing_connection_variable_is_named_as_the_inventory_names_it(seed_router: SimRouter) -> None:
    run = converge(seed_router, {**SEED_VARS, "hairpin_api_password": None})
    assert run.returncode != 0
    assert host_result(run, ROLE_TASK)["msg"] == "missing required arguments: hairpin_api_password"
    assert seed_router.site.stats.connections == 0

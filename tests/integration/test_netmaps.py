"""1:1 NAT (hairpin_netmaps): a host with a public address of its own, run by ansible-playbook
against the simulated router of the hairpin NAT article."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from role_support import ROLE_TASK, SEED_RSC, SEED_VARS, by_comment, changed_tasks, converge, host_result, write_seed
from support import SimRouter

DMZ = {"name": "dmz", "public_address": "203.0.113.5", "host": "192.168.1.8"}
DMZ_IN, DMZ_OUT, DMZ_HAIRPIN = "hairpin:netmap-in:dmz", "hairpin:netmap-out:dmz", "hairpin:netmap-hairpin:dmz"
# The host's public address is a second address of the WAN, as the ISP assigned it; and the
# admin's own masquerade of the WAN, which the 1:1 host's srcnat rule must come before.
EXTRA_RSC = """\
/ip address
add address=203.0.113.5/24 interface=ether1
/ip firewall nat
add chain=srcnat action=masquerade out-interface=ether1 comment="admin masquerade"
"""


@pytest.fixture
def seed_router(start_router, tmp_path: Path) -> SimRouter:
    return start_router(seed=write_seed(tmp_path, SEED_RSC + EXTRA_RSC))


def with_netmaps(*netmaps: dict[str, Any], **changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(SEED_VARS)
    values.update(hairpin_netmaps=[dict(netmap) for netmap in netmaps], **changes)
    return values


def comments(router: SimRouter, chain: str) -> list[str]:
    return [str(row.get("comment", "")).split(" ~", maxsplit=1)[0] for row in router.nat() if row["chain"] == chain]


def assert_ok(run) -> None:
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]


def test_a_netmap_maps_the_host_both_ways_before_the_masquerade_and_goes_with_its_entry(seed_router) -> None:
    run = converge(seed_router, with_netmaps(DMZ))
    assert_ok(run)
    rules = by_comment(seed_router.nat())
    inbound, outbound, hairpin = rules[DMZ_IN], rules[DMZ_OUT], rules[DMZ_HAIRPIN]
    assert (inbound["chain"], inbound["action"], inbound["dst-address"], inbound["to-addresses"]) == (
        "dstnat",
        "netmap",
        "203.0.113.5",
        "192.168.1.8",
    )
    assert "in-interface" not in inbound  # LAN clients use it too, for the hairpin
    assert (outbound["chain"], outbound["action"], outbound["src-address"], outbound["to-addresses"]) == (
        "srcnat",
        "netmap",
        "192.168.1.8",
        "203.0.113.5",
    )
    assert outbound["out-interface"] == "ether1"
    assert (hairpin["action"], hairpin["src-address"], hairpin["dst-address"], hairpin["out-interface"]) == (
        "masquerade",
        "192.168.1.0/24",
        "192.168.1.8",
        "bridge",
    )
    srcnat = comments(seed_router, "srcnat")
    assert srcnat.index(DMZ_OUT) < srcnat.index("admin masquerade")

    # A second run changes nothing and writes nothing.
    writes = len(seed_router.writes_logged())
    stats = seed_router.site.stats
    before = (stats.connections, stats.logins, stats.round_trips)
    again = converge(seed_router, with_netmaps(DMZ))
    assert_ok(again)
    # One connection, and one round trip after login: the read.
    logins = stats.logins - before[1]
    assert (stats.connections - before[0], logins, stats.round_trips - before[2] - logins) == (1, 1, 1)
    assert changed_tasks(again) == 0 and host_result(again, ROLE_TASK)["commands"] == []
    assert len(seed_router.writes_logged()) == writes

    # A new host for the address: --check --diff edits the rules in place, writes nothing.
    moved = dict(DMZ, host="192.168.1.9")
    check = converge(seed_router, with_netmaps(moved), check=True, diff=True)
    assert_ok(check)
    commands = host_result(check, ROLE_TASK)["commands"]
    ids = {comment: rules[comment][".id"] for comment in (DMZ_IN, DMZ_OUT, DMZ_HAIRPIN)}
    assert any(line.startswith(f"/ip firewall nat set {ids[DMZ_IN]} to-addresses=192.168.1.9 ") for line in commands)
    assert any(line.startswith(f"/ip firewall nat set {ids[DMZ_OUT]} src-address=192.168.1.9 ") for line in commands)
    assert any(
        line.startswith(f"/ip firewall nat set {ids[DMZ_HAIRPIN]} dst-address=192.168.1.9 ") for line in commands
    )
    assert not any(" add " in f" {line} " or " remove " in f" {line} " for line in commands), commands
    assert "# service dmz" in host_result(check, ROLE_TASK)["diff"]["prepared"]
    assert len(seed_router.writes_logged()) == writes

    # The analysis of a table with 1:1 NAT fails nothing; it warns that the host's address no
    # longer reaches the router's own services, which is what 1:1 NAT means.
    analyzed = converge(seed_router, with_netmaps(DMZ, hairpin_analyze=True))
    assert_ok(analyzed)
    findings = host_result(analyzed, ROLE_TASK)["analysis"]["findings"]
    assert findings and {(f["code"], f["severity"]) for f in findings} == {("captures-router-service", "warning")}
    assert all("203.0.113.5" in f["message"] for f in findings), findings

    # state absent removes it without purge; the admin's rule stays.
    assert_ok(converge(seed_router, with_netmaps({"name": "dmz", "state": "absent"}, hairpin_purge=False)))
    assert not [comment for comment in by_comment(seed_router.nat()) if ":dmz" in comment]
    assert "admin masquerade" in comments(seed_router, "srcnat")


def test_a_public_address_the_router_does_not_have_fails_before_any_write(seed_router) -> None:
    writes = len(seed_router.writes_logged())
    run = converge(seed_router, with_netmaps(dict(DMZ, public_address="203.0.113.6")))
    assert run.returncode != 0
    message = host_result(run, ROLE_TASK)["msg"]
    assert (
        "netmap 'dmz': field 'public_address': 203.0.113.6 is none of the router's addresses, so traffic to it never "
        "reaches the router; add it to the WAN first (/ip address add address=203.0.113.6/<prefix> interface=ether1)"
    ) in message, message
    assert len(seed_router.writes_logged()) == writes
    same = converge(seed_router, with_netmaps(dict(DMZ, public_address="203.0.113.1")))
    assert same.returncode != 0
    assert (
        "netmap 'dmz': field 'public_address': 203.0.113.1 is the public address of the services "
        "(hairpin_public_address)"
    ) in host_result(same, ROLE_TASK)["msg"]
    assert len(seed_router.writes_logged()) == writes

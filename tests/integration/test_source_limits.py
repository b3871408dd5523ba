"""Services published to some sources only (hairpin_services[].sources / source_address_list),
run by ansible-playbook against the simulated router of the hairpin NAT article."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from role_support import (
    ROLE_TASK,
    SEED_RSC,
    SEED_VARS,
    by_comment,
    changed_tasks,
    converge,
    host_result,
    table,
    write_seed,
)
from support import SimRouter

ADDRESS_LIST_PATH = "/ip/firewall/address-list"
NAT_PATH = "/ip/firewall/nat"
SSH = {"name": "ssh", "port": 2222, "host": "192.168.1.5", "host_port": 22, "sources": ["198.51.100.0/24"]}
# A LAN address among the sources: that LAN client is forwarded, so the service is hairpinned.
RDP = {"name": "rdp", "port": 3389, "host": "192.168.1.6", "sources": ["198.51.100.7", "192.168.1.50"]}
ADMIN = {"name": "admin", "port": 8443, "host": "192.168.1.7", "host_port": 443, "source_address_list": "office"}


# What an admin of the article's router keeps besides: an address list of their office, and a
# port forward of their own limited to one address.
ADMIN_RSC = """\
/ip firewall address-list
add list=office address=192.0.2.0/24 comment=office
/ip firewall nat
add chain=dstnat action=dst-nat protocol=tcp src-address=192.0.2.9 dst-port=2022 to-addresses=192.168.1.9 comment=admin
"""


@pytest.fixture
def seed_router(start_router, tmp_path: Path) -> SimRouter:
    """The router of the hairpin NAT article (WAN ether1 203.0.113.1/24, LAN bridge 192.168.1.0/24)."""
    return start_router(seed=write_seed(tmp_path, SEED_RSC + ADMIN_RSC))


def with_services(*services: dict[str, Any], **changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(SEED_VARS)
    values.update(hairpin_services=[dict(service) for service in services], **changes)
    return values


def owned_sources(router: SimRouter) -> list[tuple[str, str]]:
    return sorted(
        (row["list"], row["address"])
        for row in table(router, ADDRESS_LIST_PATH)
        if str(row.get("comment", "")).startswith("hairpin:address-list:hairpin-src-")
    )


def foreign(router: SimRouter) -> list[dict[str, str]]:
    rows = table(router, NAT_PATH) + table(router, ADDRESS_LIST_PATH)
    return [row for row in rows if not str(row.get("comment", "")).startswith("hairpin:")]


def assert_ok(run) -> None:
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]


def test_source_limited_services_converge_edit_in_place_and_go_with_their_service(seed_router: SimRouter) -> None:
    mine = foreign(seed_router)
    run = converge(seed_router, with_services(SSH, RDP, ADMIN))
    assert_ok(run)
    rules = by_comment(seed_router.nat())
    assert rules["hairpin:dstnat:ssh:tcp"]["src-address"] == "198.51.100.0/24"
    assert "src-address-list" not in rules["hairpin:dstnat:ssh:tcp"]
    assert rules["hairpin:dstnat:rdp:tcp"]["src-address-list"] == "hairpin-src-rdp"
    assert rules["hairpin:dstnat:admin:tcp"]["src-address-list"] == "office"
    assert owned_sources(seed_router) == [("hairpin-src-rdp", "192.168.1.50"), ("hairpin-src-rdp", "198.51.100.7")]
    # Neither ssh's sources nor the office list (read from the router) hold a LAN address: no
    # hairpin rule for them, and the notes say why.
    assert "hairpin:hairpin:ssh:tcp" not in rules and "hairpin:hairpin:admin:tcp" not in rules
    assert "hairpin:hairpin:rdp:tcp" in rules
    notes = host_result(run, ROLE_TASK)["notes"]
    for name in ("ssh", "admin"):
        assert any(
            note.startswith(f"service '{name}': its sources hold no address of the LAN subnet") for note in notes
        )
    assert not any("'rdp'" in note for note in notes)

    # A second run changes nothing and writes nothing.
    writes = len(seed_router.writes_logged())
    stats = seed_router.site.stats
    before = (stats.connections, stats.logins, stats.round_trips)
    again = converge(seed_router, with_services(SSH, RDP, ADMIN))
    assert_ok(again)
    # One connection, and one round trip after login: the read.
    logins = stats.logins - before[1]
    assert (stats.connections - before[0], logins, stats.round_trips - before[2] - logins) == (1, 1, 1)
    assert changed_tasks(again) == 0 and host_result(again, ROLE_TASK)["commands"] == []
    assert len(seed_router.writes_logged()) == writes

    # --check --diff on new sources: the forward is edited in place and the list follows;
    # nothing is written.
    rdp_id = by_comment(seed_router.nat())["hairpin:dstnat:rdp:tcp"][".id"]
    ssh_id = by_comment(seed_router.nat())["hairpin:dstnat:ssh:tcp"][".id"]
    moved = with_services(
        dict(SSH, sources=["203.0.113.0/24", "192.0.2.8"]), dict(RDP, sources=["198.51.100.8", "192.168.1.50"]), ADMIN
    )
    check = converge(seed_router, moved, check=True, diff=True)
    assert_ok(check)
    commands = host_result(check, ROLE_TASK)["commands"]
    edits = [line for line in commands if line.startswith(f"/ip firewall nat set {ssh_id} ")]
    assert edits[0].startswith(f"/ip firewall nat set {ssh_id} src-address-list=hairpin-src-ssh comment="), edits
    assert edits[1:] == [f"/ip firewall nat set {ssh_id} !src-address"]
    assert not any(line.startswith(f"/ip firewall nat set {rdp_id} ") for line in commands), commands
    assert any("add list=hairpin-src-rdp address=198.51.100.8" in line for line in commands), commands
    assert any(line.startswith("/ip firewall address-list remove") for line in commands), commands
    assert len(seed_router.writes_logged()) == writes

    # Applied without purge: the sources that left rdp's list go all the same.
    assert_ok(converge(seed_router, dict(moved, hairpin_purge=False)))
    assert by_comment(seed_router.nat())["hairpin:dstnat:ssh:tcp"][".id"] == ssh_id
    assert owned_sources(seed_router) == [
        ("hairpin-src-rdp", "192.168.1.50"),
        ("hairpin-src-rdp", "198.51.100.8"),
        ("hairpin-src-ssh", "192.0.2.8"),
        ("hairpin-src-ssh", "203.0.113.0/24"),
    ]
    assert changed_tasks(converge(seed_router, dict(moved, hairpin_purge=False))) == 0

    # An absent service takes its list with it, without purge too; with purge, a departed one.
    gone = with_services(dict(SSH, sources=["203.0.113.0/24", "192.0.2.8"]), {"name": "rdp", "state": "absent"}, ADMIN)
    assert_ok(converge(seed_router, dict(gone, hairpin_purge=False)))
    assert owned_sources(seed_router) == [("hairpin-src-ssh", "192.0.2.8"), ("hairpin-src-ssh", "203.0.113.0/24")]
    assert not [name for name in by_comment(seed_router.nat()) if ":rdp:" in name]
    assert_ok(converge(seed_router, with_services(ADMIN)))
    assert owned_sources(seed_router) == []
    assert foreign(seed_router) == mine


def test_bad_sources_fail_before_any_write_naming_host_service_and_field(seed_router: SimRouter) -> None:
    writes = len(seed_router.writes_logged())
    bad = with_services(dict(SSH, sources=["198.51.100.0/24", "example.net"], source_address_list="office"))
    run = converge(seed_router, bad)
    assert run.returncode != 0
    message = host_result(run, ROLE_TASK)["msg"]
    assert "service 'ssh': field 'sources': 'example.net' is not an IPv4 address or network" in message
    assert "service 'ssh': field 'source_address_list': cannot be combined with 'sources'" in message
    assert "host 'gw" in message
    assert len(seed_router.writes_logged()) == writes

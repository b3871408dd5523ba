"""Drift named: owned rules someone changed on the router are repaired and reported as drift,
apart from what the inventory changed, in --check --diff as a reviewer reads it in a PR.

The router is edited the way an admin would, through the API (librouteros, TLS verified
against the test CA), between playbook runs."""

from __future__ import annotations

import copy
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import librouteros
import pytest
from role_support import ROLE_TASK, SEED_VARS, by_comment, changed_tasks, converge, host_result, write_seed
from support import SimRouter

from tests.support.tables import has_fingerprint, owned, user_comment

SERVICES = [
    {"name": "web", "protocol": "tcp", "port": 80, "host": "192.168.1.2"},
    {"name": "wg", "protocol": "udp", "port": 51820, "host": "192.168.1.3"},
    {"name": "dns", "protocol": "both", "port": 53, "host": "192.168.1.4"},
    {"name": "ssh", "protocol": "tcp", "port": 2222, "host": "192.168.1.5", "host_port": 22},
]


def inventory(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(SEED_VARS)
    values["hairpin_services"] = copy.deepcopy(SERVICES)
    values.update(changes)
    return values


@pytest.fixture
def written(start_router, tmp_path: Path) -> SimRouter:
    """The hairpin article's router with the four services written by a first run."""
    router = start_router(seed=write_seed(tmp_path))
    run = converge(router, inventory())
    assert run.returncode == 0, run.stdout[-4000:]
    return router


@pytest.fixture
def api(written: SimRouter) -> Iterator[Any]:
    """An admin's API session on the router."""
    context = ssl.create_default_context(cafile=str(written.certs.ca))
    connection = librouteros.connect(
        "127.0.0.1",
        written.username,
        written.password,
        port=written.tls_port,
        ssl_wrapper=lambda sock: context.wrap_socket(sock, server_hostname="127.0.0.1"),
    )
    yield connection
    connection.close()


def nat_id(router: SimRouter, comment: str) -> str:
    return by_comment(router.nat())[comment][".id"]


def edit(api: Any, command: str, **words: str) -> None:
    tuple(api.path("ip", "firewall", "nat")(command, **words))


def check_diff(router: SimRouter, **changes: Any) -> dict[str, Any]:
    run = converge(router, inventory(**changes), check=True, diff=True)
    assert run.returncode == 0, run.stdout[-4000:]
    return host_result(run, ROLE_TASK)


def test_rules_written_carry_the_fingerprint_and_a_run_without_edits_has_no_drift(written: SimRouter) -> None:
    assert all(has_fingerprint(row) for row in owned(written.nat()))
    result = check_diff(written)
    assert result["changed"] is False and result["drift"] == []


def test_hand_edits_of_owned_rules_are_named_as_drift_in_check_diff(written: SimRouter, api: Any) -> None:
    web, wg = nat_id(written, "hairpin:dstnat:web:tcp"), nat_id(written, "hairpin:dstnat:wg:udp")
    dns_udp, ssh = nat_id(written, "hairpin:dstnat:dns:udp"), nat_id(written, "hairpin:dstnat:ssh:tcp")
    edit(api, "set", **{".id": web, "to-ports": "8080"})
    edit(api, "set", **{".id": wg, "disabled": "yes"})
    edit(api, "remove", **{".id": dns_udp})
    edit(api, "move", **{"numbers": ssh, "destination": web})
    rows, writes = written.nat(), len(written.writes_logged())

    result = check_diff(written)
    assert result["changed"] is True
    assert {(item["rule"], item["kind"]) for item in result["drift"]} == {
        ("hairpin:dstnat:web:tcp", "fields"),
        ("hairpin:dstnat:wg:udp", "fields"),
        ("hairpin:dstnat:dns:udp", "missing"),
        ("hairpin:dstnat:ssh:tcp", "position"),
    }
    by_rule = {item["rule"]: item for item in result["drift"]}
    assert by_rule["hairpin:dstnat:web:tcp"]["fields"] == [{"name": "to-ports", "router": "8080", "inventory": "80"}]
    assert by_rule["hairpin:dstnat:wg:udp"]["fields"] == [{"name": "disabled", "router": "true", "inventory": "false"}]

    # What the reviewer reads: each repair under its service, with the drift it repairs.
    diff = result["diff"]["prepared"].splitlines()
    web_at = diff.index("# service web (tcp/80 -> 192.168.1.2)")
    assert diff[web_at + 1] == (
        f"# drift: hairpin:dstnat:web:tcp ({web}) was edited on the router: to-ports 8080 on the router, "
        "80 in the inventory"
    )
    assert diff[web_at + 2 : web_at + 4] == ["# hairpin:dstnat:web:tcp", f"/ip firewall nat set {web} to-ports=80"]
    assert (
        f"# drift: hairpin:dstnat:wg:udp ({wg}) was edited on the router: disabled yes on the router, "
        "no in the inventory"
    ) in diff
    assert f"/ip firewall nat set {wg} disabled=no" in diff
    assert (
        "# drift: hairpin:dstnat:dns:udp is missing on the router, while the other rules of service dns are as written"
    ) in diff
    ssh_at = diff.index("# service ssh (tcp/2222 -> 192.168.1.5:22)")
    assert diff[ssh_at + 1].startswith(f"# drift: hairpin:dstnat:ssh:tcp ({ssh}) is not where the inventory places it")
    assert diff[ssh_at + 2].startswith("# hairpin:dstnat:ssh:tcp: to before ")
    assert diff[ssh_at + 3].startswith(f"/ip firewall nat move {ssh} destination=")
    # The notes say it too, apart from the inventory's changes.
    assert sum(1 for note in result["notes"] if note.startswith("drift: ")) == 4
    # Check mode: nothing written.
    assert len(written.writes_logged()) == writes and written.nat() == rows

    # Applied: the rules are as written again, and the next run finds nothing to repair.
    assert converge(written, inventory()).returncode == 0
    assert all(has_fingerprint(row) for row in owned(written.nat()))
    again = converge(written, inventory())
    assert changed_tasks(again) == 0
    assert host_result(again, ROLE_TASK)["drift"] == []


def test_an_inventory_change_is_not_drift(written: SimRouter) -> None:
    web = nat_id(written, "hairpin:dstnat:web:tcp")
    services = copy.deepcopy(SERVICES)
    services[0]["host_port"] = 8080
    result = check_diff(written, hairpin_services=services)
    assert result["changed"] is True and result["drift"] == []
    assert not [line for line in result["diff"]["prepared"].splitlines() if line.startswith("# drift:")]
    assert not [note for note in result.get("notes", []) if note.startswith("drift:")]
    (edit_line,) = [line for line in result["commands"] if line.startswith(f"/ip firewall nat set {web} ")]
    assert edit_line.startswith(f"/ip firewall nat set {web} to-ports=8080 comment=")


def test_rules_written_without_a_fingerprint_are_neither_drift_nor_rewritten(written: SimRouter, api: Any) -> None:
    # The router as an older version of the collection left it: markers without fingerprints.
    for row in owned(written.nat()):
        edit(api, "set", **{".id": row[".id"], "comment": user_comment(row["comment"])})
    assert not any(has_fingerprint(row) for row in owned(written.nat()))
    writes = len(written.writes_logged())
    run = converge(written, inventory())
    assert changed_tasks(run) == 0 and host_result(run, ROLE_TASK)["drift"] == []
    assert len(written.writes_logged()) == writes

"""What a run reports is what it did: changed and the commands after a write that a later step
failed, the analysis of the planned table in check mode, and a router that cannot be reached
counted as unreachable while the rest of the fleet runs."""

from __future__ import annotations

import copy
import re
import socket
from pathlib import Path
from typing import Any

from tests.integration.role_support import (
    ROLE_TASK,
    SEED_RSC,
    SEED_VARS,
    api_vars,
    by_comment,
    converge,
    host_result,
    owned,
    run_hairpin,
    write_inventory,
    write_seed,
)
from tests.support.playbook import run_playbook

WEB_DSTNAT = "hairpin:dstnat:web:tcp"


def seed_vars(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(SEED_VARS)
    values.update(changes)
    return values


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed): a router that has vanished."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_failing_analysis_after_a_write_reports_changed_and_the_commands_written(
    start_router, tmp_path: Path
) -> None:
    router = start_router(seed=write_seed(tmp_path))
    # A public address the WAN does not have: the analysis after the write fails the run.
    run = converge(router, seed_vars(hairpin_analyze=True, hairpin_public_address="198.51.100.99"))
    assert run.returncode != 0
    result = host_result(run, ROLE_TASK)
    assert result["failed"] is True
    assert result["changed"] is True
    assert len(result["commands"]) == 3 and all(" add " in line for line in result["commands"])
    # The analysis is the check before the confirm: its findings leave the revert armed.
    assert result["msg"].startswith(
        "host 'gw (127.0.0.1)': the NAT changes were written (3 commands); then: the check after the write "
        "found 2 analysis finding(s): [public-address-mismatch]"
    ), result["msg"]
    assert "the router will revert this run's changes at " in result["msg"]
    assert len(owned(router.nat())) == 3
    assert "public-address-mismatch" in {finding["code"] for finding in result["analysis"]["findings"]}


def test_without_confirm_a_failing_analysis_after_a_write_keeps_the_change_and_says_it_was_written(
    start_router, tmp_path: Path
) -> None:
    router = start_router(seed=write_seed(tmp_path))
    run = converge(
        router, seed_vars(hairpin_analyze=True, hairpin_confirm=False, hairpin_public_address="198.51.100.99")
    )
    result = host_result(run, ROLE_TASK)
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith(
        "host 'gw (127.0.0.1)': the NAT changes were written (3 commands); then: 2 finding(s): "
        "[public-address-mismatch]"
    ), result["msg"]
    assert "revert" not in result["msg"]
    assert len(owned(router.nat())) == 3


def test_a_failed_write_reports_changed_and_what_was_sent(start_router, tmp_path: Path) -> None:
    router = start_router(seed=write_seed(tmp_path))
    router.site.set_faults(["drop-after-write:2"])
    run = converge(router, SEED_VARS)
    result = host_result(run, ROLE_TASK)
    assert result["failed"] is True
    assert result["changed"] is True
    assert len(result["commands"]) == 3
    assert "some of the writes may be done and others not: run again to converge" in result["msg"]


def test_check_mode_analyses_the_planned_table_and_fails_on_its_findings(start_router, tmp_path: Path) -> None:
    router = start_router(seed=write_seed(tmp_path))
    # hairpin_filter false: left to auto, the run would add an accept before the drop.
    run = converge(router, seed_vars(hairpin_analyze=True, hairpin_filter=False), check=True)
    assert run.returncode == 0, run.stdout[-3000:]
    result = host_result(run, ROLE_TASK)
    assert result["changed"] is True
    web = next(service for service in result["analysis"]["services"] if service["name"] == "web")
    # The planned rules, not the empty table the router holds: the service and its hairpin work.
    assert web["internet"]["reachable"] is True and web["lan"]["reachable"] is True
    assert [finding["code"] for finding in result["analysis"]["findings"]] == ["captures-router-service"]
    # One read after the login (the filter came with it), nothing written.
    assert result["round_trips"] == 1
    assert router.writes_logged() == [] and owned(router.nat()) == []

    broken = converge(router, seed_vars(hairpin_analyze=True, hairpin_public_address="198.51.100.99"), check=True)
    assert broken.returncode != 0
    result = host_result(broken, ROLE_TASK)
    assert result["failed"] is True
    assert result["msg"].startswith("host 'gw (127.0.0.1)': 2 finding(s): [public-address-mismatch]"), result["msg"]
    assert "were written" not in result["msg"]
    assert router.writes_logged() == []


def test_check_mode_sees_the_filter_that_drops_the_service(start_router, tmp_path: Path) -> None:
    # A router whose admin blocks the web server in the forward chain: not a default, on purpose.
    blocked = SEED_RSC + (
        "/ip firewall filter\n"
        'add action=drop chain=forward comment="no web from outside" dst-address=192.168.1.2 dst-port=80 '
        "protocol=tcp\n"
    )
    router = start_router(seed=write_seed(tmp_path, blocked, "blocked.rsc"), name="blocked")
    # hairpin_filter false: left to auto, the run would add an accept before the drop.
    run = converge(router, seed_vars(hairpin_analyze=True, hairpin_filter=False), check=True)
    assert run.returncode != 0
    result = host_result(run, ROLE_TASK)
    assert "no web from outside" in result["msg"]
    errors = {finding["code"] for finding in result["analysis"]["findings"] if finding["severity"] == "error"}
    assert errors == {"filter-blocks"}
    assert router.writes_logged() == []


def test_an_unreachable_router_is_unreachable_in_the_recap_and_the_fleet_still_runs(
    start_router, tmp_path: Path
) -> None:
    router = start_router(seed=write_seed(tmp_path))
    gone = closed_port()
    inventory = write_inventory(
        tmp_path / "fleet.yml",
        {
            "gw": {**api_vars(router), **SEED_VARS},
            "gone": {**api_vars(router), **SEED_VARS, "hairpin_api_port": gone},
        },
    )
    run = run_hairpin(tmp_path, [inventory])
    assert run.returncode != 0
    assert run.stats["gone"]["unreachable"] == 1 and run.stats["gone"]["failures"] == 0
    assert run.stats["gw"]["changed"] == 1 and run.stats["gw"]["failures"] == 0
    assert set(by_comment(router.nat())) >= {WEB_DSTNAT}
    result = host_result(run, ROLE_TASK, host="gone")
    assert result["unreachable"] is True
    assert result["msg"] == (
        f"host 'gone (127.0.0.1)': router 127.0.0.1:{gone} refused the connection (is the API service enabled?); "
        "nothing was written"
    )


def test_the_recap_line_counts_a_closed_port_as_unreachable(start_router, tmp_path: Path) -> None:
    router = start_router(seed=write_seed(tmp_path))
    gone = closed_port()
    inventory = write_inventory(
        tmp_path / "fleet.yml",
        {
            "gone": {**api_vars(router), **SEED_VARS, "hairpin_api_port": gone},
            "gw": {**api_vars(router), **SEED_VARS},
        },
    )
    # The default callback: what a user and a CI log see.
    run = run_playbook("hairpin.routeros.hairpin", [inventory], tmp_path, callback=None, cwd=tmp_path)
    recap = {line.split()[0]: line for line in run.stdout.splitlines() if re.match(r"^\S+\s+: ok=", line)}
    assert re.search(r"\bunreachable=1\b", recap["gone"]) and re.search(r"\bfailed=0\b", recap["gone"]), recap
    assert re.search(r"\bchanged=1\b", recap["gw"]) and re.search(r"\bunreachable=0\b", recap["gw"]), recap
    assert "UNREACHABLE! => " in run.stdout
    assert len(owned(router.nat())) == 3

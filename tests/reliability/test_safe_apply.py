"""Safe apply: before its first write a run arms a revert on the router (a /system script and a
one-shot /system scheduler entry); a new connection checks the change and confirms it. The run
is cut after every one of its writes, and between its check and its confirm: each time, once
the timeout has passed on the router's clock, the NAT table, the address lists and the static
DNS entries are back exactly as they were (every field, in order; foreign items keep their
.id), nothing of the revert is left, and the next run converges. A confirmed run's change stays
past the timeout; a revert still armed makes the next run refuse to write."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from guarantee_figures import Figures
from reliability_support import (
    BROWNFIELD_ROUTER,
    CONFIG_AFTER,
    CONFIG_BEFORE,
    Fleet,
    duplicates,
    foreign,
    fresh_router,
    host_results,
    nat_task,
    router_copy,
    table,
)

from routeros_sim.certs import CertPaths
from routeros_sim.clock import ManualClock
from routeros_sim.router import Router

CONFIRM_TIMEOUT = 120
# Just before midnight: the revert is due on the next day, as the router's clock counts it.
START = datetime(2026, 12, 7, 23, 59, 0)
REVERT_AT = START + timedelta(seconds=CONFIRM_TIMEOUT)
SCRIPT, SCHEDULER, NAT = "/system/script", "/system/scheduler", "/ip/firewall/nat"
ADDRESS_LIST, DNS_STATIC = "/ip/firewall/address-list", "/ip/dns/static"
# Values the router sets itself when an item is (re)created: never configuration.
_MADE_BY_ROUTER = (".id", "creation-time")

# The brownfield converge of the fault tests, with owned address-list and DNS entries on top, so
# every menu the revert restores is changed: entries added, changed and removed.
BEFORE: dict[str, Any] = {
    **CONFIG_BEFORE,
    "address_lists": [{"list": "hairpin-test", "address": "192.0.2.10"}],
    "dns_static": [{"name": "web.example.net", "address": "192.168.88.2"}],
    "confirm": False,
}
AFTER: dict[str, Any] = {
    **CONFIG_AFTER,
    "address_lists": [{"list": "hairpin-test", "address": "192.0.2.20"}],
    "dns_static": [
        {"name": "web.example.net", "address": "192.168.88.9"},
        {"name": "mail.example.net", "address": "192.168.88.5"},
    ],
    "confirm_timeout": CONFIRM_TIMEOUT,
}


def rows(router: Router, path: str) -> list[dict[str, str]]:
    return [attributes for kind, attributes in router.execute(f"{path}/print", []) if kind == "!re"]


def snapshot(router: Router) -> dict[str, list[dict[str, str]]]:
    """What the revert must put back: every menu it touches, rows in order, every field but the
    ones the router sets when it creates an item."""
    found = {"nat": [{k: v for k, v in row.items() if k != ".id"} for row in table(router)]}
    for path in (ADDRESS_LIST, DNS_STATIC):
        found[path] = [{k: v for k, v in row.items() if k not in _MADE_BY_ROUTER} for row in rows(router, path)]
    return found


def foreign_items(router: Router) -> dict[str, list[dict[str, str]]]:
    """Items without the ownership marker, .id included: the revert names them only as anchors."""
    found = {"nat": foreign(table(router))}
    for path in (ADDRESS_LIST, DNS_STATIC):
        found[path] = [row for row in rows(router, path) if not row.get("comment", "").startswith("hairpin:")]
    return found


def armed(router: Router) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    return rows(router, SCRIPT), rows(router, SCHEDULER)


def on_clock(router: Router) -> ManualClock:
    clock = ManualClock(START)
    router.clock = clock
    router.booted = clock()
    return clock


@dataclass
class Converge:
    before: Router  # the brownfield router after BEFORE
    wanted: dict[str, list[dict[str, str]]]  # the snapshot after a confirmed run of AFTER
    writes: int  # writes a confirmed run of AFTER sends: arm (2), the changes, confirm (2)
    changes: int  # the change's own writes


@pytest.fixture(scope="module")
def converge(certs: CertPaths, tmp_path_factory: pytest.TempPathFactory) -> Converge:
    tmp = tmp_path_factory.mktemp("safe")
    fleet = Fleet.start({"router": fresh_router(BROWNFIELD_ROUTER)}, certs, tmp / "before")
    try:
        run = fleet.run([nat_task("before", BEFORE)])
        assert run.returncode == 0, run.stdout + run.stderr
        before = router_copy(fleet["router"].router)
    finally:
        fleet.stop()
    reference = router_copy(before)
    on_clock(reference)
    fleet = Fleet.start({"reference": reference}, certs, tmp / "after")
    try:
        run = fleet.run([nat_task("after", AFTER)])
        assert run.returncode == 0, run.stdout + run.stderr
        result = host_results(run, "after")["reference"]
        site = fleet["reference"].site
        assert site is not None
        # The commands' own lines, not the comment lines that name the rule each touches.
        writes = [line for line in result["commands"] if not line.startswith("#")]
        return Converge(before, snapshot(reference), site.write_seq, len(writes))
    finally:
        fleet.stop()


def _points(converge: Converge) -> dict[str, tuple[str, str]]:
    """Host -> (fault, where): after each write of the arm and of the change, and the check's
    confirm cut off (the change was written and read back, the confirm never arrives)."""
    last_change = 2 + converge.changes
    points = {}
    for n in range(1, last_change + 1):
        step = "arm" if n <= 2 else "change"
        points[f"after-write-{n}"] = (f"drop-after-write:{n}", f"connection dropped after write {n} ({step})")
    points["before-confirm"] = (
        f"drop-before-write:{last_change + 1}",
        "the change written and checked; the confirm's connection dropped",
    )
    return points


def test_a_run_cut_anywhere_is_undone_by_the_router_exactly_and_the_next_run_converges(
    converge: Converge, certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    assert converge.writes == 2 + converge.changes + 2
    points = _points(converge)
    routers = {name: router_copy(converge.before) for name in points}
    clocks = {name: on_clock(router) for name, router in routers.items()}
    fleet = Fleet.start(routers, certs, tmp_path)
    fleets.append(fleet)
    for name, (fault, _where) in points.items():
        site = fleet[name].site
        assert site is not None
        site.set_faults([fault])
    expected = snapshot(converge.before)
    foreign_before = foreign_items(converge.before)

    run = fleet.run([nat_task("cut", AFTER, ignore_errors=True)], forks=len(points))
    cut = host_results(run, "cut")
    problems: list[str] = []
    undone = {}
    for name, (fault, where) in points.items():
        router = routers[name]
        record = figures.record("safe_apply", fault=fault, where=where, fired=False, survived=False)
        message = str(cut.get(name, {}).get("msg", ""))
        fired = fleet.faults_fired(name) == [fault]
        record["fired"] = fired
        clocks[name].advance(CONFIRM_TIMEOUT - 1)
        router.run_due()
        still_armed = len(armed(router)[1]) == 1
        clocks[name].advance(1)
        router.run_due()
        undone[name] = snapshot(router) == expected
        checks = {
            "the fault fired once": fired,
            "the run failed": cut.get(name, {}).get("failed") is True,
            "its message names the revert time": f"revert this run's changes at {REVERT_AT:%H:%M:%S} router time"
            in message,
            "armed until the timeout": still_armed,
            "the table, lists and DNS are back exactly": undone[name],
            "foreign items untouched, .id included": foreign_items(router) == foreign_before,
            "no script or scheduler entry left": armed(router) == ([], []),
        }
        failed = [check for check, ok in checks.items() if not ok]
        record["survived"] = not failed
        if failed:
            problems.append(f"{name} ({where}): {', '.join(failed)}; message: {message!r}")
    assert not problems, "\n".join(problems) + "\n" + run.stderr[-2000:]

    again = fleet.run([nat_task("again", AFTER), nat_task("nothing left", AFTER, check_mode=True)])
    for name in points:
        router = routers[name]
        assert host_results(again, "again")[name].get("failed") is not True, host_results(again, "again")[name]
        assert host_results(again, "nothing left")[name]["changed"] is False
        assert duplicates(table(router)) == []
        assert snapshot(router) == converge.wanted
        assert armed(router) == ([], [])


def test_a_confirmed_run_leaves_nothing_armed_and_its_change_outlives_the_timeout(
    converge: Converge, certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    router = router_copy(converge.before)
    clock = on_clock(router)
    fleet = Fleet.start({"router": router}, certs, tmp_path)
    fleets.append(fleet)
    run = fleet.run([nat_task("apply", AFTER)], diff=True)
    assert run.returncode == 0, run.stdout + run.stderr
    result = host_results(run, "apply")["router"]
    assert result["changed"] is True
    assert armed(router) == ([], [])
    # Read; arm and write; check (on a new connection); confirm.
    assert result["round_trips"] <= 4
    # The revert that was armed is shown: with --diff after the commands, and in the result.
    script = result["revert"]["script"]
    assert result["revert"]["at"] == f"{REVERT_AT:%Y-%m-%d %H:%M:%S}"
    assert '/ip firewall nat\nremove [ find where comment~"^hairpin:" and dynamic=no ]\n' in script
    assert script in result["diff"]["prepared"]
    clock.advance(10 * CONFIRM_TIMEOUT)
    assert router.run_due() == 0
    assert snapshot(router) == converge.wanted
    figures.record(
        "safe_apply",
        fault="none",
        where="a confirmed change",
        fired=True,
        survived=True,
        writes=True,
        round_trips=result["round_trips"],
    )


def test_no_op_and_check_mode_runs_arm_nothing(
    converge: Converge, certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    router = router_copy(converge.before)
    on_clock(router)
    fleet = Fleet.start({"router": router}, certs, tmp_path)
    fleets.append(fleet)
    site = fleet["router"].site
    assert site is not None
    run = fleet.run([nat_task("check", AFTER, check_mode=True), nat_task("same", {**BEFORE, "confirm": True})])
    assert run.returncode == 0, run.stdout + run.stderr
    assert host_results(run, "check")["router"]["changed"] is True
    same = host_results(run, "same")["router"]
    assert same["changed"] is False
    assert site.write_seq == 0
    assert armed(router) == ([], [])
    assert same["round_trips"] == 1
    figures.record(
        "safe_apply", fault="none", where="a run with nothing to write", fired=True, survived=True, round_trips=1
    )


def cut_before_confirm(converge: Converge, certs: CertPaths, tmp_path: Path, fleets: list) -> tuple:
    """A router the change was written to, whose run lost its connection before the confirm:
    (router, its clock, fleet, site), the revert armed."""
    router = router_copy(converge.before)
    clock = on_clock(router)
    fleet = Fleet.start({"router": router}, certs, tmp_path)
    fleets.append(fleet)
    site = fleet["router"].site
    assert site is not None
    site.set_faults([f"drop-before-write:{2 + converge.changes + 1}"])  # the confirm never arrives
    run = fleet.run([nat_task("cut", AFTER, ignore_errors=True)])
    assert host_results(run, "cut")["router"]["failed"] is True
    return router, clock, fleet, site


def test_a_revert_still_armed_makes_the_next_run_refuse_to_write(
    converge: Converge, certs: CertPaths, tmp_path: Path, fleets: list
) -> None:
    router, clock, fleet, site = cut_before_confirm(converge, certs, tmp_path, fleets)
    (scheduler,) = armed(router)[1]
    written = site.write_seq

    clock.advance(60)
    # The table is as the cut run wanted: a run to it has nothing to write, and warns.
    run = fleet.run([nat_task("same", AFTER), nat_task("refused", {**BEFORE, "confirm": True}, ignore_errors=True)])
    warnings = host_results(run, "same")["router"]["warnings"]
    assert any(f"scheduler {scheduler['name']}" in warning for warning in warnings), warnings
    message = host_results(run, "refused")["router"]["msg"]
    assert f"scheduler {scheduler['name']} (runs at {REVERT_AT:%Y-%m-%d %H:%M:%S} router time)" in message
    assert "nothing was written" in message
    assert site.write_seq == written

    clock.advance(60)
    run = fleet.run([nat_task("after the revert", AFTER)])
    assert run.returncode == 0, run.stdout + run.stderr
    assert host_results(run, "after the revert")["router"]["changed"] is True
    assert snapshot(router) == converge.wanted
    assert armed(router) == ([], [])


def test_the_revert_script_names_foreign_rules_only_as_anchors(
    converge: Converge, certs: CertPaths, tmp_path: Path, fleets: list
) -> None:
    router = router_copy(converge.before)
    on_clock(router)
    fleet = Fleet.start({"router": router}, certs, tmp_path)
    fleets.append(fleet)
    run = fleet.run([nat_task("apply", AFTER)])
    script = host_results(run, "apply")["router"]["revert"]["script"]
    foreign_ids = {row[".id"] for row in foreign(table(converge.before))}
    named = set(re.findall(r"\*[0-9A-F]+", script))
    assert named and named <= foreign_ids
    assert all(f"place-before={identifier}" in script for identifier in named)


def test_a_revert_that_stops_part_way_is_logged_and_the_next_run_says_so(
    converge: Converge, certs: CertPaths, tmp_path: Path, fleets: list
) -> None:
    router, clock, fleet, _site = cut_before_confirm(converge, certs, tmp_path, fleets)
    (script,) = armed(router)[0]
    # An admin removes a foreign rule the revert places an owned rule before.
    anchor = re.search(r"place-before=(\*[0-9A-F]+)", script["source"])
    assert anchor is not None
    router.execute(f"{NAT}/remove", [f"=.id={anchor.group(1)}"])
    clock.advance(CONFIRM_TIMEOUT)
    assert router.run_due() == 1
    log = [(row["topics"], row["message"]) for row in rows(router, "/log")]
    assert ("script,error", f"executing script {script['name']} from scheduler failed, please check it manually") in log
    scripts, schedulers = armed(router)
    assert [row["name"] for row in scripts] == [script["name"]]  # it stopped before removing itself
    assert schedulers == []

    run = fleet.run([nat_task("again", AFTER)])
    again = host_results(run, "again")["router"]
    assert again["changed"] is True
    assert any(f"the revert {script['name']} of an earlier run ran" in warning for warning in again["warnings"])
    assert duplicates(table(router)) == []

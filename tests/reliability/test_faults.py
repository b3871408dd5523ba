"""Faults: a converge that adds, changes, moves and removes rules is cut at every write, trapped
and stalled half-way; every time, running it again converges to the wanted table with no
duplicate and every foreign rule unchanged and in place. In a fleet, a router that stalls or has
vanished fails alone, with a message naming it, and the others converge."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from guarantee_figures import Figures
from reliability_support import (
    BROWNFIELD_ROUTER,
    CONFIG_AFTER,
    CONFIG_BEFORE,
    SEED_CONFIG,
    STOCK_ROUTER,
    Fleet,
    closed_port,
    duplicates,
    foreign,
    fresh_router,
    host_results,
    nat_task,
    owned,
    router_copy,
    table,
    without_owned_ids,
)

from routeros_sim.certs import CertPaths
from routeros_sim.router import Router

TIMEOUT = 3  # seconds: the module's timeout option in these runs (a stalled router costs this)


@dataclass
class Converge:
    """The converge under test: the router before it, and what a fault-free run does."""

    before: Router  # the brownfield router with CONFIG_BEFORE applied
    wanted: list[dict[str, str]]  # the table after a fault-free converge to CONFIG_AFTER
    writes: list[str]  # the CLI lines of that converge's writes, in order
    reads: int  # commands the converge sends before its first write


@pytest.fixture(scope="module")
def converge(certs: CertPaths, tmp_path_factory: pytest.TempPathFactory) -> Converge:
    tmp = tmp_path_factory.mktemp("converge")
    fleet = Fleet.start({"router": fresh_router(BROWNFIELD_ROUTER)}, certs, tmp / "before")
    try:
        run = fleet.run([nat_task("before", CONFIG_BEFORE)])
        assert run.returncode == 0, run.stdout + run.stderr
        before = router_copy(fleet["router"].router)
    finally:
        fleet.stop()
    fleet = Fleet.start({"reference": router_copy(before), "probe": router_copy(before)}, certs, tmp / "after")
    try:
        probe_only = "{{ inventory_hostname == 'probe' }}"
        run = fleet.run([nat_task("after", CONFIG_AFTER, check_mode=probe_only)])
        assert run.returncode == 0, run.stdout + run.stderr
        results = host_results(run, "after")
        assert results["reference"]["commands"] == results["probe"]["commands"]
        # The writes, without the comment lines that name the rule each one touches.
        writes = [line for line in results["probe"]["commands"] if not line.startswith("#")]
        kinds = {line.split()[3] for line in writes}
        assert kinds == {"add", "set", "move", "remove"}, f"the converge must do every kind of write: {writes}"
        probe = fleet["probe"].site
        assert probe is not None and probe.write_seq == 0
        return Converge(before, fleet["reference"].nat(), writes, probe.command_seq)
    finally:
        fleet.stop()


def _middle(count: int) -> int:
    return (count + 1) // 2


def _fault_points(converge: Converge) -> dict[str, tuple[str, str]]:
    """Host name -> (fault, where it strikes), for every write and the half-way cases."""
    count = len(converge.writes)

    def what(n: int) -> str:
        return f"write {n} of {count} ({converge.writes[n - 1].split()[3]})"

    points = {
        f"after-write-{n}": (f"drop-after-write:{n}", f"connection dropped after {what(n)}")
        for n in range(1, count + 1)
    }
    for n in sorted({1, _middle(count), count}):
        points[f"before-write-{n}"] = (f"drop-before-write:{n}", f"connection dropped before {what(n)}")
    half = _middle(count)
    points["trap-half-way"] = (f"trap-on-command:{converge.reads + half}", f"{what(half)} answered with !trap")
    points["stall-half-way"] = (f"stall-on-command:{converge.reads + half}", f"router stalls on {what(half)}")
    return points


FAILURE_WORDS = {
    "drop-after-write": ("dropped the connection", "run again to converge"),
    "drop-before-write": ("dropped the connection", "run again to converge"),
    "trap-on-command": ("failed: simulated failure", "run again to converge"),
    "stall-on-command": (f"did not answer within {TIMEOUT}s", "run again to converge"),
}


def test_a_converge_cut_at_any_point_converges_on_the_next_run(
    converge: Converge, certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    points = _fault_points(converge)
    fleet = Fleet.start({name: router_copy(converge.before) for name in points}, certs, tmp_path)
    fleets.append(fleet)
    for name, (fault, _where) in points.items():
        site = fleet[name].site
        assert site is not None
        site.set_faults([fault])
    records = {
        name: figures.record("faults", fault=fault, where=where, fired=False, survived=False)
        for name, (fault, where) in points.items()
    }
    foreign_before = foreign(table(converge.before))

    # Without a revert, the next run converges from wherever the cut left the table; with one
    # (the default), the router first puts the table back (test_safe_apply.py).
    unprotected = {**CONFIG_AFTER, "confirm": False}
    tasks = [
        nat_task("interrupted", unprotected, ignore_errors=True),
        nat_task("again", unprotected),
        nat_task("nothing left", unprotected, check_mode=True),
    ]
    run = fleet.run(tasks, connection=fleet.connection(timeout=TIMEOUT), forks=len(points))
    interrupted = host_results(run, "interrupted")
    again = host_results(run, "again")
    left = host_results(run, "nothing left")

    problems: list[str] = []
    for name, (fault, where) in points.items():
        host = fleet[name]
        fired = fleet.faults_fired(name)
        records[name]["fired"] = fired == [fault]
        first = interrupted.get(name, {})
        message = str(first.get("msg", ""))
        rows = host.nat()
        checks = {
            "the fault fired once": fired == [fault],
            "the interrupted run failed": first.get("failed") is True,
            "its message names the router": f"127.0.0.1:{host.vars['router_port']}" in message,
            "its message says what happened": all(word in message for word in FAILURE_WORDS[fault.split(":")[0]]),
            "the next run succeeded": again.get(name, {}).get("failed") is not True,
            "a third run finds nothing to do": left.get(name, {}).get("changed") is False,
            "no duplicate": duplicates(rows) == [],
            "the wanted table": without_owned_ids(rows) == without_owned_ids(converge.wanted),
            "foreign rules unchanged, in order": foreign(rows) == foreign_before,
        }
        failed = [check for check, ok in checks.items() if not ok]
        records[name]["survived"] = not failed
        if failed:
            problems.append(f"{name} ({where}): {', '.join(failed)}; message: {message!r}")
    assert not problems, "\n".join(problems) + "\n" + run.stderr[-2000:]


# --------------------------------------------------------------------------------------------
# A fleet in which one router stalls and one has vanished


def test_a_stalled_and_a_vanished_router_fail_alone_and_the_fleet_converges(
    certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    healthy = ["edge-1", "edge-3"]
    routers = {name: fresh_router(STOCK_ROUTER) for name in ["edge-1", "edge-2-stalls", "edge-3"]}
    fleet = Fleet.start(routers, certs, tmp_path)
    fleets.append(fleet)
    stalled = fleet["edge-2-stalls"].site
    assert stalled is not None
    stalled.set_faults(["stall-on-command:1"])  # the very first read is never answered
    gone_port = closed_port()
    fleet.add_host("edge-4-vanished", router_port=gone_port)

    started = time.monotonic()
    run = fleet.run([nat_task("converge", SEED_CONFIG)], connection=fleet.connection(timeout=TIMEOUT))
    elapsed = time.monotonic() - started
    results = host_results(run, "converge")

    assert run.returncode != 0
    for name in healthy:
        assert results[name].get("changed") is True, results[name]
        assert len(owned(fleet[name].nat())) == 3
    stalled_msg = results["edge-2-stalls"]["msg"]
    assert f"127.0.0.1:{stalled.tls_port} did not answer within {TIMEOUT}s" in stalled_msg
    assert "nothing was written" in stalled_msg
    gone_msg = results["edge-4-vanished"]["msg"]
    assert f"127.0.0.1:{gone_port} refused the connection" in gone_msg
    assert "nothing was written" in gone_msg
    failures = {name: stats["failures"] + stats["unreachable"] for name, stats in run.stats.items()}
    assert failures == {"edge-1": 0, "edge-2-stalls": 1, "edge-3": 0, "edge-4-vanished": 1}
    assert owned(fleet["edge-2-stalls"].nat()) == [], "a stalled read must leave the router untouched"
    # Bounded: the stall costs the timeout once, not a hang.
    assert elapsed < TIMEOUT + 60

    # The stall was a passing problem: the next run converges it and leaves the others alone.
    rerun = fleet.run([nat_task("converge", SEED_CONFIG)], connection=fleet.connection(timeout=TIMEOUT))
    again = host_results(rerun, "converge")
    assert again["edge-2-stalls"].get("changed") is True, again["edge-2-stalls"]
    assert all(again[name].get("changed") is False for name in healthy)
    # A closed port is no session at all: Ansible counts the host as unreachable, not failed.
    assert again["edge-4-vanished"].get("unreachable") is True
    assert (run.stats["edge-4-vanished"]["unreachable"], run.stats["edge-4-vanished"]["failures"]) == (1, 0)

    outcomes = {
        "edge-1": ("healthy", "converged"),
        "edge-3": ("healthy", "converged"),
        "edge-2-stalls": (f"stalls past the {TIMEOUT}s timeout", "failed alone, naming its router"),
        "edge-4-vanished": ("vanished (port closed)", "unreachable alone, naming its router"),
    }
    for name, (role, outcome) in outcomes.items():
        figures.record("fleet", host=name, role=role, outcome=outcome, ok=True)

"""Two runs against one router at once end with one copy of each rule and the wanted table.

The race that could duplicate a rule: both runs read the table, both find the rule missing,
both add it (and one run's moves can land between the other's adds). A proxy (gate_proxy.py)
makes that happen every time: it holds each run's write batch until both runs have read.
What saves the table (plugins/module_utils/runner.py, write_batch): a run that adds reads the
table's order back in the same round trip as its writes; when it is not as planned, the run
reads the whole table, removes every copy of an owned rule but the one with the lowest .id (ids
only grow, so both runs keep the same copy), plans again, and sends what is still to do, with
another read, until nothing is (at most three passes). The run that finishes last reads a table
nobody else is changing. A remove that finds its rule already removed by the other run counts as
done, so neither run fails because of the other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ansible_collections.hairpin.routeros.plugins.module_utils.model import parse_marker
from ansible_collections.hairpin.routeros.plugins.module_utils.writes import later_copies
from gate_proxy import GateProxy
from guarantee_figures import Figures
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_support import (
    BROWNFIELD_ROUTER,
    CONFIG_AFTER,
    CONFIG_BEFORE,
    SEED_CONFIG,
    STOCK_ROUTER,
    Fleet,
    duplicates,
    foreign,
    fresh_router,
    host_results,
    nat_task,
    owned,
    start_ansible,
    without_owned_ids,
)

from routeros_sim.certs import CertPaths

RACE_TIMEOUT = 60  # seconds the proxy waits for both runs to have read


def _race(fleet: Fleet, config: dict[str, Any], tmp: Path) -> tuple[GateProxy, list[Any]]:
    """Run `config` twice at once against router "shared", both through the gate."""
    shared = fleet["shared"].site
    assert shared is not None and shared.port is not None
    with GateProxy(shared.port, clients=2, timeout=RACE_TIMEOUT) as gate:
        # Plain API through the proxy: TLS would add handshake bursts the gate cannot see through.
        connection = fleet.connection(port=gate.port, tls=False)
        # Without a revert: one run's revert would undo the other's changes too (with confirm on,
        # a run refuses to write while another's revert is armed; test_safe_apply covers that).
        play = fleet.play([nat_task("converge", {**config, "confirm": False})], connection=connection)
        inventory = fleet.inventory(["shared"])
        running = [start_ansible(play, inventory, tmp / f"run-{n}", name=f"run-{n}") for n in (1, 2)]
        runs = [process.finish(timeout=RACE_TIMEOUT + 60) for process in running]
    return gate, runs


def _adds_sent(fleet: Fleet) -> int:
    return sum(1 for entry in fleet.writes("shared") if entry["words"][0] == "/ip/firewall/nat/add")


def _check_race(
    fleet: Fleet,
    gate: GateProxy,
    runs: list[Any],
    wanted: list[dict[str, str]],
    foreign_before: list[dict[str, str]],
    adds_per_run: int,
    figures: Figures,
    scenario: str,
    adds_before: int = 0,
) -> None:
    record = figures.record("concurrency", scenario=scenario, runs=len(runs), ok=False)
    results = [host_results(run, "converge")["shared"] for run in runs]
    rows = fleet["shared"].nat()
    # "... (removed the later copies *5, *6, *7)": the copies the runs' corrections took out (both
    # runs may remove the same copy when both read after both wrote; it is gone once).
    notes = [warning for result in results for warning in result.get("warnings", []) if "later copies" in warning]
    copies = len({copy for note in notes for copy in re.findall(r"\*[0-9A-F]+", note.split("later copies", 1)[1])})
    record.update(
        both_read_before_either_wrote=gate.gate_held,
        adds_sent=_adds_sent(fleet) - adds_before,
        rules_added=adds_per_run,
        copies_removed=copies,
        duplicates_left=len(duplicates(rows)),
    )
    assert gate.gate_held, "the two runs did not both read before writing: the race was not tried"
    for run, result in zip(runs, results):
        assert run.returncode == 0, f"{result.get('msg')}\n{run.stderr[-2000:]}"
        assert result.get("changed") is True
        assert any("clear text" in warning for warning in result.get("warnings", []))
    # Both runs added every rule (the race happened), and the guarantee took the copies out.
    assert record["adds_sent"] == 2 * adds_per_run
    assert copies == adds_per_run
    assert duplicates(rows) == []
    assert without_owned_ids(rows) == without_owned_ids(wanted)
    assert foreign(rows) == foreign_before
    record["ok"] = True


def test_two_runs_at_once_on_a_fresh_router_add_each_rule_once(
    certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    fleet = Fleet.start(
        {"shared": fresh_router(STOCK_ROUTER), "reference": fresh_router(STOCK_ROUTER)}, certs, tmp_path
    )
    fleets.append(fleet)
    foreign_before = foreign(fleet["shared"].nat())
    reference = fleet.run([nat_task("converge", SEED_CONFIG)], names=["reference"])
    assert reference.returncode == 0, reference.stdout + reference.stderr
    wanted = fleet["reference"].nat()

    gate, runs = _race(fleet, SEED_CONFIG, tmp_path)
    _check_race(fleet, gate, runs, wanted, foreign_before, len(owned(wanted)), figures, "two first converges at once")

    again = fleet.run([nat_task("converge", SEED_CONFIG)], names=["shared"])
    assert host_results(again, "converge")["shared"]["changed"] is False


def test_two_runs_at_once_that_add_change_move_and_remove_agree(
    certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    routers = {"shared": fresh_router(BROWNFIELD_ROUTER), "reference": fresh_router(BROWNFIELD_ROUTER)}
    fleet = Fleet.start(routers, certs, tmp_path)
    fleets.append(fleet)
    foreign_before = foreign(fleet["shared"].nat())
    setup = fleet.run(
        [
            nat_task("before", CONFIG_BEFORE),
            nat_task("after", CONFIG_AFTER, when="inventory_hostname == 'reference'"),
        ]
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    # The commands without the comment lines that name the rule each one touches.
    planned = [line for line in host_results(setup, "after")["reference"]["commands"] if not line.startswith("#")]
    wanted = fleet["reference"].nat()
    adds = sum(1 for line in planned if line.split()[3] == "add")
    assert {line.split()[3] for line in planned} == {"add", "set", "move", "remove"}
    sent_before = _adds_sent(fleet)

    gate, runs = _race(fleet, CONFIG_AFTER, tmp_path)
    _check_race(fleet, gate, runs, wanted, foreign_before, adds, figures, "two changing converges at once", sent_before)


# --------------------------------------------------------------------------------------------
# The rule the runs share, on its own: whatever copies each run sees, no copy is left twice and
# the oldest copy is never removed.


@settings(deadline=None)
@given(
    ids=st.lists(st.integers(min_value=1, max_value=0xFFFF), min_size=1, max_size=6, unique=True),
    seen_by=st.lists(st.lists(st.booleans(), min_size=6, max_size=6), min_size=1, max_size=3),
)
def test_runs_that_see_any_subset_of_the_copies_keep_the_oldest(ids: list[int], seen_by: list[list[bool]]) -> None:
    comment = "hairpin:dstnat:web:tcp"
    rows = [{".id": f"*{number:X}", "comment": comment} for number in ids]
    key = parse_marker(comment)
    removed: set[str] = set()
    # Runs that read while copies were still being added see some of those left.
    for view in seen_by:
        visible = [row for row, seen in zip(rows, view) if seen and row[".id"] not in removed]
        removed |= set(later_copies(visible, frozenset([key])))
    oldest = f"*{min(ids):X}"
    assert oldest not in removed
    # The run that reads last, after every add, sees every copy still there.
    removed |= set(later_copies([row for row in rows if row[".id"] not in removed], frozenset([key])))
    assert [row[".id"] for row in rows if row[".id"] not in removed] == [oldest]

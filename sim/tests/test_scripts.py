"""/system script, /system scheduler, /system clock and /log: scripts run through the .rsc
engine, the scheduler runs them on the router's clock, failures land in the log."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from librouteros.exceptions import TrapError
from router_support import NAT, add, ok, run
from router_support import rows as printed

from routeros_sim import rsc
from routeros_sim.clock import ManualClock, ScaledClock
from routeros_sim.router import Router

if TYPE_CHECKING:
    from conftest import RunningSim

START = datetime(2026, 12, 7, 23, 58, 30)
SCRIPT, SCHEDULER = "/system/script", "/system/scheduler"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def router(clock: ManualClock) -> Router:
    router = Router.empty()
    router.clock = clock
    router.booted = clock()
    return router


def traps(replies: list[tuple[str, dict[str, str]]]) -> list[str]:
    return [attributes["message"] for word, attributes in replies if word == "!trap"]


def masquerade(router: Router, comment: str) -> str:
    return add(router, NAT, "=chain=srcnat", "=action=masquerade", "=out-interface=ether1", f"=comment={comment}")


def comments(router: Router) -> list[str]:
    return [row.get("comment", "") for row in printed(router, NAT)]


def test_the_clock_prints_the_routers_time_and_date_in_the_versions_form(clock: ManualClock) -> None:
    seven = Router.empty()
    seven.clock = clock
    six = Router.empty("6.49.18")
    six.clock = clock
    assert printed(seven, "/system/clock")[0]["time"] == "23:58:30"
    assert printed(seven, "/system/clock")[0]["date"] == "2026-12-07"
    assert printed(six, "/system/clock")[0]["date"] == "dec/07/2026"
    clock.advance(90)
    assert (printed(seven, "/system/clock")[0]["date"], printed(seven, "/system/clock")[0]["time"]) == (
        "2026-12-08",
        "00:00:00",
    )


def test_a_script_runs_its_source_like_an_import_and_counts_its_runs(router: Router) -> None:
    masquerade(router, "old")
    source = '/ip firewall nat\nremove [ find where comment="old" ]\nadd chain=srcnat action=masquerade comment=new'
    add(router, SCRIPT, "=name=swap", f"=source={source}")
    ok(router, f"{SCRIPT}/run", "=number=swap")
    assert comments(router) == ["new"]
    script = printed(router, SCRIPT)[0]
    assert script["run-count"] == "1"
    assert script["last-started"] == "2026-12-07 23:58:30"


def test_a_failing_script_stops_at_the_refused_line_and_keeps_what_came_before(router: Router) -> None:
    masquerade(router, "a")
    source = '/ip firewall nat remove [ find comment="a" ]\n/ip firewall nat remove *99\n/ip firewall nat add chain=x'
    add(router, SCRIPT, "=name=broken", f"=source={source}")
    assert traps(run(router, f"{SCRIPT}/run", "=number=broken")) == ["no such item (line 2)"]
    assert comments(router) == []


def test_a_one_shot_entry_runs_once_at_its_start_even_past_midnight(router: Router, clock: ManualClock) -> None:
    masquerade(router, "x")
    add(router, SCRIPT, "=name=undo", '=source=/ip firewall nat remove [ find comment="x" ]')
    add(router, SCHEDULER, "=name=later", "=start-date=2026-12-08", "=start-time=00:00:30", "=on-event=undo")
    assert printed(router, SCHEDULER)[0]["next-run"] == "2026-12-08 00:00:30"
    clock.advance(119)
    assert router.run_due() == 0
    assert comments(router) == ["x"]
    clock.advance(1)
    assert router.run_due() == 1
    assert comments(router) == []
    entry = printed(router, SCHEDULER)[0]
    assert entry["run-count"] == "1"
    assert "next-run" not in entry
    clock.advance(3600)
    assert router.run_due() == 0


def test_any_command_first_runs_what_is_due(router: Router, clock: ManualClock) -> None:
    masquerade(router, "x")
    undo = '=on-event=/ip firewall nat remove [ find comment="x" ]'
    add(router, SCHEDULER, "=name=s", "=start-date=2026-12-07", "=start-time=23:59:00", undo)
    clock.advance(30)
    assert comments(router) == []


def test_an_interval_entry_runs_once_per_interval_and_once_for_missed_ones(router: Router, clock: ManualClock) -> None:
    add(router, SCRIPT, "=name=tick", "=source=:log info tick")
    add(router, SCHEDULER, "=name=every", "=start-date=2026-12-07", "=start-time=23:00:00", "=interval=1m")
    ok(router, f"{SCHEDULER}/set", "=numbers=every", "=on-event=tick")
    assert printed(router, SCHEDULER)[0]["next-run"] == "2026-12-07 23:59:00"
    clock.advance(30)
    assert router.run_due() == 1
    clock.advance(600)
    assert router.run_due() == 1  # missed runs are not made up
    assert printed(router, SCRIPT)[0]["run-count"] == "2"
    assert printed(router, SCHEDULER)[0]["next-run"] == "2026-12-08 00:10:00"


def test_a_one_shot_without_a_start_date_starts_in_1970_and_never_runs(router: Router, clock: ManualClock) -> None:
    masquerade(router, "x")
    add(router, SCHEDULER, "=name=s", "=start-time=23:59:00", '=on-event=/ip firewall nat remove [ find comment="x" ]')
    assert printed(router, SCHEDULER)[0]["start-date"] == "1970-01-01"
    clock.advance(3600)
    assert router.run_due() == 0


def test_disabled_entries_and_past_one_shots_do_not_run(router: Router, clock: ManualClock) -> None:
    masquerade(router, "x")
    undo = '=on-event=/ip firewall nat remove [ find comment="x" ]'
    add(router, SCHEDULER, "=name=off", "=start-date=2026-12-07", "=start-time=23:59:00", "=disabled=yes", undo)
    add(router, SCHEDULER, "=name=past", "=start-date=2026-12-07", "=start-time=12:00:00", undo)
    clock.advance(3600)
    assert router.run_due() == 0
    assert comments(router) == ["x"]


def test_a_scheduled_script_that_removes_itself_and_its_entry_leaves_nothing(
    router: Router, clock: ManualClock
) -> None:
    masquerade(router, "x")
    source = (
        '/ip firewall nat remove [ find comment="x" ]\n'
        '/system scheduler remove [ find name="rev" ]\n'
        '/system script remove [ find name="rev" ]'
    )
    add(router, SCRIPT, "=name=rev", f"=source={source}", "=comment=hairpin:revert")
    run_it = "=on-event=/system script run rev"
    add(router, SCHEDULER, "=name=rev", "=start-date=2026-12-07", "=start-time=23:59:30", run_it)
    clock.advance(60)
    assert router.run_due() == 1
    assert (comments(router), printed(router, SCRIPT), printed(router, SCHEDULER)) == ([], [], [])


def test_a_failing_scheduled_script_is_logged_as_routeros_logs_it(router: Router, clock: ManualClock) -> None:
    add(router, SCRIPT, "=name=bad", "=source=/ip firewall nat remove *99")
    add(router, SCHEDULER, "=name=nightly", "=start-date=2026-12-07", "=start-time=23:59:00", "=on-event=bad")
    clock.advance(60)
    router.run_due()
    assert [(row["topics"], row["message"]) for row in printed(router, "/log")] == [
        ("script,error", "executing script bad from scheduler failed, please check it manually"),
        ("script,error", "(scheduler:nightly) no such item (line 1)"),
    ]
    assert printed(router, "/log")[0]["time"] == "2026-12-07 23:59:30"


def test_bad_start_dates_and_times_are_refused(router: Router) -> None:
    assert traps(run(router, f"{SCHEDULER}/add", "=start-time=25:00:00")) == ["invalid value for argument start-time"]
    assert traps(run(router, f"{SCHEDULER}/add", "=start-date=tomorrow")) == ["invalid value for argument start-date"]
    assert printed(router, SCHEDULER) == []


def test_names_are_given_and_must_be_unique(router: Router) -> None:
    add(router, SCRIPT, "=source=:log info a")
    assert printed(router, SCRIPT)[0]["name"] == "script1"
    assert traps(run(router, f"{SCRIPT}/add", "=name=script1")) == ["failure: already have script with such name"]
    add(router, SCHEDULER, "=on-event=script1")
    assert printed(router, SCHEDULER)[0]["name"] == "schedule1"


def test_scripts_and_schedulers_export_as_routeros_writes_them_and_load_back(router: Router) -> None:
    add(router, SCRIPT, "=name=greet", "=policy=read,write", '=source=:log info "hi $name"', "=comment=hairpin:x")
    add(router, SCHEDULER, "=name=once", "=start-date=2026-12-08", "=start-time=00:02:00", "=on-event=greet")
    text = rsc.export(router)
    assert "/system scheduler\nadd name=once on-event=greet start-date=2026-12-08 start-time=00:02:00\n" in text
    assert (
        "/system script\nadd comment=hairpin:x dont-require-permissions=no name=greet owner=admin \\\n"
        '    policy=read,write source=":log info \\"hi \\$name\\""\n'
    ) in text
    again, _ = rsc.load_export(text)
    assert printed(again, SCRIPT)[0]["source"] == ':log info "hi $name"'
    assert printed(again, SCHEDULER)[0]["start-time"] == "00:02:00"


def test_the_scheduler_survives_the_json_state(router: Router) -> None:
    add(router, SCHEDULER, "=name=once", "=start-date=2026-12-08", "=start-time=00:02:00")
    again = Router.from_json(json.loads(json.dumps(router.to_json())))
    # The same moment as before the save: with the wall clock the entry would be long past.
    again.clock = router.clock
    assert printed(again, SCHEDULER)[0]["next-run"] == "2026-12-08 00:02:00"


def test_librouteros_arms_a_revert_and_the_router_runs_it_with_no_client(sim: RunningSim) -> None:
    clock = ManualClock(START)
    sim.router.clock = clock
    api = sim.connect()
    api.path("ip", "firewall", "nat").add(chain="srcnat", action="masquerade", comment="keep")
    api.path("system", "script").add(name="rev", source='/ip firewall nat remove [ find comment="keep" ]')
    api.path("system", "scheduler").add(
        name="rev", **{"start-date": "2026-12-07", "start-time": "23:59:00", "on-event": "rev"}
    )
    clock_row = next(iter(api.path("system", "clock")))
    assert (clock_row["date"], clock_row["time"]) == ("2026-12-07", "23:58:30")
    with pytest.raises(TrapError, match="no such item"):
        tuple(api.path("system", "script")("run", number="missing"))
    api.close()
    clock.advance(31)
    sim.router.run_due()
    assert [row.get("comment") for row in sim.nat_rules_in_state()] == []
    api = sim.connect()
    assert [row["run-count"] for row in api.path("system", "scheduler")] == [1]
    api.close()


def test_a_scaled_clock_starts_where_it_is_told_and_refuses_to_stand_still() -> None:
    clock = ScaledClock(60, START)
    assert START <= clock() < START + timedelta(hours=1)
    with pytest.raises(ValueError, match="positive"):
        ScaledClock(0)

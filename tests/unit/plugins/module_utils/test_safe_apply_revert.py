"""safe_apply: the router's clock, the revert script of a menu, and armed reverts left behind."""

from __future__ import annotations

from datetime import datetime

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.safe_apply import (
    ENTRY_MENUS,
    NAT_MENU,
    SafeApplyError,
    arm,
    menu_lines,
    pending_warning,
    prepare,
    refuse_if_armed,
    router_time,
)

FOREIGN = {".id": "*1", "chain": "srcnat", "action": "masquerade", "comment": "defconf: masquerade"}
WEB = {
    ".id": "*5",
    "chain": "dstnat",
    "action": "dst-nat",
    "protocol": "tcp",
    "dst-port": "80",
    "to-addresses": "192.168.88.2",
    "bytes": 1234,
    "packets": 12,
    "invalid": False,
    "dynamic": False,
    "disabled": False,
    "comment": "hairpin:dstnat:web:tcp a web server",
}
LAST = {".id": "*7", "chain": "dstnat", "action": "dst-nat", "comment": "hairpin:dstnat:ssh:tcp"}


def test_the_clock_is_read_in_both_date_forms() -> None:
    seven = router_time([{"time": "23:59:30", "date": "2026-12-07"}])
    six = router_time([{"time": "23:59:30", "date": "dec/07/2026"}])
    assert seven is not None and six is not None
    assert seven.moment == six.moment == datetime(2026, 12, 7, 23, 59, 30)
    later = seven.later(120)
    assert (later.date_text(), later.time_text()) == ("2026-12-08", "00:01:30")
    assert six.later(120).date_text() == "dec/08/2026"
    assert router_time([]) is None
    assert router_time([{"time": "soon", "date": "2026-12-07"}]) is None


def test_a_menu_is_put_back_row_by_row_before_the_foreign_row_that_followed() -> None:
    lines = menu_lines(NAT_MENU, [WEB, FOREIGN, LAST])
    assert lines == [
        "/ip firewall nat",
        'remove [ find where comment~"^hairpin:" and dynamic=no ]',
        "add chain=dstnat action=dst-nat protocol=tcp dst-port=80 to-addresses=192.168.88.2 "
        'comment="hairpin:dstnat:web:tcp a web server" disabled=no place-before=*1',
        'add chain=dstnat action=dst-nat comment="hairpin:dstnat:ssh:tcp"',
    ]


def test_an_unordered_menu_needs_no_anchor() -> None:
    entry = {".id": "*3", "list": "hairpin-wan", "address": "gw.example.net", "comment": "hairpin:address-list:x:y"}
    lines = menu_lines(ENTRY_MENUS["/ip/firewall/address-list"], [entry, {".id": "*4", "list": "other"}])
    assert lines[1] == 'remove [ find where comment~"^hairpin:address-list:" and dynamic=no ]'
    assert lines[2] == 'add comment="hairpin:address-list:x:y" address=gw.example.net list=hairpin-wan'


def test_the_scheduler_entry_is_armed_first_and_the_script_removes_itself() -> None:
    now = router_time([{"time": "12:00:00", "date": "2026-12-07"}])
    assert now is not None
    armed = arm(now, 120, [(NAT_MENU, [WEB])])
    scheduler, script = armed.commands
    assert scheduler.path == "/system/scheduler/add" and script.path == "/system/script/add"
    assert (scheduler.attributes["start-date"], scheduler.attributes["start-time"]) == ("2026-12-07", "12:02:00")
    assert scheduler.attributes["interval"] == "0s"
    assert scheduler.attributes["on-event"] == (
        f"/system scheduler remove [ find where name={armed.name} ]; /system script run {armed.name}"
    )
    assert script.attributes["source"] == armed.script
    assert armed.script.endswith(f"/system script remove [ find where name={armed.name} ]\n")
    assert scheduler.attributes["comment"] == script.attributes["comment"] == "hairpin:revert"
    assert "12:02:00 router time" in armed.reverts_note()


def armed_entry(next_run: str, **extra: str) -> dict[str, str]:
    return {"name": "hairpin-revert-0a1b2c3d", "comment": "hairpin:revert", "next-run": next_run, **extra}


def test_a_revert_not_yet_due_refuses_the_write_and_one_that_ran_does_not() -> None:
    now = router_time([{"time": "12:00:00", "date": "2026-12-07"}])
    with pytest.raises(SafeApplyError, match=r"hairpin-revert-0a1b2c3d \(runs at 2026-12-07 12:01:00 router time\)"):
        refuse_if_armed([armed_entry("2026-12-07 12:01:00")], now)
    refuse_if_armed([armed_entry("2026-12-07 11:59:00")], now)  # due: the router is running it
    refuse_if_armed([armed_entry("")], now)  # ran
    refuse_if_armed([armed_entry("2026-12-07 12:01:00", disabled="true")], now)
    refuse_if_armed([{"name": "nightly", "comment": "backup", "next-run": "2026-12-07 12:01:00"}], now)
    clock = [{"time": "12:00:00", "date": "2026-12-07"}]
    assert "hairpin-revert-0a1b2c3d" in str(pending_warning([armed_entry("2026-12-07 12:01:00")], clock))


def test_prepare_needs_the_clock_and_a_timeout_of_ten_seconds() -> None:
    clock = [{"time": "12:00:00", "date": "2026-12-07"}]
    with pytest.raises(SafeApplyError, match="at least 10 seconds"):
        prepare({"confirm_timeout": 5}, clock, [], [])
    with pytest.raises(SafeApplyError, match="cannot read the router's clock"):
        prepare({"confirm_timeout": 60}, [], [], [])
    assert prepare({"confirm_timeout": 60}, clock, [], []).at.time_text() == "12:01:00"

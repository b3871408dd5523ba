# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# Safe apply: the router undoes a change nobody confirmed. Before the first write of a run, in
# the same pipelined batch, a /system script holding the commands that put every owned rule,
# address-list entry and static DNS entry back as they were read, and a /system scheduler entry
# that runs it once when the timeout is up. After the writes, a new connection (the management
# path survived the change) reads the router again; when it is as planned, the script and the
# scheduler entry are removed (confirm). A run that dies, or a change that cuts the controller
# off, is undone by the router itself.
#
# The revert script removes every static row of a changed menu whose comment starts with the
# ownership prefix and adds back every such row as read, in table order, each placed before the
# row that followed it (a row it does not remove: the foreign rules are placement anchors only).
# Removing and re-adding, rather than undoing each write, makes the result exact whatever part
# of the batch ran.

from __future__ import annotations

import binascii
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.api import Command, RouterError, connect
from ansible_collections.hairpin.routeros.plugins.module_utils.cli import quote_value
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import ORDERED_MENUS
from ansible_collections.hairpin.routeros.plugins.module_utils.model import BOOLEAN_FIELDS, MARKER_PREFIX, NAT_FIELDS
from ansible_collections.hairpin.routeros.plugins.module_utils.options import NAT_PATH
from ansible_collections.hairpin.routeros.plugins.module_utils.values import cli_flag, is_true

SCRIPT_PATH = "/system/script"
SCHEDULER_PATH = "/system/scheduler"
# Both armed items carry this comment; their names start with NAME_PREFIX.
ARMED_COMMENT = MARKER_PREFIX + "revert"
NAME_PREFIX = "hairpin-revert-"
# What the script needs: changing the firewall and DNS, and removing itself and its scheduler.
POLICY = "read,write,policy,test"
# Below this the scheduler entry could start before it is added (a one-shot in the past never runs).
MIN_TIMEOUT = 10


class SafeApplyError(Exception):
    """A run that must not write (a revert still armed), or a write that was not confirmed; the
    message says when the router reverts."""


# Read with the router, in the same round trip, when a run may arm.
CLOCK_READ = Command("/system/clock/print")
SCHEDULER_READ = Command(
    SCHEDULER_PATH + "/print",
    {".proplist": ".id,name,comment,start-date,start-time,interval,next-run,run-count,disabled"},
)

SCRIPT_READ = Command(SCRIPT_PATH + "/print", {".proplist": ".id,name,comment,last-started"})

# Values a router prints that are no configuration: never written back.
_NOT_WRITTEN = frozenset((".id", "bytes", "packets", "invalid", "dynamic", "builtin", "creation-time"))
_NAT_ORDER = tuple(NAT_FIELDS)
_FLAGS = BOOLEAN_FIELDS | {"disabled"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_OLD_DATE = re.compile(r"\A([a-z]{3})/(\d{1,2})/(\d{4})\Z")
_ISO_DATE = re.compile(r"\A(\d{4})-(\d{1,2})-(\d{1,2})\Z")
_TIME = re.compile(r"\A(\d{1,2}):(\d{2}):(\d{2})\Z")


@dataclass(frozen=True)
class RevertMenu:
    """A menu the revert script puts back: its API path, console menu, and the comment prefix
    of the rows it owns there (matched the same way here and by the script's find)."""

    path: str
    cli_menu: str
    prefix: str
    ordered: bool  # rows are placed back before the row that followed them


NAT_MENU = RevertMenu(NAT_PATH, "/ip firewall nat", MARKER_PREFIX, True)
# The other ordered menus with owned rules, by API path (menus.ORDERED_MENUS but NAT).
ORDERED_REVERTS = {
    menu.path: RevertMenu(menu.path, menu.cli, menu.prefix, True) for menu in ORDERED_MENUS if menu.path != NAT_PATH
}
ENTRY_MENUS = {
    "/ip/firewall/address-list": RevertMenu(
        "/ip/firewall/address-list", "/ip firewall address-list", MARKER_PREFIX + "address-list:", False
    ),
    "/ip/dns/static": RevertMenu("/ip/dns/static", "/ip dns static", MARKER_PREFIX + "dns:", True),
    "/routing/table": RevertMenu("/routing/table", "/routing table", MARKER_PREFIX + "routing-table:", False),
    "/ip/route": RevertMenu("/ip/route", "/ip route", MARKER_PREFIX + "route:", False),
}


# ---------------------------------------------------------------------------------------------
# The router's clock
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouterTime:
    """A moment on the router's clock, and the date form it prints (``2026-12-07`` from 7.10,
    ``dec/07/2026`` before)."""

    moment: datetime
    iso: bool

    def date_text(self) -> str:
        day = self.moment.date()
        if self.iso:
            return day.isoformat()
        return "%s/%02d/%d" % (_MONTHS[day.month - 1], day.day, day.year)

    def time_text(self) -> str:
        return self.moment.strftime("%H:%M:%S")

    def later(self, seconds: int) -> "RouterTime":
        return RouterTime(self.moment + timedelta(seconds=seconds), self.iso)


def parse_date(text: str) -> Optional[Tuple[date, bool]]:
    """(date, ISO form?) of a RouterOS date, or None."""
    text = text.strip().lower()
    try:
        iso = _ISO_DATE.match(text)
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))), True
        old = _OLD_DATE.match(text)
        if old and old.group(1) in _MONTHS:
            return date(int(old.group(3)), _MONTHS.index(old.group(1)) + 1, int(old.group(2))), False
    except ValueError:
        return None
    return None


def router_time(clock_rows: Sequence[Mapping[str, Any]]) -> Optional[RouterTime]:
    """The router's time from its /system/clock print, or None when it cannot be read."""
    if not clock_rows:
        return None
    row = clock_rows[0]
    parsed = parse_date(str(row.get("date", "")))
    moment = _TIME.match(str(row.get("time", "")).strip())
    if parsed is None or moment is None:
        return None
    day, iso = parsed
    return RouterTime(datetime.combine(day, time(*(int(part) for part in moment.groups()))), iso)


def _stamp_moment(text: str) -> Optional[datetime]:
    """``2026-12-07 13:05:00`` / ``dec/07/2026 13:05:00`` (a scheduler's next-run) as a moment."""
    day, _space, clock = str(text).strip().partition(" ")
    parsed = parse_date(day)
    moment = _TIME.match(clock.strip())
    if parsed is None or moment is None:
        return None
    return datetime.combine(parsed[0], time(*(int(part) for part in moment.groups())))


# ---------------------------------------------------------------------------------------------
# A revert an earlier run left armed
# ---------------------------------------------------------------------------------------------


def is_armed_item(row: Mapping[str, Any]) -> bool:
    return str(row.get("name", "")).startswith(NAME_PREFIX) and str(row.get("comment", "")) == ARMED_COMMENT


def pending_reverts(schedulers: Sequence[Mapping[str, Any]]) -> List[Tuple[str, str]]:
    """(name, next run) of every armed revert that has not run yet: an earlier run that did not
    confirm. Its revert would undo this run's changes too."""
    pending = []
    for row in schedulers:
        if not is_armed_item(row) or is_true(row.get("disabled")) or not row.get("next-run"):
            continue
        pending.append((str(row.get("name")), str(row.get("next-run"))))
    return pending


def waiting_reverts(schedulers: Sequence[Mapping[str, Any]], now: Optional[RouterTime]) -> List[str]:
    """The armed reverts not yet due, as "NAME (runs at DATE TIME router time)"."""
    waiting = []
    for name, next_run in pending_reverts(schedulers):
        due = _stamp_moment(next_run)
        if due is not None and now is not None and due <= now.moment:
            continue  # its time has come: the router is running or has just run it
        waiting.append("%s (runs at %s router time)" % (name, next_run))
    return waiting


def pending_warning(schedulers: Sequence[Mapping[str, Any]], clock: Sequence[Mapping[str, Any]]) -> Optional[str]:
    """For a run that writes nothing: the warning that an earlier run's revert will still change
    the router, or None."""
    waiting = waiting_reverts(schedulers, router_time(clock))
    if not waiting:
        return None
    return (
        "an earlier run left its revert armed and unconfirmed: scheduler %s; when it runs it puts "
        "back the owned rules and entries as that run found them" % ", ".join(waiting)
    )


def failed_reverts(scripts: Sequence[Mapping[str, Any]], schedulers: Sequence[Mapping[str, Any]]) -> List[str]:
    """Warnings for revert scripts whose scheduler entry is gone: the revert ran and stopped
    part-way (a complete one removes its script last), so the owned rules and entries may be
    only partly put back; the router's /log says why."""
    armed = {str(row.get("name")) for row in schedulers if is_armed_item(row)}
    return [
        "the revert %s of an earlier run ran%s and did not finish (see the router's /log, topic "
        "script): the owned rules and entries may be only partly put back; this run plans from the "
        "table as it is. Remove the /system script %s once seen"
        % (row.get("name"), " at %s" % row["last-started"] if row.get("last-started") else "", row.get("name"))
        for row in scripts
        if is_armed_item(row) and str(row.get("name")) not in armed
    ]


def refuse_if_armed(schedulers: Sequence[Mapping[str, Any]], now: Optional[RouterTime]) -> None:
    """Fail, before any write, while an earlier run's revert is still armed and not yet due."""
    waiting = waiting_reverts(schedulers, now)
    if waiting:
        raise SafeApplyError(
            "an earlier run left its revert armed and unconfirmed: scheduler %s; it would undo "
            "this run's changes, nothing was written. Let it run, or, when that run's changes are "
            "good, remove the scheduler entry and the /system script of the same name, and run "
            "again" % ", ".join(waiting)
        )


# ---------------------------------------------------------------------------------------------
# The revert script
# ---------------------------------------------------------------------------------------------


def _cli(name: str, value: Any) -> str:
    """A value as the console writes it: flags as yes/no (librouteros gives them as bool)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in _FLAGS:
        return quote_value(cli_flag(str(value)))
    return quote_value(str(value))


def _owned_by(menu: RevertMenu, row: Mapping[str, Any]) -> bool:
    comment = row.get("comment")
    return isinstance(comment, str) and comment.startswith(menu.prefix) and not is_true(row.get("dynamic"))


def _add_line(row: Mapping[str, Any], anchor: Optional[str]) -> str:
    # Words starting with a dot (.id, .about) are the API's own, never properties.
    fields = {name: value for name, value in row.items() if name not in _NOT_WRITTEN and not name.startswith(".")}
    order = [name for name in _NAT_ORDER if name in fields] + sorted(name for name in fields if name not in _NAT_ORDER)
    words = ["%s=%s" % (name, _cli(name, fields[name])) for name in order]
    if anchor is not None:
        words.append("place-before=%s" % anchor)
    return "add " + " ".join(words)


def _restore_lines(rows: Sequence[Mapping[str, Any]], adopted: Sequence[str]) -> Tuple[List[str], List[str]]:
    """For the foreign rows this run adopts (ids): the lines that give each its comment back
    (before the remove, which would take it for an owned row), and those that move each back
    before the row that followed it as read (the plan may have moved it)."""
    wanted = set(adopted)
    comments: List[str] = []
    moves: List[str] = []
    static = [row for row in rows if not is_true(row.get("dynamic")) and row.get(".id")]
    for index, row in enumerate(static):
        identifier = str(row[".id"])
        if identifier not in wanted:
            continue
        comment = row.get("comment")
        comments.append("set %s comment=%s" % (identifier, _cli("comment", "" if comment is None else comment)))
        after = next((str(later[".id"]) for later in static[index + 1 :] if not _owned_by(NAT_MENU, later)), None)
        moves.append("move %s" % identifier + (" destination=%s" % after if after is not None else ""))
    # From the last to the first, so each goes before a row already back in place.
    return comments, list(reversed(moves))


def menu_lines(menu: RevertMenu, rows: Sequence[Mapping[str, Any]], adopted: Sequence[str] = ()) -> List[str]:
    """The script lines that bring `menu` back to `rows` (the whole menu, as read); `adopted`:
    the ids of foreign rows the run takes over (their comment and place are put back)."""
    comments, moves = _restore_lines(rows, adopted) if adopted else ([], [])
    lines = [
        menu.cli_menu,
        *comments,
        # The prefixes are letters, "-" and ":": literal in a regular expression.
        "remove [ find where comment~%s and dynamic=no ]" % quote_value("^" + menu.prefix),
        *moves,
    ]
    for index, row in enumerate(rows):
        if not _owned_by(menu, row):
            continue
        anchor = None
        if menu.ordered:
            anchor = next(
                (
                    str(after[".id"])
                    for after in rows[index + 1 :]
                    if not _owned_by(menu, after) and not is_true(after.get("dynamic")) and after.get(".id")
                ),
                None,
            )
        lines.append(_add_line(row, anchor))
    return lines


@dataclass
class Armed:
    """A revert armed in this run's write batch."""

    name: str
    at: RouterTime  # when the router runs it
    script: str  # its source
    commands: List[Command] = field(default_factory=list)
    # The router view of the run that armed it (the check before the confirm plans on its facts).
    view: Any = None

    def reverts_note(self) -> str:
        return (
            "the router will revert this run's changes at %s router time (%s, scheduler entry %s); run again after that"
            % (
                self.at.time_text(),
                self.at.date_text(),
                self.name,
            )
        )


def arm(
    now: RouterTime,
    timeout: int,
    menus: Sequence[Tuple[RevertMenu, Sequence[Mapping[str, Any]]]],
    adopted: Sequence[str] = (),
) -> Armed:
    """The revert of `menus` (each with its rows as read) and the two API commands that arm it,
    to be sent first in the write batch; `adopted`: the NAT rows the run adopts (ids)."""
    name = NAME_PREFIX + binascii.hexlify(os.urandom(4)).decode("ascii")
    at = now.later(timeout)
    lines = [
        "# %s: run by the scheduler entry of the same name at %s %s unless the run that armed it "
        "confirms; it removes itself" % (name, at.date_text(), at.time_text())
    ]
    for menu, rows in menus:
        lines.extend(menu_lines(menu, rows, adopted if menu is NAT_MENU else ()))
    lines.append("/system script remove [ find where name=%s ]" % quote_value(name))
    source = "\n".join(lines) + "\n"
    # The scheduler entry first: cut off after it alone, it removes itself and finds no script
    # to run; after both, the revert is complete. Its event removes it before running the script.
    event = "/system scheduler remove [ find where name=%s ]; /system script run %s" % (quote_value(name), name)
    commands = [
        Command(
            SCHEDULER_PATH + "/add",
            {
                "name": name,
                "comment": ARMED_COMMENT,
                "policy": POLICY,
                "start-date": at.date_text(),
                "start-time": at.time_text(),
                "interval": "0s",
                "on-event": event,
            },
        ),
        Command(SCRIPT_PATH + "/add", dict(name=name, comment=ARMED_COMMENT, policy=POLICY, source=source)),
    ]
    return Armed(name, at, source, commands)


def prepare(
    params: Mapping[str, Any],
    clock: Sequence[Mapping[str, Any]],
    schedulers: Sequence[Mapping[str, Any]],
    menus: Sequence[Tuple[RevertMenu, Sequence[Mapping[str, Any]]]],
    adopted: Sequence[str] = (),
) -> Armed:
    """The revert for a run about to write (options `confirm_timeout`; the clock and scheduler
    rows of the run's read; `adopted`: the ids of the foreign NAT rows it adopts), or
    SafeApplyError when it must not write."""
    timeout = params.get("confirm_timeout")
    timeout = 120 if timeout is None else int(timeout)
    if timeout < MIN_TIMEOUT:
        raise SafeApplyError(
            "confirm_timeout must be at least %d seconds (it is %d), nothing was written" % (MIN_TIMEOUT, timeout)
        )
    now = router_time(clock)
    refuse_if_armed(schedulers, now)
    if now is None:
        raise SafeApplyError(
            "cannot read the router's clock (/system/clock print) to arm the revert, nothing was "
            "written; with confirm: false the run writes without one"
        )
    return arm(now, timeout, menus, adopted)


# ---------------------------------------------------------------------------------------------
# Verify and confirm
# ---------------------------------------------------------------------------------------------


def verify_and_confirm(
    params: Mapping[str, Any],
    armed: Armed,
    reads: Sequence[Command],
    still_to_do: Callable[[List[List[Dict[str, Any]]]], Optional[str]],
    also_check: Optional[Callable[[Any], Optional[str]]] = None,
) -> int:
    """On a new connection: read `reads` and the armed items (one round trip); when
    `still_to_do(rows of reads)` finds nothing left, and `also_check(connection)` (the analysis,
    its own round trip) no problem, remove the scheduler entry and the script (one more).
    Returns the round trips; a failure raises SafeApplyError saying when the router reverts."""
    by_name = ["?name=%s" % armed.name]
    armed_reads = [
        Command(SCHEDULER_PATH + "/print", {".proplist": ".id,name"}, list(by_name)),
        Command(SCRIPT_PATH + "/print", {".proplist": ".id,name"}, list(by_name)),
    ]
    connection = None
    try:
        connection = connect(params)
        replies = connection.read(list(reads) + armed_reads)
        rows, (schedulers, scripts) = replies[: len(reads)], replies[len(reads) :]
        problem = still_to_do(rows)
        if problem is None and not schedulers:
            problem = "the armed scheduler entry %s is gone (it ran, or someone removed it)" % armed.name
        if problem is None and also_check is not None:
            problem = also_check(connection)
        if problem is not None:
            raise SafeApplyError("the check after the write found %s; %s" % (problem, armed.reverts_note()))
        confirm = [Command(SCHEDULER_PATH + "/remove", {".id": str(row[".id"])}) for row in schedulers]
        confirm += [Command(SCRIPT_PATH + "/remove", {".id": str(row[".id"])}) for row in scripts]
        connection.run(confirm)
        return connection.round_trips
    except RouterError as exc:
        raise SafeApplyError(
            "the change was written, but %s; %s" % (str(exc).rstrip("."), armed.reverts_note())
        ) from None
    finally:
        if connection is not None:
            connection.close()

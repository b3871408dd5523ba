"""Router mixin: ``/system script`` (``run``), ``/system scheduler`` on the router's clock, the
``/system clock`` it reads, and the ``/log`` where script failures go.

A script's source runs through the same command engine as an ``.rsc`` import
(:func:`routeros_sim.rsc_run.run_script`), so it can do what an import can and fails the same
way: the first refused command stops it, the commands before it stay applied (RouterOS scripts
are not transactions).

The scheduler keeps ``next-run`` on each entry. It is worked out when an entry is added or
changed: the first start (``start-date`` + ``start-time``; ``startup`` is three seconds after
boot) and every ``interval`` after it that is still ahead; with ``interval=0s`` only the start,
and only while it is ahead. ``run_due()`` runs every enabled entry whose ``next-run`` has come,
in table order, once however many intervals were missed, counts it in ``run-count`` and moves
``next-run`` on (none after a one-shot). The router calls it before each API command it answers
and the server calls it once a second, so a wall clock needs nobody to poll; a test that moves a
:class:`~routeros_sim.clock.ManualClock` calls it (or sends any command) to see the effect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta

from .schema import Menu, version_at_least
from .tables import SINGLETON_ID, Table, TrapError
from .values import parse_time

__all__ = ["ScriptsMixin"]

SCRIPT = "/system/script"
SCHEDULER = "/system/scheduler"
LOG = "/log"
# RouterOS keeps the last thousand lines of the memory log.
_LOG_LINES = 1000
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_OLD_DATE = re.compile(r"([a-z]{3})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CLOCK_TIME = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})")
_STARTUP_DELAY = timedelta(seconds=3)


class ScriptsMixin:
    """Scripts, the scheduler and the clock of ``Router``."""

    version: str
    tables: dict[str, Table]
    menus: dict[str, Menu]
    clock: Callable[[], datetime]
    booted: datetime
    _in_due: bool

    # -- dates as this version writes them ------------------------------------------------------

    def _iso_dates(self) -> bool:
        return version_at_least(self.version, "7.10")

    def _date_text(self, day: date) -> str:
        if self._iso_dates():
            return day.isoformat()
        return f"{_MONTHS[day.month - 1]}/{day.day:02d}/{day.year}"

    def _stamp(self, moment: datetime) -> str:
        return f"{self._date_text(moment.date())} {moment.strftime('%H:%M:%S')}"

    @staticmethod
    def _parse_date(text: str) -> date | None:
        text = text.strip().lower()
        iso = _ISO_DATE.fullmatch(text)
        try:
            if iso:
                return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            old = _OLD_DATE.fullmatch(text)
            if old and old.group(1) in _MONTHS:
                return date(int(old.group(3)), _MONTHS.index(old.group(1)) + 1, int(old.group(2)))
        except ValueError:
            return None
        return None

    def _parse_stamp(self, text: str) -> datetime | None:
        day, _, clock = text.partition(" ")
        parsed = self._parse_date(day)
        moment = _CLOCK_TIME.fullmatch(clock)
        if parsed is None or moment is None:
            return None
        return datetime.combine(parsed, time(*(int(part) for part in moment.groups())))

    # -- the clock ------------------------------------------------------------------------------

    def _clock_value(self, name: str) -> str | None:
        now = self.clock()
        if name == "time":
            return now.strftime("%H:%M:%S")
        if name == "date":
            return self._date_text(now.date())
        return None

    # -- entries as they are added and changed ---------------------------------------------------

    def _prepare_item(self, menu: Menu, item: dict[str, str], new: bool) -> None:
        """Names for new scripts and schedulers (``script1``, ``schedule1``) and the scheduler's
        normalised dates and next run; a bad date or time is refused."""
        if menu.path not in (SCRIPT, SCHEDULER):
            return
        if new and "name" not in item:
            prefix = "script" if menu.path == SCRIPT else "schedule"
            taken = {other.get("name") for other in self.tables[menu.path].items}
            number = 1
            while f"{prefix}{number}" in taken:
                number += 1
            item["name"] = f"{prefix}{number}"
        if menu.path == SCHEDULER:
            self._prepare_schedule(item, new)

    def _prepare_schedule(self, item: dict[str, str], new: bool) -> None:
        if "start-date" in item:
            parsed = self._parse_date(item["start-date"])
            if parsed is None:
                raise TrapError("invalid value for argument start-date")
            item["start-date"] = self._date_text(parsed)
        default_date = self._date_text(date(1970, 1, 1))
        if item.get("start-date") == default_date:
            item.pop("start-date")
        start_time = item.get("start-time", "startup").strip().lower()
        if start_time != "startup":
            moment = _CLOCK_TIME.fullmatch(start_time)
            if moment is None or int(moment.group(1)) > 23 or int(moment.group(2)) > 59 or int(moment.group(3)) > 59:
                raise TrapError("invalid value for argument start-time")
            item["start-time"] = f"{int(moment.group(1)):02d}:{moment.group(2)}:{moment.group(3)}"
        else:
            item.pop("start-time", None)
        self._schedule_next(item, self.clock(), None)

    def _first_start(self, item: Mapping[str, str]) -> datetime:
        start_time = item.get("start-time", "startup")
        if start_time == "startup":
            return self.booted + _STARTUP_DELAY
        day = self._parse_date(item.get("start-date", self._date_text(date(1970, 1, 1)))) or date(1970, 1, 1)
        return datetime.combine(day, time(*(int(part) for part in start_time.split(":"))))

    def _schedule_next(self, item: dict[str, str], now: datetime, fired: datetime | None) -> None:
        """Set ``next-run``: the first start or interval ahead of ``now`` (a one-shot runs only
        at its start, and not again once it has run)."""
        item.pop("next-run", None)
        start = self._first_start(item)
        interval = parse_time(item.get("interval", "0s")) or 0.0
        if interval <= 0:
            if fired is None and start > now:
                item["next-run"] = self._stamp(start)
            return
        if start > now:
            item["next-run"] = self._stamp(start)
            return
        steps = int((now - start).total_seconds() // interval) + 1
        item["next-run"] = self._stamp(start + timedelta(seconds=steps * interval))

    # -- running ---------------------------------------------------------------------------------

    def _run_scripts(self, menu: Menu, attributes: Mapping[str, str]) -> None:
        """``/system/script/run``: each named script in turn; a failing one answers its error."""
        table = self.tables[menu.path]
        if "number" in attributes:  # the API's name for the script to run
            attributes = {"numbers": attributes["number"]}
        for item_id in self._ids(menu, attributes):  # type: ignore[attr-defined]
            item = table.find(item_id)
            assert item is not None
            error = self._run_source(item.get("source", ""), item)
            if error is not None:
                raise TrapError(error)

    def _run_source(self, source: str, script: dict[str, str] | None) -> str | None:
        """Run script text; the error RouterOS would report, or None when it ran through."""
        from .rsc_parse import ScriptError  # the rsc layer: imported here, as the model loads first
        from .rsc_run import run_script

        if script is not None:
            script["run-count"] = str(int(script.get("run-count", "0")) + 1)
            script["last-started"] = self._stamp(self.clock())
            self._notify()  # type: ignore[attr-defined]
        try:
            run_script(self, source, skip_unknown_menus=False)  # type: ignore[arg-type]
        except ScriptError as error:
            return f"{error.message} (line {error.line})"
        return None

    def run_due(self) -> int:
        """Run every scheduler entry whose time has come (see the module docstring); how many ran."""
        with self._lock:  # type: ignore[attr-defined]
            if self._in_due:
                return 0  # a scheduled script's own commands do not start the scheduler again
            self._in_due = True
            try:
                return self._run_due()
            finally:
                self._in_due = False

    def _run_due(self) -> int:
        table = self.tables.get(SCHEDULER)
        if table is None or not table.items:
            return 0
        now = self.clock()
        ran = 0
        for entry in list(table.items):
            if entry not in table.items or entry.get("disabled") == "true" or "next-run" not in entry:
                continue
            due = self._parse_stamp(entry["next-run"])
            if due is None or due > now:
                continue
            entry["run-count"] = str(int(entry.get("run-count", "0")) + 1)
            self._schedule_next(entry, now, due)
            self._notify()  # type: ignore[attr-defined]
            ran += 1
            name = entry.get("name", "")
            event = entry.get("on-event", "")
            script = next((s for s in self.tables[SCRIPT].items if s.get("name") == event.strip()), None)
            error = self._run_source(script.get("source", "") if script else event, script)
            if error is not None:
                what = script.get("name", "") if script is not None else name
                self.log("script,error", f"executing script {what} from scheduler failed, please check it manually")
                self.log("script,error", f"(scheduler:{name}) {error}")
        return ran

    def log(self, topics: str, message: str) -> None:
        """Add a line to ``/log`` (the memory log: the oldest lines go first)."""
        table = self.tables[LOG]
        table.items.append(
            {".id": table.allocate_id(), "time": self._stamp(self.clock()), "topics": topics, "message": message}
        )
        del table.items[:-_LOG_LINES]
        self._notify()  # type: ignore[attr-defined]


def stock_clock() -> dict[str, str]:
    """The ``/system/clock`` item of a stock router."""
    return {".id": SINGLETON_ID}

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: report
type: aggregate
short_description: Write a change report of the run for pull requests and CI
description:
  - Collects the result of every C(hairpin.routeros) NAT task (the role's
    M(hairpin.routeros.services) task and the NAT modules) and, at the end of the run, writes
    C(report.md), C(report.json) and C(junit.xml) into O(report_dir).
  - C(report.md) starts with a summary line (routers changed, unchanged, failed and unreachable;
    NAT rules added, edited, moved and removed), then has one collapsible section per changed,
    failed or unreachable router with its RouterOS commands, drift and analysis findings; long
    sections are cut with a count, and the text stays short enough for a pull-request comment.
  - C(report.json) holds the same for programs (schema in the collection's docs/change-report.md);
    C(junit.xml) has one test case per router, failed when the router failed or was unreachable.
  - A callback rather than a task of the role, because only a callback sees every router of the
    run once, in the controller's main process, whatever the forks, the strategy or the routers
    that never reached the task (unreachable ones).
  - Only the results' own fields are written (commands, messages, warnings, findings, drift),
    never the task's options, so no password reaches the report.
version_added: 0.1.0
options:
  report_dir:
    description:
      - Where to write the three files. Without it the callback writes nothing.
    type: path
    env:
      - name: HAIRPIN_REPORT_DIR
    ini:
      - section: hairpin_report
        key: report_dir
  fail_on_drift:
    description:
      - In C(junit.xml), a router that a check run finds different from the inventory (commands
        would run) is a failure, so the scheduled drift job fails when a router drifted from Git.
    type: bool
    default: false
    env:
      - name: HAIRPIN_REPORT_FAIL_ON_DRIFT
    ini:
      - section: hairpin_report
        key: fail_on_drift
  max_lines:
    description:
      - At most this many commands (and findings, warnings) per router in C(report.md); the rest
        are counted, and all of them are in C(report.json).
    type: int
    default: 40
    env:
      - name: HAIRPIN_REPORT_MAX_LINES
    ini:
      - section: hairpin_report
        key: max_lines
requirements:
  - enable it in the configuration, C(callbacks_enabled = hairpin.routeros.report) in C(ansible.cfg)
"""

from typing import Any, List, Optional

from ansible import context
from ansible.plugins.callback import CallbackBase
from ansible_collections.hairpin.routeros.plugins.plugin_utils.change_report import (
    STATUS_FAILED,
    STATUS_UNREACHABLE,
    RouterRecord,
    make_report,
    record_from_result,
    write_report,
)

# The tasks whose results are a router's NAT state (short names and fully qualified).
_MODULES = ("services", "nat", "port_forward", "masquerade", "hairpin_nat", "dns_static")
REPORTED_ACTIONS = frozenset(_MODULES + tuple("hairpin.routeros." + name for name in _MODULES))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "hairpin.routeros.report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records: List[RouterRecord] = []

    def _task_check_mode(self, result: Any) -> bool:
        task = getattr(result, "_task", None) or getattr(result, "task", None)
        mode = getattr(task, "check_mode", None)
        if isinstance(mode, bool):
            return mode
        return bool(context.CLIARGS.get("check"))

    def _record(self, result: Any, forced_status: Optional[str] = None) -> None:
        host = result._host.get_name()
        data = dict(result._result)
        task = getattr(result, "_task", None) or getattr(result, "task", None)
        action = getattr(task, "action", None)
        if forced_status is None and action not in REPORTED_ACTIONS:
            return
        if forced_status == STATUS_UNREACHABLE:
            data["unreachable"] = True
        elif forced_status == STATUS_FAILED:
            data["failed"] = True
        self.records.append(record_from_result(host, data, self._task_check_mode(result)))

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        task = getattr(result, "_task", None) or getattr(result, "task", None)
        # Any failed task stops the router's run: it counts even when it is not ours.
        if getattr(task, "action", None) in REPORTED_ACTIONS or not ignore_errors:
            self._record(result, STATUS_FAILED)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._record(result, STATUS_UNREACHABLE)

    def v2_playbook_on_stats(self, stats: Any) -> None:
        directory = self.get_option("report_dir")
        if not directory:
            return
        report = make_report(self.records, check_mode=bool(context.CLIARGS.get("check")))
        paths = write_report(
            report,
            directory,
            fail_on_drift=bool(self.get_option("fail_on_drift")),
            max_lines=int(self.get_option("max_lines")),
        )
        # On stderr: stdout belongs to the stdout callback (JSON output stays JSON).
        self._display.display("hairpin change report: %s" % ", ".join(paths), stderr=True)

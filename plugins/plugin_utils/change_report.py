# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# The change report of a run: what changed (or, in check mode, would change) on which router,
# the RouterOS commands and the analysis findings, as report.md (short enough to post as a pull
# request comment), report.json (the same for programs; its schema is in docs/change-report.md)
# and junit.xml (one test case per router). The callback plugin hairpin.routeros.report collects
# the records during the run; this file turns them into the three files, and merges the
# report.json of several runs (two slices of one inventory) into one report.

from __future__ import annotations

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

SCHEMA_VERSION = 1

STATUS_CHANGED = "changed"
STATUS_UNCHANGED = "unchanged"
STATUS_FAILED = "failed"
STATUS_UNREACHABLE = "unreachable"
STATUSES = (STATUS_CHANGED, STATUS_UNCHANGED, STATUS_FAILED, STATUS_UNREACHABLE)

# What a NAT command does to a rule, by its verb (render.py writes one command per line).
RULE_CHANGES = ("added", "edited", "moved", "removed")
_VERBS = dict(add="added", set="edited", move="moved", remove="removed")
_NAT_COMMAND = re.compile(r"^/ip firewall nat (add|set|move|remove)\b")
# The owned filter accepts (hairpin_filter) and IPv6 pinholes (host6), counted apart: they are no
# NAT rules.
_FILTER_COMMAND = re.compile(r"^/ip(?:v6)? firewall filter (add|set|move|remove)\b")


def _counts(commands: Sequence[str], pattern: Any) -> Dict[str, int]:
    counts = {name: 0 for name in RULE_CHANGES}
    for line in commands:
        match = pattern.match(line)
        if match:
            counts[_VERBS[match.group(1)]] += 1
    return counts


# A GitHub pull-request comment holds 65,536 characters; the report stays well inside it.
DEFAULT_MAX_CHARS = 60000
DEFAULT_MAX_LINES = 40


@dataclass
class RouterRecord:
    """One router's part of the run: its status and what its hairpin task said."""

    host: str
    status: str
    check_mode: bool = False
    commands: List[str] = field(default_factory=list)
    message: Optional[str] = None
    warnings: List[str] = field(default_factory=list)
    findings: List[Dict[str, Any]] = field(default_factory=list)
    drift: List[Any] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    @property
    def rule_changes(self) -> Dict[str, int]:
        return _counts(self.commands, _NAT_COMMAND)

    @property
    def filter_rule_changes(self) -> Dict[str, int]:
        return _counts(self.commands, _FILTER_COMMAND)

    @property
    def pending(self) -> bool:
        """A change that a check run found and nothing wrote: the router differs from the inventory."""
        return self.status == STATUS_CHANGED and self.check_mode


def _strings(value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def record_from_result(host: str, result: Mapping[str, Any], check_mode: bool) -> RouterRecord:
    """A router's record from its hairpin task's result (as the module returned it)."""
    if result.get("unreachable"):
        status = STATUS_UNREACHABLE
    elif result.get("failed"):
        status = STATUS_FAILED
    elif result.get("changed"):
        status = STATUS_CHANGED
    else:
        status = STATUS_UNCHANGED
    analysis = result.get("analysis") or {}
    findings = [dict(finding) for finding in analysis.get("findings") or [] if isinstance(finding, Mapping)]
    return RouterRecord(
        host=host,
        status=status,
        check_mode=bool(check_mode),
        commands=_strings(result.get("commands")),
        message=str(result["msg"]) if status in (STATUS_FAILED, STATUS_UNREACHABLE) and result.get("msg") else None,
        warnings=_strings(result.get("warnings")),
        findings=findings,
        drift=list(result.get("drift") or []),
        notes=_strings(result.get("notes")),
    )


def record_from_dict(data: Mapping[str, Any]) -> RouterRecord:
    known = {name: data[name] for name in RouterRecord.__dataclass_fields__ if name in data}
    return RouterRecord(**known)


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


@dataclass
class Report:
    routers: List[RouterRecord]
    check_mode: bool

    def count(self, status: str) -> int:
        return sum(1 for router in self.routers if router.status == status)

    @property
    def rule_changes(self) -> Dict[str, int]:
        totals = {name: 0 for name in RULE_CHANGES}
        for router in self.routers:
            for name, count in router.rule_changes.items():
                totals[name] += count
        return totals

    @property
    def filter_rule_changes(self) -> Dict[str, int]:
        totals = {name: 0 for name in RULE_CHANGES}
        for router in self.routers:
            for name, count in router.filter_rule_changes.items():
                totals[name] += count
        return totals

    def summary(self) -> str:
        routers = ", ".join("%d %s" % (self.count(status), status) for status in STATUSES)
        rules = ", ".join("%d %s" % (count, name) for name, count in self.rule_changes.items())
        count = len(self.routers)
        text = "%d router%s: %s; NAT rules: %s" % (count, "" if count == 1 else "s", routers, rules)
        filters = self.filter_rule_changes
        if any(filters.values()):
            text += "; filter rules: %s" % ", ".join("%d %s" % (n, name) for name, n in filters.items())
        return text

    def as_dict(self) -> Dict[str, Any]:
        return dict(
            schema_version=SCHEMA_VERSION,
            check_mode=self.check_mode,
            summary=dict(
                routers=len(self.routers),
                **{status: self.count(status) for status in STATUSES},
                rules=self.rule_changes,
                filter_rules=self.filter_rule_changes,
            ),
            routers=[
                dict(asdict(router), rule_changes=router.rule_changes, filter_rule_changes=router.filter_rule_changes)
                for router in self.routers
            ],
        )


def make_report(records: Sequence[RouterRecord], check_mode: bool) -> Report:
    """Records by host name; a host seen twice (two tasks, two slices) keeps its worst status."""
    by_host: Dict[str, RouterRecord] = {}
    rank = {STATUS_UNCHANGED: 0, STATUS_CHANGED: 1, STATUS_FAILED: 2, STATUS_UNREACHABLE: 3}
    for record in records:
        earlier = by_host.get(record.host)
        if earlier is None or rank[record.status] >= rank[earlier.status]:
            if earlier is not None:
                # A later failure (another task) keeps what the hairpin task said before it.
                for name in ("commands", "warnings", "findings", "drift", "notes"):
                    if not getattr(record, name):
                        setattr(record, name, getattr(earlier, name))
            by_host[record.host] = record
    return Report(routers=[by_host[host] for host in sorted(by_host)], check_mode=check_mode)


def merge_reports(reports: Sequence[Mapping[str, Any]]) -> Report:
    """One report from the report.json of several runs over parts of one inventory."""
    records = [record_from_dict(router) for report in reports for router in report.get("routers") or []]
    return make_report(records, check_mode=any(report.get("check_mode") for report in reports))


# ---------------------------------------------------------------------------------------------
# report.md
# ---------------------------------------------------------------------------------------------


def _cut(lines: List[str], max_lines: int, what: str) -> List[str]:
    if len(lines) <= max_lines:
        return lines
    return [*lines[:max_lines], "... %d more %s not shown (all are in report.json)" % (len(lines) - max_lines, what)]


def _section(router: RouterRecord, max_lines: int) -> str:
    changes = ", ".join("%d %s" % (n, name) for name, n in router.rule_changes.items() if n)
    filters = ", ".join("%d %s" % (n, name) for name, n in router.filter_rule_changes.items() if n)
    if filters:
        changes = "; ".join(part for part in (changes, "filter rules: " + filters) if part)
    title = "%s: %s%s" % (router.host, router.status, " (%s)" % changes if changes else "")
    body: List[str] = []
    if router.message:
        body += [
            "",
            "**%s:** %s" % ("Unreachable" if router.status == STATUS_UNREACHABLE else "Failed", router.message),
        ]
    if router.commands:
        verb = "would run" if router.check_mode else "ran"
        body += ["", "RouterOS commands it %s:" % verb, "", "```"]
        body += _cut(list(router.commands), max_lines, "commands")
        body += ["```"]
    if router.drift:
        body += ["", "Drift (owned rules changed on the router, not in the inventory):", ""]
        body += _cut(["- %s" % _drift_text(item) for item in router.drift], max_lines, "drift entries")
    if router.findings:
        body += ["", "Analysis findings:", ""]
        body += _cut(["- [%s] %s" % (f.get("code"), f.get("message")) for f in router.findings], max_lines, "findings")
    if router.warnings:
        body += ["", "Warnings:", ""]
        body += _cut(["- %s" % warning for warning in router.warnings], max_lines, "warnings")
    return "<details><summary>%s</summary>\n%s\n\n</details>\n" % (_md_escape(title), "\n".join(body))


def _drift_text(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("message") or ", ".join("%s=%s" % pair for pair in sorted(item.items())))
    return str(item)


def _md_escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(report: Report, max_chars: int = DEFAULT_MAX_CHARS, max_lines: int = DEFAULT_MAX_LINES) -> str:
    """The summary, then one collapsible section per changed, failed or unreachable router.
    Sections that would take the text past `max_chars` are left out and named instead."""
    mode = "check run: nothing was written" if report.check_mode else "applied"
    head = "## hairpin: %s\n\n**%s**\n" % (mode, report.summary())
    shown: List[str] = []
    left_out: List[str] = []
    size = len(head)
    for router in report.routers:
        if router.status == STATUS_UNCHANGED:
            continue
        section = _section(router, max_lines)
        if left_out or size + len(section) > max_chars - 400:
            left_out.append(router.host)
            continue
        shown.append(section)
        size += len(section)
    text = head + "\n" + "\n".join(shown)
    if left_out:
        text += "\n%d more routers with changes or failures are not shown here (see report.json): %s\n" % (
            len(left_out),
            ", ".join(left_out[:50]) + (", ..." if len(left_out) > 50 else ""),
        )
    if not shown and not left_out:
        text += "\nNo router has a change.\n"
    return text


# ---------------------------------------------------------------------------------------------
# junit.xml
# ---------------------------------------------------------------------------------------------


def render_junit(report: Report, fail_on_drift: bool = False) -> str:
    """One test case per router: a failure for a failed or unreachable router, and with
    `fail_on_drift` for a router a check run found different from the inventory."""
    suite = ET.Element("testsuite", name="hairpin", tests=str(len(report.routers)))
    failures = 0
    for router in report.routers:
        case = ET.SubElement(suite, "testcase", classname="hairpin.routeros", name=router.host)
        failure = None
        if router.status in (STATUS_FAILED, STATUS_UNREACHABLE):
            failure = ET.SubElement(case, "failure", type=router.status, message=router.message or router.status)
            failure.text = router.message or router.status
        elif fail_on_drift and router.pending:
            failure = ET.SubElement(
                case,
                "failure",
                type="drift",
                message="the router differs from the inventory: %d commands would run" % len(router.commands),
            )
            failure.text = "\n".join(router.commands)
        if failure is not None:
            failures += 1
        elif router.commands:
            ET.SubElement(case, "system-out").text = "\n".join(router.commands)
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suites = ET.Element("testsuites", name="hairpin", tests=str(len(report.routers)), failures=str(failures))
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_report(
    report: Report, directory: str, fail_on_drift: bool = False, max_lines: int = DEFAULT_MAX_LINES
) -> List[str]:
    """report.md, report.json and junit.xml in `directory` (made if missing); their paths."""
    os.makedirs(directory, exist_ok=True)
    files = {
        "report.md": render_markdown(report, max_lines=max_lines),
        "report.json": json.dumps(report.as_dict(), indent=2, sort_keys=False) + "\n",
        "junit.xml": render_junit(report, fail_on_drift=fail_on_drift),
    }
    paths = []
    for name, text in files.items():
        path = os.path.join(directory, name)
        # Written whole, then renamed: a reader never sees half a report.
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(path + ".tmp", path)
        paths.append(path)
    return paths


def main(argv: Sequence[str]) -> int:
    """`python -m ...change_report merge OUT_DIR REPORT.json...`: one report from several."""
    if len(argv) < 3 or argv[0] != "merge":
        sys.stderr.write("usage: change_report merge OUT_DIR REPORT.json [REPORT.json ...]\n")
        return 2
    reports = []
    for path in argv[2:]:
        with open(path, encoding="utf-8") as handle:
            reports.append(json.load(handle))
    fail_on_drift = os.environ.get("HAIRPIN_REPORT_FAIL_ON_DRIFT", "").lower() in ("1", "true", "yes", "on")
    merged = merge_reports(reports)
    for path in write_report(merged, argv[1], fail_on_drift=fail_on_drift):
        sys.stdout.write(path + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The change report's files from router records: what a reviewer reads in a pull request."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

from ansible_collections.hairpin.routeros.plugins.plugin_utils.change_report import (
    make_report,
    merge_reports,
    record_from_result,
    render_junit,
    render_markdown,
    write_report,
)

ADD = "/ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-port=%d to-addresses=192.168.88.2"


def changed(host: str, commands: list[str], check: bool = True):
    return record_from_result(host, {"changed": True, "commands": commands}, check)


def test_the_summary_counts_routers_and_rules_by_what_happens_to_them() -> None:
    report = make_report(
        [
            changed("gw-a", [ADD % 80, "/ip firewall nat set *5 to-ports=80", "/ip firewall nat remove *7"]),
            changed("gw-b", ["/ip firewall nat move *3 destination=*1", ADD % 443]),
            record_from_result("gw-c", {"changed": False, "commands": []}, True),
            record_from_result("gw-d", {"failed": True, "msg": "login failed"}, True),
            record_from_result("gw-e", {"unreachable": True, "msg": "connection refused"}, True),
        ],
        check_mode=True,
    )
    assert report.summary() == (
        "5 routers: 2 changed, 1 unchanged, 1 failed, 1 unreachable; NAT rules: 2 added, 1 edited, 1 moved, 1 removed"
    )
    text = render_markdown(report)
    assert "<details><summary>gw-a: changed (1 added, 1 edited, 1 removed)</summary>" in text
    assert "**Unreachable:** connection refused" in text and "**Failed:** login failed" in text
    # An unchanged router has nothing to review: no section.
    assert "gw-c" not in text


def test_long_sections_are_cut_with_a_count_never_silently() -> None:
    commands = [ADD % port for port in range(1000, 1100)]
    text = render_markdown(make_report([changed("gw-a", commands)], True), max_lines=10)
    assert ADD % 1009 in text and ADD % 1010 not in text
    assert "... 90 more commands not shown (all are in report.json)" in text


def test_routers_past_the_size_of_a_comment_are_named_not_dropped() -> None:
    records = [changed(f"gw-{n:03d}", [ADD % port for port in range(1000, 1040)]) for n in range(200)]
    text = render_markdown(make_report(records, True), max_chars=20000)
    assert len(text) <= 20000
    shown = text.count("<details>")
    assert 0 < shown < 200
    assert f"{200 - shown} more routers with changes or failures are not shown here" in text


def test_junit_has_a_case_per_router_and_fails_on_drift_only_when_asked() -> None:
    report = make_report(
        [changed("gw-a", [ADD % 80]), record_from_result("gw-b", {"changed": False}, True)], check_mode=True
    )
    plain = ET.fromstring(render_junit(report))
    assert [case.get("name") for case in plain.iter("testcase")] == ["gw-a", "gw-b"]
    assert plain.find("testsuite").get("failures") == "0"
    strict = ET.fromstring(render_junit(report, fail_on_drift=True))
    failure = strict.find("testsuite/testcase[@name='gw-a']/failure")
    assert failure is not None and failure.get("type") == "drift" and ADD % 80 in failure.text
    # An applied change is no drift: it is what the run was for.
    applied = make_report([changed("gw-a", [ADD % 80], check=False)], check_mode=False)
    assert ET.fromstring(render_junit(applied, fail_on_drift=True)).find(".//failure") is None


def test_a_later_failure_keeps_what_the_hairpin_task_said() -> None:
    report = make_report(
        [changed("gw-a", [ADD % 80], check=False), record_from_result("gw-a", {"failed": True, "msg": "x"}, False)],
        check_mode=False,
    )
    (router,) = report.routers
    assert router.status == "failed" and router.commands == [ADD % 80]


def test_two_slices_merge_into_the_report_of_one_run(tmp_path) -> None:
    first = make_report([changed("gw-a", [ADD % 80])], True)
    second = make_report([record_from_result("gw-b", {"changed": False}, True)], True)
    write_report(first, str(tmp_path / "one"))
    write_report(second, str(tmp_path / "two"))
    out = tmp_path / "merged"
    proc = subprocess.run(
        [
            sys.executable, "-m", "ansible_collections.hairpin.routeros.plugins.plugin_utils.change_report",
            "merge", str(out), str(tmp_path / "one" / "report.json"), str(tmp_path / "two" / "report.json"),
        ],
        capture_output=True, text=True, check=False, env={"PYTHONPATH": ":".join(sys.path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "report.json").read_text())
    assert [router["host"] for router in data["routers"]] == ["gw-a", "gw-b"]
    assert data["summary"]["changed"] == 1 and data["summary"]["unchanged"] == 1
    assert (
        merge_reports([json.loads((tmp_path / "one" / "report.json").read_text())])
        .summary()
        .startswith("1 router: 1 changed")
    )

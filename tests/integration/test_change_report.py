"""The change report (callback hairpin.routeros.report) of a fleet run: report.md for the pull
request, report.json for programs, junit.xml for CI, in check and in apply mode."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import junitparser
import pytest
import yaml
from role_support import EXAMPLE, EXAMPLE_FLEET, example_fleet, run_hairpin, write_inventory
from support import PASSWORD

from routeros_sim.certs import CertPaths
from tests.support.paths import ANSIBLE_BIN
from tests.support.playbook import ansible_env

FLEET = EXAMPLE_FLEET


@pytest.fixture
def fleet(tmp_path: Path, certs: CertPaths) -> Iterator[dict[str, Any]]:
    with example_fleet(tmp_path, certs) as served:
        yield served


WORKFLOW = yaml.safe_load((EXAMPLE / ".github" / "workflows" / "hairpin.yml").read_text())


def job_commands(job: str) -> tuple[dict[str, str], list[str]]:
    """The environment and the shell commands of a job of the example's CI workflow, but for
    the steps only GitHub can run (installing, posting the comment)."""
    spec = WORKFLOW["jobs"][job]
    env = {**WORKFLOW.get("env", {}), **spec.get("env", {})}
    commands = []
    for step in spec["steps"]:
        run = step.get("run")
        if not run or "pip install" in run or run.startswith("gh "):
            continue
        commands.append(run)
    return {k: str(v) for k, v in env.items()}, commands


def run_job(fleet: dict[str, Any], job: str) -> list[subprocess.CompletedProcess]:
    """Run a job's commands in the repository as its runner would, each step in its own shell,
    against the simulated routers (the overlay inventory adds their ports)."""
    env, commands = job_commands(job)
    shell_env = ansible_env(fleet["tmp"], callback=None)
    shell_env.update(env)
    shell_env.update(
        PATH=f"{ANSIBLE_BIN}:{shell_env['PATH']}",
        ANSIBLE_INVENTORY=f"inventory/,{fleet['overlay']}",
        HAIRPIN_API_PASSWORD=PASSWORD,
        GITHUB_STEP_SUMMARY=str(fleet["tmp"] / f"{job}-summary.md"),
    )
    shell_env.pop("ANSIBLE_FORCE_COLOR", None)
    return [
        subprocess.run(["bash", "-e", "-c", command], cwd=fleet["repo"], env=shell_env, capture_output=True,
                       text=True, timeout=300, check=False)
        for command in commands
    ]  # fmt: skip


def run_with_report(fleet: dict[str, Any], report_dir: Path, *args: str, **env: str):
    """The playbook with the callback on, as the example's ansible.cfg enables it."""
    return run_hairpin(
        fleet["tmp"],
        [fleet["repo"] / "inventory", fleet["overlay"]],
        playbook="hairpin.yml",
        cwd=fleet["repo"],
        env={"HAIRPIN_API_PASSWORD": PASSWORD, "HAIRPIN_REPORT_DIR": str(report_dir), **env},
        extra_args=args,
    )


def read_report(report_dir: Path) -> tuple[str, dict[str, Any], junitparser.JUnitXml]:
    text = (report_dir / "report.md").read_text()
    data = json.loads((report_dir / "report.json").read_text())
    junit = junitparser.JUnitXml.fromfile(str(report_dir / "junit.xml"))
    for name in ("report.md", "report.json", "junit.xml"):
        assert PASSWORD not in (report_dir / name).read_text()
    return text, data, junit


def cases(junit: junitparser.JUnitXml) -> dict[str, junitparser.TestCase]:
    return {case.name: case for suite in junit for case in suite}


def test_a_check_run_reports_each_router_with_the_commands_it_would_run(fleet) -> None:
    report_dir = fleet["tmp"] / "plan"
    run = run_with_report(fleet, report_dir, "--check")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-3000:]
    assert all(site.stats.writes == 0 for site in fleet["sites"].values())
    text, data, junit = read_report(report_dir)

    assert data["check_mode"] is True
    assert data["summary"]["routers"] == 3 and data["summary"]["changed"] == 3
    by_host = {router["host"]: router for router in data["routers"]}
    home = by_host["gw-home"]
    assert any(
        line.startswith("/ip firewall nat add") and "hairpin:dstnat:nas-web:tcp" in line for line in home["commands"]
    )
    added = sum(1 for line in home["commands"] if line.startswith("/ip firewall nat add"))
    assert home["rule_changes"]["added"] == added > 0
    assert data["summary"]["rules"]["added"] == sum(r["rule_changes"]["added"] for r in data["routers"])

    assert text.startswith("## hairpin: check run: nothing was written")
    assert "3 routers: 3 changed, 0 unchanged, 0 failed, 0 unreachable" in text
    for host in FLEET:
        assert f"<details><summary>{host}: changed" in text
    assert next(line for line in home["commands"] if "nas-web:tcp" in line) in text

    assert set(cases(junit)) == set(FLEET)
    # Without fail_on_drift a pending change is no failure: the PR job shows it and passes.
    assert all(case.is_passed for case in cases(junit).values())


def test_the_pull_request_job_writes_the_report_it_posts(fleet) -> None:
    (plan,) = run_job(fleet, "plan")
    assert plan.returncode == 0, plan.stdout[-4000:] + plan.stderr[-3000:]
    assert all(site.stats.writes == 0 for site in fleet["sites"].values())
    text, data, _junit = read_report(fleet["repo"] / "report")
    assert data["check_mode"] is True and data["summary"]["changed"] == 3
    assert "<details><summary>gw-cabin: changed" in text


def test_the_drift_job_fails_on_a_router_edited_by_hand_and_names_it(fleet) -> None:
    applied = run_job(fleet, "apply")
    assert [step.returncode for step in applied] == [0, 0], applied[0].stdout[-4000:] + applied[0].stderr[-3000:]
    text, data, _junit = read_report(fleet["repo"] / "report")
    assert data["check_mode"] is False and data["summary"]["changed"] == 3
    assert text.startswith("## hairpin: applied")
    assert (fleet["tmp"] / "apply-summary.md").read_text() == text

    # The routers are as main says: the drift job passes.
    quiet = run_job(fleet, "drift")
    assert [step.returncode for step in quiet] == [0, 0], quiet[1].stdout + quiet[1].stderr
    assert "every router is as the inventory says" in quiet[1].stdout

    # Someone changes an owned forward on gw-office by hand.
    office = fleet["sites"]["gw-office"].router
    rows = [attrs for word, attrs in office.execute("/ip/firewall/nat/print", []) if word == "!re"]
    intranet = next(row for row in rows if row.get("comment", "").startswith("hairpin:dstnat:intranet:tcp"))
    office.execute("/ip/firewall/nat/set", [f"=.id={intranet['.id']}", "=to-ports=8443"])

    check, verdict = run_job(fleet, "drift")
    assert check.returncode == 0, check.stdout[-4000:] + check.stderr[-3000:]
    assert verdict.returncode == 1
    assert "routers to look at: gw-office (drift)" in verdict.stdout
    text, data, junit = read_report(fleet["repo"] / "report")
    by_host = {router["host"]: router for router in data["routers"]}
    assert by_host["gw-office"]["status"] == "changed"
    assert by_host["gw-home"]["status"] == by_host["gw-cabin"]["status"] == "unchanged"
    repair = [
        line for line in by_host["gw-office"]["commands"] if line.startswith(f"/ip firewall nat set {intranet['.id']}")
    ]
    assert repair, by_host["gw-office"]["commands"]
    assert repair[0] in text and "1 changed, 2 unchanged" in text and "gw-home" not in text
    # The report says it is a hand edit, not an inventory change, and which field.
    (drift,) = by_host["gw-office"]["drift"]
    assert drift["kind"] == "fields" and drift["rule"] == "hairpin:dstnat:intranet:tcp"
    assert "Drift (owned rules changed on the router, not in the inventory):" in text
    assert "- " + drift["message"] in text and "to-ports" in drift["message"]
    assert (fleet["tmp"] / "drift-summary.md").read_text().endswith(text)
    outcome = cases(junit)
    assert not outcome["gw-office"].is_passed and outcome["gw-home"].is_passed and outcome["gw-cabin"].is_passed
    assert repair[0] in outcome["gw-office"].result[0].text


def test_an_unreachable_router_is_named_in_the_report_and_fails_its_test_case(fleet) -> None:
    # A fourth router, configured like gw-home, whose API port nobody listens on.
    home = yaml.safe_load((fleet["repo"] / "inventory" / "host_vars" / "gw-home.yml").read_text())
    overlay = yaml.safe_load(fleet["overlay"].read_text())["routers"]["hosts"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    gone = write_inventory(
        fleet["tmp"] / "gone.yml",
        {"gw-gone": {**home, **overlay["gw-home"], "hairpin_api_port": closed_port}},
    )
    report_dir = fleet["tmp"] / "plan"
    run = run_hairpin(
        fleet["tmp"],
        [fleet["repo"] / "inventory", fleet["overlay"], gone],
        playbook="hairpin.yml",
        cwd=fleet["repo"],
        check=True,
        env={"HAIRPIN_API_PASSWORD": PASSWORD, "HAIRPIN_REPORT_DIR": str(report_dir)},
    )
    assert run.stats["gw-gone"]["unreachable"] == 1, run.stdout[-3000:]
    text, data, junit = read_report(report_dir)
    by_host = {router["host"]: router for router in data["routers"]}
    assert by_host["gw-gone"]["status"] == "unreachable" and by_host["gw-gone"]["message"]
    assert data["summary"]["unreachable"] == 1 and data["summary"]["changed"] == 3
    assert "<details><summary>gw-gone: unreachable</summary>" in text
    assert "**Unreachable:** " + by_host["gw-gone"]["message"] in text
    failure = cases(junit)["gw-gone"].result[0]
    assert failure.type == "unreachable" and failure.message == by_host["gw-gone"]["message"]

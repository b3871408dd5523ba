"""The GitOps example under ansible-runner, the runner AWX and Automation Platform use, without a
container: the project checked out as AWX lays it out, the collection installed from its built
tarball as AWX installs a project's collections, the password injected as a credential's
environment variable. One job converges the fleet; two slices of the inventory run as two
concurrent jobs (AWX job slicing) converge it to the same tables, and their reports merge."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from role_support import EXAMPLE, EXAMPLE_FLEET, example_fleet
from support import PASSWORD, REPO

from routeros_sim.certs import CertPaths
from tests.support.paths import ANSIBLE_BIN

FLEET = EXAMPLE_FLEET
SERVICES_ACTION = "hairpin.routeros.services"


@pytest.fixture(scope="module")
def collection_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collection as `ansible-galaxy collection build` makes it from this checkout."""
    out = tmp_path_factory.mktemp("tarball")
    proc = subprocess.run(
        [str(ANSIBLE_BIN / "ansible-galaxy"), "collection", "build", str(REPO), "--output-path", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tarball,) = out.glob("hairpin-routeros-*.tar.gz")
    return tarball


@pytest.fixture
def fleets(tmp_path: Path, certs: CertPaths) -> Iterator[dict[str, Any]]:
    """Two copies of the example fleet: one for the single job, one for the sliced jobs."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(example_fleet(tmp_path / name, certs)) for name in ("single", "sliced")}


def private_data_dir(root: Path, tarball: Path, overlay: Path, report_dir: Path) -> Path:
    """One job's private data directory as AWX prepares it: the project checkout, the project's
    collections installed from Galaxy (here: from the tarball), the credential's environment."""
    data = root / "job"
    shutil.copytree(EXAMPLE, data / "project")
    collections = data / "requirements_collections"
    proc = subprocess.run(
        [str(ANSIBLE_BIN / "ansible-galaxy"), "collection", "install", "--force", str(tarball), "-p", str(collections)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (data / "env").mkdir()
    envvars = {
        "HAIRPIN_API_PASSWORD": PASSWORD,
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "HAIRPIN_REPORT_DIR": str(report_dir),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(data / "tmp"),
        "ANSIBLE_HOME": str(data / "ansible-home"),
        "PATH": f"{ANSIBLE_BIN}:{os.environ['PATH']}",
    }
    (data / "env" / "envvars").write_text(json.dumps(envvars))
    # AWX writes the job's inventory into the private data directory: the project's inventory
    # (its group and host variables), plus the simulators' ports.
    shutil.copytree(data / "project" / "inventory", data / "inventory")
    shutil.copy(overlay, data / "inventory" / "zz-simulators.yml")
    return data


@dataclass
class Job:
    """One `ansible-runner run` process, as an AWX job runs it (in a process of its own)."""

    data: Path
    ident: str
    process: subprocess.Popen

    def finish(self) -> Job:
        self.process.wait(timeout=600)
        artifacts = self.data / "artifacts" / self.ident
        status = (artifacts / "status").read_text().strip()
        assert status == "successful", (artifacts / "stdout").read_text()[-6000:]
        return self

    @property
    def events(self) -> list[dict[str, Any]]:
        folder = self.data / "artifacts" / self.ident / "job_events"
        return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]

    def task_results(self) -> dict[str, dict[str, Any]]:
        """Host -> the result of the role's task, as the job's events carry it (what AWX shows per host)."""
        found = {}
        for event in self.events:
            data = event.get("event_data") or {}
            if event.get("event") == "runner_on_ok" and data.get("task_action") == SERVICES_ACTION:
                found[data["host"]] = data["res"]
        return found


def start_job(data: Path, ident: str, limit: str | None = None) -> Job:
    command = [str(ANSIBLE_BIN / "ansible-runner"), "run", str(data), "-p", "hairpin.yml", "--ident", ident]
    if limit:
        command += ["--limit", limit]
    return Job(data, ident, subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))


def nat_tables(sites: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    kept = ("chain", "action", "protocol", "dst-address", "dst-address-list", "dst-port", "to-addresses",
            "to-ports", "src-address", "in-interface", "out-interface", "out-interface-list", "comment")  # fmt: skip
    tables = {}
    for name, site in sites.items():
        rows = [attrs for word, attrs in site.router.execute("/ip/firewall/nat/print", []) if word == "!re"]
        tables[name] = [{key: row[key] for key in kept if key in row} for row in rows]
    return tables


def test_one_job_and_two_concurrent_slices_converge_the_fleet_alike(tmp_path: Path, fleets, collection_tarball) -> None:
    single = fleets["single"]
    one = tmp_path / "one"
    job = start_job(private_data_dir(one, collection_tarball, single["overlay"], one / "report"), "single").finish()
    results = job.task_results()
    assert set(results) == set(FLEET)
    assert all(result["changed"] for result in results.values())
    assert any("hairpin:dstnat:nas-web:tcp" in line for line in results["gw-home"]["commands"])
    assert PASSWORD not in json.dumps(job.events)

    # AWX job slicing: host i of the inventory goes to slice i mod 2; the slices run at once.
    sliced = fleets["sliced"]
    slices = [",".join(FLEET[0::2]), ",".join(FLEET[1::2])]
    datas = [
        private_data_dir(
            tmp_path / f"slice{index}", collection_tarball, sliced["overlay"], tmp_path / f"slice{index}" / "report"
        )
        for index in range(2)
    ]
    jobs = [start_job(data, "slice", hosts) for data, hosts in zip(datas, slices)]
    jobs = [job.finish() for job in jobs]
    assert [set(job.task_results()) for job in jobs] == [set(FLEET[0::2]), set(FLEET[1::2])]

    assert nat_tables(sliced["sites"]) == nat_tables(single["sites"])

    merged = tmp_path / "merged"
    proc = subprocess.run(
        [
            sys.executable, "-m", "ansible_collections.hairpin.routeros.plugins.plugin_utils.change_report", "merge",
            str(merged), str(tmp_path / "slice0" / "report" / "report.json"),
            str(tmp_path / "slice1" / "report" / "report.json"),
        ],
        capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(one / "job" / "requirements_collections")},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    whole = json.loads((one / "report" / "report.json").read_text())
    pieces = json.loads((merged / "report.json").read_text())
    assert pieces["summary"] == whole["summary"]
    assert [router["commands"] for router in pieces["routers"]] == [router["commands"] for router in whole["routers"]]
    assert (merged / "report.md").read_text() == (one / "report" / "report.md").read_text()

    # A second sliced run changes nothing.
    again = [start_job(data, "again", hosts) for data, hosts in zip(datas, slices)]
    assert not any(result["changed"] for job in again for result in job.finish().task_results().values())

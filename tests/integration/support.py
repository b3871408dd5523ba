"""Support for the integration tests: a simulated router (TLS, verified) and `ansible-playbook`
run against it.

Playbooks run as real `ansible-playbook` processes with the collection from this checkout
(build/collections) and the JSON callback, so a test sees what a user's run returns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from routeros_sim.certs import CertPaths
from routeros_sim.server import SimulatorThread

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / "build" / "collections"
STOCK_ROUTER = REPO / "sim" / "routeros_sim" / "data" / "stock-home-router.rsc"
BROWNFIELD_ROUTER = REPO / "sim" / "tests" / "fixtures" / "home-router.rsc"
USERNAME = "admin"
PASSWORD = "integration-Pa55word"
# Override to test another ansible-core (e.g. the oldest in requires_ansible).
ANSIBLE_BIN = Path(os.environ.get("HAIRPIN_ANSIBLE_BIN", Path(sys.executable).parent))

WRITE_COMMANDS = ("add", "set", "unset", "remove", "move", "enable", "disable")


@dataclass
class PlaybookRun:
    returncode: int
    output: dict[str, Any]
    stdout: str
    stderr: str

    def results(self, task_name: str) -> list[dict[str, Any]]:
        """Per-host results of the task called `task_name`."""
        found = []
        for play in self.output.get("plays", []):
            for task in play["tasks"]:
                if task["task"]["name"] == task_name:
                    found.extend(task["hosts"].values())
        return found

    def result(self, task_name: str) -> dict[str, Any]:
        results = self.results(task_name)
        assert len(results) == 1, f"{task_name}: {len(results)} results\n{self.stdout}\n{self.stderr}"
        return results[0]

    @property
    def stats(self) -> dict[str, dict[str, int]]:
        return self.output.get("stats", {})


@dataclass
class SimRouter:
    thread: SimulatorThread
    certs: CertPaths
    state_path: Path
    request_log: Path
    tmp: Path

    @property
    def site(self):
        return self.thread.simulator.sites[0]

    @property
    def router(self):
        return self.site.router

    @property
    def tls_port(self) -> int:
        return self.site.tls_port

    def nat(self) -> list[dict[str, str]]:
        """The NAT table as the router prints it (counters left out)."""
        rows = [attrs for word, attrs in self.router.execute("/ip/firewall/nat/print", []) if word == "!re"]
        return [{k: v for k, v in row.items() if k not in ("bytes", "packets")} for row in rows]

    def writes_logged(self) -> list[str]:
        """Command words of every write the router received (from the request log)."""
        writes = []
        if not self.request_log.exists():
            return writes
        for line in self.request_log.read_text().splitlines():
            entry = json.loads(line)
            sentence = entry.get("sentence") or entry.get("words") or []
            command = sentence[0] if sentence else ""
            if command.rsplit("/", 1)[-1] in WRITE_COMMANDS:
                writes.append(command)
        return writes

    def connection_vars(self) -> dict[str, Any]:
        return dict(
            hostname="127.0.0.1",
            port=self.tls_port,
            username=USERNAME,
            password=PASSWORD,
            ca_path=str(self.certs.ca),
        )

    def run_tasks(
        self,
        tasks: Sequence[dict[str, Any]],
        *,
        check: bool = False,
        diff: bool = False,
        extra_args: Sequence[str] = (),
    ) -> PlaybookRun:
        play = [
            {
                "name": "hairpin integration",
                "hosts": "router",
                "gather_facts": False,
                "module_defaults": {"group/hairpin.routeros.api": self.connection_vars()},
                "tasks": list(tasks),
            }
        ]
        return run_playbook(play, self.tmp, check=check, diff=diff, extra_args=extra_args)


def run_playbook(
    play: list[dict[str, Any]],
    tmp: Path,
    *,
    check: bool = False,
    diff: bool = False,
    extra_args: Sequence[str] = (),
    inventory: str = "router ansible_connection=local ansible_python_interpreter={python}\n",
) -> PlaybookRun:
    playbook = tmp / "playbook.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    inventory_path = tmp / "inventory.ini"
    inventory_path.write_text(inventory.format(python=ANSIBLE_BIN / "python"))
    env = dict(
        os.environ,
        # Our collection from this checkout; ansible.posix (the JSON callback) from the `ansible`
        # package in this venv, also when ANSIBLE_BIN is another ansible-core's venv.
        ANSIBLE_COLLECTIONS_PATH=os.pathsep.join([str(COLLECTIONS), sysconfig.get_paths()["purelib"]]),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-local"),
        ANSIBLE_HOME=str(tmp / "ansible-home"),
    )
    command = [str(ANSIBLE_BIN / "ansible-playbook"), "-i", str(inventory_path), str(playbook), *extra_args]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    try:
        output = json.loads(proc.stdout)
    except json.JSONDecodeError:
        output = {}
    return PlaybookRun(proc.returncode, output, proc.stdout, proc.stderr)

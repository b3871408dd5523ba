"""`ansible-playbook` run as a user runs it, with this checkout's collection.

Every run gets the same environment (`ansible_env`): the collection from build/collections, no
colour, no retry files, Ansible's temporary and home directories inside the run's own directory.
With the JSON callback (the default here) a test reads the returned data from `PlaybookRun.output`;
with `callback=None` the output is what a user and a CI log see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sysconfig
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import yaml

from tests.support.paths import ANSIBLE_BIN, COLLECTIONS

JSON_CALLBACK = "ansible.posix.json"
Target = Union[str, Path]


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

    def host_results(self, task_name: str) -> dict[str, dict[str, Any]]:
        """Inventory host -> result of the task called `task_name`."""
        found: dict[str, dict[str, Any]] = {}
        for play in self.output.get("plays", []):
            for task in play["tasks"]:
                if task["task"]["name"] == task_name:
                    found.update(task["hosts"])
        return found

    @property
    def stats(self) -> dict[str, dict[str, int]]:
        return self.output.get("stats", {})


def ansible_env(
    workdir: Path, *, callback: str | None = JSON_CALLBACK, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of every ansible-playbook run of the tests, the benchmarks and the demo."""
    env = dict(
        os.environ,
        # The collection from this checkout; ansible.posix (the JSON callback) and
        # community.routeros from the `ansible` package of this venv, also when another
        # ansible-core (HAIRPIN_ANSIBLE_BIN) drives the run.
        ANSIBLE_COLLECTIONS_PATH=os.pathsep.join([str(COLLECTIONS), sysconfig.get_paths()["purelib"]]),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-local"),
        ANSIBLE_HOME=str(workdir / "ansible-home"),
    )
    if callback:
        env["ANSIBLE_STDOUT_CALLBACK"] = callback
    else:
        env.pop("ANSIBLE_STDOUT_CALLBACK", None)
    env.update(extra or {})
    return env


def playbook_command(
    target: Target,
    inventories: Sequence[Path],
    *,
    check: bool = False,
    diff: bool = False,
    verbosity: int = 0,
    forks: int | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """`ansible-playbook TARGET -i INVENTORY... [-f N] [-v...] [--check] [--diff] EXTRA...`."""
    command = [str(ANSIBLE_BIN / "ansible-playbook"), str(target)]
    for inventory in inventories:
        command += ["-i", str(inventory)]
    if forks is not None:
        command += ["-f", str(forks)]
    if verbosity:
        command.append("-" + "v" * verbosity)
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    return [*command, *extra_args]


@dataclass
class RunningPlaybook:
    process: subprocess.Popen[str]

    def finish(self, timeout: float = 300) -> PlaybookRun:
        try:
            stdout, stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            stdout, stderr = self.process.communicate()
            raise AssertionError(f"ansible-playbook did not finish within {timeout}s:\n{stdout}\n{stderr}") from None
        return PlaybookRun(self.process.returncode, parse_json_output(stdout), stdout, stderr)


def start_playbook(
    target: Target,
    inventories: Sequence[Path],
    workdir: Path,
    *,
    check: bool = False,
    diff: bool = False,
    verbosity: int = 0,
    forks: int | None = None,
    callback: str | None = JSON_CALLBACK,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> RunningPlaybook:
    """Start `ansible-playbook` (see run_playbook) without waiting for it."""
    command = playbook_command(
        target, inventories, check=check, diff=diff, verbosity=verbosity, forks=forks, extra_args=extra_args
    )
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ansible_env(workdir, callback=callback, extra=env),
        cwd=cwd,
    )
    return RunningPlaybook(process)


def run_playbook(
    target: Target, inventories: Sequence[Path], workdir: Path, *, timeout: float = 300, **options: Any
) -> PlaybookRun:
    """Run `ansible-playbook` on `target` (a playbook file or a collection's playbook name) and
    keep all of its output; `options` are start_playbook's. Ansible's own files go to `workdir`;
    it runs in `cwd` (default: this process's)."""
    return start_playbook(target, inventories, workdir, **options).finish(timeout)


# One host that runs the modules on the controller, with the Python that drives the run.
LOCAL_INVENTORY = "router ansible_connection=local ansible_python_interpreter={python}\n"


def run_play(
    play: list[dict[str, Any]],
    workdir: Path,
    *,
    check: bool = False,
    diff: bool = False,
    extra_args: Sequence[str] = (),
    inventory: str = LOCAL_INVENTORY,
    timeout: float = 300,
) -> PlaybookRun:
    """Run an ad-hoc play (as data) against an INI `inventory`, whose `{python}` is the Python
    of the ansible-core that drives the run; both are written to `workdir`."""
    playbook = write_yaml(workdir / "playbook.yml", play)
    inventory_path = workdir / "inventory.ini"
    inventory_path.write_text(inventory.format(python=ANSIBLE_BIN / "python"))
    return run_playbook(
        playbook, [inventory_path], workdir, check=check, diff=diff, extra_args=extra_args, timeout=timeout
    )


def parse_json_output(stdout: str) -> dict[str, Any]:
    """The JSON callback's document; with -v and more it follows the verbose lines."""
    start = 0 if stdout.startswith("{") else stdout.find("\n{\n")
    if start < 0:
        return {}
    try:
        return json.loads(stdout[start:])
    except json.JSONDecodeError:
        return {}


def write_yaml(path: Path, data: Any) -> Path:
    """Write a playbook or an inventory (any text, as given: quotes, non-ASCII)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path

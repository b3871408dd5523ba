"""What the benchmarks measure of a command: wall time, CPU time and peak memory of its process tree.

CPU time is the command's own plus every descendant it waited for (Ansible's workers and the
module processes they start), from wait4(). Peak memory is sampled: the largest sum of the
proportional set size (PSS: shared pages split between the processes that share them, so the
forked workers are not counted many times over) of the process and its descendants.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.2


@dataclass
class Usage:
    wall_s: float
    cpu_s: float
    peak_pss_mb: float
    max_rss_mb: float  # of the largest single process
    returncode: int


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _tree(root: int) -> list[int]:
    children = _children_map()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as smaps:
            for line in smaps:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_mb(root: int) -> float:
    return sum(_pss_kb(pid) for pid in _tree(root)) / 1024


class _Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_mb = max(self.peak_mb, tree_pss_mb(self.pid))
            self.done.wait(SAMPLE_SECONDS)


def run_measured(
    command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path, timeout: float = 3600
) -> Usage:
    """Run `command` with its output in `log`, and measure it."""
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(command), env=dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = _Sampler(proc.pid)
        sampler.start()
        deadline = start + timeout
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
            time.sleep(0.02)
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Usage(
        wall_s=wall,
        cpu_s=rusage.ru_utime + rusage.ru_stime,
        peak_pss_mb=sampler.peak_mb,
        max_rss_mb=rusage.ru_maxrss / 1024,
        returncode=proc.returncode,
    )


def process_cpu_s(pid: int) -> float:
    """CPU seconds a running process (e.g. the simulator) has used so far."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks

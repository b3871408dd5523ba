"""Simulated routers to run playbooks against: in this process (a thread serving one router or a
fleet, TLS on 127.0.0.1 with ephemeral ports), or as a `routeros-sim serve` process (the demo,
the benchmarks).

One user and password per simulator: USERNAME and PASSWORD unless a suite chooses others (the
reliability suite's password is hostile on purpose).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from routeros_sim import state
from routeros_sim.certs import CertPaths, server_ssl_context
from routeros_sim.router import Router
from routeros_sim.server import RouterSite, Simulator, SimulatorThread
from tests.support.paths import BIN, STOCK_ROUTER
from tests.support.playbook import PlaybookRun, run_play
from tests.support.tables import is_write, nat_rows

# RouterSite and SimulatorThread are the simulator's types the suites name: from here, one place.
__all__ = [
    "PASSWORD",
    "USERNAME",
    "RouterSite",
    "Routers",
    "ServedProcess",
    "SimRouter",
    "SimulatorThread",
    "memory_router",
    "persistent_router",
    "serve",
    "serve_process",
]

USERNAME = "admin"
PASSWORD = "integration-Pa55word"
# A router kept in memory, or one whose every change is saved to its state file.
Served = Union[Router, tuple[Router, Path]]


def persistent_router(state_path: Path, *, seed: Path | None = None, state_from: Path | None = None) -> Router:
    """A router saved to `state_path` after every change: a new one from the export `seed`, or
    the state file `state_from` continued."""
    if state_from is not None:
        shutil.copyfile(state_from, state_path)
    router = state.load_router(state_path, seed=seed)
    state.attach_persistence(router, state_path)
    state.save_router(router, state_path)
    return router


def memory_router(seed: Path = STOCK_ROUTER) -> Router:
    """A router seeded from an export, in memory (no state file: nothing to fsync per write)."""
    return state.load_router(Path("/nonexistent/hairpin-test-router.json"), seed=seed)


def serve(
    routers: Sequence[Served],
    certs: CertPaths,
    *,
    password: str,
    username: str = USERNAME,
    request_log: Path | None = None,
    ssl_context: Any = None,
) -> SimulatorThread:
    """Serve `routers` from a thread of this process: router i on its own API and API-SSL port
    (127.0.0.1, ephemeral), the certificate from `certs` unless `ssl_context` says otherwise."""
    simulator = Simulator(
        list(routers),
        host="127.0.0.1",
        port=0,
        tls_port=0,
        ssl_context=ssl_context or server_ssl_context(certs),
        username=username,
        password=password,
        request_log=request_log,
    )
    return SimulatorThread(simulator).start()


@dataclass
class SimRouter:
    """One simulated router with a state file and a request log, served over TLS."""

    thread: SimulatorThread
    certs: CertPaths
    state_path: Path
    request_log: Path
    tmp: Path
    username: str = USERNAME
    password: str = PASSWORD

    @classmethod
    def start(
        cls,
        workdir: Path,
        certs: CertPaths,
        *,
        state_path: Path,
        request_log: Path,
        seed: Path | None = STOCK_ROUTER,
        state_from: Path | None = None,
        username: str = USERNAME,
        password: str = PASSWORD,
    ) -> SimRouter:
        """Serve a router (from `seed`, or continuing `state_from`) saved to `state_path`."""
        workdir.mkdir(parents=True, exist_ok=True)
        router = persistent_router(state_path, seed=seed, state_from=state_from)
        thread = serve([(router, state_path)], certs, password=password, username=username, request_log=request_log)
        return cls(thread, certs, state_path, request_log, workdir, username, password)

    def stop(self) -> None:
        if self.thread.running:
            self.thread.stop()

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
        return nat_rows(self.router)

    def writes_logged(self) -> list[str]:
        """Command words of every write the router received (from the request log)."""
        if not self.request_log.exists():
            return []
        writes = []
        for line in self.request_log.read_text().splitlines():
            entry = json.loads(line)
            sentence = entry.get("sentence") or entry.get("words") or []
            command = sentence[0] if sentence else ""
            if is_write(command):
                writes.append(command)
        return writes

    def connection_vars(self) -> dict[str, Any]:
        """The modules' connection options for this router (module_defaults of group/hairpin.routeros.api)."""
        return dict(
            hostname="127.0.0.1",
            port=self.tls_port,
            username=self.username,
            password=self.password,
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
        """Run `tasks` as one play against this router (module_defaults: its connection)."""
        play = [
            {
                "name": "hairpin integration",
                "hosts": "router",
                "gather_facts": False,
                "module_defaults": {"group/hairpin.routeros.api": self.connection_vars()},
                "tasks": list(tasks),
            }
        ]
        return run_play(play, self.tmp, check=check, diff=diff, extra_args=extra_args)


# --------------------------------------------------------------------------------------------
# routeros-sim serve, as a user starts it


@dataclass
class ServedProcess:
    process: subprocess.Popen
    ready: dict[str, Any]  # what `--ready-file` says: ports, state files, the CA

    @property
    def tls_ports(self) -> list[int]:
        return [int(router["tls_port"]) for router in self.ready.get("routers") or [self.ready]]


def start_process(
    workdir: Path,
    *,
    state_path: Path,
    cert_dir: Path,
    password: str,
    seed: Path = STOCK_ROUTER,
    username: str = USERNAME,
    options: Sequence[str] = (),
    start_timeout: float = 120,
    detached: bool = False,
) -> ServedProcess:
    """Start `routeros-sim serve` on 127.0.0.1 with ephemeral ports (plus `options`, e.g.
    `--count=200`) and wait until it listens; its output goes to <workdir>/simulator.log. The
    caller stops it; `detached`: in a session of its own, so it outlives the caller's terminal."""
    workdir.mkdir(parents=True, exist_ok=True)
    ready = workdir / "ready.json"
    ready.unlink(missing_ok=True)
    command = [
        str(BIN / "routeros-sim"), "serve",
        "--listen=127.0.0.1", "--port=0", "--tls-port=0",
        f"--cert-dir={cert_dir}", f"--state={state_path}", f"--seed={seed}",
        f"--username={username}", f"--password={password}",
        f"--ready-file={ready}", *options,
    ]  # fmt: skip
    log_path = workdir / "simulator.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=detached
        )
    # The simulator writes the ready file (atomically) once every listener is bound; a process
    # has no other way to tell this one.
    deadline = time.monotonic() + start_timeout
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise SystemExit(f"the simulator did not start; see {log_path}")
        time.sleep(0.1)
    return ServedProcess(process, json.loads(ready.read_text()))


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serve_process(workdir: Path, **options: Any) -> Iterator[ServedProcess]:
    """start_process(workdir, **options), stopped when the block ends."""
    served = start_process(workdir, **options)
    try:
        yield served
    finally:
        stop_process(served.process)


class Routers:
    """The simulated routers a fixture starts, all stopped when it ends (`stop_all`)."""

    def __init__(self, certs: CertPaths) -> None:
        self.certs = certs
        self.started: list[SimRouter] = []

    def start(self, workdir: Path, **options: Any) -> SimRouter:
        """SimRouter.start with this fixture's certificates."""
        router = SimRouter.start(workdir, self.certs, **options)
        self.started.append(router)
        return router

    def stop_all(self) -> None:
        for router in self.started:
            router.stop()

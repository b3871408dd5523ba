"""Fixtures of the integration tests (the helpers live in support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import PASSWORD, STOCK_ROUTER, USERNAME, SimRouter

from routeros_sim import state
from routeros_sim.certs import CertPaths, ensure_certs, server_ssl_context
from routeros_sim.server import Simulator, SimulatorThread


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertPaths:
    return ensure_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def start_router(tmp_path: Path, certs: CertPaths) -> Iterator[Any]:
    threads: list[SimulatorThread] = []

    def start(seed: Path = STOCK_ROUTER, name: str = "router") -> SimRouter:
        state_path = tmp_path / f"{name}.json"
        router = state.load_router(state_path, seed=seed)
        state.attach_persistence(router, state_path)
        state.save_router(router, state_path)
        request_log = tmp_path / f"{name}-requests.jsonl"
        simulator = Simulator(
            [(router, state_path)],
            host="127.0.0.1",
            port=0,
            tls_port=0,
            ssl_context=server_ssl_context(certs),
            username=USERNAME,
            password=PASSWORD,
            request_log=request_log,
        )
        thread = SimulatorThread(simulator).start()
        threads.append(thread)
        workdir = tmp_path / name
        workdir.mkdir()
        return SimRouter(thread, certs, state_path, request_log, workdir)

    yield start
    for thread in threads:
        thread.stop()


@pytest.fixture
def stock_router(start_router) -> SimRouter:
    return start_router()

"""Fixtures of the integration tests (the helpers live in tests/support)."""

from __future__ import annotations

import sys
from pathlib import Path

# The shared support is imported as tests.support, from the repository root.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from tests.support.paths import use_checkout  # noqa: E402

use_checkout()

from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from routeros_sim.certs import CertPaths, ensure_certs  # noqa: E402
from tests.support.paths import STOCK_ROUTER  # noqa: E402
from tests.support.simulator import Routers, SimRouter  # noqa: E402


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertPaths:
    return ensure_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def start_router(tmp_path: Path, certs: CertPaths) -> Iterator[Any]:
    """start_router(seed=STOCK_ROUTER, name="router"): a simulated router of this test."""
    routers = Routers(certs)

    def start(seed: Path = STOCK_ROUTER, name: str = "router") -> SimRouter:
        return routers.start(
            tmp_path / name,
            seed=seed,
            state_path=tmp_path / f"{name}.json",
            request_log=tmp_path / f"{name}-requests.jsonl",
        )

    yield start
    routers.stop_all()


@pytest.fixture
def stock_router(start_router) -> SimRouter:
    return start_router()

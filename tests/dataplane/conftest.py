"""Fixtures of the dataplane tests: simulated routers that a playbook configures, and network
namespaces (root or CAP_NET_ADMIN) in which their NAT tables carry real traffic.

The tests are skipped, with the reason, only where `ip netns add` fails; a missing `nft` is a
failure (`.ci/run` installs nftables).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# The shared support is imported as tests.support, from the repository root.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from tests.support.paths import use_checkout  # noqa: E402

use_checkout()

from collections.abc import Callable, Iterator  # noqa: E402

import pytest  # noqa: E402

from tests.support.simulator import Routers, SimRouter  # noqa: E402

# The dataplane tests use the integration tests' names (support, role_support) too.
_INTEGRATION = str(Path(__file__).resolve().parents[1] / "integration")
if _INTEGRATION not in sys.path:
    sys.path.insert(0, _INTEGRATION)

from lab import namespaces_work, remove_stale_namespaces  # noqa: E402

from routeros_sim.certs import CertPaths, ensure_certs  # noqa: E402


@pytest.fixture(scope="session")
def namespaces() -> None:
    """Network namespaces work here (else skip, saying why); ip and nft are installed (else fail)."""
    if shutil.which("ip") is None:
        pytest.fail("ip is not installed: the dataplane tests need iproute2 (apt-get install -y iproute2)")
    problem = namespaces_work()
    if problem is not None:
        pytest.skip(problem)
    if shutil.which("nft") is None:
        pytest.fail("nft is not installed: the dataplane tests need nftables (apt-get install -y nftables)")
    remove_stale_namespaces()


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertPaths:
    return ensure_certs(tmp_path_factory.mktemp("certs"))


StartRouter = Callable[..., SimRouter]


@pytest.fixture(scope="session")
def start_router(tmp_path_factory: pytest.TempPathFactory, certs: CertPaths) -> Iterator[StartRouter]:
    """start_router(name, seed=None, state_from=None): a simulator (TLS on 127.0.0.1, port 0)
    for a router seeded from ``seed`` or continuing the state file ``state_from``."""
    routers = Routers(certs)

    def start(name: str, *, seed: Path | None = None, state_from: Path | None = None) -> SimRouter:
        workdir = tmp_path_factory.mktemp(name)
        return routers.start(
            workdir,
            seed=seed,
            state_from=state_from,
            state_path=workdir / "router.json",
            request_log=workdir / "requests.jsonl",
        )

    yield start
    routers.stop_all()

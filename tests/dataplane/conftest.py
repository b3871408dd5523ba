"""Fixtures of the dataplane tests: simulated routers that a playbook configures, and network
namespaces (root or CAP_NET_ADMIN) in which their NAT tables carry real traffic.

The tests are skipped, with the reason, only where `ip netns add` fails; a missing `nft` is a
failure (`.ci/run` installs nftables).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
COLLECTIONS = REPO / "build" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "hairpin" / "routeros"


def _ensure_collection_link() -> None:
    # The repository is the collection; it is imported as ansible_collections.hairpin.routeros
    # through build/collections (made by `make setup`; made here too for a bare pytest run).
    if not (LINK.is_symlink() and LINK.resolve() == REPO):
        LINK.parent.mkdir(parents=True, exist_ok=True)
        temporary = LINK.with_name(f"routeros.{os.getpid()}.tmp")
        temporary.symlink_to(REPO, target_is_directory=True)
        os.replace(temporary, LINK)


_ensure_collection_link()
for path in (COLLECTIONS, REPO / "tests" / "integration"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from lab import namespaces_work, remove_stale_namespaces  # noqa: E402
from support import PASSWORD, USERNAME, SimRouter  # noqa: E402

from routeros_sim import state  # noqa: E402
from routeros_sim.certs import CertPaths, ensure_certs, server_ssl_context  # noqa: E402
from routeros_sim.server import Simulator, SimulatorThread  # noqa: E402


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
    threads: list[SimulatorThread] = []

    def start(name: str, *, seed: Path | None = None, state_from: Path | None = None) -> SimRouter:
        workdir = tmp_path_factory.mktemp(name)
        state_path = workdir / "router.json"
        if state_from is not None:
            shutil.copyfile(state_from, state_path)
        router = state.load_router(state_path, seed=seed)
        state.attach_persistence(router, state_path)
        state.save_router(router, state_path)
        simulator = Simulator(
            [(router, state_path)],
            host="127.0.0.1",
            port=0,
            tls_port=0,
            ssl_context=server_ssl_context(certs),
            username=USERNAME,
            password=PASSWORD,
            request_log=workdir / "requests.jsonl",
        )
        thread = SimulatorThread(simulator).start()
        threads.append(thread)
        return SimRouter(thread, certs, state_path, workdir / "requests.jsonl", workdir)

    yield start
    for thread in threads:
        if thread.running:
            thread.stop()

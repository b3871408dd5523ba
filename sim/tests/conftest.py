"""Shared fixtures: a simulator running in-process (own thread, own event loop) on 127.0.0.1.

``sim`` is one router with a plain and an API-SSL listener on ephemeral ports, a state file in
``tmp_path`` and a CA for hostname-checked TLS.  ``start_sim(...)`` starts more with other options
(latency, faults, several routers, request log).  ``raw_client(port)`` speaks the wire protocol
directly, for what librouteros cannot send (tags, pipelining, garbage).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import librouteros
import pytest

from routeros_sim import state
from routeros_sim.certs import CertPaths, ensure_certs, server_ssl_context
from routeros_sim.protocol import SentenceDecoder, decode_text, encode_sentence
from routeros_sim.router import Router
from routeros_sim.server import RouterSite, Simulator, SimulatorThread, Stats

USERNAME = "admin"
PASSWORD = "s3cret"


def load_router(state_path: Path, version: str | None = None, seed: str | Path | None = None) -> Router:
    """The router kept in ``state_path``, saving itself there after every change; a new one starts
    from ``seed`` (a file, or a stock seed's name such as ``routeros7-defconf``) when given."""
    router = state.load_router(state_path, seed=None if seed is None else state.seed_path(seed), version=version)
    state.attach_persistence(router, state_path)
    return router


def nat_rules_in_state(state_path: Path) -> list[dict[str, str]]:
    """The NAT rules a state file holds, read back through the state layer."""
    replies = state.load_router(state_path).execute("/ip/firewall/nat/print", [])
    return [attrs for word, attrs in replies if word == "!re"]


# --------------------------------------------------------------------------------------------
# Running simulators


@dataclass
class RunningSim:
    """A simulator started by ``start_sim``; the single-router shortcuts name router 1."""

    thread: SimulatorThread
    certs: CertPaths
    state_paths: list[Path]
    request_log: Path | None = None
    username: str = USERNAME
    password: str = PASSWORD

    @property
    def simulator(self) -> Simulator:
        return self.thread.simulator

    @property
    def site(self) -> RouterSite:
        return self.simulator.sites[0]

    @property
    def port(self) -> int:
        assert self.simulator.port is not None
        return self.simulator.port

    @property
    def tls_port(self) -> int:
        assert self.simulator.tls_port is not None
        return self.simulator.tls_port

    @property
    def router(self) -> Router:
        return self.site.router

    @property
    def stats(self) -> Stats:
        return self.site.stats

    @property
    def ca_path(self) -> Path:
        return self.certs.ca

    @property
    def state_path(self) -> Path:
        return self.state_paths[0]

    def nat_rules_in_state(self, index: int = 0) -> list[dict[str, str]]:
        return nat_rules_in_state(self.state_paths[index])

    def connect(self, port: int | None = None, **kwargs: Any) -> librouteros.api.Api:
        kwargs.setdefault("timeout", 5)
        return librouteros.connect("127.0.0.1", self.username, self.password, port=port or self.port, **kwargs)

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_path))


@pytest.fixture(scope="session")
def cert_paths(tmp_path_factory: pytest.TempPathFactory) -> CertPaths:
    return ensure_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def start_sim(tmp_path: Path, cert_paths: CertPaths) -> Iterator[Callable[..., RunningSim]]:
    started: list[SimulatorThread] = []

    def start(
        *,
        count: int = 1,
        latency_ms: float = 0,
        faults: Sequence[str] = (),
        version: str | None = None,
        request_log: bool = False,
        tls: bool = True,
        name: str = "router",
        seed: str | Path | None = None,
    ) -> RunningSim:
        state_paths = [tmp_path / f"{name}-{i:03d}.json" for i in range(1, count + 1)]
        routers = [(load_router(path, version, seed), path) for path in state_paths]
        log_path = tmp_path / f"{name}-requests.jsonl" if request_log else None
        simulator = Simulator(
            routers,
            host="127.0.0.1",
            port=0,
            tls_port=0 if tls else None,
            ssl_context=server_ssl_context(cert_paths) if tls else None,
            username=USERNAME,
            password=PASSWORD,
            latency_ms=latency_ms,
            faults=faults,
            request_log=log_path,
        )
        thread = SimulatorThread(simulator).start()
        started.append(thread)
        return RunningSim(thread, cert_paths, state_paths, log_path)

    yield start
    for thread in started:
        thread.stop()


@pytest.fixture
def sim(start_sim: Callable[..., RunningSim]) -> RunningSim:
    return start_sim()


# --------------------------------------------------------------------------------------------
# A raw protocol client


class RawClient:
    """Blocking socket client that sends and receives sentences as lists of text words."""

    def __init__(self, port: int, *, timeout: float = 5, host: str = "127.0.0.1") -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.decoder = SentenceDecoder()
        self.received: list[list[str]] = []

    def send(self, *sentences: Sequence[str]) -> None:
        """Send whole sentences in one write (a pipelined batch)."""
        self.sock.sendall(b"".join(encode_sentence(words) for words in sentences))

    def send_bytes(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_sentence(self) -> list[str]:
        while not self.received:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed by the simulator")
            self.received.extend([decode_text(w) for w in s] for s in self.decoder.feed(data))
        return self.received.pop(0)

    def read_until_done(self, count: int = 1) -> list[list[str]]:
        """Sentences up to and including the ``count``-th ``!done`` (or a ``!fatal``)."""
        sentences: list[list[str]] = []
        while count:
            sentence = self.read_sentence()
            sentences.append(sentence)
            if sentence[0] == "!done":
                count -= 1
            if sentence[0] == "!fatal":
                break
        return sentences

    def login(self) -> None:
        self.send(["/login", f"=name={USERNAME}", f"=password={PASSWORD}"])
        assert self.read_until_done() == [["!done"]]

    def is_closed(self, timeout: float = 5) -> bool:
        """True when the simulator closed the connection (EOF or reset) within ``timeout``."""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_client() -> Iterator[Callable[..., RawClient]]:
    clients: list[RawClient] = []

    def connect(port: int, **kwargs: Any) -> RawClient:
        client = RawClient(port, **kwargs)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def router() -> Router:
    """A stock router with a fixed clock, driven through ``execute`` as the server drives it."""
    router = Router.empty()
    router.clock = lambda: datetime(2025, 1, 2, 3, 4, 5)
    return router


@pytest.fixture
def lists(router: Router) -> Router:
    """The router with the usual WAN/LAN interface lists."""
    for path, words in (
        ("/interface/list/add", ["=name=WAN"]),
        ("/interface/list/add", ["=name=LAN"]),
        ("/interface/list/member/add", ["=list=WAN", "=interface=ether1"]),
        ("/interface/list/member/add", ["=list=LAN", "=interface=bridge"]),
    ):
        assert router.execute(path, words)[-1][0] == "!done"
    return router

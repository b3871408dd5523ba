"""Shared fixtures: a simulator running in-process (own thread, own event loop) on 127.0.0.1.

``sim`` is one router with a plain and an API-SSL listener on ephemeral ports, a state file in
``tmp_path`` and a CA for hostname-checked TLS.  ``start_sim(...)`` starts more with other options
(latency, faults, several routers, request log).  ``raw_client(port)`` speaks the wire protocol
directly, for what librouteros cannot send (tags, pipelining, garbage).

The model comes from ``routeros_sim.state``/``routeros_sim.router`` when they exist; until then a
small stand-in router that follows the contract in ``sim/DESIGN.md`` keeps these tests running.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import librouteros
import pytest
from routeros_sim.certs import CertPaths, ensure_certs, server_ssl_context
from routeros_sim.protocol import SentenceDecoder, decode_text, encode_sentence
from routeros_sim.server import RouterSite, Simulator, SimulatorThread, Stats

USERNAME = "admin"
PASSWORD = "s3cret"

Reply = tuple[str, dict[str, str]]


def real_model_available() -> bool:
    return (
        importlib.util.find_spec("routeros_sim.router") is not None
        and importlib.util.find_spec("routeros_sim.state") is not None
    )


# --------------------------------------------------------------------------------------------
# Stand-in router (used only while routeros_sim.router does not exist)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


class StandInRouter:
    """A few menus with print/add/set/unset/remove/move/enable/disable, API queries and
    ``.proplist``; enough to exercise the server.  Not a model of RouterOS."""

    TABLES = ("/ip/firewall/nat", "/ip/address", "/interface")
    SINGLETONS = ("/system/identity",)
    WRITES = ("add", "set", "unset", "remove", "move", "enable", "disable")

    def __init__(self, version: str = "7.20.6") -> None:
        self.version = version
        self.tables: dict[str, list[dict[str, str]]] = {path: [] for path in self.TABLES}
        self.singletons: dict[str, dict[str, str]] = {"/system/identity": {"name": "MikroTik"}}
        self.next_id = 1
        self._callbacks: list[Callable[[StandInRouter], None]] = []
        for name in ("ether1", "ether2"):
            self.tables["/interface"].append({".id": self._new_id(), "name": name, "type": "ether"})

    def _new_id(self) -> str:
        value = f"*{self.next_id:X}"
        self.next_id += 1
        return value

    def on_change(self, callback: Callable[[StandInRouter], None]) -> None:
        self._callbacks.append(callback)

    def _changed(self) -> None:
        for callback in self._callbacks:
            callback(self)

    def is_write(self, command: str) -> bool:
        return command.rsplit("/", 1)[-1] in self.WRITES

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "tables": self.tables, "singletons": self.singletons, "next_id": self.next_id}

    @staticmethod
    def _trap(message: str) -> list[Reply]:
        return [("!trap", {"message": message}), ("!done", {})]

    def execute(self, command: str, words: list[str]) -> list[Reply]:
        path, _, verb = command.rpartition("/")
        attrs = {w[1:].partition("=")[0]: w[1:].partition("=")[2] for w in words if w.startswith("=")}
        queries = [w for w in words if w.startswith("?")]
        if path in self.singletons:
            return self._singleton(path, verb, attrs)
        if path not in self.tables:
            return self._trap("no such command prefix")
        items = self.tables[path]
        if verb == "print":
            proplist = attrs.get(".proplist")
            keys = proplist.split(",") if proplist else None
            rows = [item for item in items if _matches(item, queries)]
            replies: list[Reply] = [
                ("!re", {k: v for k, v in row.items() if keys is None or k in keys}) for row in rows
            ]
            if not rows and _version_tuple(self.version) >= (7, 18):
                replies.append(("!empty", {}))
            return [*replies, ("!done", {})]
        if verb == "add":
            item = {".id": self._new_id(), **{k: v for k, v in attrs.items() if not k.startswith(".")}}
            item.setdefault("disabled", "false")
            items.append(item)
            self._changed()
            return [("!done", {"ret": item[".id"]})]
        if verb not in self.WRITES:
            return self._trap("no such command")
        targets = self._find(items, attrs.get(".id", attrs.get("numbers", "")))
        if targets is None:
            return self._trap("no such item")
        if verb == "set":
            for item in targets:
                item.update({k: v for k, v in attrs.items() if not k.startswith(".") and k != "numbers"})
        elif verb == "unset":
            for item in targets:
                item.pop(attrs.get("value-name", ""), None)
        elif verb in ("enable", "disable"):
            for item in targets:
                item["disabled"] = "true" if verb == "disable" else "false"
        elif verb == "remove":
            for item in targets:
                items.remove(item)
        elif verb == "move":
            destination = self._find(items, attrs.get("destination", "")) if attrs.get("destination") else []
            if destination is None:
                return self._trap("no such item")
            for item in targets:
                items.remove(item)
            index = items.index(destination[0]) if destination else len(items)
            items[index:index] = targets
        self._changed()
        return [("!done", {})]

    @staticmethod
    def _find(items: list[dict[str, str]], ids: str) -> list[dict[str, str]] | None:
        found = []
        for wanted in filter(None, ids.split(",")):
            match = [item for item in items if item[".id"] == wanted]
            if not match:
                return None
            found.extend(match)
        return found or None

    def _singleton(self, path: str, verb: str, attrs: dict[str, str]) -> list[Reply]:
        values = self.singletons[path]
        if verb in ("print", "get"):
            return [("!re", dict(values)), ("!done", {})]
        if verb == "set":
            values.update({k: v for k, v in attrs.items() if not k.startswith(".")})
            self._changed()
            return [("!done", {})]
        return self._trap("no such command")


def _matches(item: dict[str, str], queries: Sequence[str]) -> bool:
    """API query words evaluated on a stack (help.mikrotik.com "API", "Queries")."""
    stack: list[bool] = []
    for query in queries:
        body = query[1:]
        if body.startswith("#"):
            for op in body[1:]:
                if op == "!" and stack:
                    stack.append(not stack.pop())
                elif op in "&|" and len(stack) >= 2:
                    right, left = stack.pop(), stack.pop()
                    stack.append(left and right if op == "&" else left or right)
                elif op == ".":
                    stack.append(stack[-1] if stack else True)
            continue
        if body[:1] in "=<>" and body[:1]:
            op, body = body[0], body[1:]
        else:
            op = "=" if "=" in body else "?"
        key, has_value, value = body.partition("=")
        if op == "?" or (op == "=" and not has_value):
            stack.append(key.lstrip("-") in item if not key.startswith("-") else key[1:] not in item)
        elif op == "=":
            stack.append(item.get(key) == value)
        else:
            current = item.get(key)
            stack.append(current is not None and (current < value if op == "<" else current > value))
    return all(stack)


# --------------------------------------------------------------------------------------------
# Loading a router with persistence


def load_router(state_path: Path, version: str | None = None) -> Any:
    """The router kept in ``state_path``, saving itself there after every change."""
    if real_model_available():
        from routeros_sim import state

        router = state.load_router(state_path, version=version)
        state.attach_persistence(router, state_path)
        return router
    router = StandInRouter(version or "7.20.6")

    def save(changed: StandInRouter) -> None:
        tmp = state_path.with_name(state_path.name + ".tmp")
        tmp.write_text(json.dumps(changed.to_json(), indent=2))
        os.replace(tmp, state_path)

    router.on_change(save)
    save(router)
    return router


def nat_rules_in_state(state_path: Path) -> list[dict[str, str]]:
    """The NAT rules a state file holds, read the way a user would (through the state layer)."""
    if real_model_available():
        from routeros_sim import state

        router = state.load_router(state_path)
        replies = router.execute("/ip/firewall/nat/print", [])
        return [attrs for word, attrs in replies if word == "!re"]
    return json.loads(state_path.read_text())["tables"]["/ip/firewall/nat"]


# --------------------------------------------------------------------------------------------
# Running simulators


@dataclass
class RunningSim:
    thread: SimulatorThread
    certs: CertPaths
    state_paths: list[Path]
    request_log: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

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
    def router(self) -> Any:
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

    username: str = USERNAME
    password: str = PASSWORD

    def nat_rules_in_state(self, index: int = 0) -> list[dict[str, str]]:
        return nat_rules_in_state(self.state_paths[index])

    def connect(self, port: int | None = None, **kwargs: Any) -> librouteros.api.Api:
        kwargs.setdefault("timeout", 5)
        return librouteros.connect("127.0.0.1", USERNAME, PASSWORD, port=port or self.port, **kwargs)

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
    ) -> RunningSim:
        state_paths = [tmp_path / f"{name}-{i:03d}.json" for i in range(1, count + 1)]
        routers = [(load_router(path, version), path) for path in state_paths]
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

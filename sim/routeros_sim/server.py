"""The API server: plain and API-SSL listeners in front of one or many routers.

Sessions follow RouterOS (help.mikrotik.com "API"; librouteros's own API analysis):

* login is the post-6.43 form ``/login =name= =password=`` → ``!done``; a wrong user or password
  gets ``!trap =message=invalid user name or password (6)`` then ``!done`` and the connection
  stays open, not logged in;
* any other command before login gets ``!fatal`` ``not logged in`` and the connection closes;
* ``/quit`` gets ``!fatal`` ``session terminated on request`` and the connection closes;
* ``.tag=X`` is stripped before the router sees the sentence and put back (right after the reply
  word) on every reply sentence to it; commands run in arrival order;
* ``/cancel =tag=X`` interrupts a command that has not been answered (only a stalled one can be):
  ``!trap =category=2 =message=interrupted`` for X, ``!done`` for the cancel, ``!done`` for X;
* empty sentences are ignored; malformed framing closes the connection.

Everything else (menus, validation, queries, ``!empty``) is the router's job, reached through the
contract in ``DESIGN.md``: ``router.execute(command, words) -> list[Reply]``,
``router.is_write(command)``.

Test hooks: a constant ``latency_ms`` before every answer (measured from the command's arrival,
so a pipelined batch costs one delay), per-router fault injection (:class:`Fault`), per-router
counters (:class:`Stats`) mirrored to ``<state file>.stats.json``, and a JSON-lines request log.

A session answers in batches: every queued command whose latency has passed is answered without
waiting in between, then the router's state (when it changed and a :class:`StateKeeper` was given)
and the counters are saved once, and only then are the batch's replies sent. So what a client saw
acknowledged is on disk, and so are the counters, at the cost of two saves per batch, not per command.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import re
import ssl
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Optional, Protocol, Union

from .protocol import ProtocolError, SentenceDecoder, decode_text, encode_sentence

LOG = logging.getLogger("routeros_sim.server")

Reply = tuple[str, dict[str, str]]
StatePath = Optional[Union[str, "os.PathLike[str]"]]

#: The message RouterOS (6.43 and later) sends for a refused ``/login``.
LOGIN_FAILED_MESSAGE = "invalid user name or password (6)"
NOT_LOGGED_IN_MESSAGE = "not logged in"
QUIT_MESSAGE = "session terminated on request"
INTERRUPTED_MESSAGE = "interrupted"

# Before login RouterOS limits what a client may send; these keep an unauthenticated peer cheap.
PRE_LOGIN_SENTENCE_BYTES = 64 * 1024
PRE_LOGIN_SENTENCES = 100

#: A batch (answered, then saved once, then sent) ends after this many reply sentences, so a client
#: that pipelines thousands of prints still gets answers streamed and never fills our memory.
BATCH_REPLY_SENTENCES = 4096

_KIND_RE = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
_REDACTED_PREFIXES = ("=password=",)


class RouterLike(Protocol):
    """What the server needs from ``router.Router`` (see DESIGN.md)."""

    version: str

    def execute(self, command: str, words: list[str]) -> list[Reply]: ...

    def is_write(self, command: str) -> bool: ...


class StateKeeper(Protocol):
    """What the server needs from ``state.Persistence``: the router's writes made inside
    ``deferred()`` are saved once, when the block ends (the save's error propagates from it)."""

    def deferred(self) -> contextlib.AbstractContextManager[None]: ...


# --------------------------------------------------------------------------------------------
# Counters and faults


@dataclass
class Stats:
    """Per-router counters, readable in-process and mirrored to ``<state>.stats.json``."""

    connections: int = 0
    logins: int = 0
    failed_logins: int = 0
    round_trips: int = 0
    commands: dict[str, int] = field(default_factory=dict)
    writes: int = 0

    def count_command(self, kind: str) -> None:
        self.commands[kind] = self.commands.get(kind, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


FAULT_KINDS = ("drop-before-write", "drop-after-write", "trap-on-command", "stall-on-command")


@dataclass(frozen=True)
class Fault:
    """One injected failure, fired once, when the router's Nth write (or command) arrives.

    * ``drop-before-write:N`` - the Nth write is not executed; the connection closes instead.
    * ``drop-after-write:N`` - the Nth write is executed and persisted, then the connection closes
      before the reply is sent.
    * ``trap-on-command:N`` - the Nth command gets ``!trap`` and changes nothing.
    * ``stall-on-command:N`` - the Nth command is never answered; the connection stays open.

    Commands are counted over the router's life in this process, across connections; only the
    commands a router executes count (``/login``, ``/quit`` and ``/cancel`` do not).
    """

    kind: str
    n: int

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (expected one of {', '.join(FAULT_KINDS)})")
        if self.n < 1:
            raise ValueError(f"fault {self.kind} needs N >= 1, got {self.n}")

    @classmethod
    def parse(cls, spec: str) -> Fault:
        kind, sep, number = spec.strip().partition(":")
        if not sep or not number.strip().isdigit():
            raise ValueError(f"fault {spec!r} is not KIND:N (e.g. drop-before-write:2)")
        return cls(kind.strip(), int(number))

    def __str__(self) -> str:
        return f"{self.kind}:{self.n}"


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def stats_path_for(state_path: str | os.PathLike[str]) -> Path:
    """Where the counters of the router kept in ``state_path`` are written."""
    state = Path(state_path)
    return state.with_name(state.name + ".stats.json")


class RouterSite:
    """One served router: its model, state file, counters, faults and bound ports."""

    def __init__(
        self,
        index: int,
        router: RouterLike,
        state_path: str | os.PathLike[str] | None = None,
        keeper: StateKeeper | None = None,
    ) -> None:
        self.index = index  # 1-based, as shown to users
        self.router = router
        self.state_path = Path(state_path) if state_path is not None else None
        # Without a keeper the router saves itself (or not) after every write, as it was set up to.
        self.keeper = keeper
        self.stats = Stats()
        self.faults: list[Fault] = []
        self.port: int | None = None
        self.tls_port: int | None = None
        # Ordinals over the router's life, for fault injection.
        self.command_seq = 0
        self.write_seq = 0

    @property
    def stats_path(self) -> Path | None:
        return stats_path_for(self.state_path) if self.state_path is not None else None

    def set_faults(self, faults: Sequence[Fault | str]) -> None:
        """Replace the faults (safe to call from another thread: one assignment)."""
        self.faults = [f if isinstance(f, Fault) else Fault.parse(f) for f in faults]

    def add_fault(self, fault: Fault | str) -> None:
        self.set_faults([*self.faults, fault])

    def clear_faults(self) -> None:
        self.faults = []

    def _fault(self, kind: str, ordinal: int) -> Fault | None:
        for fault in self.faults:
            if fault.kind == kind and fault.n == ordinal:
                return fault
        return None

    def deferred_saves(self) -> contextlib.AbstractContextManager[None]:
        """The router's writes inside the block are saved once, at its end (when it has a keeper)."""
        return self.keeper.deferred() if self.keeper is not None else contextlib.nullcontext()

    def write_stats(self) -> None:
        path = self.stats_path
        if path is None:
            return
        try:
            _write_json_atomic(path, self.stats.to_json())
        except OSError as exc:  # a full disk must not take the server down
            LOG.warning("cannot write %s: %s", path, exc)


# --------------------------------------------------------------------------------------------
# Request log


def redact(words: Sequence[str]) -> list[str]:
    """Words for logging: password values hidden."""
    out = []
    for word in words:
        for prefix in _REDACTED_PREFIXES:
            if word.startswith(prefix):
                word = prefix + "***"
        out.append(word)
    return out


class RequestLog:
    """JSON lines, one per command sentence, written as the command is answered."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._handle: IO[str] | None = open(self.path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115

    def write(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            return
        entry = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"), **entry}
        try:
            self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:
            LOG.warning("cannot write request log %s: %s", self.path, exc)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


# --------------------------------------------------------------------------------------------
# Sessions


@dataclass
class _Pending:
    words: list[str]
    arrival: float


@dataclass
class _Outcome:
    replies: list[list[str]] = field(default_factory=list)
    close: bool = False  # close the connection after sending the replies
    stall: bool = False  # never answer
    note: str | None = None  # for the request log (fault fired, error)
    wrote: bool = False  # the router executed a write: its answer needs the state saved first


def _attributes(words: Sequence[str]) -> dict[str, str]:
    """``=key=value`` words as a dict (other words ignored)."""
    attrs: dict[str, str] = {}
    for word in words:
        if word.startswith("="):
            key, _, value = word[1:].partition("=")
            attrs[key] = value
    return attrs


def _sentence(reply_word: str, attrs: dict[str, str], tag: str | None) -> list[str]:
    words = [reply_word]
    if tag is not None:
        words.append(f".tag={tag}")
    words.extend(f"={key}={value}" for key, value in attrs.items())
    return words


def _kind(command: str) -> str:
    kind = command.rstrip("/").rsplit("/", 1)[-1]
    return kind if _KIND_RE.match(kind) else "other"


class _Session:
    """One client connection."""

    def __init__(
        self,
        simulator: Simulator,
        site: RouterSite,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        tls: bool,
        number: int,
    ) -> None:
        self.sim = simulator
        self.site = site
        self.reader = reader
        self.writer = writer
        self.tls = tls
        self.number = number
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else str(peer)
        self.logged_in = False
        self.user: str | None = None
        self.decoder = SentenceDecoder(max_sentence_bytes=PRE_LOGIN_SENTENCE_BYTES)
        self.sentences_before_login = 0
        # Commands received and not yet answered, in order; None once the reader has stopped.
        self.pending: deque[Optional[_Pending]] = deque()
        self.arrived = asyncio.Event()
        self.unanswered = 0  # commands received and not yet answered (round-trip accounting)
        self.stalled: list[str | None] = []  # tags of commands that will never be answered
        self.closed = False

    # -- reading ----------------------------------------------------------------------------

    async def run(self) -> None:
        processor = asyncio.create_task(self._process())
        try:
            while not self.closed:
                try:
                    data = await self.reader.read(65536)
                except (ConnectionError, OSError, ssl.SSLError):
                    break
                if not data:
                    break
                try:
                    sentences = self.decoder.feed(data)
                except ProtocolError as exc:
                    LOG.info("router %d: closing %s: %s", self.site.index, self.peer, exc)
                    break
                if not self._accept(sentences):
                    break
            # Let what was already received be answered (a client may half-close after sending).
            self.pending.append(None)
            self.arrived.set()
            await processor
        finally:
            if not processor.done():
                processor.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await processor
            await self._close()

    def _accept(self, sentences: list[list[bytes]]) -> bool:
        """Queue decoded sentences; all of one read arrive together (one round trip)."""
        now = asyncio.get_running_loop().time()
        for raw in sentences:
            if not raw:
                continue  # RouterOS ignores empty sentences
            if not self.logged_in:
                self.sentences_before_login += 1
                if self.sentences_before_login > PRE_LOGIN_SENTENCES:
                    LOG.info("router %d: %s sent too much before login", self.site.index, self.peer)
                    return False
            if self.unanswered == 0:
                self.site.stats.round_trips += 1
            self.unanswered += 1
            self.pending.append(_Pending([decode_text(word) for word in raw], now))
        self.arrived.set()
        return True

    # -- answering --------------------------------------------------------------------------

    async def _process(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while not self.pending:
                self.arrived.clear()
                await self.arrived.wait()
            first = self.pending[0]
            if first is None or self.closed:
                return
            latency = self.sim.latency_ms / 1000.0
            due = first.arrival + latency
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.closed:
                return
            # The timer may fire a hair early; the first command is due all the same.
            answered = self._answer_batch(horizon=max(due, loop.time()), latency=latency)
            if not await self._send(answered):
                return

    def _answer_batch(self, horizon: float, latency: float) -> list[tuple[list[str], _Outcome]]:
        """Answer the queued commands due by ``horizon``, then save the state and the counters once.

        No await from the first answer to the saves: every command is counted as answered before
        the client can send anything more, and the client hears nothing before the state its
        writes made and the counters are on disk.
        """
        answered: list[tuple[list[str], _Outcome]] = []
        sentences = 0
        try:
            with self.site.deferred_saves():
                while self.pending and sentences < BATCH_REPLY_SENTENCES:
                    item = self.pending[0]
                    if item is None or item.arrival + latency > horizon:
                        break
                    self.pending.popleft()
                    outcome = self._answer_safely(item.words)
                    self.unanswered -= 1
                    answered.append((item.words, outcome))
                    sentences += len(outcome.replies)
                    if outcome.close:
                        break  # what follows a /quit or a dropped connection is never answered
        except Exception as exc:  # the state could not be saved (disk full, ...)
            LOG.error("router %d: cannot save the state: %s", self.site.index, exc)
            for words, outcome in answered:
                if outcome.wrote and outcome.replies:
                    tag = self._tag(words)
                    outcome.replies = self._internal_error(tag)
                    outcome.note = f"state not saved: {exc}"
        self.site.write_stats()
        return answered

    async def _send(self, answered: list[tuple[list[str], _Outcome]]) -> bool:
        """Log and send a batch's replies; False once the connection is closed."""
        for words, outcome in answered:
            self._log(words, outcome)
        data = b"".join(encode_sentence(reply) for _, outcome in answered for reply in outcome.replies)
        if data and not self.writer.is_closing():
            self.writer.write(data)
        if answered and answered[-1][1].close:
            # Flushes what was written, then ends the reader's wait with EOF.
            self.closed = True
            self.writer.close()
            return False
        try:
            await self.writer.drain()
        except (ConnectionError, OSError, ssl.SSLError):
            self.closed = True
            self.writer.close()
            return False
        return True

    def _answer_safely(self, sentence: list[str]) -> _Outcome:
        try:
            return self._answer(sentence)
        except Exception:  # the router must never take the server down
            LOG.exception("router %d: error answering %r", self.site.index, redact(sentence))
            return _Outcome(replies=self._internal_error(self._tag(sentence)), note="internal error")

    @staticmethod
    def _internal_error(tag: str | None) -> list[list[str]]:
        return [_sentence("!trap", {"message": "internal simulator error"}, tag), _sentence("!done", {}, tag)]

    @staticmethod
    def _tag(words: Sequence[str]) -> str | None:
        tag = None
        for word in words[1:]:
            if word.startswith(".tag="):
                tag = word[len(".tag=") :]
        return tag

    def _answer(self, sentence: list[str]) -> _Outcome:
        command = sentence[0]
        tag = self._tag(sentence)
        words = [w for w in sentence[1:] if not w.startswith(".tag=")]
        stats = self.site.stats
        stats.count_command(_kind(command))

        if command == "/quit":
            return _Outcome(replies=[["!fatal", QUIT_MESSAGE]], close=True)
        if command == "/login":
            return self._login(words, tag)
        if not self.logged_in:
            return _Outcome(replies=[["!fatal", NOT_LOGGED_IN_MESSAGE]], close=True)
        if command == "/cancel":
            return self._cancel(words, tag)
        if not command.startswith("/"):
            return _Outcome(
                replies=[_sentence("!trap", {"message": "no such command prefix"}, tag), _sentence("!done", {}, tag)]
            )
        return self._router_command(command, words, tag)

    def _login(self, words: list[str], tag: str | None) -> _Outcome:
        attrs = _attributes(words)
        name, password = attrs.get("name"), attrs.get("password", "")
        if name == self.sim.username and password == self.sim.password:
            self.logged_in = True
            self.user = name
            self.site.stats.logins += 1
            # Logged in: the normal limits apply from now on.
            self.decoder.max_sentence_bytes = SentenceDecoder().max_sentence_bytes
            return _Outcome(replies=[_sentence("!done", {}, tag)])
        self.site.stats.failed_logins += 1
        return _Outcome(
            replies=[_sentence("!trap", {"message": LOGIN_FAILED_MESSAGE}, tag), _sentence("!done", {}, tag)],
            note="login failed",
        )

    def _cancel(self, words: list[str], tag: str | None) -> _Outcome:
        attrs = _attributes(words)
        # Without =tag= every command still running is cancelled.
        targets = [t for t in self.stalled if "tag" not in attrs or t == attrs["tag"]]
        self.stalled = [t for t in self.stalled if t not in targets]
        interrupted = [_sentence("!trap", {"category": "2", "message": INTERRUPTED_MESSAGE}, t) for t in targets]
        finished = [_sentence("!done", {}, t) for t in targets]
        return _Outcome(replies=[*interrupted, _sentence("!done", {}, tag), *finished])

    def _router_command(self, command: str, words: list[str], tag: str | None) -> _Outcome:
        site, stats, router = self.site, self.site.stats, self.site.router
        site.command_seq += 1
        is_write = bool(router.is_write(command))
        if is_write:
            site.write_seq += 1
            stats.writes += 1

        fault = site._fault("trap-on-command", site.command_seq)
        if fault is not None:
            message = f"simulated failure ({fault})"
            return _Outcome(
                replies=[_sentence("!trap", {"message": message}, tag), _sentence("!done", {}, tag)], note=str(fault)
            )
        fault = site._fault("stall-on-command", site.command_seq)
        if fault is not None:
            self.stalled.append(tag)
            return _Outcome(stall=True, note=str(fault))
        if is_write:
            fault = site._fault("drop-before-write", site.write_seq)
            if fault is not None:
                return _Outcome(close=True, note=str(fault))

        replies = router.execute(command, words)

        wrote = is_write and not any(word == "!trap" for word, _ in replies)
        if is_write:
            fault = site._fault("drop-after-write", site.write_seq)
            if fault is not None:
                return _Outcome(close=True, note=str(fault), wrote=wrote)
        return _Outcome(replies=[_sentence(word, dict(attrs), tag) for word, attrs in replies], wrote=wrote)

    # -- bookkeeping ------------------------------------------------------------------------

    def _log(self, sentence: list[str], outcome: _Outcome) -> None:
        log = self.sim.request_log
        if log is None:
            return
        entry: dict[str, Any] = {
            "router": self.site.index,
            "connection": self.number,
            "peer": self.peer,
            "tls": self.tls,
            "words": redact(sentence),
            "replies": [words[0] for words in outcome.replies],
        }
        for words in outcome.replies:
            if words[0] == "!trap":
                entry["trap"] = _attributes(words).get("message", "")
            elif words[0] == "!fatal" and len(words) > 1:
                entry["fatal"] = words[1]
        if outcome.close:
            entry["closed"] = True
        if outcome.stall:
            entry["stalled"] = True
        if outcome.note:
            entry["note"] = outcome.note
        log.write(entry)

    async def _close(self) -> None:
        self.closed = True
        if not self.writer.is_closing():
            self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), timeout=2)

    def abort(self) -> None:
        self.closed = True
        transport = self.writer.transport
        if transport is not None and not transport.is_closing():
            transport.abort()


# --------------------------------------------------------------------------------------------
# The simulator


class Simulator:
    """Serves ``routers`` (router i on ``port + i`` and ``tls_port + i``; port 0 = any free port).

    ``await start()`` binds every listener; ``await stop()`` closes them and every connection.
    ``routers`` may be bare routers, ``(router, state_path)`` pairs or ``(router, state_path, keeper)``.
    The state path only tells where ``<state>.stats.json`` goes: persisting the router itself is the
    state layer's job. With a keeper (``state.attach_persistence``'s result) the writes of one
    pipelined batch are saved once, before its replies are sent; without one, whatever the router
    does on every write (``attach_persistence`` alone: a save per write) is all there is.
    """

    def __init__(
        self,
        routers: Sequence[RouterLike | tuple[RouterLike, StatePath] | tuple[RouterLike, StatePath, StateKeeper | None]],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls_port: int | None = None,
        ssl_context: ssl.SSLContext | None = None,
        username: str = "admin",
        password: str = "",
        latency_ms: float = 0,
        faults: Sequence[Fault | str] = (),
        request_log: str | os.PathLike[str] | None = None,
    ) -> None:
        if tls_port is not None and ssl_context is None:
            raise ValueError("a TLS port needs an ssl_context (see certs.server_ssl_context)")
        self.host = host
        self.base_port = port
        self.base_tls_port = tls_port
        self.ssl_context = ssl_context
        self.username = username
        self.password = password
        self.latency_ms = latency_ms
        self.sites: list[RouterSite] = []
        for i, entry in enumerate(routers, start=1):
            keeper: StateKeeper | None = None
            if not isinstance(entry, tuple):
                router, state_path = entry, None
            elif len(entry) == 2:
                router, state_path = entry
            else:
                router, state_path, keeper = entry
            site = RouterSite(i, router, state_path, keeper)
            site.set_faults(faults)
            self.sites.append(site)
        if not self.sites:
            raise ValueError("a simulator needs at least one router")
        self._request_log_path = request_log
        self.request_log: RequestLog | None = None
        self._servers: list[asyncio.Server] = []
        self._sessions: set[_Session] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._connection_numbers = 0
        self._stopped = asyncio.Event()

    # Convenience for the single-router case.
    @property
    def site(self) -> RouterSite:
        return self.sites[0]

    @property
    def port(self) -> int | None:
        return self.sites[0].port

    @property
    def tls_port(self) -> int | None:
        return self.sites[0].tls_port

    async def start(self) -> None:
        if self._request_log_path is not None:
            self.request_log = RequestLog(self._request_log_path)
        try:
            for offset, site in enumerate(self.sites):
                server = await asyncio.start_server(
                    self._handler(site, tls=False), self.host, self._port_for(self.base_port, offset)
                )
                self._servers.append(server)
                site.port = server.sockets[0].getsockname()[1]
                if self.base_tls_port is not None:
                    tls_server = await asyncio.start_server(
                        self._handler(site, tls=True),
                        self.host,
                        self._port_for(self.base_tls_port, offset),
                        ssl=self.ssl_context,
                        ssl_handshake_timeout=10,
                    )
                    self._servers.append(tls_server)
                    site.tls_port = tls_server.sockets[0].getsockname()[1]
                site.write_stats()
        except BaseException:
            await self.stop()
            raise

    @staticmethod
    def _port_for(base: int, offset: int) -> int:
        return 0 if base == 0 else base + offset

    def _handler(self, site: RouterSite, *, tls: bool) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._connection_numbers += 1
            session = _Session(self, site, reader, writer, tls, self._connection_numbers)
            site.stats.connections += 1
            site.write_stats()
            self._sessions.add(session)
            task = asyncio.current_task()
            if task is not None:
                self._tasks.add(task)  # type: ignore[arg-type]
            try:
                await session.run()
            except Exception:  # one broken session must never stop the others
                LOG.exception("router %d: session %s failed", site.index, session.peer)
                session.abort()
            finally:
                self._sessions.discard(session)
                if task is not None:
                    self._tasks.discard(task)  # type: ignore[arg-type]

        return handle

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for session in list(self._sessions):
            session.abort()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), timeout=5)
        self._servers.clear()
        for site in self.sites:
            site.write_stats()
        if self.request_log is not None:
            self.request_log.close()
            self.request_log = None
        self._stopped.set()

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    def describe(self) -> dict[str, Any]:
        """Bound addresses, as written to the CLI's ready file."""
        return {
            "pid": os.getpid(),
            "host": self.host,
            "routers": [
                {
                    "index": site.index,
                    "port": site.port,
                    "tls_port": site.tls_port,
                    "state": str(site.state_path) if site.state_path is not None else None,
                }
                for site in self.sites
            ],
        }


class SimulatorThread:
    """Runs a :class:`Simulator` on its own event loop in a background thread.

    For tests and tools that are synchronous (librouteros's blocking client)::

        with SimulatorThread(Simulator([router])) as sim:
            librouteros.connect("127.0.0.1", "admin", "", port=sim.port)
    """

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="routeros-sim", daemon=True)
        self._started = threading.Event()
        self._error: BaseException | None = None

    @property
    def port(self) -> int | None:
        return self.simulator.port

    @property
    def tls_port(self) -> int | None:
        return self.simulator.tls_port

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.simulator.start())
        except BaseException as exc:
            self._error = exc
            self._started.set()
            self.loop.close()
            return
        self._started.set()
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    def start(self, timeout: float = 10) -> SimulatorThread:
        self._thread.start()
        if not self._started.wait(timeout):
            raise TimeoutError("the simulator did not start")
        if self._error is not None:
            raise RuntimeError(f"the simulator did not start: {self._error}") from self._error
        return self

    def call(self, function: Callable[[], Any], timeout: float = 10) -> Any:
        """Run ``function()`` on the simulator's loop thread and return its result."""

        async def run() -> Any:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop(self, timeout: float = 10) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.simulator.stop(), self.loop).result(timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)

    def __enter__(self) -> SimulatorThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

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
import logging
import os
import ssl
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .faults import FAULT_KINDS, Fault
from .request_log import RequestLog, redact
from .session import (
    BATCH_REPLY_SENTENCES,
    INTERRUPTED_MESSAGE,
    LOGIN_FAILED_MESSAGE,
    NOT_LOGGED_IN_MESSAGE,
    PRE_LOGIN_SENTENCE_BYTES,
    PRE_LOGIN_SENTENCES,
    QUIT_MESSAGE,
    Session,
)
from .site import Reply, RouterLike, RouterSite, StateKeeper, StatePath, Stats, stats_path_for

__all__ = [
    "BATCH_REPLY_SENTENCES",
    "FAULT_KINDS",
    "INTERRUPTED_MESSAGE",
    "LOGIN_FAILED_MESSAGE",
    "NOT_LOGGED_IN_MESSAGE",
    "PRE_LOGIN_SENTENCES",
    "PRE_LOGIN_SENTENCE_BYTES",
    "QUIT_MESSAGE",
    "Fault",
    "Reply",
    "RequestLog",
    "RouterLike",
    "RouterSite",
    "Simulator",
    "SimulatorThread",
    "StateKeeper",
    "Stats",
    "redact",
    "stats_path_for",
]

LOG = logging.getLogger("routeros_sim.server")
# Seconds between two looks at the schedulers (RouterOS times them to the second).
SCHEDULER_TICK = 1.0

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
        self._sessions: set[Session] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._connection_numbers = 0
        self._stopped = asyncio.Event()
        self._ticker: asyncio.Task[None] | None = None

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
            self._ticker = asyncio.create_task(self._tick())
        except BaseException:
            await self.stop()
            raise

    async def _tick(self) -> None:
        """Once a second, each router runs what its scheduler has due, with no client connected."""
        while True:
            await asyncio.sleep(SCHEDULER_TICK)
            for site in self.sites:
                run_due = getattr(site.router, "run_due", None)
                if run_due is None:
                    continue
                try:
                    with site.deferred_saves():
                        run_due()
                except Exception:  # a broken state file must not stop the clock of the others
                    LOG.exception("router %d: the scheduler failed", site.index)

    @staticmethod
    def _port_for(base: int, offset: int) -> int:
        return 0 if base == 0 else base + offset

    def _handler(self, site: RouterSite, *, tls: bool) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._connection_numbers += 1
            session = Session(self, site, reader, writer, tls, self._connection_numbers)
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
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(BaseException):
                await self._ticker
            self._ticker = None
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

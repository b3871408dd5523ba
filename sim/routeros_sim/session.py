"""One client connection: login, ``.tag``, ``/quit``, ``/cancel``, latency, faults and batches.

A session answers in batches: every queued command whose latency has passed is answered without
waiting in between, then the router's state and the counters are saved once, and only then are the
batch's replies sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from .protocol import ProtocolError, SentenceDecoder, decode_text, encode_sentence
from .request_log import redact
from .site import RouterSite

if TYPE_CHECKING:
    from .server import Simulator

__all__ = [
    "BATCH_REPLY_SENTENCES",
    "INTERRUPTED_MESSAGE",
    "LOGIN_FAILED_MESSAGE",
    "NOT_LOGGED_IN_MESSAGE",
    "PRE_LOGIN_SENTENCES",
    "PRE_LOGIN_SENTENCE_BYTES",
    "QUIT_MESSAGE",
    "Session",
]

LOG = logging.getLogger("routeros_sim.server")

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


class Session:
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

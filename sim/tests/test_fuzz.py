"""Protocol fuzzing: whatever a peer sends, it gets well-formed replies or a closed connection, the
simulator keeps running, and a connection opened before the fuzzing still works afterwards."""

from __future__ import annotations

import logging
import random
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from routeros_sim.protocol import ProtocolError, SentenceDecoder, encode_length, encode_sentence, encode_word

if TYPE_CHECKING:
    from conftest import RunningSim

SEED = 20240611
TIME_BUDGET = 3.0  # seconds of fuzzing
REPLY_WORDS = {"!re", "!done", "!trap", "!fatal", "!empty"}


def exchange(port: int, data: bytes) -> tuple[list[list[bytes]], bool]:
    """Send ``data``, half-close, and read until the simulator closes: (replies, framing_ok)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)  # EOF: the simulator answers what it got, then closes
        except (BrokenPipeError, ConnectionResetError):
            pass  # already closed on us: an acceptable answer to garbage
        decoder = SentenceDecoder()
        replies: list[list[bytes]] = []
        try:
            while chunk := sock.recv(65536):
                replies.extend(decoder.feed(chunk))
        except ConnectionResetError:
            pass
        except ProtocolError:
            return replies, False
        return replies, not decoder.pending


def login(sim: RunningSim) -> bytes:
    return encode_sentence(["/login", f"=name={sim.username}", f"=password={sim.password}"])


def random_word(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 40))
    if kind == 1:
        return (
            "/" + "/".join(rng.choice(["ip", "firewall", "nat", "x", "", "print", "add"]) for _ in range(3))
        ).encode()
    if kind == 2:
        return f"={rng.choice(['chain', '.id', 'numbers', '', '='])}={rng.randbytes(3).hex()}".encode()
    if kind == 3:
        return f"?{rng.choice(['#!', '#|', '#&', '=a=b', '<x=1', '-y', '#', '#.'])}".encode()
    if kind == 4:
        return f".tag={rng.randrange(100)}".encode()
    return rng.choice([b"/quit", b"/cancel", b"/login", b"=.proplist=.id", b"/ip/firewall/nat/print"])


def random_sentence(rng: random.Random) -> bytes:
    return encode_sentence([random_word(rng) for _ in range(rng.randrange(1, 8))])


def garbage(rng: random.Random) -> bytes:
    return rng.randbytes(rng.randrange(1, 300))


def oversized(rng: random.Random) -> bytes:
    prefix = rng.choice(
        [
            b"\xf0\xff\xff\xff\xff",
            encode_length(0x0FFFFFFF),
            encode_length(0x10000000 + rng.randrange(1 << 20)),
            bytes([rng.randrange(0xF8, 0x100)]),
            bytes([rng.randrange(0xF1, 0xF8)]) + b"\x00" * 4,
        ]
    )
    return prefix + rng.randbytes(rng.randrange(0, 64))


def half_sentence(rng: random.Random) -> bytes:
    whole = encode_sentence([b"/ip/firewall/nat/print", b"=.proplist=" + b"x" * rng.randrange(200)])
    return whole[: rng.randrange(1, len(whole) - 1)]


def truncated_length(rng: random.Random) -> bytes:
    return encode_word(b"/system/identity/print")[:1] + encode_length(rng.randrange(0x4000, 0x200000))[:2]


def test_fuzzing_never_crashes_the_simulator(sim: RunningSim, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="routeros_sim")
    rng = random.Random(SEED)
    bystander = sim.connect(timeout=10)  # opened before the fuzzing, used after it
    assert tuple(bystander.path("system", "identity"))

    makers: list[Callable[[random.Random], bytes]] = [garbage, oversized, half_sentence, truncated_length]
    deadline = time.monotonic() + TIME_BUDGET
    rounds = 0
    while time.monotonic() < deadline and rounds < 400:
        rounds += 1
        logged_in = rng.random() < 0.6
        body = b"".join(
            rng.choice([*makers, random_sentence, random_sentence])(rng) for _ in range(rng.randrange(1, 5))
        )
        data = (login(sim) if logged_in else b"") + body
        replies, framing_ok = exchange(sim.port, data)
        assert framing_ok, f"round {rounds}: malformed reply stream to {data!r}"
        for sentence in replies:
            assert sentence and sentence[0].decode() in REPLY_WORDS, f"round {rounds}: odd reply {sentence!r}"
        fatal = [s for s in replies if s[0] == b"!fatal"]
        assert len(fatal) <= 1 and (not fatal or replies[-1] is fatal[0]), "nothing may follow !fatal"

    assert rounds >= 20, "the fuzzing budget was too small to mean anything"

    # Unknown commands after login get a !trap each, with the tag.
    replies, _ = exchange(sim.port, login(sim) + encode_sentence([b"/frobnicate/now", b".tag=77"]))
    assert replies[0] == [b"!done"]
    assert replies[1][:2] == [b"!trap", b".tag=77"]
    assert replies[-1] == [b"!done", b".tag=77"]

    # Still alive: the old connection and a new one both work.
    assert tuple(bystander.path("system", "identity"))
    bystander.close()
    fresh = sim.connect()
    assert tuple(fresh.path("interface"))
    fresh.close()
    assert sim.thread.running
    # Refusing input is routine (INFO); nothing the peers sent reached an unexpected error path.
    errors = [
        r.getMessage() for r in caplog.records if r.name.startswith("routeros_sim") and r.levelno >= logging.ERROR
    ]
    assert errors == []

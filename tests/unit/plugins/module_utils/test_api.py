# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The API connection: a batch of tagged commands in one write, answers matched by tag, and what
each way of failing says. librouteros reads and writes the sentences, from our buffered socket."""

from __future__ import annotations

import socket
from typing import Any, Dict, List, Optional, Sequence

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.api import (
    Command,
    CommandError,
    Connection,
    RouterError,
    _BufferedReads,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.converge import router_failure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from librouteros.connections import SocketTransport
from librouteros.exceptions import ConnectionClosed
from librouteros.protocol import ApiProtocol, encode_sentence


class ScriptedSocket:
    """A socket whose recv() hands out `data` in pieces of the given sizes (in turn), then EOF;
    or raises `error` once the data is used up."""

    def __init__(self, data: bytes, sizes: Sequence[int] = (1 << 20,), error: Optional[BaseException] = None):
        self.data = memoryview(data)
        self.sizes = list(sizes) or [1 << 20]
        self.error = error
        self.sent: List[bytes] = []
        self.closed = False
        self._turn = 0

    def recv(self, limit: int) -> bytes:
        if not self.data and self.error is not None:
            raise self.error
        size = min(limit, self.sizes[self._turn % len(self.sizes)])
        self._turn += 1
        piece, self.data = self.data[:size], self.data[size:]
        return bytes(piece)

    def sendall(self, data: bytes) -> None:
        self.sent.append(data)

    def close(self) -> None:
        self.closed = True


# --- a batch of tagged commands -------------------------------------------------------------


class FakeApi:
    """librouteros's Api as Connection uses it: its protocol (on our buffered transport, as after
    connect) and close()."""

    def __init__(self, transport: _BufferedReads):
        self.protocol = ApiProtocol(transport, encoding="utf-8")

    def close(self) -> None:
        self.protocol.transport.close()


def sentence(*words: str) -> bytes:
    return encode_sentence(*words, encoding="utf-8")


def router_answering(reply: bytes, sizes: Sequence[int] = (1 << 20,), error: Optional[BaseException] = None):
    sock = ScriptedSocket(reply, sizes, error)
    return Connection(FakeApi(_BufferedReads(SocketTransport(sock))), "192.0.2.1:8729", 10), sock


def test_a_batch_is_one_write_and_answers_are_matched_by_tag():
    reply = (
        sentence("!re", "=.id=*2", "=name=ether1", "=mtu=1500", "=running=yes", "=comment=00", ".tag=1")
        + sentence("!re", "=.id=*1", "=chain=dstnat", "=disabled=false", ".tag=0")
        + sentence("!done", ".tag=1")
        + sentence("!done", "=ret=*9", ".tag=0")
    )
    router, sock = router_answering(reply, [7])
    commands = [Command("/ip/firewall/nat/add", {"chain": "dstnat"}), Command("/interface/print")]
    results = router.run(commands)
    assert sock.sent == [
        sentence("/ip/firewall/nat/add", "=chain=dstnat", ".tag=0") + sentence("/interface/print", ".tag=1")
    ]
    assert router.round_trips == 1
    # Values as librouteros casts them: yes/no to bool, canonical integers to int.
    expected_rows: List[List[Dict[str, Any]]] = [
        [{".id": "*1", "chain": "dstnat", "disabled": False}],
        [{".id": "*2", "name": "ether1", "mtu": 1500, "running": True, "comment": "00"}],
    ]
    assert [result.rows for result in results] == expected_rows
    assert [result.ret for result in results] == ["*9", None]


# Words of each length form the API has (1 to 4 bytes of length), text that is not ASCII among them.
_WORDS = st.one_of(
    st.text(min_size=1, max_size=20),
    st.text(min_size=0x80, max_size=0x90),
    st.integers(min_value=0x4000, max_value=0x4010).map(lambda size: "=comment=" + "r" * size),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sentences=st.lists(st.lists(_WORDS, min_size=1, max_size=6), min_size=1, max_size=5),
    sizes=st.lists(st.integers(min_value=1, max_value=70_000), min_size=1, max_size=4),
)
def test_sentences_read_from_the_buffer_are_librouteros_own(sentences, sizes):
    """However the bytes arrive, each sentence reads as librouteros's own reader reads it (the
    4-byte length form: test_a_word_of_megabytes_reads_whole)."""
    data = b"".join(sentence(*words) for words in sentences)
    ours = _BufferedReads(SocketTransport(ScriptedSocket(data, sizes)))
    theirs = ApiProtocol(SocketTransport(ScriptedSocket(data, sizes)), encoding="utf-8")
    for _words in sentences:
        reply, words = ours.read_sentence("utf-8")
        assert (reply, words) == theirs.readSentence()
    with pytest.raises(ConnectionClosed):
        ours.read_sentence("utf-8")


def test_a_word_of_megabytes_reads_whole():
    comment = "=comment=" + "x" * 0x200000  # the 4-byte length form
    data = sentence("!re", comment, ".tag=0") + sentence("!done", ".tag=0")
    reads = _BufferedReads(SocketTransport(ScriptedSocket(data, [1000, 300_000])))
    assert reads.read_sentence("utf-8") == ("!re", (comment, ".tag=0"))
    assert reads.read_sentence("utf-8") == ("!done", (".tag=0",))


def test_a_trap_names_the_command_and_the_item():
    reply = sentence("!trap", "=message=no such item", ".tag=0") + sentence("!done", ".tag=0")
    router, _sock = router_answering(reply)
    with pytest.raises(CommandError) as caught:
        router.run([Command("/ip/firewall/nat/remove", {".id": "*7"})])
    assert str(caught.value) == "router 192.0.2.1:8729: /ip/firewall/nat/remove on *7 failed: no such item"


def test_a_read_may_allow_a_menu_the_router_lacks_and_nothing_else():
    missing = sentence("!trap", "=message=no such command prefix", ".tag=1") + sentence("!done", ".tag=1")
    reply = sentence("!re", "=.id=*1", "=chain=forward", ".tag=0") + sentence("!done", ".tag=0") + missing
    commands = [Command("/ip/firewall/filter/print"), Command("/ipv6/firewall/filter/print")]
    router, _sock = router_answering(reply)
    rows = router.read(commands, absent_ok={"/ipv6/firewall/filter/print"})
    assert rows == [[{".id": "*1", "chain": "forward"}], None]
    # Without the allowance, or for another trap, the read fails naming the command.
    router, _sock = router_answering(reply)
    with pytest.raises(CommandError, match="/ipv6/firewall/filter/print failed: no such command prefix"):
        router.read(commands)
    denied = sentence("!trap", "=message=not enough permissions (9)", ".tag=1") + sentence("!done", ".tag=1")
    router, _sock = router_answering(sentence("!done", ".tag=0") + denied)
    with pytest.raises(CommandError, match="not enough permissions"):
        router.read(commands, absent_ok={"/ipv6/firewall/filter/print"})


def test_a_failed_read_says_nothing_was_written():
    failed = CommandError("192.0.2.1:8729", Command("/ip/firewall/nat/print"), "not enough permissions (9)")
    assert router_failure(failed, False) == (
        "router 192.0.2.1:8729: /ip/firewall/nat/print failed: not enough permissions (9); nothing was written"
    )
    assert "the writes before and after it were sent too" in router_failure(failed, True)


def test_an_untagged_answer_is_an_error():
    router, _sock = router_answering(sentence("!done"))
    with pytest.raises(RouterError, match=r"^router 192.0.2.1:8729 answered without a known tag: !done$"):
        router.run([Command("/interface/print")])


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (socket.timeout("timed out"), "router 192.0.2.1:8729 did not answer within 10s (the timeout option)"),
        (ConnectionResetError(104, "Connection reset by peer"), "router 192.0.2.1:8729 dropped the connection: "),
        (None, "router 192.0.2.1:8729 dropped the connection: Connection unexpectedly closed."),
    ],
)
def test_a_lost_answer_says_what_happened(error, message):
    router, _sock = router_answering(sentence("!re", "=name=ether1", ".tag=0"), error=error)
    with pytest.raises(RouterError) as caught:
        router.read([Command("/interface/print")])
    assert str(caught.value).startswith(message)


def test_a_fatal_answer_closes_the_session():
    router, sock = router_answering(sentence("!fatal", "too many commands"))
    with pytest.raises(RouterError, match=r"^router 192.0.2.1:8729 closed the session: too many commands$"):
        router.read([Command("/interface/print")])
    assert sock.closed

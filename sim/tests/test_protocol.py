"""The wire format: the five length encodings, sentences, the incremental decoder's refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from librouteros import protocol as client_protocol

from routeros_sim.protocol import (
    ProtocolError,
    SentenceDecoder,
    decode_length,
    decode_text,
    encode_length,
    encode_sentence,
    encode_word,
)

# (length, size of its prefix): both sides of every boundary between the five forms.
BOUNDARIES = [
    (0, 1),
    (1, 1),
    (0x7F, 1),
    (0x80, 2),
    (0x3FFF, 2),
    (0x4000, 3),
    (0x1FFFFF, 3),
    (0x200000, 4),
    (0xFFFFFFF, 4),
    (0x10000000, 5),
    (0xFFFFFFFF, 5),
]


@pytest.mark.parametrize(("length", "size"), BOUNDARIES)
def test_every_length_round_trips_in_the_shortest_form(length: int, size: int) -> None:
    encoded = encode_length(length)
    assert len(encoded) == size
    assert decode_length(encoded) == (length, size)


@pytest.mark.parametrize(("length", "size"), [b for b in BOUNDARIES if b[1] < 5])
def test_lengths_match_what_librouteros_encodes(length: int, size: int) -> None:
    # librouteros only encodes the first four forms; for those we must agree byte for byte.
    assert encode_length(length) == client_protocol.encode_length(length)
    assert client_protocol.decode_length(encode_length(length)) == length


def test_five_byte_form_is_f0_then_four_bytes() -> None:
    assert encode_length(0x10000000) == b"\xf0\x10\x00\x00\x00"


@pytest.mark.parametrize("length", [0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000])
def test_words_at_boundary_lengths_survive_the_decoder(length: int) -> None:
    word = b"x" * length
    decoder = SentenceDecoder()
    assert decoder.feed(encode_sentence([b"/cmd", word])) == [[b"/cmd", word]]
    assert not decoder.pending


def test_decoder_accepts_input_one_byte_at_a_time() -> None:
    data = encode_sentence(["/ip/address/print", "=.proplist=address", ".tag=7"]) + encode_sentence(["/quit"])
    decoder = SentenceDecoder()
    sentences = []
    for i in range(len(data)):
        sentences.extend(decoder.feed(data[i : i + 1]))
        if i < len(data) - 1:
            assert len(sentences) < 2  # the second sentence is not complete before its last byte
    assert sentences == [[b"/ip/address/print", b"=.proplist=address", b".tag=7"], [b"/quit"]]
    assert not decoder.pending


def test_half_a_sentence_is_held_until_its_terminator_arrives() -> None:
    decoder = SentenceDecoder()
    assert decoder.feed(encode_word("/login") + encode_word("=name=admin")) == []
    assert decoder.pending
    assert decoder.feed(b"\x00") == [[b"/login", b"=name=admin"]]


def test_an_empty_sentence_is_reported_as_empty() -> None:
    assert SentenceDecoder().feed(b"\x00" + encode_sentence(["/quit"])) == [[], [b"/quit"]]


def test_sentences_are_what_librouteros_sends() -> None:
    words = ("/ip/firewall/nat/add", "=chain=dstnat", "=comment=" + "c" * 200)
    assert encode_sentence(words) == client_protocol.encode_sentence(*words, encoding="ASCII")


@pytest.mark.parametrize("first", [0xF8, 0xF9, 0xFC, 0xFF])
def test_reserved_control_bytes_are_refused(first: int) -> None:
    with pytest.raises(ProtocolError, match="reserved control byte"):
        SentenceDecoder().feed(bytes([first, 0, 0, 0, 0]))


@pytest.mark.parametrize("first", [0xF1, 0xF7])
def test_undefined_prefix_bytes_are_refused(first: int) -> None:
    with pytest.raises(ProtocolError):
        SentenceDecoder().feed(bytes([first, 0, 0, 0, 0]))


def test_an_oversized_word_is_refused_before_its_bytes_arrive() -> None:
    decoder = SentenceDecoder(max_word_bytes=1024)
    with pytest.raises(ProtocolError, match="limit"):
        decoder.feed(encode_length(1025))
    with pytest.raises(ProtocolError, match="limit"):
        SentenceDecoder().feed(b"\xf0\xff\xff\xff\xff")


def test_an_oversized_sentence_is_refused() -> None:
    decoder = SentenceDecoder(max_sentence_bytes=100)
    with pytest.raises(ProtocolError, match="sentence"):
        decoder.feed(encode_word("a" * 60) + encode_word("b" * 60))


def test_too_many_words_are_refused() -> None:
    decoder = SentenceDecoder(max_sentence_words=3)
    with pytest.raises(ProtocolError, match="word limit"):
        decoder.feed(b"".join(encode_word("w") for _ in range(4)))


def test_text_is_utf8_with_a_latin1_fallback() -> None:
    assert decode_text("=comment=café".encode()) == "=comment=café"
    assert decode_text(b"=comment=caf\xe9") == "=comment=café"
    assert encode_word("é") == b"\x02\xc3\xa9"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=6), max_size=5), st.data())
def test_any_sentences_split_anywhere_decode_to_themselves(sentences: list[list[bytes]], data: st.DataObject) -> None:
    stream = b"".join(encode_sentence(s) for s in sentences)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    decoder = SentenceDecoder()
    decoded: list[list[bytes]] = []
    start = 0
    for cut in [*cuts, len(stream)]:
        decoded.extend(decoder.feed(stream[start:cut]))
        start = cut
    assert decoded == sentences
    assert not decoder.pending

"""The RouterOS API wire format: words, sentences and an incremental decoder.

A word is a length prefix followed by that many bytes; a sentence is a run of words closed by a
zero-length word.  The length prefix has five forms (help.mikrotik.com, "API", "API words"):

=====================  =====  ==================================
length                 bytes  encoding
=====================  =====  ==================================
``< 0x80``             1      ``len``
``< 0x4000``           2      ``len | 0x8000``
``< 0x200000``         3      ``len | 0xC00000``
``< 0x10000000``       4      ``len | 0xE0000000``
``>= 0x10000000``      5      ``0xF0`` then ``len`` as 4 bytes
=====================  =====  ==================================

A first byte of ``0xF8`` or above is a reserved control byte; ``0xF1``-``0xF7`` are not defined
either.  Both are malformed input here.

RouterOS itself is byte-oriented.  librouteros encodes with a caller-chosen codec (``ASCII`` by
default, community.routeros lets users pick ``UTF-8``), so incoming words are decoded as UTF-8 and
fall back to latin-1 (which never fails) for bytes that are not valid UTF-8.  Outgoing text is
encoded as UTF-8, which is what such a client reads back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Union

Word = Union[str, bytes]

#: Largest word the decoder accepts.  RouterOS never needs more for configuration data.
MAX_WORD_BYTES: Final = 16 * 1024 * 1024
#: Largest sentence (sum of its words' bytes) the decoder accepts.
MAX_SENTENCE_BYTES: Final = 32 * 1024 * 1024
#: Largest number of words in one sentence.
MAX_SENTENCE_WORDS: Final = 100_000

_LARGEST_LENGTH: Final = 0xFFFFFFFF


class ProtocolError(Exception):
    """The peer sent bytes that are not a well-formed API stream (or exceed the limits)."""


def encode_length(length: int) -> bytes:
    """Encode a word length in the shortest of the five RouterOS forms."""
    if length < 0:
        raise ValueError(f"negative word length {length}")
    if length < 0x80:
        return length.to_bytes(1, "big")
    if length < 0x4000:
        return (length | 0x8000).to_bytes(2, "big")
    if length < 0x200000:
        return (length | 0xC00000).to_bytes(3, "big")
    if length < 0x10000000:
        return (length | 0xE0000000).to_bytes(4, "big")
    if length <= _LARGEST_LENGTH:
        return b"\xf0" + length.to_bytes(4, "big")
    raise ValueError(f"word length {length} does not fit the API length encoding")


def decode_length(data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[int, int] | None:
    """Decode the length prefix at ``data[offset:]``.

    Returns ``(length, prefix_size)``, or ``None`` when ``data`` ends before the prefix does.
    Raises :class:`ProtocolError` for reserved or undefined first bytes.
    """
    if offset >= len(data):
        return None
    first = data[offset]
    if first < 0x80:
        return first, 1
    if first < 0xC0:
        size, mask = 2, 0x8000
    elif first < 0xE0:
        size, mask = 3, 0xC00000
    elif first < 0xF0:
        size, mask = 4, 0xE0000000
    elif first == 0xF0:
        if offset + 5 > len(data):
            return None
        return int.from_bytes(data[offset + 1 : offset + 5], "big"), 5
    elif first >= 0xF8:
        raise ProtocolError(f"reserved control byte 0x{first:02X}")
    else:
        raise ProtocolError(f"undefined length prefix byte 0x{first:02X}")
    if offset + size > len(data):
        return None
    return int.from_bytes(data[offset : offset + size], "big") ^ mask, size


# The one-byte prefixes, made once: nearly every word of a reply is shorter than 0x80 bytes, and
# a table's reply is thousands of words.
_SHORT_PREFIXES: Final = tuple(length.to_bytes(1, "big") for length in range(0x80))


def encode_word(word: Word) -> bytes:
    """One word with its length prefix; text is encoded as UTF-8."""
    raw = word if isinstance(word, bytes) else word.encode("utf-8")
    return encode_length(len(raw)) + raw


def encode_sentence(words: Iterable[Word]) -> bytes:
    """A sentence: every word followed by the zero-length terminator."""
    parts: list[bytes] = []
    append = parts.append
    for word in words:
        raw = word if isinstance(word, bytes) else word.encode("utf-8")
        length = len(raw)
        append(_SHORT_PREFIXES[length] if length < 0x80 else encode_length(length))
        append(raw)
    append(b"\x00")
    return b"".join(parts)


def decode_text(raw: bytes) -> str:
    """Bytes of a word as text: UTF-8 when valid, otherwise latin-1 (never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class SentenceDecoder:
    """Incremental decoder: :meth:`feed` it bytes as they arrive, get back complete sentences.

    Each sentence is a list of raw words (``bytes``).  A zero-length word with no word before it
    is an empty sentence, which RouterOS ignores; it is returned as ``[]`` so the caller decides.
    Limits are checked as soon as a length prefix is known, so an oversized length is refused
    before any of its bytes are buffered.
    """

    def __init__(
        self,
        *,
        max_word_bytes: int = MAX_WORD_BYTES,
        max_sentence_bytes: int = MAX_SENTENCE_BYTES,
        max_sentence_words: int = MAX_SENTENCE_WORDS,
    ) -> None:
        self.max_word_bytes = max_word_bytes
        self.max_sentence_bytes = max_sentence_bytes
        self.max_sentence_words = max_sentence_words
        self._buffer = bytearray()
        self._words: list[bytes] = []
        self._sentence_bytes = 0

    @property
    def pending(self) -> bool:
        """True while part of a sentence has been received but not its terminator."""
        return bool(self._buffer or self._words)

    def feed(self, data: bytes) -> list[list[bytes]]:
        """Add received bytes; return the sentences they complete (possibly none)."""
        self._buffer += data
        sentences: list[list[bytes]] = []
        offset = 0
        try:
            while True:
                prefix = decode_length(self._buffer, offset)
                if prefix is None:
                    break
                length, size = prefix
                self._check_limits(length)
                end = offset + size + length
                if end > len(self._buffer):
                    break
                if length == 0:
                    sentences.append(self._words)
                    self._words = []
                    self._sentence_bytes = 0
                else:
                    self._words.append(bytes(self._buffer[offset + size : end]))
                    self._sentence_bytes += length
                offset = end
        finally:
            del self._buffer[:offset]
        return sentences

    def _check_limits(self, length: int) -> None:
        if length > self.max_word_bytes:
            raise ProtocolError(f"word of {length} bytes exceeds the {self.max_word_bytes}-byte limit")
        if self._sentence_bytes + length > self.max_sentence_bytes:
            raise ProtocolError(f"sentence exceeds the {self.max_sentence_bytes}-byte limit")
        if length and len(self._words) >= self.max_sentence_words:
            raise ProtocolError(f"sentence exceeds the {self.max_sentence_words}-word limit")

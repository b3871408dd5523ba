"""Reading RouterOS script text: the tokenizer and the parser, into ``Command`` values.

The grammar is the subset of the RouterOS console language that ``/export`` writes (RouterOS 6.49
and 7): ``#`` comment lines, menu lines (``/ip firewall nat``), commands (``add``, ``set``,
``remove``, ``move``, ...) with ``key=value`` parameters, ``"..."`` strings with the console's
escapes, ``\\`` + newline continuations, and ``[ find ... ]`` selectors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

from .rsc_quote import _utf8, quote

__all__ = ["Command", "Condition", "Find", "ScriptError", "Value", "parse_script"]


class ScriptError(Exception):
    """A script line that cannot be parsed or that the router refused (``!trap``)."""

    def __init__(self, line: int, message: str, command: str = "") -> None:
        self.line = line
        self.message = message
        self.command = command
        where = f"line {line}" + (f" ({command})" if command else "")
        super().__init__(f"{where}: {message}")


# Scripting manual, "Constant Escape Sequences": \" \\ \n \r \t \$ \? \_ (space) \a \b \f \v,
# and \XX for a byte in hex (capital letters; lower-case letters are the named escapes).
_NAMED_ESCAPES = {
    '"': b'"',
    "\\": b"\\",
    "n": b"\n",
    "r": b"\r",
    "t": b"\t",
    "$": b"$",
    "?": b"?",
    "_": b" ",
    "a": b"\x07",
    "b": b"\x08",
    "f": b"\x0c",
    "v": b"\x0b",
}
_HEX_UPPER = "0123456789ABCDEF"

# --------------------------------------------------------------------------------------------
# Parsed form
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One term of a ``find``: ``key=value`` (op "="), ``key!=value``, ``key~regex``, ``key`` / ``!key``."""

    key: str
    op: str  # "=", "!=", "~"
    value: str


@dataclass(frozen=True)
class Find:
    """``[ find where a=b and c!=d ]``: every condition must hold (an empty find selects everything)."""

    conditions: tuple[Condition, ...] = ()


Value = Union[str, Find]


@dataclass(frozen=True)
class Command:
    """One command of a script, with its menu made absolute (``("ip", "firewall", "nat")``)."""

    line: int
    path: tuple[str, ...]
    verb: str
    positional: tuple[Value, ...] = ()
    params: tuple[tuple[str, Value], ...] = ()
    #: Every word after the verb in the order written: (name, value), name None for a positional word.
    sequence: tuple[tuple[str | None, Value], ...] = field(default=(), compare=False, repr=False)

    @property
    def menu(self) -> str:
        """The menu as the API spells it, e.g. ``/ip/firewall/nat``."""
        return "/" + "/".join(self.path)

    def __str__(self) -> str:
        words = ["/" + " ".join(self.path), self.verb] if self.path or not self.verb.startswith(":") else [self.verb]
        words += [_value_text(v) for v in self.positional]
        words += [f"{k}={_value_text(v)}" for k, v in self.params]
        return " ".join(words)


def _value_text(value: Value) -> str:
    if isinstance(value, Find):
        terms = " and ".join(f"{c.key}{c.op}{quote(c.value)}" if c.op else c.key for c in value.conditions)
        return f"[ find {terms} ]" if terms else "[ find ]"
    return quote(value)


# Words that end a menu path and start a command. Menus never use these names.
_VERBS = frozenset(
    {
        "add",
        "set",
        "remove",
        "move",
        "unset",
        "enable",
        "disable",
        "reset",
        "comment",
        "print",
        "export",
        "find",
        "get",
        "edit",
        "import",
        "monitor",
        "reset-counters",
        "reset-counters-all",
        "run",
    }
)


# --------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------


@dataclass
class _Word:
    """A word as written: bare and quoted parts (bytes, so ``\\XX`` escapes can form UTF-8), or a find."""

    line: int
    parts: list[tuple[bytes, bool]] = field(default_factory=list)  # (bytes, quoted or escaped)
    find: Find | None = None

    @property
    def is_bare(self) -> bool:
        return self.find is None and all(not quoted for _, quoted in self.parts)

    def text(self) -> str:
        return _decode(b"".join(chunk for chunk, _ in self.parts))

    def split_key(self) -> tuple[str, Value] | None:
        """``(key, value)`` when the word is ``key=value`` with a bare key; None for a positional word."""
        prefix = b""
        for index, (chunk, quoted) in enumerate(self.parts):
            if quoted:
                return None
            if b"=" in chunk:
                head, _, tail = chunk.partition(b"=")
                key = _decode(prefix + head)
                rest = [(tail, False), *self.parts[index + 1 :]]
                if self.find is not None:
                    if any(c for c, _ in rest):
                        raise ValueError("a [ find ] must be the whole value")
                    return key, self.find
                return key, _decode(b"".join(c for c, _ in rest))
            prefix += chunk
        return None


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


class _Scanner:
    """Character-level reader that knows strings, escapes, continuations and ``[ ... ]``."""

    def __init__(self, text: str) -> None:
        # Any platform's line ends; CR inside a value is always written as \r.
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.pos = 0
        self.line = 1

    def error(self, message: str, line: int | None = None) -> ScriptError:
        return ScriptError(self.line if line is None else line, message)

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def continuation(self) -> bool:
        """Consume ``\\`` + newline + the next line's indentation, which join into nothing."""
        if self.peek() == "\\" and self.peek(1) == "\n":
            self.pos += 2
            self.line += 1
            while self.peek() in (" ", "\t") and self.peek():
                self.pos += 1
            return True
        return False

    def skip_blanks(self) -> None:
        while True:
            if self.peek() in (" ", "\t") and self.peek():
                self.pos += 1
            elif not self.continuation():
                return

    def skip_to_line_end(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def escape(self) -> bytes:
        """After a backslash (already consumed): the bytes one escape stands for."""
        first, second = self.peek(), self.peek(1)
        if first and second and first in _HEX_UPPER and second in _HEX_UPPER:
            self.pos += 2
            return bytes([int(first + second, 16)])
        if first in _NAMED_ESCAPES and first:
            self.pos += 1
            return _NAMED_ESCAPES[first]
        if not first or first == "\n":
            raise self.error("backslash at the end of the script")
        # Not a known escape: the character stands for itself.
        self.pos += 1
        return _utf8(first)

    def quoted(self) -> bytes:
        """A ``"..."`` string (the opening quote is current); returns its bytes, escapes applied."""
        start_line = self.line
        self.pos += 1
        out = bytearray()
        while True:
            char = self.peek()
            if not char or char == "\n":
                raise self.error("unterminated quoted string", start_line)
            if char == '"':
                self.pos += 1
                return bytes(out)
            if char == "\\":
                if self.continuation():
                    continue
                self.pos += 1
                out += self.escape()
            else:
                self.pos += 1
                out += _utf8(char)

    def word(self) -> _Word:
        word = _Word(self.line)
        bare = bytearray()

        def flush_bare() -> None:
            if bare:
                word.parts.append((bytes(bare), False))
                bare.clear()

        while True:
            char = self.peek()
            if not char or char in " \t\n;" or char == "]":
                break
            if char == "\\":
                if self.continuation():
                    continue
                self.pos += 1
                flush_bare()
                word.parts.append((self.escape(), True))
            elif char == '"':
                flush_bare()
                word.parts.append((self.quoted(), True))
            elif char == "[":
                flush_bare()
                if word.find is not None:
                    raise self.error("two [ ... ] in one word")
                word.find = self.find()
            elif char in "{}()$":
                raise self.error(f"scripting construct {char!r} is not supported")
            else:
                self.pos += 1
                bare += _utf8(char)
        flush_bare()
        return word

    def words_until_end(self, in_brackets: bool = False) -> list[_Word]:
        words: list[_Word] = []
        while True:
            self.skip_blanks()
            char = self.peek()
            if not char or char in "\n;" or (char == "]" and in_brackets):
                return words
            if char == "]":
                raise self.error("unexpected ']'")
            words.append(self.word())

    def find(self) -> Find:
        """``[ find ... ]`` (the ``[`` is current)."""
        start_line = self.line
        self.pos += 1
        words = self.words_until_end(in_brackets=True)
        if self.peek() != "]":
            raise self.error("unterminated [ ... ]", start_line)
        self.pos += 1
        if not words or not words[0].is_bare or words[0].text() != "find":
            raise self.error("only [ find ... ] is supported inside [ ]", start_line)
        return Find(tuple(_conditions(words[1:], start_line)))


_PROPERTY_NAME = re.compile(r"[a-z][a-z0-9.-]*")


def _conditions(words: list[_Word], line: int) -> Iterator[Condition]:
    expect_term = True
    for index, word in enumerate(words):
        text = word.text() if word.is_bare else None
        if index == 0 and text == "where":
            continue
        if not expect_term:
            if text != "and":
                raise ScriptError(line, f"find: only 'and' may join conditions, got {word.text()!r}")
            expect_term = True
            continue
        expect_term = False
        if word.find is not None:
            raise ScriptError(line, "find: nested [ ] are not supported")
        split = word.split_key()
        if split is not None:
            key, value = split
            assert isinstance(value, str)
            if key.endswith("!"):
                yield Condition(key[:-1], "!=", value)
            else:
                yield Condition(key, "=", value)
            continue
        raw = b"".join(chunk for chunk, _ in word.parts)
        if word.parts and not word.parts[0][1] and b"~" in word.parts[0][0]:
            key, _, rest = raw.partition(b"~")
            yield Condition(_decode(key), "~", _decode(rest))
        elif text is not None and _PROPERTY_NAME.fullmatch(text.removeprefix("!")):
            # A bare property tests a flag: `dynamic` is dynamic=yes, `!disabled` is disabled=no.
            yield Condition(text.removeprefix("!"), "=", "no" if text.startswith("!") else "yes")
        else:
            raise ScriptError(line, f"find: cannot read condition {word.text()!r}")
    if expect_term and words and not (len(words) == 1 and words[0].text() == "where"):
        raise ScriptError(line, "find: condition missing after 'and'")


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


def _walk(path: tuple[str, ...], component: str) -> tuple[str, ...]:
    if component == "..":
        return path[:-1]
    if component in ("", "."):
        return path
    return (*path, component)


def parse_script(text: str) -> list[Command]:
    """Every command of ``text``, in order, with absolute menus. Raises ScriptError on bad syntax.

    Menu-only lines (``/ip firewall nat``) change the menu for the lines that follow; a command
    with its menu on the same line (``/ip firewall nat add ...``) does not. Lines starting with
    ``:`` (``:log``, ``:delay``, ...) come back with an empty path and the word as the verb.
    """
    scanner = _Scanner(text)
    current: tuple[str, ...] = ()
    commands: list[Command] = []
    while True:
        while True:
            scanner.skip_blanks()
            char = scanner.peek()
            if char == "\n":
                scanner.pos += 1
                scanner.line += 1
            elif char == ";":
                scanner.pos += 1
            else:
                break
        if scanner.at_end():
            return commands
        line = scanner.line
        if scanner.peek() == "#":
            scanner.skip_to_line_end()
            continue
        words = scanner.words_until_end()
        try:
            command, current = _command(words, current, line)
        except ValueError as exc:
            raise ScriptError(line, str(exc)) from exc
        if command is not None:
            commands.append(command)


def _command(words: list[_Word], current: tuple[str, ...], line: int) -> tuple[Command | None, tuple[str, ...]]:
    """One logical line: a Command (or None for a menu change) and the menu for the next lines."""
    first = words[0]
    if first.is_bare and first.text().startswith(":"):
        return Command(line, (), first.text(), tuple(w.text() for w in words[1:])), current

    path = current
    verb = ""
    index = 0
    while index < len(words) and not verb:
        word = words[index]
        if not word.is_bare or word.split_key() is not None:
            break
        text = word.text()
        if text.startswith("/"):
            path = ()
        components = [c for c in text.split("/")]
        for position, component in enumerate(components):
            if component in _VERBS:
                if position != len(components) - 1:
                    raise ValueError(f"unexpected words after {component!r}")
                verb = component
                break
            path = _walk(path, component)
        index += 1

    if not verb:
        if index < len(words):
            raise ValueError(f"expected a command before {words[index].text()!r}")
        return None, path  # a menu line

    positional: list[Value] = []
    params: list[tuple[str, Value]] = []
    sequence: list[tuple[str | None, Value]] = []
    for word in words[index:]:
        split = word.split_key()
        if split is not None:
            if not split[0]:
                raise ValueError("parameter without a name")
            params.append(split)
            sequence.append(split)
        elif word.find is not None:
            if word.parts:
                raise ValueError("a [ find ] must be a whole word")
            positional.append(word.find)
            sequence.append((None, word.find))
        else:
            positional.append(word.text())
            sequence.append((None, word.text()))
    return Command(line, path, verb, tuple(positional), tuple(params), tuple(sequence)), current

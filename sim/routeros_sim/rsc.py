"""RouterOS script / ``/export`` text: parse it, run it against a Router, and render a Router as it.

The grammar is the subset of the RouterOS console language that ``/export`` writes (RouterOS 6.49
and 7): ``#`` comment lines, menu lines (``/ip firewall nat``), commands (``add``, ``set``,
``remove``, ``move``, ...) with ``key=value`` parameters, ``"..."`` strings with the console's
escapes, ``\\`` + newline continuations, and ``[ find ... ]`` selectors. Running a script goes
through ``Router.execute`` with the same API words a client would send, so the router's validation
is the only validation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Union

from .schema import Menu, Prop, version_at_least

if TYPE_CHECKING:
    from .router import Router

__all__ = [
    "Command",
    "Condition",
    "Find",
    "ScriptError",
    "ScriptResult",
    "escape",
    "export",
    "header_version",
    "parse_script",
    "quote",
    "render_command",
    "run_script",
]


class ScriptError(Exception):
    """A script line that cannot be parsed or that the router refused (``!trap``)."""

    def __init__(self, line: int, message: str, command: str = "") -> None:
        self.line = line
        self.message = message
        self.command = command
        where = f"line {line}" + (f" ({command})" if command else "")
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------------------------
# Values: escapes and quoting
# --------------------------------------------------------------------------------------------

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

# What the exporter writes for characters that cannot stand literally inside "...".
_ESCAPE_OUT = {'"': '\\"', "\\": "\\\\", "$": "\\$", "?": "\\?", "\n": "\\n", "\r": "\\r", "\t": "\\t"}

# Characters a value may hold and still be written without quotes.
_BARE_VALUE = re.compile(r"[A-Za-z0-9._\-:/,!*+@]+")


def _escape_atoms(value: str) -> list[str]:
    """The text between the quotes of a quoted value, one atom per character (an atom never splits)."""
    atoms: list[str] = []
    for char in value:
        if char in _ESCAPE_OUT:
            atoms.append(_ESCAPE_OUT[char])
        elif " " <= char <= "~":
            atoms.append(char)
        else:
            # Control characters and everything beyond ASCII go out as their UTF-8 bytes, as
            # RouterOS does; surrogateescape gives back the original byte of an undecodable one.
            atoms.extend(f"\\{byte:02X}" for byte in _utf8(char))
    return atoms


def _utf8(char: str) -> bytes:
    try:
        return char.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return char.encode("utf-8", "surrogatepass")


def escape(value: str) -> str:
    """The text to put between double quotes so that RouterOS reads back exactly ``value``."""
    return "".join(_escape_atoms(value))


def quote(value: str) -> str:
    """``value`` as a script word: bare when that is unambiguous, otherwise quoted and escaped."""
    if _BARE_VALUE.fullmatch(value):
        return value
    return f'"{escape(value)}"'


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
    for word in words[index:]:
        split = word.split_key()
        if split is not None:
            if not split[0]:
                raise ValueError("parameter without a name")
            params.append(split)
        elif word.find is not None:
            if word.parts:
                raise ValueError("a [ find ] must be a whole word")
            positional.append(word.find)
        else:
            positional.append(word.text())
    return Command(line, path, verb, tuple(positional), tuple(params)), current


# --------------------------------------------------------------------------------------------
# Rendering one command, wrapped like /export
# --------------------------------------------------------------------------------------------

# /export keeps every physical line, its trailing backslash included, within 78 columns and
# indents continuation lines by four spaces (e.g. the defconf "connection-state=\" lines).
LINE_WIDTH = 78
_INDENT = "    "


def _value_atoms(value: str) -> tuple[list[str], bool]:
    """A value as unbreakable atoms, and whether it is quoted (then the first/last atoms are quotes)."""
    if _BARE_VALUE.fullmatch(value):
        return list(value), False
    return ['"', *_escape_atoms(value), '"'], True


class _Wrapper:
    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []
        self.current = ""

    def room(self) -> int:
        return self.width - len(self.current)

    def flush(self, tail: str) -> None:
        self.lines.append(self.current + tail)
        self.current = _INDENT

    def separator(self) -> str:
        return " " if self.current.strip() else ""

    def add_word(self, text: str) -> None:
        """A word that is never split (the command and its selector)."""
        if self.current.strip() and len(text) + 1 > self.room() - 2:
            self.flush(" \\")
        self.current += self.separator() + text

    def add_param(self, key: str, value: str, last: bool) -> None:
        atoms, quoted = _value_atoms(value)
        head = f"{key}="
        text = "".join(atoms)
        # Unless this is the last parameter, room is left for the " \" that may end the line.
        tail = 0 if last else 2
        fresh = self.width - len(_INDENT) - tail
        sep = self.separator()
        if len(sep) + len(head) + len(text) <= self.room() - tail:
            self.current += sep + head + text
            return
        if len(sep) + len(head) > self.room() - 1:
            # Not even "key=\" fits here: continue on the next line.
            self.flush(" \\")
            if len(head) + len(text) <= self.room() - tail:
                self.current += head + text
                return
            self.current += head
        else:
            self.current += sep + head
        if len(text) <= fresh:
            # The value fits on a line of its own: break right after "key=", as /export does.
            self.flush("\\")
            self.current += text
            return
        self._fill(atoms, quoted, tail)

    def _fill(self, atoms: list[str], quoted: bool, tail: int) -> None:
        """A value longer than a line: as many atoms per line as fit, a backslash ending each."""
        last = len(atoms) - 1
        for index, atom in enumerate(atoms):
            needed = len(atom) + 1 + (tail if index == last else 0)
            if needed > self.room():
                self.flush("\\")
                # The reader drops a continuation line's indentation, so a space that would
                # start the line is written as the \_ escape instead.
                if quoted and atom == " " and 0 < index < last:
                    atom = "\\_"
            self.current += atom


def render_command(words: Sequence[str], params: Iterable[tuple[str, str]], width: int = LINE_WIDTH) -> str:
    """One command as /export writes it: ``words`` (e.g. ``["add"]`` or ``["set", "[ find ... ]"]``)
    verbatim, then ``key=value`` parameters quoted where needed, wrapped with ``\\`` continuations."""
    wrapper = _Wrapper(width)
    for word in words:
        wrapper.add_word(word)
    params = list(params)
    for index, (key, value) in enumerate(params):
        wrapper.add_param(key, value, last=index == len(params) - 1)
    wrapper.lines.append(wrapper.current)
    return "\n".join(wrapper.lines)


# --------------------------------------------------------------------------------------------
# Running a script against a Router
# --------------------------------------------------------------------------------------------

# Console commands that only show or wait: a script may hold them and they change nothing.
_HARMLESS_VERBS = frozenset({"print", "export", "find", "get", "monitor", "reset-counters", "reset-counters-all"})
_HARMLESS_COLON = frozenset({":delay", ":log", ":put", ":beep", ":nothing"})


@dataclass(frozen=True)
class _View:
    """A menu /export writes that the model keeps inside another: the items of ``menu`` with ``key=value``."""

    menu: str
    key: str
    value: str


# Used only while the model has no menu of that name.
_VIEWS = {"/interface/ethernet": _View("/interface", "type", "ether")}


@dataclass
class ScriptResult:
    """What ``run_script`` did.

    ``executed``: commands applied. ``skipped``: (line, why) for commands passed over (menus the
    model lacks, ``print``, ``:log``, a ``set [ find ... ]`` that matched nothing). ``adopted``:
    (line, what) for an ``add`` that re-created a stock item ``Router.empty()`` already has (the
    defconf ``bridge``), applied as a ``set`` of that item.
    """

    executed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    adopted: list[tuple[int, str]] = field(default_factory=list)


def run_script(router: Router, text: str, *, skip_unknown_menus: bool = True) -> ScriptResult:
    """Run ``text`` (``/export`` output or a hand-written script) against ``router``, in order.

    Each command becomes the ``router.execute`` call a client would make (``/ip firewall nat add
    a=b`` -> ``/ip/firewall/nat/add =a=b``); ``[ find ... ]``, print numbers and names become
    ``.id`` values through ``print`` queries. The first ``!trap`` stops the run with a ScriptError
    naming the line and RouterOS's message; commands before it stay applied. Menus the model does
    not have (real exports hold many) are skipped unless ``skip_unknown_menus`` is False.
    """
    runner = _Runner(router)
    for command in parse_script(text):
        runner.run(command, skip_unknown_menus)
    return runner.result


class _Runner:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.result = ScriptResult()
        self.adopted: set[tuple[str, str]] = set()
        self._baseline: Router | None = None

    @property
    def baseline(self) -> Router:
        """The stock router of this version, to tell stock items from added ones."""
        if self._baseline is None:
            self._baseline = _stock(self.router)
        return self._baseline

    def call(self, command: Command, api_command: str, words: list[str]) -> dict[str, str]:
        """One API command; the ``!done`` attributes, or ScriptError carrying the ``!trap`` messages."""
        replies = self.router.execute(api_command, words)
        traps = [attributes.get("message", "failure") for kind, attributes in replies if kind in ("!trap", "!fatal")]
        if traps:
            raise ScriptError(command.line, "; ".join(traps), str(command))
        return next((attributes for kind, attributes in replies if kind == "!done"), {})

    def run(self, command: Command, skip_unknown_menus: bool) -> None:
        if command.verb.startswith(":"):
            if command.verb not in _HARMLESS_COLON:
                raise ScriptError(command.line, f"scripting command {command.verb} is not supported", str(command))
            self.result.skipped.append((command.line, f"{command.verb} does not change the configuration"))
            return
        if command.verb in _HARMLESS_VERBS:
            self.result.skipped.append((command.line, f"{command.verb} does not change the configuration"))
            return
        menus = self.router.menus
        view = None
        if command.menu not in menus and command.menu in _VIEWS and _VIEWS[command.menu].menu in menus:
            view = _VIEWS[command.menu]
        menu = menus.get(view.menu if view else command.menu)
        if menu is None:
            if not skip_unknown_menus:
                raise ScriptError(command.line, f"no such command prefix ({command.menu})", str(command))
            self.result.skipped.append((command.line, f"menu {command.menu} is not simulated"))
            return
        if _Step(self, command, menu, view).run():
            self.result.executed += 1


class _Step:
    """One script command turned into API calls on ``menu`` (the model's menu behind a view)."""

    def __init__(self, runner: _Runner, command: Command, menu: Menu, view: _View | None) -> None:
        self.runner = runner
        self.command = command
        self.menu = menu
        self.view = view
        self.params = list(command.params)
        self.positional = list(command.positional)
        self.applied = True

    def fail(self, message: str) -> ScriptError:
        return ScriptError(self.command.line, message, str(self.command))

    def call(self, verb: str, words: list[str]) -> dict[str, str]:
        return self.runner.call(self.command, f"{self.menu.path}/{verb}", words)

    def take_param(self, name: str) -> Value | None:
        for index, (key, value) in enumerate(self.params):
            if key == name:
                del self.params[index]
                return value
        return None

    def take_positional(self) -> Value | None:
        return self.positional.pop(0) if self.positional else None

    def no_more_words(self) -> None:
        if self.positional:
            raise self.fail(f"unexpected word {_value_text(self.positional[0])}")

    def words(self) -> list[str]:
        return [f"={key}={self.value_text(value)}" for key, value in self.params]

    def value_text(self, value: Value) -> str:
        if isinstance(value, Find):
            ids = self.resolve(value)
            if not ids:
                raise self.fail("no such item")
            return ",".join(ids)
        return value

    def skip(self, why: str) -> None:
        self.runner.result.skipped.append((self.command.line, why))
        self.applied = False

    # -- naming items --------------------------------------------------------------------------

    def print_items(self, queries: Sequence[str] = ()) -> list[dict[str, str]]:
        narrow = [f"?{self.view.key}={self.view.value}"] if self.view else []
        replies = self.router_print([*narrow, *queries])
        return [attributes for kind, attributes in replies if kind == "!re"]

    def router_print(self, words: list[str]) -> list[tuple[str, dict[str, str]]]:
        replies = self.runner.router.execute(f"{self.menu.path}/print", words)
        traps = [attributes.get("message", "failure") for kind, attributes in replies if kind in ("!trap", "!fatal")]
        if traps:
            raise self.fail("; ".join(traps))
        return replies

    def resolve(self, reference: Value) -> list[str]:
        """``.id`` values for a find, or for ``*HEX`` ids, print numbers and names (comma-separated)."""
        if isinstance(reference, Find):
            return self.resolve_find(reference)
        ids: list[str] = []
        listing: list[dict[str, str]] | None = None
        for part in (p.strip() for p in reference.split(",")):
            if part.startswith("*"):
                ids.append(part)
                continue
            if listing is None:
                listing = self.print_items()
            if part.isdigit():
                if int(part) >= len(listing):
                    raise self.fail(f"no such item ({part})")
                ids.append(listing[int(part)][".id"])
                continue
            named = [item[".id"] for item in listing if item.get("name") == part] if self.menu.named else []
            if not named:
                raise self.fail(f"no such item ({part})")
            ids.extend(named)
        return ids

    def resolve_find(self, find: Find) -> list[str]:
        # Equality goes to the router as an API query, so its normalisation decides what matches
        # (``disabled=yes`` finds ``disabled=true``); ``~`` is matched here, on the printed values.
        queries: list[str] = []
        patterns: list[tuple[str, re.Pattern[str]]] = []
        for condition in find.conditions:
            if condition.op == "~":
                try:
                    patterns.append((condition.key, re.compile(condition.value)))
                except re.error as exc:
                    raise self.fail(f"find: bad regular expression {condition.value!r}: {exc}") from None
            else:
                queries.append(f"?{condition.key}={condition.value}")
                if condition.op == "!=":
                    queries.append("?#!")
        return [
            item[".id"]
            for item in self.print_items(queries)
            if ".id" in item and all(pattern.search(item.get(key, "")) for key, pattern in patterns)
        ]

    def targets(self) -> list[str] | None:
        """The items named by the first word or ``numbers=``; None when the command names none."""
        reference = self.take_positional()
        if reference is None:
            reference = self.take_param("numbers")
        return None if reference is None else self.resolve(reference)

    def id_word(self, ids: list[str]) -> str:
        return f"=.id={','.join(ids)}"

    # -- verbs ---------------------------------------------------------------------------------

    def run(self) -> bool:
        """Apply the command; False when it turned out to have nothing to do."""
        handler = getattr(self, f"do_{self.command.verb}", None)
        if handler is None:
            raise self.fail(f"{self.command.verb} is not supported in scripts")
        handler()
        return self.applied

    def do_add(self) -> None:
        if self.view is not None:
            raise self.fail(f"items of {self.command.menu} cannot be added")
        self.no_more_words()
        for index, (key, value) in enumerate(self.params):
            if key in ("place-before", "copy-from") and isinstance(value, str) and not value.startswith("*"):
                self.params[index] = (key, ",".join(self.resolve(value)))
        stock = self.stock_item_to_adopt()
        if stock is not None:
            self.call("set", [self.id_word([stock]), *self.words()])
            self.runner.adopted.add((self.menu.path, stock))
            self.runner.result.adopted.append((self.command.line, f"{self.menu.path} {stock}"))
            return
        self.call("add", self.words())

    def stock_item_to_adopt(self) -> str | None:
        """The ``.id`` of an untouched stock item this ``add`` re-creates, by name.

        ``Router.empty()`` already has the defconf bridge; an export from a real router adds it
        (``/interface bridge add ... name=bridge``). Adding it again would trap, so the stock item
        is taken over instead, once.
        """
        name = dict(self.params).get("name")
        if not self.menu.named or not isinstance(name, str):
            return None
        table = self.runner.router.tables[self.menu.path]
        current = next((item for item in table.items if item.get("name") == name), None)
        if current is None or (self.menu.path, current[".id"]) in self.runner.adopted:
            return None
        stock = self.runner.baseline.tables[self.menu.path].items
        return current[".id"] if current in stock else None

    def do_set(self) -> None:
        # A "!name" word (RouterOS 6 exports) says the property is unset.
        unset = [v[1:] for v in self.positional if isinstance(v, str) and v.startswith("!") and len(v) > 1]
        self.positional = [v for v in self.positional if not (isinstance(v, str) and v.startswith("!") and len(v) > 1)]
        target: list[str] = []
        if not self.menu.singleton:
            ids = self.targets()
            if ids is None:
                raise self.fail("set needs the items to change")
            if not ids:
                self.skip("no item matched")
                return
            target = [self.id_word(ids)]
        self.no_more_words()
        if self.params:
            self.call("set", [*target, *self.words()])
        for name in unset:
            self.call("unset", [*target, f"=value-name={name}"])

    def do_unset(self) -> None:
        target: list[str] = []
        if not self.menu.singleton:
            ids = self.targets()
            if ids is None:
                raise self.fail("unset needs the items to change")
            if not ids:
                self.skip("no item matched")
                return
            target = [self.id_word(ids)]
        names = [self.value_text(value) for value in self.positional]
        value_name = self.take_param("value-name")
        if value_name is not None:
            names.append(self.value_text(value_name))
        if self.params or not names:
            raise self.fail("unset takes the items and the names of the properties to unset")
        self.call("unset", [*target, f"=value-name={','.join(names)}"])

    def item_command(self, verb: str) -> None:
        ids = self.targets()
        if ids is None:
            raise self.fail(f"{verb} needs the items to change")
        if verb == "comment" and self.positional and all(key != "comment" for key, _ in self.params):
            self.params.append(("comment", self.positional.pop(0)))
        self.no_more_words()
        if not ids:
            self.skip("no item matched")
            return
        self.call(verb, [self.id_word(ids), *self.words()])

    def do_remove(self) -> None:
        self.item_command("remove")

    def do_enable(self) -> None:
        self.item_command("enable")

    def do_disable(self) -> None:
        self.item_command("disable")

    def do_comment(self) -> None:
        self.item_command("comment")

    def do_move(self) -> None:
        ids = self.targets()
        if ids is None:
            raise self.fail("move needs the items to move")
        destination = self.take_positional()
        if destination is None:
            destination = self.take_param("destination")
        self.no_more_words()
        if self.params:
            raise self.fail(f"unexpected parameter {self.params[0][0]}=")
        if not ids:
            self.skip("no item matched")
            return
        words = [f"=numbers={','.join(ids)}"]
        if destination is not None:
            where = self.resolve(destination)
            if len(where) != 1:
                raise self.fail("move needs one destination item")
            words.append(f"=destination={where[0]}")
        self.call("move", words)


def _stock(router: Router) -> Router:
    return type(router).empty(router.version)


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

# Sections in the order RouterOS 7 /export writes them; menus not listed follow, alphabetically.
_EXPORT_ORDER = (
    "/interface/bridge",
    "/interface/ethernet",
    "/interface/list",
    "/interface/bridge/port",
    "/interface/list/member",
    "/ip/address",
    "/ip/cloud",
    "/ip/dns",
    "/ip/dns/static",
    "/ip/firewall/address-list",
    "/ip/firewall/filter",
    "/ip/firewall/mangle",
    "/ip/firewall/nat",
    "/ip/firewall/raw",
    "/ip/route",
    "/ip/service",
    "/system/clock",
    "/system/identity",
)
# Shown through a more specific menu (/interface/ethernet, /interface/bridge, ...), never itself.
_NOT_EXPORTED = frozenset({"/interface"})
# Properties /export writes even at their default (``add action=accept chain=input ...``);
# community.routeros's field data, taken from exports, gives them no default for that reason.
_ALWAYS_WRITTEN = {
    "/ip/firewall/filter": frozenset({"action"}),
    "/ip/firewall/nat": frozenset({"action"}),
    "/ip/firewall/mangle": frozenset({"action"}),
    "/ip/firewall/raw": frozenset({"action"}),
    "/ip/dns/static": frozenset({"type"}),
}
_HEADER_VERSION = re.compile(r"^#.*\bby RouterOS (\S+)", re.MULTILINE)


def header_version(text: str) -> str | None:
    """The RouterOS version an export says it comes from (``# ... by RouterOS 7.16.1``), if any."""
    match = _HEADER_VERSION.search(text)
    return match.group(1) if match else None


def export(router: Router, verbose: bool = False) -> str:
    """``router``'s configuration as RouterOS ``/export`` (``/export verbose``) text.

    The header names the version; sections follow RouterOS's order; items the router made itself
    (``dynamic``) and read-only values are left out, and so are values at their default unless
    ``verbose``. Items ``Router.empty()`` already has (interfaces, IP services, the stock bridge,
    singletons) appear as ``set`` lines when changed (``set [ find default-name=ether1 ] name=wan``,
    ``set telnet disabled=yes``), or ``remove`` if gone; the rest as ``add`` lines in table order.
    So ``run_script(Router.empty(version), export(router))`` rebuilds the same tables (new ``.id``s).
    """
    stock = _stock(router)
    lines = _header(router)
    for section, menu, view in _sections(router):
        body = _section(router, stock, menu, view, verbose)
        if body:
            lines.append("/" + section.strip("/").replace("/", " "))
            lines.extend(body)
    return "\n".join(lines) + "\n"


def _header(router: Router) -> list[str]:
    now = getattr(router, "clock", datetime.now)()
    if version_at_least(router.version, "7.10"):
        stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    else:
        stamp = now.strftime("%b/%d/%Y %H:%M:%S").lower()
    lines = [f"# {stamp} by RouterOS {router.version}"]
    board = router.tables.get("/system/routerboard")
    if board is not None and board.items:
        lines.append("#")
        if "model" in board.items[0]:
            lines.append(f"# model = {board.items[0]['model']}")
        if "serial-number" in board.items[0]:
            lines.append(f"# serial number = {board.items[0]['serial-number']}")
    return lines


def _sections(router: Router) -> list[tuple[str, Menu, _View | None]]:
    found: dict[str, tuple[Menu, _View | None]] = {}
    for path, menu in router.menus.items():
        if path not in _NOT_EXPORTED:
            found[path] = (menu, None)
    for path, view in _VIEWS.items():
        if path not in found and view.menu in router.menus:
            found[path] = (router.menus[view.menu], view)

    def position(path: str) -> tuple[int, str]:
        return (_EXPORT_ORDER.index(path), "") if path in _EXPORT_ORDER else (len(_EXPORT_ORDER), path)

    return [(path, *found[path]) for path in sorted(found, key=position)]


def _shown(prop: Prop, value: str) -> str:
    """A stored value as the console writes it: booleans as yes/no."""
    if prop.kind != "bool":
        return value
    negation, bare = ("!", value[1:]) if value.startswith("!") else ("", value)
    return negation + {"true": "yes", "false": "no"}.get(bare, bare)


def _settable(menu: Menu) -> list[Prop]:
    props: dict[str, Prop] = {}
    for prop in menu.props:
        if prop.settable and prop.name not in props:
            props[prop.name] = prop
    return [props[name] for name in sorted(props)]


def _values(menu: Menu, item: Mapping[str, str], verbose: bool) -> list[tuple[str, str]]:
    always = _ALWAYS_WRITTEN.get(menu.path, frozenset())
    values = []
    for prop in _settable(menu):
        value = item.get(prop.name)
        if value is None or value == prop.default:
            if prop.default is None or not (verbose or prop.name in always):
                continue
            value = prop.default
        values.append((prop.name, _shown(prop, value)))
    return values


def _changes(menu: Menu, item: Mapping[str, str], stock: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """What differs in a stock item: values to set, and names to unset (no default to set back to)."""
    values, unset = [], []
    for prop in _settable(menu):
        value, before = item.get(prop.name), stock.get(prop.name)
        if value == before:
            continue
        if value is not None:
            values.append((prop.name, _shown(prop, value)))
        elif prop.default is not None:
            values.append((prop.name, _shown(prop, prop.default)))
        else:
            unset.append(prop.name)
    return values, unset


def _selector(menu: Menu, stock: Mapping[str, str]) -> str:
    """How /export names a stock item: ``[ find default-name=ether1 ]``, ``telnet``, ``[ find name=x ]``."""
    if "default-name" in stock:
        return f"[ find default-name={quote(stock['default-name'])} ]"
    name_prop = menu.prop("name")
    if "name" in stock and name_prop is not None and not name_prop.settable:
        return quote(stock["name"])  # names that never change: /ip service set telnet ...
    if "name" in stock:
        return f"[ find name={quote(stock['name'])} ]"
    return stock[".id"]


def _section(router: Router, stock_router: Router, menu: Menu, view: _View | None, verbose: bool) -> list[str]:
    def visible(items: list[dict[str, str]]) -> list[dict[str, str]]:
        return [item for item in items if view is None or item.get(view.key) == view.value]

    items = visible(router.tables[menu.path].items)
    stock_items = visible(stock_router.tables[menu.path].items)
    if menu.singleton:
        item = items[0] if items else {}
        values, unset = _changes(menu, item, stock_items[0] if stock_items else {})
        if verbose:
            values = _values(menu, item, verbose=True)
        if not (values or unset):
            return []
        return [render_command(["set", *(f"!{name}" for name in unset)], values)]

    lines: list[str] = []
    stock_by_id = {item[".id"]: item for item in stock_items}
    present = {item[".id"] for item in items}
    for stock in stock_items:
        if stock[".id"] not in present:
            lines.append(render_command(["remove", _selector(menu, stock)], []))
    for item in items:
        stock = stock_by_id.get(item[".id"])
        if stock is None or item.get("builtin") == "true":  # built-in items cannot be changed
            continue
        values, unset = _changes(menu, item, stock)
        if verbose:
            values = _values(menu, item, verbose=True)
        if values or unset:
            words = ["set", _selector(menu, stock), *(f"!{name}" for name in unset)]
            lines.append(render_command(words, values))
    for item in items:
        if item[".id"] in stock_by_id or item.get("dynamic") == "true" or item.get("builtin") == "true":
            continue
        lines.append(render_command(["add"], _values(menu, item, verbose)))
    return lines

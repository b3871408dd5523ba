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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Union

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
            atoms.extend(f"\\{byte:02X}" for byte in char.encode("utf-8", "surrogateescape"))
    return atoms


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
        words = ["/" + " ".join(self.path), self.verb]
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
        return first.encode("utf-8", "surrogateescape")

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
                out += char.encode("utf-8", "surrogateescape")

    def word(self, in_brackets: bool = False) -> _Word:
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
            elif char in "{}()" or (char == "$" and not in_brackets):
                raise self.error(f"scripting construct {char!r} is not supported")
            else:
                self.pos += 1
                bare += char.encode("utf-8", "surrogateescape")
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
            words.append(self.word(in_brackets))

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
        elif text is not None and text.startswith("!") and len(text) > 1:
            yield Condition(text[1:], "=", "no")
        elif text:
            yield Condition(text, "=", "yes")
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

    def add_param(self, key: str, value: str) -> None:
        atoms, quoted = _value_atoms(value)
        head = f"{key}="
        text = "".join(atoms)
        fresh = self.width - len(_INDENT)
        sep = self.separator()
        # Room is always left for the " \" that ends the line if another parameter follows.
        if len(sep) + len(head) + len(text) <= self.room() - 2:
            self.current += sep + head + text
            return
        if len(sep) + len(head) > self.room() - 1:
            # Not even "key=\" fits here: continue on the next line.
            self.flush(" \\")
            if len(head) + len(text) <= self.room() - 2:
                self.current += head + text
                return
            self.current += head
        else:
            self.current += sep + head
        if len(text) <= fresh - 2:
            # The value fits on a line of its own: break right after "key=", as /export does.
            self.flush("\\")
            self.current += text
            return
        self._fill(atoms, quoted)

    def _fill(self, atoms: list[str], quoted: bool) -> None:
        """A value longer than a line: as many atoms per line as fit, a backslash ending each."""
        last = len(atoms) - 1
        for index, atom in enumerate(atoms):
            needed = len(atom) + 1 + (2 if index == last else 0)
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
    for key, value in params:
        wrapper.add_param(key, value)
    wrapper.lines.append(wrapper.current)
    return "\n".join(wrapper.lines)


# --------------------------------------------------------------------------------------------
# Running a script against a Router
# --------------------------------------------------------------------------------------------

# Console commands that only show or wait; a script may contain them and they change nothing.
_HARMLESS_VERBS = frozenset({"print", "export", "find", "get", "monitor", "reset-counters", "reset-counters-all"})
_HARMLESS_COLON = frozenset({":delay", ":log", ":put", ":beep", ":nothing"})
_ITEM_VERBS = frozenset({"remove", "enable", "disable", "comment"})

# Menus RouterOS exports that the model keeps elsewhere: (menu of the model, property, value)
# narrows the model's menu to the items this one shows. Used only when the router lacks the menu.
_VIEWS: dict[str, tuple[str, str, str]] = {
    "/interface/ethernet": ("/interface", "type", "ether"),
}


@dataclass
class ScriptResult:
    """What ``run_script`` did: API commands sent, and commands passed over (line, why)."""

    executed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


def run_script(router: Router, text: str, *, skip_unknown_menus: bool = True) -> ScriptResult:
    """Run ``text`` (``/export`` output or a hand-written script) against ``router``, line by line.

    Each command becomes the ``router.execute`` call a client would make (``/ip firewall nat add
    a=b`` -> ``/ip/firewall/nat/add =a=b``); ``[ find ... ]``, numbers and names are turned into
    ``.id`` values through ``print``. The first ``!trap`` stops the run with a ScriptError naming
    the line; commands before it stay applied. Menus the router does not model (an export from a
    real router has many) are skipped and listed in the result unless ``skip_unknown_menus`` is
    False; so are ``print``-like commands and ``:delay``/``:log``/``:put``.
    """
    runner = _Runner(router)
    for command in parse_script(text):
        runner.run(command, skip_unknown_menus)
    return runner.result


class _Runner:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.result = ScriptResult()
        self.menus = _menus(router)

    # -- talking to the router ---------------------------------------------------------------

    def call(self, command: Command, api_command: str, words: list[str]) -> dict[str, str]:
        """Execute one API command; the ``!done`` attributes, or ScriptError on a ``!trap``."""
        replies = self.router.execute(api_command, words)
        self.result.executed += 1
        for kind, attributes in replies:
            if kind in ("!trap", "!fatal"):
                message = attributes.get("message", "failure")
                raise ScriptError(command.line, message, str(command))
        return next((attributes for kind, attributes in replies if kind == "!done"), {})

    def print_items(self, command: Command, menu: str, queries: list[str]) -> list[dict[str, str]]:
        replies = self.router.execute(f"{menu}/print", queries)
        for kind, attributes in replies:
            if kind in ("!trap", "!fatal"):
                raise ScriptError(command.line, attributes.get("message", "failure"), str(command))
        return [attributes for kind, attributes in replies if kind == "!re"]

    # -- one command ---------------------------------------------------------------------------

    def run(self, command: Command, skip_unknown_menus: bool) -> None:
        if command.verb.startswith(":"):
            if command.verb in _HARMLESS_COLON:
                self.result.skipped.append((command.line, f"{command.verb} has no effect on the configuration"))
                return
            raise ScriptError(command.line, f"scripting command {command.verb} is not supported", str(command))
        if command.verb in _HARMLESS_VERBS:
            self.result.skipped.append((command.line, f"{command.verb} changes nothing"))
            return
        menu, narrow = command.menu, None
        if menu not in self.menus and menu in _VIEWS and _VIEWS[menu][0] in self.menus:
            menu, *rest = _VIEWS[menu]
            narrow = (rest[0], rest[1])
        if menu not in self.menus:
            if skip_unknown_menus:
                self.result.skipped.append((command.line, f"menu {command.menu} is not simulated"))
                return
            raise ScriptError(command.line, "no such command prefix", str(command))
        _Command(self, command, menu, narrow).run()


class _Command:
    """One command being translated into API words (``menu`` may be the model's menu for a view)."""

    def __init__(self, runner: _Runner, command: Command, menu: str, narrow: tuple[str, str] | None) -> None:
        self.runner = runner
        self.command = command
        self.menu = menu
        self.narrow = narrow
        self.singleton = bool(getattr(runner.menus[menu], "singleton", False))
        self.named = bool(getattr(runner.menus[menu], "named", False))
        self.params = list(command.params)
        self.positional = list(command.positional)

    def fail(self, message: str) -> ScriptError:
        return ScriptError(self.command.line, message, str(self.command))

    def take_param(self, name: str) -> Value | None:
        for index, (key, value) in enumerate(self.params):
            if key == name:
                del self.params[index]
                return value
        return None

    def take_positional(self) -> Value | None:
        return self.positional.pop(0) if self.positional else None

    def api(self, verb: str) -> str:
        return f"{self.menu}/{verb}"

    def words(self) -> list[str]:
        return [f"={key}={self.value_text(value)}" for key, value in self.params]

    def value_text(self, value: Value) -> str:
        if isinstance(value, Find):
            ids = self.resolve(value)
            if not ids:
                raise self.fail("no such item")
            return ",".join(ids)
        return value

    # -- item references -----------------------------------------------------------------------

    def items(self, queries: list[str] = ()) -> list[dict[str, str]]:  # type: ignore[assignment]
        narrow = [f"?{self.narrow[0]}={self.narrow[1]}"] if self.narrow else []
        return self.runner.print_items(self.command, self.menu, [*narrow, *queries])

    def resolve(self, reference: Value) -> list[str]:
        """``.id`` values for a find, ``*HEX`` ids, print numbers or names (comma-separated)."""
        if isinstance(reference, Find):
            queries: list[str] = []
            patterns: list[tuple[str, re.Pattern[str]]] = []
            for condition in reference.conditions:
                if condition.op == "~":
                    try:
                        patterns.append((condition.key, re.compile(condition.value)))
                    except re.error as exc:
                        raise self.fail(f"find: bad regular expression {condition.value!r}: {exc}") from None
                else:
                    queries.append(f"?{condition.key}={condition.value}")
                    if condition.op == "!=":
                        queries.append("?#!")
            found = self.items(queries)
            return [
                item[".id"]
                for item in found
                if ".id" in item and all(p.search(item.get(key, "")) for key, p in patterns)
            ]
        ids: list[str] = []
        listing: list[dict[str, str]] | None = None
        for part in reference.split(","):
            part = part.strip()
            if part.startswith("*"):
                ids.append(part)
                continue
            if listing is None:
                listing = self.items()
            if part.isdigit():
                if int(part) >= len(listing):
                    raise self.fail(f"no such item ({part})")
                ids.append(listing[int(part)][".id"])
                continue
            named = [item[".id"] for item in listing if item.get("name") == part] if self.named else []
            if not named:
                raise self.fail(f"no such item ({part})")
            ids.extend(named)
        return ids

    def targets(self) -> list[str] | None:
        """The items a set/remove/... names (positional or ``numbers=``), or None when it names none."""
        reference = self.take_positional()
        if reference is None:
            reference = self.take_param("numbers")
        if reference is None:
            return None
        return self.resolve(reference)

    # -- verbs ---------------------------------------------------------------------------------

    def run(self) -> None:
        verb = self.command.verb
        if self.narrow and verb == "add":
            raise self.fail(f"cannot add to {self.command.menu}")
        handler = getattr(self, f"do_{verb.replace('-', '_')}", None)
        if handler is None:
            raise self.fail(f"command {verb!r} is not supported in scripts")
        handler()

    def do_add(self) -> None:
        if self.positional:
            raise self.fail(f"unexpected word {_value_text(self.positional[0])!r}")
        for position in ("place-before", "copy-from"):
            for index, (key, value) in enumerate(self.params):
                if key == position and isinstance(value, str) and not value.startswith("*"):
                    self.params[index] = (key, ",".join(self.resolve(value)))
        self.runner.call(self.command, self.api("add"), self.words())

    def do_set(self) -> None:
        # "!name" words (in exports of 6.x) mean "this property is unset".
        unset = [v[1:] for v in self.positional if isinstance(v, str) and v.startswith("!") and len(v) > 1]
        self.positional = [v for v in self.positional if not (isinstance(v, str) and v.startswith("!") and len(v) > 1)]
        if self.singleton:
            if self.positional:
                raise self.fail(f"unexpected word {_value_text(self.positional[0])!r}")
            if self.params:
                self.runner.call(self.command, self.api("set"), self.words())
            for name in unset:
                self.runner.call(self.command, self.api("unset"), [f"=value-name={name}"])
            return
        ids = self.targets()
        if ids is None:
            raise self.fail("set needs the items to change")
        if self.positional:
            raise self.fail(f"unexpected word {_value_text(self.positional[0])!r}")
        if not ids:
            self.runner.result.skipped.append((self.command.line, "no item matched"))
            return
        if self.params:
            self.runner.call(self.command, self.api("set"), [f"=.id={','.join(ids)}", *self.words()])
        for name in unset:
            self.runner.call(self.command, self.api("unset"), [f"=.id={','.join(ids)}", f"=value-name={name}"])

    def do_unset(self) -> None:
        ids = None if self.singleton else self.targets()
        if not self.singleton and ids is None:
            raise self.fail("unset needs the items to change")
        names = [self.value_text(v) for v in self.positional]
        value_name = self.take_param("value-name")
        if value_name is not None:
            names += self.value_text(value_name).split(",")
        if self.params:
            raise self.fail(f"unexpected parameter {self.params[0][0]}=")
        if ids is not None and not ids:
            self.runner.result.skipped.append((self.command.line, "no item matched"))
            return
        target = [f"=.id={','.join(ids)}"] if ids is not None else []
        for name in names:
            self.runner.call(self.command, self.api("unset"), [*target, f"=value-name={name}"])

    def _item_verb(self, verb: str) -> None:
        ids = self.targets()
        if ids is None:
            raise self.fail(f"{verb} needs the items to change")
        if verb == "comment" and self.positional and not any(key == "comment" for key, _ in self.params):
            self.params.append(("comment", self.positional.pop(0)))
        if self.positional:
            raise self.fail(f"unexpected word {_value_text(self.positional[0])!r}")
        if not ids:
            self.runner.result.skipped.append((self.command.line, "no item matched"))
            return
        self.runner.call(self.command, self.api(verb), [f"=.id={','.join(ids)}", *self.words()])

    def do_remove(self) -> None:
        self._item_verb("remove")

    def do_enable(self) -> None:
        self._item_verb("enable")

    def do_disable(self) -> None:
        self._item_verb("disable")

    def do_comment(self) -> None:
        self._item_verb("comment")

    def do_move(self) -> None:
        ids = self.targets()
        if ids is None:
            raise self.fail("move needs the items to move")
        destination = self.take_positional()
        if destination is None:
            destination = self.take_param("destination")
        if self.positional or self.params:
            raise self.fail("move takes the items and a destination only")
        if not ids:
            self.runner.result.skipped.append((self.command.line, "no item matched"))
            return
        words = [f"=numbers={','.join(ids)}"]
        if destination is not None:
            target = self.resolve(destination)
            if len(target) != 1:
                raise self.fail("move needs exactly one destination item")
            words.append(f"=destination={target[0]}")
        self.runner.call(self.command, self.api("move"), words)


def _menus(router: Router) -> dict[str, object]:
    from .schema import menus_for

    return dict(menus_for(router.version))

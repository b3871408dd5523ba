"""Writing RouterOS script words: escapes, quoting, and one command wrapped as ``/export`` wraps it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["LINE_WIDTH", "Raw", "escape", "quote", "render_command"]

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
# Rendering one command, wrapped like /export
# --------------------------------------------------------------------------------------------

# /export keeps every physical line, its trailing backslash included, within 78 columns and
# indents continuation lines by four spaces (e.g. the defconf "connection-state=\" lines).
LINE_WIDTH = 78
_INDENT = "    "


class Raw(str):
    """A value already written as script text (``[ find default=yes ]``): put out as is, never split."""

    __slots__ = ()


def _value_atoms(value: str) -> tuple[list[str], bool]:
    """A value as unbreakable atoms, and whether it is quoted (then the first/last atoms are quotes)."""
    if isinstance(value, Raw):
        return [str(value)], False
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

    def add_param(self, key: str | None, value: str, last: bool) -> None:
        atoms, quoted = _value_atoms(value)
        head = "" if key is None else f"{key}="  # None: a positional word among the parameters
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
            if atom == "\\n" and index > 0 and atoms[index - 1] == "\\r" and self.current.strip():
                self.flush("\\")  # a script's lines: /export starts each on a line of its own
            elif needed > self.room():
                self.flush("\\")
                # The reader drops a continuation line's indentation, so a space that would
                # start the line is written as the \_ escape instead.
                if quoted and atom == " " and 0 < index < last:
                    atom = "\\_"
            self.current += atom


def render_command(words: Sequence[str], params: Iterable[tuple[str | None, str]], width: int = LINE_WIDTH) -> str:
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

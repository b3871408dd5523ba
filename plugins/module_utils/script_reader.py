# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""RouterOS script as ``/export`` writes it (and as the engine renders it), read back.

Logical lines (``\\`` continuations joined, quoted values decoded), menu header lines that set
the menu of the lines after them, and the ``add`` lines of one menu as rows. The writing side is
cli.py.
"""

from __future__ import annotations

from typing import Dict, Iterable, Iterator, List, Optional, Tuple

# Reading: letter escapes RouterOS knows (\_ is a space); anything else must be \XX hex.
_UNESCAPES = {
    '"': '"',
    "\\": "\\",
    "$": "$",
    "?": "?",
    "_": " ",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_HEX_DIGITS = "0123456789ABCDEF"
# Properties of a NAT `add` that are placement, not rule content.
_PLACEMENT_PARAMETERS = frozenset(("place-before", "copy-from"))


class RscParseError(ValueError):
    """The text is not RouterOS script we can read."""


class _Scanner:
    """Splits script text into logical lines of words, decoding quoted strings.

    A backslash at the end of a physical line joins it with the next one, whose leading
    whitespace is dropped (that is how ``/export`` wraps long lines, even inside strings).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0
        self.line = 1

    def _continuation(self) -> bool:
        """At a backslash: is it a line continuation? If so, skip it and the indentation."""
        after = self.text[self.index + 1 : self.index + 3]
        if after[:1] == "\n":
            self.index += 2
        elif after == "\r\n":
            self.index += 3
        else:
            return False
        self.line += 1
        while self.index < len(self.text) and self.text[self.index] in " \t":
            self.index += 1
        return True

    def _quoted(self) -> str:
        """Decode a quoted string; ``self.index`` is at the opening quote."""
        start_line = self.line
        self.index += 1
        pending = bytearray()
        out: List[str] = []

        def flush() -> None:
            if pending:
                out.append(pending.decode("utf-8", "replace"))
                pending.clear()

        while True:
            if self.index >= len(self.text):
                raise RscParseError("line {0}: unterminated string".format(start_line))
            char = self.text[self.index]
            if char == '"':
                self.index += 1
                flush()
                return "".join(out)
            if char in "\r\n":
                raise RscParseError("line {0}: unterminated string".format(start_line))
            if char != "\\":
                flush()
                out.append(char)
                self.index += 1
                continue
            if self._continuation():
                continue
            escape = self.text[self.index + 1 : self.index + 2]
            pair = self.text[self.index + 1 : self.index + 3]
            if len(pair) == 2 and pair[0] in _HEX_DIGITS and pair[1] in _HEX_DIGITS:
                pending.append(int(pair, 16))
                self.index += 3
            elif escape in _UNESCAPES:
                flush()
                out.append(_UNESCAPES[escape])
                self.index += 2
            else:
                raise RscParseError("line {0}: unknown escape sequence \\{1}".format(self.line, escape))

    def lines(self) -> Iterable[Tuple[int, List[str]]]:
        """(line number, words) per logical line; ``[...]`` and ``{...}`` stay one word."""
        text = self.text
        words: List[str] = []
        current: List[str] = []
        has_word = False
        depth = 0
        start_line = self.line

        def end_word() -> None:
            nonlocal current, has_word
            if has_word:
                words.append("".join(current))
            current, has_word = [], False

        while self.index < len(text):
            char = text[self.index]
            if char == "\\" and self._continuation():
                continue
            if char == '"':
                current.append(self._quoted())
                has_word = True
                continue
            if depth == 0 and char in " \t":
                end_word()
                self.index += 1
                continue
            if depth == 0 and char in "\r\n;":
                end_word()
                if words:
                    yield start_line, words
                words = []
                self.index += 1
                if char == "\n":
                    self.line += 1
                start_line = self.line
                continue
            if depth == 0 and char == "#" and not has_word and not words:
                # A comment line: RouterOS only has them at the start of a line.
                while self.index < len(text) and text[self.index] != "\n":
                    self.index += 1
                continue
            if char in "[{":
                depth += 1
            elif char in "]}" and depth > 0:
                depth -= 1
            elif char == "\n":
                self.line += 1
            current.append(char)
            has_word = True
            self.index += 1
        end_word()
        if words:
            yield start_line, words


_COMMANDS = frozenset(
    (
        "add",
        "set",
        "unset",
        "remove",
        "move",
        "print",
        "export",
        "enable",
        "disable",
        "comment",
        "edit",
        "find",
        "get",
        "reset-counters",
        "reset-counters-all",
    )
)


def _split_path(words: List[str], current_path: str) -> Tuple[str, Optional[str], List[str]]:
    """(menu path, command or None, arguments) of one logical line."""
    if not words[0].startswith("/"):
        return current_path, words[0], words[1:]
    segments: List[str] = []
    rest = list(words)
    first = True
    while rest and "=" not in rest[0] and (first or rest[0] not in _COMMANDS):
        word = rest.pop(0)
        segments.extend(part for part in word.split("/") if part)
        first = False
        if segments and segments[-1] in _COMMANDS:
            break
    command = None
    if segments and segments[-1] in _COMMANDS:
        command = segments.pop()
    elif rest:
        command = rest.pop(0)
    return " ".join(segments), command, rest


def read_commands(text: str) -> Iterator[Tuple[int, str, str, List[str]]]:
    """(line number, menu, command, arguments) of every command line of RouterOS script
    ``text``: menu header lines (``/ip firewall nat``) set the menu of the lines after them;
    ``:`` script statements are skipped. Every reader of ``/export`` text goes through here."""
    path = ""
    for number, words in _Scanner(text).lines():
        if words[0].startswith(":"):
            continue
        line_path, command, arguments = _split_path(words, path)
        if words[0].startswith("/") and command is None:
            path = line_path  # a menu header line: the following lines are relative to it
            continue
        yield number, line_path, command or "", arguments


def read_menu_adds(text: str, menu: str, drop: Iterable[str] = ()) -> List[Dict[str, str]]:
    """Rows (property -> string) of every ``add`` in ``menu`` (``"ip firewall nat"``) of
    ``text``; properties in ``drop`` are left out. Values are kept as written (``disabled=yes``)."""
    dropped = frozenset(drop)
    rows: List[Dict[str, str]] = []
    for number, line_menu, command, arguments in read_commands(text):
        if line_menu != menu or command != "add":
            continue
        row: Dict[str, str] = {}
        for argument in arguments:
            name, sep, value = argument.partition("=")
            if not sep:
                raise RscParseError("line {0}: {1!r} is not name=value".format(number, argument))
            if name not in dropped:
                row[name] = value
        rows.append(row)
    return rows


def read_nat_adds(text: str) -> List[Dict[str, str]]:
    """Rows of every ``add`` in the ``/ip firewall nat`` menu of ``text``.

    Reads ``/export`` output (menu header line, then ``add`` lines, ``\\`` continuations, quoted
    values) and our own rendered lines (``/ip firewall nat add ...``; ``place-before`` dropped).
    Other menus and other commands are skipped.
    """
    return read_menu_adds(text, "ip firewall nat", drop=_PLACEMENT_PARAMETERS)

# -*- coding: utf-8 -*-
# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The data inside here is private to this collection. If you use this from outside the collection,
# you are on your own. There can be random changes to its format even in bugfix releases!

"""RouterOS CLI text: operations -> command lines, ``/export`` text -> rows, rows -> config.

CLI forms written (one line per operation, ids as ``*HEX``):

* ``/ip firewall nat add chain=dstnat ... comment="hairpin:dstnat:web:tcp" place-before=*3``
* ``/ip firewall nat set *5 dst-port=8080``
* ``/ip firewall nat set *5 !to-ports !in-interface`` -- unset: ``!name`` in ``set`` is how the
  RouterOS console removes a property ("Parameter can be unset by specifying '!' before
  parameter", MikroTik Manual:Scripting, menu specific commands); it is also the ``!name`` word
  community.routeros' api_modify sends in ``set``.
* ``/ip firewall nat move *5 destination=*3`` (no destination: to the end)
* ``/ip firewall nat remove *7``

Quoting follows RouterOS scripting: a value that is not a plain word goes in double quotes, and
inside quotes ``"`` ``\\`` ``$`` ``?`` are escaped with a backslash, newline/CR/tab as ``\\n``
``\\r`` ``\\t``, other control characters and every non-ASCII byte (UTF-8) as ``\\XX`` (two
upper-case hex digits), which is also how ``/export`` writes them.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOOLEAN_FIELDS,
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    KINDS,
    NAT_FIELDS,
    RuleKey,
    effective_value,
    normalize_value,
    split_comment,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    ACTION_MOVE,
    ACTION_REMOVE,
    ACTION_SET,
    ACTION_UNSET,
    Operation,
    Plan,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

NAT_MENU = "/ip firewall nat"
_PLAIN_VALUE_RE = re.compile(r"\A[A-Za-z0-9._/,*!+@-]+\Z")
# Printable ASCII but " $ ? \ (0x22 0x24 0x3F 0x5C): quoted as it is, nothing to escape. (Every
# marker comment is such a value.)
_QUOTED_AS_IS_RE = re.compile(r"\A[\x20\x21\x23\x25-\x3e\x40-\x5b\x5d-\x7e]*\Z")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "$": "\\$", "?": "\\?", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
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
# Properties of `add` that are placement, not rule content.
_PLACEMENT_PARAMETERS = frozenset(("place-before", "copy-from"))
# Counters change all the time; they are not configuration.
_COUNTERS = frozenset(("bytes", "packets"))


class RscParseError(ValueError):
    """The text is not RouterOS script we can read."""


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def quote_value(value: str) -> str:
    """``value`` as one RouterOS script value: bare when it is a plain word, else quoted."""
    if _PLAIN_VALUE_RE.match(value):
        return value
    if _QUOTED_AS_IS_RE.match(value):
        return '"{0}"'.format(value)
    parts = []
    for char in value:
        if char in _ESCAPES:
            parts.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F or ord(char) > 0x7E:
            parts.extend("\\{0:02X}".format(byte) for byte in char.encode("utf-8", "surrogatepass"))
        else:
            parts.append(char)
    return '"{0}"'.format("".join(parts))


def _cli_value(name: str, value: str) -> str:
    if name in BOOLEAN_FIELDS and value in ("true", "false"):
        return "yes" if value == "true" else "no"
    return quote_value(value)


def _ordered(fields: Mapping[str, str]) -> List[Tuple[str, str]]:
    known = [(name, fields[name]) for name in NAT_FIELDS if name in fields]
    extra = [(name, value) for name, value in fields.items() if name not in NAT_FIELDS]
    return known + extra


def _assignments(fields: Mapping[str, str]) -> str:
    return " ".join("{0}={1}".format(name, _cli_value(name, value)) for name, value in _ordered(fields))


def render_operation(op: Operation) -> str:
    if op.action == ACTION_ADD:
        line = "{0} add {1}".format(NAT_MENU, _assignments(op.fields))
        return line if op.destination is None else "{0} place-before={1}".format(line, op.destination)
    if op.action == ACTION_SET:
        return "{0} set {1} {2}".format(NAT_MENU, op.id, _assignments(op.fields))
    if op.action == ACTION_UNSET:
        names = [name for name, _value in _ordered(op.fields)]
        return "{0} set {1} {2}".format(NAT_MENU, op.id, " ".join("!" + name for name in names))
    if op.action == ACTION_MOVE:
        line = "{0} move {1}".format(NAT_MENU, op.id)
        return line if op.destination is None else "{0} destination={1}".format(line, op.destination)
    if op.action == ACTION_REMOVE:
        return "{0} remove {1}".format(NAT_MENU, op.id)
    raise ValueError("unknown operation {0!r}".format(op.action))


def render_commands(plan: object) -> List[str]:
    """CLI lines for a Plan (or a sequence of Operations), in execution order."""
    operations: Sequence[Operation] = plan.operations if isinstance(plan, Plan) else plan  # type: ignore[assignment]
    return [render_operation(op) for op in operations]


# ---------------------------------------------------------------------------------------------
# Reading RouterOS script (/export text and our own rendered lines)
# ---------------------------------------------------------------------------------------------


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


def rsc_commands(text: str) -> Iterator[Tuple[int, str, str, List[str]]]:
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


def parse_menu_adds(text: str, menu: str, drop: Iterable[str] = ()) -> List[Dict[str, str]]:
    """Rows (property -> string) of every ``add`` in ``menu`` (``"ip firewall nat"``) of
    ``text``; properties in ``drop`` are left out. Values are kept as written (``disabled=yes``)."""
    dropped = frozenset(drop)
    rows: List[Dict[str, str]] = []
    for number, line_menu, command, arguments in rsc_commands(text):
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


def parse_nat_rsc(text: str) -> List[Dict[str, str]]:
    """Rows of every ``add`` in the ``/ip firewall nat`` menu of ``text``.

    Reads ``/export`` output (menu header line, then ``add`` lines, ``\\`` continuations, quoted
    values) and our own rendered lines (``/ip firewall nat add ...``; ``place-before`` dropped).
    Other menus and other commands are skipped.
    """
    return parse_menu_adds(text, NAT_MENU.strip("/"), drop=_PLACEMENT_PARAMETERS)


# ---------------------------------------------------------------------------------------------
# Rows -> service-shaped config (gathered / parsed)
# ---------------------------------------------------------------------------------------------


def _value(row: Mapping[str, object], name: str) -> Optional[str]:
    return effective_value(name, row.get(name))


def _bool(row: Mapping[str, object], name: str) -> bool:
    return _value(row, name) == "true"


def _compact(values: Mapping[str, object]) -> Dict[str, object]:
    return {name: value for name, value in values.items() if value is not None}


def _port_forward(key: RuleKey, description: Optional[str], row: Mapping[str, object]) -> Dict[str, object]:
    port = _value(row, "dst-port")
    to_ports = _value(row, "to-ports")
    return _compact(
        {
            "name": key.name,
            "protocol": key.protocol,
            "port": port,
            "host": _value(row, "to-addresses"),
            "host_port": to_ports if to_ports != port else None,
            "public_address": _value(row, "dst-address"),
            "public_address_list": _value(row, "dst-address-list"),
            "public_local": True if _value(row, "dst-address-type") == "local" else None,
            "in_interface": _value(row, "in-interface"),
            "in_interface_list": _value(row, "in-interface-list"),
            "comment": description,
            "disabled": _bool(row, "disabled"),
        }
    )


def _hairpin(key: RuleKey, description: Optional[str], row: Mapping[str, object]) -> Dict[str, object]:
    return _compact(
        {
            "name": key.name,
            "protocol": key.protocol,
            "host": _value(row, "dst-address"),
            "host_port": _value(row, "dst-port"),
            "lan_subnet": _value(row, "src-address"),
            "lan_interface": _value(row, "out-interface"),
            "lan_interface_list": _value(row, "out-interface-list"),
            "comment": description,
            "disabled": _bool(row, "disabled"),
        }
    )


def _masquerade(key: RuleKey, description: Optional[str], row: Mapping[str, object]) -> Dict[str, object]:
    return _compact(
        {
            "out_interface": _value(row, "out-interface"),
            "out_interface_list": _value(row, "out-interface-list"),
            "ipsec_policy": _value(row, "ipsec-policy"),
            "comment": description,
            "disabled": _bool(row, "disabled"),
        }
    )


def _hairpin_subnet(key: RuleKey, description: Optional[str], row: Mapping[str, object]) -> Dict[str, object]:
    return _compact(
        {
            "subnet": key.name,
            "lan_interface": _value(row, "out-interface"),
            "lan_interface_list": _value(row, "out-interface-list"),
            "comment": description,
            "disabled": _bool(row, "disabled"),
        }
    )


_SECTIONS = {
    KIND_DSTNAT: ("port_forwards", _port_forward),
    KIND_HAIRPIN: ("hairpins", _hairpin),
    KIND_MASQUERADE: ("masquerades", _masquerade),
    KIND_HAIRPIN_SUBNET: ("hairpin_subnets", _hairpin_subnet),
}


def _merge_protocols(entries: List[Dict[str, object]]) -> List[Dict[str, object]]:
    """One entry per service: tcp and udp rules identical but for the protocol become ``both``."""
    merged: List[Dict[str, object]] = []
    first_of: Dict[object, int] = {}
    for entry in entries:
        name = entry["name"]
        if name not in first_of:
            first_of[name] = len(merged)
            merged.append(entry)
            continue
        other = merged[first_of[name]]
        same = {k: v for k, v in other.items() if k != "protocol"} == {
            k: v for k, v in entry.items() if k != "protocol"
        }
        if same and {other["protocol"], entry["protocol"]} == {"tcp", "udp"}:
            other["protocol"] = "both"
        else:
            merged.append(entry)  # differing rules of one service stay separate, both visible
    return merged


def rows_to_config(
    rows: Sequence[Mapping[str, object]], kinds: Iterable[str] = KINDS
) -> Dict[str, List[Dict[str, object]]]:
    """Owned rows (of ``kinds``) as service-shaped config; every other row, as plain data.

    Result keys: ``port_forwards``, ``hairpins``, ``masquerades``, ``hairpin_subnets`` (services
    in table order; a later row with an already seen key is a leftover and skipped) and
    ``foreign`` (rows we do not own: values as normalised strings, counters dropped).
    """
    scope = frozenset(kinds)
    sections: Dict[str, List[Dict[str, object]]] = {name: [] for name, _builder in _SECTIONS.values()}
    foreign: List[Dict[str, object]] = []
    seen = set()
    for row in rows:
        key, description = split_comment(row.get("comment"))
        if key is None or key.kind not in scope or is_true(row.get("dynamic")):
            foreign.append({name: normalize_value(name, value) for name, value in row.items() if name not in _COUNTERS})
            continue
        if key in seen:
            continue
        seen.add(key)
        section, builder = _SECTIONS[key.kind]
        sections[section].append(builder(key, description, row))
    sections["port_forwards"] = _merge_protocols(sections["port_forwards"])
    sections["hairpins"] = _merge_protocols(sections["hairpins"])
    sections["foreign"] = foreign
    return sections

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""RouterOS script as the engine writes it: quoting of values and ``name=value`` assignments.

Quoting follows RouterOS scripting: a value that is not a plain word goes in double quotes, and
inside quotes ``"`` ``\\`` ``$`` ``?`` are escaped with a backslash, newline/CR/tab as ``\\n``
``\\r`` ``\\t``, other control characters and every non-ASCII byte (UTF-8) as ``\\XX`` (two
upper-case hex digits), which is also how ``/export`` writes them. Flags are written the way
the console writes them, ``yes``/``no``.

The reader of such text is script_reader.py.
"""

from __future__ import annotations

import re
from typing import Collection, List, Mapping, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.values import cli_flag

_PLAIN_VALUE_RE = re.compile(r"\A[A-Za-z0-9._/,*!+@-]+\Z")
# Printable ASCII but " $ ? \ (0x22 0x24 0x3F 0x5C): quoted as it is, nothing to escape. (Every
# marker comment is such a value.)
_QUOTED_AS_IS_RE = re.compile(r"\A[\x20\x21\x23\x25-\x3e\x40-\x5b\x5d-\x7e]*\Z")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "$": "\\$", "?": "\\?", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


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


def cli_value(name: str, value: str, flags: Collection[str] = ()) -> str:
    """A normalised value as the console writes it: flags (properties in ``flags``) as
    ``yes``/``no``, everything else quoted as needed."""
    if name in flags:
        return quote_value(cli_flag(value))
    return quote_value(value)


def ordered(fields: Mapping[str, str], order: Sequence[str]) -> List[Tuple[str, str]]:
    """``fields`` in the menu's property ``order`` (the order ``/export`` uses), the rest after."""
    known = [(name, fields[name]) for name in order if name in fields]
    extra = [(name, value) for name, value in fields.items() if name not in order]
    return known + extra


def assignments(fields: Mapping[str, str], order: Sequence[str], flags: Collection[str] = ()) -> str:
    """``name=value`` words of ``fields`` in ``order``, separated by spaces."""
    return " ".join("{0}={1}".format(name, cli_value(name, value, flags)) for name, value in ordered(fields, order))

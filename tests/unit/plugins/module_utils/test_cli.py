# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""RouterOS script quoting as the engine writes values (cli.py)."""

from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.cli import assignments, cli_value, ordered, quote_value
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    RuleKey,
)
from hypothesis import given, settings
from hypothesis import strategies as st

WEB_TCP = RuleKey("dstnat", "web", "tcp")
# --- quoting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("dstnat", "dstnat"),
        ("192.168.88.0/24", "192.168.88.0/24"),
        ("8000-8100", "8000-8100"),
        ("out,none", "out,none"),
        ("*1A", "*1A"),
        ("", '""'),
        ("two words", '"two words"'),
        ("hairpin:dstnat:web:tcp", '"hairpin:dstnat:web:tcp"'),
        # The fingerprint: "~" needs no escape inside quotes.
        ("hairpin:dstnat:web:tcp ~67a5fdb5 Web", '"hairpin:dstnat:web:tcp ~67a5fdb5 Web"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("$HOME", '"\\$HOME"'),
        ("why?", '"why\\?"'),
        ("a=b;c", '"a=b;c"'),
        ("line\nbreak\r\ttab", '"line\\nbreak\\r\\ttab"'),
        ("nul\x00bell\x07del\x7f", '"nul\\00bell\\07del\\7F"'),
        ("ü", '"\\C3\\BC"'),
        ("😀", '"\\F0\\9F\\98\\80"'),
        ("[find]", '"[find]"'),
    ],
)
def test_quote_value_follows_routeros_scripting(value, quoted):
    assert quote_value(value) == quoted


def _quoted_char_by_char(value: str) -> str:
    """RouterOS's quoting, one character at a time (what quote_value must give for any text)."""
    if value and all(char.isascii() and (char.isalnum() or char in "._/,*!+@-") for char in value):
        return value
    escapes = {'"': '\\"', "\\": "\\\\", "$": "\\$", "?": "\\?", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    parts = []
    for char in value:
        if char in escapes:
            parts.append(escapes[char])
        elif " " <= char <= "~":
            parts.append(char)
        else:
            parts.extend(f"\\{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return '"' + "".join(parts) + '"'


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=12) | st.text(max_size=6))
def test_quote_value_escapes_exactly_what_routeros_needs(value):
    assert quote_value(value) == _quoted_char_by_char(value)


# --- assignments -------------------------------------------------------------------------------


def test_assignments_follow_the_menu_order_and_write_flags_as_the_console_does():
    fields = {"comment": "hairpin:dns:www", "disabled": "true", "name": "www", "extra": "a b"}
    order = ("name", "address", "comment", "disabled")
    assert ordered(fields, order) == [
        ("name", "www"),
        ("comment", "hairpin:dns:www"),
        ("disabled", "true"),
        ("extra", "a b"),
    ]
    assert assignments(fields, order, {"disabled"}) == 'name=www comment="hairpin:dns:www" disabled=yes extra="a b"'
    # Only properties that are flags are written yes/no; the text "true" elsewhere stays.
    assert cli_value("comment", "true", {"disabled"}) == "true"
    assert cli_value("disabled", "false", {"disabled"}) == "no"

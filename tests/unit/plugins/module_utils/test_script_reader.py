# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading RouterOS script: /export text and the engine's own lines (script_reader.py)."""

from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    RuleKey,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import Operation
from ansible_collections.hairpin.routeros.plugins.module_utils.render import (
    render_operation,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import (
    RscParseError,
    read_commands,
    read_menu_adds,
    read_nat_adds,
)
from hypothesis import given, settings
from hypothesis import strategies as st

WEB_TCP = RuleKey("dstnat", "web", "tcp")
# --- reading .rsc --------------------------------------------------------------------------------

EXPORT = """\
# 2025-01-01 12:00:00 by RouterOS 7.16
# software id = ABCD-1234
#
/interface bridge
add name=bridge
/ip firewall filter
add action=accept chain=input comment="not nat"
/ip firewall nat
add action=masquerade chain=srcnat comment="defconf: masquerade" \\
    ipsec-policy=out,none out-interface-list=WAN
add action=dst-nat chain=dstnat comment="hairpin:dstnat:web:tcp A long descr\\
    iption with \\"quotes\\", \\\\, \\$, \\?, \\_ and \\C3\\BC" dst-port=443 \\
    protocol=tcp to-addresses=\\
    192.168.88.10 to-ports=443
add action=dst-nat chain=dstnat disabled=yes dst-port=22 protocol=tcp \\
    to-addresses=192.168.88.11
set [ find comment="defconf: masquerade" ] disabled=no
/ip service
set telnet disabled=yes
"""


def test_parse_export_reads_only_nat_add_lines():
    assert read_nat_adds(EXPORT) == [
        {
            "action": "masquerade",
            "chain": "srcnat",
            "comment": "defconf: masquerade",
            "ipsec-policy": "out,none",
            "out-interface-list": "WAN",
        },
        {
            "action": "dst-nat",
            "chain": "dstnat",
            "comment": 'hairpin:dstnat:web:tcp A long description with "quotes", \\, $, ?,   and ü',
            "dst-port": "443",
            "protocol": "tcp",
            "to-addresses": "192.168.88.10",
            "to-ports": "443",
        },
        {
            "action": "dst-nat",
            "chain": "dstnat",
            "disabled": "yes",
            "dst-port": "22",
            "protocol": "tcp",
            "to-addresses": "192.168.88.11",
        },
    ]


def test_parse_windows_line_endings_and_slash_paths():
    text = (
        "/ip/firewall/nat\r\n"
        "add chain=srcnat action=masquerade \\\r\n    out-interface=ether1\r\n"
        "/ip/firewall/nat/add chain=dstnat action=dst-nat to-addresses=10.0.0.1 place-before=*3\r\n"
        "/ip firewall nat add chain=dstnat action=redirect to-ports=53; /ip firewall nat remove *3\r\n"
    )
    assert read_nat_adds(text) == [
        {"chain": "srcnat", "action": "masquerade", "out-interface": "ether1"},
        {"chain": "dstnat", "action": "dst-nat", "to-addresses": "10.0.0.1"},
        {"chain": "dstnat", "action": "redirect", "to-ports": "53"},
    ]


def test_parse_errors_name_the_line():
    with pytest.raises(RscParseError, match="line 2: unterminated string"):
        read_nat_adds('/ip firewall nat\nadd comment="open\n')
    with pytest.raises(RscParseError, match=r"line 2: unknown escape sequence \\q"):
        read_nat_adds('/ip firewall nat\nadd comment="\\q"\n')
    with pytest.raises(RscParseError, match="line 2: 'dynamic' is not name=value"):
        read_nat_adds("/ip firewall nat\nadd chain=srcnat dynamic\n")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_comment_round_trips_through_render_and_parse(description):
    op = Operation("add", None, fields={"chain": "srcnat", "action": "masquerade", "comment": description})
    assert read_nat_adds(render_operation(op)) == [{"chain": "srcnat", "action": "masquerade", "comment": description}]


def test_menu_headers_set_the_menu_of_the_lines_after_them():
    text = '/ip dns static\nadd name=www address=192.168.1.2\n:log info "x"\n/ip firewall nat add chain=srcnat\n'
    assert [(menu, command, args) for _n, menu, command, args in read_commands(text)] == [
        ("ip dns static", "add", ["name=www", "address=192.168.1.2"]),
        ("ip firewall nat", "add", ["chain=srcnat"]),
    ]
    assert read_menu_adds(text, "ip dns static") == [{"name": "www", "address": "192.168.1.2"}]

# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    PortForward,
    RuleKey,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import Operation, plan_changes
from ansible_collections.hairpin.routeros.plugins.module_utils.render import (
    render_commands,
    render_operation,
)

WEB_TCP = RuleKey("dstnat", "web", "tcp")

# --- rendering ---------------------------------------------------------------------------------


def test_render_add_with_place_before():
    op = Operation(
        "add",
        WEB_TCP,
        fields={
            "comment": 'hairpin:dstnat:web:tcp Web "server"',
            "to-addresses": "192.168.88.10",
            "chain": "dstnat",
            "action": "dst-nat",
            "protocol": "tcp",
            "dst-port": "443",
            "disabled": "true",
        },
        destination="*3",
    )
    assert render_operation(op) == (
        "/ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-port=443 to-addresses=192.168.88.10 "
        'comment="hairpin:dstnat:web:tcp Web \\"server\\"" disabled=yes place-before=*3'
    )


def test_render_add_without_destination_appends():
    op = Operation("add", None, fields={"chain": "srcnat", "action": "masquerade", "out-interface-list": "WAN"})
    assert render_operation(op) == "/ip firewall nat add chain=srcnat action=masquerade out-interface-list=WAN"


@pytest.mark.parametrize(
    ("op", "line"),
    [
        (Operation("set", WEB_TCP, "*5", fields={"dst-port": "8080"}), "/ip firewall nat set *5 dst-port=8080"),
        (
            Operation("set", WEB_TCP, "*5", fields={"disabled": "false", "log-prefix": ""}),
            '/ip firewall nat set *5 log-prefix="" disabled=no',
        ),
        (
            Operation("unset", WEB_TCP, "*5", fields={"to-ports": "", "in-interface": ""}),
            "/ip firewall nat set *5 !in-interface !to-ports",
        ),
        (Operation("move", WEB_TCP, "*5", destination="*3"), "/ip firewall nat move *5 destination=*3"),
        (Operation("move", WEB_TCP, "*5"), "/ip firewall nat move *5"),
        (Operation("remove", WEB_TCP, "*7"), "/ip firewall nat remove *7"),
    ],
)
def test_render_each_operation(op, line):
    assert render_operation(op) == line


def test_render_unknown_operation_is_an_error():
    with pytest.raises(ValueError, match="unknown operation"):
        render_operation(Operation("enable", None, "*1"))


def test_render_commands_for_a_whole_plan():
    desired = PortForward("web", "both", "443", "192.168.88.10", comment="Web").rules()
    current = [
        {".id": "*1", "chain": "dstnat", "action": "dst-nat", "comment": "mail"},
        {
            ".id": "*4",
            "chain": "dstnat",
            "action": "dst-nat",
            "protocol": "tcp",
            "dst-port": 443,
            "to-addresses": "192.168.88.10",
            "to-ports": 80,
            "in-interface": "ether1",
            "comment": "hairpin:dstnat:web:tcp Web",
        },
        {".id": "*6", "chain": "dstnat", "action": "dst-nat", "comment": "hairpin:dstnat:old:udp"},
    ]
    result = plan_changes(desired, current, state="overridden", scope_kinds=["dstnat"])
    assert render_commands(result) == [
        "/ip firewall nat remove *6",
        "/ip firewall nat set *4 to-ports=443",
        "/ip firewall nat set *4 !in-interface",
        "/ip firewall nat move *4 destination=*1",
        "/ip firewall nat add chain=dstnat action=dst-nat protocol=udp dst-port=443 to-addresses=192.168.88.10 "
        'to-ports=443 comment="hairpin:dstnat:web:udp Web" place-before=*1',
    ]
    assert render_commands(result.operations) == render_commands(result)

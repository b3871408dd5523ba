# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    Hairpin,
    HairpinSubnet,
    Masquerade,
    PortForward,
    RuleKey,
    desired_rules,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import Operation, plan_changes
from ansible_collections.hairpin.routeros.plugins.module_utils.render import (
    render_commands,
    render_operation,
    rows_to_config,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import read_nat_adds

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


# --- rows -> config ----------------------------------------------------------------------------


def test_rendered_rules_read_back_as_the_same_config():
    forwards = [
        PortForward("web", "both", "443", "192.168.88.10", host_port="8443", public_local=True, comment='Web "1"'),
        PortForward("game", "udp", "27015-27030", "192.168.88.20", public_address="203.0.113.5", disabled=True),
        PortForward("ssh", "tcp", "2222", "192.168.88.11", host_port="22", in_interface_list="WAN"),
    ]
    hairpins = [Hairpin.for_port_forward(forwards[0], "192.168.88.0/24", lan_interface="bridge")]
    masquerades = [Masquerade(out_interface_list="WAN", ipsec_policy="out,none")]
    subnets = [HairpinSubnet("192.168.88.0/24", lan_interface_list="LAN", comment="all of the LAN")]
    rules = desired_rules(forwards, hairpins, masquerades, subnets)
    result = plan_changes(rules, [], state="merged", scope_kinds=["dstnat", "hairpin", "masquerade", "hairpin-subnet"])
    rows = read_nat_adds("\n".join(render_commands(result)))
    config = rows_to_config(rows)
    assert config == {
        "port_forwards": [
            {
                "name": "web",
                "protocol": "both",
                "port": "443",
                "host": "192.168.88.10",
                "host_port": "8443",
                "public_local": True,
                "comment": 'Web "1"',
                "disabled": False,
            },
            {
                "name": "game",
                "protocol": "udp",
                "port": "27015-27030",
                "host": "192.168.88.20",
                "public_address": "203.0.113.5",
                "disabled": True,
            },
            {
                "name": "ssh",
                "protocol": "tcp",
                "port": "2222",
                "host": "192.168.88.11",
                "host_port": "22",
                "in_interface_list": "WAN",
                "disabled": False,
            },
        ],
        "hairpins": [
            {
                "name": "web",
                "protocol": "both",
                "host": "192.168.88.10",
                "host_port": "8443",
                "lan_subnet": "192.168.88.0/24",
                "lan_interface": "bridge",
                "comment": 'Web "1"',
                "disabled": False,
            }
        ],
        "masquerades": [{"out_interface_list": "WAN", "ipsec_policy": "out,none", "disabled": False}],
        "hairpin_subnets": [
            {"subnet": "192.168.88.0/24", "lan_interface_list": "LAN", "comment": "all of the LAN", "disabled": False}
        ],
        "foreign": [],
    }
    # ... and building the services again from that config gives the very same rules.
    again = [PortForward(**entry) for entry in config["port_forwards"]]
    assert desired_rules(again) == desired_rules(forwards)


def test_rows_to_config_keeps_foreign_rows_and_skips_leftovers():
    rows = [
        {".id": "*1", "chain": "srcnat", "action": "masquerade", "comment": "defconf", "bytes": 10, "packets": 1},
        {".id": "*2", "chain": "dstnat", "action": "dst-nat", "comment": "hairpin:dstnat:web", "dst-port": 80},
        {".id": "*3", "chain": "dstnat", "action": "dst-nat", "comment": "hairpin:dstnat:a:tcp", "dynamic": True},
        {
            ".id": "*4",
            "chain": "dstnat",
            "protocol": "tcp",
            "dst-port": 80,
            "to-addresses": "10.0.0.1",
            "comment": "hairpin:dstnat:a:tcp",
        },
        {
            ".id": "*5",
            "chain": "dstnat",
            "protocol": "tcp",
            "dst-port": 81,
            "to-addresses": "10.0.0.1",
            "comment": "hairpin:dstnat:a:tcp",
        },
        {
            ".id": "*6",
            "chain": "dstnat",
            "protocol": "udp",
            "dst-port": 82,
            "to-addresses": "10.0.0.1",
            "comment": "hairpin:dstnat:a:udp",
        },
        {
            ".id": "*7",
            "chain": "srcnat",
            "action": "masquerade",
            "comment": "hairpin:masquerade:WAN",
            "out-interface-list": "WAN",
        },
    ]
    config = rows_to_config(rows, kinds=["dstnat"])
    assert config["port_forwards"] == [
        {"name": "a", "protocol": "tcp", "port": "80", "host": "10.0.0.1", "disabled": False},
        {"name": "a", "protocol": "udp", "port": "82", "host": "10.0.0.1", "disabled": False},
    ]
    assert config["masquerades"] == []
    assert [row[".id"] for row in config["foreign"]] == ["*1", "*2", "*3", "*7"]
    assert config["foreign"][0] == {".id": "*1", "chain": "srcnat", "action": "masquerade", "comment": "defconf"}
    assert config["foreign"][1]["dst-port"] == "80"
    assert config["foreign"][2]["dynamic"] == "true"

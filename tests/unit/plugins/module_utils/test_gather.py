# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rows as service-shaped config: gathered and parsed (gather.py)."""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.module_utils.gather import rows_to_config
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    Hairpin,
    HairpinSubnet,
    Masquerade,
    PortForward,
    desired_rules,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import plan_changes
from ansible_collections.hairpin.routeros.plugins.module_utils.render import (
    render_commands,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import read_nat_adds

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

# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import dataclasses

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils import render
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    Anchor,
    PortForward,
    RuleKey,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import Operation, plan_changes
from ansible_collections.hairpin.routeros.plugins.module_utils.render import (
    render_commands,
    render_diff,
    render_operation,
)

from routeros_sim import rsc
from routeros_sim.router import Router

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
        "# hairpin:dstnat:old:udp",
        "/ip firewall nat remove *6",
        "# hairpin:dstnat:web:tcp",
        # An edit writes the comment with the fingerprint of what it writes.
        '/ip firewall nat set *4 to-ports=443 comment="hairpin:dstnat:web:tcp ~e7449bb5 Web"',
        "/ip firewall nat set *4 !in-interface",
        '# hairpin:dstnat:web:tcp: to before *1 (foreign: "mail")',
        "/ip firewall nat move *4 destination=*1",
        '# hairpin:dstnat:web:udp: new, before *1 (foreign: "mail")',
        "/ip firewall nat add chain=dstnat action=dst-nat protocol=udp dst-port=443 to-addresses=192.168.88.10 "
        'to-ports=443 comment="hairpin:dstnat:web:udp ~f59d79b5 Web" place-before=*1',
    ]
    # Bare operations name their destinations from the rows given.
    assert render_commands(result.operations, result.before) == render_commands(result)


# --- annotations and the grouped --diff text ----------------------------------------------------

STOCK_NAT = [
    {".id": "*1", "chain": "srcnat", "action": "masquerade", "out-interface-list": "WAN",
     "comment": "defconf: masquerade"},
    {".id": "*5", "chain": "dstnat", "action": "dst-nat", "protocol": "udp", "dst-port": "51820",
     "to-addresses": "192.168.88.20", "comment": "hairpin:dstnat:wg:udp"},
    {".id": "*6", "chain": "dstnat", "action": "dst-nat", "protocol": "tcp", "dst-port": "443",
     "to-addresses": "192.168.88.10", "to-ports": "8443", "comment": "hairpin:dstnat:web:tcp"},
    {".id": "*7", "chain": "dstnat", "action": "dst-nat", "protocol": "tcp", "dst-port": "22",
     "to-addresses": "192.168.88.30", "comment": "hairpin:dstnat:ssh:tcp"},
]  # fmt: skip


def _plan_web_and_mail():
    forwards = [
        PortForward("mail", "tcp", "25", "192.168.88.40"),
        PortForward("web", "both", "443", "192.168.88.10"),
        PortForward("ssh", "tcp", "22", "192.168.88.30", host_port="2222"),
    ]
    rules = [rule for forward in forwards for rule in forward.rules()]
    return forwards, plan_changes(rules, STOCK_NAT, state="overridden", scope_kinds=["dstnat"])


def test_every_command_on_an_existing_rule_names_it_on_the_line_before():
    _forwards, plan = _plan_web_and_mail()
    lines = render_commands(plan)
    for index, line in enumerate(lines):
        if line.startswith("/ip firewall nat ") and not line.startswith("/ip firewall nat add"):
            assert lines[index - 1].startswith("# hairpin:dstnat:"), (index, lines)
    assert lines[:2] == ["# hairpin:dstnat:wg:udp", "/ip firewall nat remove *5"]


def test_a_move_names_where_to_by_the_destination_rule():
    rules = PortForward("web", "tcp", "443", "192.168.88.10").rules()
    current = [
        {".id": "*1", "chain": "dstnat", "action": "accept", "comment": "defconf: keep"},
        {".id": "*2", "chain": "dstnat", "action": "accept"},
        dict(STOCK_NAT[2], **{"to-ports": 8443}),
    ]
    rules = [dataclasses.replace(rule, anchor=Anchor("before", "defconf: keep")) for rule in rules]
    plan = plan_changes(rules, current, state="merged", scope_kinds=["dstnat"])
    assert render_commands(plan) == [
        "# hairpin:dstnat:web:tcp",
        '/ip firewall nat set *6 to-ports=443 comment="hairpin:dstnat:web:tcp ~e7449ba8"',
        '# hairpin:dstnat:web:tcp: to before *1 (foreign: "defconf: keep")',
        "/ip firewall nat move *6 destination=*1",
    ]
    moved_after_an_uncommented_rule = [dataclasses.replace(rule, anchor=Anchor("top")) for rule in rules]
    table = [current[1], current[2]]
    plan = plan_changes(moved_after_an_uncommented_rule, table, state="merged", scope_kinds=["dstnat"])
    assert render_commands(plan)[2:] == [
        "# hairpin:dstnat:web:tcp: to before *2 (foreign, no comment: chain=dstnat action=accept)",
        "/ip firewall nat move *6 destination=*2",
    ]


def test_the_diff_groups_the_commands_per_service_and_says_in_which_order_they_run():
    forwards, plan = _plan_web_and_mail()
    text = render_diff(plan, (), forwards)
    lines = text.splitlines()
    commands = render_commands(plan)
    # The same lines, regrouped: nothing lost, nothing added but headers.
    assert sorted(line for line in lines if line.startswith("/")) == sorted(
        line for line in commands if line.startswith("/")
    )
    assert lines[0] == render.ORDER_NOTE
    headers = [line for line in lines if line.startswith("# service")]
    assert headers == [
        "# service wg (removed)",
        "# service web (tcp+udp/443 -> 192.168.88.10)",
        "# service ssh (tcp/22 -> 192.168.88.30:2222)",
        "# service mail (tcp/25 -> 192.168.88.40)",
    ]
    web = lines[lines.index(headers[1]) + 1 : lines.index(headers[2])]
    assert web[:2] == [
        "# hairpin:dstnat:web:tcp",
        '/ip firewall nat set *6 to-ports=443 comment="hairpin:dstnat:web:tcp ~e7449bb5"',
    ]
    assert web[2] == "# hairpin:dstnat:web:udp: new, before *7 (hairpin:dstnat:ssh:tcp)"
    assert web[3].startswith("/ip firewall nat add chain=dstnat action=dst-nat protocol=udp dst-port=443")


def test_a_diff_in_execution_order_has_no_order_line():
    rules = PortForward("web", "tcp", "443", "192.168.88.10").rules()
    plan = plan_changes(rules, STOCK_NAT, state="merged", scope_kinds=["dstnat"])
    assert render_diff(plan, (), [PortForward("web", "tcp", "443", "192.168.88.10")]).splitlines() == [
        "# service web (tcp/443 -> 192.168.88.10)",
        "# hairpin:dstnat:web:tcp",
        '/ip firewall nat set *6 to-ports=443 comment="hairpin:dstnat:web:tcp ~e7449ba8"',
    ]


def test_annotated_commands_replay_in_the_simulator_as_rsc():
    router = Router.empty()
    seed = ["/ip firewall nat"]
    for row in STOCK_NAT:
        seed.append("add " + " ".join(f'{k}="{v}"' for k, v in row.items() if k != ".id"))
    rsc.run_script(router, "\n".join(seed))
    forwards, _plan = _plan_web_and_mail()
    rules = [rule for forward in forwards for rule in forward.rules()]
    plan = plan_changes(rules, printed(router), state="overridden", scope_kinds=["dstnat"])
    assert any(line.startswith("#") for line in render_commands(plan))
    rsc.run_script(router, "\n".join(render_commands(plan)))
    assert plan_changes(rules, printed(router), state="overridden", scope_kinds=["dstnat"]).operations == []


def printed(router):
    return [attrs for word, attrs in router.execute("/ip/firewall/nat/print", []) if word == "!re"]


def test_no_text_from_the_router_can_start_a_command_line_of_its_own():
    # A foreign comment with a newline, a value edited on the router with one: the annotation
    # and drift lines stay one comment line each.
    rules = PortForward("web", "tcp", "443", "192.168.88.10").rules()
    hostile = "x\n/system reset-configuration"
    current = [
        {".id": "*1", "chain": "dstnat", "action": "accept", "comment": hostile},
        dict(rules[0].fields, **{".id": "*6", "in-interface": "ether1\n/user remove admin"}),
    ]
    anchored = [dataclasses.replace(rule, anchor=Anchor("before", hostile)) for rule in rules]
    plan = plan_changes(anchored, current, state="merged", scope_kinds=["dstnat"])
    assert plan.drift and plan.operations
    text = render_diff(plan, (), [PortForward("web", "tcp", "443", "192.168.88.10")], plan.drift)
    for line in text.splitlines() + render_commands(plan):
        assert line.startswith(("#", "/ip firewall nat ")), line
    assert '# hairpin:dstnat:web:tcp: to before *1 (foreign: "x\\n/system reset-configuration")' in render_commands(
        plan
    )
    assert any("in-interface ether1\\0A/user remove admin on the router" in line for line in text.splitlines())

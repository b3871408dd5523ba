# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The analyzer and the firewall filter, the router's own services, and the severity of findings.

tests/dataplane checks the filter verdicts against real traffic; these pin them case by case.
"""

from __future__ import annotations

import json

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import (
    EXIT_FINDINGS,
    EXIT_OK,
    Facts,
    analyze,
    facts_from_rsc,
    has_errors,
    main,
    read_live,
    render_table,
)
from test_analyze import DEFCONF_MASQUERADE, EXPORT, SEED, FakeRouter, facts, rule, service, web_forward

# RouterOS 7's default configuration, /ip firewall filter, as `/export` prints it (forward chain
# and input chain; the analysis walks forward).
DEFCONF_FILTER = [
    rule(
        "input",
        "accept",
        "defconf: accept established,related,untracked",
        connection_state="established,related,untracked",
    ),
    rule("input", "drop", "defconf: drop invalid", connection_state="invalid"),
    rule("input", "accept", "defconf: accept ICMP", protocol="icmp"),
    rule("input", "accept", "defconf: accept to local loopback (for CAPsMAN)", dst_address="127.0.0.1"),
    rule("input", "drop", "defconf: drop all not coming from LAN", in_interface_list="!LAN"),
    rule("forward", "accept", "defconf: accept in ipsec policy", ipsec_policy="in,ipsec"),
    rule("forward", "accept", "defconf: accept out ipsec policy", ipsec_policy="out,ipsec"),
    rule(
        "forward",
        "fasttrack-connection",
        "defconf: fasttrack",
        connection_state="established,related",
        hw_offload="yes",
    ),
    rule(
        "forward",
        "accept",
        "defconf: accept established,related, untracked",
        connection_state="established,related,untracked",
    ),
    rule("forward", "drop", "defconf: drop invalid", connection_state="invalid"),
    rule(
        "forward",
        "drop",
        "defconf: drop all from WAN not DSTNATed",
        connection_state="new",
        connection_nat_state="!dstnat",
        in_interface_list="WAN",
    ),
]
BLOCK_WEB = rule("forward", "drop", "block web", protocol="tcp", dst_address="192.168.1.2", dst_port="80")
WWW = {"ftp": 21, "ssh": 22, "telnet": 23, "www": 80, "winbox": 8291, "api": 8728, "api-ssl": 8729}


def with_filter(rows, **changes):
    return facts(firewall_filter=rows, **changes)


def filter_findings(report):
    return [f for f in report.findings if f.code == "filter-blocks"]


# ---------------------------------------------------------------------------------------------
# The forward chain


def test_the_defconf_filter_passes_forwarded_hairpinned_and_outgoing_connections():
    report = analyze(SEED, with_filter(DEFCONF_FILTER))
    web = service(report)
    assert web["internet"]["reachable"] and web["lan"]["reachable"]
    assert web["internet"]["filter"] == dict(passes=True, packet="request", rule=None)
    assert web["lan"]["filter"]["passes"]
    assert report.outbound["reachable"] is True and report.findings == []


def test_without_the_dstnat_test_the_defconf_rule_drops_what_the_forward_brings_in():
    no_nat_state = [dict(r) for r in DEFCONF_FILTER]
    del no_nat_state[-1]["connection-nat-state"]
    report = analyze(SEED, with_filter(no_nat_state))
    internet = service(report)["internet"]
    assert not internet["reachable"]
    assert internet["summary"] == "blocked by filter rule #10 (defconf: drop all from WAN not DSTNATed)"
    assert service(report)["lan"]["reachable"] and report.outbound["reachable"]


def test_a_plain_drop_before_any_accept_blocks_every_path_and_is_named_by_position_and_content():
    report = analyze(SEED, with_filter([rule("forward", "drop"), *DEFCONF_FILTER]))
    web = service(report)
    assert not web["internet"]["reachable"] and not web["lan"]["reachable"]
    assert web["internet"]["summary"] == "blocked by filter rule #0"
    assert web["internet"]["server_sees"] is None
    blocked = filter_findings(report)
    assert [(f.service, f.severity, f.rule.position) for f in blocked] == [("web/tcp", "error", 0), (None, "error", 0)]
    assert blocked[0].rule.text() == "chain=forward action=drop"
    assert "LAN clients cannot reach the internet" in blocked[1].message
    assert report.outbound["reachable"] is False
    text = render_table(report)
    assert "no: blocked by filter rule #0" in text
    assert "LAN clients to the internet: BLOCKED by filter rule #0" in text
    assert "      filter rule #0: chain=forward action=drop" in text
    assert has_errors(report)


def test_a_rule_that_drops_the_published_service_is_named_by_its_comment():
    rows = [*DEFCONF_FILTER[:10], BLOCK_WEB, DEFCONF_FILTER[10]]
    report = analyze(SEED, with_filter(rows))
    web = service(report)
    for path in ("internet", "lan"):
        assert not web[path]["reachable"]
        assert web[path]["summary"] == "blocked by filter rule #10 (block web)"
        assert web[path]["filter"]["rule"]["comment"] == "block web"
    (finding,) = filter_findings(report)
    assert finding.rule.label == "filter rule #10 (block web)"
    assert finding.message.startswith(
        "from the internet, tcp port 80 to 203.0.113.1: the NAT table forwards it to 192.168.1.2:80, but filter "
        "rule #10 (block web) drops the connection's first packet in the forward chain"
    )
    assert finding.as_dict()["rule"]["table"] == "filter"
    assert report.outbound["reachable"] is True


def test_fasttrack_counts_as_accept_and_disabled_log_and_list_rules_go_on():
    rows = [
        rule("forward", "drop", "off", disabled="yes"),
        rule("forward", "log", "log all"),
        rule("forward", "add-src-to-address-list", "seen", address_list="seen"),
        rule("forward", "passthrough", "count"),
        rule("forward", "fasttrack-connection", "fast"),
        rule("forward", "drop", "never reached"),
    ]
    report = analyze(SEED, with_filter(rows))
    assert service(report)["internet"]["reachable"] and report.findings == []
    assert service(report)["internet"]["filter"]["rule"]["comment"] == "fast"


def test_jump_and_return_are_followed():
    established = rule("forward", "accept", "established", connection_state="established,related")
    wan_in = [
        rule("wan-in", "accept", "forwarded", connection_nat_state="dstnat"),
        rule("wan-in", "drop", "not forwarded"),
    ]
    jump = rule("forward", "jump", "from the WAN", jump_target="wan-in", in_interface_list="WAN")
    assert (
        analyze(SEED, with_filter([established, jump, rule("forward", "accept", "the rest"), *wan_in])).findings == []
    )
    # return goes back to the rule after the jump.
    returned = [established, jump, rule("forward", "drop", "after the jump"), rule("wan-in", "return", "back"), *wan_in]
    report = analyze(SEED, with_filter(returned))
    assert service(report)["internet"]["summary"] == "blocked by filter rule #2 (after the jump)"


def test_a_drop_of_established_traffic_blocks_the_replies():
    rows = [rule("forward", "drop", "no replies", connection_state="established,related")]
    report = analyze(SEED, with_filter(rows))
    internet = service(report)["internet"]
    assert not internet["reachable"] and internet["filter"]["packet"] == "reply"
    assert internet["reason"] == "filter rule #0 (no replies) drops the server's replies in the forward chain"


def test_interfaces_addresses_lists_and_negation_match_the_forwarded_packet():
    f = with_filter(
        [
            rule("forward", "accept", "from the LAN", in_interface="bridge"),
            rule(
                "forward",
                "reject",
                "not to the server",
                dst_address_list="!servers",
                reject_with="icmp-admin-prohibited",
            ),
            rule("forward", "accept", "to the server", out_interface_list="LAN", src_address="!192.168.0.0/16"),
            rule("forward", "drop", "the rest"),
        ],
        address_lists={"servers": ["192.168.1.2"]},
    )
    report = analyze(SEED, f)
    assert service(report)["internet"]["filter"]["rule"]["comment"] == "to the server"
    assert service(report)["lan"]["filter"]["rule"]["comment"] == "from the LAN"
    blocked = analyze(SEED, f.merged({"address_lists": {"servers": ["192.168.1.9"]}}))
    assert service(blocked)["internet"]["summary"] == "blocked by filter rule #1 (not to the server)"
    assert "rejects" in service(blocked)["internet"]["reason"]


def test_unanalysable_filter_matchers_are_noted_and_taken_as_not_matching():
    rows = [rule("forward", "drop", "syn flood", protocol="tcp", tcp_flags="syn")]
    report = analyze(SEED, with_filter(rows))
    assert service(report)["internet"]["reachable"]
    assert "filter rule #0 (syn flood): tcp-flags=syn is not analysed; taken as not matching" in report.notes


def test_without_the_filter_in_the_facts_the_verdicts_are_the_nat_tables_and_say_so():
    report = analyze(SEED, facts())
    assert service(report)["internet"]["filter"] is None and "reachable" not in report.outbound
    assert "the firewall filter is not in the facts: the verdicts are the NAT table's alone" in report.notes


# ---------------------------------------------------------------------------------------------
# The router's own services: warnings


def test_a_forward_on_the_webfig_port_is_a_warning_that_says_where_webfig_still_is():
    report = analyze(SEED, facts(services=WWW))
    (finding,) = report.findings
    assert (finding.code, finding.severity, finding.rule.position) == ("captures-router-service", "warning", 0)
    assert finding.message.startswith(
        "WebFig (www, tcp/80) is no longer reachable on 203.0.113.1; it still is on 192.168.1.1. "
    )
    assert not has_errors(report) and report.errors == []
    assert "  [captures-router-service] (warning) WebFig (www, tcp/80)" in render_table(report)


def test_a_service_limited_to_the_lan_loses_nothing_to_a_forward_from_the_wan():
    limited = dict(service_addresses={"www": ["192.168.1.0/24"]}, services=WWW)
    rows = [web_forward(in_interface="ether1"), DEFCONF_MASQUERADE]
    assert analyze(rows, facts(**limited)).findings == []
    # Without in-interface the forward also takes LAN clients' traffic to the public address.
    (finding,) = analyze(SEED, facts(**limited)).findings
    assert finding.message.startswith(
        "WebFig (www, tcp/80) is no longer reachable on 203.0.113.1 from the LAN; it still is on 192.168.1.1."
    )


def test_the_command_line_fails_on_errors_only(tmp_path, capsys):
    export = tmp_path / "router.rsc"
    export.write_text(EXPORT.replace("set www disabled=yes\n", "").replace("in-interface=ether1 ", ""))
    assert main(["--rsc", str(export), "--format", "json", "--fail-on-findings"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("captures-router-service", "warning")]
    blocked = export.read_text() + '/ip firewall filter\nadd action=drop chain=forward comment="block web"\n'
    export.write_text(blocked)
    assert main(["--rsc", str(export), "--format", "json", "--fail-on-findings"]) == EXIT_FINDINGS


# ---------------------------------------------------------------------------------------------
# Reading the filter


FILTER_EXPORT = (
    EXPORT.replace("set www disabled=yes\n", "set www address=192.168.1.0/24,fd00::/64\n")
    + r"""/ip firewall filter
add action=fasttrack-connection chain=forward comment="defconf: fasttrack" \
    connection-state=established,related hw-offload=yes
add action=drop chain=forward comment="block web" disabled=yes dst-port=80 \
    protocol=tcp
add action=drop chain=forward comment="defconf: drop all from WAN not DSTNATed" \
    connection-nat-state=!dstnat connection-state=new in-interface-list=WAN
"""
)


def test_an_export_gives_the_filter_in_table_order_and_the_services_addresses():
    f = facts_from_rsc(FILTER_EXPORT)
    assert [row["comment"] for row in f.firewall_filter] == [
        "defconf: fasttrack",
        "block web",
        "defconf: drop all from WAN not DSTNATed",
    ]
    assert f.firewall_filter[1]["disabled"] == "yes"
    assert f.service_addresses == {"www": ["192.168.1.0/24", "fd00::/64"]}
    assert facts_from_rsc(EXPORT).firewall_filter == []
    again = Facts.from_dict(json.loads(json.dumps(f.as_dict())))
    assert (again.firewall_filter, again.service_addresses) == (f.firewall_filter, f.service_addresses)


def test_a_live_read_takes_the_filter_in_the_same_round_trip():
    router = FakeRouter(
        {
            "/ip/firewall/nat/print": SEED,
            "/interface/list/print": [{"name": "WAN"}, {"name": "LAN"}],
            "/interface/list/member/print": [
                {"list": "WAN", "interface": "ether1"},
                {"list": "LAN", "interface": "bridge"},
            ],
            "/ip/address/print": [
                {"address": "192.168.1.1/24", "interface": "bridge", "disabled": False},
                {"address": "203.0.113.1/24", "interface": "ether1", "disabled": False},
            ],
            "/ip/firewall/filter/print": [BLOCK_WEB],
            "/ip/service/print": [
                {"name": "www", "port": "80", "address": "192.168.1.0/24", "disabled": "false"},
                {"name": "ssh", "port": "22", "address": "", "disabled": "false"},
            ],
        }
    )
    rows, f = read_live(router)
    assert len(router.reads) == 1 and "/ip/firewall/filter/print" in router.reads[0]
    assert f.firewall_filter == [BLOCK_WEB]
    assert (f.services, f.service_addresses) == ({"www": 80, "ssh": 22}, {"www": ["192.168.1.0/24"]})
    f.update(dict(lan_client="192.168.1.10", internet_client="198.51.100.10"))
    assert service(analyze(rows, f))["internet"]["summary"] == "blocked by filter rule #0 (block web)"

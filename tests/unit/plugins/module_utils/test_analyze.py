# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability analyzer: NAT rows + facts -> verdicts and findings (pure), its readers, its CLI.

tests/dataplane checks the same verdicts against real traffic; these pin the semantics case by
case, with tables a user would have.
"""

from __future__ import annotations

import json

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    AnalyzeError,
    Facts,
    analyze,
    facts_from_rsc,
    main,
    read_live,
    render_table,
    rows_from_rsc,
)

from tests.support.tables import table_row as rule

WEB = "hairpin:dstnat:web:tcp"


def web_forward(chain="dstnat", **overrides):
    fields = dict(protocol="tcp", dst_address="203.0.113.1", dst_port="80", to_addresses="192.168.1.2", to_ports="80")
    fields.update(overrides)
    return rule(chain, "dst-nat", WEB, **{k: v for k, v in fields.items() if v is not None})


def web_hairpin(**overrides):
    fields = dict(
        protocol="tcp", src_address="192.168.1.0/24", dst_address="192.168.1.2", dst_port="80", out_interface="bridge"
    )
    fields.update(overrides)
    return rule("srcnat", "masquerade", "hairpin:hairpin:web:tcp", **fields)


DEFCONF_MASQUERADE = rule(
    "srcnat", "masquerade", "defconf: masquerade", out_interface_list="WAN", ipsec_policy="out,none"
)
SEED = [web_forward(), web_hairpin(), DEFCONF_MASQUERADE]


def facts(**changes):
    """The stock home router: WAN ether1 203.0.113.1/24, LAN bridge 192.168.1.0/24."""
    values = dict(
        addresses=[("bridge", "192.168.1.1/24"), ("ether1", "203.0.113.1/24")],
        interface_list_members={"WAN": ["ether1"], "LAN": ["bridge"]},
        services={"ftp": 21, "ssh": 22, "telnet": 23, "winbox": 8291, "api": 8728, "api-ssl": 8729},
        internet_client="198.51.100.10",
        lan_client="192.168.1.10",
    )
    values.update(changes)
    return Facts(**values)


def service(report, name="web", protocol="tcp"):
    (found,) = [s for s in report.services if (s["name"], s["protocol"]) == (name, protocol)]
    return found


def codes(report):
    return sorted((f.code, f.service) for f in report.findings)


# ---------------------------------------------------------------------------------------------
# The seed scenario and what each side sees


def test_seed_scenario_reachable_both_ways_server_sees_client_then_router():
    report = analyze(SEED, facts())
    web = service(report)
    assert (web["public"], web["target"], web["owned"]) == ("203.0.113.1:80", "192.168.1.2:80", True)
    internet, lan = web["internet"], web["lan"]
    assert (internet["reachable"], internet["server_sees"], internet["sees"]) == (True, "198.51.100.10", "client")
    assert (lan["reachable"], lan["via"], lan["server_sees"], lan["sees"]) == (True, "hairpin", "192.168.1.1", "router")
    assert report.findings == []
    assert report.outbound["masqueraded"] and report.outbound["address"] == "203.0.113.1"


def test_values_as_librouteros_returns_them_are_normalised_by_the_engine():
    # librouteros turns "80" into 80 and "false" into False; the engine's normaliser undoes it.
    rows = [
        web_forward(dst_port=80, to_ports="80-80", disabled=False, dst_address="203.0.113.1/32"),
        web_hairpin(dst_port=80, disabled="no", src_address="192.168.1.7/24"),
        DEFCONF_MASQUERADE,
    ]
    assert analyze(rows, facts()).as_dict()["services"] == analyze(SEED, facts()).as_dict()["services"]


def test_a_client_on_another_subnet_needs_no_hairpin_and_keeps_its_address():
    rows = [web_forward(to_addresses="192.168.2.2"), DEFCONF_MASQUERADE]
    f = facts(addresses=[("bridge", "192.168.1.1/24"), ("bridge", "192.168.2.1/24"), ("ether1", "203.0.113.1/24")])
    f.lan_client = None  # the analysis picks a client in the server's subnet...
    lan = service(analyze(rows, f))["lan"]
    assert (lan["reachable"], lan["client"]) == (False, "192.168.2.254")
    f.lan_client = "192.168.1.10"  # ...a client on the other subnet is routed both ways
    lan = service(analyze(rows, f))["lan"]
    assert (lan["reachable"], lan["via"], lan["server_sees"]) == (True, "routed", "192.168.1.10")


# ---------------------------------------------------------------------------------------------
# First match, chains, disabled rules


def test_a_catch_all_above_shadows_the_forward_and_is_named():
    dmz = rule("dstnat", "dst-nat", "DMZ", in_interface_list="WAN", to_addresses="192.168.1.3")
    report = analyze([dmz, *SEED], facts())
    internet = service(report)["internet"]
    assert (internet["reachable"], internet["reaches"], internet["summary"]) == (
        False,
        "192.168.1.3:80",
        "shadowed by rule #0",
    )
    shadowed = [f for f in report.findings if f.code == "shadowed"]
    assert [(f.service, f.rule.position, f.rule.get("comment")) for f in shadowed] == [("web/tcp", 0, "DMZ")]
    assert shadowed[0].rule.text() == "chain=dstnat action=dst-nat in-interface-list=WAN to-addresses=192.168.1.3"
    # LAN clients do not arrive on the WAN: the hairpin still works for them.
    assert service(report)["lan"]["reachable"]


def test_an_accept_above_ends_dstnat():
    stop = rule("dstnat", "accept", "no forwards", protocol="tcp")
    report = analyze([stop, *SEED], facts())
    assert not service(report)["internet"]["reachable"]
    (finding,) = [f for f in report.findings if f.service == "web/tcp" and "internet" in f.message]
    assert finding.code == "shadowed" and "ends dstnat first (action=accept)" in finding.message


def test_jump_return_and_passthrough_are_followed():
    rows = [
        rule("dstnat", "passthrough", "count", protocol="tcp"),
        rule("dstnat", "jump", "to forwards", jump_target="forwards", in_interface="ether1"),
        rule("forwards", "return", "not from the test net", src_address="!198.51.100.0/24"),
        web_forward(chain="forwards"),
        web_hairpin(),
        DEFCONF_MASQUERADE,
    ]
    report = analyze(rows, facts())
    internet = service(report)["internet"]
    assert internet["reachable"] and internet["rules"][:3] == [0, 1, 3]
    # From another internet address the return sends the packet back to dstnat, where no rule
    # forwards it.
    other = service(analyze(rows, facts(internet_client="192.0.2.10")))["internet"]
    assert not other["reachable"]
    assert other["reason"] == (
        "rule #3 (hairpin:dstnat:web:tcp) is never reached: rule #2 (not from the test net) returns from "
        "chain forwards first"
    )


def test_disabled_rules_are_skipped_and_a_disabled_service_is_no_finding():
    rows = [web_forward(disabled="true"), web_hairpin(), DEFCONF_MASQUERADE]
    report = analyze(rows, facts())
    assert service(report)["internet"]["summary"] == "rule #0 is disabled"
    assert report.findings == []
    dmz = rule("dstnat", "dst-nat", "DMZ", to_addresses="192.168.1.3", disabled="yes")
    assert service(analyze([dmz, *SEED], facts()))["internet"]["reachable"]


# ---------------------------------------------------------------------------------------------
# Hairpin findings


def test_missing_hairpin_is_found_with_the_rule_that_fixes_it():
    report = analyze([web_forward(), DEFCONF_MASQUERADE], facts())
    lan = service(report)["lan"]
    assert (lan["reachable"], lan["summary"]) == (False, "no hairpin NAT, the reply bypasses the router")
    (finding,) = report.findings
    assert (finding.code, finding.service, finding.rule) == ("missing-hairpin", "web/tcp", None)
    assert finding.fix == (
        "/ip firewall nat add chain=srcnat action=masquerade protocol=tcp src-address=192.168.1.0/24 "
        'dst-address=192.168.1.2 dst-port=80 out-interface=bridge comment="hairpin:hairpin:web:tcp ~c71968a8"'
    )  # the rule as the engine writes it, fingerprint included


def test_the_fix_for_a_hand_made_forward_gets_a_valid_name():
    forward = rule("dstnat", "dst-nat", "web server", protocol="tcp", dst_port="80", to_addresses="192.168.1.2")
    report = analyze([forward, DEFCONF_MASQUERADE], facts())
    assert service(report, "web server")["internet"]["reachable"]
    (fix,) = [f.fix for f in report.findings if f.code == "missing-hairpin"]
    assert fix.endswith('out-interface=bridge comment="hairpin:hairpin:web-server:tcp ~c71968a8"')


def test_hairpin_on_the_wrong_interface_is_named_with_the_reason():
    report = analyze([web_forward(), web_hairpin(out_interface="ether2"), DEFCONF_MASQUERADE], facts())
    (finding,) = report.findings
    assert (finding.code, finding.rule.position) == ("hairpin-mismatch", 1)
    assert "out-interface=ether2, but the packet leaves through bridge" in finding.message


def test_another_services_hairpin_rule_is_not_this_ones_mismatch():
    wg = rule(
        "dstnat",
        "dst-nat",
        "hairpin:dstnat:wg:udp",
        protocol="udp",
        dst_address="203.0.113.1",
        dst_port="51820",
        to_addresses="192.168.1.2",
    )
    report = analyze([web_forward(), wg, web_hairpin(), DEFCONF_MASQUERADE], facts())
    assert codes(report) == [("missing-hairpin", "wg/udp")]


def test_an_accept_above_the_hairpin_rule_is_found():
    bypass = rule("srcnat", "accept", "ipsec bypass", src_address="192.168.1.0/24", dst_address="192.168.0.0/16")
    report = analyze([web_forward(), bypass, web_hairpin(), DEFCONF_MASQUERADE], facts())
    (finding,) = report.findings
    assert (finding.code, finding.rule.get("comment")) == ("hairpin-shadowed", "ipsec bypass")


def test_a_subnet_hairpin_rule_covers_every_service():
    subnet = rule(
        "srcnat",
        "masquerade",
        "hairpin:hairpin-subnet:192.168.1.0/24",
        src_address="192.168.1.0/24",
        dst_address="192.168.1.0/24",
        out_interface="bridge",
    )
    report = analyze([web_forward(), subnet, DEFCONF_MASQUERADE], facts())
    assert service(report)["lan"]["via"] == "hairpin" and report.findings == []


# ---------------------------------------------------------------------------------------------
# Public side, router services, outbound traffic


def test_a_wan_address_that_moved_is_a_public_address_mismatch():
    report = analyze(SEED, facts(addresses=[("bridge", "192.168.1.1/24"), ("ether1", "203.0.113.77/24")]))
    assert not service(report)["internet"]["reachable"]
    (finding,) = report.findings
    assert (finding.code, finding.rule.position) == ("public-address-mismatch", 0)
    assert "matches dst-address=203.0.113.1, but the WAN's current address is 203.0.113.77" in finding.message


def test_the_published_address_is_checked_against_the_wan():
    report = analyze(SEED, facts(public_address="203.0.113.9"))
    assert codes(report) == [("public-address-mismatch", None)]


def test_an_address_list_with_a_stale_address_does_not_match():
    rows = [web_forward(dst_address=None, dst_address_list="wan-ip"), web_hairpin(), DEFCONF_MASQUERADE]
    assert analyze(rows, facts(address_lists={"wan-ip": ["203.0.113.1"]})).findings == []
    report = analyze(rows, facts(address_lists={"wan-ip": ["203.0.113.50"]}))
    assert codes(report) == [("public-address-mismatch", "web/tcp")]


def test_local_forward_works_both_ways_and_on_a_router_port_captures_the_service():
    rows = [web_forward(dst_address=None, dst_address_type="local"), web_hairpin(), DEFCONF_MASQUERADE]
    report = analyze(rows, facts())
    assert service(report)["internet"]["reachable"] and service(report)["lan"]["reachable"]
    assert report.findings == []
    ssh = rule("dstnat", "dst-nat", "hairpin:dstnat:ssh:tcp", protocol="tcp", dst_port="22", dst_address_type="local")
    ssh["to-addresses"] = "192.168.1.2"
    report = analyze([ssh, DEFCONF_MASQUERADE], facts(lan_subnets=["192.168.1.0/24"]))
    captured = [f for f in report.findings if f.code == "captures-router-service"]
    assert len(captured) == 1 and captured[0].rule.position == 0
    assert "ssh (tcp/22) on 203.0.113.1 from the internet" in captured[0].message
    assert "ssh (tcp/22) on 192.168.1.1 from the LAN" in captured[0].message


def test_a_forward_without_public_address_takes_lan_traffic_to_every_server():
    rows = [web_forward(dst_address=None), web_hairpin(), DEFCONF_MASQUERADE]
    report = analyze(rows, facts())
    assert [f.code for f in report.findings] == ["captures-outbound"]
    assert "any internet address (e.g. 198.51.100.10)" in report.findings[0].message


def test_no_masquerade_for_the_server_is_found():
    report = analyze([web_forward(), web_hairpin()], facts())
    assert codes(report) == [("no-masquerade", "web/tcp")]
    assert report.outbound == dict(client="192.168.1.10", masqueraded=False, address="192.168.1.10", rule=None)


# ---------------------------------------------------------------------------------------------
# Split DNS


def test_split_dns_reaches_the_server_directly_and_needs_no_hairpin():
    rows = [web_forward(in_interface="ether1"), DEFCONF_MASQUERADE]
    report = analyze(rows, facts(dns_static=[("www.example.net", "192.168.1.2")]))
    web = service(report)
    assert not web["lan_public_address"]["reachable"]
    assert web["lan_public_address"]["summary"] == "rule #0 does not match (in-interface=ether1)"
    lan = web["lan"]
    assert (lan["reachable"], lan["via"], lan["names"], lan["server_sees"]) == (
        True,
        "split DNS",
        ["www.example.net"],
        "192.168.1.10",
    )
    assert report.findings == []


def test_split_dns_to_a_translated_port_misses_the_server():
    rows = [web_forward(dst_port="8080", to_ports="80", in_interface="ether1"), DEFCONF_MASQUERADE]
    report = analyze(rows, facts(dns_static=[("www.example.net", "192.168.1.2")]))
    assert codes(report) == [("split-dns-port", "web/tcp")]


# ---------------------------------------------------------------------------------------------
# Inputs and errors


def test_unknown_interface_list_members_are_an_error_not_a_guess():
    with pytest.raises(AnalyzeError, match="interface list 'WAN', whose members are not in the facts"):
        analyze(SEED, facts(interface_list_members={}, wan_interface="ether1", lan_interface="bridge"))


def test_a_wan_without_address_needs_the_public_address():
    f = facts(addresses=[("bridge", "192.168.1.1/24")])
    with pytest.raises(AnalyzeError, match=r"the WAN \(ether1\) has no address in the facts; give public_address"):
        analyze(SEED, f)
    f.public_address = "203.0.113.1"
    assert service(analyze(SEED, f))["internet"]["reachable"]


def test_unanalysable_matchers_are_noted_and_taken_as_not_matching():
    marked = web_forward(connection_mark="web")
    report = analyze([marked, web_hairpin(), DEFCONF_MASQUERADE], facts())
    assert not service(report)["internet"]["reachable"]
    assert (
        "rule #0 (hairpin:dstnat:web:tcp): connection-mark=web is not analysed; taken as not matching" in report.notes
    )


def test_nat_info_rows_and_facts_are_read_as_they_come():
    rows = [dict(row, position=index, owned=True, owner={"kind": "dstnat"}) for index, row in enumerate(SEED)]
    info_facts = {
        "interfaces": ["bridge", "ether1"],
        "interface_lists": ["LAN", "WAN"],
        "addresses": ["192.168.1.1/24", "203.0.113.1/24"],
        "services": {"ssh": 22},
        "lan_networks": {"bridge": ["192.168.1.0/24"], "ether1": ["203.0.113.0/24"]},
        "interface_list_members": {"WAN": ["ether1"], "LAN": ["bridge"]},
    }
    report = analyze(rows, Facts.from_dict(info_facts))
    assert service(report)["lan"]["reachable"] and report.findings == []


EXPORT = r"""# 2025-11-20 by RouterOS 7.20.6
/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN
/ip address
add address=192.168.1.1/24 interface=bridge network=192.168.1.0
add address=203.0.113.1/24 interface=ether1 network=203.0.113.0
add address=10.9.9.1/24 disabled=yes interface=ether5 network=10.9.9.0
/ip dns static
add address=192.168.1.2 name=WWW.Example.net. type=A
add cname=www.example.net name=alias.example.net type=CNAME
/ip firewall address-list
add address=203.0.113.1 list=wan-ip
/ip firewall nat
add action=dst-nat chain=dstnat comment=hairpin:dstnat:web:tcp dst-address-list=wan-ip \
    dst-port=80 in-interface=ether1 protocol=tcp to-addresses=192.168.1.2 to-ports=80
add action=masquerade chain=srcnat comment="defconf: masquerade" \
    ipsec-policy=out,none out-interface-list=WAN
/ip service
set telnet disabled=yes
set ssh port=2222
set www disabled=yes
"""


def test_an_export_gives_the_table_and_the_facts():
    f = facts_from_rsc(EXPORT)
    assert f.addresses == [("bridge", "192.168.1.1/24"), ("ether1", "203.0.113.1/24")]
    assert f.interface_list_members == {"WAN": ["ether1"], "LAN": ["bridge"]}
    assert f.dns_static == [("www.example.net", "192.168.1.2")]
    assert f.address_lists == {"wan-ip": ["203.0.113.1"]}
    assert f.services == {"ftp": 21, "ssh": 2222, "api": 8728, "winbox": 8291, "api-ssl": 8729}
    report = analyze(rows_from_rsc(EXPORT), f)
    assert service(report)["lan"]["via"] == "split DNS" and report.findings == []


def test_the_table_for_people():
    text = render_table(analyze([web_forward(), DEFCONF_MASQUERADE], facts()))
    lines = text.splitlines()
    assert lines[0].split() == ["SERVICE", "PUBLIC", "SERVER", "FROM", "THE", "INTERNET", "FROM", "THE", "LAN"]
    assert lines[1].split("  ")[0] == "web/tcp"
    assert "yes, server sees client 198.51.100.10" in lines[1]
    assert lines[1].endswith("no: no hairpin NAT, the reply bypasses the router")
    assert "LAN clients to the internet: masqueraded to 203.0.113.1 by rule #1 (defconf: masquerade)" in text
    assert "FINDINGS (1)" in text and "  [missing-hairpin] web/tcp: no srcnat rule" in text
    assert "      fix: /ip firewall nat add chain=srcnat action=masquerade protocol=tcp" in text


# ---------------------------------------------------------------------------------------------
# Reading a live router and the command line


class FakeRouter:
    """api.Router's read(): one call is one round trip."""

    def __init__(self, replies):
        self.replies = replies
        self.reads = []

    def read(self, commands, **_options):
        self.reads.append([command.path for command in commands])
        return [self.replies.get(command.path, []) for command in commands]


def test_a_live_router_is_read_in_one_round_trip():
    router = FakeRouter(
        {
            "/ip/firewall/nat/print": SEED,
            "/interface/print": [{"name": "ether1"}, {"name": "bridge"}],
            "/interface/list/print": [{"name": "WAN"}, {"name": "LAN"}],
            "/interface/list/member/print": [
                {"list": "WAN", "interface": "ether1"},
                {"list": "LAN", "interface": "bridge"},
            ],
            "/ip/address/print": [
                {"address": "192.168.1.1/24", "interface": "bridge", "disabled": False},
                {"address": "203.0.113.1/24", "interface": "ether1", "disabled": False},
            ],
            "/ip/service/print": [{"name": "ssh", "port": 22, "disabled": False}],
            "/ip/dns/static/print": [{"name": "www.example.net", "address": "192.168.1.2", "disabled": False}],
        }
    )
    rows, f = read_live(router)
    # The default routes come last, for the reply routing of several WANs (with the mangle table).
    assert len(router.reads) == 1 and router.reads[0][-2:] == ["/ip/dns/static/print", "/ip/route/print"]
    assert "/ip/firewall/mangle/print" in router.reads[0]
    assert rows == SEED
    assert (f.services, f.dns_static) == ({"ssh": 22}, [("www.example.net", "192.168.1.2")])
    assert f.interface_list_members == {"WAN": ["ether1"], "LAN": ["bridge"]}
    assert sorted(f.addresses) == [("bridge", "192.168.1.1/24"), ("ether1", "203.0.113.1/24")]


def test_cli_reads_an_export_and_fails_on_findings_when_asked(tmp_path, capsys):
    export = tmp_path / "router.rsc"
    export.write_text(EXPORT.replace("add address=192.168.1.2 name=WWW.Example.net. type=A\n", ""))
    assert main(["--rsc", str(export), "--lan-client", "192.168.1.10"]) == EXIT_OK
    table = capsys.readouterr().out
    assert "no: rule #0 does not match (in-interface=ether1)" in table and "no findings" in table
    export.write_text(EXPORT.replace("in-interface=ether1 ", ""))
    assert main(["--rsc", str(export), "--format", "json", "--fail-on-findings"]) == EXIT_OK
    capsys.readouterr()
    export.write_text(EXPORT.replace("203.0.113.1 list=wan-ip", "203.0.113.99 list=wan-ip"))
    assert main(["--rsc", str(export), "--format", "json", "--fail-on-findings"]) == EXIT_FINDINGS
    report = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in report["findings"]] == ["public-address-mismatch"]


def test_cli_says_what_is_missing(tmp_path, capsys):
    export = tmp_path / "router.rsc"
    export.write_text(
        "/ip firewall nat\nadd chain=dstnat action=dst-nat protocol=tcp dst-port=80 to-addresses=10.0.0.2\n"
    )
    assert main(["--rsc", str(export)]) == EXIT_ERROR
    assert "which interface is the WAN? give wan_interface" in capsys.readouterr().err


def test_cli_facts_file_completes_gathered_rules(tmp_path, capsys):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(SEED))
    extra = tmp_path / "facts.json"
    extra.write_text(json.dumps(facts().as_dict()))
    assert main(["--rules", str(rules), "--facts", str(extra)]) == EXIT_OK
    assert "yes (hairpin), server sees router 192.168.1.1" in capsys.readouterr().out


def test_an_owned_rule_with_a_fingerprint_is_named_as_the_user_wrote_it():
    forward = web_forward(dst_address=None)
    forward["comment"] = "hairpin:dstnat:web:tcp ~d3f262a8 Web"
    report = analyze([forward, web_hairpin(), DEFCONF_MASQUERADE], facts())
    (finding,) = report.findings
    assert finding.service == "web/tcp"  # still recognised as the owned web rule
    assert "rule #0 (hairpin:dstnat:web:tcp Web)" in finding.message
    assert "~d3f262a8" not in render_table(report)
    # The rule as it stands on the router keeps its whole comment.
    assert finding.rule.get("comment") == "hairpin:dstnat:web:tcp ~d3f262a8 Web"


def test_a_source_limited_service_is_reachable_from_its_sources_only_and_that_is_no_finding():
    limited = [web_forward(src_address_list="hairpin-src-web"), DEFCONF_MASQUERADE]
    lists = {"hairpin-src-web": ["198.51.100.0/24", "192.0.2.7"]}
    inside = analyze(limited, facts(address_lists=lists, internet_client="198.51.100.10"))
    assert service(inside)["internet"]["reachable"] is True
    outside = analyze(limited, facts(address_lists=lists, internet_client="192.0.2.99"))
    internet = service(outside)["internet"]
    assert internet["reachable"] is False
    assert internet["summary"] == "source-limited: 192.0.2.99 not admitted"
    assert "192.0.2.99 is not in that list" in internet["reason"]
    # The LAN is not among the sources: LAN clients are not forwarded, which the limit says too.
    lan = service(outside)["lan_public_address"]
    assert (lan["reachable"], lan["summary"]) == (False, "source-limited: 192.168.1.10 not admitted")
    assert outside.findings == []
    # A source limit among other mismatches is no excuse for them: the finding stays.
    moved = [web_forward(src_address="198.51.100.0/24", dst_address="203.0.113.50"), DEFCONF_MASQUERADE]
    assert codes(analyze(moved, facts(internet_client="192.0.2.99"))) == [("public-address-mismatch", "web/tcp")]

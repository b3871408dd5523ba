# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The analyzer on 1:1 NAT (netmap): the table hairpin_netmaps makes for the stock home router
with a second WAN address, and the ways admins break it."""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import (
    MISSING_HAIRPIN,
    ONE_TO_ONE_OUTBOUND,
    SHADOWED,
    Facts,
    analyze,
    render_table,
)
from test_analysis_filter import DEFCONF_FILTER

from tests.support.tables import table_row as rule

PUBLIC, HOST = "203.0.113.5", "192.168.1.3"


NETMAP_IN = rule("dstnat", "netmap", "hairpin:netmap-in:dmz", dst_address=PUBLIC, to_addresses=HOST)
NETMAP_OUT = rule(
    "srcnat", "netmap", "hairpin:netmap-out:dmz", src_address=HOST, out_interface="ether1", to_addresses=PUBLIC
)
NETMAP_HAIRPIN = rule(
    "srcnat",
    "masquerade",
    "hairpin:netmap-hairpin:dmz",
    src_address="192.168.1.0/24",
    dst_address=HOST,
    out_interface="bridge",
)
DEFCONF_MASQUERADE = rule(
    "srcnat", "masquerade", "defconf: masquerade", out_interface_list="WAN", ipsec_policy="out,none"
)
# What the role writes: both netmap rules at the top of their chain, above defconf's masquerade.
MAPPED = [NETMAP_IN, NETMAP_OUT, NETMAP_HAIRPIN, DEFCONF_MASQUERADE]


def facts(**changes):
    """The stock home router, with the 1:1 host's public address as a second WAN address."""
    values = dict(
        addresses=[("bridge", "192.168.1.1/24"), ("ether1", "203.0.113.1/24"), ("ether1", PUBLIC + "/24")],
        interface_list_members={"WAN": ["ether1"], "LAN": ["bridge"]},
        internet_client="198.51.100.10",
        lan_client="192.168.1.10",
    )
    values.update(changes)
    return Facts(**values)


def mapping(report, name="dmz"):
    (found,) = [m for m in report.one_to_one if m["name"] == name]
    return found


def codes(report):
    return sorted((f.code, f.service) for f in report.findings)


def test_the_roles_table_maps_the_host_every_way():
    report = analyze(MAPPED, facts(firewall_filter=DEFCONF_FILTER))
    found = mapping(report)
    assert (found["public"], found["host"], found["owned"]) == (PUBLIC, HOST, True)
    internet = found["internet"]
    assert (internet["reachable"], internet["reaches"], internet["server_sees"]) == (
        True,
        HOST + ":443",
        "198.51.100.10",
    )
    assert internet["filter"]["passes"] is True
    lan = found["lan"]
    assert (lan["reachable"], lan["via"], lan["server_sees"]) == (True, "hairpin", "192.168.1.1")
    out = found["outbound"]
    assert (out["address"], out["leaves_with_public_address"], out["rule"]["position"]) == (PUBLIC, True, 1)
    assert found["shadowed"] == [] and found["findings"] == []
    # The mapping is not a port forward: it is no entry of services.
    assert report.services == []
    # Other LAN hosts still leave masqueraded to the router's address.
    assert report.outbound["address"] == "203.0.113.1"
    assert "dmz (1:1) to the internet: leaves with 203.0.113.5 by rule #1" in render_table(report)


def test_the_probe_port_is_one_no_other_rule_names():
    forward = rule(
        "dstnat", "dst-nat", None, protocol="tcp", dst_address="203.0.113.1", dst_port="443", to_addresses="192.168.1.2"
    )
    found = mapping(analyze([forward, *MAPPED], facts()))
    assert found["probe"] == "tcp/8443"
    assert found["internet"]["reaches"] == HOST + ":8443"


def test_the_mapping_below_a_masquerade_leaves_with_the_wan_address():
    report = analyze([NETMAP_IN, NETMAP_HAIRPIN, DEFCONF_MASQUERADE, NETMAP_OUT], facts())
    found = mapping(report)
    out = found["outbound"]
    assert (out["address"], out["leaves_with_public_address"], out["rule"]["comment"]) == (
        "203.0.113.1",
        False,
        "defconf: masquerade",
    )
    (finding,) = [f for f in report.findings if f.code == ONE_TO_ONE_OUTBOUND]
    assert finding.service == "dmz (1:1)" and finding.rule.position == 2
    assert "rule #3 (hairpin:netmap-out:dmz), which maps them to 203.0.113.5, stands below it" in finding.message
    # Inbound still works: conntrack answers through the mapping's dstnat.
    assert found["internet"]["reachable"] is True
    assert "NOT its public address 203.0.113.5" in render_table(report)


def test_without_its_srcnat_rule_the_host_leaves_masqueraded_and_without_any_srcnat_unmapped():
    report = analyze([NETMAP_IN, NETMAP_HAIRPIN, DEFCONF_MASQUERADE], facts())
    assert mapping(report)["outbound"]["address"] == "203.0.113.1"
    assert (ONE_TO_ONE_OUTBOUND, "dmz (1:1)") in codes(report)
    bare = analyze([NETMAP_IN, NETMAP_HAIRPIN], facts())
    assert mapping(bare)["outbound"]["address"] == HOST
    (finding,) = [f for f in bare.findings if f.code == ONE_TO_ONE_OUTBOUND]
    assert "no srcnat rule maps them to it, so they leave with 192.168.1.3" in finding.message


def test_a_port_forward_above_on_every_address_takes_that_port_of_the_public_address():
    forward = rule(
        "dstnat", "dst-nat", "web", protocol="tcp", in_interface="ether1", dst_port="80", to_addresses="192.168.1.2"
    )
    report = analyze([forward, *MAPPED], facts())
    found = mapping(report)
    assert found["shadowed"] == [
        dict(protocol="tcp", port=80, rule=report.services[0]["rule"], reaches="192.168.1.2:80")
    ]
    assert (SHADOWED, "dmz (1:1)") in codes(report)
    # Below the mapping, or on the router's own address, it takes nothing from the host.
    assert mapping(analyze([*MAPPED, forward], facts()))["shadowed"] == []
    on_router = dict(forward, **{"dst-address": "203.0.113.1"})
    assert mapping(analyze([on_router, *MAPPED], facts()))["shadowed"] == []


def test_without_the_hairpin_rule_lan_clients_miss_and_the_fix_is_the_mappings_rule():
    report = analyze([NETMAP_IN, NETMAP_OUT, DEFCONF_MASQUERADE], facts())
    lan = mapping(report)["lan"]
    assert (lan["reachable"], lan["summary"]) == (False, "no hairpin NAT, the reply bypasses the router")
    (finding,) = [f for f in report.findings if f.code == MISSING_HAIRPIN]
    assert finding.fix.startswith(
        "/ip firewall nat add chain=srcnat action=masquerade src-address=192.168.1.0/24 dst-address=192.168.1.3 "
        'out-interface=bridge comment="hairpin:netmap-hairpin:dmz ~'
    )


def test_a_hairpin_rule_for_one_port_of_the_host_is_no_hairpin_of_the_mapping():
    one_port = rule(
        "srcnat", "masquerade", None, protocol="tcp", src_address="192.168.1.0/24", dst_address=HOST, dst_port="22"
    )
    report = analyze([NETMAP_IN, NETMAP_OUT, one_port, DEFCONF_MASQUERADE], facts())
    assert mapping(report)["lan"]["reachable"] is False
    assert (MISSING_HAIRPIN, "dmz (1:1)") in codes(report)


def test_a_forward_chain_that_drops_what_is_not_accepted_blocks_the_mapping():
    dropping = [
        rule("forward", "accept", None, connection_state="established,related"),
        rule("forward", "accept", None, in_interface="bridge"),
        rule("forward", "drop", "drop the rest"),
    ]
    report = analyze(MAPPED, facts(firewall_filter=dropping))
    internet = mapping(report)["internet"]
    assert internet["reachable"] is False
    assert internet["filter"]["rule"]["comment"] == "drop the rest"
    assert ("filter-blocks", "dmz (1:1)") in codes(report)


def test_a_foreign_mapping_is_named_by_its_comment_and_a_network_mapping_is_not_one():
    foreign = rule("dstnat", "netmap", "dmz by hand", dst_address=PUBLIC, to_addresses=HOST)
    found = mapping(analyze([foreign, NETMAP_OUT, NETMAP_HAIRPIN, DEFCONF_MASQUERADE], facts()), "dmz by hand")
    assert (found["owned"], found["internet"]["reachable"], found["outbound"]["address"]) == (False, True, PUBLIC)
    network = rule("dstnat", "netmap", None, dst_address="203.0.113.0/29", to_addresses="192.168.1.0/29")
    assert analyze([network, DEFCONF_MASQUERADE], facts()).one_to_one == []

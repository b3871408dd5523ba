"""Which foreign srcnat rules already masquerade what leaves the WAN (masquerade: auto)."""

from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.srcnat_cover import covering_rule, describe_rule

# As RouterOS 7 prints the defconf rule over the API.
DEFCONF = {
    ".id": "*1",
    "chain": "srcnat",
    "action": "masquerade",
    "out-interface-list": "WAN",
    "ipsec-policy": "out,none",
    "comment": "defconf: masquerade",
    "disabled": False,
    "dynamic": False,
    "invalid": False,
    "log": False,
    "log-prefix": "",
    "bytes": 0,
    "packets": 0,
}
MEMBERS = {"WAN": {"ether1"}, "LAN": {"bridge"}, "all": {"ether1", "bridge"}}


def cover(rows, **wan):
    return covering_rule(rows, list_members=MEMBERS, **wan)


@pytest.mark.parametrize("wan", [dict(out_interface="ether1"), dict(out_interface_list="WAN")])
def test_defconf_masquerade_covers_the_wan_by_interface_or_list(wan):
    assert cover([DEFCONF], **wan) is DEFCONF


def test_a_disabled_or_dynamic_or_owned_rule_is_no_cover():
    for change in ({"disabled": True}, {"dynamic": True}, {"comment": "hairpin:masquerade:ether1"}):
        assert cover([dict(DEFCONF, **change)], out_interface="ether1") is None


def test_a_rule_that_only_takes_some_packets_is_no_cover():
    for matcher in ({"src-address": "192.168.88.0/24"}, {"protocol": "tcp"}, {"routing-mark": "wan2"}):
        assert cover([dict(DEFCONF, **matcher)], out_interface="ether1") is None


def test_ipsec_policy_other_than_out_none_is_no_cover():
    assert cover([dict(DEFCONF, **{"ipsec-policy": "in,ipsec"})], out_interface="ether1") is None
    assert cover([{k: v for k, v in DEFCONF.items() if k != "ipsec-policy"}], out_interface="ether1")


def test_src_nat_out_of_the_interface_covers_and_another_interface_does_not():
    src_nat = {
        ".id": "*5",
        "chain": "srcnat",
        "action": "src-nat",
        "out-interface": "ether1",
        "to-addresses": "203.0.113.1",
    }
    assert cover([src_nat], out_interface="ether1") is src_nat
    assert cover([dict(src_nat, **{"out-interface": "ether2"})], out_interface="ether1") is None
    assert cover([dict(src_nat, **{"out-interface": "!ether1"})], out_interface="ether1") is None


def test_a_list_that_lacks_the_wan_interface_is_no_cover():
    assert cover([DEFCONF], out_interface="lte1") is None
    assert cover([dict(DEFCONF, **{"out-interface-list": "all"})], out_interface="lte1")


def test_dstnat_and_accept_rows_are_skipped_and_the_first_cover_wins():
    second = dict(DEFCONF, **{".id": "*9", "comment": "mine"})
    rows = [{".id": "*0", "chain": "dstnat", "action": "dst-nat"}, dict(DEFCONF, action="accept"), DEFCONF, second]
    assert cover(rows, out_interface_list="WAN") is DEFCONF


def test_describe_names_the_comment_or_the_rule():
    assert describe_rule(DEFCONF) == "'defconf: masquerade' (*1)"
    assert describe_rule({".id": "*4", "action": "masquerade", "out-interface": "ether1"}) == (
        "*4 (action=masquerade out-interface=ether1)"
    )


class _View:
    def __init__(self, nat):
        self.nat = nat
        self.list_members = MEMBERS


def test_finish_masquerades_adds_the_owned_one_only_without_a_cover():
    from ansible_collections.hairpin.routeros.plugins.module_utils.desired import Desired
    from ansible_collections.hairpin.routeros.plugins.module_utils.model import Masquerade
    from ansible_collections.hairpin.routeros.plugins.module_utils.srcnat_cover import finish_masquerades

    wan = Masquerade(out_interface="ether1", ipsec_policy="out,none")
    covered = Desired(state="overridden", auto_masquerades=[wan])
    finish_masquerades(covered, _View([DEFCONF]))
    assert covered.masquerades == []
    assert covered.notes == [
        "masquerade: what leaves interface 'ether1' is already masqueraded by the rule 'defconf: masquerade' (*1), "
        "so no owned masquerade is added (masquerade: auto)"
    ]
    bare = Desired(state="overridden", auto_masquerades=[wan])
    finish_masquerades(bare, _View([dict(DEFCONF, disabled=True)]))
    assert bare.masquerades == [wan] and bare.notes == []
    offline = Desired(state="merged", auto_masquerades=[wan])
    finish_masquerades(offline, None)
    assert offline.masquerades == [wan]

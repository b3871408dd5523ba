"""Foreign dstnat rules that shadow an owned port forward or are shadowed by one (the check
every converge runs on its planned table)."""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.shadowing import foreign_shadowing
from ansible_collections.hairpin.routeros.plugins.module_utils.read import RouterView
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import RouterFacts

# The router of the MikroTik hairpin NAT article: WAN ether1, LAN bridge.
VIEW = RouterView(
    nat=[],
    facts=RouterFacts(
        interfaces=frozenset(("ether1", "bridge")),
        interface_lists=frozenset(("WAN",)),
        addresses=frozenset(("203.0.113.1/24", "192.168.1.1/24")),
    ),
    networks={"ether1": ["203.0.113.0/24"], "bridge": ["192.168.1.0/24"]},
    list_members={"WAN": frozenset(("ether1",))},
)

WEB = {
    ".id": "*A",
    "chain": "dstnat",
    "action": "dst-nat",
    "protocol": "tcp",
    "dst-address": "203.0.113.1",
    "dst-port": "80",
    "to-addresses": "192.168.1.2",
    "to-ports": "80",
    "comment": "hairpin:dstnat:web:tcp",
}
HAND_MADE = {
    ".id": "*5",
    "chain": "dstnat",
    "action": "dst-nat",
    "protocol": "tcp",
    "dst-port": "80",
    "to-addresses": "192.168.1.3",
    "comment": "old web",
}


def messages(rows):
    return [item.message for item in foreign_shadowing(rows, VIEW)]


def test_a_foreign_forward_before_the_service_takes_its_traffic():
    found = foreign_shadowing([HAND_MADE, WEB], VIEW)
    assert [item.message for item in found] == [
        "foreign rule *5 \"old web\" already forwards tcp/80 to 192.168.1.3 before the rule of service 'web': "
        "it takes its traffic"
    ]
    item = found[0].as_dict()
    assert (item["service"], item["protocol"], item["first"]) == ("web", "tcp", "foreign")
    assert (item["rule"]["id"], item["rule"]["comment"], item["rule"]["position"]) == ("*5", "old web", 0)


def test_a_foreign_forward_after_the_service_no_longer_gets_traffic():
    rule = dict(HAND_MADE, comment=None)
    del rule["comment"]
    assert messages([WEB, rule]) == [
        "the rule of service 'web' comes before foreign rule *5 (tcp/80 -> 192.168.1.3), which no longer gets traffic"
    ]
    wide = dict(rule, **{"dst-port": "80-90"})
    assert messages([WEB, wide]) == [
        "the rule of service 'web' comes before foreign rule *5 (tcp/80-90 -> 192.168.1.3), which no longer gets "
        "its tcp/80 traffic"
    ]


def test_a_catch_all_and_an_accept_are_named_by_what_they_do():
    dmz = {".id": "*3", "chain": "dstnat", "action": "dst-nat", "in-interface": "ether1", "to-addresses": "192.168.1.9"}
    assert messages([dmz, WEB]) == [
        "foreign rule *3 already forwards all traffic to 192.168.1.9 before the rule of service 'web': it takes its "
        "traffic"
    ]
    keep = {".id": "*4", "chain": "dstnat", "action": "accept", "protocol": "tcp", "dst-port": "80", "comment": "keep"}
    assert messages([keep, WEB]) == [
        'foreign rule *4 "keep" ends dstnat for tcp/80 untranslated (action=accept) before the rule of service '
        "'web', which never sees its traffic"
    ]


def test_rules_that_cannot_meet_are_not_reported():
    others = [
        dict(HAND_MADE, **{"dst-port": "443"}),
        dict(HAND_MADE, protocol="udp"),
        dict(HAND_MADE, **{"dst-address": "198.51.100.7"}),
        dict(HAND_MADE, disabled="true"),
        dict(HAND_MADE, chain="srcnat", action="masquerade"),
        dict(HAND_MADE, action="passthrough"),
        # Matched on a list the router does not have: unknown, so no claim.
        dict(HAND_MADE, **{"src-address-list": "customers"}),
    ]
    for other in others:
        assert messages([other, WEB]) == [], other
        assert messages([WEB, other]) == [], other
    # No foreign rule in dstnat at all (the usual router): nothing to do.
    assert messages([WEB]) == []


def test_a_forward_matched_on_the_wan_list_meets_a_rule_on_its_interface():
    ours = dict(WEB, **{"in-interface-list": "WAN"})
    del ours["dst-address"]
    other = dict(HAND_MADE, **{"in-interface": "ether1", "dst-address": "203.0.113.1"})
    assert len(messages([other, ours])) == 1
    assert len(messages([dict(other, **{"in-interface": "bridge"}), ours])) == 0


def test_a_table_of_thousands_of_foreign_rules_on_other_ports_is_one_pass():
    foreign = [
        dict(HAND_MADE, **{".id": f"*{100 + n:X}", "dst-port": str(20000 + n), "comment": f"customer {n}"})
        for n in range(5000)
    ]
    assert messages([WEB, *foreign]) == []
    assert len(messages([WEB, *foreign, HAND_MADE])) == 1


def test_values_as_librouteros_hands_them_over():
    # Numbers and flags arrive parsed: dst-port=80 is the int 80, disabled=false is False.
    ours = dict(WEB, **{"dst-port": 80, "disabled": False})
    other = dict(HAND_MADE, **{"dst-port": 80, "disabled": False, "dynamic": False})
    assert len(messages([other, ours])) == 1
    assert len(messages([ours, other])) == 1
    assert messages([dict(other, disabled=True), ours]) == []

"""The RouterOS model's rules: refusals that change nothing, dynamic items, the invalid flag, DNS
names in address lists, persistence and change notification, the other menus."""

from __future__ import annotations

import json

import pytest
from router_support import (
    ADDRESS_LIST,
    NAT,
    OLD,
    add,
    nat_rules,
    ok,
    one,
    rows,
    trap,
    trapped,
)

from routeros_sim.router import Router, TrapError

# ---------------------------------------------------------------------------------------------
# Validation: every refusal is a trap and changes nothing

REFUSED = [
    pytest.param(f"{NAT}/add", ["=action=masquerade"], "missing value(s) of argument(s) chain", id="no-chain"),
    pytest.param(f"{NAT}/add", ["=chain=my chain"], "invalid value for argument chain", id="bad-chain"),
    pytest.param(
        f"{NAT}/add", ["=chain=x", "=action=nat"], "input does not match any value of action", id="bad-action"
    ),
    pytest.param(
        f"{NAT}/add", ["=chain=x", "=protocol=tcpx"], "input does not match any value of protocol", id="bad-proto"
    ),
    pytest.param(
        f"{NAT}/add", ["=chain=x", "=protocol=300"], "value of protocol out of range (0..255)", id="proto-range"
    ),
    pytest.param(
        f"{NAT}/add", ["=chain=x", "=dst-address=10.0.0.300"], "invalid value for argument dst-address", id="bad-ip"
    ),
    pytest.param(f"{NAT}/add", ["=chain=x", "=dst-address="], "invalid value for argument dst-address", id="empty-ip"),
    pytest.param(
        f"{NAT}/add",
        ["=chain=x", "=protocol=tcp", "=dst-port=65536"],
        "value of dst-port out of range (0..65535)",
        id="port-range",
    ),
    pytest.param(
        f"{NAT}/add",
        ["=chain=x", "=dst-port=80"],
        "failure: dst-port can be used only with protocol tcp, udp, udp-lite, sctp or dccp",
        id="port-no-proto",
    ),
    pytest.param(
        f"{NAT}/add",
        ["=chain=x", "=protocol=icmp", "=src-port=80"],
        "failure: src-port can be used only with protocol tcp, udp, udp-lite, sctp or dccp",
        id="port-icmp",
    ),
    pytest.param(
        f"{NAT}/add",
        ["=chain=x", "=action=masquerade", "=to-addresses=1.2.3.4"],
        "failure: to-addresses can be used only with action dst-nat, netmap, same or src-nat",
        id="to-addresses-masquerade",
    ),
    pytest.param(
        f"{NAT}/add",
        ["=chain=x", "=protocol=tcp", "=to-ports=80"],
        "failure: to-ports can be used only with action dst-nat, masquerade, netmap, redirect, same or src-nat",
        id="to-ports-accept",
    ),
    pytest.param(
        f"{NAT}/add",
        ["=chain=x", "=jump-target=y"],
        "failure: jump-target can be used only with action jump",
        id="jump-target-no-jump",
    ),
    pytest.param(
        f"{NAT}/add", ["=chain=x", "=action=jump"], "missing value(s) of argument(s) jump-target", id="jump-no-target"
    ),
    pytest.param(
        f"{NAT}/add",
        ["=chain=x", "=action=add-src-to-address-list"],
        "missing value(s) of argument(s) address-list",
        id="add-to-list-no-list",
    ),
    pytest.param(f"{NAT}/add", ["=chain=x", "=log=maybe"], "input does not match any value of log", id="bad-bool"),
    pytest.param(
        f"{NAT}/add",
        ["=chain=x", "=ipsec-policy=up,none"],
        "input does not match any value of ipsec-policy",
        id="ipsec",
    ),
    pytest.param(f"{ADDRESS_LIST}/add", ["=address=10.0.0.1"], "missing value(s) of argument(s) list", id="al-no-list"),
    pytest.param(f"{ADDRESS_LIST}/add", ["=list=x"], "missing value(s) of argument(s) address", id="al-no-address"),
    pytest.param(
        f"{ADDRESS_LIST}/add", ["=list=x", "=address=1.2.3.4/40"], "invalid value for argument address", id="al-bad"
    ),
    pytest.param(
        "/ip/address/add", ["=address=10.0.0.1/24"], "missing value(s) of argument(s) interface", id="ip-no-if"
    ),
    pytest.param(
        "/ip/address/add",
        ["=address=10.0.0.1/24", "=interface=ether9"],
        "input does not match any value of interface",
        id="ip-unknown-if",
    ),
    pytest.param(
        "/interface/list/member/add",
        ["=list=NOPE", "=interface=ether1"],
        "input does not match any value of list",
        id="member-unknown-list",
    ),
    pytest.param(
        "/interface/set", ["=.id=ether2", "=name=ether1"], "failure: already have interface with such name", id="if-dup"
    ),
    pytest.param(
        "/interface/bridge/add", ["=name=ether3"], "failure: already have interface with such name", id="br-dup"
    ),
    pytest.param("/ip/dns/static/add", ["=address=10.0.0.1"], "missing value(s) of argument(s) name", id="dns-no-name"),
    pytest.param(
        "/ip/dns/static/add",
        ["=name=a.lan", "=regexp=.*", "=address=10.0.0.1"],
        "failure: name and regexp cannot be used together",
        id="dns-name-and-regexp",
    ),
    pytest.param("/ip/dns/static/add", ["=name=a.lan"], "missing value(s) of argument(s) address", id="dns-no-address"),
    pytest.param(
        "/ip/dns/set",
        ["=max-udp-packet-size=70000"],
        "value of max-udp-packet-size out of range (50..65507)",
        id="dns-int",
    ),
    pytest.param("/ip/dns/set", ["=servers=1.1.1"], "invalid value for argument servers", id="dns-servers"),
    pytest.param(
        "/ip/service/set", ["=.id=api", "=port=0"], "value of port out of range (1..65535)", id="service-port"
    ),
    pytest.param("/ip/service/set", ["=.id=nosuch", "=port=1"], "no such item", id="service-unknown"),
    pytest.param(
        "/ip/cloud/set", ["=ddns-enabled=perhaps"], "input does not match any value of ddns-enabled", id="cloud"
    ),
]


@pytest.mark.parametrize(("command", "words", "message"), REFUSED)
def test_refused_commands_change_nothing(router: Router, command: str, words: list[str], message: str) -> None:
    nat_rules(router, 2)
    assert trap(router, command, *words) == message


def test_a_set_that_breaks_a_rule_changes_nothing(router: Router) -> None:
    rule = add(
        router, NAT, "=chain=dstnat", "=action=dst-nat", "=to-addresses=10.0.0.1", "=protocol=tcp", "=dst-port=1"
    )
    assert trap(router, f"{NAT}/set", f"=.id={rule}", "=action=masquerade").startswith("failure: to-addresses")
    assert trap(router, f"{NAT}/set", f"=.id={rule}", "=!protocol=").startswith("failure: dst-port")
    # Changing the action and dropping what it no longer allows, in one set, is fine.
    ok(router, f"{NAT}/set", f"=.id={rule}", "=action=masquerade", "=!to-addresses=")
    assert one(router, NAT, rule)["action"] == "masquerade"


def test_a_failing_item_in_a_list_changes_none_of_them(router: Router) -> None:
    first = add(router, NAT, "=chain=dstnat", "=protocol=tcp", "=comment=one")
    second = add(router, NAT, "=chain=dstnat", "=comment=two")
    assert trap(router, f"{NAT}/set", f"=numbers={first},{second}", "=dst-port=80").startswith("failure: dst-port")
    assert "dst-port" not in one(router, NAT, first)


def test_duplicates_are_refused_where_routeros_refuses_them(lists: Router) -> None:
    add(lists, ADDRESS_LIST, "=list=blocked", "=address=192.0.2.1")
    assert (
        trap(lists, f"{ADDRESS_LIST}/add", "=list=blocked", "=address=192.0.2.1/32")
        == "failure: already have such entry"
    )
    add(lists, ADDRESS_LIST, "=list=other", "=address=192.0.2.1")  # another list is fine
    assert trap(lists, "/interface/list/add", "=name=WAN") == "failure: already have such name"
    assert (
        trap(lists, "/interface/list/member/add", "=list=WAN", "=interface=ether1")
        == "failure: already have such entry"
    )
    add(lists, "/ip/address", "=address=192.168.88.1/24", "=interface=bridge")
    assert trap(lists, "/ip/address/add", "=address=192.168.88.1/24", "=interface=bridge") == (
        "failure: already have such address"
    )


# ---------------------------------------------------------------------------------------------
# Dynamic items


def test_dynamic_rules_cannot_be_changed_moved_or_removed(router: Router) -> None:
    nat_rules(router, 2)
    dynamic = router.add_dynamic(
        NAT, {"chain": "dstnat", "action": "redirect", "protocol": "udp", "dst-port": "53", "to-ports": "53"}, "*1"
    )
    assert rows(router, NAT, "=.proplist=.id,dynamic")[0] == {".id": dynamic, "dynamic": "true"}
    assert trap(router, f"{NAT}/set", f"=.id={dynamic}", "=comment=x") == "failure: cannot change dynamic"
    assert trap(router, f"{NAT}/unset", f"=.id={dynamic}", "=value-name=to-ports") == "failure: cannot change dynamic"
    assert trap(router, f"{NAT}/disable", f"=.id={dynamic}") == "failure: cannot change dynamic"
    assert trap(router, f"{NAT}/enable", f"=.id={dynamic}") == "failure: cannot change dynamic"
    assert trap(router, f"{NAT}/remove", f"=.id=*1,{dynamic}") == "failure: cannot remove dynamic"
    assert trap(router, f"{NAT}/move", f"=numbers={dynamic}", "=destination=*2") == "failure: cannot move dynamic"
    # Static rules still move around it.
    ok(router, f"{NAT}/move", "=numbers=*2", f"=destination={dynamic}")
    assert [row[".id"] for row in rows(router, NAT)] == ["*2", dynamic, "*1"]


def test_add_dynamic_validates_like_add(router: Router) -> None:
    with pytest.raises(TrapError) as caught:
        router.add_dynamic(NAT, {"chain": "x", "action": "teleport"})
    assert caught.value.messages == ("input does not match any value of action",)
    assert rows(router, NAT) == []


def test_dynamic_address_list_entries_can_be_removed_but_not_changed(router: Router) -> None:
    timed = add(router, ADDRESS_LIST, "=list=blocked", "=address=198.51.100.7", "=timeout=1d")
    flagged = add(router, ADDRESS_LIST, "=list=blocked", "=address=198.51.100.8", "=dynamic=yes")
    assert {row["dynamic"] for row in rows(router, ADDRESS_LIST)} == {"true"}
    assert one(router, ADDRESS_LIST, timed)["timeout"] == "1d"
    assert trap(router, f"{ADDRESS_LIST}/set", f"=.id={timed}", "=comment=x") == "failure: cannot change dynamic"
    ok(router, f"{ADDRESS_LIST}/remove", f"=.id={timed},{flagged}")
    assert rows(router, ADDRESS_LIST) == []


def test_builtin_lists_cannot_be_changed_or_removed(router: Router) -> None:
    assert trap(router, "/interface/list/set", "=.id=all", "=comment=x") == "failure: cannot change builtin"
    assert trap(router, "/interface/list/remove", "=.id=*2000001") == "failure: cannot remove builtin"


# ---------------------------------------------------------------------------------------------
# The invalid flag


def test_a_rule_naming_a_missing_interface_is_invalid_until_it_appears(router: Router) -> None:
    rule = add(router, NAT, "=chain=srcnat", "=action=masquerade", "=out-interface=pppoe-out1")
    assert one(router, NAT, rule)["invalid"] == "true"
    assert rows(router, NAT, "?invalid=yes", "=.proplist=.id") == [{".id": rule}]
    ok(router, "/interface/set", "=.id=ether1", "=name=pppoe-out1")
    assert one(router, NAT, rule)["invalid"] == "false"


def test_a_rule_naming_a_missing_interface_list_is_invalid_until_it_appears(router: Router) -> None:
    rule = add(router, NAT, "=chain=dstnat", "=in-interface-list=!WAN")
    assert one(router, NAT, rule)["invalid"] == "true"
    add(router, "/interface/list", "=name=WAN")
    assert one(router, NAT, rule)["invalid"] == "false"
    ok(router, "/interface/list/remove", "=.id=WAN")
    assert one(router, NAT, rule)["invalid"] == "true"


def test_renaming_an_interface_updates_the_rules_that_name_it(lists: Router) -> None:
    rule = add(lists, NAT, "=chain=srcnat", "=action=masquerade", "=out-interface=ether1", "=in-interface=!ether1")
    ok(lists, "/interface/set", "=.id=ether1", "=name=wan")
    row = one(lists, NAT, rule)
    assert (row["out-interface"], row["in-interface"], row["invalid"]) == ("wan", "!wan", "false")
    assert rows(lists, "/interface/list/member", "?list=WAN")[0]["interface"] == "wan"
    ok(lists, "/interface/list/set", "=.id=WAN", "=name=uplink")
    assert rows(lists, "/interface/list/member", "=.proplist=list") == [{"list": "uplink"}, {"list": "LAN"}]


def test_bridges_are_interfaces(router: Router) -> None:
    rule = add(router, NAT, "=chain=srcnat", "=out-interface=br-guest")
    bridge = add(router, "/interface/bridge", "=name=br-guest", "=comment=guests")
    assert rows(router, "/interface", "?name=br-guest", "=.proplist=type,comment") == [
        {"type": "bridge", "comment": "guests"}
    ]
    assert one(router, NAT, rule)["invalid"] == "false"
    add(router, "/interface/bridge/port", "=interface=ether5", "=bridge=br-guest")
    assert rows(router, "/interface", "?name=ether5", "=.proplist=slave") == [{"slave": "true"}]
    assert trap(router, "/interface/bridge/port/add", "=interface=ether5", "=bridge=bridge") == (
        "failure: device already added as bridge port"
    )
    ok(router, "/interface/bridge/set", f"=.id={bridge}", "=name=guests")
    assert rows(router, "/interface/bridge/port", "=.proplist=bridge") == [{"bridge": "guests"}]
    assert one(router, NAT, rule)["out-interface"] == "guests"
    ok(router, "/interface/remove", "=.id=guests")
    assert rows(router, "/interface/bridge", "?name=guests") == []
    assert rows(router, "/interface/bridge/port") == []
    assert one(router, NAT, rule)["invalid"] == "true"
    assert trap(router, "/interface/remove", "=.id=ether2") == "failure: cannot remove physical interface"
    assert add(router, "/interface/bridge") == "*3"  # bridge1, named by the router
    assert rows(router, "/interface", "?type=bridge", "=.proplist=name") == [{"name": "bridge"}, {"name": "bridge1"}]


def test_ip_addresses(router: Router) -> None:
    address = add(router, "/ip/address", "=address=192.168.88.1/24", "=interface=bridge", "=comment=defconf")
    assert one(router, "/ip/address", address) == {
        ".id": address,
        "address": "192.168.88.1/24",
        "network": "192.168.88.0",
        "interface": "bridge",
        "actual-interface": "bridge",
        "invalid": "false",
        "dynamic": "false",
        "disabled": "false",
        "comment": "defconf",
    }
    host = add(router, "/ip/address", "=address=10.9.9.9", "=interface=ether1")
    assert one(router, "/ip/address", host)["address"] == "10.9.9.9/32"


# ---------------------------------------------------------------------------------------------
# DNS names in address lists


def test_a_dns_name_entry_resolves_into_dynamic_entries(router: Router) -> None:
    router.dns_resolver = {"home.example.net": ["203.0.113.7", "203.0.113.8"]}
    static = add(router, ADDRESS_LIST, "=list=WANIP", "=address=home.example.net")
    entries = rows(router, ADDRESS_LIST, "=.proplist=list,address,dynamic,comment")
    assert entries == [
        {"list": "WANIP", "address": "home.example.net", "dynamic": "false"},
        {"list": "WANIP", "address": "203.0.113.7", "dynamic": "true", "comment": "home.example.net"},
        {"list": "WANIP", "address": "203.0.113.8", "dynamic": "true", "comment": "home.example.net"},
    ]
    assert one(router, ADDRESS_LIST, static)["creation-time"] == "2025-01-02 03:04:05"
    derived = rows(router, ADDRESS_LIST, "?dynamic=true")[0][".id"]
    assert trap(router, f"{ADDRESS_LIST}/remove", f"=.id={derived}") == "failure: cannot remove dynamic"
    assert trap(router, f"{ADDRESS_LIST}/set", f"=.id={derived}", "=list=x") == "failure: cannot change dynamic"


def test_static_dns_entries_come_before_the_resolver(router: Router) -> None:
    router.dns_resolver = {"nas.lan": ["198.51.100.1"]}
    add(router, "/ip/dns/static", "=name=NAS.lan", "=address=192.168.88.20")
    add(router, ADDRESS_LIST, "=list=servers", "=address=nas.lan")
    assert [row["address"] for row in rows(router, ADDRESS_LIST, "?dynamic=true")] == ["192.168.88.20"]
    ok(router, "/ip/dns/static/disable", "=numbers=*1")
    assert [row["address"] for row in rows(router, ADDRESS_LIST, "?dynamic=true")] == ["198.51.100.1"]
    add(router, "/ip/dns/static", "=regexp=^nas\\.", "=address=192.168.88.21")
    assert [row["address"] for row in rows(router, ADDRESS_LIST, "?dynamic=true")] == ["192.168.88.21"]
    add(router, "/ip/dns/static", "=name=files.lan", "=type=CNAME", "=cname=nas.lan")
    add(router, ADDRESS_LIST, "=list=files", "=address=files.lan")
    assert [row["address"] for row in rows(router, ADDRESS_LIST, "?list=files", "?dynamic=true")] == ["192.168.88.21"]


def test_dynamic_entries_follow_the_resolution(router: Router) -> None:
    router.dns_resolver = {"home.example.net": ["203.0.113.7"]}
    static = add(router, ADDRESS_LIST, "=list=WANIP", "=address=home.example.net")
    first = rows(router, ADDRESS_LIST, "?dynamic=true")[0][".id"]
    router.dns_resolver["home.example.net"] = ["203.0.113.99"]  # the address changed
    (entry,) = rows(router, ADDRESS_LIST, "?dynamic=true")
    assert entry["address"] == "203.0.113.99" and entry[".id"] != first
    router.dns_resolver = {}
    assert rows(router, ADDRESS_LIST, "?dynamic=true") == []
    router.dns_resolver = {"HOME.example.net": ["203.0.113.1"]}  # names are case-insensitive
    assert len(rows(router, ADDRESS_LIST, "?dynamic=true")) == 1
    ok(router, f"{ADDRESS_LIST}/disable", f"=.id={static}")
    assert rows(router, ADDRESS_LIST, "?dynamic=true") == []
    ok(router, f"{ADDRESS_LIST}/enable", f"=.id={static}")
    ok(router, f"{ADDRESS_LIST}/remove", f"=.id={static}")
    assert rows(router, ADDRESS_LIST) == []


def test_the_routers_own_cloud_name_resolves_to_its_public_address(router: Router) -> None:
    ok(router, "/ip/cloud/set", "=ddns-enabled=yes")
    (cloud,) = rows(router, "/ip/cloud")
    assert cloud["dns-name"].endswith(".sn.mynetname.net") and cloud["status"] == "updating..."
    router.patch("/ip/cloud", {"public-address": "203.0.113.50"})
    assert rows(router, "/ip/cloud")[0]["status"] == "updated"
    add(router, ADDRESS_LIST, "=list=WANIP", f"=address={cloud['dns-name']}")
    assert [row["address"] for row in rows(router, ADDRESS_LIST, "?dynamic=true")] == ["203.0.113.50"]
    ok(router, "/ip/cloud/set", "=ddns-enabled=no")
    assert "dns-name" not in rows(router, "/ip/cloud")[0]


def test_resolve_is_offline_and_deterministic(router: Router) -> None:
    assert router.resolve("unknown.example") == []
    router.dns_resolver = {"x.example": ["192.0.2.1", "2001:db8::1", "192.0.2.1"]}
    assert router.resolve("X.example") == ["192.0.2.1"]  # IPv4 only, once


# ---------------------------------------------------------------------------------------------
# Persistence and change notification


def test_json_round_trip_keeps_ids_order_next_ids_resolver_and_version(router: Router) -> None:
    router.dns_resolver = {"home.example.net": ["203.0.113.7"]}
    ids = nat_rules(router, 4)
    ok(router, f"{NAT}/remove", f"=.id={ids[3]}")
    ok(router, f"{NAT}/move", f"=numbers={ids[2]}", f"=destination={ids[0]}")
    add(router, ADDRESS_LIST, "=list=WANIP", "=address=home.example.net")
    add(router, "/interface/list", "=name=WAN")
    ok(router, "/system/identity/set", "=name=edge")
    data = json.loads(json.dumps(router.to_json()))
    copy = Router.from_json(data)
    assert copy.to_json() == router.to_json()
    assert copy.version == router.version and copy.dns_resolver == router.dns_resolver
    for path in (NAT, ADDRESS_LIST, "/interface/list", "/system/identity", "/interface"):
        assert rows(copy, path) == rows(router, path), path
    assert add(copy, NAT, "=chain=x") == "*5"
    assert add(copy, "/interface/list", "=name=LAN") == "*2000011"
    # The DNS-made entries are still the router's: not removable, and they follow the resolver.
    derived = rows(copy, ADDRESS_LIST, "?dynamic=true")[0][".id"]
    assert trap(copy, f"{ADDRESS_LIST}/remove", f"=.id={derived}") == "failure: cannot remove dynamic"


def test_json_round_trip_of_the_old_personality() -> None:
    router = Router.empty(OLD)
    add(router, NAT, "=chain=srcnat", "=action=masquerade")
    copy = Router.from_json(router.to_json())
    assert copy.version == OLD
    assert rows(copy, "/system/resource")[0]["version"] == "6.49.18 (long-term)"
    assert copy.execute(ADDRESS_LIST + "/print", []) == [("!done", {})]


def test_from_json_accepts_hand_written_fixtures() -> None:
    router = Router.from_json(
        {
            "version": "7.19.4",
            "dns_resolver": {"a.example": ["192.0.2.10"]},
            "tables": {NAT: {"items": [{"chain": "srcnat", "action": "masquerade"}, {".id": "*7", "chain": "dstnat"}]}},
        }
    )
    assert [row[".id"] for row in rows(router, NAT)] == ["*8", "*7"]  # new ids come after every given one
    assert add(router, NAT, "=chain=x") == "*9"
    assert rows(router, "/system/identity") == [{"name": "MikroTik"}]  # stock tables stay
    with pytest.raises(ValueError, match="unknown menu"):
        Router.from_json({"tables": {"/ip/pool": {"items": []}}})


def test_on_change_runs_after_successful_writes_only(router: Router) -> None:
    seen: list[str] = []
    router.on_change(lambda changed: seen.append(json.dumps(changed.to_json()["tables"][NAT]["items"])))
    add(router, NAT, "=chain=srcnat")
    assert len(seen) == 1 and "srcnat" in seen[0]  # the callback sees the new state
    rows(router, NAT)
    trap(router, f"{NAT}/add", "=chain=x", "=action=bogus")
    trapped(router, f"{NAT}/frobnicate")
    assert len(seen) == 1
    ok(router, "/system/identity/set", "=name=x")
    ok(router, f"{NAT}/remove", "=.id=*1")
    assert len(seen) == 3


def test_is_write(router: Router) -> None:
    for verb in ("add", "set", "unset", "remove", "move", "enable", "disable", "comment"):
        assert router.is_write(f"{NAT}/{verb}"), verb
    assert router.is_write("/ip/dns/set")
    for command in (f"{NAT}/print", f"{NAT}/getall", "/system/resource/print", "/ip/bogus/frob"):
        assert not router.is_write(command), command


def test_patch_changes_what_the_router_itself_owns(router: Router) -> None:
    seen: list[Router] = []
    router.on_change(seen.append)
    router.patch("/interface", {"running": "false"}, "*1")
    assert rows(router, "/interface", "?name=ether1")[0]["running"] == "false"
    with pytest.raises(KeyError):
        router.patch(NAT, {"comment": "x"}, "*1")
    assert len(seen) == 1


def test_unknown_versions_are_refused() -> None:
    with pytest.raises(ValueError):
        Router.empty("latest")


# ---------------------------------------------------------------------------------------------
# Other menus


def test_address_list_prints_creation_time_per_version(router: Router) -> None:
    add(router, ADDRESS_LIST, "=list=a", "=address=10.0.0.0/8")
    assert rows(router, ADDRESS_LIST) == [
        {
            ".id": "*1",
            "list": "a",
            "address": "10.0.0.0/8",
            "creation-time": "2025-01-02 03:04:05",
            "dynamic": "false",
            "disabled": "false",
        }
    ]
    old = Router.empty(OLD)
    old.clock = router.clock
    add(old, ADDRESS_LIST, "=list=a", "=address=10.0.0.0/8")
    assert rows(old, ADDRESS_LIST)[0]["creation-time"] == "jan/02/2025 03:04:05"


def test_dns_static_defaults_and_times(router: Router) -> None:
    entry = add(router, "/ip/dns/static", "=name=router.lan", "=address=192.168.88.1", "=ttl=24h", "=type=A")
    assert one(router, "/ip/dns/static", entry) == {
        ".id": entry,
        "name": "router.lan",
        "address": "192.168.88.1",
        "ttl": "1d",
        "dynamic": "false",
        "disabled": "false",
    }


def test_filter_rules_can_be_read_and_added(router: Router) -> None:
    add(router, "/interface/list", "=name=LAN")
    add(router, "/ip/firewall/filter", "=chain=input", "=action=accept", "=connection-state=established,related")
    add(router, "/ip/firewall/filter", "=chain=input", "=action=drop", "=in-interface-list=!LAN")
    add(router, "/ip/firewall/filter", "=chain=forward", "=action=fasttrack-connection", "=hw-offload=yes")
    assert rows(
        router, "/ip/firewall/filter", "=.proplist=chain,action,connection-state,in-interface-list,hw-offload"
    ) == [
        {"chain": "input", "action": "accept", "connection-state": "established,related"},
        {"chain": "input", "action": "drop", "in-interface-list": "!LAN"},
        {"chain": "forward", "action": "fasttrack-connection", "hw-offload": "true"},
    ]
    assert trap(router, "/ip/firewall/filter/add", "=chain=input", "=action=dst-nat") == (
        "input does not match any value of action"
    )


def test_services_keep_their_ports_and_flags(router: Router) -> None:
    ok(router, "/ip/service/set", "=numbers=api-ssl", "=port=8730")
    ok(router, "/ip/service/disable", "=numbers=telnet")
    assert rows(router, "/ip/service", "?name=api-ssl", "=.proplist=port,certificate") == [
        {"port": "8730", "certificate": "none"}
    ]
    assert rows(router, "/ip/service", "?disabled=true", "=.proplist=name") == [{"name": "telnet"}, {"name": "www-ssl"}]


@pytest.mark.parametrize("version", ["7.20.6", "7.16", "7.0", OLD])
def test_every_menu_prints_in_every_personality(version: str) -> None:
    router = Router.empty(version)
    for path in router.menus:
        replies = router.execute(f"{path}/print", [])
        assert replies[-1] == ("!done", {}) and all(word != "!trap" for word, _ in replies), (version, path)

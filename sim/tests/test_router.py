"""The RouterOS model, driven the way the API server drives it: ``Router.execute(command, words)``.

Each test states what a client would notice: the sentences it gets back, what a later ``print``
shows, and that a refused command (``!trap``) leaves the router exactly as it was.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from router_support import (
    ADDRESS_LIST,
    NAT,
    OLD,
    add,
    comments,
    nat_rules,
    ok,
    one,
    rows,
    run,
    trap,
    trapped,
)

from routeros_sim.router import DEFAULT_VERSION, Router

# ---------------------------------------------------------------------------------------------
# A stock router


def test_empty_is_a_stock_home_router(router: Router) -> None:
    assert router.version == DEFAULT_VERSION == "7.20.6"
    assert rows(router, "/system/identity") == [{"name": "MikroTik"}]
    interfaces = rows(router, "/interface", "=.proplist=name,type,default-name")
    assert [(row["name"], row["type"]) for row in interfaces] == [
        *((f"ether{n}", "ether") for n in range(1, 6)),
        ("bridge", "bridge"),
    ]
    assert interfaces[0]["default-name"] == "ether1"
    assert "default-name" not in interfaces[-1]
    services = {row["name"]: (row["port"], row["disabled"]) for row in rows(router, "/ip/service")}
    assert services == {
        "telnet": ("23", "false"),
        "ftp": ("21", "false"),
        "www": ("80", "false"),
        "ssh": ("22", "false"),
        "www-ssl": ("443", "true"),
        "api": ("8728", "false"),
        "winbox": ("8291", "false"),
        "api-ssl": ("8729", "false"),
    }
    for menu in (NAT, "/ip/firewall/filter", ADDRESS_LIST, "/ip/address", "/ip/dns/static", "/interface/list/member"):
        assert rows(router, menu) == [], menu
    (dns,) = rows(router, "/ip/dns")
    assert dns["servers"] == "" and dns["allow-remote-requests"] == "false"
    (cloud,) = rows(router, "/ip/cloud")
    assert cloud["ddns-enabled"] == "auto" and "public-address" not in cloud
    (resource,) = rows(router, "/system/resource")
    assert resource["version"] == "7.20.6 (stable)"
    assert resource["board-name"] and resource["architecture-name"] and resource["uptime"]
    (board,) = rows(router, "/system/routerboard")
    assert board["routerboard"] == "true" and board["current-firmware"] == "7.20.6"


def test_builtin_interface_lists(router: Router) -> None:
    builtin = rows(router, "/interface/list")
    assert [(row[".id"], row["name"], row["builtin"]) for row in builtin] == [
        ("*2000000", "all", "true"),
        ("*2000001", "none", "true"),
        ("*2000002", "dynamic", "true"),
        ("*2000003", "static", "true"),
    ]
    assert add(router, "/interface/list", "=name=WAN") == "*2000010"
    assert [row["name"] for row in rows(Router.empty(OLD), "/interface/list")] == ["all", "none", "dynamic"]


def test_uptime_counts_from_creation(router: Router) -> None:
    router.clock = lambda: datetime(2025, 1, 1)
    router.booted = datetime(2024, 12, 30, 22, 58, 57)
    assert rows(router, "/system/resource")[0]["uptime"] == "1d1h1m3s"


# ---------------------------------------------------------------------------------------------
# add, ids, place-before, copy-from


def test_add_answers_the_new_id_and_ids_only_grow(router: Router) -> None:
    first, second, third = nat_rules(router, 3)
    assert (first, second, third) == ("*1", "*2", "*3")
    ok(router, f"{NAT}/remove", "=.id=*3")
    assert add(router, NAT, "=chain=srcnat") == "*4"  # *3 is never handed out again
    ids = [add(router, NAT, "=chain=srcnat") for _ in range(12)]
    assert ids[-1] == "*10"  # hexadecimal
    assert rows(router, NAT, "=.proplist=.id")[-1] == {".id": "*10"}


def test_place_before_inserts_before_that_item(router: Router) -> None:
    ids = nat_rules(router, 3)
    new = add(router, NAT, "=chain=dstnat", "=comment=top", f"=place-before={ids[0]}")
    assert comments(router) == ["top", "r0", "r1", "r2"]
    add(router, NAT, "=chain=dstnat", "=comment=middle", f"=place-before={ids[2]}")
    assert comments(router) == ["top", "r0", "r1", "middle", "r2"]
    assert new == "*4"
    assert trap(router, f"{NAT}/add", "=chain=x", "=place-before=*99") == "no such item"


def test_place_before_only_where_order_matters(router: Router) -> None:
    add(router, ADDRESS_LIST, "=list=a", "=address=10.0.0.1")
    assert trap(router, f"{ADDRESS_LIST}/add", "=list=a", "=address=10.0.0.2", "=place-before=*1") == (
        "unknown parameter place-before"
    )


def test_copy_from_copies_then_overrides(router: Router) -> None:
    source = add(
        router, NAT, "=chain=dstnat", "=action=dst-nat", "=protocol=tcp", "=dst-port=80", "=to-addresses=10.0.0.2"
    )
    copy = add(router, NAT, f"=copy-from={source}", "=dst-port=8080")
    assert one(router, NAT, copy)["dst-port"] == "8080"
    assert one(router, NAT, copy)["to-addresses"] == "10.0.0.2"


# ---------------------------------------------------------------------------------------------
# Printed values: canonical forms and defaults


def test_values_are_printed_the_routeros_way(router: Router) -> None:
    rule = add(
        router,
        NAT,
        "=chain=dstnat",
        "=action=dst-nat",
        "=protocol=6",
        "=dst-address=203.0.113.9/32",
        "=src-address=10.1.2.3/8",
        "=dst-port=443-443",
        "=to-addresses=192.168.88.10/32",
        "=to-ports=8443-8443",
        "=in-interface=ether1",
        "=disabled=yes",
    )
    assert one(router, NAT, rule) == {
        ".id": rule,
        "chain": "dstnat",
        "action": "dst-nat",
        "to-addresses": "192.168.88.10",
        "to-ports": "8443",
        "protocol": "tcp",
        "src-address": "10.0.0.0/8",
        "dst-address": "203.0.113.9",
        "in-interface": "ether1",
        "dst-port": "443",
        "bytes": "0",
        "packets": "0",
        "invalid": "false",
        "dynamic": "false",
        "disabled": "true",
    }


def test_defaults_are_shown_and_unset_fields_are_absent(router: Router) -> None:
    rule = add(router, NAT, "=chain=srcnat")
    assert one(router, NAT, rule) == {
        ".id": rule,
        "chain": "srcnat",
        "action": "accept",
        "bytes": "0",
        "packets": "0",
        "invalid": "false",
        "dynamic": "false",
        "disabled": "false",
    }


def test_routeros7_hides_default_log_settings_and_routeros6_prints_them() -> None:
    new, old = Router.empty(), Router.empty(OLD)
    for router in (new, old):
        add(router, NAT, "=chain=srcnat", "=action=masquerade", "=log=no", "=log-prefix=")
    assert "log" not in rows(new, NAT)[0] and "log-prefix" not in rows(new, NAT)[0]
    assert rows(old, NAT)[0]["log"] == "false" and rows(old, NAT)[0]["log-prefix"] == ""
    ok(new, f"{NAT}/set", "=.id=*1", "=log=yes", "=log-prefix=NAT")
    assert rows(new, NAT)[0]["log"] == "true" and rows(new, NAT)[0]["log-prefix"] == "NAT"


def test_negated_matchers_keep_their_bang(lists: Router) -> None:
    rule = add(lists, NAT, "=chain=dstnat", "=in-interface-list=!LAN", "=protocol=!udp", "=dst-address=!10.0.0.0/8")
    row = one(lists, NAT, rule)
    assert (row["in-interface-list"], row["protocol"], row["dst-address"]) == ("!LAN", "!udp", "!10.0.0.0/8")


def test_an_empty_comment_removes_the_comment(router: Router) -> None:
    rule = add(router, NAT, "=chain=srcnat", "=comment=hello")
    ok(router, f"{NAT}/set", f"=.id={rule}", "=comment=")
    assert "comment" not in one(router, NAT, rule)


# ---------------------------------------------------------------------------------------------
# set, unset, enable, disable, comment


def test_set_by_id_numbers_and_lists(router: Router) -> None:
    ids = nat_rules(router, 3)
    ok(router, f"{NAT}/set", f"=.id={ids[0]}", "=comment=a")
    ok(router, f"{NAT}/set", f"=numbers={ids[1]},{ids[2]}", "=action=masquerade")
    assert comments(router) == ["a", "r1", "r2"]
    assert [row["action"] for row in rows(router, NAT)] == ["accept", "masquerade", "masquerade"]


def test_set_by_name_where_items_have_names(router: Router) -> None:
    ok(router, "/interface/set", "=.id=ether3", "=comment=printer")
    ok(router, "/ip/service/set", "=numbers=telnet,ftp", "=disabled=yes")
    assert rows(router, "/interface", "?name=ether3")[0]["comment"] == "printer"
    assert [row["name"] for row in rows(router, "/ip/service", "?disabled=true")] == ["telnet", "ftp", "www-ssl"]


def test_singletons_take_set_without_an_id(router: Router) -> None:
    ok(router, "/system/identity/set", "=name=gw1")
    ok(router, "/ip/dns/set", "=servers=1.1.1.1,9.9.9.9", "=allow-remote-requests=yes")
    assert rows(router, "/system/identity") == [{"name": "gw1"}]
    (dns,) = rows(router, "/ip/dns")
    assert (dns["servers"], dns["allow-remote-requests"]) == ("1.1.1.1,9.9.9.9", "true")
    assert ".id" not in dns


def test_set_needs_an_existing_item(router: Router) -> None:
    nat_rules(router, 1)
    assert trap(router, f"{NAT}/set", "=.id=*9", "=comment=x") == "no such item"
    assert trap(router, f"{NAT}/set", "=numbers=*1,*9", "=comment=x") == "no such item"
    assert trap(router, f"{NAT}/set", "=comment=x") == "missing value(s) of argument(s) numbers"


def test_set_bang_name_unsets_it_as_api_modify_sends_it(router: Router) -> None:
    rule = add(router, NAT, "=chain=dstnat", "=protocol=tcp", "=dst-port=80", "=in-interface=ether1")
    ok(router, f"{NAT}/set", f"=.id={rule}", "=!dst-port=", "=!in-interface=")
    row = one(router, NAT, rule)
    assert "dst-port" not in row and "in-interface" not in row and row["protocol"] == "tcp"


def test_unset_removes_a_value_or_restores_the_default(router: Router) -> None:
    rule = add(router, NAT, "=chain=dstnat", "=action=redirect", "=comment=x", "=protocol=udp", "=to-ports=53")
    ok(router, f"{NAT}/unset", f"=numbers={rule}", "=value-name=comment")
    assert "comment" not in one(router, NAT, rule)
    ok(router, f"{NAT}/unset", f"=.id={rule}", "=value-name=to-ports")
    ok(router, f"{NAT}/unset", f"=.id={rule}", "=value-name=action")
    assert one(router, NAT, rule)["action"] == "accept"
    ok(router, "/system/identity/set", "=name=gw")
    ok(router, "/system/identity/unset", "=value-name=name")
    assert rows(router, "/system/identity") == [{"name": "MikroTik"}]


def test_unset_refusals(router: Router) -> None:
    rule = add(router, NAT, "=chain=srcnat")
    assert (
        trap(router, f"{NAT}/unset", f"=.id={rule}", "=value-name=bogus")
        == "input does not match any value of value-name"
    )
    assert trap(router, f"{NAT}/unset", f"=.id={rule}", "=value-name=chain") == "failure: cannot unset chain"
    assert trap(router, f"{NAT}/unset", f"=.id={rule}") == "missing value(s) of argument(s) value-name"


def test_enable_disable_and_comment(router: Router) -> None:
    ids = nat_rules(router, 2)
    ok(router, f"{NAT}/disable", f"=numbers={ids[0]},{ids[1]}")
    assert [row["disabled"] for row in rows(router, NAT)] == ["true", "true"]
    ok(router, f"{NAT}/enable", f"=.id={ids[1]}")
    assert [row["disabled"] for row in rows(router, NAT)] == ["true", "false"]
    ok(router, f"{NAT}/comment", f"=numbers={ids[0]}", "=comment=note")
    assert comments(router)[0] == "note"
    assert trap(router, f"{NAT}/enable", "=.id=*77") == "no such item"


# ---------------------------------------------------------------------------------------------
# remove, move


def test_remove_several_and_all_or_nothing(router: Router) -> None:
    ids = nat_rules(router, 4)
    ok(router, f"{NAT}/remove", f"=.id={ids[0]},{ids[2]}")
    assert comments(router) == ["r1", "r3"]
    assert trap(router, f"{NAT}/remove", f"=.id={ids[1]},*99") == "no such item"
    assert comments(router) == ["r1", "r3"]
    ok(router, f"{NAT}/remove", f"=numbers={ids[1]}")
    assert comments(router) == ["r3"]


def test_move_puts_items_before_destination_in_the_order_given(router: Router) -> None:
    ids = nat_rules(router, 5)
    ok(router, f"{NAT}/move", f"=numbers={ids[4]},{ids[2]}", f"=destination={ids[1]}")
    assert comments(router) == ["r0", "r4", "r2", "r1", "r3"]


def test_move_without_destination_goes_to_the_end(router: Router) -> None:
    ids = nat_rules(router, 3)
    ok(router, f"{NAT}/move", f"=numbers={ids[0]}")
    assert comments(router) == ["r1", "r2", "r0"]


def test_move_like_api_modify_ensure_order(router: Router) -> None:
    ids = nat_rules(router, 3)
    ok(router, f"{NAT}/move", f"=numbers={ids[2]}", f"=destination={ids[0]}")
    assert comments(router) == ["r2", "r0", "r1"]
    ok(router, f"{NAT}/move", f"=numbers={ids[1]}", f"=destination={ids[1]}")  # onto itself: stays
    assert comments(router) == ["r2", "r0", "r1"]


def test_move_refusals(router: Router) -> None:
    ids = nat_rules(router, 2)
    assert trap(router, f"{NAT}/move", f"=numbers={ids[0]}", "=destination=*50") == "no such item"
    assert trap(router, f"{NAT}/move", "=numbers=*50") == "no such item"
    assert trap(router, f"{NAT}/move") == "missing value(s) of argument(s) numbers"
    add(router, ADDRESS_LIST, "=list=a", "=address=10.0.0.1")
    assert trapped(router, f"{ADDRESS_LIST}/move", "=numbers=*1") == [
        "no such command or directory (move)",
        "no such command",
    ]


# ---------------------------------------------------------------------------------------------
# print: proplist, count-only, detail, from, getall


def test_print_proplist_keeps_only_the_named_properties(router: Router) -> None:
    nat_rules(router, 2)
    assert rows(router, NAT, "=.proplist=.id,comment,nonexistent") == [
        {".id": "*1", "comment": "r0"},
        {".id": "*2", "comment": "r1"},
    ]
    assert rows(router, NAT, "=.proplist=chain")[0] == {"chain": "srcnat"}
    assert rows(router, NAT, ".proplist=comment")[0] == {"comment": "r0"}  # as an API attribute word


def test_count_only_answers_in_done(router: Router) -> None:
    nat_rules(router, 3)
    assert run(router, f"{NAT}/print", "=count-only=") == [("!done", {"ret": "3"})]
    assert run(router, f"{NAT}/print", "=count-only=", "?comment=r1") == [("!done", {"ret": "1"})]
    assert run(router, "/ip/address/print", "=count-only=") == [("!done", {"ret": "0"})]


def test_detail_getall_and_from(router: Router) -> None:
    ids = nat_rules(router, 3)
    assert rows(router, NAT, "=detail=") == rows(router, NAT)
    assert run(router, f"{NAT}/getall") == run(router, f"{NAT}/print")
    assert [row["comment"] for row in rows(router, NAT, f"=from={ids[2]},{ids[0]}")] == ["r0", "r2"]


def test_where_is_not_an_api_parameter(router: Router) -> None:
    assert trap(router, f"{NAT}/print", "=where=") == "unknown parameter where"


# ---------------------------------------------------------------------------------------------
# Queries


@pytest.fixture
def query_router(router: Router) -> Router:
    add(router, NAT, "=chain=srcnat", "=action=masquerade", "=comment=a", "=out-interface=ether1")
    add(router, NAT, "=chain=dstnat", "=action=dst-nat", "=protocol=tcp", "=dst-port=80", "=to-addresses=10.0.0.2")
    add(router, NAT, "=chain=dstnat", "=action=dst-nat", "=protocol=udp", "=dst-port=53", "=to-addresses=10.0.0.3")
    add(router, NAT, "=chain=srcnat", "=action=accept", "=comment=b", "=disabled=yes")
    return router


def ids_of(router: Router, *queries: str) -> list[str]:
    return [row[".id"] for row in rows(router, NAT, *queries)]


def test_query_equality_in_both_spellings(query_router: Router) -> None:
    assert ids_of(query_router, "?chain=dstnat") == ["*2", "*3"]
    assert ids_of(query_router, "?=chain=dstnat") == ["*2", "*3"]
    assert ids_of(query_router, "?chain=dstnat", "?protocol=udp") == ["*3"]  # words are and-ed


def test_query_values_are_normalised_like_a_set(query_router: Router) -> None:
    assert ids_of(query_router, "?disabled=yes") == ["*4"]
    assert ids_of(query_router, "?=disabled=no") == ["*1", "*2", "*3"]  # librouteros's Key == False
    assert ids_of(query_router, "?protocol=6") == ["*2"]
    assert ids_of(query_router, "?to-addresses=10.0.0.2/32") == ["*2"]
    assert ids_of(query_router, "?dynamic=false", "?invalid=no") == ["*1", "*2", "*3", "*4"]


def test_query_presence_and_absence(query_router: Router) -> None:
    assert ids_of(query_router, "?comment") == ["*1", "*4"]
    assert ids_of(query_router, "?-comment") == ["*2", "*3"]
    assert ids_of(query_router, "?-chain") == []


def test_query_less_and_greater(query_router: Router) -> None:
    assert ids_of(query_router, "?<dst-port=60") == ["*3"]
    assert ids_of(query_router, "?>dst-port=60") == ["*2"]
    assert ids_of(query_router, "?>comment=") == ["*1", "*4"]  # non-empty comment, as in the API docs
    assert ids_of(query_router, "?>to-addresses=10.0.0.2") == ["*3"]  # addresses compare as addresses
    assert ids_of(query_router, "?<.id=*3") == ["*1", "*2"]  # ids compare by number
    assert ids_of(query_router, "?>.id=*A") == []


def test_query_operations(query_router: Router) -> None:
    assert ids_of(query_router, "?protocol=tcp", "?protocol=udp", "?#|") == ["*2", "*3"]
    assert ids_of(query_router, "?protocol=tcp", "?protocol=udp", "?#|!") == ["*1", "*4"]  # the API docs' example
    assert ids_of(query_router, "?chain=srcnat", "?comment", "?#&") == ["*1", "*4"]
    assert ids_of(query_router, "?chain=srcnat", "?#!") == ["*2", "*3"]
    assert ids_of(query_router, "?disabled=true", "?#.|") == ["*4"]  # "." copies the top value
    # An index pushes a copy of the value at that depth (0 is the top).
    assert ids_of(query_router, "?chain=dstnat", "?protocol=udp", "?#1!&") == []
    assert ids_of(query_router, "?chain=dstnat", "?protocol=udp", "?#1|") == ["*2", "*3"]
    # An index at the end of the word replaces the whole stack with that value.
    assert ids_of(query_router, "?chain=dstnat", "?protocol=udp", "?#1") == ["*2", "*3"]
    assert ids_of(query_router, "?chain=dstnat", "?protocol=udp", "?#0") == ["*3"]


def test_query_as_librouteros_builds_them(query_router: Router) -> None:
    # Key("dst-port").In(80, 53) and Key("chain") != "srcnat"
    assert ids_of(query_router, "?=dst-port=80", "?=dst-port=53", "?#|") == ["*2", "*3"]
    assert ids_of(query_router, "?=chain=srcnat", "?#!") == ["*2", "*3"]


def test_a_bad_query_is_refused(query_router: Router) -> None:
    assert trap(query_router, f"{NAT}/print", "?#x").startswith("invalid query")
    assert trap(query_router, f"{NAT}/print", "?<chain").startswith("invalid query")


def test_queries_on_singletons_and_by_id(router: Router) -> None:
    assert rows(router, "/system/identity", "?name=MikroTik") == [{"name": "MikroTik"}]
    assert rows(router, "/interface", "?default-name=ether2", "=.proplist=.id") == [{".id": "*2"}]


# ---------------------------------------------------------------------------------------------
# !empty per version


def test_empty_print_says_empty_from_7_18() -> None:
    for version, expected in (("7.20.6", True), ("7.18", True), ("7.17.2", False), (OLD, False)):
        replies = Router.empty(version).execute(f"{NAT}/print", [])
        assert replies == ([("!empty", {})] if expected else []) + [("!done", {})], version


def test_a_query_that_matches_nothing_is_empty_too(router: Router) -> None:
    nat_rules(router, 1)
    assert run(router, f"{NAT}/print", "?comment=none") == [("!empty", {}), ("!done", {})]


# ---------------------------------------------------------------------------------------------
# Unknown menus, commands and parameters


def test_unknown_menu_and_command_routeros7(router: Router) -> None:
    assert trapped(router, "/ip/bogus/print") == ["no such command or directory (bogus)", "no such command prefix"]
    assert trapped(router, "/caps-man/interface/print") == [
        "no such command or directory (caps-man)",
        "no such command prefix",
    ]
    assert trapped(router, f"{NAT}/frobnicate") == ["no such command or directory (frobnicate)", "no such command"]
    assert trapped(router, "/ip/service/add", "=name=x") == ["no such command or directory (add)", "no such command"]
    assert trapped(router, "/system/resource/set", "=cpu=x") == [
        "no such command or directory (set)",
        "no such command",
    ]
    assert trapped(router, NAT) == ["no such command"]


def test_unknown_menu_and_command_routeros6() -> None:
    router = Router.empty(OLD)
    assert trapped(router, "/ip/bogus/print") == ["no such command prefix"]
    assert trapped(router, f"{NAT}/frobnicate") == ["no such command"]


def test_unknown_parameter_names_it_from_routeros7(router: Router) -> None:
    assert trap(router, f"{NAT}/add", "=chain=x", "=colour=red") == "unknown parameter colour"
    assert trap(Router.empty(OLD), f"{NAT}/add", "=chain=x", "=colour=red") == "unknown parameter"


def test_read_only_properties_are_not_parameters(router: Router) -> None:
    rule = add(router, NAT, "=chain=x")
    assert trap(router, f"{NAT}/set", f"=.id={rule}", "=bytes=5") == "unknown parameter bytes"
    assert trap(router, f"{NAT}/add", "=chain=x", "=dynamic=yes") == "unknown parameter dynamic"
    assert trap(router, "/interface/set", "=.id=ether1", "=type=vlan") == "unknown parameter type"
    assert trap(router, "/ip/service/set", "=.id=api", "=name=api2") == "unknown parameter name"


def test_printed_values_can_be_sent_back_unchanged(query_router: Router) -> None:
    """What ``print`` shows is accepted by ``add`` as is (the canonical forms parse to themselves)."""
    menu = query_router.menus[NAT]
    for row in rows(query_router, NAT):
        words = [f"={key}={value}" for key, value in row.items() if (prop := menu.prop(key)) and prop.settable]
        copy = add(query_router, NAT, *words)
        assert {**one(query_router, NAT, copy), ".id": row[".id"]} == row

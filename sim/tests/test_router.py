"""The RouterOS model, driven the way the API server drives it: ``Router.execute(command, words)``.

Each test states what a client would notice: the sentences it gets back, what a later ``print``
shows, and that a refused command (``!trap``) leaves the router exactly as it was.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from routeros_sim.router import DEFAULT_VERSION, Reply, Router, TrapError

OLD = "6.49.18"
NAT = "/ip/firewall/nat"
ADDRESS_LIST = "/ip/firewall/address-list"


@pytest.fixture
def router() -> Router:
    router = Router.empty()
    router.clock = lambda: datetime(2025, 1, 2, 3, 4, 5)
    return router


def run(router: Router, command: str, *words: str) -> list[Reply]:
    replies = router.execute(command, list(words))
    assert replies[-1][0] == "!done"
    assert [word for word, _ in replies].count("!done") == 1
    return replies


def ok(router: Router, command: str, *words: str) -> dict[str, str]:
    """Run a command that must succeed; the attributes of its ``!done``."""
    replies = run(router, command, *words)
    assert not [attrs for word, attrs in replies if word == "!trap"], replies
    return replies[-1][1]


def add(router: Router, path: str, *words: str) -> str:
    return ok(router, f"{path}/add", *words)["ret"]


def rows(router: Router, path: str, *words: str) -> list[dict[str, str]]:
    return [attrs for word, attrs in run(router, f"{path}/print", *words) if word == "!re"]


def one(router: Router, path: str, item_id: str) -> dict[str, str]:
    (row,) = rows(router, path, f"?.id={item_id}")
    return row


def state(router: Router) -> str:
    return json.dumps(router.to_json(), sort_keys=True)


def trapped(router: Router, command: str, *words: str) -> list[str]:
    """Run a command that must be refused: its trap messages. It must change nothing."""
    before = state(router)
    replies = run(router, command, *words)
    messages = [attrs["message"] for word, attrs in replies if word == "!trap"]
    assert messages, replies
    assert replies == [*(("!trap", {"message": message}) for message in messages), ("!done", {})]
    assert state(router) == before
    return messages


def trap(router: Router, command: str, *words: str) -> str:
    (message,) = trapped(router, command, *words)
    return message


def nat_rules(router: Router, count: int) -> list[str]:
    return [add(router, NAT, "=chain=srcnat", f"=comment=r{n}") for n in range(count)]


def comments(router: Router, path: str = NAT) -> list[str]:
    return [row.get("comment", "") for row in rows(router, path)]


@pytest.fixture
def lists(router: Router) -> Router:
    """The router with the usual WAN/LAN interface lists."""
    add(router, "/interface/list", "=name=WAN")
    add(router, "/interface/list", "=name=LAN")
    add(router, "/interface/list/member", "=list=WAN", "=interface=ether1")
    add(router, "/interface/list/member", "=list=LAN", "=interface=bridge")
    return router


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
        Router.from_json({"tables": {"/ip/route": {"items": []}}})


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


def test_printed_values_can_be_sent_back_unchanged(query_router: Router) -> None:
    """What ``print`` shows is accepted by ``add`` as is (the canonical forms parse to themselves)."""
    menu = query_router.menus[NAT]
    for row in rows(query_router, NAT):
        words = [f"={key}={value}" for key, value in row.items() if (prop := menu.prop(key)) and prop.settable]
        copy = add(query_router, NAT, *words)
        assert {**one(query_router, NAT, copy), ".id": row[".id"]} == row

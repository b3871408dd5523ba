"""Mangle, routing and IPv6 menus: the rules RouterOS enforces, the entries it makes on its own,
version differences, and real exports that hold them loading and coming back out the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from routeros_sim import state
from routeros_sim.router import Router
from routeros_sim.rsc import export, load_export, run_script
from routeros_sim.schema import OLD_VERSION

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "exports"
MANGLE = "/ip/firewall/mangle"
MODELLED = ("/ip/firewall/mangle", "/ip/route", "/routing/table", "/routing/rule", "/ipv6/address")
MODELLED += ("/ipv6/firewall/filter", "/ipv6/firewall/address-list", "/ipv6/route", "/ip/route/rule")


def rows(router: Router, path: str, *words: str) -> list[dict[str, str]]:
    return [attributes for kind, attributes in router.execute(f"{path}/print", list(words)) if kind == "!re"]


def ok(router: Router, command: str, *words: str) -> str:
    replies = router.execute(command, list(words))
    assert replies[-1][0] == "!done" and all(kind != "!trap" for kind, _ in replies), replies
    return replies[-1][1].get("ret", "")


def trap(router: Router, command: str, *words: str) -> str:
    replies = router.execute(command, list(words))
    assert replies[0][0] == "!trap", replies
    return replies[-2][1]["message"]


def section(text: str, menu: str) -> list[str]:
    """The lines of one section of an export, continuation lines joined."""
    joined = text.replace("\\\n    ", "")
    lines, inside = [], False
    for line in joined.splitlines():
        if line.startswith("/"):
            inside = line == menu
        elif inside and line:
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# Mangle


def test_mangle_rules_are_ordered_and_print_passthrough_where_the_action_takes_it() -> None:
    router = Router.empty()
    first = ok(router, f"{MANGLE}/add", "=chain=prerouting", "=action=mark-connection", "=new-connection-mark=a")
    last = ok(router, f"{MANGLE}/add", "=chain=prerouting", "=action=accept", "=in-interface=ether1")
    middle = ok(
        router,
        f"{MANGLE}/add",
        "=chain=prerouting",
        "=action=mark-routing",
        "=new-routing-mark=main",
        "=passthrough=no",
        f"=place-before={last}",
    )
    assert [row[".id"] for row in rows(router, MANGLE)] == [first, middle, last]
    shown = {row[".id"]: row for row in rows(router, MANGLE)}
    assert shown[first]["passthrough"] == "true"
    assert shown[middle]["passthrough"] == "false"
    assert "passthrough" not in shown[last]
    ok(router, f"{MANGLE}/move", f"=numbers={last}", f"=destination={first}")
    assert [row[".id"] for row in rows(router, MANGLE)] == [last, first, middle]
    assert section(export(router), "/ip firewall mangle") == [
        "add action=accept chain=prerouting in-interface=ether1",
        "add action=mark-connection chain=prerouting new-connection-mark=a passthrough=yes",
        "add action=mark-routing chain=prerouting new-routing-mark=main passthrough=no",
    ]


def test_mangle_refuses_what_routeros_refuses() -> None:
    router = Router.empty()
    assert "new-connection-mark" in trap(router, f"{MANGLE}/add", "=chain=prerouting", "=action=mark-connection")
    assert "new-routing-mark" in trap(
        router, f"{MANGLE}/add", "=chain=prerouting", "=action=accept", "=new-routing-mark=main"
    )
    # RouterOS 7 marks route into a table that must exist.
    assert "new-routing-mark" in trap(
        router, f"{MANGLE}/add", "=chain=prerouting", "=action=mark-routing", "=new-routing-mark=via-isp1"
    )
    assert rows(router, MANGLE) == []


def test_routeros6_routing_marks_are_free_names_and_it_has_no_routing_tables() -> None:
    router = Router.empty(OLD_VERSION)
    ok(router, f"{MANGLE}/add", "=chain=prerouting", "=action=mark-routing", "=new-routing-mark=to-isp1")
    ok(router, "/ip/route/add", "=gateway=203.0.113.1", "=routing-mark=to-isp1")
    ok(router, "/ip/route/rule/add", "=src-address=192.168.88.0/24", "=table=to-isp1")
    assert trap(router, "/routing/table/print") == "no such command prefix"
    assert trap(router, "/ip/route/add", "=gateway=203.0.113.1", "=routing-table=main") == "unknown parameter"
    assert section(export(router), "/ip route") == ["add distance=1 gateway=203.0.113.1 routing-mark=to-isp1"]
    assert section(export(router), "/ip route rule") == ["add src-address=192.168.88.0/24 table=to-isp1"]


def test_routeros7_has_no_route_rules_of_routeros6() -> None:
    router = Router.empty()
    assert "no such command" in trap(router, "/ip/route/rule/print")
    assert trap(router, "/ip/route/add", "=gateway=203.0.113.1", "=routing-mark=x") == "unknown parameter routing-mark"


# ---------------------------------------------------------------------------------------------
# Routing tables, routes and rules (RouterOS 7)


def test_the_main_table_is_built_in_and_new_tables_take_fib_as_a_flag() -> None:
    router = Router.empty()
    assert rows(router, "/routing/table") == [
        {".id": "*1", "name": "main", "fib": "", "dynamic": "true", "invalid": "false", "disabled": "false"}
    ]
    ok(router, "/routing/table/add", "=name=via-isp1", "=fib=")
    ok(router, "/routing/table/add", "=name=no-fib")
    assert trap(router, "/routing/table/add", "=name=via-isp1", "=fib=").startswith("failure:")
    assert "remove dynamic" in trap(router, "/routing/table/remove", "=numbers=*1")
    tables = {row["name"]: row for row in rows(router, "/routing/table")}
    assert tables["via-isp1"]["fib"] == "" and "fib" not in tables["no-fib"]
    assert section(export(router), "/routing table") == [
        "add disabled=no fib name=via-isp1",
        "add disabled=no name=no-fib",
    ]


def test_routes_name_an_existing_table_and_export_the_values_they_were_given() -> None:
    router = Router.empty()
    assert "routing-table" in trap(router, "/ip/route/add", "=gateway=203.0.113.1", "=routing-table=via-isp1")
    ok(router, "/routing/table/add", "=name=via-isp1", "=fib=")
    ok(router, "/ip/route/add", "=dst-address=0.0.0.0/0", "=gateway=203.0.113.1", "=distance=1")
    ok(router, "/ip/route/add", "=gateway=198.51.100.1", "=routing-table=via-isp1", "=check-gateway=ping")
    ok(router, "/ip/route/add", "=dst-address=10.9.0.0/16", "=blackhole=")
    static = [row for row in rows(router, "/ip/route") if row["dynamic"] == "false"]
    assert [(row["dst-address"], row["routing-table"], row["distance"]) for row in static] == [
        ("0.0.0.0/0", "main", "1"),
        ("0.0.0.0/0", "via-isp1", "1"),
        ("10.9.0.0/16", "main", "1"),
    ]
    assert static[2]["blackhole"] == ""
    assert section(export(router), "/ip route") == [
        "add disabled=no distance=1 dst-address=0.0.0.0/0 gateway=203.0.113.1",
        "add check-gateway=ping disabled=no gateway=198.51.100.1 routing-table=via-isp1",
        "add blackhole disabled=no dst-address=10.9.0.0/16",
    ]
    ok(router, "/routing/rule/add", "=src-address=192.168.88.0/24", "=action=lookup", "=table=via-isp1")
    assert section(export(router), "/routing rule") == [
        "add action=lookup disabled=no src-address=192.168.88.0/24 table=via-isp1"
    ]


def test_an_address_has_its_connected_route_until_it_goes() -> None:
    router = Router.empty()
    address = ok(router, "/ip/address/add", "=address=192.168.88.1/24", "=interface=bridge")
    (route,) = rows(router, "/ip/route")
    assert {key: route[key] for key in ("dst-address", "gateway", "distance", "dynamic", "active", "connect")} == {
        "dst-address": "192.168.88.0/24",
        "gateway": "bridge",
        "distance": "0",
        "dynamic": "true",
        "active": "true",
        "connect": "true",
    }
    assert route["local-address"] == "192.168.88.1%bridge"
    assert "dynamic" in trap(router, "/ip/route/remove", f"=numbers={route['.id']}")
    assert "dynamic" in trap(router, "/ip/route/set", f"=numbers={route['.id']}", "=distance=5")
    assert section(export(router), "/ip route") == []
    ok(router, "/ip/address/disable", f"=numbers={address}")
    assert rows(router, "/ip/route") == []
    ok(router, "/ip/address/enable", f"=numbers={address}")
    assert [row["dst-address"] for row in rows(router, "/ip/route")] == ["192.168.88.0/24"]


def test_routeros6_connected_routes_show_the_preferred_source() -> None:
    router = Router.empty(OLD_VERSION)
    ok(router, "/ip/address/add", "=address=203.0.113.201/29", "=interface=ether1")
    (route,) = rows(router, "/ip/route")
    assert (route["dst-address"], route["gateway"], route["pref-src"], route["dynamic"]) == (
        "203.0.113.200/29",
        "ether1",
        "203.0.113.201",
        "true",
    )


# ---------------------------------------------------------------------------------------------
# IPv6


def test_interfaces_have_their_link_local_addresses_except_bridge_ports() -> None:
    router = Router.empty()
    link_local = {row["interface"]: row for row in rows(router, "/ipv6/address")}
    assert set(link_local) >= {"ether1", "ether2", "bridge"}
    assert link_local["ether1"]["address"] == "fe80::d601:c3ff:fe5a:1/64"
    assert (link_local["ether1"]["dynamic"], link_local["ether1"]["link-local"]) == ("true", "true")
    ok(router, "/interface/bridge/port/add", "=bridge=bridge", "=interface=ether2")
    assert "ether2" not in {row["interface"] for row in rows(router, "/ipv6/address")}
    ok(router, "/interface/set", "=numbers=ether1", "=name=wan")
    assert "wan" in {row["interface"] for row in rows(router, "/ipv6/address")}
    ok(router, "/ipv6/address/add", "=address=2001:db8:1::1/64", "=interface=bridge", "=advertise=yes")
    assert section(export(router), "/ipv6 address") == ["add address=2001:db8:1::1/64 interface=bridge"]


def test_the_ipv6_filter_takes_ipv6_addresses_in_order() -> None:
    router = Router.empty()
    path = "/ipv6/firewall/filter"
    drop = ok(router, f"{path}/add", "=chain=forward", "=action=drop", "=in-interface-list=!LAN")
    accept = ok(
        router,
        f"{path}/add",
        "=chain=forward",
        "=protocol=tcp",
        "=dst-port=443",
        "=dst-address=2001:DB8:1::10",
        f"=place-before={drop}",
    )
    assert [row[".id"] for row in rows(router, path)] == [accept, drop]
    assert rows(router, path)[0]["dst-address"] == "2001:db8:1::10/128"
    assert "dst-address" in trap(router, f"{path}/add", "=chain=forward", "=dst-address=192.0.2.1")
    assert "reject-with" in trap(router, f"{path}/add", "=chain=forward", "=action=reject", "=reject-with=tcp-rst")
    lists = "/ipv6/firewall/address-list"
    ok(router, f"{lists}/add", "=list=bad_ipv6", "=address=::ffff:0.0.0.0/96")
    assert (
        trap(router, f"{lists}/add", "=list=bad_ipv6", "=address=::ffff:0:0/96") == "failure: already have such entry"
    )
    assert "address" in trap(router, f"{lists}/add", "=list=x", "=address=192.0.2.0/24")


def test_ipv6_routes_export_what_they_were_given() -> None:
    router = Router.empty()
    ok(router, "/ipv6/route/add", "=dst-address=::/0", "=gateway=2001:db8:ff::1")
    (static,) = [row for row in rows(router, "/ipv6/route") if row["dynamic"] == "false"]
    assert (static["distance"], static["routing-table"]) == ("1", "main")
    assert section(export(router), "/ipv6 route") == ["add disabled=no dst-address=::/0 gateway=2001:db8:ff::1"]


# ---------------------------------------------------------------------------------------------
# Real exports


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.rsc")), ids=lambda path: path.stem)
def test_corpus_menus_are_modelled_and_come_back_field_for_field(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    router, _ = load_export(text)
    assert not [line for line in router.verbatim if line["menu"] in MODELLED]
    again = export(router)
    for menu in MODELLED:
        name = menu.strip("/").replace("/", " ")
        assert section(again, "/" + name) == section(text, "/" + name), menu
    # The export loads again to the same items: no field is lost in the model.
    reloaded, _ = load_export(again)
    for menu in MODELLED:
        if menu in router.tables:
            assert rows(reloaded, menu) == rows(router, menu), menu


def test_a_dual_wan_export_has_its_tables_routes_marks_and_rule() -> None:
    router, _ = load_export((CORPUS / "ros7-ccr2004-dual-wan.rsc").read_text(encoding="utf-8"))
    assert [row["name"] for row in rows(router, "/routing/table")] == ["main", "via-isp-a", "via-isp-b"]
    static = [row for row in rows(router, "/ip/route") if row["dynamic"] == "false"]
    assert [(row["routing-table"], row["gateway"], row["distance"]) for row in static] == [
        ("main", "203.0.113.9", "1"),
        ("main", "198.51.100.17", "2"),
        ("via-isp-a", "203.0.113.9", "1"),
        ("via-isp-b", "198.51.100.17", "1"),
    ]
    marks = [
        (row["action"], row.get("new-connection-mark") or row.get("new-routing-mark")) for row in rows(router, MANGLE)
    ]
    assert marks[:3] == [
        ("mark-connection", "conn-isp-a"),
        ("mark-connection", "conn-isp-b"),
        ("mark-routing", "via-isp-a"),
    ]
    assert rows(router, "/routing/rule")[0]["table"] == "via-isp-b"


def test_a_script_line_with_a_property_the_model_lacks_fails_in_these_menus() -> None:
    router = Router.empty()
    with pytest.raises(Exception, match="unknown parameter"):
        run_script(router, "/ip firewall mangle\nadd action=accept chain=input frobnicate=yes\n")


def test_the_json_state_keeps_own_entries_following_their_sources() -> None:
    router = Router.empty()
    ok(router, "/ip/address/add", "=address=192.168.88.1/24", "=interface=bridge")
    again = Router.from_json(router.to_json())
    assert rows(again, "/ip/route") == rows(router, "/ip/route")
    assert rows(again, "/ipv6/address") == rows(router, "/ipv6/address")


@pytest.mark.parametrize("seed", ["stock-home-router", "routeros7-defconf"])
def test_routeros7_stock_routers_ship_the_defconf_ipv6_firewall(seed: str) -> None:
    router, _ = load_export(state.seed_path(seed).read_text(encoding="utf-8"))
    assert {row["list"] for row in rows(router, "/ipv6/firewall/address-list")} == {"bad_ipv6"}
    assert "2001:db8::/32" in {row["address"] for row in rows(router, "/ipv6/firewall/address-list")}
    forward = [row for row in rows(router, "/ipv6/firewall/filter") if row["chain"] == "forward"]
    assert forward[1]["connection-state"] == "established,related,untracked"
    assert (forward[-1]["action"], forward[-1]["in-interface-list"]) == ("drop", "!LAN")


def test_older_defconf_ipv6_list_entries_come_back_as_routeros_prints_them() -> None:
    # RouterOS 6.4x's defconf had these too; RouterOS prints IPv4-compatible prefixes dotted.
    lines = [
        'add address=::224.0.0.0/100 comment="defconf: other" list=bad_ipv6',
        'add address=::127.0.0.0/104 comment="defconf: other" list=bad_ipv6',
        'add address=::/104 comment="defconf: other" list=bad_ipv6',
        'add address=::255.0.0.0/104 comment="defconf: other" list=bad_ipv6',
    ]
    router = Router.empty(OLD_VERSION)
    run_script(router, "/ipv6 firewall address-list\n" + "\n".join(lines) + "\n")
    assert section(export(router), "/ipv6 firewall address-list") == lines
    router = Router.empty()
    ok(router, "/ipv6/firewall/address-list/add", "=list=x", "=address=::1")
    ok(router, "/ipv6/firewall/address-list/add", "=list=x", "=address=::ffff:0:0/96")
    assert [row["address"] for row in rows(router, "/ipv6/firewall/address-list")] == ["::1/128", "::ffff:0.0.0.0/96"]


def test_ipv6_addresses_have_their_connected_routes() -> None:
    router = Router.empty()
    ok(router, "/ipv6/address/add", "=address=3fff:0:0:2::1/64", "=interface=bridge")
    connected = {
        (row["dst-address"], row["gateway"]) for row in rows(router, "/ipv6/route") if row["connect"] == "true"
    }
    assert ("3fff:0:0:2::/64", "bridge") in connected
    assert ("fe80::/64", "ether1") in connected  # of the link-local address
    assert all(row["dynamic"] == "true" for row in rows(router, "/ipv6/route"))
    assert section(export(router), "/ipv6 route") == []


def test_a_routeros6_router_without_the_ipv6_package_has_no_ipv6_menus() -> None:
    text = (Path(__file__).resolve().parents[2] / "sim" / "routeros_sim" / "data" / "routeros6-defconf.rsc").read_text()
    router, _ = load_export(text)
    exported = export(router)
    router.disable_package("ipv6")
    for path in ("/ipv6/firewall/filter", "/ipv6/firewall/address-list", "/ipv6/address", "/ipv6/route"):
        assert trap(router, f"{path}/print") == "no such command prefix"
    assert trap(router, "/ipv6/firewall/filter/add", "=chain=forward") == "no such command prefix"
    # The rest of the router is as it was: its IPv4 firewall, renames, its export.
    assert rows(router, "/ip/firewall/filter")
    ok(router, "/interface/set", "=.id=*1", "=name=wan1")
    ok(router, "/interface/set", "=.id=*1", "=name=ether1")
    assert export(router) == exported
    again = Router.from_json(router.to_json())
    assert again.disabled_packages == frozenset({"ipv6"})
    assert trap(again, "/ipv6/firewall/filter/print") == "no such command prefix"


def test_routeros7_has_no_ipv6_package_to_disable() -> None:
    with pytest.raises(ValueError, match="no ipv6 package"):
        Router.empty().disable_package("ipv6")

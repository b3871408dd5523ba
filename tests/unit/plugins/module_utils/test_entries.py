# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The planner of owned address-list and static DNS entries (entries.py)."""

from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import (
    ADDRESS_LIST,
    DNS_STATIC,
    EntryError,
    EntryKey,
    address_list_entry,
    address_list_key,
    dns_entries,
    dns_entry,
    dns_key,
    format_entry_marker,
    parse_entry_marker,
    split_entry_comment,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.entry_plan import apply_entry_plan, plan_entries
from ansible_collections.hairpin.routeros.plugins.module_utils.gather import parse_entries_rsc, rows_to_entry_config
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_entry_commands
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import (
    check_address_list_config,
    check_dns_config,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.writes import entry_commands

from routeros_sim import rsc
from routeros_sim.router import Router


def librouteros_row(row: dict) -> dict:
    """A row as librouteros hands it over: yes/true -> True, digit strings -> int."""
    converted = {}
    for name, value in row.items():
        if value in ("true", "yes"):
            converted[name] = True
        elif value in ("false", "no"):
            converted[name] = False
        elif isinstance(value, str) and value.isdigit():
            converted[name] = int(value)
        else:
            converted[name] = value
    return converted


def printed(router: Router, path: str) -> list[dict]:
    return [librouteros_row(attrs) for word, attrs in router.execute(path + "/print", []) if word == "!re"]


# ---------------------------------------------------------------------------------------------
# Markers


def test_dns_marker_round_trips_with_a_description():
    key = dns_key("NAS.Example.net.")
    comment = format_entry_marker(key, "the NAS, see ticket #12")
    assert comment == "hairpin:dns:nas.example.net the NAS, see ticket #12"
    assert split_entry_comment(comment, "dns") == (key, "the NAS, see ticket #12")


def test_address_list_marker_holds_list_and_address():
    key = address_list_key("hairpin-wan", "GW.example.net")
    assert key == EntryKey("address-list", "hairpin-wan:gw.example.net")
    assert format_entry_marker(key) == "hairpin:address-list:hairpin-wan:gw.example.net"
    assert parse_entry_marker("hairpin:address-list:hairpin-wan:gw.example.net", "address-list") == key


@pytest.mark.parametrize(
    ("comment", "kind"),
    [
        ("hairpin:dns:", "dns"),
        ("hairpin:dns nas.example.net", "dns"),
        ("hairpin:dstnat:web:tcp", "dns"),
        ("hairpin:dns:nas.example.net", "address-list"),
        ("hairpin:address-list:bad list:1.2.3.4", "address-list"),
        ("hairpin:address-list:wan", "address-list"),
        ("defconf", "dns"),
        (None, "dns"),
        (True, "dns"),
    ],
)
def test_comments_that_are_not_our_marker_are_foreign(comment, kind):
    assert parse_entry_marker(comment, kind) is None


def test_a_name_that_cannot_round_trip_is_refused():
    with pytest.raises(EntryError):
        format_entry_marker(EntryKey("dns", "two words"))


# ---------------------------------------------------------------------------------------------
# Config checks name the entry and the field


def test_dns_config_problems_name_entry_and_field():
    errors = check_dns_config(
        [
            {"name": "www.example.net", "address": "192.168.1.300"},
            {"name": "bad name", "address": "192.168.1.2"},
            {"name": "nas.example.net"},
            {"name": "ok.example.net", "address": "192.168.1.4", "comment": "line\nbreak"},
            {"name": "OK.example.net.", "address": "192.168.1.5"},
        ],
        host="gw1",
    )
    texts = [error.text for error in errors]
    assert texts[0] == "host 'gw1': service 'www.example.net': field 'address': '192.168.1.300' is not an IPv4 address"
    assert texts[1].startswith("host 'gw1': service 'bad name': field 'name': 'bad name' is not a DNS name")
    assert texts[2] == "host 'gw1': service 'nas.example.net': field 'address': is required"
    assert texts[3].startswith("host 'gw1': service 'ok.example.net': field 'comment': contains a newline")
    assert texts[4] == (
        "host 'gw1': service 'OK.example.net.': field 'name': is given twice as a DNS name (also as 'ok.example.net')"
    )


def test_deleted_needs_only_names():
    assert check_dns_config([{"name": "nas.example.net"}], need_address=False) == []


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("203.0.113.7", True),
        ("203.0.113.0/24", True),
        ("203.0.113.1-203.0.113.9", True),
        ("gw.example.net", True),
        ("203.0.113.300", False),
        ("203.0.113.0/33", False),
        ("no spaces.example.net", False),
    ],
)
def test_address_list_addresses(address, ok):
    errors = check_address_list_config([{"list": "hairpin-wan", "address": address}])
    assert (errors == []) is ok


def test_address_list_names_must_fit_the_marker():
    (error,) = check_address_list_config([{"list": "my list", "address": "203.0.113.7"}])
    assert error.field == "list"


# ---------------------------------------------------------------------------------------------
# Planning


def row(row_id: str, **fields) -> dict:
    return {".id": row_id, **{name.replace("_", "-"): value for name, value in fields.items()}}


FOREIGN_DNS = row("*1", name="router.lan", address="192.168.88.1", ttl="1d", comment="defconf", disabled=False)


def test_new_entries_are_added_and_rendered_as_cli():
    plan = plan_entries(DNS_STATIC, [dns_entry("nas.example.net", "192.168.88.10", "the NAS")], [FOREIGN_DNS])
    assert render_entry_commands(plan) == [
        '/ip dns static add name=nas.example.net address=192.168.88.10 comment="hairpin:dns:nas.example.net the NAS"'
    ]
    assert [command.path for command in entry_commands(plan)] == ["/ip/dns/static/add"]
    assert entry_commands(plan)[0].attributes == {
        "name": "nas.example.net",
        "address": "192.168.88.10",
        "comment": "hairpin:dns:nas.example.net the NAS",
    }
    assert plan.before == []
    assert [r["name"] for r in plan.after] == ["nas.example.net"]


def test_an_entry_as_printed_needs_no_change():
    current = [
        FOREIGN_DNS,
        row("*2", name="nas.example.net", address="192.168.88.10", ttl="1d", comment="hairpin:dns:nas.example.net"),
    ]
    plan = plan_entries(DNS_STATIC, [dns_entry("NAS.example.net", "192.168.88.10")], current)
    assert plan.operations == []
    assert not plan.changed


def test_a_changed_address_is_set_in_place():
    current = [row("*2", name="nas.example.net", address="192.168.88.9", comment="hairpin:dns:nas.example.net")]
    plan = plan_entries(DNS_STATIC, [dns_entry("nas.example.net", "192.168.88.10")], current)
    assert render_entry_commands(plan) == [
        "# hairpin:dns:nas.example.net",
        "/ip dns static set *2 address=192.168.88.10",
    ]
    assert entry_commands(plan)[0].attributes == {".id": "*2", "address": "192.168.88.10"}


def test_an_owned_entry_turned_into_a_cname_and_disabled_is_put_back():
    current = [
        row("*2", name="nas.example.net", type="CNAME", cname="x", comment="hairpin:dns:nas.example.net", disabled=True)
    ]
    plan = plan_entries(DNS_STATIC, [dns_entry("nas.example.net", "192.168.88.10")], current)
    assert render_entry_commands(plan) == [
        "# hairpin:dns:nas.example.net",
        "/ip dns static set *2 type=A address=192.168.88.10 disabled=no",
    ]


def test_merged_leaves_other_owned_entries_overridden_removes_them():
    current = [
        FOREIGN_DNS,
        row("*2", name="old.example.net", address="192.168.88.5", comment="hairpin:dns:old.example.net"),
    ]
    desired = [dns_entry("nas.example.net", "192.168.88.10")]
    merged = plan_entries(DNS_STATIC, desired, current, state="merged")
    assert [op.action for op in merged.operations] == ["add"]
    overridden = plan_entries(DNS_STATIC, desired, current, state="overridden")
    assert render_entry_commands(overridden) == [
        "# hairpin:dns:old.example.net",
        "/ip dns static remove *2",
        '/ip dns static add name=nas.example.net address=192.168.88.10 comment="hairpin:dns:nas.example.net"',
    ]


def test_deleted_by_name_or_everything_owned():
    current = [
        FOREIGN_DNS,
        row("*2", name="a.example.net", address="192.168.88.5", comment="hairpin:dns:a.example.net"),
        row("*3", name="b.example.net", address="192.168.88.6", comment="hairpin:dns:b.example.net"),
    ]
    named = plan_entries(DNS_STATIC, dns_entries([{"name": "b.example.net"}]), current, state="deleted")
    assert render_entry_commands(named) == ["# hairpin:dns:b.example.net", "/ip dns static remove *3"]
    everything = plan_entries(DNS_STATIC, [], current, state="deleted")
    assert render_entry_commands(everything) == [
        "# hairpin:dns:a.example.net",
        "/ip dns static remove *2",
        "# hairpin:dns:b.example.net",
        "/ip dns static remove *3",
    ]


def test_a_later_duplicate_of_an_owned_entry_is_removed():
    comment = "hairpin:dns:nas.example.net"
    current = [
        row("*2", name="nas.example.net", address="192.168.88.10", comment=comment),
        row("*3", name="nas.example.net", address="192.168.88.10", comment=comment),
    ]
    plan = plan_entries(DNS_STATIC, [dns_entry("nas.example.net", "192.168.88.10")], current)
    assert render_entry_commands(plan) == ["# hairpin:dns:nas.example.net", "/ip dns static remove *3"]


def test_dynamic_rows_are_never_touched():
    current = [
        row("*2", name="nas.example.net", address="1.2.3.4", comment="hairpin:dns:nas.example.net", dynamic=True)
    ]
    plan = plan_entries(DNS_STATIC, [], current, state="deleted")
    assert plan.operations == []


def test_a_foreign_dns_entry_answering_differently_is_reported():
    current = [row("*7", name="nas.example.net", address="192.168.88.99", comment="old NAS")]
    with pytest.raises(EntryError, match=r"\*7 .*also answers nas.example.net"):
        plan_entries(DNS_STATIC, [dns_entry("nas.example.net", "192.168.88.10")], current)
    # The same answer, or a disabled entry, does no harm.
    same = [row("*7", name="nas.example.net", address="192.168.88.10")]
    assert len(plan_entries(DNS_STATIC, [dns_entry("nas.example.net", "192.168.88.10")], same).operations) == 1
    disabled = [row("*7", name="nas.example.net", address="192.168.88.99", disabled=True)]
    assert len(plan_entries(DNS_STATIC, [dns_entry("nas.example.net", "192.168.88.10")], disabled).operations) == 1


def test_a_foreign_address_list_entry_with_the_same_pair_is_reported():
    current = [row("*4", list="hairpin-wan", address="gw.example.net")]
    with pytest.raises(EntryError, match=r"already holds gw.example.net in entry \*4"):
        plan_entries(ADDRESS_LIST, [address_list_entry("hairpin-wan", "gw.example.net")], current)


def test_two_desired_entries_with_one_key_are_refused():
    with pytest.raises(EntryError, match="share the key"):
        plan_entries(DNS_STATIC, [dns_entry("a.example.net", "10.0.0.1"), dns_entry("A.example.net", "10.0.0.2")], [])


def test_the_address_list_entry_of_a_ddns_name():
    # RouterOS adds dynamic entries (comment: the name) for each address the name resolves to;
    # they are the router's, not ours.
    current = [
        row(
            "*1",
            list="hairpin-wan",
            address="gw.example.net",
            comment="hairpin:address-list:hairpin-wan:gw.example.net",
        ),
        row("*2", list="hairpin-wan", address="198.51.100.7", comment="gw.example.net", dynamic=True),
    ]
    same = plan_entries(
        ADDRESS_LIST, [address_list_entry("hairpin-wan", "gw.example.net")], current, state="overridden"
    )
    assert same.operations == []
    moved = plan_entries(
        ADDRESS_LIST, [address_list_entry("hairpin-wan", "new.example.net")], current, state="overridden"
    )
    assert render_entry_commands(moved) == [
        "# hairpin:address-list:hairpin-wan:gw.example.net",
        "/ip firewall address-list remove *1",
        "/ip firewall address-list add list=hairpin-wan address=new.example.net "
        'comment="hairpin:address-list:hairpin-wan:new.example.net"',
    ]


def test_apply_is_the_pure_twin_of_the_plan():
    current = [
        FOREIGN_DNS,
        row("*2", name="a.example.net", address="192.168.88.5", comment="hairpin:dns:a.example.net"),
        row("*3", name="b.example.net", address="192.168.88.6", comment="hairpin:dns:b.example.net"),
    ]
    desired = [dns_entry("b.example.net", "192.168.88.7"), dns_entry("c.example.net", "192.168.88.8")]
    plan = plan_entries(DNS_STATIC, desired, current, state="overridden")
    after = apply_entry_plan(current, plan)
    assert [(r[".id"], r.get("name"), r.get("address")) for r in after] == [
        ("*1", "router.lan", "192.168.88.1"),
        ("*3", "b.example.net", "192.168.88.7"),
        ("+1", "c.example.net", "192.168.88.8"),
    ]
    assert plan_entries(DNS_STATIC, desired, after, state="overridden").operations == []


# ---------------------------------------------------------------------------------------------
# Against the simulator: the CLI lines and the API sentences do the same, and converge


DNS_SEED = """
/ip dns static
add address=192.168.88.1 comment=defconf name=router.lan type=A
add address=192.168.88.5 comment="hairpin:dns:old.example.net stale" name=old.example.net
add address=192.168.88.9 comment=hairpin:dns:nas.example.net name=nas.example.net
/ip firewall address-list
add address=198.51.100.23 list=blocklist
"""


def seeded() -> Router:
    router = Router.empty()
    rsc.run_script(router, DNS_SEED)
    return router


def test_cli_lines_and_api_sentences_reach_the_same_table():
    desired = [
        dns_entry("nas.example.net", "192.168.88.10", 'NAS "main" $1'),
        dns_entry("www.example.net", "192.168.88.11"),
    ]
    by_cli, by_api = seeded(), seeded()
    plan = plan_entries(DNS_STATIC, desired, printed(by_cli, DNS_STATIC.path), state="overridden")
    assert plan.changed
    rsc.run_script(by_cli, "\n".join(render_entry_commands(plan)))
    for command in entry_commands(plan):
        replies = by_api.execute(command.path, command.words())
        assert replies[-1][0] == "!done" and not any(reply[0] == "!trap" for reply in replies), replies
    assert printed(by_cli, DNS_STATIC.path) == printed(by_api, DNS_STATIC.path)
    again = plan_entries(DNS_STATIC, desired, printed(by_api, DNS_STATIC.path), state="overridden")
    assert again.operations == []
    names = {r["name"]: r for r in printed(by_api, DNS_STATIC.path)}
    assert names["nas.example.net"]["comment"] == 'hairpin:dns:nas.example.net NAS "main" $1'
    assert "old.example.net" not in names
    assert names["router.lan"]["comment"] == "defconf"


def test_address_list_entry_for_a_ddns_name_in_the_simulator():
    router = seeded()
    router.dns_resolver = {"gw.example.net": ["198.51.100.7"]}
    desired = [address_list_entry("hairpin-wan", "gw.example.net")]
    plan = plan_entries(ADDRESS_LIST, desired, printed(router, ADDRESS_LIST.path), state="overridden")
    for command in entry_commands(plan):
        router.execute(command.path, command.words())
    rows = printed(router, ADDRESS_LIST.path)
    assert {(r["list"], r["address"], r.get("dynamic")) for r in rows} >= {
        ("hairpin-wan", "gw.example.net", False),
        ("hairpin-wan", "198.51.100.7", True),
        ("blocklist", "198.51.100.23", False),
    }
    assert plan_entries(ADDRESS_LIST, desired, rows, state="overridden").operations == []


def test_gathered_and_parsed_config():
    router = seeded()
    rows = printed(router, DNS_STATIC.path)
    gathered = rows_to_entry_config(DNS_STATIC, rows)
    assert gathered["config"] == [
        {"name": "old.example.net", "address": "192.168.88.5", "comment": "stale", "disabled": False},
        {"name": "nas.example.net", "address": "192.168.88.9", "disabled": False},
    ]
    assert [r["name"] for r in gathered["foreign"]] == ["router.lan"]
    parsed = rows_to_entry_config(DNS_STATIC, parse_entries_rsc(DNS_STATIC, rsc.export(router)))
    assert parsed["config"] == gathered["config"]

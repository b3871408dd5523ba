"""rsc.py: reading RouterOS /export text and scripts, and writing it back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routeros_sim.router import Router
from routeros_sim.rsc import (
    LINE_WIDTH,
    Command,
    Condition,
    Find,
    ScriptError,
    escape,
    export,
    header_version,
    parse_script,
    quote,
    render_command,
    run_script,
)
from routeros_sim.state import STOCK_SEED

# ---------------------------------------------------------------------------------------------
# Parsing: lines, menus, comments
# ---------------------------------------------------------------------------------------------


def test_export_header_comments_and_blank_lines_are_skipped() -> None:
    text = (
        "# 2024-01-02 12:00:00 by RouterOS 7.16\n"
        "# software id = ABCD-1234\n"
        "#\n"
        "# model = RB5009UG+S+\n"
        "# serial number = HEX0123456\n"
        "\n"
        "/ip dns\n"
        "set servers=192.0.2.53\n"
    )
    assert parse_script(text) == [Command(8, ("ip", "dns"), "set", (), (("servers", "192.0.2.53"),))]


def test_menu_line_sets_the_menu_for_following_lines() -> None:
    commands = parse_script(
        "/ip firewall nat\nadd chain=srcnat action=masquerade\n/ip address\nadd address=10.0.0.1/24\n"
    )
    assert [(c.line, c.menu, c.verb) for c in commands] == [
        (2, "/ip/firewall/nat", "add"),
        (4, "/ip/address", "add"),
    ]
    assert commands[0].params == (("chain", "srcnat"), ("action", "masquerade"))


def test_menu_on_the_command_line_applies_to_that_command_only() -> None:
    commands = parse_script("/ip address\n/ip firewall nat add chain=dstnat action=accept\nadd address=10.0.0.1/24\n")
    assert [c.menu for c in commands] == ["/ip/firewall/nat", "/ip/address"]


def test_slash_separated_and_relative_menus() -> None:
    commands = parse_script("/ip/firewall/nat/add chain=x\n/ip\nfirewall filter add chain=y\n.. interface print\n")
    assert [(c.menu, c.verb) for c in commands] == [
        ("/ip/firewall/nat", "add"),
        ("/ip/firewall/filter", "add"),
        ("/interface", "print"),
    ]


def test_semicolons_separate_commands() -> None:
    commands = parse_script("/ip dns set servers=192.0.2.1; /system identity set name=gw")
    assert [(c.menu, c.params) for c in commands] == [
        ("/ip/dns", (("servers", "192.0.2.1"),)),
        ("/system/identity", (("name", "gw"),)),
    ]


def test_crlf_line_ends() -> None:
    commands = parse_script("/ip dns\r\nset servers=192.0.2.1 \\\r\n    allow-remote-requests=yes\r\n")
    assert commands[0].params == (("servers", "192.0.2.1"), ("allow-remote-requests", "yes"))


def test_colon_commands_come_back_with_empty_path() -> None:
    (command,) = parse_script(":delay 5s\n")
    assert (command.path, command.verb, command.positional) == ((), ":delay", ("5s",))


def test_a_hash_inside_a_value_is_not_a_comment() -> None:
    (command,) = parse_script('/ip firewall nat add chain=dstnat comment="# not a comment" log-prefix=a#b\n')
    assert command.params == (("chain", "dstnat"), ("comment", "# not a comment"), ("log-prefix", "a#b"))


# ---------------------------------------------------------------------------------------------
# Continuations
# ---------------------------------------------------------------------------------------------


def test_continuation_between_words_and_after_equals() -> None:
    text = (
        "/ip firewall filter\n"
        'add action=drop chain=input comment="defconf: drop invalid" connection-state=\\\n'
        "    invalid\n"
        'add action=drop chain=input comment="defconf: drop all not coming from LAN" \\\n'
        "    in-interface-list=!LAN\n"
    )
    first, second = parse_script(text)
    assert first.line == 2 and second.line == 4
    assert first.params[-1] == ("connection-state", "invalid")
    assert second.params[-1] == ("in-interface-list", "!LAN")


def test_continuation_inside_a_quoted_string_drops_the_indentation() -> None:
    text = '/system script add name=s source=":log info \\"a\\"\\r\\\n    \\n:log info b"\n'
    (command,) = parse_script(text)
    assert dict(command.params)["source"] == ':log info "a"\r\n:log info b'


def test_continuation_inside_a_bare_value() -> None:
    (command,) = parse_script("/system script add policy=ftp,reb\\\n    oot,read\n")
    assert command.params == (("policy", "ftp,reboot,read"),)


# ---------------------------------------------------------------------------------------------
# Values: quotes and escapes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        (r'"a \"quoted\" word"', 'a "quoted" word'),
        (r'"back\\slash"', "back\\slash"),
        (r'"l1\nl2\rl3\tx"', "l1\nl2\rl3\tx"),
        (r'"cost \$5\?"', "cost $5?"),
        (r'"a\_b"', "a b"),
        (r'"\a\b\f\v"', "\x07\x08\x0c\x0b"),
        (r'"\D0\9F\D1\80\D0\B8"', "При"),  # UTF-8 bytes in hex, as /export writes non-ASCII
        (r'"caf\C3\A9"', "café"),
        (r'"\41\42"', "AB"),
        (r'"\e"', "e"),  # not an escape RouterOS knows: the character itself
        ('"raw ünïcode"', "raw ünïcode"),
        ('""', ""),
        ("", ""),
        ("bare-value.1,2:3/4!*+@", "bare-value.1,2:3/4!*+@"),
    ],
)
def test_value_escapes(written: str, value: str) -> None:
    (command,) = parse_script(f"/ip firewall nat add comment={written}\n")
    assert command.params == (("comment", value),)


def test_lower_case_hex_is_a_named_escape_not_a_byte() -> None:
    # \ab would be 0xAB only in capitals; in lower case it is BEL then "b".
    (command,) = parse_script('/x add v="\\ab"\n')
    assert command.params == (("v", "\x07b"),)


def test_quoted_positional_and_quoted_parts_joined() -> None:
    (command,) = parse_script('/ip service set "my name" comment=pre"mid dle"post\n')
    assert command.positional == ("my name",)
    assert command.params == (("comment", "premid dlepost"),)


def test_equals_inside_a_value_is_part_of_it() -> None:
    (command,) = parse_script('/x add comment="a=b" other=c=d\n')
    assert command.params == (("comment", "a=b"), ("other", "c=d"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('/x add comment="open\n', "unterminated quoted string"),
        ("/x add a=$var\n", "not supported"),
        ("/x add a={b}\n", "not supported"),
        ("/x set [ find a=b\n", "unterminated"),
        ("/x set [ print ]\n", "only [ find"),
        ("/x set [ find a=b or c=d ]\n", "only 'and'"),
        ("/x set [ find a=b and ]\n", "condition missing"),
        ("/x a=b add\n", "expected a command"),
        ("/x add =b\n", "without a name"),
        ("/x add a=b ]\n", "unexpected ']'"),
        ("/x remove [ find where port>80 ]\n", "find: cannot read condition"),
    ],
)
def test_syntax_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ScriptError) as caught:
        parse_script("# header\n\n" + text)
    assert caught.value.line == 3
    assert message in caught.value.message
    assert str(caught.value).startswith("line 3")


# ---------------------------------------------------------------------------------------------
# Selectors and item references
# ---------------------------------------------------------------------------------------------


def test_find_default_name_rename() -> None:
    (command,) = parse_script("/interface ethernet\nset [ find default-name=ether1 ] name=wan\n")
    assert command.positional == (Find((Condition("default-name", "=", "ether1"),)),)
    assert command.params == (("name", "wan"),)


def test_find_where_with_and_quotes_and_operators() -> None:
    text = '/ip firewall nat set [find where comment="port 80" and chain=dstnat and disabled!=yes] to-ports=81\n'
    (command,) = parse_script(text)
    assert command.positional == (
        Find(
            (
                Condition("comment", "=", "port 80"),
                Condition("chain", "=", "dstnat"),
                Condition("disabled", "!=", "yes"),
            )
        ),
    )


def test_find_bare_flags_regex_and_empty() -> None:
    (flags,) = parse_script('/x remove [ find where dynamic and !disabled and comment~"^hp:" ]\n')
    assert flags.positional == (
        Find((Condition("dynamic", "=", "yes"), Condition("disabled", "=", "no"), Condition("comment", "~", "^hp:"))),
    )
    (everything,) = parse_script("/x remove [ find ]\n")
    assert everything.positional == (Find(),)


def test_find_as_a_parameter_value() -> None:
    (command,) = parse_script('/ip firewall nat add chain=dstnat place-before=[ find comment="first" ]\n')
    assert command.params == (("chain", "dstnat"), ("place-before", Find((Condition("comment", "=", "first"),))))


def test_ids_numbers_and_names_are_positional_words() -> None:
    commands = parse_script("/x\nremove *1A,*2\nmove 3 0\nset telnet disabled=yes\nset numbers=*5 comment=x\n")
    assert [c.positional for c in commands] == [("*1A,*2",), ("3", "0"), ("telnet",), ()]
    assert commands[3].params == (("numbers", "*5"), ("comment", "x"))


def test_routeros6_verbose_export() -> None:
    # The shape of a 6.4x `/export verbose`: wrapped values, print numbers, built-in items set by
    # find, "!name" for an unset property, and a quoted list broken in the middle of a word.
    text = (
        "# jan/02/1970 06:11:28 by RouterOS 6.49.10\n"
        "# software id = 5K79-3TCR\n"
        "#\n"
        "# model = RB941-2nD\n"
        "/interface ethernet\n"
        "set [ find default-name=ether1 ] advertise=\\\n"
        "    10M-half,10M-full,100M-half,100M-full arp=enabled arp-timeout=auto \\\n"
        "    auto-negotiation=yes disabled=no mac-address=\\\n"
        "    B8:69:F4:B6:30:F0 mtu=1500 name=ether1 speed=100Mbps\n"
        "/interface ethernet switch port\n"
        "set 0 default-vlan-id=0 vlan-header=leave-as-is vlan-mode=disabled\n"
        "/interface list\n"
        'set [ find name=all ] comment="contains all interfaces" exclude="" include="" name=all\n'
        "/interface lte\n"
        "set [ find ] allow-roaming=yes apn-profiles=default !band disabled=no\n"
        "/user group\n"
        'set full policy="local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,pas\\\n'
        '    sword,web,sniff,sensitive,api,romon,dude,tikapp"\n'
    )
    ether, switch_port, all_list, lte, group = parse_script(text)
    assert ether.positional == (Find((Condition("default-name", "=", "ether1"),)),)
    assert dict(ether.params)["advertise"] == "10M-half,10M-full,100M-half,100M-full"
    assert dict(ether.params)["mac-address"] == "B8:69:F4:B6:30:F0"
    assert (switch_port.menu, switch_port.positional) == ("/interface/ethernet/switch/port", ("0",))
    assert dict(all_list.params) == {"comment": "contains all interfaces", "exclude": "", "include": "", "name": "all"}
    assert lte.positional == (Find(), "!band")
    assert dict(group.params)["policy"].split(",")[9:11] == ["winbox", "password"]


def test_command_renders_back_as_script_text() -> None:
    (command,) = parse_script('/ip firewall nat set [ find comment="a b" ] to-ports=81\n')
    assert str(command) == '/ip firewall nat set [ find comment="a b" ] to-ports=81'


# ---------------------------------------------------------------------------------------------
# Quoting and wrapping (export side)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("WAN", "WAN"),
        ("!LAN", "!LAN"),
        ("out,none", "out,none"),
        ("192.168.88.0/24", "192.168.88.0/24"),
        ("AA:BB:CC:00:11:22", "AA:BB:CC:00:11:22"),
        ("*1F", "*1F"),
        ("", '""'),
        ("defconf: masquerade", '"defconf: masquerade"'),
        ('say "hi"', r'"say \"hi\""'),
        ("a\\b", r'"a\\b"'),
        ("$x?", r'"\$x\?"'),
        ("a;b", '"a;b"'),
        ("l1\nl2", r'"l1\nl2"'),
        ("\x07", r'"\07"'),
        ("é", r'"\C3\A9"'),
        ("a=b", '"a=b"'),
        ("[x]", '"[x]"'),
    ],
)
def test_quote_only_where_needed(value: str, written: str) -> None:
    assert quote(value) == written


def test_escape_undecodable_byte_round_trips() -> None:
    # A byte that is not UTF-8 (read from "\E9") comes back out as the same escape.
    (command,) = parse_script('/x add v="\\E9"\n')
    value = dict(command.params)["v"]
    assert escape(value) == "\\E9"


@given(st.text())
def test_any_string_quoted_by_the_exporter_parses_back_verbatim(value: str) -> None:
    (command,) = parse_script(f"/x add v={quote(value)}\n")
    assert command.params == (("v", value),)


@given(
    st.lists(
        st.tuples(st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True), st.text(max_size=300)),
        max_size=8,
    )
)
def test_wrapped_commands_parse_back_and_stay_within_the_width(params: list[tuple[str, str]]) -> None:
    text = render_command(["add"], params)
    assert all(len(line) <= LINE_WIDTH for line in text.split("\n"))
    (command,) = parse_script("/x\n" + text + "\n")
    assert command.params == tuple(params)


def test_wrapping_matches_routeros_defconf_layout() -> None:
    rendered = render_command(
        ["add"],
        [
            ("action", "accept"),
            ("chain", "input"),
            ("comment", "defconf: accept established,related,untracked"),
            ("connection-state", "established,related,untracked"),
        ],
    )
    assert rendered == (
        "add action=accept chain=input comment=\\\n"
        '    "defconf: accept established,related,untracked" connection-state=\\\n'
        "    established,related,untracked"
    )
    masquerade = render_command(
        ["add"],
        [
            ("action", "masquerade"),
            ("chain", "srcnat"),
            ("comment", "defconf: masquerade"),
            ("ipsec-policy", "out,none"),
            ("out-interface-list", "WAN"),
        ],
    )
    assert masquerade == (
        'add action=masquerade chain=srcnat comment="defconf: masquerade" \\\n'
        "    ipsec-policy=out,none out-interface-list=WAN"
    )


def test_a_space_at_a_wrap_point_inside_a_string_is_escaped() -> None:
    # 'add comment="' and 64 letters fill the first line; the space starts the second.
    value = "x" * 64 + " " * 3 + "y" * 80
    text = render_command(["add"], [("comment", value)])
    assert text.split("\n")[1].startswith("    \\_  ")
    (command,) = parse_script("/x\n" + text)
    assert command.params == (("comment", value),)


# ---------------------------------------------------------------------------------------------
# Running scripts against the model
# ---------------------------------------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"
HOME_ROUTER = FIXTURES / "home-router.rsc"


def state_of(router: Router) -> dict[str, list[dict[str, str]]]:
    """Every table's items in order, without what a reload hands out afresh (ids, creation times)."""
    return {
        path: [{k: v for k, v in item.items() if k not in (".id", "creation-time")} for item in table.items]
        for path, table in router.tables.items()
    }


def printed(router: Router, menu: str, *keys: str) -> list[tuple[str, ...]]:
    """What a client sees: ``print`` of ``menu``, the values of ``keys`` of every item."""
    replies = router.execute(f"{menu}/print", [])
    return [tuple(attrs.get(key, "") for key in keys) for kind, attrs in replies if kind == "!re"]


def loaded(text: str, version: str = "7.16.1") -> Router:
    router = Router.empty(version)
    run_script(router, text)
    return router


def test_home_router_fixture_loads_as_exported() -> None:
    router = Router.empty("7.16.1")
    result = run_script(router, HOME_ROUTER.read_text(encoding="utf-8"))
    assert result.skipped == []
    assert result.adopted == [(7, "/interface/bridge *1")]  # the model's stock bridge takes the defconf one

    assert printed(router, "/ip/firewall/nat", "chain", "action", "comment", "disabled") == [
        ("srcnat", "masquerade", "defconf: masquerade", "false"),
        ("dstnat", "jump", "port forwards from WAN", "false"),
        ("port-forwards", "dst-nat", "NAS web UI", "false"),
        ("port-forwards", "dst-nat", "game server (off season)", "true"),
        ("accounting", "passthrough", "count packets only; nothing jumps here", "false"),
    ]
    assert printed(router, "/ip/firewall/nat", "ipsec-policy", "out-interface-list")[0] == ("out,none", "WAN")
    assert printed(router, "/interface", "default-name", "name", "comment", "disabled")[::4] == [
        ("ether1", "ether1", 'uplink: ISP "FiberNet" ONT', "false"),
        ("ether5", "spare", "spare \u2014 keep unplugged", "true"),
    ]
    assert ("myhost.example.net", "remote-admins", "office: dynamic DNS name") in printed(
        router, "/ip/firewall/address-list", "address", "list", "comment"
    )
    assert ('partner "Acme" office',) in printed(router, "/ip/firewall/address-list", "comment")
    assert len(printed(router, "/ip/firewall/filter", "chain")) == 13
    assert printed(router, "/interface/bridge/port", "interface", "bridge") == [
        ("ether2", "bridge"),
        ("ether3", "bridge"),
        ("ether4", "bridge"),
    ]
    assert printed(router, "/ip/address", "address", "interface") == [
        ("192.168.88.1/24", "bridge"),
        ("203.0.113.2/24", "ether1"),
    ]
    assert printed(router, "/ip/dns", "servers", "allow-remote-requests") == [("198.51.100.53,198.51.100.54", "true")]
    assert printed(router, "/system/identity", "name") == [("home-gw",)]
    assert ("telnet", "true") in printed(router, "/ip/service", "name", "disabled")


@pytest.mark.parametrize("verbose", [False, True])
def test_export_of_the_fixture_loads_back_to_the_same_state(verbose: bool) -> None:
    original = loaded(HOME_ROUTER.read_text(encoding="utf-8"))
    text = export(original, verbose=verbose)
    again = Router.empty("7.16.1")
    run_script(again, text)
    assert state_of(again) == state_of(original)
    assert export(again, verbose=verbose).splitlines()[1:] == text.splitlines()[1:]  # all but the date


@pytest.mark.parametrize("version", ["7.20.6", "6.49.18"])
def test_export_round_trip_in_both_personalities(version: str) -> None:
    original = loaded(STOCK_SEED.read_text(encoding="utf-8"), version)
    original.execute("/ip/firewall/nat/add", ["=chain=dstnat", "=action=dst-nat", "=protocol=tcp", "=dst-port=80"])
    text = export(original)
    assert text.startswith("# ") and f"by RouterOS {version}\n" in text.splitlines(keepends=True)[0]
    again = loaded(text, version)
    assert state_of(again) == state_of(original)


def test_export_reads_like_routeros() -> None:
    text = export(loaded(HOME_ROUTER.read_text(encoding="utf-8")))
    lines = text.splitlines()
    sections = [line for line in lines if line.startswith("/")]
    assert sections == [
        "/interface bridge",
        "/interface ethernet",
        "/interface list",
        "/interface bridge port",
        "/interface list member",
        "/ip address",
        "/ip dns",
        "/ip dns static",
        "/ip firewall address-list",
        "/ip firewall filter",
        "/ip firewall nat",
        "/ip service",
        "/system identity",
    ]
    assert all(len(line) <= LINE_WIDTH for line in lines)
    assert 'set [ find default-name=ether1 ] comment="uplink: ISP \\"FiberNet\\" ONT"' in lines
    assert "set telnet disabled=yes" in lines
    # Defaults are left out (disabled=no, log=no), but RouterOS always writes a rule's action.
    assert "disabled=no" not in text and "log=no" not in text
    assert 'add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp' in lines


def test_export_of_a_stock_router_is_only_the_header() -> None:
    lines = export(Router.empty()).splitlines()
    assert lines[0].endswith("by RouterOS 7.20.6")
    assert all(line.startswith("#") for line in lines)


def test_verbose_export_writes_default_values() -> None:
    router = loaded("/ip firewall nat add chain=srcnat action=masquerade\n")
    plain, verbose = export(router), export(router, verbose=True)
    assert "add action=masquerade chain=srcnat\n" in plain
    assert "disabled=no" in verbose and "log=no" in verbose
    assert "set [ find default-name=ether3 ]" in verbose and "set [ find default-name=ether3 ]" not in plain


def test_dynamic_items_are_not_exported() -> None:
    router = loaded("/ip firewall address-list add list=office address=myhost.example.net\n")
    router.dns_resolver = {"myhost.example.net": ["198.51.100.7"]}
    router.execute("/ip/firewall/address-list/add", ["=list=temp", "=address=198.51.100.9", "=timeout=1h"])
    assert ("198.51.100.7", "true") in printed(router, "/ip/firewall/address-list", "address", "dynamic")
    text = export(router)
    assert "myhost.example.net" in text
    assert "198.51.100.7" not in text and "198.51.100.9" not in text


@settings(max_examples=40, deadline=None)
@given(comment=st.text(max_size=200), log_prefix=st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_comment_survives_export_and_reload(comment: str, log_prefix: str) -> None:
    router = Router.empty()
    words = ["=chain=srcnat", "=action=masquerade", f"=comment={comment}", f"=log-prefix={log_prefix}"]
    assert router.execute("/ip/firewall/nat/add", words)[-1][0] == "!done"
    again = loaded(export(router), router.version)
    assert state_of(again) == state_of(router)


# ---------------------------------------------------------------------------------------------
# Scripts: item references, order, errors
# ---------------------------------------------------------------------------------------------


def test_script_with_place_before_find_move_and_remove() -> None:
    router = Router.empty()
    run_script(
        router,
        "/ip firewall nat\n"
        'add chain=srcnat action=masquerade out-interface=ether1 comment="masq"\n'
        'add chain=dstnat action=dst-nat protocol=tcp dst-port=80 to-addresses=192.168.88.2 comment="web"\n',
    )
    (masq_id,) = [attrs[".id"] for kind, attrs in router.execute("/ip/firewall/nat/print", ["?comment=masq"])[:1]]
    result = run_script(
        router,
        "/ip firewall nat\n"
        f'add chain=dstnat action=accept comment="first" place-before={masq_id}\n'
        'set [find comment="web"] to-ports=8080 disabled=yes\n'
        'add chain=dstnat action=dst-nat protocol=udp dst-port=53 to-addresses=192.168.88.3 comment="dns"\n'
        'move [ find comment="dns" ] [ find where comment=web ]\n'
        'remove [find comment="masq"]\n'
        'set [find comment="nothing like this"] disabled=yes\n',
    )
    assert result.executed == 5
    assert result.skipped == [(7, "no item matched")]
    assert printed(router, "/ip/firewall/nat", "comment", "to-ports", "disabled") == [
        ("first", "", "false"),
        ("dns", "", "false"),
        ("web", "8080", "true"),
    ]


def test_numbers_names_and_numbers_parameter() -> None:
    router = Router.empty()
    run_script(
        router,
        "/ip firewall nat\n"
        "add chain=a action=accept\n"
        "add chain=b action=accept\n"
        "add chain=c action=accept\n"
        "remove 1\n"
        "move 1 destination=0\n"
        "/ip service set telnet,ftp disabled=yes\n"
        "/interface set ether3 comment=spare\n",
    )
    assert printed(router, "/ip/firewall/nat", "chain") == [("c",), ("a",)]
    assert printed(router, "/ip/service", "name", "disabled")[:2] == [("telnet", "true"), ("ftp", "true")]
    assert ("ether3", "spare") in printed(router, "/interface", "name", "comment")


def test_unset_enable_disable_and_unset_markers() -> None:
    router = loaded(
        "/ip firewall nat\n"
        "add chain=a action=accept comment=one disabled=yes\n"
        "enable [ find chain=a ]\n"
        "unset [ find chain=a ] comment\n"
        "add chain=b action=accept comment=two\n"
        "set [ find chain=b ] !comment disabled=yes\n"
        "/ip dns set servers=192.0.2.1\n"
        "/ip dns unset servers\n"
    )
    assert printed(router, "/ip/firewall/nat", "chain", "comment", "disabled") == [
        ("a", "", "false"),
        ("b", "", "true"),
    ]
    assert printed(router, "/ip/dns", "servers") == [("",)]


def test_a_trap_stops_the_script_and_names_the_line() -> None:
    router = Router.empty()
    script = (
        "# port forwards\n"
        "/ip firewall nat\n"
        "add chain=dstnat action=dst-nat protocol=tcp dst-port=80 to-addresses=192.168.88.2\n"
        "add chain=dstnat action=dst-nat dst-port=443 \\\n"
        "    to-addresses=192.168.88.2\n"
        "add chain=dstnat action=accept\n"
    )
    with pytest.raises(ScriptError) as caught:
        run_script(router, script)
    assert caught.value.line == 4
    assert caught.value.message == "failure: dst-port can be used only with protocol tcp, udp, udp-lite, sctp or dccp"
    assert "line 4 (/ip firewall nat add chain=dstnat action=dst-nat dst-port=443" in str(caught.value)
    assert len(printed(router, "/ip/firewall/nat", "chain")) == 1  # the line before it stays applied


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("/ip firewall nat\nadd chain=x action=bogus\n", "input does not match any value of action"),
        ("/ip firewall nat\nremove *99\n", "no such item"),
        ("/ip firewall nat\nremove 5\n", "no such item (5)"),
        ("/interface\nset nosuchport comment=x\n", "no such item (nosuchport)"),
        ("/ip firewall nat\nadd chain=x place-before=[ find comment=none ]\n", "no such item"),
        ("/ip firewall nat\nset disabled=yes\n", "set needs the items to change"),
        (":global x 1\n", "scripting command :global is not supported"),
        ("/ip firewall nat\nimport file=x\n", "import is not supported in scripts"),
        ("/interface ethernet\nadd name=ether9\n", "items of /interface/ethernet cannot be added"),
    ],
)
def test_script_errors_name_the_line(script: str, message: str) -> None:
    with pytest.raises(ScriptError) as caught:
        run_script(Router.empty(), "# a comment line first\n" + script)
    assert caught.value.message == message
    assert caught.value.line == script.count("\n") + 1  # the script's last line


def test_unknown_menus_and_read_only_commands_are_skipped() -> None:
    router = Router.empty()
    script = (
        "/ip pool\n"
        "add name=dhcp ranges=192.168.88.10-192.168.88.254\n"
        "/ip firewall nat\n"
        "print\n"
        ":delay 1s\n"
        ':log info "loaded"\n'
        "add chain=srcnat action=masquerade\n"
    )
    result = run_script(router, script)
    assert result.executed == 1
    assert [line for line, _ in result.skipped] == [2, 4, 5, 6]
    assert "/ip/pool is not simulated" in result.skipped[0][1]
    with pytest.raises(ScriptError) as caught:
        run_script(Router.empty(), script, skip_unknown_menus=False)
    assert caught.value.line == 2


def test_adding_the_stock_bridge_twice_still_traps() -> None:
    router = Router.empty()
    script = "/interface bridge\nadd name=bridge comment=defconf\nadd name=bridge\n"
    with pytest.raises(ScriptError) as caught:
        run_script(router, script)
    assert caught.value.line == 3
    assert caught.value.message == "failure: already have interface with such name"


def test_header_version() -> None:
    assert header_version("# 2024-11-20 14:02:11 by RouterOS 7.16.1\n# software id = X\n") == "7.16.1"
    assert header_version("# jan/02/2024 10:00:00 by RouterOS 6.49.10\n") == "6.49.10"
    assert header_version("/ip dns set servers=192.0.2.1\n") is None


def test_export_header_date_follows_the_version() -> None:
    router = Router.empty("6.49.18")
    router.clock = lambda: datetime(2024, 1, 2, 3, 4, 5)
    assert export(router).splitlines()[0] == "# jan/02/2024 03:04:05 by RouterOS 6.49.18"
    router = Router.empty("7.20.6")
    router.clock = lambda: datetime(2024, 1, 2, 3, 4, 5)
    assert export(router).splitlines()[0] == "# 2024-01-02 03:04:05 by RouterOS 7.20.6"

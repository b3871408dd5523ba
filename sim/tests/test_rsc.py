"""rsc.py: reading RouterOS /export text and scripts, and writing it back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routeros_sim.rsc import (
    LINE_WIDTH,
    Command,
    Condition,
    Find,
    ScriptError,
    escape,
    parse_script,
    quote,
    render_command,
)

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

"""rsc_run.py: running RouterOS scripts and exports against the model, and exporting it back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routeros_sim.router import Router
from routeros_sim.rsc import (
    LINE_WIDTH,
    ScriptError,
    export,
    header_version,
    run_script,
)
from routeros_sim.state import STOCK_SEED

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

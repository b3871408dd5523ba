"""Unmodified librouteros 4.2.2 (sync and async) against the simulator, plain and API-SSL."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import librouteros
import pytest
from librouteros.exceptions import ConnectionClosed, MultiTrapError, TrapError
from librouteros.query import Key

if TYPE_CHECKING:
    from conftest import RunningSim

NAT = ("ip", "firewall", "nat")


def port_forward(port: int, comment: str) -> dict[str, Any]:
    return {
        "chain": "dstnat",
        "action": "dst-nat",
        "protocol": "tcp",
        "dst-port": str(port),
        "to-addresses": "192.168.88.10",
        "to-ports": str(port),
        "comment": comment,
    }


def test_login_and_print_with_proplist_and_query(sim: RunningSim) -> None:
    api = sim.connect()
    nat = api.path(*NAT)
    nat.add(**port_forward(8080, "web"))
    nat.add(**port_forward(2222, "ssh"))

    comment, dst_port = Key("comment"), Key("dst-port")
    rows = list(nat.select(comment, dst_port).where(comment == "ssh"))
    assert rows == [{"comment": "ssh", "dst-port": 2222}]
    rows = list(nat.select(comment).where(dst_port != "2222"))
    assert rows == [{"comment": "web"}]
    rows = list(nat.select(comment).where(comment.In("web", "ssh")))
    assert [r["comment"] for r in rows] == ["web", "ssh"]
    assert list(nat.select(comment).where(comment == "nothing")) == []
    api.close()


def test_add_set_unset_remove_move_through_path(sim: RunningSim) -> None:
    api = sim.connect()
    nat = api.path(*NAT)
    first = nat.add(**port_forward(8080, "first"))
    second = nat.add(**port_forward(8081, "second"))
    assert first.startswith("*") and second.startswith("*") and first != second

    nat.update(**{".id": first, "comment": "renamed", "disabled": True})
    by_id = {row[".id"]: row for row in nat}
    assert by_id[first]["comment"] == "renamed"
    assert by_id[first]["disabled"] is True

    tuple(nat("unset", **{".id": first, "value-name": "comment"}))
    assert "comment" not in {row[".id"]: row for row in nat}[first]

    tuple(nat("move", numbers=second, destination=first))
    assert [row[".id"] for row in nat] == [second, first]

    nat.remove(first)
    assert [row[".id"] for row in nat] == [second]
    api.close()


def test_raw_commands(sim: RunningSim) -> None:
    api = sim.connect()
    (done,) = tuple(api.rawCmd("/ip/firewall/nat/add", *(f"={k}={v}" for k, v in port_forward(80, "raw").items())))
    rows = tuple(api.rawCmd("/ip/firewall/nat/print", "=.proplist=.id,comment", "?comment=raw"))
    assert rows == ({".id": done["ret"], "comment": "raw"},)
    tuple(api.rawCmd("/ip/firewall/nat/disable", f"=numbers={done['ret']}"))
    assert tuple(api.rawCmd("/ip/firewall/nat/print", "=.proplist=disabled")) == ({"disabled": True},)
    tuple(api("/system/identity/set", name="edge-1"))
    (identity,) = tuple(api("/system/identity/print"))
    assert identity["name"] == "edge-1"
    api.close()


def test_an_unknown_menu_raises_a_trap(sim: RunningSim) -> None:
    api = sim.connect()
    # RouterOS sends two traps here ("no such command or directory (no)", "no such command prefix").
    with pytest.raises((TrapError, MultiTrapError)):
        tuple(api.path("no", "such", "menu"))
    # The session survives a trap.
    assert tuple(api.path("interface"))
    api.close()


def test_wrong_password_is_refused(sim: RunningSim) -> None:
    with pytest.raises(TrapError) as refused:
        librouteros.connect("127.0.0.1", sim.username, "wrong", port=sim.port, timeout=5)
    assert str(refused.value) == "invalid user name or password (6)"
    with pytest.raises(TrapError):
        librouteros.connect("127.0.0.1", "nobody", sim.password, port=sim.port, timeout=5)
    assert sim.stats.failed_logins == 2
    assert sim.stats.logins == 0


def test_a_login_and_a_print_are_one_round_trip_each(sim: RunningSim) -> None:
    api = sim.connect()
    assert sim.stats.round_trips == 1
    assert sim.stats.logins == 1
    tuple(api.path(*NAT))
    assert sim.stats.round_trips == 2
    assert sim.stats.commands == {"login": 1, "print": 1}
    api.close()


def tls_wrapper(sim: RunningSim, hostname: str) -> Callable[..., ssl.SSLSocket]:
    context = sim.tls_context()  # verifies the chain and the hostname
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED

    def wrap(sock: Any, **kwargs: Any) -> ssl.SSLSocket:
        return context.wrap_socket(sock, server_hostname=hostname)

    return wrap


@pytest.mark.parametrize("hostname", ["localhost", "127.0.0.1"])
def test_api_ssl_with_the_generated_ca_and_hostname_checking(sim: RunningSim, hostname: str) -> None:
    api = librouteros.connect(
        hostname, sim.username, sim.password, port=sim.tls_port, timeout=5, ssl_wrapper=tls_wrapper(sim, hostname)
    )
    nat = api.path(*NAT)
    nat.add(**port_forward(443, "tls"))
    assert [row["comment"] for row in nat] == ["tls"]
    assert isinstance(api.protocol.transport.sock, ssl.SSLSocket)
    api.close()


def test_api_ssl_refuses_a_name_the_certificate_does_not_carry(sim: RunningSim) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        librouteros.connect(
            "127.0.0.1",
            sim.username,
            sim.password,
            port=sim.tls_port,
            timeout=5,
            ssl_wrapper=tls_wrapper(sim, "not-this-router.example"),
        )


def test_drop_before_write_leaves_only_the_first_write_in_the_state_file(
    start_sim: Callable[..., RunningSim],
) -> None:
    sim = start_sim(faults=["drop-before-write:2"])
    api = sim.connect()
    nat = api.path(*NAT)
    nat.add(**port_forward(8080, "first"))
    with pytest.raises((ConnectionClosed, ConnectionError)):
        nat.add(**port_forward(8081, "second"))
    assert [rule["comment"] for rule in sim.nat_rules_in_state()] == ["first"]

    # The router itself is fine: a new connection sees the first write only.
    api = sim.connect()
    assert [row["comment"] for row in api.path(*NAT)] == ["first"]
    api.close()


def test_drop_after_write_persists_the_write_but_never_answers(start_sim: Callable[..., RunningSim]) -> None:
    sim = start_sim(faults=["drop-after-write:1"])
    api = sim.connect()
    with pytest.raises((ConnectionClosed, ConnectionError)):
        api.path(*NAT).add(**port_forward(8080, "made it"))
    assert [rule["comment"] for rule in sim.nat_rules_in_state()] == ["made it"]


def test_trap_on_command_changes_nothing(start_sim: Callable[..., RunningSim]) -> None:
    sim = start_sim(faults=["trap-on-command:2"])
    api = sim.connect()
    nat = api.path(*NAT)
    assert list(nat) == []  # command 1
    with pytest.raises(TrapError, match="trap-on-command:2"):
        nat.add(**port_forward(8080, "refused"))  # command 2
    assert list(nat) == []
    assert sim.nat_rules_in_state() == []
    api.close()


def test_faults_can_be_set_while_running(sim: RunningSim) -> None:
    api = sim.connect()
    nat = api.path(*NAT)
    nat.add(**port_forward(1, "one"))
    sim.site.set_faults(["trap-on-command:3"])
    list(nat)  # command 2
    with pytest.raises(TrapError):
        list(nat)  # command 3
    sim.site.clear_faults()
    assert len(list(nat)) == 1
    api.close()


# --------------------------------------------------------------------------------------------
# The asyncio client


async def _async_session(sim: RunningSim, *, tls: bool) -> list[dict[str, Any]]:
    kwargs: dict[str, Any] = {"port": sim.port, "timeout": 5}
    if tls:
        kwargs = {"port": sim.tls_port, "timeout": 5, "ssl_wrapper": sim.tls_context()}
    api = await librouteros.async_connect("localhost", sim.username, sim.password, **kwargs)
    try:
        nat = api.path(*NAT)
        ident = await nat.add(**port_forward(8080, "async"))
        await nat.update(**{".id": ident, "comment": "async-set"})
        comment = Key("comment")
        return [row async for row in nat.select(Key(".id"), comment).where(comment == "async-set")]
    finally:
        await api.close()


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "api-ssl"])
def test_async_client(sim: RunningSim, tls: bool) -> None:
    rows = asyncio.run(_async_session(sim, tls=tls))
    assert len(rows) == 1
    assert rows[0]["comment"] == "async-set"


def test_async_client_wrong_password(sim: RunningSim) -> None:
    async def attempt() -> None:
        await librouteros.async_connect("127.0.0.1", sim.username, "nope", port=sim.port, timeout=5)

    with pytest.raises(TrapError, match=r"invalid user name or password \(6\)"):
        asyncio.run(attempt())


def test_utf8_text_round_trips_for_a_utf8_client(sim: RunningSim) -> None:
    api = sim.connect(encoding="UTF-8")
    nat = api.path(*NAT)
    nat.add(**port_forward(8443, "café ✓ Straße"))
    assert [row["comment"] for row in nat] == ["café ✓ Straße"]
    api.close()


def test_mangle_routing_and_ipv6_menus_through_path(sim: RunningSim) -> None:
    api = sim.connect()
    api.path("routing", "table").add(name="via-isp1", fib="")
    mangle = api.path("ip", "firewall", "mangle")
    mark = mangle.add(
        chain="prerouting", action="mark-routing", **{"new-routing-mark": "via-isp1", "connection-mark": "c1"}
    )
    first = mangle.add(chain="prerouting", action="mark-connection", **{"new-connection-mark": "c1"})
    tuple(mangle("move", numbers=first, destination=mark))
    assert [(row[".id"], row["passthrough"]) for row in mangle] == [(first, True), (mark, True)]
    route = api.path("ip", "route")
    route.add(gateway="198.51.100.1", **{"routing-table": "via-isp1"})
    assert [row["routing-table"] for row in route if not row["dynamic"]] == ["via-isp1"]
    pinholes = api.path("ipv6", "firewall", "filter")
    pinholes.add(chain="forward", protocol="tcp", **{"dst-port": "22", "dst-address": "2001:db8::5"})
    assert [row["dst-address"] for row in pinholes] == ["2001:db8::5/128"]
    with pytest.raises(TrapError):
        route.add(gateway="198.51.100.1", **{"routing-table": "nowhere"})
    api.close()


def test_routeros6_has_no_routing_tables(start_sim: Callable[..., RunningSim]) -> None:
    api = start_sim(version="6.49.18").connect()
    with pytest.raises(TrapError, match="no such command prefix"):
        tuple(api.path("routing", "table"))
    api.path("ip", "route").add(gateway="198.51.100.1", **{"routing-mark": "to-isp1"})
    assert [row["routing-mark"] for row in api.path("ip", "route") if not row["dynamic"]] == ["to-isp1"]
    api.close()

"""1:1 NAT (hairpin_netmaps) on the netns + nftables dataplane: the role's table for the stock
home router (defconf filter and masquerade) with a second WAN address for one LAN host, then the
same router as an admin breaks it by hand (the mapping's srcnat rule dragged below defconf's
masquerade, the hairpin rule removed). In both states the analyzer, reading the router, must say
what each probe does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from analyzer_cli import run_analyzer
from lab import INTERNET_HOST, OUTBOUND_TCP, OUTBOUND_UDP, Lab, Probe, RouterSnapshot
from role_support import converge
from support import STOCK_ROUTER, SimRouter

StartRouter = Callable[..., SimRouter]

WAN, LAN = "ether1", "bridge"
PUBLIC_ADDRESS = "203.0.113.1"
# The host's own public address: a second address the ISP assigned to the WAN.
HOST_PUBLIC = "203.0.113.5"
# The 1:1 host, and another server on the same LAN that has no public address of its own.
HOST, OTHER = "192.168.1.3", "192.168.1.2"
ROUTER_LAN = "192.168.1.1"
# Ports nothing publishes: the 1:1 host is reached on any of them.
TCP_PORT, UDP_PORT = 8080, 5353
STATES = ("working", "broken")


def role_vars() -> dict[str, Any]:
    return {
        "hairpin_wan_interface": WAN,
        "hairpin_lan_interface": LAN,
        "hairpin_public_address": PUBLIC_ADDRESS,
        "hairpin_netmaps": [{"name": "dmz", "public_address": HOST_PUBLIC, "host": HOST}],
    }


def nat_rows(sim: SimRouter) -> list[dict[str, str]]:
    return [attrs for word, attrs in sim.router.execute("/ip/firewall/nat/print", []) if word == "!re"]


def owned(rows: list[dict[str, str]], marker: str) -> dict[str, str]:
    (row,) = [row for row in rows if row.get("comment", "").startswith(marker + " ")]
    return row


def break_by_hand(sim: SimRouter) -> None:
    """What an admin does in Winbox: drags the mapping's srcnat rule to the bottom (below
    defconf's masquerade) and deletes the hairpin rule."""
    rows = nat_rows(sim)
    out, hairpin = owned(rows, "hairpin:netmap-out:dmz"), owned(rows, "hairpin:netmap-hairpin:dmz")
    for command, words in (
        ("/ip/firewall/nat/move", [f"=numbers={out['.id']}"]),
        ("/ip/firewall/nat/remove", [f"=numbers={hairpin['.id']}"]),
    ):
        replies = sim.router.execute(command, words)
        assert not [attrs for word, attrs in replies if word == "!trap"], replies


def mapping(report: dict[str, Any]) -> dict[str, Any]:
    (found,) = [m for m in report["one_to_one"] if m["name"] == "dmz"]
    return found


def probe_port(report: dict[str, Any]) -> int:
    protocol, port = mapping(report)["probe"].split("/")
    assert protocol == "tcp"
    return int(port)


def attempts_for(tcp_port: int) -> dict[tuple[str, ...], list[str]]:
    attempts: dict[tuple[str, ...], list[str]] = {}
    for protocol, port in (("tcp", TCP_PORT), ("udp", UDP_PORT), ("tcp", tcp_port)):
        for to in (HOST_PUBLIC, PUBLIC_ADDRESS):
            target = ["--protocol", protocol, "--to", to, "--port", str(port)]
            attempts[("internet", protocol, to, str(port))] = ["internet", *target, "--bind", INTERNET_HOST]
            attempts[("lan", protocol, to, str(port))] = ["client", *target]
    for protocol, port in (("tcp", OUTBOUND_TCP), ("udp", OUTBOUND_UDP)):
        for source in (HOST, OTHER):
            target = ["--protocol", protocol, "--to", INTERNET_HOST, "--port", str(port)]
            attempts[("outbound", protocol, source)] = ["server", *target, "--bind", source]
    return attempts


def measure(snapshot: RouterSnapshot, tcp_port: int) -> dict[tuple[str, ...], Probe]:
    with Lab() as lab:
        lab.build(
            snapshot,
            wan_interface=WAN,
            lan_interface=LAN,
            servers=[OTHER, HOST],
            tcp_ports=sorted({TCP_PORT, tcp_port}),
            udp_ports=[UDP_PORT],
        )
        return lab.connect_all(attempts_for(tcp_port))


@pytest.fixture(scope="module")
def states(namespaces: None, start_router: StartRouter) -> dict[str, dict[str, Any]]:
    sim = start_router("netmaps", seed=STOCK_ROUTER)
    found: dict[str, dict[str, Any]] = {}
    try:
        replies = sim.router.execute("/ip/address/add", [f"=address={HOST_PUBLIC}/24", f"=interface={WAN}"])
        assert not [attrs for word, attrs in replies if word == "!trap"], replies
        run = converge(sim, role_vars())
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        found["working"] = dict(
            snapshot=RouterSnapshot.of(sim.router), report=run_analyzer(sim, findings_expected=True)
        )
        break_by_hand(sim)
        report = run_analyzer(sim, findings_expected=True)
        found["broken"] = dict(snapshot=RouterSnapshot.of(sim.router), report=report)
    finally:
        sim.thread.stop()
    for state in found.values():
        state["measured"] = measure(state["snapshot"], probe_port(state["report"]))
    return found


@pytest.fixture(scope="module")
def measured(states: dict[str, dict[str, Any]]) -> dict[tuple[str, ...], Probe]:
    return states["working"]["measured"]


def describe(probe: Probe) -> str:
    return f"reached {probe.server}, server saw {probe.seen}" if probe.ok else f"failed: {probe.error}"


PROTOCOLS = pytest.mark.parametrize(("protocol", "port"), [("tcp", TCP_PORT), ("udp", UDP_PORT)])


@pytest.mark.parametrize("protocol", ["tcp", "udp"])
def test_the_hosts_outbound_traffic_leaves_with_its_own_public_address(measured, protocol):
    probe = measured[("outbound", protocol, HOST)]
    assert (probe.ok, probe.seen) == (True, HOST_PUBLIC), describe(probe)
    # The other server still leaves masqueraded to the router's address.
    other = measured[("outbound", protocol, OTHER)]
    assert (other.ok, other.seen) == (True, PUBLIC_ADDRESS), describe(other)


@PROTOCOLS
def test_an_internet_host_reaches_the_host_on_its_public_address_on_any_port(measured, protocol, port):
    probe = measured[("internet", protocol, HOST_PUBLIC, str(port))]
    assert (probe.ok, probe.server, probe.seen) == (True, f"{HOST}:{port}", INTERNET_HOST), describe(probe)
    # The router's own address publishes nothing on that port.
    assert not measured[("internet", protocol, PUBLIC_ADDRESS, str(port))].ok


@PROTOCOLS
def test_lan_clients_reach_the_host_by_its_public_address(measured, protocol, port):
    probe = measured[("lan", protocol, HOST_PUBLIC, str(port))]
    assert (probe.ok, probe.server, probe.seen) == (True, f"{HOST}:{port}", ROUTER_LAN), describe(probe)


def test_by_hand_the_host_leaves_with_the_wan_address_and_lan_clients_miss_it(states):
    measured = states["broken"]["measured"]
    for protocol in ("tcp", "udp"):
        out = measured[("outbound", protocol, HOST)]
        assert (out.ok, out.seen) == (True, PUBLIC_ADDRESS), describe(out)
    for protocol, port in (("tcp", TCP_PORT), ("udp", UDP_PORT)):
        assert measured[("internet", protocol, HOST_PUBLIC, str(port))].ok
        assert not measured[("lan", protocol, HOST_PUBLIC, str(port))].ok


def check_verdict(verdict: dict[str, Any], probe: Probe, port: int) -> None:
    """The analyzer's verdict on the mapping (made on one port, for every port and protocol the
    netmap maps alike) against one probe to the public address on ``port``."""
    assert verdict["reachable"] is probe.ok, (verdict, describe(probe))
    if probe.ok:
        assert (verdict["reaches"].split(":")[0], probe.server) == (HOST, f"{HOST}:{port}"), describe(probe)
        assert verdict["server_sees"] == probe.seen, (verdict, describe(probe))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("way", ["internet", "lan"])
def test_the_analyzer_agrees_with_every_probe_to_the_public_address(states, state, way):
    report, measured = states[state]["report"], states[state]["measured"]
    verdict = mapping(report)[way]
    for protocol, port in (("tcp", TCP_PORT), ("udp", UDP_PORT), ("tcp", probe_port(report))):
        check_verdict(verdict, measured[(way, protocol, HOST_PUBLIC, str(port))], port)


@pytest.mark.parametrize("state", STATES)
def test_the_analyzer_agrees_with_the_address_the_host_leaves_with(states, state):
    report, measured = states[state]["report"], states[state]["measured"]
    outbound = mapping(report)["outbound"]
    for protocol in ("tcp", "udp"):
        probe = measured[("outbound", protocol, HOST)]
        assert probe.ok, describe(probe)
        assert outbound["address"] == probe.seen, (outbound, describe(probe))
        assert outbound["leaves_with_public_address"] is (probe.seen == HOST_PUBLIC)
    # Other LAN hosts: the report's way out for LAN clients.
    assert report["outbound"]["address"] == measured[("outbound", "tcp", OTHER)].seen == PUBLIC_ADDRESS


def test_the_analyzer_finds_what_broke_and_nothing_in_the_working_table(states):
    def errors(state: str) -> set[tuple[str, str]]:
        report = states[state]["report"]
        return {(f["code"], f["service"]) for f in report["findings"] if f["severity"] == "error"}

    assert errors("working") == set()
    assert errors("broken") == {("one-to-one-outbound", "dmz (1:1)"), ("missing-hairpin", "dmz (1:1)")}
    (outbound,) = [f for f in states["broken"]["report"]["findings"] if f["code"] == "one-to-one-outbound"]
    assert outbound["rule"]["comment"] == "defconf: masquerade"

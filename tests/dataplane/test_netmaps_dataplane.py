"""1:1 NAT (hairpin_netmaps) on the netns + nftables dataplane: the role's table for the stock
home router (defconf filter and masquerade) with a second WAN address for one LAN host."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
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


def role_vars() -> dict[str, Any]:
    return {
        "hairpin_wan_interface": WAN,
        "hairpin_lan_interface": LAN,
        "hairpin_public_address": PUBLIC_ADDRESS,
        "hairpin_netmaps": [{"name": "dmz", "public_address": HOST_PUBLIC, "host": HOST}],
    }


@pytest.fixture(scope="module")
def measured(namespaces: None, start_router: StartRouter) -> dict[tuple[str, ...], Probe]:
    sim = start_router("netmaps", seed=STOCK_ROUTER)
    try:
        replies = sim.router.execute("/ip/address/add", [f"=address={HOST_PUBLIC}/24", f"=interface={WAN}"])
        assert not [attrs for word, attrs in replies if word == "!trap"], replies
        run = converge(sim, role_vars())
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        snapshot = RouterSnapshot.of(sim.router)
    finally:
        sim.thread.stop()
    attempts: dict[tuple[str, ...], list[str]] = {}
    for protocol, port in (("tcp", TCP_PORT), ("udp", UDP_PORT)):
        for to in (HOST_PUBLIC, PUBLIC_ADDRESS):
            target = ["--protocol", protocol, "--to", to, "--port", str(port)]
            attempts[("internet", protocol, to)] = ["internet", *target, "--bind", INTERNET_HOST]
            attempts[("lan", protocol, to)] = ["client", *target]
    for protocol, port in (("tcp", OUTBOUND_TCP), ("udp", OUTBOUND_UDP)):
        for source in (HOST, OTHER):
            target = ["--protocol", protocol, "--to", INTERNET_HOST, "--port", str(port)]
            attempts[("outbound", protocol, source)] = ["server", *target, "--bind", source]
    with Lab() as lab:
        lab.build(
            snapshot,
            wan_interface=WAN,
            lan_interface=LAN,
            servers=[OTHER, HOST],
            tcp_ports=[TCP_PORT],
            udp_ports=[UDP_PORT],
        )
        return lab.connect_all(attempts)


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
    probe = measured[("internet", protocol, HOST_PUBLIC)]
    assert (probe.ok, probe.server, probe.seen) == (True, f"{HOST}:{port}", INTERNET_HOST), describe(probe)
    # The router's own address publishes nothing on that port.
    assert not measured[("internet", protocol, PUBLIC_ADDRESS)].ok


@PROTOCOLS
def test_lan_clients_reach_the_host_by_its_public_address(measured, protocol, port):
    probe = measured[("lan", protocol, HOST_PUBLIC)]
    assert (probe.ok, probe.server, probe.seen) == (True, f"{HOST}:{port}", ROUTER_LAN), describe(probe)

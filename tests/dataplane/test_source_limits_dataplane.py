"""Services published to some sources only, on the netns + nftables dataplane: the role's table
for the stock home router (defconf filter), an internet host inside the sources, one outside,
and the LAN client; the analyzer, told each source, must say what the traffic does."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from analyzer_cli import run_analyzer
from lab import INTERNET_HOST, LAN_CLIENT, Lab, Probe, RouterSnapshot
from role_support import converge
from support import STOCK_ROUTER, SimRouter

StartRouter = Callable[..., SimRouter]

WAN, LAN = "ether1", "bridge"
PUBLIC_ADDRESS = "203.0.113.1"
SERVER = "192.168.1.2"
ROUTER_LAN = "192.168.1.1"
# An internet host outside every service's sources (a second address of the internet namespace).
OUTSIDER = "192.0.2.99"
WEB_PORT, WG_PORT = 80, 51820
SERVICES = [
    # Several sources, the LAN among them: an owned address list, and a hairpin rule.
    {"name": "web", "port": WEB_PORT, "host": SERVER, "sources": ["198.51.100.0/25", "192.168.1.0/24"]},
    # One source, the internet host alone: src-address, and no hairpin rule (the LAN is outside).
    {"name": "wg", "protocol": "udp", "port": WG_PORT, "host": SERVER, "sources": [INTERNET_HOST]},
]


def role_vars() -> dict[str, Any]:
    return {
        "hairpin_wan_interface": WAN,
        "hairpin_lan_interface": LAN,
        "hairpin_public_address": PUBLIC_ADDRESS,
        "hairpin_services": SERVICES,
    }


@pytest.fixture(scope="module")
def limited(namespaces: None, start_router: StartRouter) -> dict[str, Any]:
    sim = start_router("source-limits", seed=STOCK_ROUTER)
    try:
        run = converge(sim, role_vars())
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        reports = {client: run_analyzer(sim, internet_client=client) for client in (INTERNET_HOST, OUTSIDER)}
        snapshot = RouterSnapshot.of(sim.router)
    finally:
        sim.thread.stop()
    attempts: dict[tuple[str, str], list[str]] = {}
    for protocol, port, name in (("tcp", WEB_PORT, "web"), ("udp", WG_PORT, "wg")):
        to_public = ["--protocol", protocol, "--to", PUBLIC_ADDRESS, "--port", str(port)]
        attempts[("inside", name)] = ["internet", *to_public, "--bind", INTERNET_HOST]
        attempts[("outside", name)] = ["internet", *to_public, "--bind", OUTSIDER]
        attempts[("lan", name)] = ["client", *to_public]
    with Lab() as lab:
        lab.build(
            snapshot, wan_interface=WAN, lan_interface=LAN, servers=[SERVER], tcp_ports=[WEB_PORT], udp_ports=[WG_PORT]
        )
        subprocess.run(["ip", "-n", lab.ns("internet"), "address", "add", f"{OUTSIDER}/32", "dev", "lo"], check=True)
        measured = lab.connect_all(attempts)
    return dict(snapshot=snapshot, reports=reports, measured=measured)


def verdict(limited: dict[str, Any], client: str, name: str, way: str) -> dict[str, Any]:
    (service,) = [s for s in limited["reports"][client]["services"] if s["name"] == name]
    return service[way]


def describe(probe: Probe) -> str:
    return f"reached {probe.server}, server saw {probe.seen}" if probe.ok else f"failed: {probe.error}"


@pytest.mark.parametrize(("name", "port"), [("web", WEB_PORT), ("wg", WG_PORT)])
def test_an_internet_host_inside_the_sources_reaches_the_service(limited, name, port):
    probe = limited["measured"][("inside", name)]
    assert (probe.ok, probe.server, probe.seen) == (True, f"{SERVER}:{port}", INTERNET_HOST), describe(probe)
    assert verdict(limited, INTERNET_HOST, name, "internet")["reachable"] is True


@pytest.mark.parametrize("name", ["web", "wg"])
def test_an_internet_host_outside_the_sources_does_not(limited, name):
    probe = limited["measured"][("outside", name)]
    assert not probe.ok, describe(probe)
    found = verdict(limited, OUTSIDER, name, "internet")
    assert (found["reachable"], found["summary"]) == (False, f"source-limited: {OUTSIDER} not admitted")
    # Published to some sources on purpose: no finding for it.
    codes = {(f["code"], f["service"]) for f in limited["reports"][OUTSIDER]["findings"]}
    assert codes == {(f["code"], f["service"]) for f in limited["reports"][INTERNET_HOST]["findings"]}


def test_lan_clients_hairpin_where_the_lan_is_among_the_sources_and_not_where_it_is_not(limited):
    nat = {row.get("comment", "").split(" ")[0]: row for row in limited["snapshot"].nat}
    assert nat["hairpin:dstnat:web:tcp"]["src-address-list"] == "hairpin-src-web"
    assert nat["hairpin:dstnat:wg:udp"]["src-address"] == INTERNET_HOST
    assert "hairpin:hairpin:web:tcp" in nat and "hairpin:hairpin:wg:udp" not in nat
    web = limited["measured"][("lan", "web")]
    assert (web.ok, web.server, web.seen) == (True, f"{SERVER}:{WEB_PORT}", ROUTER_LAN), describe(web)
    assert verdict(limited, INTERNET_HOST, "web", "lan_public_address")["reachable"] is True
    wg = limited["measured"][("lan", "wg")]
    assert not wg.ok, describe(wg)
    found = verdict(limited, INTERNET_HOST, "wg", "lan_public_address")
    assert (found["reachable"], found["summary"]) == (False, f"source-limited: {LAN_CLIENT} not admitted")

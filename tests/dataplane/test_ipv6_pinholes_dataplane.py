"""The owned IPv6 pinholes (hairpin_services[].host6) on a real Linux dataplane: the stock router
(RouterOS 7 defconf IPv6 firewall) with IPv6 prefixes on its WAN and LAN, its IPv6 filter
translated into nftables before and after a role run.

Before the run an internet host's new connection to the server's IPv6 address is dropped; after
it the server is reached at [host6]:port, while another port of the server and another LAN
address stay dropped. The analyzer agrees: no finding while the pinhole is before defconf's drop,
and "after rule *N which drops it" once someone moves the pinhole behind that drop, when the
dataplane drops the connection again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.ipv6 import pinhole_findings
from lab import INTERNET_HOST6, Lab, Probe, RouterSnapshot
from role_support import ROLE_TASK, converge, host_result
from support import SimRouter

from routeros_sim.state import STOCK_SEED

StartRouter = Callable[..., SimRouter]
WAN, LAN = "ether1", "bridge"
SERVER = "192.168.1.2"
# The router's IPv6 prefixes, from the documentation prefix 3fff::/20 (see lab.INTERNET_HOST6):
# a router only has them once its ISP hands out a prefix, so they are added to the stock router.
WAN6, LAN6 = "3fff:0:0:1::1/64", "3fff:0:0:2::1/64"
SERVER6 = "3fff:0:0:2::2"
# Another address on the LAN, listening on the same ports: nothing publishes it.
OTHER6 = "3fff:0:0:2::3"
WEB, SSH = 80, 22
FILTER6 = "/ipv6/firewall/filter"
DEFCONF_LAN_DROP = "defconf: drop everything else not coming from LAN"
FROM_INTERNET = ("--protocol", "tcp", "--bind", INTERNET_HOST6)
MEMBERS = {"WAN": ["ether1"], "LAN": ["bridge"]}

ROLE_VARS: dict[str, Any] = {
    "hairpin_wan_interface": WAN,
    "hairpin_lan_interface": LAN,
    "hairpin_public_address": "203.0.113.1",
    "hairpin_lan_subnets": ["192.168.1.0/24"],
    "hairpin_services": [{"name": "web", "protocol": "tcp", "port": WEB, "host": SERVER, "host6": SERVER6}],
    "hairpin_analyze": True,
    "hairpin_analyze_fail_on_findings": False,
    # The analysis checks what the router shows after the write; no revert is needed here.
    "hairpin_confirm": False,
}


def _ok(sim: SimRouter, command: str, *words: str) -> list[dict[str, str]]:
    replies = sim.router.execute(command, list(words))
    assert all(reply[0] != "!trap" for reply in replies), replies
    return [attributes for kind, attributes in replies if kind == "!re"]


def measure(sim: SimRouter) -> dict[str, Probe]:
    with Lab() as lab:
        lab.build(
            RouterSnapshot.of(sim.router),
            wan_interface=WAN,
            lan_interface=LAN,
            servers=[SERVER],
            servers6=[SERVER6, OTHER6],
            tcp_ports=[WEB, SSH],
            udp_ports=[],
        )
        return lab.connect_all(
            {
                "internet to web": ("internet", *FROM_INTERNET, "--to", SERVER6, "--port", str(WEB)),
                "internet to ssh": ("internet", *FROM_INTERNET, "--to", SERVER6, "--port", str(SSH)),
                "internet to other host": ("internet", *FROM_INTERNET, "--to", OTHER6, "--port", str(WEB)),
            }
        )


def findings6(sim: SimRouter) -> list[str]:
    return [item.message for item in pinhole_findings(_ok(sim, f"{FILTER6}/print"), MEMBERS)]


@pytest.fixture(scope="module")
def states(namespaces: None, start_router: StartRouter) -> dict[str, Any]:
    sim = start_router("ipv6-pinholes", seed=STOCK_SEED)
    try:
        _ok(sim, "/ipv6/address/add", f"=address={WAN6}", f"=interface={WAN}", "=advertise=no")
        _ok(sim, "/ipv6/address/add", f"=address={LAN6}", f"=interface={LAN}")
        found: dict[str, Any] = {"before": {"probes": measure(sim)}}
        run = converge(sim, ROLE_VARS)
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        found["after"] = {
            "result": host_result(run, ROLE_TASK),
            "probes": measure(sim),
            "findings": findings6(sim),
        }
        # Someone moves the pinhole to the end of the table, behind defconf's drop.
        pinhole = next(row for row in _ok(sim, f"{FILTER6}/print") if row.get("comment", "").startswith("hairpin:"))
        _ok(sim, f"{FILTER6}/move", f"=numbers={pinhole['.id']}")
        found["moved"] = {"probes": measure(sim), "findings": findings6(sim)}
    finally:
        sim.thread.stop()
    return found


def test_before_the_run_defconf_drops_the_internets_connection(states: dict[str, Any]) -> None:
    assert not states["before"]["probes"]["internet to web"].ok


def test_after_the_run_the_server_is_reached_at_its_ipv6_address_and_nothing_else(states: dict[str, Any]) -> None:
    probes = states["after"]["probes"]
    assert probes["internet to web"].ok, probes["internet to web"].error
    assert probes["internet to web"].seen == INTERNET_HOST6  # no NAT: the server sees the client itself
    assert not probes["internet to ssh"].ok
    assert not probes["internet to other host"].ok
    commands = states["after"]["result"]["commands"]
    assert any(line.startswith("/ipv6 firewall filter add") and "place-before=" in line for line in commands)


def test_the_analyzer_agrees_with_the_dataplane_in_each_state(states: dict[str, Any]) -> None:
    assert states["after"]["findings"] == []
    codes = [f["code"] for f in states["after"]["result"]["analysis"]["findings"]]
    assert "ipv6-pinhole-blocked" not in codes
    assert not states["moved"]["probes"]["internet to web"].ok
    (message,) = states["moved"]["findings"]
    assert message.startswith("IPv6 pinhole for 'web' (tcp) is after rule *")
    assert message.endswith(f"({DEFCONF_LAN_DROP}) which drops it")

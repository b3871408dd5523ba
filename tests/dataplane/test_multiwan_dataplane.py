"""Several WANs (hairpin_wans) on a real Linux dataplane: the stock router with a second uplink,
its NAT table, filter and mangle table translated into nftables after each run, its routing
tables into Linux tables looked up by the routing marks' fwmarks (ip rule).

A connection opened through each WAN must get its replies through the same WAN. Without the
reply routing (the second WAN without a gateway) the server's replies to a client on the second
WAN follow the main table's default route out of the first WAN, and the connection fails; after
a run with the gateway the owned mangle marks and the WAN's table send them back out of the
second WAN, and it works. LAN clients reach the service by either public address all along.
The analyzer (no-reply-routing) agrees with the measured traffic after each run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lab import INTERNET_HOST, Lab, Probe, RouterSnapshot
from role_support import ROLE_TASK, converge, host_result
from support import SimRouter

StartRouter = Callable[..., SimRouter]
# The stock router with a second uplink on ether5 (see the file).
TWO_WAN_ROUTER = Path(__file__).resolve().parents[1] / "fixtures" / "routers" / "two-wan-router.rsc"
WAN1, WAN2, LAN = "ether1", "ether5", "bridge"
WAN1_ADDRESS, WAN2_ADDRESS, WAN2_GATEWAY = "203.0.113.1", "192.0.2.2", "192.0.2.254"
# An internet host only the second ISP routes (the first ISP's network does not know it).
WAN2_CLIENT = "198.51.100.20"
SERVER = "192.168.1.2"
WEB_PORT = 443


def role_vars(gateway: bool) -> dict[str, Any]:
    second = {"interface": WAN2, "public_address": WAN2_ADDRESS}
    if gateway:
        second["gateway"] = WAN2_GATEWAY
    return {
        "hairpin_wans": [{"interface": WAN1, "public_address": WAN1_ADDRESS}, second],
        "hairpin_lan_interface": LAN,
        "hairpin_lan_subnets": ["192.168.1.0/24"],
        "hairpin_services": [{"name": "web", "protocol": "tcp", "port": WEB_PORT, "host": SERVER}],
        "hairpin_analyze": True,
        "hairpin_analyze_fail_on_findings": False,
        # The analysis checks what the router shows after the write; no revert is needed here.
        "hairpin_confirm": False,
    }


def measure(router: Any) -> dict[str, Probe]:
    snapshot = RouterSnapshot.of(router)
    attempts = {
        "internet by wan1": ["internet", "--protocol", "tcp", "--to", WAN1_ADDRESS, "--port", str(WEB_PORT)],
        "internet by wan2": ["isp2", "--protocol", "tcp", "--to", WAN2_ADDRESS, "--port", str(WEB_PORT)],
        "lan by wan1 address": ["client", "--protocol", "tcp", "--to", WAN1_ADDRESS, "--port", str(WEB_PORT)],
        "lan by wan2 address": ["client", "--protocol", "tcp", "--to", WAN2_ADDRESS, "--port", str(WEB_PORT)],
    }
    attempts["internet by wan1"] += ["--bind", INTERNET_HOST]
    attempts["internet by wan2"] += ["--bind", WAN2_CLIENT]
    with Lab() as lab:
        lab.build(snapshot, wan_interface=WAN1, lan_interface=LAN, servers=[SERVER], tcp_ports=[WEB_PORT], udp_ports=[])
        assert lab.add_uplink(snapshot, WAN2, WAN2_CLIENT) == WAN2_GATEWAY
        lab.route_by_marks(snapshot)
        return lab.connect_all(attempts)


def reply_findings(result: dict[str, Any]) -> list[str]:
    return sorted(f["service"] for f in result["analysis"]["findings"] if f["code"] == "no-reply-routing")


@pytest.fixture(scope="module")
def runs(namespaces: None, start_router: StartRouter) -> dict[str, tuple[dict[str, Any], dict[str, Probe]]]:
    sim = start_router("multiwan", seed=TWO_WAN_ROUTER)
    try:
        found = {}
        for name, gateway in (("without reply routing", False), ("with reply routing", True)):
            run = converge(sim, role_vars(gateway))
            assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
            found[name] = (host_result(run, ROLE_TASK), measure(sim.router))
    finally:
        sim.thread.stop()
    return found


def test_without_reply_routing_the_second_wans_replies_leave_the_wrong_way(runs) -> None:
    result, measured = runs["without reply routing"]
    assert measured["internet by wan1"].ok, measured["internet by wan1"]
    assert not measured["internet by wan2"].ok, measured["internet by wan2"]
    assert not [line for line in result["commands"] if "mangle" in line], result["commands"]
    assert reply_findings(result) == ["web.ether5/tcp"], result["analysis"]["findings"]


def test_with_reply_routing_a_connection_through_each_wan_is_answered_through_it(runs) -> None:
    result, measured = runs["with reply routing"]
    for name in ("internet by wan1", "internet by wan2"):
        assert measured[name].ok and measured[name].server == f"{SERVER}:{WEB_PORT}", measured[name]
    # The server sees the client itself: the replies go back by conntrack, not by a masquerade.
    assert measured["internet by wan2"].seen.startswith(WAN2_CLIENT), measured["internet by wan2"]
    assert any(line.startswith("/ip firewall mangle add") for line in result["commands"]), result["commands"]
    assert reply_findings(result) == []


def test_lan_clients_reach_the_service_by_either_public_address(runs) -> None:
    for name, (_result, measured) in runs.items():
        for attempt in ("lan by wan1 address", "lan by wan2 address"):
            assert measured[attempt].ok and measured[attempt].server == f"{SERVER}:{WEB_PORT}", (name, measured)


def test_the_analyzer_agrees_with_the_dataplane_after_each_run(runs) -> None:
    for name, (result, measured) in runs.items():
        verdicts = {s["name"]: s["internet"]["reachable"] for s in result["analysis"]["services"]}
        # The walk says the packet reaches the server; the finding says whether its replies come back.
        answered = verdicts["web.ether5"] and not reply_findings(result)
        assert answered == measured["internet by wan2"].ok, (name, verdicts, result["analysis"]["findings"])
        assert verdicts["web.ether1"] == measured["internet by wan1"].ok, (name, verdicts)

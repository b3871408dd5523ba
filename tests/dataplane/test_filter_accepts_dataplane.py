"""The owned filter accepts (hairpin_filter) on a real Linux dataplane: a router whose forward chain
drops what it does not accept, its NAT table and filter translated into nftables after each run.

With hairpin_filter false the published service is forwarded but dropped, and the analysis says
so; after a run with auto it is reached from the internet and from the LAN by the public address,
while a port of the same server that only the admin's own forward publishes stays dropped: the
accept takes the service's connections, not every dst-natted one. The analyzer agrees with the
measured traffic after each run.
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
# The stock router hardened by hand: its forward chain ends in a plain drop (see the file).
FORWARD_DROP_ROUTER = Path(__file__).resolve().parents[1] / "fixtures" / "routers" / "forward-drop-router.rsc"
WAN, LAN = "ether1", "bridge"
PUBLIC_ADDRESS = "203.0.113.1"
SERVER = "192.168.1.2"
WEB_PORT = 80
# The admin's own forward of another port to the same server: no owned accept is made for it.
ADMIN_PORT = 8080
ADMIN_FORWARD = "admin: forward 8080 to the server"


def role_vars(mode: Any) -> dict[str, Any]:
    return {
        "hairpin_wan_interface": WAN,
        "hairpin_lan_interface": LAN,
        "hairpin_public_address": PUBLIC_ADDRESS,
        "hairpin_lan_subnets": ["192.168.1.0/24"],
        "hairpin_services": [{"name": "web", "protocol": "tcp", "port": WEB_PORT, "host": SERVER}],
        "hairpin_filter": mode,
        "hairpin_analyze": True,
        "hairpin_analyze_fail_on_findings": False,
        # The analysis checks what the router shows after the write; no revert is needed here.
        "hairpin_confirm": False,
    }


def measure(router: Any) -> dict[str, Probe]:
    snapshot = RouterSnapshot.of(router)
    wan_address = str(snapshot.interfaces_on(WAN)[0].ip)
    attempts = {
        "internet web": ["internet", "--protocol", "tcp", "--to", wan_address, "--port", str(WEB_PORT)],
        "internet admin port": ["internet", "--protocol", "tcp", "--to", wan_address, "--port", str(ADMIN_PORT)],
        "lan web": ["client", "--protocol", "tcp", "--to", wan_address, "--port", str(WEB_PORT)],
    }
    for name in ("internet web", "internet admin port"):
        attempts[name] += ["--bind", INTERNET_HOST]
    with Lab() as lab:
        lab.build(
            snapshot,
            wan_interface=WAN,
            lan_interface=LAN,
            servers=[SERVER],
            tcp_ports=[WEB_PORT, ADMIN_PORT],
            udp_ports=[],
        )
        return lab.connect_all(attempts)


def internet_verdicts(result: dict[str, Any]) -> dict[str, bool]:
    return {service["port"]: service["internet"]["reachable"] for service in result["analysis"]["services"]}


@pytest.fixture(scope="module")
def runs(namespaces: None, start_router: StartRouter) -> dict[str, tuple[dict[str, Any], dict[str, Probe]]]:
    sim = start_router("filter-accepts", seed=FORWARD_DROP_ROUTER)
    try:
        sim.router.execute(
            "/ip/firewall/nat/add",
            [
                "=chain=dstnat",
                "=action=dst-nat",
                "=protocol=tcp",
                f"=dst-address={PUBLIC_ADDRESS}",
                f"=dst-port={ADMIN_PORT}",
                f"=to-addresses={SERVER}",
                f"=comment={ADMIN_FORWARD}",
            ],
        )
        found = {}
        for mode in (False, "auto"):
            run = converge(sim, role_vars(mode))
            assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
            result = host_result(run, ROLE_TASK)
            found[str(mode)] = (result, measure(sim.router))
    finally:
        sim.thread.stop()
    return found


def test_with_filter_false_the_forward_is_dropped_and_the_analysis_says_so(runs) -> None:
    result, measured = runs["False"]
    assert not measured["internet web"].ok, measured["internet web"]
    assert not measured["lan web"].ok, measured["lan web"]
    assert not [line for line in result["commands"] if "firewall filter" in line], result["commands"]
    assert internet_verdicts(result)[str(WEB_PORT)] is False
    blocked = [f for f in result["analysis"]["findings"] if f["code"] == "filter-blocks" and f["service"] == "web/tcp"]
    assert blocked and blocked[0]["rule"]["comment"] == "drop all else", result["analysis"]["findings"]


def test_after_an_auto_run_the_service_is_reached_and_the_admins_port_stays_dropped(runs) -> None:
    result, measured = runs["auto"]
    assert measured["internet web"].ok and measured["internet web"].server == f"{SERVER}:{WEB_PORT}", measured[
        "internet web"
    ]
    assert measured["lan web"].ok, measured["lan web"]
    assert not measured["internet admin port"].ok, measured["internet admin port"]
    assert any(line.startswith("/ip firewall filter add") for line in result["commands"]), result["commands"]


def test_the_analyzer_agrees_with_the_dataplane_after_each_run(runs) -> None:
    for mode, (result, measured) in runs.items():
        verdicts = internet_verdicts(result)
        assert verdicts[str(WEB_PORT)] == measured["internet web"].ok, (mode, verdicts)
        assert verdicts[str(ADMIN_PORT)] == measured["internet admin port"].ok, (mode, verdicts)

"""RouterOS 6 ships IPv6 as a package of its own, and many RouterOS 6 routers run with it
disabled: no /ipv6 menu at all, every command in one answered "no such command prefix". The role
reads the IPv6 filter on every run (to remove pinholes of services that dropped host6), so on
such a router it must carry on without it, and refuse a host6 clearly, before any write."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from role_support import ROLE_TASK, converge, host_result, nat_analyze, table
from support import REPO, SimRouter

# RouterOS 6 defconf (hAP ac²); the test disables its ipv6 package, as after
# `/system package disable ipv6` and a reboot.
ROUTEROS6 = REPO / "sim" / "routeros_sim" / "data" / "routeros6-defconf.rsc"
NAT = "/ip/firewall/nat"

VARS: dict[str, Any] = {
    "hairpin_wan_interface_list": "WAN",
    "hairpin_lan_interface_list": "LAN",
    # The address the simulated DHCP server gives ether1.
    "hairpin_public_address": "203.0.113.10",
    "hairpin_analyze": True,
    "hairpin_services": [
        {"name": "web", "protocol": "tcp", "port": 443, "host": "192.168.88.10"},
        {"name": "game", "protocol": "udp", "port": 27015, "host": "192.168.88.11"},
    ],
}


def role_vars(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(VARS)
    values.update(changes)
    return values


@pytest.fixture
def ros6(start_router) -> SimRouter:
    router = start_router(seed=ROUTEROS6, name="ros6")
    router.router.disable_package("ipv6")
    return router


def test_the_role_converges_and_analyses_without_the_ipv6_package(ros6: SimRouter) -> None:
    first = converge(ros6, role_vars())
    assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-3000:]
    result = host_result(first, ROLE_TASK)
    assert result["changed"] is True
    comments = [row.get("comment", "") for row in table(ros6, NAT)]
    owned = [comment.split(" ", 1)[0] for comment in comments if comment.startswith("hairpin:")]
    assert "hairpin:dstnat:web:tcp" in owned and "hairpin:dstnat:game:udp" in owned, owned
    assert "ipv6_filter_rules" not in result or result["ipv6_filter_rules"] == []

    again = converge(ros6, role_vars())
    assert again.returncode == 0, again.stdout[-6000:] + again.stderr[-3000:]
    second = host_result(again, ROLE_TASK)
    assert second["changed"] is False, second.get("commands")
    assert second["round_trips"] == 1
    assert second["analysis"]["findings"] == [], second["analysis"]

    analysed = nat_analyze(ros6, "203.0.113.10")
    assert analysed.returncode == 0, analysed.stdout[-4000:]
    assert analysed.result("analyze")["findings"] == []


def test_a_host6_is_refused_naming_host_service_and_field_before_any_write(ros6: SimRouter) -> None:
    before = table(ros6, NAT)
    services = copy.deepcopy(VARS["hairpin_services"])
    services[0]["host6"] = "3fff:0:0:2::10"
    run = converge(ros6, role_vars(hairpin_services=services, hairpin_ipv6_wan_interface="ether1"))
    assert run.returncode != 0
    text = run.stdout + run.stderr
    assert "host 'gw (127.0.0.1)': service 'web': field 'host6': the router has no IPv6" in text, text[-3000:]
    assert "nothing was written" in text and "/system package enable ipv6" in text
    assert table(ros6, NAT) == before

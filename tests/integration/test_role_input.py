"""The role's input checks as a user meets them with ansible-playbook: a misspelt variable, an
empty services list and other mass removals, a forward to the router itself, a CA file that is
not there; each fails before any write with a message that names the router and the cause."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from role_support import ROLE_TASK, SEED_VARS, converge, host_result, write_seed
from support import SimRouter

from tests.support.tables import by_comment

HOST = "host 'gw (127.0.0.1)'"


@pytest.fixture
def seed_router(start_router, tmp_path: Path) -> SimRouter:
    """The router of the hairpin NAT article (WAN ether1 203.0.113.1/24, LAN bridge 192.168.1.0/24)."""
    return start_router(seed=write_seed(tmp_path))


def inventory(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(SEED_VARS)
    values.update(changes)
    return values


def six_services(count: int = 6) -> list[dict[str, Any]]:
    return [{"name": f"svc{n}", "port": 1000 + n, "host": f"192.168.1.{10 + n}"} for n in range(count)]


def forwards(router: SimRouter) -> list[str]:
    return sorted(comment for comment in by_comment(router.nat()) if comment.startswith("hairpin:dstnat:"))


def failure(run) -> dict[str, Any]:
    assert run.returncode != 0, run.stdout[-4000:]
    assert run.stats["gw"]["failures"] == 1
    return host_result(run, ROLE_TASK)


def test_a_misspelt_services_variable_fails_naming_it_and_its_consequence(seed_router: SimRouter) -> None:
    assert converge(seed_router, SEED_VARS).returncode == 0
    rows, writes = seed_router.nat(), len(seed_router.writes_logged())
    typo = inventory()
    typo["hairpin_servics"] = typo.pop("hairpin_services")
    result = failure(converge(seed_router, typo))
    assert result["problems"] == [
        f"{HOST}: variable 'hairpin_servics' is not a variable of the hairpin role (did you mean hairpin_services?)",
        f"{HOST}: the run would remove every owned port forward of the router (1), of services web, so nothing was "
        "written: hairpin_services is empty (a misspelt variable leaves it so), and with hairpin_purge true the "
        "owned rules of every service not in it go. If that is meant, set hairpin_allow_mass_removal: true",
    ]
    assert len(seed_router.writes_logged()) == writes
    assert seed_router.nat() == rows


def test_an_empty_services_list_is_refused_in_check_mode_and_apply_until_allowed(seed_router: SimRouter) -> None:
    assert converge(seed_router, inventory(hairpin_services=six_services())).returncode == 0
    rows, writes = seed_router.nat(), len(seed_router.writes_logged())
    expected = (
        f"{HOST}: the run would remove every owned port forward of the router (6), of services svc0, svc1, svc2, "
        "svc3, svc4, svc5, so nothing was written: hairpin_services is empty"
    )
    for check in (True, False):
        result = failure(converge(seed_router, inventory(hairpin_services=[]), check=check, diff=check))
        assert result["msg"].startswith(expected), result["msg"]
        assert result["msg"].endswith("If that is meant, set hairpin_allow_mass_removal: true")
        # The pull request's run shows what would have gone.
        assert len([line for line in result["commands"] if " remove " in line]) >= 6
    assert len(seed_router.writes_logged()) == writes
    assert seed_router.nat() == rows

    allowed = converge(seed_router, inventory(hairpin_services=[], hairpin_allow_mass_removal=True))
    assert allowed.returncode == 0, allowed.stdout[-4000:]
    assert forwards(seed_router) == []


def test_one_service_of_six_may_go_but_not_four(seed_router: SimRouter) -> None:
    assert converge(seed_router, inventory(hairpin_services=six_services())).returncode == 0
    one_gone = converge(seed_router, inventory(hairpin_services=six_services(5)))
    assert one_gone.returncode == 0, one_gone.stdout[-4000:]
    assert forwards(seed_router) == [f"hairpin:dstnat:svc{n}:tcp" for n in range(5)]

    writes = len(seed_router.writes_logged())
    result = failure(converge(seed_router, inventory(hairpin_services=six_services(1))))
    assert result["msg"] == (
        f"{HOST}: the run would remove 4 of the router's 5 owned port forwards, more than a run may remove (2, half "
        "of them), of services svc1, svc2, svc3, svc4, so nothing was written: services svc1, svc2, svc3, svc4 are "
        "missing from hairpin_services, and with hairpin_purge true the owned rules of services not in it go. If "
        "that is meant, set hairpin_allow_mass_removal: true (or raise hairpin_max_removals)"
    )
    assert len(seed_router.writes_logged()) == writes
    raised = converge(seed_router, inventory(hairpin_services=six_services(1), hairpin_max_removals=4))
    assert raised.returncode == 0, raised.stdout[-4000:]
    assert forwards(seed_router) == ["hairpin:dstnat:svc0:tcp"]


def test_a_forward_to_the_router_itself_is_reported_with_the_inventorys_problems(seed_router: SimRouter) -> None:
    services = [
        {"name": "web", "port": 80, "host": "192.168.1.1"},
        {"name": "game", "port": 0, "host": "192.168.1.3"},
    ]
    result = failure(converge(seed_router, inventory(hairpin_services=services, hairpin_lan_interface="bridge-lan")))
    assert result["problems"] == [
        f"{HOST}: service 'game': field 'port': 0 is not a port (1-65535)",
        f"{HOST}: variable 'hairpin_lan_interface': interface 'bridge-lan' does not exist on the router",
        f"{HOST}: service 'web': field 'host': 192.168.1.1 is the router's own address (on interface 'bridge'); a "
        "port forward must go to another host",
    ]
    # One connection and its one read, nothing written.
    assert seed_router.site.stats.connections == 1
    assert seed_router.writes_logged() == []


def test_a_host_off_the_lan_is_noted(seed_router: SimRouter) -> None:
    services = [{"name": "web", "port": 80, "host": "192.168.1.2"}, {"name": "dmz", "port": 81, "host": "10.1.1.5"}]
    run = converge(seed_router, inventory(hairpin_services=services))
    assert run.returncode == 0, run.stdout[-4000:]
    assert host_result(run, ROLE_TASK)["notes"] == [
        "service 'dmz': host 10.1.1.5 is on none of the LAN subnets (192.168.1.0/24, given), so it gets no hairpin "
        "rule: its replies to LAN clients go through the router, which needs none"
    ]
    assert "hairpin:hairpin:dmz:tcp" not in by_comment(seed_router.nat())


def test_a_missing_ca_file_is_named_with_its_variable_and_path(seed_router: SimRouter, tmp_path: Path) -> None:
    missing = tmp_path / "router-ca.pem"
    result = failure(converge(seed_router, inventory(hairpin_api_ca_path=str(missing), hairpin_public_address="x")))
    assert result["problems"] == [
        f"{HOST}: variable 'hairpin_public_address': 'x' is not an IPv4 address, 'local', {{address_list: NAME}} or "
        "{ddns_name: FQDN}",
        f"{HOST}: variable 'hairpin_api_ca_path': {missing} does not exist",
    ]
    assert result["msg"].endswith(
        "(the checks that need the router were not run: the connection options above leave no way to reach the router)"
    )
    assert seed_router.site.stats.connections == 0

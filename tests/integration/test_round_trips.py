"""What a fleet run costs each router, from the simulator's counters: one connection per run (two
for a run that writes: the check after a write that arms a revert comes on a new one) and a few
round trips after login, however many services; and no module process on the controller.

Not timed (timings live in benchmarks/): the counts are what makes a fleet run bound by the
network, so a change that adds a connection or a round trip per router fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from role_support import changed_tasks, run_hairpin, write_inventory
from support import PASSWORD, STOCK_ROUTER, USERNAME

from routeros_sim import state
from routeros_sim.certs import CertPaths
from routeros_sim.server import RouterSite
from tests.support.simulator import serve

ROUTERS = 3
SERVICES = 20
# No Python there: a module run on the controller would fail, so a run that succeeds ran none.
NO_INTERPRETER = "/nonexistent/hairpin-test/python"

# The simulator's stock home router: WAN ether1 203.0.113.1/24, LAN bridge 192.168.1.0/24.
SETTINGS: dict[str, Any] = {
    "hairpin_wan_interface": "ether1",
    "hairpin_lan_interface": "bridge",
    "hairpin_lan_subnets": ["192.168.1.0/24"],
    "hairpin_public_address": "203.0.113.1",
}


def services(moved_host: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "name": f"svc{index:02d}",
            "port": 10000 + index,
            "host": "192.168.1.200" if moved_host and index == 1 else f"192.168.1.{10 + index}",
        }
        for index in range(1, SERVICES + 1)
    ]


@pytest.fixture
def fleet(tmp_path: Path, certs: CertPaths) -> Iterator[list[RouterSite]]:
    routers = []
    for index in range(ROUTERS):
        path = tmp_path / f"router-{index}.json"
        router = state.load_router(path, seed=STOCK_ROUTER)
        state.attach_persistence(router, path)
        routers.append((router, path))
    thread = serve(routers, certs, password=PASSWORD)
    try:
        yield thread.simulator.sites
    finally:
        thread.stop()


def run_fleet(
    sites: list[RouterSite],
    tmp_path: Path,
    certs: CertPaths,
    service_list: list[dict[str, Any]],
    **settings: Any,
):
    routers = write_inventory(
        tmp_path / "routers.yml",
        {
            f"r{index}": {
                "ansible_host": "127.0.0.1",
                "hairpin_api_port": site.tls_port,
                "hairpin_api_ca_path": str(certs.ca),
                "hairpin_api_username": USERNAME,
                "hairpin_api_password": PASSWORD,
                "hairpin_services": service_list,
                **SETTINGS,
                **settings,
            }
            for index, site in enumerate(sites)
        },
    )
    # The role's tasks run on the controller (delegate_to: localhost); that host has no Python.
    controller = write_inventory(
        tmp_path / "controller.yml",
        {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": NO_INTERPRETER}},
        group="controller",
    )
    before = [(site.stats.connections, site.stats.logins, site.stats.round_trips, site.stats.writes) for site in sites]
    run = run_hairpin(tmp_path, [routers, controller])
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    costs = []
    for site, (connections, logins, round_trips, writes) in zip(sites, before):
        new_logins = site.stats.logins - logins
        costs.append(
            {
                "connections": site.stats.connections - connections,
                "logins": new_logins,
                "round trips after login": site.stats.round_trips - round_trips - new_logins,
                "writes": site.stats.writes - writes,
            }
        )
    return run, costs


def test_each_router_costs_one_connection_and_a_few_round_trips(
    fleet: list[RouterSite], tmp_path: Path, certs: CertPaths
) -> None:
    run, first = run_fleet(fleet, tmp_path, certs, services())
    assert changed_tasks(run) == ROUTERS
    for cost in first:
        # The write's connection, and the new one that checks the change and confirms it.
        assert (cost["connections"], cost["logins"]) == (2, 2)
        # 20 services make 40 rules (the stock router's defconf masquerade already covers the
        # WAN): every write rides in one pipelined batch, after the revert's script and
        # scheduler entry; the confirm removes those two.
        assert cost["writes"] == 2 * SERVICES + 2 + 2
        # Read; arm and write; check; confirm.
        assert cost["round trips after login"] <= 4, first

    run, again = run_fleet(fleet, tmp_path, certs, services())
    assert changed_tasks(run) == 0
    for cost in again:
        # Nothing to write arms nothing: the one read is all.
        assert (cost["connections"], cost["logins"], cost["writes"]) == (1, 1, 0)
        assert cost["round trips after login"] == 1, again

    run, moved = run_fleet(fleet, tmp_path, certs, services(moved_host=True))
    assert changed_tasks(run) == ROUTERS
    for cost in moved:
        assert (cost["connections"], cost["logins"]) == (2, 2)
        # The service's dstnat and hairpin rules are edited in place.
        assert cost["writes"] == 2 + 4
        assert cost["round trips after login"] <= 4, moved


def test_without_confirm_a_change_costs_one_connection_and_no_revert(
    fleet: list[RouterSite], tmp_path: Path, certs: CertPaths
) -> None:
    run, first = run_fleet(fleet, tmp_path, certs, services(), hairpin_confirm=False)
    assert changed_tasks(run) == ROUTERS
    for cost in first:
        assert (cost["connections"], cost["logins"], cost["writes"]) == (1, 1, 2 * SERVICES)
        assert cost["round trips after login"] <= 2, first
    assert all(site.router.tables["/system/scheduler"].items == [] for site in fleet)


# The stock router hardened by hand: its forward chain drops what it does not accept, so every
# service gets an owned filter accept (see the file).
FORWARD_DROP_ROUTER = Path(__file__).resolve().parents[1] / "fixtures" / "routers" / "forward-drop-router.rsc"


@pytest.fixture
def drop_fleet(tmp_path: Path, certs: CertPaths) -> Iterator[list[RouterSite]]:
    routers = []
    for index in range(ROUTERS):
        path = tmp_path / f"drop-router-{index}.json"
        router = state.load_router(path, seed=FORWARD_DROP_ROUTER)
        state.attach_persistence(router, path)
        routers.append((router, path))
    thread = serve(routers, certs, password=PASSWORD)
    try:
        yield thread.simulator.sites
    finally:
        thread.stop()


def test_filter_accepts_ride_in_the_same_read_and_the_same_write_batch(
    drop_fleet: list[RouterSite], tmp_path: Path, certs: CertPaths
) -> None:
    run, first = run_fleet(drop_fleet, tmp_path, certs, services())
    assert changed_tasks(run) == ROUTERS
    for cost in first:
        # Per service a forward, a hairpin rule and a filter accept, in the one batch.
        assert cost["writes"] == 3 * SERVICES + 2 + 2
        assert cost["round trips after login"] == 4, first

    run, again = run_fleet(drop_fleet, tmp_path, certs, services())
    assert changed_tasks(run) == 0
    for cost in again:
        assert (cost["connections"], cost["writes"], cost["round trips after login"]) == (1, 0, 1), again

    run, moved = run_fleet(drop_fleet, tmp_path, certs, services(moved_host=True), hairpin_confirm=False)
    assert changed_tasks(run) == ROUTERS
    for cost in moved:
        # The dstnat and hairpin rules and the accept of the moved host, edited in place.
        assert (cost["connections"], cost["writes"], cost["round trips after login"]) == (1, 3, 2), moved


def with_host6(service_list: list[dict[str, Any]], moved: bool = False) -> list[dict[str, Any]]:
    """The services, each with an IPv6 address of its own (3fff::/20, the documentation prefix)."""
    out = []
    for index, service in enumerate(service_list, start=1):
        address = f"3fff:0:0:2::{200 if moved and index == 1 else 10 + index:x}"
        out.append({**service, "host6": address})
    return out


def test_ipv6_pinholes_ride_in_the_same_read_and_the_same_write_batch(
    fleet: list[RouterSite], tmp_path: Path, certs: CertPaths
) -> None:
    run, first = run_fleet(fleet, tmp_path, certs, with_host6(services()), hairpin_confirm=False)
    assert changed_tasks(run) == ROUTERS
    for cost in first:
        # Per service a forward, a hairpin rule and an IPv6 pinhole, in the one batch.
        assert (cost["connections"], cost["writes"], cost["round trips after login"]) == (1, 3 * SERVICES, 2), first

    run, again = run_fleet(fleet, tmp_path, certs, with_host6(services()))
    assert changed_tasks(run) == 0
    for cost in again:
        assert (cost["connections"], cost["writes"], cost["round trips after login"]) == (1, 0, 1), again

    run, moved = run_fleet(fleet, tmp_path, certs, with_host6(services(), moved=True), hairpin_confirm=False)
    assert changed_tasks(run) == ROUTERS
    for cost in moved:
        # The moved address's pinhole, edited in place.
        assert (cost["connections"], cost["writes"], cost["round trips after login"]) == (1, 1, 2), moved

"""Support for the role tests: inventories for simulated routers, and `ansible-playbook
hairpin.routeros.hairpin` run against them as a user runs it.

The helpers of support.py run ad-hoc plays; these run the collection's own playbook with the
user's inventory (plus a small overlay that points each router at its simulator), so a test sees
exactly what `ansible-playbook hairpin.routeros.hairpin -i inventory/` does. The running and the
table reading are tests/support's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from routeros_sim import state
from routeros_sim.certs import CertPaths
from tests.support.paths import REPO
from tests.support.playbook import PlaybookRun, run_play, run_playbook
from tests.support.simulator import PASSWORD, USERNAME, SimRouter, serve
from tests.support.tables import by_comment, foreign, menu_rows, owned, rule_fields

__all__ = ["by_comment", "foreign", "owned", "rule_fields"]

EXAMPLE = REPO / "examples" / "gitops"
# The role's one task (hairpin.routeros.services).
ROLE_TASK = "Bring the router to its inventory"
# How Ansible names the role's task in a play that imports the role.
ROLE_PREFIX = "hairpin.routeros.hairpin : "

# The router of the MikroTik hairpin NAT article: WAN ether1 with the public address, LAN on
# the bridge. /ip service is as RouterOS ships it, so WebFig (www) listens on tcp/80 and the
# article's forward of tcp/80 on the public address takes that port from it (with a warning).
SEED_RSC = """\
/interface bridge port
add bridge=bridge interface=ether2
add bridge=bridge interface=ether3
/ip address
add address=192.168.1.1/24 interface=bridge
add address=203.0.113.1/24 interface=ether1
"""

# The seed scenario of the issue, as inventory variables.
SEED_VARS: dict[str, Any] = {
    "hairpin_wan_interface": "ether1",
    "hairpin_lan_interface": "bridge",
    "hairpin_lan_subnets": ["192.168.1.0/24"],
    "hairpin_public_address": "203.0.113.1",
    "hairpin_services": [{"name": "web", "protocol": "tcp", "port": 80, "host": "192.168.1.2"}],
}


# The routers of examples/gitops, in the order of its inventory.
EXAMPLE_FLEET = ("gw-home", "gw-office", "gw-cabin")


@contextmanager
def example_fleet(tmp: Path, certs: CertPaths) -> Iterator[dict[str, Any]]:
    """The three routers of examples/gitops, served by one simulator (one port pair each), an
    inventory overlay that points each host at its router (the repository's own inventory stays
    untouched: a second -i source can only add host variables), and a copy of the repository to
    run from its own directory (its ansible.cfg applies), as CI does. Yields sites (name ->
    simulated site), overlay, repo and tmp."""
    tmp.mkdir(parents=True, exist_ok=True)
    routers = []
    for name in EXAMPLE_FLEET:
        path = tmp / f"{name}.json"
        router = state.load_router(path, seed=EXAMPLE / "simulator" / f"{name}.rsc")
        state.attach_persistence(router, path)
        routers.append((router, path))
    # gw-cabin follows its DDNS name: /ip cloud knows the public address.
    routers[2][0].patch("/ip/cloud", {"public-address": "198.51.100.77"})
    thread = serve(routers, certs, password=PASSWORD, username="ansible")
    sites = dict(zip(EXAMPLE_FLEET, thread.simulator.sites))
    overlay = write_inventory(
        tmp / "simulators.yml",
        {
            name: {"ansible_host": "127.0.0.1", "hairpin_api_port": site.tls_port, "hairpin_api_ca_path": str(certs.ca)}
            for name, site in sites.items()
        },
    )
    repo = tmp / "gitops"
    shutil.copytree(EXAMPLE, repo)
    try:
        yield {"sites": sites, "overlay": overlay, "repo": repo, "tmp": tmp}
    finally:
        thread.stop()


def write_seed(tmp: Path, text: str = SEED_RSC, name: str = "seed.rsc") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def api_vars(router: SimRouter) -> dict[str, Any]:
    """Inventory variables that point a host at its simulator (TLS, verified against the test CA)."""
    return {
        "ansible_host": "127.0.0.1",
        "hairpin_api_port": router.tls_port,
        "hairpin_api_username": USERNAME,
        "hairpin_api_password": PASSWORD,
        "hairpin_api_ca_path": str(router.certs.ca),
    }


def write_inventory(path: Path, hosts: Mapping[str, Mapping[str, Any]], group: str = "routers") -> Path:
    path.write_text(yaml.safe_dump({group: {"hosts": {name: dict(v) for name, v in hosts.items()}}}, sort_keys=False))
    return path


def run_hairpin(
    workdir: Path,
    inventories: Sequence[Path],
    *,
    check: bool = False,
    diff: bool = False,
    playbook: str = "hairpin.routeros.hairpin",
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> PlaybookRun:
    """`ansible-playbook <playbook> -i <inventory>...` with the JSON callback, as a user runs it."""
    return run_playbook(
        playbook, inventories, workdir, check=check, diff=diff, extra_args=extra_args, env=env, cwd=cwd or workdir
    )


def converge(router: SimRouter, host_vars: Mapping[str, Any], *, host: str = "gw", **kwargs: Any) -> PlaybookRun:
    """Run the playbook for one simulated router whose inventory is `host_vars`."""
    inventory = write_inventory(router.tmp / "inventory.yml", {host: {**api_vars(router), **host_vars}})
    return run_hairpin(router.tmp, [inventory], **kwargs)


def task_result(run: PlaybookRun, task: str, host: str = "gw") -> dict[str, Any] | None:
    """The result on `host` of the task called `task`: as the collection's playbook names the role's
    task, or as a play that imports the role does (`hairpin.routeros.hairpin : <task>`)."""
    for play in run.output.get("plays", []):
        for entry in play["tasks"]:
            if entry["task"]["name"] in (task, ROLE_PREFIX + task) and host in entry["hosts"]:
                return entry["hosts"][host]
    return None


def host_result(run: PlaybookRun, task: str, host: str = "gw") -> dict[str, Any]:
    """task_result, which must be there."""
    found = task_result(run, task, host)
    if found is None:
        raise AssertionError(f"no result of {task!r} for {host}\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}")
    return found


def changed_tasks(run: PlaybookRun) -> int:
    return sum(stats.get("changed", 0) for stats in run.stats.values())


def failures(run: PlaybookRun) -> dict[str, int]:
    return {host: stats.get("failures", 0) for host, stats in run.stats.items()}


def table(router: SimRouter, path: str) -> list[dict[str, str]]:
    """Any menu of the simulated router, as it prints it."""
    return menu_rows(router.router, path)


def nat_analyze(router: SimRouter, public_address: str) -> PlaybookRun:
    """One `hairpin.routeros.nat_analyze` task (named `analyze`) against `router`."""
    task = {"name": "analyze", "hairpin.routeros.nat_analyze": {"public_address": public_address}}
    play = [
        {
            "name": "analyze",
            "hosts": "router",
            "gather_facts": False,
            "module_defaults": {"group/hairpin.routeros.api": router.connection_vars()},
            "tasks": [task],
        }
    ]
    return run_play(play, router.tmp, inventory="router ansible_connection=local\n")

"""Support for the reliability suite: fleets of simulated routers in one process, and real
`ansible-playbook` runs against them with the output kept whole (for the secret scans).

A fleet is one simulator serving several routers (one per inventory host, each on its own port),
so one `ansible-playbook` run tries many cases at once, each on a router of its own. Running
playbooks, serving routers and reading tables are tests/support's.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routeros_sim.certs import CertPaths
from routeros_sim.router import Router
from tests.support.paths import ANSIBLE_BIN, BROWNFIELD_ROUTER, STOCK_ROUTER
from tests.support.playbook import JSON_CALLBACK, PlaybookRun, RunningPlaybook, start_playbook, write_yaml
from tests.support.simulator import USERNAME, RouterSite, SimulatorThread, memory_router, serve
from tests.support.tables import (
    MARKER,
    duplicates,
    foreign,
    is_write,
    marker_of,
    nat_rows,
    owned,
    without_owned_ids,
)

# The shared support's names, for the tests of this directory.
__all__ = [
    "ANSIBLE_BIN",
    "BROWNFIELD_ROUTER",
    "MARKER",
    "STOCK_ROUTER",
    "USERNAME",
    "PlaybookRun",
    "RunningPlaybook",
    "duplicates",
    "foreign",
    "marker_of",
    "owned",
    "without_owned_ids",
]


# Every character here is one a careless tool mangles or leaks in a recognisable form: quote,
# backslash, dollar, percent, '=', '?', '/', '&', a space and a non-ASCII letter.
PASSWORD = 'R3l "pa$$" \\ w%rd=?/&\u00f6'


def fresh_router(seed: Path = STOCK_ROUTER) -> Router:
    """A router seeded from an export, in memory (no state file: nothing to fsync per write)."""
    return memory_router(seed)


def router_copy(router: Router) -> Router:
    return Router.from_json(json.loads(json.dumps(router.to_json())))


def table(router: Router) -> list[dict[str, str]]:
    """The NAT table as the router prints it (counters left out)."""
    return nat_rows(router)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed): a router that has vanished."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------
# Running ansible-playbook


def write_play(tmp: Path, play: list[dict[str, Any]], inventory: Mapping[str, Any], name: str) -> tuple[Path, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    return write_yaml(tmp / f"{name}.yml", play), write_yaml(tmp / f"{name}-inventory.yml", dict(inventory))


def run_ansible(
    play: list[dict[str, Any]],
    inventory: Mapping[str, Any],
    tmp: Path,
    *,
    timeout: float = 180,
    **options: Any,
) -> PlaybookRun:
    """Run `play` with `inventory` (a YAML inventory as a dict) and keep all of the output.

    `options` are start_ansible's; `callback` is the stdout callback: the JSON one gives the
    returned data; `default` is what a user (and a CI log) sees. With the JSON callback,
    `output` is the parsed result."""
    return start_ansible(play, inventory, tmp, **options).finish(timeout)


def start_ansible(
    play: list[dict[str, Any]],
    inventory: Mapping[str, Any],
    tmp: Path,
    *,
    name: str = "play",
    check: bool = False,
    diff: bool = False,
    verbosity: int = 0,
    callback: str = JSON_CALLBACK,
    forks: int = 10,
    extra: Sequence[str] = (),
) -> RunningPlaybook:
    """Start `ansible-playbook` (see run_ansible) without waiting for it."""
    playbook, inventory_path = write_play(tmp, play, inventory, name)
    return start_playbook(
        playbook,
        [inventory_path],
        tmp,
        check=check,
        diff=diff,
        verbosity=verbosity,
        forks=forks,
        callback=callback,
        extra_args=extra,
    )


def host_results(run: PlaybookRun, task_name: str) -> dict[str, dict[str, Any]]:
    """Inventory host -> result of the task called `task_name`."""
    return run.host_results(task_name)


# --------------------------------------------------------------------------------------------
# A fleet of simulated routers


@dataclass
class FleetHost:
    name: str
    site: RouterSite | None  # None: nothing is there (a vanished router)
    vars: dict[str, Any] = field(default_factory=dict)

    @property
    def router(self) -> Router:
        assert self.site is not None, f"{self.name} has no router"
        return self.site.router  # type: ignore[return-value]

    def nat(self) -> list[dict[str, str]]:
        return table(self.router)


@dataclass
class Fleet:
    """Routers served by one simulator thread (TLS on, certificate from the test CA), one per
    inventory host. Hosts may also point elsewhere (a closed port, another simulator)."""

    thread: SimulatorThread
    certs: CertPaths
    tmp: Path
    password: str = PASSWORD
    request_log: Path | None = None
    hosts: dict[str, FleetHost] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        routers: Mapping[str, Router],
        certs: CertPaths,
        tmp: Path,
        *,
        ssl_context: Any = None,
        password: str = PASSWORD,
        request_log: bool = True,
    ) -> Fleet:
        names = list(routers)
        log = tmp / "requests.jsonl" if request_log else None
        tmp.mkdir(parents=True, exist_ok=True)
        thread = serve(
            [routers[name] for name in names], certs, password=password, request_log=log, ssl_context=ssl_context
        )
        simulator = thread.simulator
        fleet = cls(thread, certs, tmp, password, log)
        for name, site in zip(names, simulator.sites):
            fleet.hosts[name] = FleetHost(name, site, {"router_port": site.tls_port})
        return fleet

    def stop(self) -> None:
        self.thread.stop()

    def add_host(self, name: str, **variables: Any) -> FleetHost:
        host = FleetHost(name, None, dict(variables))
        self.hosts[name] = host
        return host

    def __getitem__(self, name: str) -> FleetHost:
        return self.hosts[name]

    def connection(self, **overrides: Any) -> dict[str, Any]:
        """module_defaults for group/hairpin.routeros.api: every host at its own port."""
        options: dict[str, Any] = dict(
            hostname="127.0.0.1",
            port="{{ router_port }}",
            username=USERNAME,
            password=self.password,
            ca_path=str(self.certs.ca),
            timeout=5,
        )
        options.update(overrides)
        return options

    def inventory(self, names: Sequence[str] | None = None) -> dict[str, Any]:
        hosts = {}
        for name in names or list(self.hosts):
            hosts[name] = dict(
                ansible_connection="local", ansible_python_interpreter=str(ANSIBLE_BIN / "python"), **self[name].vars
            )
        return {"all": {"hosts": hosts}}

    def play(self, tasks: Sequence[Mapping[str, Any]], *, connection: Mapping[str, Any] | None = None) -> list[dict]:
        return [
            {
                "name": "hairpin reliability",
                "hosts": "all",
                "gather_facts": False,
                "module_defaults": {"group/hairpin.routeros.api": dict(connection or self.connection())},
                "tasks": [dict(task) for task in tasks],
            }
        ]

    def run(
        self,
        tasks: Sequence[Mapping[str, Any]],
        *,
        names: Sequence[str] | None = None,
        connection: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> PlaybookRun:
        return run_ansible(self.play(tasks, connection=connection), self.inventory(names), self.tmp, **options)

    def requests(self) -> list[dict[str, Any]]:
        """The request log, one entry per command answered (or dropped)."""
        if self.request_log is None or not self.request_log.exists():
            return []
        return [json.loads(line) for line in self.request_log.read_text(encoding="utf-8").splitlines() if line]

    def writes(self, name: str) -> list[dict[str, Any]]:
        """Request-log entries of the writes router `name` received."""
        host = self[name]
        assert host.site is not None
        return [
            entry for entry in self.requests() if entry["router"] == host.site.index and is_write(entry["words"][0])
        ]

    def faults_fired(self, name: str) -> list[str]:
        host = self[name]
        assert host.site is not None
        return [
            entry["note"]
            for entry in self.requests()
            if entry["router"] == host.site.index and str(entry.get("note", "")).partition(":")[0] in FAULT_NOTES
        ]


FAULT_NOTES = ("drop-before-write", "drop-after-write", "trap-on-command", "stall-on-command")


# --------------------------------------------------------------------------------------------
# The converge the fault and concurrency tests interrupt (on the brownfield router, whose
# foreign rules must survive everything unchanged and in place)

PUBLIC = "198.51.100.7"


def forward(name: str, port: str, host: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "port": port, "host": host, "public_address": PUBLIC, **extra}


# Before: three services, the WAN masquerade, hairpin rules derived from the LAN.
CONFIG_BEFORE: dict[str, Any] = {
    "port_forwards": [
        forward("web", "80", "192.168.88.2"),
        forward("ssh", "2222", "192.168.88.3", host_port="22"),
        forward("game", "27016", "192.168.88.4", protocol="both"),
    ],
    "masquerades": [{"out_interface_list": "WAN"}],
    "auto_hairpin": {"lan_interface": "bridge"},
    "state": "overridden",
}

# After: game comes first now (move), web changes its public port (set), ssh goes (remove),
# mail and dns arrive (add).
CONFIG_AFTER: dict[str, Any] = {
    "port_forwards": [
        forward("game", "27016", "192.168.88.4", protocol="both"),
        forward("web", "8080", "192.168.88.2", host_port="80"),
        forward("mail", "25", "192.168.88.5"),
        forward("dns", "53", "192.168.88.6", protocol="udp"),
    ],
    "masquerades": [{"out_interface_list": "WAN"}],
    "auto_hairpin": {"lan_interface": "bridge"},
    "state": "overridden",
}


# The seed scenario on the stock router: a web server published, the WAN masqueraded, hairpin.
SEED_CONFIG: dict[str, Any] = {
    "port_forwards": [{"name": "web", "port": "80", "host": "192.168.1.2", "public_address": "203.0.113.1"}],
    "masquerades": [{"out_interface": "ether1"}],
    "auto_hairpin": {"lan_interface": "bridge"},
    "state": "overridden",
}


def nat_task(name: str, config: Mapping[str, Any], **keywords: Any) -> dict[str, Any]:
    return {"name": name, "hairpin.routeros.nat": dict(config), **keywords}

"""Fleet benchmark: the hairpin role against community.routeros api_modify and Ansible's floors.

    .venv/bin/python benchmarks/fleet.py --routers 200 --services 20 --latency-ms 50 --forks 50

(`make setup` first: it installs the tools and links the collection into build/collections.)

Starts one simulated fleet per contender (`routeros-sim serve --count N --latency-ms L`, TLS with
a verified certificate, the stock home router of the simulator as seed) and runs, on the same
routers and services:

* role        `ansible-playbook hairpin.routeros.hairpin` (the collection's playbook)
* nat_task    benchmarks/playbooks/nat_task.yml: one hairpin.routeros.nat task per router with
              the options the role would pass, from the inventory (the engine without the role)
* api_modify  benchmarks/playbooks/api_modify.yml, the same rules with community.routeros.api_modify
* floors      benchmarks/playbooks/floor_module.yml (ansible.builtin.ping per router) and
              floor_action.yml (ansible.builtin.debug per router, in the worker)

role, nat_task and api_modify each run three phases: first converge, no-op rerun, one service changed
(the first service's host moves, on every router). Each phase reports wall time, CPU time and
peak memory of ansible-playbook with everything it started, and the simulators' counters per
router (connections, round trips after login, commands, writes). The floors run on the same
inventory (hosts and services) as the role: the module floor once, the in-worker floor
--floor-runs times (default 3), the first of them before the module floor; the ratios use the
median of those runs (runs of trivial tasks vary from one to the next; benchmarks/README.md).

Results: a table on stdout, and JSON in <workdir>/results.json (workdir: build/bench/fleet-N).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from measure import Usage, process_cpu_s, run_measured

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.paths import BIN, REPO, STOCK_ROUTER, use_checkout
from tests.support.playbook import ansible_env as checkout_env
from tests.support.simulator import USERNAME, serve_process

BENCH = REPO / "benchmarks"
SEED = STOCK_ROUTER
PASSWORD = "bench-Pa55word"
MEMORY_DIR = Path("/dev/shm")

FLOORS = (("floor: ping (module)", "floor_module.yml"), ("floor: debug (in worker)", "floor_action.yml"))
PHASES = ("first converge", "no-op rerun", "one service changed")

# The stock home router: WAN ether1 with 203.0.113.1, LAN 192.168.1.0/24 on the bridge.
ROLE_SETTINGS: dict[str, Any] = {
    "hairpin_wan_interface": "ether1",
    "hairpin_lan_interface": "bridge",
    "hairpin_lan_subnets": ["192.168.1.0/24"],
    "hairpin_public_address": "203.0.113.1",
}


def services(count: int, *, changed: bool = False) -> list[dict[str, Any]]:
    """`count` tcp services; with `changed`, the first one's host has moved."""
    found = []
    for index in range(1, count + 1):
        host = 10 + index
        if changed and index == 1:
            host = 200
        found.append({"name": f"svc{index:02d}", "protocol": "tcp", "port": 10000 + index, "host": f"192.168.1.{host}"})
    return found


def nat_options(service_list: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The options of hairpin.routeros.nat that the role passes for these services."""
    return {
        "port_forwards": [
            {
                "name": s["name"],
                "protocol": s["protocol"],
                "port": str(s["port"]),
                "host": s["host"],
                "public_address": ROLE_SETTINGS["hairpin_public_address"],
                "hairpin": True,
            }
            for s in service_list
        ],
        "masquerades": [{"out_interface": ROLE_SETTINGS["hairpin_wan_interface"]}],
        "auto_hairpin": {
            "mode": "per_service",
            "lan_interface": ROLE_SETTINGS["hairpin_lan_interface"],
            "lan_subnets": ROLE_SETTINGS["hairpin_lan_subnets"],
        },
    }


def nat_rules(service_list: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The rules the role makes for these services, in table order, as api_modify `data`.

    Computed by the collection's own engine, offline (the module's `rendered` path), so both
    contenders converge to the same owned rules; the benchmark checks that they did."""
    use_checkout()
    from ansible_collections.hairpin.routeros.plugins.module_utils.desired import desired_from_options
    from ansible_collections.hairpin.routeros.plugins.module_utils.hairpins import finish_hairpins

    options = nat_options(service_list)
    sections = {"port_forwards": options["port_forwards"], "masquerades": options["masquerades"]}
    desired = desired_from_options({"auto_hairpin": options["auto_hairpin"]}, sections, state="overridden")
    finish_hairpins(desired, None)
    assert not desired.errors, desired.errors
    return [dict(rule.fields) for rule in desired.rules()]


def role_vars(service_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {**ROLE_SETTINGS, "hairpin_services": service_list}


def nat_task_vars(service_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {"hairpin_bench_nat": nat_options(service_list)}


def api_modify_vars(service_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {"hairpin_bench_rules": nat_rules(service_list)}


# name -> (what ansible-playbook runs, the inventory variables for a list of services)
CONTENDERS = {
    "role": ("hairpin.routeros.hairpin", role_vars),
    "nat_task": (str(BENCH / "playbooks" / "nat_task.yml"), nat_task_vars),
    "api_modify": (str(BENCH / "playbooks" / "api_modify.yml"), api_modify_vars),
}


# ---------------------------------------------------------------------------------------------
# The simulated fleet
# ---------------------------------------------------------------------------------------------


@dataclass
class Fleet:
    pid: int
    ports: list[int]
    state: Path
    ca: Path

    def state_file(self, index: int) -> Path:
        """State file of router `index` (0-based), as `routeros-sim serve --count` names it."""
        if len(self.ports) == 1:
            return self.state
        return self.state.with_name(f"{self.state.stem}-{index + 1:03d}{self.state.suffix}")

    def counters(self) -> list[dict[str, Any]]:
        paths = [self.state_file(index) for index in range(len(self.ports))]
        return [json.loads(path.with_name(path.name + ".stats.json").read_text()) for path in paths]


@contextmanager
def fleet(workdir: Path, routers: int, latency_ms: float, certs: Path, seed: Path = SEED) -> Iterator[Fleet]:
    # The simulator saves a router (with fsync) after every write, all routers in one process: on
    # a disk that serialises the fleet's writes behind one another, which real routers, each
    # with its own flash, do not. In memory (tmpfs) a save costs what it costs a router.
    states = Path(tempfile.mkdtemp(prefix="hairpin-bench-", dir=MEMORY_DIR if MEMORY_DIR.is_dir() else None))
    state = states / "router.json"
    options = [f"--latency-ms={latency_ms}", f"--count={routers}"]
    try:
        with serve_process(
            workdir, state_path=state, cert_dir=certs, seed=seed, password=PASSWORD, options=options
        ) as served:
            yield Fleet(served.process.pid, served.tls_ports, state, certs / "ca.pem")
    finally:
        shutil.rmtree(states, ignore_errors=True)


def router_hosts(sim: Fleet | None, count: int) -> dict[str, dict[str, Any]]:
    """Inventory hosts r001...: each router's API port on the simulator (none for the floors)."""
    ports = sim.ports if sim is not None else [None] * count
    hosts = {}
    for index, port in enumerate(ports, start=1):
        hosts[f"r{index:03d}"] = {"ansible_host": "127.0.0.1"} | ({"hairpin_api_port": port} if port else {})
    return hosts


def write_inventory(path: Path, hosts: dict[str, dict[str, Any]], group_vars: dict[str, Any]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "hosts.yml").write_text(yaml.safe_dump({"routers": {"hosts": hosts}}, sort_keys=False))
    (path / "group_vars").mkdir(exist_ok=True)
    (path / "group_vars" / "routers.yml").write_text(yaml.safe_dump(group_vars, sort_keys=False))
    return path


def api_vars(sim: Fleet) -> dict[str, Any]:
    return {"hairpin_api_username": USERNAME, "hairpin_api_password": PASSWORD, "hairpin_api_ca_path": str(sim.ca)}


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    contender: str
    phase: str
    usage: Usage
    failed_hosts: int
    per_router: dict[str, Any] = field(default_factory=dict)
    # The machine's 1-minute load average before and after the run: other work on the machine
    # shows up here (the figures of a run with a high load before it are not comparable).
    load_before: float = 0.0
    load_after: float = 0.0


def ansible_env(workdir: Path, strategy: str = "linear") -> dict[str, str]:
    """The tests' environment (this checkout's collection; community.routeros from the `ansible`
    package), with the strategy under test and Ansible's default output."""
    extra = {"ANSIBLE_STRATEGY": strategy, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return checkout_env(workdir, callback=None, extra=extra)


def failed_hosts(log: Path) -> int:
    """Hosts with failed or unreachable tasks, from the PLAY RECAP."""
    failed = 0
    recap = False
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("PLAY RECAP"):
            recap = True
        elif recap and ":" in line and "ok=" in line:
            stats = dict(part.split("=") for part in line.split(":", 1)[1].split())
            failed += 1 if int(stats.get("failed", 0)) or int(stats.get("unreachable", 0)) else 0
    return failed


def playbook(
    contender: str,
    phase: str,
    target: str,
    inventory: Path,
    workdir: Path,
    forks: int,
    sim: Fleet | None,
    strategy: str = "linear",
    extra: Sequence[str] = (),
) -> Row:
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{contender}-{phase.replace(' ', '-')}.log"
    before = sim.counters() if sim else None
    sim_cpu = process_cpu_s(sim.pid) if sim else 0.0
    command = [str(BIN / "ansible-playbook"), target, "-i", str(inventory), "-f", str(forks), *extra]
    load_before = os.getloadavg()[0]
    usage = run_measured(command, env=ansible_env(workdir, strategy), cwd=workdir, log=log)
    row = Row(contender, phase, usage, failed_hosts(log), load_before=load_before, load_after=os.getloadavg()[0])
    if sim is not None and before is not None:
        row.per_router = router_counters(before, sim.counters())
        row.per_router["simulator_cpu_s"] = round(process_cpu_s(sim.pid) - sim_cpu, 2)
    print(
        f"  {contender:24} {phase:20} {usage.wall_s:7.1f} s wall {usage.cpu_s:7.1f} s CPU"
        f"  (load {row.load_before:.1f} -> {row.load_after:.1f})",
        flush=True,
    )
    return row


def router_counters(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-router deltas: connections, round trips after login, commands and writes (max and mean)."""
    deltas: dict[str, list[int]] = {"connections": [], "round_trips_after_login": [], "commands": [], "writes": []}
    for old, new in zip(before, after):
        logins = new["logins"] - old["logins"]
        deltas["connections"].append(new["connections"] - old["connections"])
        deltas["round_trips_after_login"].append(new["round_trips"] - old["round_trips"] - logins)
        deltas["commands"].append(sum(new["commands"].values()) - sum(old["commands"].values()) - logins)
        deltas["writes"].append(new["writes"] - old["writes"])
    return {name: {"max": max(values), "mean": round(sum(values) / len(values), 2)} for name, values in deltas.items()}


def owned_rules(sim: Fleet, index: int = 0) -> list[str]:
    """The owned NAT rules of one router of `sim`, in table order, from its state file."""
    path = sim.state_file(index)
    command = [str(BIN / "routeros-sim"), "export", f"--state={path}"]
    export = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    nat = export.split("/ip firewall nat\n", 1)[1].split("\n/", 1)[0].replace("\\\n    ", "")
    return [line for line in nat.splitlines() if "hairpin:" in line]


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| contender | phase | wall s | CPU s | peak PSS MB | connections/router | round trips/router after login"
        " (max) | commands/router (mean) | failed hosts |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        counters = row.per_router
        lines.append(
            "| {c} | {p} | {w:.1f} | {cpu:.1f} | {m:.0f} | {conn} | {rt} | {cmd} | {f} |".format(
                c=row.contender,
                p=row.phase,
                w=row.usage.wall_s,
                cpu=row.usage.cpu_s,
                m=row.usage.peak_pss_mb,
                conn=counters["connections"]["max"] if counters else "-",
                rt=counters["round_trips_after_login"]["max"] if counters else "-",
                cmd=counters["commands"]["mean"] if counters else "-",
                f=row.failed_hosts,
            )
        )
    return "\n".join(lines)


def ratios(rows: Sequence[Row]) -> dict[str, float]:
    wall = {(row.contender, row.phase): row.usage.wall_s for row in rows}
    found = {}
    floors = [row.usage.wall_s for row in rows if row.contender == FLOORS[1][0]]
    floor = statistics.median(floors) if floors else None
    for ours in ("role", "nat_task"):
        for phase in PHASES:
            mine, theirs = wall.get((ours, phase)), wall.get(("api_modify", phase))
            if mine and theirs:
                found[f"{ours} / api_modify, {phase}"] = round(mine / theirs, 3)
            if mine and floor:
                found[f"{ours} / debug floor, {phase}"] = round(mine / floor, 2)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routers", type=int, default=200)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--strategy", default="linear", help="Ansible strategy plugin for every run (linear, free)")
    parser.add_argument(
        "--contenders", default="role,nat_task,api_modify,floors", help="comma-separated subset of the default"
    )
    parser.add_argument("--floor-runs", type=int, default=3, help="runs of the in-worker floor (median used)")
    parser.add_argument("--workdir", type=Path, help="default: build/bench/fleet-<routers>")
    args = parser.parse_args(argv)
    use_checkout()
    contenders = set(args.contenders.split(","))
    workdir = (args.workdir or REPO / "build" / "bench" / f"fleet-{args.routers}").resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    certs = workdir / "certs"
    subprocess.run([str(BIN / "routeros-sim"), "certs", f"--dir={certs}"], check=True, capture_output=True)
    print(
        f"{args.routers} routers x {args.services} services, {args.latency_ms:g} ms per answer, "
        f"forks {args.forks}, strategy {args.strategy}, {os.cpu_count()} CPUs",
        flush=True,
    )

    rows: list[Row] = []
    owned: dict[str, list[str]] = {}
    for name, (target, variables) in CONTENDERS.items():
        if name not in contenders:
            continue
        with fleet(workdir / name, args.routers, args.latency_ms, certs) as sim:
            for phase in PHASES:
                group_vars = {**api_vars(sim), **variables(services(args.services, changed=phase == PHASES[2]))}
                inventory = write_inventory(workdir / name / "inventory", router_hosts(sim, args.routers), group_vars)
                rows.append(playbook(name, phase, target, inventory, workdir, args.forks, sim, args.strategy))
                if phase == PHASES[0]:
                    owned[name] = owned_rules(sim)
    if "floors" in contenders:
        # The role's fleet and services (the floors need no router: nothing connects to the ports).
        group_vars = {"hairpin_api_username": USERNAME, **role_vars(services(args.services))}
        inventory = write_inventory(workdir / "floors" / "inventory", router_hosts(None, args.routers), group_vars)
        (module_floor, module_target), (action_floor, action_target) = FLOORS
        order = [(action_floor, action_target), (module_floor, module_target)]
        order += [(action_floor, action_target)] * (args.floor_runs - 1)
        for name, target in order:
            rows.append(
                playbook(
                    name, "-", str(BENCH / "playbooks" / target), inventory, workdir, args.forks, None, args.strategy
                )
            )

    # The same owned rules (api_modify keeps its own order of fields and places new rules last).
    rule_sets = {name: sorted(map(_canonical, rules)) for name, rules in owned.items()}
    same_rules = len({json.dumps(rules) for rules in rule_sets.values()}) == 1 if len(rule_sets) > 1 else None

    report = {
        "command": " ".join(["benchmarks/fleet.py", *(argv if argv is not None else sys.argv[1:])]),
        "routers": args.routers,
        "services": args.services,
        "latency_ms": args.latency_ms,
        "forks": args.forks,
        "strategy": args.strategy,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "ansible_core": _ansible_version(),
        "same_owned_rules": same_rules,
        "rows": [asdict(row) for row in rows],
        "ratios": ratios(rows),
    }
    (workdir / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(rows))
    print()
    for name, value in report["ratios"].items():
        print(f"{name}: {value}")
    if same_rules is not None:
        print(f"{', '.join(rule_sets)} made the same owned rules: {same_rules}")
    print(f"\nresults: {workdir / 'results.json'}")
    return 0 if all(row.failed_hosts == 0 and row.usage.returncode == 0 for row in rows) else 1


def _canonical(line: str) -> str:
    words = line.split()
    return " ".join(sorted(word for word in words if word != "add"))


def _ansible_version() -> str:
    out = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False).stdout
    return out.splitlines()[0] if out else "?"


if __name__ == "__main__":
    raise SystemExit(main())

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

`--routers 50,200,500,1000` is a sweep: the largest size runs the whole table above; the others
run what the plot needs (role and api_modify first converge and no-op rerun, the in-worker
floor once). Each contender's wall and CPU time are fitted by least squares to
`a + b x routers` (b in ms per router, r2 for how well the line fits), and fleet.png plots wall
time against routers (`--publish` copies it to docs/images/fleet.png). A run is stopped after
`--phase-limit-s` (600): api_modify is then skipped at the larger sizes, as the output says.
`--spread-runs N` alternates N role no-op runs with N in-worker floor runs at `--spread-routers`
(200) and reports the ratio's median, min and max. `--api plain` uses the plain API port.

Results: a table on stdout, and JSON in <workdir>/results.json (workdir: build/bench/fleet-N, or
fleet-50-200-500-1000 for a sweep).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
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
# The phase of the alternating role no-op and floor runs (--spread-runs), numbered.
SPREAD_PHASE = "spread"

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
        # No masquerade: the stock router's defconf masquerade (out-interface-list=WAN) already
        # covers the WAN, so the role's `auto` adds none, and neither do the others.
        "masquerades": [],
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
    tls: bool = True

    def state_file(self, index: int) -> Path:
        """State file of router `index` (0-based), as `routeros-sim serve --count` names it."""
        if len(self.ports) == 1:
            return self.state
        return self.state.with_name(f"{self.state.stem}-{index + 1:03d}{self.state.suffix}")

    def counters(self) -> list[dict[str, Any]]:
        paths = [self.state_file(index) for index in range(len(self.ports))]
        return [json.loads(path.with_name(path.name + ".stats.json").read_text()) for path in paths]


@contextmanager
def fleet(
    workdir: Path, routers: int, latency_ms: float, certs: Path, seed: Path = SEED, tls: bool = True
) -> Iterator[Fleet]:
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
            ports = served.tls_ports if tls else [int(router["port"]) for router in served.ready["routers"]]
            yield Fleet(served.process.pid, ports, state, certs / "ca.pem", tls)
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
    found = {"hairpin_api_username": USERNAME, "hairpin_api_password": PASSWORD, "hairpin_api_ca_path": str(sim.ca)}
    if not sim.tls:
        found["hairpin_api_tls"] = False
    return found


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
    routers: int = 0
    # Stopped at the phase time limit (--phase-limit-s): the figures are of an unfinished run.
    timed_out: bool = False


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
    profile: bool = False,
    timeout: float = 3600,
) -> Row:
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{contender}-{phase.replace(' ', '-')}.log"
    before = sim.counters() if sim else None
    sim_cpu = process_cpu_s(sim.pid) if sim else 0.0
    command = [str(BIN / "ansible-playbook"), target, "-i", str(inventory), "-f", str(forks), *extra]
    if profile:
        # Profiled runs are slower: their times are not comparable with unprofiled ones.
        profiles = workdir / "profiles" / log.stem
        command = [sys.executable, str(BENCH / "profile_workers.py"), str(profiles), *command[1:]]
    load_before = os.getloadavg()[0]
    usage = run_measured(command, env=ansible_env(workdir, strategy), cwd=workdir, log=log, timeout=timeout)
    row = Row(contender, phase, usage, failed_hosts(log), load_before=load_before, load_after=os.getloadavg()[0])
    row.timed_out = usage.wall_s >= timeout
    if sim is not None and before is not None:
        row.per_router = router_counters(before, sim.counters())
        row.per_router["simulator_cpu_s"] = round(process_cpu_s(sim.pid) - sim_cpu, 2)
    stopped = "  STOPPED at the time limit" if row.timed_out else ""
    print(
        f"  {contender:24} {phase:20} {usage.wall_s:7.1f} s wall {usage.cpu_s:7.1f} s CPU"
        f"  (load {row.load_before:.1f} -> {row.load_after:.1f}){stopped}",
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


def table(rows: Sequence[Row], sweep: bool = False) -> str:
    lines = [
        ("| routers " if sweep else "")
        + "| contender | phase | wall s | CPU s | peak PSS MB | connections/router | round trips/router after login"
        " (max) | commands/router (mean) | failed hosts |",
        ("|---:" if sweep else "") + "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        counters = row.per_router
        lines.append(
            (f"| {row.routers} " if sweep else "")
            + "| {c} | {p} | {w:.1f} | {cpu:.1f} | {m:.0f} | {conn} | {rt} | {cmd} | {f} |".format(
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


def raise_open_files_limit() -> int:
    """The soft limit of open files raised to the hard one (inherited by the simulator, which holds
    two listening sockets per router and one per connection, and by ansible-playbook)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def fit(points: Sequence[tuple[int, float]]) -> dict[str, float] | None:
    """Least squares `wall = a + b * routers` over (routers, wall s): a in s, b in ms per router,
    r2 the share of the variance the line explains (1.0 for two sizes: a line fits any two)."""
    if len({routers for routers, _ in points}) < 2:
        return None
    xs = [float(routers) for routers, _ in points]
    ys = [wall for _, wall in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sxx
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys))
    return {
        "a_s": round(intercept, 3),
        "b_ms_per_router": round(slope * 1000, 3),
        "r2": round(1 - residual / total, 4) if total else 1.0,
        "sizes": [int(x) for x in xs],
    }


def fits(rows: Sequence[Row], key: str = "wall_s") -> dict[str, dict[str, float]]:
    """The fit per contender and phase, over the sizes it ran at (the median of repeated runs;
    runs stopped at the time limit left out)."""
    points: dict[tuple[str, str], dict[int, list[float]]] = {}
    for row in rows:
        if row.timed_out or row.phase.startswith(SPREAD_PHASE):
            continue
        points.setdefault((row.contender, row.phase), {}).setdefault(row.routers, []).append(getattr(row.usage, key))
    found = {}
    for (contender, phase), sizes in points.items():
        line = fit([(routers, statistics.median(values)) for routers, values in sorted(sizes.items())])
        if line is not None:
            found[f"{contender}, {phase}" if phase != "-" else contender] = line
    return found


def spread(rows: Sequence[Row]) -> dict[str, Any] | None:
    """Role no-op / in-worker floor, pair by pair, from the alternating runs."""
    roles = [row for row in rows if row.contender == "role" and row.phase.startswith(SPREAD_PHASE)]
    floors = [row for row in rows if row.contender == FLOORS[1][0] and row.phase.startswith(SPREAD_PHASE)]
    if not roles or len(roles) != len(floors):
        return None
    wall = [round(r.usage.wall_s / f.usage.wall_s, 3) for r, f in zip(roles, floors)]
    cpu = [round(r.usage.cpu_s / f.usage.cpu_s, 3) for r, f in zip(roles, floors)]

    def summary(values: list[float]) -> dict[str, Any]:
        return {"median": round(statistics.median(values), 3), "min": min(values), "max": max(values), "each": values}

    return {"routers": roles[0].routers, "pairs": len(wall), "wall_ratio": summary(wall), "cpu_ratio": summary(cpu)}


PLOT_LINES = (
    ("role", "first converge", "tab:blue", "-"),
    ("role", "no-op rerun", "tab:blue", "--"),
    ("api_modify", "first converge", "tab:red", "-"),
    ("api_modify", "no-op rerun", "tab:red", "--"),
    (FLOORS[1][0], "-", "tab:gray", ":"),
)


def plot(rows: Sequence[Row], path: Path, title: str) -> Path | None:
    """Wall time against routers: the role and api_modify (first converge, no-op rerun) and the
    in-worker floor (median at each size), written as a PNG."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed (requirements/test.txt): no plot", file=sys.stderr)
        return None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=120)
    for contender, phase, colour, style in PLOT_LINES:
        sizes: dict[int, list[float]] = {}
        for row in rows:
            if row.contender == contender and row.phase == phase and not row.timed_out:
                sizes.setdefault(row.routers, []).append(row.usage.wall_s)
        if not sizes:
            continue
        xs = sorted(sizes)
        label = contender if phase == "-" else f"{contender}: {phase}"
        line = fit([(x, statistics.median(sizes[x])) for x in xs])
        if line is not None:
            label += f" ({line['b_ms_per_router']:.1f} ms/router)"
        axes.plot(xs, [statistics.median(sizes[x]) for x in xs], style, color=colour, marker="o", label=label)
    axes.set_xlabel("routers")
    axes.set_ylabel("wall time of ansible-playbook (s)")
    axes.set_title(title)
    axes.set_xlim(left=0)
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("--routers: one or more positive numbers, comma-separated")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--routers",
        type=parse_sizes,
        default=[200],
        help="routers in the fleet; a comma-separated list is a sweep (e.g. 50,200,500,1000)",
    )
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--strategy", default="linear", help="Ansible strategy plugin for every run (linear, free)")
    parser.add_argument(
        "--contenders", default="role,nat_task,api_modify,floors", help="comma-separated subset of the default"
    )
    parser.add_argument("--floor-runs", type=int, default=3, help="runs of the in-worker floor (median used)")
    parser.add_argument(
        "--api", choices=("tls", "plain"), default="tls", help="API-SSL or the plain API, for every contender"
    )
    parser.add_argument(
        "--phase-limit-s",
        type=float,
        default=600,
        help="a run is stopped after this long; api_modify is skipped at the larger sizes once a phase of it is",
    )
    parser.add_argument(
        "--spread-runs",
        type=int,
        default=0,
        help="alternating role no-op and in-worker floor runs at --spread-routers, for the ratio's median, min and max",
    )
    parser.add_argument("--spread-routers", type=int, default=200)
    parser.add_argument("--workdir", type=Path, help="default: build/bench/fleet-<routers>")
    parser.add_argument(
        "--publish",
        type=Path,
        nargs="?",
        const=REPO / "docs" / "images" / "fleet.png",
        help="copy the plot there too (default docs/images/fleet.png)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the main process and every worker (<workdir>/profiles; benchmarks/profile_workers.py --report)",
    )
    args = parser.parse_args(argv)
    use_checkout()
    open_files = raise_open_files_limit()
    sizes: list[int] = args.routers
    largest = sizes[-1]
    if args.spread_runs and args.spread_routers not in sizes:
        sizes = sorted({*sizes, args.spread_routers})
    contenders = set(args.contenders.split(","))
    name = "-".join(map(str, sizes))
    workdir = (args.workdir or REPO / "build" / "bench" / f"fleet-{name}").resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    certs = workdir / "certs"
    subprocess.run([str(BIN / "routeros-sim"), "certs", f"--dir={certs}"], check=True, capture_output=True)
    print(
        f"{','.join(map(str, sizes))} routers x {args.services} services, {args.latency_ms:g} ms per answer, "
        f"forks {args.forks}, strategy {args.strategy}, API {args.api}, {os.cpu_count()} CPUs, "
        f"open files limit {open_files}",
        flush=True,
    )
    if open_files < 2 * largest + args.forks + 64:
        print(f"warning: {open_files} open files may be too few for {largest} routers", file=sys.stderr)

    rows: list[Row] = []
    skipped: list[str] = []
    owned: dict[str, list[str]] = {}
    api_modify_stopped_at: int | None = None
    for routers in sizes:
        full = routers == largest
        print(f"\n{routers} routers{' (the full table)' if full else ' (the plot phases)'}", flush=True)
        size_dir = workdir / str(routers) if len(sizes) > 1 else workdir
        # A sweep's smaller sizes run what the plot shows: role and api_modify first converge and
        # no-op, and the in-worker floor once.
        phases = PHASES if full else PHASES[:2]
        size_rows: list[Row] = []
        for contender, (target, variables) in CONTENDERS.items():
            if contender not in contenders or (not full and contender == "nat_task"):
                continue
            if contender == "api_modify" and api_modify_stopped_at is not None:
                skipped.append(
                    f"api_modify at {routers} routers: skipped, a phase ran past {args.phase_limit_s:g} s "
                    f"at {api_modify_stopped_at}"
                )
                print(f"  {skipped[-1]}", flush=True)
                continue
            with fleet(size_dir / contender, routers, args.latency_ms, certs, tls=args.api == "tls") as sim:
                for phase in phases:
                    group_vars = {**api_vars(sim), **variables(services(args.services, changed=phase == PHASES[2]))}
                    hosts = router_hosts(sim, routers)
                    inventory = write_inventory(size_dir / contender / "inventory", hosts, group_vars)
                    row = playbook(
                        contender,
                        phase,
                        target,
                        inventory,
                        size_dir,
                        args.forks,
                        sim,
                        args.strategy,
                        profile=args.profile,
                        timeout=args.phase_limit_s,
                    )
                    row.routers = routers
                    size_rows.append(row)
                    if full and phase == PHASES[0]:
                        owned[contender] = owned_rules(sim)
                    if row.timed_out:
                        if contender == "api_modify":
                            api_modify_stopped_at = routers
                        skipped.append(f"{contender} at {routers} routers: {phase} stopped at {args.phase_limit_s:g} s")
                        break
                if contender == "role" and args.spread_runs and routers == args.spread_routers:
                    floor_inventory = _floor_inventory(size_dir, routers, args.services)
                    for index in range(1, args.spread_runs + 1):
                        label = f"{SPREAD_PHASE} {index}"
                        for who, target_of, with_sim in (
                            ("role", target, sim),
                            (FLOORS[1][0], str(BENCH / "playbooks" / FLOORS[1][1]), None),
                        ):
                            run_inventory = inventory if with_sim is not None else floor_inventory
                            row = playbook(
                                who,
                                label,
                                target_of,
                                run_inventory,
                                size_dir,
                                args.forks,
                                with_sim,
                                args.strategy,
                                timeout=args.phase_limit_s,
                            )
                            row.routers = routers
                            size_rows.append(row)
        if "floors" in contenders:
            floor_inventory = _floor_inventory(size_dir, routers, args.services)
            (module_floor, module_target), (action_floor, action_target) = FLOORS
            order = [(action_floor, action_target)]
            if full:
                order += [(module_floor, module_target)] + [(action_floor, action_target)] * (args.floor_runs - 1)
            for floor_name, floor_target in order:
                row = playbook(
                    floor_name,
                    "-",
                    str(BENCH / "playbooks" / floor_target),
                    floor_inventory,
                    size_dir,
                    args.forks,
                    None,
                    args.strategy,
                    timeout=args.phase_limit_s,
                )
                row.routers = routers
                size_rows.append(row)
        rows.extend(size_rows)

    # The same owned rules (api_modify keeps its own order of fields and places new rules last).
    rule_sets = {name: sorted(map(_canonical, rules)) for name, rules in owned.items()}
    same_rules = len({json.dumps(rules) for rules in rule_sets.values()}) == 1 if len(rule_sets) > 1 else None

    largest_rows = [row for row in rows if row.routers == largest and not row.phase.startswith(SPREAD_PHASE)]
    title = (
        f"{args.services} services per router, {args.latency_ms:g} ms per answer, forks {args.forks}"
        f"{', plain API' if args.api == 'plain' else ', API-SSL'}"
    )
    picture = plot(rows, workdir / "fleet.png", f"Fleet run: {title}") if len(sizes) > 1 else None
    if picture is not None and args.publish is not None:
        args.publish.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(picture, args.publish)
    report = {
        "command": " ".join(["benchmarks/fleet.py", *(argv if argv is not None else sys.argv[1:])]),
        "routers": largest,
        "sizes": sizes,
        "services": args.services,
        "latency_ms": args.latency_ms,
        "forks": args.forks,
        "strategy": args.strategy,
        "api": args.api,
        "phase_limit_s": args.phase_limit_s,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "open_files": open_files},
        "ansible_core": _ansible_version(),
        "same_owned_rules": same_rules,
        # The largest size's rows (the full table) and their ratios; every size's in all_rows.
        "rows": [asdict(row) for row in largest_rows],
        "ratios": ratios(largest_rows),
        "all_rows": [asdict(row) for row in rows],
        "fits_wall": fits(rows),
        "fits_cpu": fits(rows, "cpu_s"),
        "spread": spread(rows),
        "skipped": skipped,
        "plot": str(picture) if picture else None,
    }
    (workdir / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(rows if len(sizes) > 1 else largest_rows, sweep=len(sizes) > 1))
    print()
    for name, value in report["ratios"].items():
        print(f"{name}: {value}")
    if report["fits_wall"]:
        print("\nwall = a + b x routers (least squares over the sizes; r2: how well the line fits)")
        for name, line in report["fits_wall"].items():
            cpu = report["fits_cpu"].get(name, {})
            print(
                f"  {name:40} b {line['b_ms_per_router']:8.2f} ms/router  a {line['a_s']:7.2f} s  r2 {line['r2']:.4f}"
                f"  (CPU: b {cpu.get('b_ms_per_router', 0):.2f} ms/router)  sizes {line['sizes']}"
            )
    if report["spread"]:
        ratio = report["spread"]["wall_ratio"]
        print(
            f"\nrole no-op / in-worker floor at {report['spread']['routers']} routers, {report['spread']['pairs']}"
            f" alternating pairs: median {ratio['median']}, min {ratio['min']}, max {ratio['max']}"
            f" (CPU: median {report['spread']['cpu_ratio']['median']})"
        )
    for line in skipped:
        print(f"skipped: {line}")
    if same_rules is not None:
        print(f"{', '.join(rule_sets)} made the same owned rules: {same_rules}")
    if picture is not None:
        print(f"plot: {picture}" + (f" (copied to {args.publish})" if args.publish else ""))
    print(f"\nresults: {workdir / 'results.json'}")
    return 0 if all(row.failed_hosts == 0 and row.usage.returncode == 0 for row in rows if not row.timed_out) else 1


def _floor_inventory(size_dir: Path, routers: int, service_count: int) -> Path:
    # The role's fleet and services (the floors need no router: nothing connects to the ports).
    group_vars = {"hairpin_api_username": USERNAME, **role_vars(services(service_count))}
    return write_inventory(size_dir / "floors" / "inventory", router_hosts(None, routers), group_vars)


def _canonical(line: str) -> str:
    words = line.split()
    return " ".join(sorted(word for word in words if word != "add"))


def _ansible_version() -> str:
    out = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False).stdout
    return out.splitlines()[0] if out else "?"


if __name__ == "__main__":
    raise SystemExit(main())

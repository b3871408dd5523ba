"""Large-table benchmark: a no-op run on a router with thousands of foreign NAT rules.

    .venv/bin/python benchmarks/large_table.py --foreign 5000 10000 --owned-services 25

For each size: a simulated router (the stock home router plus FOREIGN dstnat rules that are not
ours, answering after --latency-ms) gets OWNED_SERVICES port forwards with their hairpin rules
(2 owned rules each) in a first run; then the no-op run is measured two ways:

* engine      a fresh Python process runs what the action plugin runs in Ansible's worker
              (argument validation, one connection, the read, the plan: nothing to write),
              three times; reported: the median call's wall and CPU time, the simulator's CPU
              time for the three calls, and the process's peak RSS
* playbook    `ansible-playbook benchmarks/playbooks/nat_task.yml` for that one router;
              reported: wall and CPU time, peak PSS of the run, largest process RSS

Doubling the table should roughly double the engine's time (the planner is linear in the table).
Results: stdout and <workdir>/results.json (workdir: build/bench/large-table).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fleet import (
    BENCH,
    BIN,
    PASSWORD,
    SEED,
    USERNAME,
    ansible_env,
    api_vars,
    fleet,
    nat_options,
    router_hosts,
    services,
    use_checkout,
    write_inventory,
)
from measure import process_cpu_s, run_measured

# The engine's no-op call is timed this many times in one process (the median is reported).
REPEAT = 3


def seed_with_foreign_rules(path: Path, foreign: int) -> Path:
    """The stock home router plus `foreign` dstnat rules on another public address."""
    lines = [SEED.read_text(), "/ip firewall nat"]
    for index in range(foreign):
        port = 20000 + index
        host = f"192.168.1.{2 + index % 250}"
        lines.append(
            f'add action=dst-nat chain=dstnat comment="customer rule {index}" dst-address=198.51.100.7 '
            f"dst-port={port} protocol={'tcp' if index % 3 else 'udp'} to-addresses={host} to-ports={port}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def engine_args(port: int, ca: Path, owned_services: int) -> dict[str, Any]:
    options = nat_options(services(owned_services))
    return dict(
        hostname="127.0.0.1",
        port=port,
        username=USERNAME,
        password=PASSWORD,
        ca_path=str(ca),
        state="overridden",
        **options,
    )


def engine_once(args: dict[str, Any]) -> dict[str, Any]:
    """One call of the in-worker path, in this process (run by `large_table.py engine`)."""
    use_checkout()
    from ansible_collections.hairpin.routeros.plugins.modules.nat import module_spec, run
    from ansible_collections.hairpin.routeros.plugins.plugin_utils.in_worker import run_in_worker

    spec = module_spec()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    calls = []
    for _ in range(REPEAT):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run_in_worker(
            "hairpin.routeros.nat", spec, args, run, check_mode=False, diff=False, inject_invocation=False
        )
        calls.append((time.perf_counter() - start, time.process_time() - start_cpu))
    return {
        "seconds": statistics.median(wall for wall, _ in calls),
        "cpu_s": statistics.median(cpu for _, cpu in calls),
        "calls": len(calls),
        "changed": result.get("changed"),
        "failed": result.get("failed", False),
        "msg": result.get("msg"),
        "round_trips": result.get("round_trips"),
        "rss_after_imports_mb": rss_before / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_size(foreign: int, owned_services: int, latency_ms: float, workdir: Path, certs: Path) -> dict[str, Any]:
    size_dir = workdir / f"foreign-{foreign}"
    size_dir.mkdir(parents=True)
    seed = seed_with_foreign_rules(size_dir / "seed.rsc", foreign)
    with fleet(size_dir, 1, latency_ms, certs, seed=seed) as sim:
        inventory = write_inventory(
            size_dir / "inventory",
            router_hosts(sim, 1),
            {**api_vars(sim), "hairpin_bench_nat": nat_options(services(owned_services))},
        )
        playbook = [str(BIN / "ansible-playbook"), str(BENCH / "playbooks" / "nat_task.yml"), "-i", str(inventory)]
        first = run_measured(playbook, env=ansible_env(size_dir), cwd=size_dir, log=size_dir / "first.log")
        assert first.returncode == 0, (size_dir / "first.log").read_text()[-3000:]

        args_file = size_dir / "engine-args.json"
        args_file.write_text(json.dumps(engine_args(sim.ports[0], sim.ca, owned_services)))
        out = size_dir / "engine.json"
        engine = [sys.executable, str(Path(__file__)), "engine", str(args_file), str(out)]
        simulator_cpu = process_cpu_s(sim.pid)
        engine_usage = run_measured(engine, env=os.environ, cwd=size_dir, log=size_dir / "engine.log")
        simulator_cpu = (process_cpu_s(sim.pid) - simulator_cpu) / REPEAT  # per call
        assert engine_usage.returncode == 0, (size_dir / "engine.log").read_text()[-3000:]
        engine_result = json.loads(out.read_text())
        assert engine_result["changed"] is False and not engine_result["failed"], engine_result

        noop = run_measured(playbook, env=ansible_env(size_dir), cwd=size_dir, log=size_dir / "noop.log")
        assert noop.returncode == 0, (size_dir / "noop.log").read_text()[-3000:]
        rules = foreign + 2 * owned_services + 1  # + the stock router's own masquerade
        return {
            "foreign_rules": foreign,
            "owned_rules": 2 * owned_services,
            "table_rules": rules,
            "engine": {
                **engine_result,
                "process_wall_s": engine_usage.wall_s,
                "process_cpu_s": engine_usage.cpu_s,
                "simulator_cpu_s": simulator_cpu,
            },
            "playbook_noop": {
                "wall_s": noop.wall_s,
                "cpu_s": noop.cpu_s,
                "peak_pss_mb": noop.peak_pss_mb,
                "max_rss_mb": noop.max_rss_mb,
            },
        }


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["engine"]:
        args_file, out = argv[1:3]
        Path(out).write_text(json.dumps(engine_once(json.loads(Path(args_file).read_text()))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--foreign", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument("--owned-services", type=int, default=25)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    workdir = (args.workdir or Path(__file__).resolve().parents[1] / "build" / "bench" / "large-table").resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    certs = workdir / "certs"
    subprocess.run([str(BIN / "routeros-sim"), "certs", f"--dir={certs}"], check=True, capture_output=True)

    sizes = [measure_size(n, args.owned_services, args.latency_ms, workdir, certs) for n in args.foreign]
    print(
        "| foreign rules | owned rules | engine no-op wall s | engine CPU s | simulator CPU s | engine peak RSS MB"
        " | playbook no-op wall s | playbook CPU s | playbook peak PSS MB | largest process RSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        engine, noop = size["engine"], size["playbook_noop"]
        print(
            f"| {size['foreign_rules']} | {size['owned_rules']} "
            f"| {engine['seconds']:.2f} | {engine['cpu_s']:.2f} | {engine['simulator_cpu_s']:.2f} "
            f"| {engine['peak_rss_mb']:.0f} "
            f"| {noop['wall_s']:.2f} | {noop['cpu_s']:.2f} | {noop['peak_pss_mb']:.0f} | {noop['max_rss_mb']:.0f} |"
        )
    growth = {}
    for small, large in zip(sizes, sizes[1:]):
        key = f"{large['foreign_rules']} / {small['foreign_rules']} foreign"
        growth[key] = {
            what: round(large["engine"][what] / small["engine"][what], 2)
            for what in ("seconds", "cpu_s", "simulator_cpu_s")
        }
        print(
            f"{key}: engine wall x{growth[key]['seconds']}, engine CPU x{growth[key]['cpu_s']}, "
            f"simulator CPU x{growth[key]['simulator_cpu_s']}"
        )
    report = {
        "command": " ".join(["benchmarks/large_table.py", *argv]),
        "latency_ms": args.latency_ms,
        "sizes": sizes,
        "engine_time_growth": growth,
    }
    (workdir / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {workdir / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

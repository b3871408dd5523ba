"""Where the role's no-op run spends the controller's CPU beyond Ansible's in-worker floor.

    .venv/bin/python benchmarks/role_cost.py [--routers 200] [--rounds 3] [--api tls|plain]

One simulated fleet as fleet.py makes it (N routers x 20 services, 50 ms per answer, forks 50),
converged once by the role. Then, `--rounds` times in turn, a no-op run of each step below on
the same inventory; each step adds one part of the role's work to the one before it:

  floor: debug           ansible.builtin.debug per router (fleet.py's in-worker floor)
  task, returns at once  the services task (from_variables, connection: local) with an action
                         that returns at once (cost_plugins/hairpin_cost_task.py): Ansible's
                         own cost of the task
  + options checked      the collection's action up to its engine: options from the variables,
                         checked against the module's argument spec (hairpin_cost_checked.py)
  + engine               hairpin.routeros.services itself: connect, log in, read, plan
  + register             the task with `register: hairpin_result`, as the role's task has it
  playbook               ansible-playbook hairpin.routeros.hairpin: the role's task file,
                         imported without the role, and a templated `hosts:`
  a play with the role   the role imported as users' own plays import it (import_role,
                         rolespec_validate: false): the role's defaults and its role_complete

For each step: the median wall and CPU seconds of ansible-playbook and what it started, the
simulator's CPU seconds (the routers' work, on the same cores), and the step's CPU per router
over the step before it. Results in <workdir>/results.json (default build/bench/role-cost).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import fleet
import yaml

# The collection's playbook, and its role (the same name).
PLAYBOOK = "hairpin.routeros.hairpin"
# (name, the step's task or playbook); the first three must not contact a router.
STEPS: list[tuple[str, Any]] = [
    ("floor: debug", "floor"),
    ("task, returns at once", {"hairpin_cost_task": {"from_variables": "hairpin"}}),
    ("+ options checked", {"hairpin_cost_checked": {"from_variables": "hairpin"}}),
    ("+ engine", {"hairpin.routeros.services": {"from_variables": "hairpin"}}),
    ("+ register", {"hairpin.routeros.services": {"from_variables": "hairpin"}, "register": "hairpin_result"}),
    ("playbook", PLAYBOOK),
    ("a play with the role", {"ansible.builtin.import_role": {"name": PLAYBOOK, "rolespec_validate": False}}),
]

_OFFLINE = {name for name, _task in STEPS[:3]}


def step_playbook(workdir: Path, index: int, task: Any) -> str:
    """What ansible-playbook runs for a step: the floor's playbook, the collection's, or one task."""
    if task == "floor":
        return str(fleet.BENCH / "playbooks" / fleet.FLOORS[1][1])
    if isinstance(task, str):
        return task
    play = {
        "name": "One step of the role's cost",
        "hosts": "routers",
        "gather_facts": False,
        "tasks": [{"name": "The step's task", **task, "connection": "local"}],
    }
    path = workdir / "playbooks" / f"step-{index}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routers", type=int, default=200)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--api", choices=("tls", "plain"), default="tls")
    parser.add_argument("--workdir", type=Path, default=fleet.REPO / "build" / "bench" / "role-cost")
    args = parser.parse_args(argv)
    fleet.use_checkout()
    fleet.raise_open_files_limit()
    workdir = args.workdir.resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    certs = workdir / "certs"
    subprocess.run([str(fleet.BIN / "routeros-sim"), "certs", f"--dir={certs}"], check=True, capture_output=True)
    # The stub actions of the first two steps (the playbooks are written in workdir).
    os.environ["ANSIBLE_ACTION_PLUGINS"] = str(fleet.BENCH / "cost_plugins")
    print(
        f"{args.routers} routers x {args.services} services, {args.latency_ms:g} ms per answer, forks {args.forks}, "
        f"API {args.api}, {args.rounds} rounds",
        flush=True,
    )
    runs: dict[str, list[fleet.Row]] = {name: [] for name, _task in STEPS}
    with fleet.fleet(workdir / "fleet", args.routers, args.latency_ms, certs, tls=args.api == "tls") as sim:
        group_vars = {**fleet.api_vars(sim), **fleet.role_vars(fleet.services(args.services))}
        inventory = fleet.write_inventory(workdir / "inventory", fleet.router_hosts(sim, args.routers), group_vars)
        targets = [step_playbook(workdir, index, task) for index, (_name, task) in enumerate(STEPS)]
        first = fleet.playbook("playbook", "first converge", PLAYBOOK, inventory, workdir, args.forks, sim)
        if first.failed_hosts:
            raise SystemExit(f"the first converge failed on {first.failed_hosts} routers (logs in {workdir / 'logs'})")
        for round_index in range(1, args.rounds + 1):
            for (name, _task), target in zip(STEPS, targets):
                row = fleet.playbook(name, f"round {round_index}", target, inventory, workdir, args.forks, sim)
                if row.failed_hosts or row.usage.returncode:
                    raise SystemExit(f"{name}: {row.failed_hosts} routers failed (logs in {workdir / 'logs'})")
                connections = row.per_router["connections"]
                expected = 0 if name in _OFFLINE else 1
                if (connections["max"], connections["mean"]) != (expected, expected):
                    raise SystemExit(f"{name}: {connections} connections per router, expected {expected}")
                runs[name].append(row)
    steps = summarise(runs, args.routers)
    report = {
        "command": " ".join(["benchmarks/role_cost.py", *(argv if argv is not None else sys.argv[1:])]),
        "routers": args.routers,
        "services": args.services,
        "latency_ms": args.latency_ms,
        "forks": args.forks,
        "api": args.api,
        "rounds": args.rounds,
        "steps": steps,
        "runs": {name: [asdict(row) for row in rows] for name, rows in runs.items()},
    }
    (workdir / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(steps))
    print(f"\nresults: {workdir / 'results.json'}")
    return 0


def summarise(runs: dict[str, list[fleet.Row]], routers: int) -> list[dict[str, Any]]:
    """Per step: medians of wall, CPU and simulator CPU; CPU ms per router over the step before
    and over the floor; wall time over the floor's."""
    steps: list[dict[str, Any]] = []
    for name, rows in runs.items():
        cpu = statistics.median(row.usage.cpu_s for row in rows)
        step = {
            "step": name,
            "wall_s": round(statistics.median(row.usage.wall_s for row in rows), 2),
            "cpu_s": round(cpu, 2),
            "simulator_cpu_s": round(statistics.median(row.per_router["simulator_cpu_s"] for row in rows), 2),
            "cpu_ms_per_router_over_previous": None,
            "cpu_ms_per_router_over_floor": None,
        }
        if steps:
            step["cpu_ms_per_router_over_previous"] = round((cpu - steps[-1]["cpu_s"]) * 1000 / routers, 1)
            step["cpu_ms_per_router_over_floor"] = round((cpu - steps[0]["cpu_s"]) * 1000 / routers, 1)
        steps.append(step)
    for step in steps:
        step["wall_over_floor"] = round(step["wall_s"] / steps[0]["wall_s"], 2)
    return steps


def table(steps: list[dict[str, Any]]) -> str:
    lines = [
        "| step | wall s | wall / floor | CPU s | simulator CPU s | CPU ms/router: over the step before "
        "| over the floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for step in steps:
        before = step["cpu_ms_per_router_over_previous"]
        floor = step["cpu_ms_per_router_over_floor"]
        lines.append(
            f"| {step['step']} | {step['wall_s']:.2f} | {step['wall_over_floor']:.2f} | {step['cpu_s']:.2f} "
            f"| {step['simulator_cpu_s']:.2f} | {'-' if before is None else f'{before:+.1f}'} "
            f"| {'-' if floor is None else f'{floor:+.1f}'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

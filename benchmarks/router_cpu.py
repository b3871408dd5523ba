"""Controller CPU of one router's no-op run, the engine alone, in this process:

    .venv/bin/python benchmarks/router_cpu.py [--runs 100] [--profile] [--checkout DIR]

Serves the fleet benchmark's stock router (`routeros-sim serve`, TLS, no latency) with the fleet
benchmark's 20 services, converges it once, then times `--runs` no-op runs of the services
module's engine (options validated as the action plugin validates them, the run loop through a
minimal module adapter) and prints the CPU milliseconds per run; `--profile` adds the 35
costliest calls. `--checkout DIR` measures another checkout (a `git worktree` of an older commit,
its build/collections linked as benchmarks/README.md shows) with this `.venv`.

`--fork` runs each no-op in a new child of a process that has only imported the action plugin,
as Ansible's main process has when it forks a worker per router: the child's CPU time (from
wait4) is what a router costs in a fleet run's worker, with every cache and page of the process
cold, where the default figure is of a process that has run the engine many times. With
`--per-child 2` each child runs two no-ops: the difference from `--per-child 1` is what a second
no-op costs a process that has just made its first.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class _Ended(BaseException):
    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__()
        self.result = result


class _Module:
    """What the run loop needs of a module (runner.ModuleLike)."""

    check_mode = False
    _diff = False

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params

    def warn(self, warning: str) -> None:
        pass

    def exit_json(self, **result: Any) -> None:
        raise _Ended(result)

    def fail_json(self, msg: str, **result: Any) -> None:
        raise _Ended(dict(result, msg=msg, failed=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--fork", action="store_true", help="each run in a new child process, as in Ansible's worker")
    parser.add_argument("--per-child", type=int, default=1, help="with --fork: no-op runs in each child")
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    repo = args.checkout.resolve()
    for path in (repo / "build" / "collections", repo / "benchmarks", repo):
        sys.path.insert(0, str(path))
    os.chdir(repo)

    import fleet
    from ansible_collections.hairpin.routeros.plugins.module_utils.options import services_module_spec
    from ansible_collections.hairpin.routeros.plugins.module_utils.services import run_services
    from ansible_collections.hairpin.routeros.plugins.plugin_utils.in_worker import validated

    from tests.support.simulator import USERNAME, serve_process

    def run(params: dict[str, Any]) -> dict[str, Any]:
        try:
            run_services(_Module(dict(params)))
        except _Ended as ended:
            return ended.result
        raise AssertionError("the run loop ended without a result")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        served = serve_process(
            work, state_path=work / "router.json", cert_dir=work / "certs", password=fleet.PASSWORD, seed=fleet.SEED
        )
        with served as simulator:
            variables = fleet.role_vars(fleet.services(20))
            options = {name[len("hairpin_") :]: value for name, value in variables.items()}
            options.update(
                hostname="127.0.0.1",
                port=simulator.tls_ports[0],
                username=USERNAME,
                password=fleet.PASSWORD,
                ca_path=str(work / "certs" / "ca.pem"),
            )
            params = validated("hairpin.routeros.services", services_module_spec(), options)[0]
            if args.fork:
                # What Ansible's main process does with the engine before it forks: import the
                # action plugin (and with it the rehearsal of services.rehearse), nothing more.
                import ansible_collections.hairpin.routeros.plugins.action.services  # noqa: F401

                _in_child(lambda: _converged(run(params)))
                per_child = max(1, args.per_child)

                def no_ops() -> None:
                    for _ in range(per_child):
                        _unchanged(run(params))

                elapsed, stats, split = _forked_runs(no_ops, args.runs, args.profile)
            else:
                _converged(run(params))
                profile = cProfile.Profile() if args.profile else None
                started = time.process_time()
                if profile:
                    profile.enable()
                for _ in range(args.runs):
                    result = run(params)
                if profile:
                    profile.disable()
                elapsed = time.process_time() - started
                _unchanged(result)
                stats = pstats.Stats(profile) if profile else None
    where = "each in a new child process" if args.fork else "in this process"
    unit = "per no-op run"
    if args.fork and args.per_child > 1:
        where, unit = "children", f"per child of {args.per_child} no-op runs"
    print(f"{repo}: {elapsed * 1000 / args.runs:.1f} ms of CPU {unit} ({args.runs} {where})")
    if args.fork:
        idle = _in_child(lambda: None)
        print(
            f"  per child: {split.ru_utime * 1000 / args.runs:.1f} ms user, {split.ru_stime * 1000 / args.runs:.1f} ms"
            f" system, {split.ru_minflt / args.runs:.0f} page faults (a child that does nothing:"
            f" {(idle.ru_utime + idle.ru_stime) * 1000:.1f} ms, {idle.ru_minflt} page faults)"
        )
    if stats is not None:
        text = io.StringIO()
        stats.stream = text
        stats.sort_stats("cumulative").print_stats(35)
        print(text.getvalue())
    return 0


def _converged(result: dict[str, Any]) -> None:
    if not result.get("changed") or result.get("failed"):
        raise SystemExit(f"the first run did not converge the router: {result}")


def _unchanged(result: dict[str, Any]) -> None:
    if result.get("changed") is not False or result.get("failed"):
        raise SystemExit(f"the no-op run changed something or failed: {result}")


def _in_child(work: Any, profile_path: Path | None = None) -> Any:
    """Run `work` in a new child of this process; the child's resource usage (wait4)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            profile = cProfile.Profile() if profile_path else None
            if profile:
                profile.enable()
            work()
            if profile:
                profile.disable()
                profile.dump_stats(str(profile_path))
            code = 0
        except BaseException as failure:  # said here: the parent sees only the exit code
            print(failure, file=sys.stderr)
        finally:
            os._exit(code)  # as Ansible's worker ends: no clean-up of what the parent left
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("the run in the child process failed (its message is above)")
    return usage


class _Split:
    """User and system CPU seconds and minor page faults, summed over children."""

    def __init__(self) -> None:
        self.ru_utime = self.ru_stime = 0.0
        self.ru_minflt = 0

    def add(self, usage: Any) -> None:
        self.ru_utime += usage.ru_utime
        self.ru_stime += usage.ru_stime
        self.ru_minflt += usage.ru_minflt


def _forked_runs(work: Any, runs: int, profiled: bool) -> tuple[float, pstats.Stats | None, _Split]:
    """CPU seconds of `runs` runs of `work`, each in a new child; with `profiled`, their profiles
    summed; the user, system and page-fault split of the children."""
    split = _Split()
    stats = None
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(runs):
            path = Path(tmp) / f"{index}.prof" if profiled else None
            split.add(_in_child(work, path))
            if path is not None:
                if stats is None:
                    stats = pstats.Stats(str(path), stream=io.StringIO())
                else:
                    stats.add(str(path))
    return split.ru_utime + split.ru_stime, stats, split


if __name__ == "__main__":
    sys.exit(main())

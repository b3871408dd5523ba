"""Controller CPU of one router's no-op run, the engine alone, in this process:

    .venv/bin/python benchmarks/router_cpu.py [--runs 100] [--profile] [--checkout DIR]

Serves the fleet benchmark's stock router (`routeros-sim serve`, TLS, no latency) with the fleet
benchmark's 20 services, converges it once, then times `--runs` no-op runs of the services
module's engine (options validated as the action plugin validates them, the run loop through a
minimal module adapter) and prints the CPU milliseconds per run; `--profile` adds the 35
costliest calls. `--checkout DIR` measures another checkout (a `git worktree` of an older commit,
its build/collections linked as benchmarks/README.md shows) with this `.venv`.
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
            first = run(params)
            assert first.get("changed") and not first.get("failed"), first
            profile = cProfile.Profile() if args.profile else None
            started = time.process_time()
            if profile:
                profile.enable()
            for _ in range(args.runs):
                result = run(params)
            if profile:
                profile.disable()
            elapsed = time.process_time() - started
            assert result.get("changed") is False and not result.get("failed"), result
    print(f"{repo}: {elapsed * 1000 / args.runs:.1f} ms of CPU per no-op run ({args.runs} runs)")
    if profile:
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(35)
        print(text.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""ansible-playbook with a cProfile profile of the main process and of every forked worker:

    .venv/bin/python benchmarks/profile_workers.py OUTDIR [ansible-playbook arguments...]
    .venv/bin/python benchmarks/profile_workers.py --report OUTDIR [--top 40]

The first form runs the playbook as `ansible-playbook` would (`fleet.py --profile` does it for its
runs) and writes OUTDIR/main.prof and OUTDIR/worker-<pid>.prof, one per worker (a worker runs one
task for one host; it ends with os._exit, so its profile is written when its task is done). The
second prints the workers' profiles summed, by own time and by cumulative time, and the
main process's, with the number of workers, so a figure can be read per router.

By default a profile holds wall-clock time (a worker waiting on its router counts); with
HAIRPIN_PROFILE_CLOCK=cpu in the environment it holds CPU time (time.process_time), which is what
a cut has to lower when the controller's cores are the limit. Either clock adds the profiler's
own cost to every call, so read the shares, not the totals.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

_CLOCK = time.process_time if os.environ.get("HAIRPIN_PROFILE_CLOCK") == "cpu" else time.perf_counter
_MAIN = cProfile.Profile(_CLOCK)


def _profiled_run(out: Path) -> None:
    from ansible.executor.process import worker

    original = worker.WorkerProcess._run

    def _run(self: object) -> None:
        # The worker inherits the main process's profiler, running: stop it, start its own.
        _MAIN.disable()
        profile = cProfile.Profile(_CLOCK)
        profile.enable()
        try:
            original(self)
        finally:
            profile.disable()
            profile.dump_stats(str(out / f"worker-{os.getpid()}.prof"))

    worker.WorkerProcess._run = _run  # type: ignore[method-assign]


def run(out: Path, arguments: list[str]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    _profiled_run(out)
    from ansible.cli.playbook import main as playbook_main

    sys.argv = ["ansible-playbook", *arguments]
    _MAIN.enable()
    try:
        playbook_main()
    except SystemExit as done:
        return int(done.code or 0)
    finally:
        _MAIN.disable()
        _MAIN.dump_stats(str(out / "main.prof"))
    return 0


def report(out: Path, top: int) -> str:
    workers = sorted(out.glob("worker-*.prof"))
    text = io.StringIO()
    print(f"{len(workers)} worker profiles in {out}", file=text)
    if workers:
        stats = pstats.Stats(*map(str, workers), stream=text)
        stats.files = []  # (print_stats would name every worker's file first)
        print(f"workers, total {stats.total_tt:.2f} s ({stats.total_tt * 1000 / len(workers):.1f} ms each)", file=text)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
    main_prof = out / "main.prof"
    if main_prof.exists():
        stats = pstats.Stats(str(main_prof), stream=text)
        print(f"main process, total {stats.total_tt:.2f} s", file=text)
        stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--report":
        parser = argparse.ArgumentParser()
        parser.add_argument("--report", type=Path, required=True)
        parser.add_argument("--top", type=int, default=40)
        args = parser.parse_args(argv)
        print(report(args.report, args.top))
        return 0
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    return run(Path(argv[0]).resolve(), argv[1:])


if __name__ == "__main__":
    sys.exit(main())

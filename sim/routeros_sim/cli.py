"""The ``routeros-sim`` command: ``serve``, ``export``, ``import``, ``certs``, ``stats``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .certs import ensure_certs, server_ssl_context
from .clock import ScaledClock
from .server import Fault, Simulator, stats_path_for


def state_file_for(base: str | os.PathLike[str], index: int, count: int) -> Path:
    """State file of router ``index`` (1-based): ``base`` alone, or ``nat-001.json`` in a fleet."""
    path = Path(base)
    if count == 1:
        return path
    return path.with_name(f"{path.stem}-{index:03d}{path.suffix}")


def parse_fault(spec: str) -> tuple[Fault, int | None]:
    """``KIND:N`` for every router, or ``KIND:N@R`` for router R (1-based) only."""
    body, at, router = spec.partition("@")
    if at and not router.isdigit():
        raise argparse.ArgumentTypeError(f"fault {spec!r}: the router after '@' must be a number")
    try:
        fault = Fault.parse(body)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return fault, int(router) if at else None


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# serve


async def _serve(args: argparse.Namespace) -> int:
    from . import state  # the model is only needed by the commands that use it

    count: int = args.count
    faults: list[tuple[Fault, int | None]] = args.fault or []
    for _, router_index in faults:
        if router_index is not None and not 1 <= router_index <= count:
            raise SystemExit(f"routeros-sim: fault for router {router_index}, but --count is {count}")

    routers = []
    for index in range(1, count + 1):
        path = state_file_for(args.state, index, count)
        router = state.load_router(path, seed=args.seed, version=args.ros_version)
        for package in args.disable_package or ():
            if package not in router.disabled_packages:
                try:
                    router.disable_package(package)
                except ValueError as exc:
                    raise SystemExit(f"routeros-sim: --disable-package: {exc}") from None
        if args.clock_speed != 1:
            router.clock = ScaledClock(args.clock_speed)
            router.booted = router.clock()
        # Given to the simulator, so one pipelined batch of writes is saved once, not once per write.
        keeper = state.attach_persistence(router, path)
        routers.append((router, path, keeper))

    ssl_context = None
    if args.tls_port is not None:
        ssl_context = server_ssl_context(ensure_certs(args.cert_dir, args.cert_hostname or ()))

    ready_file: Path | None = args.ready_file
    if ready_file is not None:
        # A stale file from an earlier run must not tell a waiting script that we are up.
        ready_file.unlink(missing_ok=True)

    simulator = Simulator(
        routers,
        host=args.listen,
        port=args.port,
        tls_port=args.tls_port,
        ssl_context=ssl_context,
        username=args.username,
        password=args.password,
        latency_ms=args.latency_ms,
        request_log=args.request_log,
    )
    for fault, router_index in faults:
        for site in simulator.sites:
            if router_index is None or router_index == site.index:
                site.add_fault(fault)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    try:
        await simulator.start()
    except OSError as exc:
        print(f"routeros-sim: cannot listen: {exc}", file=sys.stderr)
        return 1
    description = simulator.describe()
    for site in simulator.sites:
        tls = f", API-SSL port {site.tls_port}" if site.tls_port is not None else ""
        print(
            f"routeros-sim: router {site.index} listening on {args.listen} port {site.port}{tls} "
            f"(state {site.state_path})",
            file=sys.stderr,
            flush=True,
        )
    try:
        if ready_file is not None:
            _write_json_atomic(ready_file, description)
        await stop.wait()
    finally:
        await simulator.stop()
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)
    return 0


# --------------------------------------------------------------------------------------------
# export / import / certs / stats


def _export(args: argparse.Namespace) -> int:
    from . import rsc, state

    if not Path(args.state).exists():
        print(f"routeros-sim: {args.state}: no such state file", file=sys.stderr)
        return 1
    router = state.load_router(args.state, version=args.ros_version)
    sys.stdout.write(rsc.export(router))
    return 0


def _import(args: argparse.Namespace) -> int:
    from . import rsc, state

    text = Path(args.script).read_text(encoding="utf-8")
    try:
        if Path(args.state).exists() or args.seed is not None:
            router = state.load_router(args.state, seed=args.seed, version=args.ros_version)
            rsc.run_script(router, text)
        else:
            # A new state file is the router the script comes from: its version and its model's ports.
            router, _ = rsc.load_export(text, args.ros_version)
    except rsc.ScriptError as exc:
        # Nothing is saved: a script either applies whole or leaves the state file untouched.
        print(f"routeros-sim: {args.script}: {exc}", file=sys.stderr)
        return 1
    state.save_router(router, args.state)
    return 0


def _certs(args: argparse.Namespace) -> int:
    paths = ensure_certs(args.dir, args.hostname or ())
    print(json.dumps({"ca": str(paths.ca), "cert": str(paths.cert), "key": str(paths.key)}, indent=2))
    return 0


def _stats(args: argparse.Namespace) -> int:
    result: dict[str, Any] = {}
    for index in range(1, args.count + 1):
        state_path = state_file_for(args.state, index, args.count)
        path = stats_path_for(state_path)
        try:
            result[str(state_path)] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            print(f"routeros-sim: {path}: no counters (has this router been served?)", file=sys.stderr)
            return 1
    print(json.dumps(result if args.count > 1 else result[str(args.state)], indent=2, sort_keys=True))
    return 0


# --------------------------------------------------------------------------------------------
# argument parsing


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


SEED_HELP = (
    "initial configuration when the state file does not exist: a .rsc/.json file or a stock seed, "
    "stock-home-router, routeros7-defconf (RouterOS 7 as shipped) or routeros6-defconf (RouterOS 6.49)"
)


def _seed(text: str) -> Path:
    from . import state

    return state.seed_path(text)


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a TCP port")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="routeros-sim", description="RouterOS API simulator")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the RouterOS API (plain and API-SSL)")
    serve.add_argument("--listen", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8728, help="API port of router 1; router i uses PORT+i-1")
    serve.add_argument("--tls-port", type=_port, help="API-SSL port of router 1 (needs --cert-dir)")
    serve.add_argument("--cert-dir", type=Path, help="CA and server certificate (created when missing)")
    serve.add_argument("--cert-hostname", action="append", help="extra name for the server certificate")
    serve.add_argument("--state", required=True, type=Path, help="state file (.json or .rsc)")
    serve.add_argument("--seed", type=_seed, help=SEED_HELP)
    serve.add_argument("--username", default="admin")
    serve.add_argument("--password", default="")
    serve.add_argument("--ros-version", help="RouterOS version to simulate for a new state file")
    serve.add_argument(
        "--disable-package",
        action="append",
        choices=["ipv6"],
        help="RouterOS 6: run without this package, as after /system package disable and a reboot",
    )
    serve.add_argument("--latency-ms", type=_non_negative, default=0, help="delay before every answer")
    serve.add_argument(
        "--clock-speed",
        type=_positive_float,
        default=1.0,
        help="router seconds per real second for the scheduler and /system clock (default 1: real time)",
    )
    serve.add_argument("--count", type=_positive_int, default=1, help="number of routers (a fleet)")
    serve.add_argument(
        "--fault",
        action="append",
        type=parse_fault,
        metavar="KIND:N[@ROUTER]",
        help="drop-before-write:N, drop-after-write:N, trap-on-command:N or stall-on-command:N",
    )
    serve.add_argument("--request-log", type=Path, help="append every command here as JSON lines")
    serve.add_argument("--ready-file", type=Path, help="written with the bound ports once listening")
    serve.set_defaults(func=None)

    export = commands.add_parser("export", help="print a state file as RouterOS /export text")
    export.add_argument("--state", required=True, type=Path)
    export.add_argument("--ros-version", help="version to assume for a .rsc state file")
    export.set_defaults(func=_export)

    importer = commands.add_parser("import", help="apply a RouterOS script to a state file")
    importer.add_argument("--state", required=True, type=Path)
    importer.add_argument("--seed", type=_seed, help=SEED_HELP)
    importer.add_argument("--ros-version", help="RouterOS version for a new state file")
    importer.add_argument("script", type=Path, help="the .rsc script")
    importer.set_defaults(func=_import)

    certs = commands.add_parser("certs", help="create (or reuse) a test CA and server certificate")
    certs.add_argument("--dir", required=True, type=Path)
    certs.add_argument("--hostname", action="append", help="extra name for the server certificate")
    certs.set_defaults(func=_certs)

    stats = commands.add_parser("stats", help="print a router's counters")
    stats.add_argument("--state", required=True, type=Path)
    stats.add_argument("--count", type=_positive_int, default=1, help="fleet size the state file was served with")
    stats.set_defaults(func=_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="routeros-sim: %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        if args.tls_port is not None and args.cert_dir is None:
            parser.error("--tls-port needs --cert-dir")
        return asyncio.run(_serve(args))
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())

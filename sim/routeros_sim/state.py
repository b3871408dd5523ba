"""Keeping a Router in a file: ``.json`` (the model's own snapshot) or ``.rsc`` (``/export`` text).

A state file is rewritten after every successful write, atomically (a temp file in the same
directory, fsync, ``os.replace``, fsync of the directory), so a reader sees the old state or the
new one, never a mix. ``.json`` keeps everything (``.id`` values, counters of ids); ``.rsc`` keeps
what ``/export`` shows, so ids are handed out afresh when it is loaded again.

The server answers a pipelined batch of commands in one go; inside :meth:`Persistence.deferred`
the writes of that batch are saved once, when the batch is done and before its replies are sent,
instead of once per write.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Union

from . import rsc
from .router import Router

__all__ = [
    "ROUTEROS6_DEFCONF_SEED",
    "ROUTEROS7_DEFCONF_SEED",
    "SEEDS",
    "STOCK_SEED",
    "Persistence",
    "StateFormatError",
    "attach_persistence",
    "load_router",
    "save_router",
    "seed_path",
]

PathLike = Union[str, "os.PathLike[str]"]

#: The configuration the demo starts from: a defconf home router, LAN 192.168.1.0/24 on
#: ``bridge``, WAN ``ether1`` with 203.0.113.1/24.
STOCK_SEED = Path(__file__).parent / "data" / "stock-home-router.rsc"
#: A hAP ax^2 as RouterOS 7 ships it: defconf, WAN ``ether1`` by DHCP (203.0.113.10/24), /ip service as shipped.
ROUTEROS7_DEFCONF_SEED = STOCK_SEED.with_name("routeros7-defconf.rsc")
#: A hAP ac^2 as RouterOS 6.49 ships it: defconf, WAN ``ether1`` by DHCP (203.0.113.10/24), /ip service as shipped.
ROUTEROS6_DEFCONF_SEED = STOCK_SEED.with_name("routeros6-defconf.rsc")
#: The seeds by the names ``routeros-sim --seed`` accepts.
SEEDS = {
    "stock-home-router": STOCK_SEED,
    "routeros7-defconf": ROUTEROS7_DEFCONF_SEED,
    "routeros6-defconf": ROUTEROS6_DEFCONF_SEED,
}


def seed_path(name: PathLike) -> Path:
    """A seed by its name in :data:`SEEDS` (``routeros7-defconf``), or else the path given."""
    return SEEDS.get(str(name), Path(name))


class StateFormatError(ValueError):
    """A state or seed file that is neither ``.json`` nor ``.rsc``, or that cannot be loaded (names the file)."""


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".rsc"):
        raise StateFormatError(f"{path}: state files end in .json or .rsc, not {suffix or 'nothing'!r}")
    return suffix[1:]


def _read(path: Path, version: str | None) -> Router:
    """A Router from ``path``.

    ``.rsc``: the script run on ``Router.empty(v)``, where ``v`` is ``version``, else the version
    the export's header names, else the default, with the ports of the header's model
    (``rsc.load_export``). ``.json``: the stored router; ``version``, when given, replaces the
    stored one.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StateFormatError(f"{path}: cannot read: {exc}") from exc
    if _format_of(path) == "json":
        try:
            data: dict[str, Any] = json.loads(text)
            if version is not None:
                data = {**data, "version": version}
            return Router.from_json(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise StateFormatError(f"{path}: not a routeros-sim state: {exc}") from exc
    try:
        router, _ = rsc.load_export(text, version)
    except (rsc.ScriptError, ValueError) as exc:
        raise StateFormatError(f"{path}: {exc}") from exc
    return router


def load_router(path: PathLike, seed: PathLike | None = None, version: str | None = None) -> Router:
    """The Router kept in ``path`` (``.json`` or ``.rsc``).

    If ``path`` does not exist: ``Router.empty(version)``, with ``seed`` (``.rsc`` or ``.json``)
    loaded into it when given. An existing ``.json`` keeps its stored version; for ``.rsc`` files
    ``version`` is used, else the version the export's header names, else the default.
    Nothing is written; ``attach_persistence`` and ``save_router`` do that.
    Raises StateFormatError (a ValueError naming the file) for a file that cannot be loaded.
    """
    state = Path(path)
    _format_of(state)
    if state.exists():
        return _read(state, None if _format_of(state) == "json" else version)
    if seed is not None:
        return _read(Path(seed), version)
    return Router.empty(version) if version else Router.empty()


def save_router(router: Router, path: PathLike) -> None:
    """Write ``router`` to ``path`` in the format its suffix names, atomically."""
    target = Path(path)
    as_json = _format_of(target) == "json"
    _atomic_write(target, _json_text(router.to_json()) if as_json else rsc.export(router))


def _json_text(snapshot: dict[str, Any]) -> str:
    # JSON's ASCII escapes keep values read from "\XX" bytes that are not UTF-8 (lone surrogates) intact.
    # Indented because people read and diff state files: for a router with 40 NAT rules, compact JSON
    # would save ~0.01 ms of the ~0.1 ms a dump takes, once per batch.
    return json.dumps(snapshot, indent=2) + "\n"


class Persistence:
    """Keeps ``router`` saved to ``path``: what :func:`attach_persistence` sets up and returns.

    Every successful write (an ``on_change`` call) is saved before the router's ``execute``
    returns, unless it happens on a thread that is inside :meth:`deferred`: then it is saved once,
    when that block ends. Writes made on other threads meanwhile (a test patching the router) are
    still saved at once. Saves from several threads never put an older state over a newer one.
    """

    def __init__(self, router: Router, path: PathLike) -> None:
        self.router = router
        self.path = Path(path)
        self._format = _format_of(self.path)
        # Changes seen (on_change calls), and how many of them the file is known to hold.
        self._changes = 0
        self._saved = 0
        self._deferring = threading.local()  # .depth: how many deferred() blocks this thread is in
        self._write_lock = threading.Lock()

    @property
    def dirty(self) -> bool:
        """True while the router has changes the file does not hold."""
        return self._changes != self._saved

    def _changed(self, router: Router) -> None:
        self._changes += 1
        if not getattr(self._deferring, "depth", 0):
            self.flush()

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Within the block, this thread's writes are saved once, when it ends (also on error).

        The save's own error (``OSError``: disk full, ...) propagates from the ``with``; the
        changes stay unsaved (:attr:`dirty`) and the next save tries again.
        """
        depth = getattr(self._deferring, "depth", 0)
        self._deferring.depth = depth + 1
        try:
            yield
        finally:
            self._deferring.depth = depth
            if not depth:
                self.flush()

    def flush(self) -> None:
        """Save the router now if it has changed since the last save."""
        changes = self._changes
        if changes == self._saved:
            return
        # ``to_json`` holds the router's lock, so the snapshot is consistent and holds at least
        # ``changes`` changes (perhaps more, made meanwhile on another thread, whose own save follows).
        snapshot = self.router.to_json()
        if self._format == "json":
            text = _json_text(snapshot)
        else:
            # Exported from a copy: the live router may change on another thread meanwhile.
            copy = Router.from_json(snapshot)
            copy.clock = self.router.clock
            text = rsc.export(copy)
        with self._write_lock:
            if changes <= self._saved:
                return  # a snapshot at least this new is on disk already: do not put this one over it
            _atomic_write(self.path, text)
            self._saved = changes


def attach_persistence(router: Router, path: PathLike) -> Persistence:
    """Save ``router`` to ``path`` after every successful write, before the client hears ``!done``.

    If ``path`` does not exist yet it is written now, so a seeded router is on disk from the
    start; an existing file (perhaps hand-written) stays as it is until the first change.
    Writes are saved before ``execute`` returns, except inside the returned
    :meth:`Persistence.deferred` block, which saves them once at its end: give the returned object
    to the ``Simulator`` (``(router, path, persistence)``) and it saves once per pipelined batch.
    """
    target = Path(path)
    _format_of(target)
    if not target.exists():
        save_router(router, target)
    persistence = Persistence(router, target)
    router.on_change(persistence._changed)
    return persistence


def _atomic_write(target: Path, text: str) -> None:
    directory = target.parent
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before the rename, below
        "w", encoding="utf-8", dir=directory, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            if target.exists():  # keep the file's permissions, not the temp file's 0600
                os.chmod(handle.name, target.stat().st_mode & 0o7777)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    # The rename is durable only once the directory entry is on disk.
    if hasattr(os, "O_DIRECTORY"):
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

"""Keeping a Router in a file: ``.json`` (the model's own snapshot) or ``.rsc`` (``/export`` text).

A state file is rewritten after every successful write, atomically (a temp file in the same
directory, fsync, ``os.replace``, fsync of the directory), so a reader sees the old state or the
new one, never a mix. ``.json`` keeps everything (``.id`` values, counters of ids); ``.rsc`` keeps
what ``/export`` shows, so ids are handed out afresh when it is loaded again.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Union

from . import rsc
from .router import Router

__all__ = ["STOCK_SEED", "StateFormatError", "attach_persistence", "load_router", "save_router"]

PathLike = Union[str, "os.PathLike[str]"]

#: The configuration the demo starts from: a defconf home router, LAN 192.168.1.0/24 on
#: ``bridge``, WAN ``ether1`` with 203.0.113.1/24.
STOCK_SEED = Path(__file__).parent / "data" / "stock-home-router.rsc"


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
    the export's header names, else the default. ``.json``: the stored router; ``version``, when
    given, replaces the stored one.
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
    version = version or rsc.header_version(text)
    try:
        router = Router.empty(version) if version else Router.empty()
        rsc.run_script(router, text)
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
    # JSON's ASCII escapes keep values read from "\XX" bytes that are not UTF-8 (lone surrogates) intact.
    as_json = _format_of(target) == "json"
    _atomic_write(target, json.dumps(router.to_json(), indent=2) + "\n" if as_json else rsc.export(router))


def attach_persistence(router: Router, path: PathLike) -> None:
    """Save ``router`` to ``path`` after every successful write, before the client hears ``!done``.

    If ``path`` does not exist yet it is written now, so a seeded router is on disk from the
    start; an existing file (perhaps hand-written) stays as it is until the first change.
    """
    target = Path(path)
    _format_of(target)
    if not target.exists():
        save_router(router, target)
    router.on_change(lambda changed: save_router(changed, target))


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

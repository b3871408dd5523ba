"""Keeping a Router in a file: ``.json`` (the model's own snapshot) or ``.rsc`` (``/export`` text).

A state file is rewritten after every successful write, atomically (temp file in the same
directory, fsync, ``os.replace``), so a reader sees the old state or the new one, never half.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Union

from . import rsc
from .router import Router

__all__ = ["StateFormatError", "attach_persistence", "load_router", "save_router"]

PathLike = Union[str, "os.PathLike[str]"]


class StateFormatError(ValueError):
    """A state or seed file that is neither ``.json`` nor ``.rsc``, or whose content is unreadable."""


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".rsc"):
        raise StateFormatError(f"{path}: state files end in .json or .rsc, not {suffix or 'nothing'!r}")
    return suffix[1:]


def _empty(version: str | None) -> Router:
    return Router.empty(version) if version is not None else Router.empty()


def _read(path: Path, version: str | None) -> Router:
    """A Router from an existing file; ``version`` only matters for ``.rsc`` (a script needs a router to run on)."""
    text = path.read_text(encoding="utf-8")
    if _format_of(path) == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StateFormatError(f"{path}: not JSON: {exc}") from exc
        return Router.from_json(data)
    router = _empty(version)
    try:
        rsc.run_script(router, text)
    except rsc.ScriptError as exc:
        raise StateFormatError(f"{path}: {exc}") from exc
    return router


def load_router(path: PathLike, seed: PathLike | None = None, version: str | None = None) -> Router:
    """The Router kept in ``path`` (``.json`` or ``.rsc``).

    If ``path`` does not exist yet: ``Router.empty(version)``, then ``seed`` applied to it when
    given (a ``.rsc`` seed is run as a script; a ``.json`` seed is taken whole, and its version
    wins). ``version`` is ignored for an existing ``.json`` file, whose stored version is the router's.
    Nothing is written here; ``attach_persistence`` or ``save_router`` do that.
    """
    state = Path(path)
    _format_of(state)
    if state.exists():
        return _read(state, version)
    if seed is None:
        return _empty(version)
    return _read(Path(seed), version)


def save_router(router: Router, path: PathLike) -> None:
    """Write ``router`` to ``path`` in the format its suffix names, atomically."""
    target = Path(path)
    if _format_of(target) == "json":
        text = json.dumps(router.to_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = rsc.export(router)
    _atomic_write(target, text)


def attach_persistence(router: Router, path: PathLike) -> None:
    """Save ``router`` to ``path`` after every successful write (before the client hears ``!done``).

    If ``path`` does not exist yet it is written now, so a seeded router is on disk from the
    start; an existing file (perhaps hand-written) is left as it is until the first change.
    """
    target = Path(path)
    _format_of(target)
    if not target.exists():
        save_router(router, target)
    router.on_change(lambda changed: save_router(changed, target))


def _atomic_write(target: Path, text: str) -> None:
    directory = target.parent
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before the rename
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
    # The rename itself is durable only once the directory entry is on disk.
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

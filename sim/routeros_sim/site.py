"""One served router (``RouterSite``): its model, state file, counters (``Stats``) and faults.

The counters are mirrored to ``<state file>.stats.json``; what the server needs from a router and
from the state layer is written down here as two protocols (see ``DESIGN.md``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol, Union

from .faults import Fault

__all__ = ["Reply", "RouterLike", "RouterSite", "StateKeeper", "StatePath", "Stats", "stats_path_for"]

LOG = logging.getLogger("routeros_sim.server")

Reply = tuple[str, dict[str, str]]
StatePath = Optional[Union[str, "os.PathLike[str]"]]


class RouterLike(Protocol):
    """What the server needs from ``router.Router`` (see DESIGN.md)."""

    version: str

    def execute(self, command: str, words: list[str]) -> list[Reply]: ...

    def is_write(self, command: str) -> bool: ...


class StateKeeper(Protocol):
    """What the server needs from ``state.Persistence``: the router's writes made inside
    ``deferred()`` are saved once, when the block ends (the save's error propagates from it)."""

    def deferred(self) -> contextlib.AbstractContextManager[None]: ...


# --------------------------------------------------------------------------------------------
# Counters


@dataclass
class Stats:
    """Per-router counters, readable in-process and mirrored to ``<state>.stats.json``."""

    connections: int = 0
    logins: int = 0
    failed_logins: int = 0
    round_trips: int = 0
    commands: dict[str, int] = field(default_factory=dict)
    writes: int = 0

    def count_command(self, kind: str) -> None:
        self.commands[kind] = self.commands.get(kind, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def stats_path_for(state_path: str | os.PathLike[str]) -> Path:
    """Where the counters of the router kept in ``state_path`` are written."""
    state = Path(state_path)
    return state.with_name(state.name + ".stats.json")


class RouterSite:
    """One served router: its model, state file, counters, faults and bound ports."""

    def __init__(
        self,
        index: int,
        router: RouterLike,
        state_path: str | os.PathLike[str] | None = None,
        keeper: StateKeeper | None = None,
    ) -> None:
        self.index = index  # 1-based, as shown to users
        self.router = router
        self.state_path = Path(state_path) if state_path is not None else None
        # Without a keeper the router saves itself (or not) after every write, as it was set up to.
        self.keeper = keeper
        self.stats = Stats()
        self.faults: list[Fault] = []
        self.port: int | None = None
        self.tls_port: int | None = None
        # Ordinals over the router's life, for fault injection.
        self.command_seq = 0
        self.write_seq = 0

    @property
    def stats_path(self) -> Path | None:
        return stats_path_for(self.state_path) if self.state_path is not None else None

    def set_faults(self, faults: Sequence[Fault | str]) -> None:
        """Replace the faults (safe to call from another thread: one assignment)."""
        self.faults = [f if isinstance(f, Fault) else Fault.parse(f) for f in faults]

    def add_fault(self, fault: Fault | str) -> None:
        self.set_faults([*self.faults, fault])

    def clear_faults(self) -> None:
        self.faults = []

    def _fault(self, kind: str, ordinal: int) -> Fault | None:
        for fault in self.faults:
            if fault.kind == kind and fault.n == ordinal:
                return fault
        return None

    def deferred_saves(self) -> contextlib.AbstractContextManager[None]:
        """The router's writes inside the block are saved once, at its end (when it has a keeper)."""
        return self.keeper.deferred() if self.keeper is not None else contextlib.nullcontext()

    def write_stats(self) -> None:
        path = self.stats_path
        if path is None:
            return
        try:
            _write_json_atomic(path, self.stats.to_json())
        except OSError as exc:  # a full disk must not take the server down
            LOG.warning("cannot write %s: %s", path, exc)

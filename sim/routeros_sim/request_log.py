"""The request log: one JSON line per command sentence, passwords hidden."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

__all__ = ["RequestLog", "redact"]

LOG = logging.getLogger("routeros_sim.server")

_REDACTED_PREFIXES = ("=password=",)


def redact(words: Sequence[str]) -> list[str]:
    """Words for logging: password values hidden."""
    out = []
    for word in words:
        for prefix in _REDACTED_PREFIXES:
            if word.startswith(prefix):
                word = prefix + "***"
        out.append(word)
    return out


class RequestLog:
    """JSON lines, one per command sentence, written as the command is answered."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._handle: IO[str] | None = open(self.path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115

    def write(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            return
        entry = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"), **entry}
        try:
            self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:
            LOG.warning("cannot write request log %s: %s", self.path, exc)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

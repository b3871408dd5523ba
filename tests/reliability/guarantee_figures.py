"""The figures the reliability suite measures, as the README's "What we guarantee" shows them.

Each test records what it tried and what it saw (a fault point fired and survived, an input
rejected naming its field, a TLS case refused, bytes of output scanned); the last test of the
suite writes them to ``build/reliability/guarantees.json`` and checks the README section against
them (``scripts/guarantees.py`` renders it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FIGURES_JSON = REPO / "build" / "reliability" / "guarantees.json"
SECTIONS = ("faults", "safe_apply", "fleet", "concurrency", "bad_input", "tls", "secrets")


class Figures:
    """Case records by section: ``{"faults": [{...}, ...], ...}``, in the order tests ran."""

    def __init__(self) -> None:
        self.sections: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}

    def record(self, section: str, **case: Any) -> dict[str, Any]:
        """Add one case; the returned dict may be updated as the test learns more (e.g. set
        ``survived`` once the rerun converged)."""
        if section not in self.sections:
            raise KeyError(f"unknown section {section!r} (one of {', '.join(SECTIONS)})")
        entry = dict(case)
        self.sections[section].append(entry)
        return entry

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "sections": self.sections}

    def write(self, path: Path = FIGURES_JSON) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

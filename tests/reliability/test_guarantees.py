"""The README's "What we guarantee" section shows what this suite measured, and nothing else.

This test runs last (conftest.py moves it there). When the whole suite ran and passed, it
writes the figures to build/reliability/guarantees.json and compares the README section with
what scripts/guarantees.py renders from them. HAIRPIN_GUARANTEES_WRITE=1 rewrites the section.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest
from guarantee_figures import REPO, Figures


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hairpin_guarantees", REPO / "scripts" / "guarantees.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_section_shows_what_the_suite_measured(figures: Figures, suite_outcomes: dict) -> None:
    files = {path.name for path in Path(__file__).parent.glob("test_*.py")} - {Path(__file__).name}
    collected = {nodeid.split("::")[0].rsplit("/", 1)[-1] for nodeid in suite_outcomes}
    not_run = sorted(nodeid for nodeid, outcome in suite_outcomes.items() if outcome is None)
    if not_run or files - collected:
        pytest.skip("the README figures need the whole of tests/reliability; part of it did not run")
    failed = sorted(nodeid for nodeid, outcome in suite_outcomes.items() if outcome != "passed")
    assert not failed, f"the README's figures are not proven while these fail: {failed}"
    figures.write()
    script = _script()
    data = figures.to_json()
    if os.environ.get("HAIRPIN_GUARANTEES_WRITE"):
        script.write(script.README, data)
    problem = script.compare(script.README.read_text(encoding="utf-8"), data)
    assert problem is None, f"{problem}\nregenerate with: {script.REGENERATE}"

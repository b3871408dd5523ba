"""Fixtures of the reliability suite, and the bookkeeping that turns its results into the
README's "What we guarantee" section (see guarantee_figures.py and scripts/guarantees.py)."""

from __future__ import annotations

import sys
from pathlib import Path

# The shared support is imported as tests.support, from the repository root.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from tests.support.paths import use_checkout  # noqa: E402

use_checkout()

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from guarantee_figures import Figures  # noqa: E402

from routeros_sim.certs import CertPaths, ensure_certs  # noqa: E402

HERE = Path(__file__).resolve().parent

# The test that checks the README section: it runs last, once every other test has reported.
README_CHECK = "test_readme_section_shows_what_the_suite_measured"

_FIGURES = Figures()
_SUITE: dict[str, str | None] = {}  # node id -> outcome ("passed", "failed", "skipped"; None: not run)


def _in_suite(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).resolve().parents


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    # Runs before -k/-m deselection: every test of the suite is known, so the README check can
    # tell a full run of the suite from a partial one.
    for item in items:
        if _in_suite(item) and item.name != README_CHECK:
            _SUITE.setdefault(item.nodeid, None)
    checks = [item for item in items if item.name == README_CHECK]
    if checks:
        items[:] = [item for item in items if item.name != README_CHECK] + checks


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid not in _SUITE:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _SUITE[report.nodeid] = report.outcome
    elif report.when == "teardown" and report.outcome == "failed":
        _SUITE[report.nodeid] = "failed"


@pytest.fixture(scope="session")
def figures() -> Figures:
    return _FIGURES


@pytest.fixture(scope="session")
def suite_outcomes() -> dict[str, str | None]:
    return _SUITE


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertPaths:
    return ensure_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def fleets() -> Iterator[list]:
    """Fleets started by a test; stopped when it ends, whatever happened."""
    started: list = []
    yield started
    for fleet in started:
        fleet.stop()

"""The integration tests' names for the shared test support (tests/support): a simulated router
(TLS, verified) and `ansible-playbook` run against it.

Playbooks run as real `ansible-playbook` processes with the collection from this checkout
(build/collections) and the JSON callback, so a test sees what a user's run returns.
"""

from __future__ import annotations

from tests.support.paths import ANSIBLE_BIN, BROWNFIELD_ROUTER, COLLECTIONS, REPO, STOCK_ROUTER
from tests.support.playbook import PlaybookRun
from tests.support.playbook import run_play as run_playbook
from tests.support.simulator import PASSWORD, USERNAME, SimRouter
from tests.support.tables import WRITE_COMMANDS

__all__ = [
    "ANSIBLE_BIN",
    "BROWNFIELD_ROUTER",
    "COLLECTIONS",
    "PASSWORD",
    "REPO",
    "STOCK_ROUTER",
    "USERNAME",
    "WRITE_COMMANDS",
    "PlaybookRun",
    "SimRouter",
    "run_playbook",
]

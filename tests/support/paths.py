"""Where the checkout keeps what the tests run: the collection, the simulator's seed routers and
the Ansible that drives the playbooks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The repository is the collection: Ansible and the tests import it as
# ansible_collections.hairpin.routeros through this directory (made by `make setup`).
COLLECTIONS = REPO / "build" / "collections"
COLLECTION_LINK = COLLECTIONS / "ansible_collections" / "hairpin" / "routeros"
# RouterOS as it ships on a home router, and a router an admin has configured by hand.
STOCK_ROUTER = REPO / "sim" / "routeros_sim" / "data" / "stock-home-router.rsc"
BROWNFIELD_ROUTER = REPO / "sim" / "tests" / "fixtures" / "home-router.rsc"
# This virtualenv's tools (routeros-sim, ansible-playbook).
BIN = Path(sys.executable).parent
# The ansible-core that drives the playbooks; another one's venv (the oldest in
# requires_ansible, say) through HAIRPIN_ANSIBLE_BIN.
ANSIBLE_BIN = Path(os.environ.get("HAIRPIN_ANSIBLE_BIN", BIN))


def ensure_collection_link() -> None:
    """Link the checkout into build/collections (as `make setup` does), for a bare pytest run."""
    if COLLECTION_LINK.is_symlink() and COLLECTION_LINK.resolve() == REPO:
        return
    COLLECTION_LINK.parent.mkdir(parents=True, exist_ok=True)
    temporary = COLLECTION_LINK.with_name(f"routeros.{os.getpid()}.tmp")
    temporary.symlink_to(REPO, target_is_directory=True)
    # rename() replaces atomically, so parallel runs never see a missing link.
    os.replace(temporary, COLLECTION_LINK)


def use_checkout() -> None:
    """Make ``tests.support`` and the collection of this checkout importable."""
    ensure_collection_link()
    for path in (REPO, COLLECTIONS):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))

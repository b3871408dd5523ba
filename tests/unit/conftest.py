# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the collection importable as ``ansible_collections.hairpin.routeros`` in unit tests.

The repository root is the collection root, so it is linked into
``build/collections/ansible_collections/hairpin/routeros``. ``ansible_collections`` stays a
namespace package (no ``__init__.py``): ansible's bundled collections live in another
``ansible_collections`` directory in site-packages, and both must be importable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS_ROOT = REPO_ROOT / "build" / "collections"
LINK = COLLECTIONS_ROOT / "ansible_collections" / "hairpin" / "routeros"


def _ensure_link() -> None:
    if LINK.is_symlink() and LINK.resolve() == REPO_ROOT:
        return
    LINK.parent.mkdir(parents=True, exist_ok=True)
    temporary = LINK.with_name(f"routeros.{os.getpid()}.tmp")
    temporary.symlink_to(REPO_ROOT, target_is_directory=True)
    # rename() replaces atomically, so parallel test runs never see a missing link.
    os.replace(temporary, LINK)


_ensure_link()
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))

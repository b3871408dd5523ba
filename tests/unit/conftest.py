# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the collection importable as ``ansible_collections.hairpin.routeros`` in unit tests.

The repository root is the collection root, so it is linked into
``build/collections/ansible_collections/hairpin/routeros`` (tests/support/paths.py).
``ansible_collections`` stays a namespace package (no ``__init__.py``): ansible's bundled
collections live in another ``ansible_collections`` directory in site-packages, and both must be
importable.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The shared support is imported as tests.support, from the repository root.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from tests.support.paths import use_checkout  # noqa: E402

use_checkout()

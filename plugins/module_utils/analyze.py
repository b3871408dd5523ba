# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The reachability analyzer's command line for CI pipelines, under the name the README and
existing pipelines use: ``python -m ansible_collections.hairpin.routeros.plugins.module_utils.analyze``.
The analyzer itself is the ``analysis`` package."""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # What every NAT module promises; each promise has a test in tests/integration.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Plans and reports the commands, sends no write to the router.
    support: full
  diff_mode:
    description: The diff shows the RouterOS commands that run (or would run in check mode).
    support: full
  idempotent:
    description: A second run with the same options reports no change and sends no write.
    support: full
"""

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Modules with an action plugin that runs their code in Ansible's worker (plugin_utils/in_worker.py).
    DOCUMENTATION = r"""
notes:
  - When the task runs on the controller (C(delegate_to=localhost) or C(connection=local), no
    C(become), C(async) or C(environment)), the action plugin of the same name runs this
    module's code inside Ansible's worker process instead of starting a Python process for it;
    the result is the same. Elsewhere, or when the controller's Python lacks librouteros, the
    module runs as usual.
attributes:
  action:
    description: Runs in the controller's worker when the task runs on the controller; see the notes.
    support: full
"""

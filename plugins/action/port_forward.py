# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# hairpin.routeros.port_forward on the controller runs in Ansible's worker (see plugin_utils/in_worker.py).
# The module is imported with this file, in the controller's main process, before the workers fork.

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.modules.port_forward import module_spec, run
from ansible_collections.hairpin.routeros.plugins.plugin_utils.in_worker import action_for

ActionModule = action_for(module_spec, run)

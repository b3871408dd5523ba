# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# hairpin.routeros.nat on the controller: the module's own code, validated with the module's own
# argument spec, run inside Ansible's worker process, so a router costs no Python process and no
# module payload. On any other host the module runs as usual (see plugin_utils/in_worker.py).
#
# The engine is imported with this file, on purpose: the strategy loads the action plugin in the
# controller's main process before it forks the workers, so the engine is imported once per run
# and every worker inherits it, instead of each router's worker importing it again.

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.modules.nat import module_spec, run
from ansible_collections.hairpin.routeros.plugins.plugin_utils.in_worker import action_for

ActionModule = action_for(module_spec, run)

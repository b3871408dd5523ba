# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# hairpin.routeros.services on the controller: the module's own code, validated with the
# module's own argument spec, run inside Ansible's worker process (see plugin_utils/in_worker.py).

from __future__ import annotations

from typing import Any, Callable, Mapping

# The hairpin role's task uses a Jinja test (`is defined`); a worker that meets its first test
# loads Ansible's test plugins. Imported here, in the main process, every forked worker has them.
import ansible.plugins.test.core  # noqa: F401

# Imported with this file, so the controller's main process imports the engine once and every
# forked worker inherits it (see plugins/action/nat.py).
from ansible_collections.hairpin.routeros.plugins.module_utils.services import module_spec, run_services
from ansible_collections.hairpin.routeros.plugins.plugin_utils.in_worker import InWorkerModuleAction


class ActionModule(InWorkerModuleAction):
    def engine(self) -> "tuple[Mapping[str, Any], Callable[[Any], None]]":
        return module_spec(), run_services

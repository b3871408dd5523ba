# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# hairpin.routeros.services on the controller: the module's own code, validated with the
# module's own argument spec, run inside Ansible's worker process (see plugin_utils/in_worker.py).
# With from_variables, the options the task does not give come from the host's variables.

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, Mapping, Optional

# Imported with this file, so the controller's main process imports the engine once and every
# forked worker inherits it (see plugins/action/nat.py).
from ansible_collections.hairpin.routeros.plugins.module_utils.options import option_variables, unknown_variables
from ansible_collections.hairpin.routeros.plugins.module_utils.options import services_module_spec as module_spec
from ansible_collections.hairpin.routeros.plugins.module_utils.services import rehearse, run_services
from ansible_collections.hairpin.routeros.plugins.plugin_utils.in_worker import InWorkerModuleAction, validated

# One rehearsal of the engine here, in the main process, saves every forked worker its own
# first-call set-up (see services.rehearse).
_SAMPLE = dict(
    services=[
        dict(name="web", port="443", host="192.168.88.10"),
        dict(name="dns", protocol="both", port="53", host="192.168.88.11"),
    ],
    public_address="203.0.113.1",
    wan_interface="ether1",
    lan_interface="bridge",
    lan_subnets=["192.168.88.0/24"],
    hostname="router.invalid",
    username="admin",
    password="rehearsal",
)
# Only a head start: whatever it fails to prepare, each worker still does all it needs itself.
with contextlib.suppress(Exception):
    rehearse(validated("hairpin.routeros.services", module_spec(), _SAMPLE)[0])


class ActionModule(InWorkerModuleAction):
    def engine(self) -> "tuple[Mapping[str, Any], Callable[[Any], None]]":
        return module_spec(), run_services

    def run(self, tmp: Any = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        prefix = self._task.args.get("from_variables")
        if prefix:
            self._task.args = self.options_from_variables(str(prefix), task_vars or {})
        return super().run(tmp, task_vars)

    def options_from_variables(self, prefix: str, task_vars: Mapping[str, Any]) -> Dict[str, Any]:
        """The task's options, plus each option it does not give from the variable that names it
        (`<prefix>_<option>`, `<prefix>_api_<name>` for the connection). Read here, the variables
        cost a fleet run far less than the same options written as templates in the task: Ansible
        templates every option of every task for every host, each a noticeable cost at scale."""
        args = dict(self._task.args)
        args.setdefault("inventory_hostname", task_vars.get("inventory_hostname"))
        for option, variable in option_variables(prefix).items():
            if args.get(option) is None and variable in task_vars:
                args[option] = self._templar.template(task_vars[variable])
        if args.get("hostname") in (None, ""):
            # The router's address as Ansible would connect to it: ansible_host, else its name.
            address = task_vars.get("ansible_host") or task_vars.get("inventory_hostname")
            args["hostname"] = self._templar.template(address)
        # A variable no option reads is most likely a typo (hairpin_servics), which would
        # otherwise be silently taken as "no services"; the module names it with the other problems.
        unknown = unknown_variables(prefix, task_vars)
        if unknown:
            args["unknown_variables"] = unknown
        return args

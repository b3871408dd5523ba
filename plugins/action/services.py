# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# hairpin.routeros.services on the controller: the module's own code, validated with the
# module's own argument spec, run inside Ansible's worker process (see plugin_utils/in_worker.py).
# With from_variables, the options the task does not give come from the host's variables.

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, Mapping

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

    def module_args(self, task_vars: Mapping[str, Any]) -> Mapping[str, Any]:
        prefix = self._task.args.get("from_variables")
        if prefix:
            return self.options_from_variables(str(prefix), task_vars)
        return self._task.args

    def options_from_variables(self, prefix: str, task_vars: Mapping[str, Any]) -> Dict[str, Any]:
        """The task's options, plus each option it does not give from the variable that names it
        (`<prefix>_<option>`, `<prefix>_api_<name>` for the connection). Read here, the variables
        cost a fleet run far less than the same options written as templates in the task: Ansible
        templates every option of every task for every host, each a noticeable cost at scale."""
        args = dict(self._task.args)
        args.setdefault("inventory_hostname", task_vars.get("inventory_hostname"))
        for option, variable in option_variables(prefix).items():
            if args.get(option) is None and variable in task_vars:
                args[option] = self._rendered(task_vars[variable])
        if args.get("hostname") in (None, ""):
            # The router's address as Ansible would connect to it: ansible_host, else its name.
            address = task_vars.get("ansible_host") or task_vars.get("inventory_hostname")
            args["hostname"] = self._rendered(address)
        # A variable no option reads is most likely a typo (hairpin_servics), which would
        # otherwise be silently taken as "no services"; the module names it with the other problems.
        unknown = unknown_variables(prefix, task_vars)
        if unknown:
            args["unknown_variables"] = unknown
        return args

    def _rendered(self, value: Any) -> Any:
        """`value` templated as Ansible templates a task's option. Most variables hold no template
        at all (a list of services is plain data): those are taken as they are, which gives the
        module the same options without rendering each item of them for every router."""
        if _without_templates(value, self._templar, 0):
            return value
        return self._templar.template(value)


# Deeper than any variable of ours: below it, the value goes to the templar.
_MAX_DEPTH = 32


def _plain_or_ansible(value: Any) -> bool:
    # A dict or list itself, or ansible-core's own container types: not a subclass with its own ways.
    module = type(value).__module__
    return module == "builtins" or module.startswith("ansible.")


def _without_templates(value: Any, templar: Any, depth: int) -> bool:
    """True when `value` is JSON-like data (dicts, lists, text, numbers, booleans, None) in which
    no text could be a template; anything else (a vaulted value, a lazy object) is for the templar."""
    if isinstance(value, str):
        is_possibly_template = getattr(templar, "is_possibly_template", None)
        return is_possibly_template is not None and not is_possibly_template(value)
    if value is None or isinstance(value, (bool, int, float)):
        return True
    if depth >= _MAX_DEPTH:
        return False
    if isinstance(value, dict) and _plain_or_ansible(value):
        return all(
            _without_templates(key, templar, depth + 1) and _without_templates(item, templar, depth + 1)
            for key, item in value.items()
        )
    if isinstance(value, list) and _plain_or_ansible(value):
        return all(_without_templates(item, templar, depth + 1) for item in value)
    return False

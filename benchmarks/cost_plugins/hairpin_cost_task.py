"""benchmarks/role_cost.py: the services task's action cut short. It returns an unchanged result
at once, so a run of it costs what Ansible spends on the task itself (the worker, the task's
variables, the connection plugin, the result), not what the collection does."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _supports_check_mode = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        result["changed"] = False
        return result

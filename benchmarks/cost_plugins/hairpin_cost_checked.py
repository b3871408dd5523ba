"""benchmarks/role_cost.py: hairpin.routeros.services up to its engine. The options are taken
from the variables and checked against the module's argument spec exactly as the collection's
action plugin does; then, instead of the engine (connect, read, plan), an unchanged result."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.hairpin.routeros.plugins.action.services import ActionModule as ServicesAction


def _unchanged(module: Any) -> None:
    module.exit_json(changed=False)


class ActionModule(ServicesAction):
    def engine(self) -> tuple[Mapping[str, Any], Callable[[Any], None]]:
        spec, _run = super().engine()
        return spec, _unchanged

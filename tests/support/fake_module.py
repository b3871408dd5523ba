"""A stand-in for the module a run loop is given (runner.ModuleLike): it records warnings, and
its exit_json / fail_json end the call as AnsibleModule's do, raising EndedError with the result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class EndedError(Exception):
    """How a call ended: `kind` "exit" or "fail", and the result it returned."""

    def __init__(self, kind: str, result: dict[str, Any]) -> None:
        super().__init__(kind)
        self.kind, self.result = kind, result


class FakeModule:
    _diff = False

    def __init__(self, defaults: Mapping[str, Any], check_mode: bool = False, **params: Any) -> None:
        self.params = dict(defaults, **params)
        self.check_mode = check_mode
        self.warnings: list[str] = []

    def warn(self, warning: str) -> None:
        self.warnings.append(warning)

    def exit_json(self, **result: Any) -> None:
        raise EndedError("exit", result)

    def fail_json(self, msg: str, **result: Any) -> None:
        raise EndedError("fail", dict(result, msg=msg))

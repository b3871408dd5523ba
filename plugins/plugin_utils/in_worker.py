# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# Run a NAT module's engine inside the controller's worker process. A module talks to the
# router's API, not to the host it runs on, so when its task runs on the controller anyway
# (delegate_to: localhost, connection: local) the separate Python process and the AnsiballZ
# payload Ansible builds for it only cost time: at fleet scale they are most of the run. The
# action plugin validates the task's options with the module's own argument spec, runs the same
# run loop (runner.run_call) through a small adapter, and returns what the module would have
# returned.
# Anywhere else (another host, become, async, a task environment, no librouteros here) it runs
# the module as usual.

from __future__ import annotations

import contextlib
import ssl
from collections import abc
from typing import Any, Callable, Dict, List, Mapping, Optional

from ansible import constants as C  # noqa: N812 - Ansible's own name for it
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

display = Display()

try:  # ansible-core 2.19 and later
    from ansible.parsing.vault import EncryptedString as _Vaulted
except ImportError:  # earlier: a vaulted variable is this (not a str), decrypted by str()
    from ansible.parsing.yaml.objects import AnsibleVaultEncryptedUnicode as _Vaulted

# OpenSSL sets itself up (fetches its algorithms) the first time a process makes a TLS context.
# This file is imported in the controller's main process before it forks the workers (see the
# action plugins), so doing it here makes it once per run instead of once per router: each
# worker's connection inherits it.
with contextlib.suppress(ssl.SSLError):  # then each connection says what is wrong
    ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

# Ansible maps the keys of a task's result to its fields once per process (from the type hints of
# its result class, a cached call): made here, in the main process, each forked worker inherits
# the map instead of computing it for its one router. A private part of ansible-core, so only a
# head start: where it differs, each worker computes what it needs as before.
with contextlib.suppress(Exception):
    from ansible._internal._task import UnifiedTaskResult

    for _source_is_module in (False, True):
        UnifiedTaskResult.get_result_key_to_resolved_field_mapping(source_is_module=_source_is_module)

# ansible-core makes its Jinja lexer (a few milliseconds of regular expressions) the first time a
# process compiles a template, and keeps it. A play that templates nothing in the main process
# before the workers fork (`hosts: routers`, no templated play keyword) leaves that to every
# worker, and a task's `register` compiles an expression there: each router would pay for a lexer
# of its own. One template compiled here gives every worker this one. (ansible-core 2.19 and
# later: trust_as_template is theirs; before it, nothing is done here.)
with contextlib.suppress(Exception):
    from ansible.template import Templar, trust_as_template

    Templar().template(trust_as_template("{{ 0 }}"))

# Connection plugins that run commands on the controller itself.
LOCAL_TRANSPORTS = frozenset(("local", "ansible.builtin.local", "ansible.legacy.local"))


class ModuleExit(BaseException):
    """Raised by the adapter's exit_json and fail_json: like AnsibleModule's sys.exit, it ends
    the run loop wherever it is (a BaseException, so no `except Exception` in between can keep it)."""

    def __init__(self, result: Dict[str, Any]):
        super().__init__()
        self.result = result


class WorkerModule:
    """The part of AnsibleModule that the run loop uses (runner.ModuleLike), for the worker.

    `params` are the task's options after validation with the module's argument spec; the
    result is formatted as AnsibleModule formats it: warnings, the invocation (when Ansible
    injects it) and every no_log value (the password) masked."""

    def __init__(
        self,
        params: Dict[str, Any],
        *,
        check_mode: bool,
        diff: bool,
        no_log_values: Any,
        inject_invocation: bool,
    ):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self._no_log_values = set(no_log_values)
        self._inject_invocation = inject_invocation
        self._warnings: List[str] = []

    def warn(self, warning: str) -> None:
        self._warnings.append(warning)

    def exit_json(self, **kwargs: Any) -> None:
        raise ModuleExit(self._formatted(kwargs))

    def fail_json(self, msg: str, **kwargs: Any) -> None:
        kwargs.update(failed=True, msg=str(msg))
        raise ModuleExit(self._formatted(kwargs))

    def _formatted(self, result: Dict[str, Any]) -> Dict[str, Any]:
        if self._inject_invocation:
            result.setdefault("invocation", {"module_args": self.params})
        else:
            result.pop("invocation", None)
        if self._warnings:
            result["warnings"] = list(self._warnings)
        return masked(result, self._no_log_values)


# Deeper than any result of ours: below it, remove_values (which needs no recursion) does it all.
_MASK_DEPTH = 32


def masked(value: Any, no_log_values: Any) -> Any:
    """``remove_values(value, no_log_values)``, exactly, at a fraction of its cost.

    remove_values copies every container and checks every value through a long chain of type
    tests; a result of ours is a few thousand plain values, and only the invocation holds a
    secret. Here dicts and lists are copied as remove_values copies them, a scalar whose text
    holds none of the secrets is kept as it is (remove_values would change nothing in it), and
    everything else (a value that holds a secret, any other type) goes to remove_values itself."""
    secrets = [to_native(secret, errors="surrogate_or_strict") for secret in no_log_values]
    return _masked(value, secrets, no_log_values, 0)


def _masked(value: Any, secrets: List[str], no_log_values: Any, depth: int) -> Any:
    kind = type(value)
    if kind is dict and depth < _MASK_DEPTH:
        return {key: _masked(item, secrets, no_log_values, depth + 1) for key, item in value.items()}
    if kind is list and depth < _MASK_DEPTH:
        return [_masked(item, secrets, no_log_values, depth + 1) for item in value]
    if kind is str:
        text = value
    elif value is None or kind is bool or kind is int or kind is float:
        # remove_values masks a number whose text holds a secret (before ansible-core 2.19,
        # also True, False and None).
        text = str(value)
    else:
        return remove_values(value, no_log_values)
    for secret in secrets:
        if secret in text:
            return remove_values(value, no_log_values)
    return value


def plain(value: Any) -> Any:
    """`value` as the module would receive it: JSON's types, exactly. (ansible-core 2.19 and
    later hand an action plugin subclasses of str, int, dict and list that carry tags;
    validation deep-copies the options, and copying those is several times slower.)"""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, abc.Mapping):  # (typing.Mapping would check through Python code, each time)
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, _Vaulted):  # a module would receive the decrypted text
        return str(value)
    return value


def validated(
    module_name: str, spec: Mapping[str, Any], args: Mapping[str, Any]
) -> "tuple[Dict[str, Any], Any, Optional[str], List[str]]":
    """(params, no_log values, error message or None, warnings) of `args` checked against the
    module's spec, with AnsibleModule's wording of the error."""
    validator = ArgumentSpecValidator(
        spec["argument_spec"],
        mutually_exclusive=spec.get("mutually_exclusive"),
        required_together=spec.get("required_together"),
        required_one_of=spec.get("required_one_of"),
        required_if=spec.get("required_if"),
        required_by=spec.get("required_by"),
    )
    result = validator.validate(plain(args))
    error = None
    if result.errors.errors:
        error = result.errors.msg
        if isinstance(result.errors.errors[0], UnsupportedError):
            error = "Unsupported parameters for (%s) module: %s" % (module_name, error)
    warnings = ["Both option %s and its alias %s are set." % (w["option"], w["alias"]) for w in result._warnings]
    return result.validated_parameters, result._no_log_values, error, warnings


def run_in_worker(
    module_name: str,
    spec: Mapping[str, Any],
    args: Mapping[str, Any],
    run: Callable[[WorkerModule], None],
    *,
    check_mode: bool,
    diff: bool,
    inject_invocation: bool,
) -> Dict[str, Any]:
    """What the module returns for `args`, computed in this process by `run` (the module's own
    run, which goes through runner.run_call)."""
    params, no_log_values, error, warnings = validated(module_name, spec, args)
    module = WorkerModule(
        params, check_mode=check_mode, diff=diff, no_log_values=no_log_values, inject_invocation=inject_invocation
    )
    for warning in warnings:
        module.warn(warning)
    try:
        if error is not None:
            module.fail_json(msg=error)
        if check_mode and not spec.get("supports_check_mode", False):
            module.exit_json(skipped=True, msg="remote module (%s) does not support check mode" % module_name)
        run(module)
    except ModuleExit as done:
        return done.result
    raise RuntimeError("%s: the module code returned without exit_json or fail_json" % module_name)


class InWorkerModuleAction(ActionBase):
    """Action plugin base of a module whose engine can run in the worker.

    Subclasses say how to get the module's spec and its run function (imported with the
    subclass's file, so that the controller's main process imports the engine once and every
    forked worker inherits it)."""

    _supports_check_mode = True
    _supports_async = True

    def engine(self) -> "tuple[Mapping[str, Any], Callable[[Any], None]]":
        """(the module's AnsibleModule arguments, a function that runs the module with an adapter)."""
        raise NotImplementedError

    def run(self, tmp: Any = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp  # no longer has any effect
        task_vars = task_vars or {}
        args = self.module_args(task_vars)
        reason = self.why_not_in_worker()
        if reason is None:
            display.vvv("%s: running in the controller's worker (no module process)" % self._task.action)
            spec, run = self.engine()
            result.update(
                run_in_worker(
                    self._task.action,
                    spec,
                    args,
                    run,
                    check_mode=bool(self._task.check_mode),
                    diff=bool(self._task.diff),
                    inject_invocation=_inject_invocation(task_vars),
                )
            )
            return unreachable_as_such(result)
        display.vvv("%s: running the module (%s)" % (self._task.action, reason))
        wrap_async = self._task.async_val
        result = merge_hash(
            result, self._execute_module(module_args=dict(args), task_vars=task_vars, wrap_async=wrap_async)
        )
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return unreachable_as_such(result)

    def module_args(self, task_vars: Mapping[str, Any]) -> Mapping[str, Any]:
        """The options the module runs with: the task's. (Options a subclass adds are passed
        on, not written into the task: the task's fields travel back to the main process with
        every result, where the tagged copies of a fleet's variables cost time to unpickle, and
        where callbacks read them.)"""
        return self._task.args

    def why_not_in_worker(self) -> Optional[str]:
        """None when the module would run on this controller as this user with this environment,
        so running it here gives the same result; else why the module must run as a module."""
        transport = getattr(self._connection, "transport", None)
        if transport not in LOCAL_TRANSPORTS:
            return "the task runs on another host (connection %s)" % transport
        if self._task.async_val:
            return "async"
        if getattr(self._play_context, "become", False):
            return "become"
        environment: Dict[str, Any] = {}
        self._compute_environment_string(environment)
        if environment:
            return "the task sets an environment"
        if not self.engine_available():
            return "librouteros is not importable by the controller's Python"
        return None

    def engine_available(self) -> bool:
        from ansible_collections.hairpin.routeros.plugins.module_utils.api import LIBROUTEROS_IMPORT_ERROR

        return LIBROUTEROS_IMPORT_ERROR is None


def unreachable_as_such(result: Dict[str, Any]) -> Dict[str, Any]:
    """A call that could not open a session with the router (runner.run_call marks it
    `unreachable`) as Ansible's unreachable host: Ansible looks at `failed` first, so it goes."""
    if result.get("unreachable"):
        result.pop("failed", None)
    return result


def _inject_invocation(task_vars: Mapping[str, Any]) -> bool:
    """Does Ansible add `invocation` to module results? (a setting since ansible-core 2.19;
    before it, modules always did and callbacks hid it)"""
    try:
        return bool(C.config.get_config_value("INJECT_INVOCATION", variables=task_vars))
    except Exception:  # the setting does not exist in this ansible-core
        return True


def action_for(module_spec: Callable[[], Mapping[str, Any]], run: Callable[[Any], None]) -> type:
    """The action plugin class of a module whose file has module_spec() and run(module)."""

    class ActionModule(InWorkerModuleAction):
        def engine(self) -> "tuple[Mapping[str, Any], Callable[[Any], None]]":
            return module_spec(), run

    return ActionModule

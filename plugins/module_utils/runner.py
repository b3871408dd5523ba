# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# The one run loop of every module: options -> (offline result, or checks) -> one connection ->
# one read -> the call's work (validate, plan, one pipelined write) -> result. A module says
# what it wants as a Call; one router costs one connection and, after login, one round trip to
# read and at most one to write.

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.api import (
    CONNECTION_OPTIONS,
    RouterError,
    UnreachableError,
    connect,
    connection_warnings,
    file_problems,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.converge import (
    converge,
    render_offline,
    router_failure,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.desired import CallError, Desired, desired_from_options
from ansible_collections.hairpin.routeros.plugins.module_utils.gather import rows_to_config
from ansible_collections.hairpin.routeros.plugins.module_utils.read import EntrySection, RouterView, read_router
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import RscParseError, read_nat_adds

if TYPE_CHECKING:  # typing.Protocol is newer than some Pythons a module may run on
    from typing import NoReturn, Protocol

    class ModuleLike(Protocol):
        """What the run loop needs of its caller, and all it uses: an AnsibleModule when the
        module runs as its own process, or the action plugin's in-worker adapter
        (plugin_utils/in_worker.py) when it runs inside the controller's worker. exit_json and
        fail_json never return."""

        params: Dict[str, Any]  # validated against the module's argument spec
        check_mode: bool
        _diff: bool

        def warn(self, warning: str) -> None: ...

        def fail_json(self, msg: str, **kwargs: Any) -> NoReturn: ...

        def exit_json(self, **kwargs: Any) -> NoReturn: ...


class Call:
    """What one module call asks of the run loop. The loop calls offline(); when that gives no
    result, it checks the connection options (`missing_connection`), calls check(), connects,
    reads the router once (`facts`: the NAT table and the router facts; `entries`: the entry
    menus), hands the view to on_router(), and ends with finish(). Any hook may raise CallError."""

    # The failure message when a connection option is missing ("%s": their names); None: the
    # module's argument spec already requires them.
    missing_connection: Optional[str] = None
    # Option problems first, connection warnings after (the warnings are then not in the result).
    check_before_warnings = False
    facts = True
    # Whether the call's one read takes the firewall filter too (the analysis needs it).
    firewall = False
    # Whether it takes the IPv6 filter too (the owned IPv6 pinholes live there).
    ipv6_firewall = False
    # Whether it takes the mangle table too (the reply routing of several WANs lives there).
    mangle = False

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params

    def option_names(self, options: Sequence[str]) -> List[str]:
        """Options as the user gave them, for messages."""
        return list(options)

    def offline(self) -> Optional[Dict[str, Any]]:
        """The result of a call that needs no router, or None."""
        return None

    def check(self) -> None:
        """Problems found before connecting (raise CallError)."""

    def file_problems(self) -> List[str]:
        """The file options (ca_path) whose file cannot be read, named for the user."""
        return file_problems(self.params, self.params.get("hostname"))

    def entries(self) -> Sequence[EntrySection]:
        """The entry menus to read with the router."""
        return ()

    def arms(self) -> bool:
        """Whether a write of this call arms a revert first (the one read then takes the clock
        and the scheduler)."""
        return bool(self.params.get("confirm"))

    def on_router(self, module: ModuleLike, connection: Any, view: RouterView, result: Dict[str, Any]) -> None:
        raise NotImplementedError

    def read_failure(self, exc: RouterError, result: Dict[str, Any]) -> CallError:
        """Connecting or reading failed (on_router raises CallError for its own writes)."""
        return CallError(router_failure(exc, False), commands=result.get("commands", []))

    def finish(self, result: Dict[str, Any]) -> None:
        """After the connection is closed (raise CallError to fail with the result)."""


def run_call(module: ModuleLike, call: Call) -> None:
    """The whole life of a module call; ends with exit_json or fail_json."""
    try:
        result = call.offline()
        if result is None:
            result = _with_router(module, call)
    except CallError as failure:
        module.fail_json(msg=failure.msg, **failure.fields)
    module.exit_json(**result)


def _with_router(module: ModuleLike, call: Call) -> Dict[str, Any]:
    params = module.params
    missing = [name for name in CONNECTION_OPTIONS if not params.get(name)]
    if call.missing_connection is not None and missing:
        raise CallError(call.missing_connection % ", ".join(call.option_names(missing)))
    if call.check_before_warnings:
        call.check()
    for warning in connection_warnings(params):
        module.warn(warning)
    if not call.check_before_warnings:
        call.check()
    files = call.file_problems()
    if files:
        raise CallError("%s; the router was not contacted" % "; ".join(files), problems=files)
    result: Dict[str, Any] = dict(changed=False)
    try:
        with connect(params) as connection:
            view = read_router(
                connection,
                facts=call.facts,
                entries=call.entries(),
                firewall=call.firewall,
                ipv6_firewall=call.ipv6_firewall,
                safe=call.arms(),
                mangle=call.mangle,
            )
            call.on_router(module, connection, view, result)
            result["round_trips"] = connection.round_trips
    except RouterError as exc:
        failure = call.read_failure(exc, result)
        if isinstance(exc, UnreachableError):
            # No session was opened: the action plugin reports the host as unreachable.
            failure.fields["unreachable"] = True
        raise failure from None
    call.finish(result)
    return result


# ---------------------------------------------------------------------------------------------
# The NAT modules: port_forward, masquerade, hairpin_nat, nat
# ---------------------------------------------------------------------------------------------


@dataclass
class NatResource:
    """What one NAT module manages: the kinds of owned rule and how to read its options."""

    scope_kinds: FrozenSet[str]
    sections: Callable[[Mapping[str, Any]], Dict[str, Optional[List[Mapping[str, Any]]]]]
    # Shape gathered/parsed config for this module's `config` option.
    shape_config: Callable[[Dict[str, List[Dict[str, Any]]]], Any]


class NatCall(Call):
    """A NAT module's call: its options become a Desired; states as in docs/engine-design.md."""

    def __init__(self, params: Mapping[str, Any], resource: NatResource) -> None:
        super().__init__(params)
        self.resource = resource
        self.state = params["state"]
        self.desired: Optional[Desired] = None

    def offline(self) -> Optional[Dict[str, Any]]:
        params, resource = self.params, self.resource
        if self.state == "parsed":
            try:
                rows = read_nat_adds(params["running_config"])
            except RscParseError as exc:
                raise CallError("running_config: %s" % exc) from None
            return dict(changed=False, parsed=resource.shape_config(rows_to_config(rows, resource.scope_kinds)))
        host = params.get("hostname")
        self.desired = desired_from_options(params, resource.sections(params), state=self.state, host=host)
        if self.state == "rendered":
            return dict(changed=False, rendered=render_offline(self.desired, resource.scope_kinds, host))
        return None

    def check(self) -> None:
        # Option errors need no router: report them before connecting, with the file options'.
        problems = [] if self.state == "gathered" else [error.text for error in self.desired.errors]
        problems.extend(self.file_problems())
        if problems:
            raise CallError("invalid NAT configuration, nothing was written: " + "; ".join(problems), problems=problems)

    def entries(self) -> Sequence[EntrySection]:
        return self.desired.entry_sections()

    def arms(self) -> bool:
        return self.state != "gathered" and super().arms()

    def on_router(self, module: ModuleLike, connection: Any, view: RouterView, result: Dict[str, Any]) -> None:
        kinds = self.resource.scope_kinds
        if self.state == "gathered":
            result["gathered"] = self.resource.shape_config(rows_to_config(view.nat, kinds))
        else:
            converge(module, connection, view, self.desired, kinds, result)


def run_module(module: ModuleLike, resource: NatResource) -> None:
    """The whole life of a NAT module call (see ModuleLike for the two ways it runs)."""
    run_call(module, NatCall(module.params, resource))

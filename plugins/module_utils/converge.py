# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# Desired services against the router as read: check, plan, render, and write the plan in one
# pipelined batch. Failures are raised as desired.CallError; the run loop (runner.py) reports them.

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import AnalyzeError
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.shadowing import foreign_shadowing
from ansible_collections.hairpin.routeros.plugins.module_utils.api import Command, CommandError, RouterError
from ansible_collections.hairpin.routeros.plugins.module_utils.desired import CallError, Desired, EntryJob
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import EntryError
from ansible_collections.hairpin.routeros.plugins.module_utils.entry_plan import (
    EntryPlan,
    apply_entry_plan,
    plan_entries,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.filters import SCOPE as FILTER_SCOPE
from ansible_collections.hairpin.routeros.plugins.module_utils.filters import accepts_wanted, analysis_facts_of
from ansible_collections.hairpin.routeros.plugins.module_utils.hairpins import finish_hairpins
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import (
    FILTER6_TABLE,
    FILTER_TABLE,
    MANGLE_TABLE,
    NAT_TABLE,
    ORDERED_MENUS,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.model import KIND_DSTNAT, desired_rules
from ansible_collections.hairpin.routeros.plugins.module_utils.multiwan import SCOPE as MANGLE_SCOPE
from ansible_collections.hairpin.routeros.plugins.module_utils.own_services import (
    cut_off_message,
    management_path,
    router_side,
    service_losses,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.pinholes import SCOPE as PINHOLE_SCOPE
from ansible_collections.hairpin.routeros.plugins.module_utils.pinholes import no_ipv6_problems, pinholes_wanted
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    Plan,
    PlanError,
    plan_changes,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.read import (
    FILTER6_READ,
    FILTER_READ,
    MANGLE_READ,
    NAT_READ,
    RouterView,
    owned_rows,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.render import (
    render_commands,
    render_diff,
    render_entry_commands,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.safe_apply import (
    ENTRY_MENUS,
    NAT_MENU,
    ORDERED_REVERTS,
    SafeApplyError,
    failed_reverts,
    pending_warning,
    prepare,
    verify_and_confirm,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.srcnat_cover import finish_masquerades
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import (
    InvalidConfigError,
    RouterFacts,
    ValidationError,
    own_address_problems,
    validate_services,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.writes import (
    Settled,
    api_commands,
    entry_commands,
    layout,
    write_batch,
)


def problems_failure(prefix: str, errors: Sequence[ValidationError]) -> CallError:
    problems = [error.text for error in errors]
    return CallError("%s, nothing was written: %s" % (prefix, "; ".join(problems)), problems=problems)


def fail_on_errors(errors: Sequence[ValidationError], prefix: str = "invalid NAT configuration") -> None:
    if errors:
        raise problems_failure(prefix, errors)


def validate_desired(desired: Desired, facts: Optional[RouterFacts], host: Optional[str]) -> List[ValidationError]:
    return validate_services(
        desired.port_forwards, desired.masquerades, desired.hairpins, desired.hairpin_subnets, facts, host
    )


def service_warnings(
    desired: Desired, view: RouterView, params: Mapping[str, Any], errors: List[ValidationError]
) -> List[Any]:
    """What the port forwards take from the router's own services: (service, message) warnings;
    a forward that would cut this run off from the router is added to `errors` instead."""
    side = router_side(view)
    path = management_path(params, side, view.facts.services)
    warnings = []
    for loss in service_losses(desired.port_forwards, side, path):
        if loss.cuts_run and path is not None:
            errors.append(ValidationError(loss.forward, "port", cut_off_message(loss, path), params.get("hostname")))
        else:
            warnings.append((loss.forward, loss.message))
    return warnings


def _unique(errors: Sequence[ValidationError]) -> List[ValidationError]:
    seen: Dict[str, ValidationError] = {}
    for error in errors:
        seen.setdefault(error.text, error)
    return list(seen.values())


def plan_nat(desired: Desired, current: Sequence[Mapping[str, Any]], state: str, scope_kinds: FrozenSet[str]) -> Plan:
    """The NAT plan of `desired` over `current`; a plan that cannot be made fails the call."""
    try:
        return plan_changes(
            desired.rules(),
            current,
            state=state,
            scope_kinds=scope_kinds,
            services=desired.services,
            adopt=desired.adopt,
        )
    except (PlanError, InvalidConfigError, ValueError) as exc:
        raise CallError("cannot plan the NAT changes, nothing was written: %s" % exc) from None


def plan_filter(
    desired: Desired,
    nat: Sequence[Mapping[str, Any]],
    view: RouterView,
    filter_rows: Optional[Sequence[Mapping[str, Any]]] = None,
    warn: Optional[Callable[[str], None]] = None,
) -> Optional[Plan]:
    """The plan of the owned filter accepts (`desired.filter_job`) on the router as read, with
    `nat` the planned NAT table and `filter_rows` the filter (default: `view.filter`); None when
    the call leaves the filter alone, or (`auto`) the analysis cannot tell whether the filter
    drops the services (`warn` says why: the owned accepts then stay as they are)."""
    job = desired.filter_job
    rows = view.filter if filter_rows is None else filter_rows
    if job is None or rows is None:
        return None
    accepts: List[Any] = []
    if desired.state != "deleted":
        try:
            accepts = accepts_wanted(job, desired.port_forwards, nat, rows, analysis_facts_of(view, job.facts))
        except AnalyzeError as exc:
            if warn is not None:
                warn(
                    "the owned firewall filter accepts are left as they are: the analysis cannot tell whether the "
                    "filter drops the services (%s)" % exc
                )
            return None
    try:
        return plan_changes(
            desired_rules(accepts),
            rows,
            state=desired.state,
            scope_kinds=FILTER_SCOPE,
            services=desired.services,
            menu=FILTER_TABLE,
        )
    except (PlanError, InvalidConfigError, ValueError) as exc:
        raise CallError("cannot plan the firewall filter changes, nothing was written: %s" % exc) from None


def plan_pinholes(
    desired: Desired, view: RouterView, filter6_rows: Optional[Sequence[Mapping[str, Any]]] = None
) -> Optional[Plan]:
    """The plan of the owned IPv6 pinholes (`desired.pinholes`) on the IPv6 filter as read
    (`filter6_rows`, default: `view.filter6`); None when the call leaves the IPv6 filter alone."""
    rows = view.filter6 if filter6_rows is None else filter6_rows
    if desired.pinholes is None or rows is None:
        return None
    members = {name: sorted(found) for name, found in view.list_members.items()}
    lists = view.address_lists6 if view.filter6 is not None else None
    wanted = pinholes_wanted(desired.pinholes, rows, members, lists) if desired.state != "deleted" else []
    try:
        return plan_changes(
            desired_rules(wanted),
            rows,
            state=desired.state,
            scope_kinds=PINHOLE_SCOPE,
            services=desired.services,
            menu=FILTER6_TABLE,
        )
    except (PlanError, InvalidConfigError, ValueError) as exc:
        raise CallError("cannot plan the IPv6 firewall filter changes, nothing was written: %s" % exc) from None


def plan_mangle(desired: Desired, mangle_rows: Optional[Sequence[Mapping[str, Any]]]) -> Optional[Plan]:
    """The plan of the owned reply-routing mangle rules (`desired.replies`) over `mangle_rows`;
    None when the call leaves the mangle table alone or it was not read."""
    if desired.replies is None or mangle_rows is None:
        return None
    try:
        return plan_changes(
            desired_rules(desired.replies) if desired.state != "deleted" else [],
            mangle_rows,
            state="overridden" if desired.state == "overridden" else "merged",
            scope_kinds=MANGLE_SCOPE,
            menu=MANGLE_TABLE,
        )
    except (PlanError, InvalidConfigError, ValueError) as exc:
        raise CallError("cannot plan the firewall mangle changes, nothing was written: %s" % exc) from None


def menu_plans(plan: Plan) -> List[Any]:
    """(menu, plan) of each other ordered menu `plan` carries, in the order they are written."""
    others = [menu for menu in ORDERED_MENUS if menu is not NAT_TABLE]
    return [(menu, plan.menus[menu.path]) for menu in others if menu.path in plan.menus]


def _menu_lines(plan: Plan) -> List[str]:
    return [line for menu, menu_plan in menu_plans(plan) for line in render_commands(menu_plan, menu=menu)]


def plan_entry_jobs(
    jobs: Sequence[EntryJob], rows: Mapping[str, Sequence[Mapping[str, Any]]], what: Optional[str] = None
) -> List[EntryPlan]:
    """One plan per job. Jobs on the same menu are planned one after the other, each on the
    menu as the ones before leave it, so all their writes refer to entries read from the router.
    A failure names the changes as `what` (default: the menu's option)."""
    plans = []
    menus: Dict[str, List[Dict[str, Any]]] = {option: [dict(row) for row in found] for option, found in rows.items()}
    for job in jobs:
        current = menus.get(job.section.option, [])
        try:
            plan = plan_entries(job.section.menu, list(job.entries), current, state=job.state)
        except EntryError as exc:
            raise CallError(
                "cannot plan the %s changes, nothing was written: %s" % (what or job.section.option, exc)
            ) from None
        menus[job.section.option] = apply_entry_plan(current, plan)
        plans.append(plan)
    return plans


def entry_lines(plans: Sequence[EntryPlan]) -> List[str]:
    return [line for plan in plans for line in render_entry_commands(plan)]


def render_offline(desired: Desired, scope_kinds: FrozenSet[str], host: Optional[str]) -> List[str]:
    """The commands that create `desired` on a router with no owned rule or entry (rendered)."""
    finish_hairpins(desired, None)
    finish_masquerades(desired, None)
    fail_on_errors(desired.errors + validate_desired(desired, None, host))
    plan = plan_nat(desired, [], "merged", scope_kinds)
    entry_plans = plan_entry_jobs([replace(job, state="merged") for job in desired.entry_jobs], {})
    return entry_lines(entry_plans) + render_commands(plan)


def router_failure(exc: RouterError, writing: bool) -> str:
    """The failure message of a module call, saying whether anything may have been written."""
    if isinstance(exc, CommandError) and writing:
        return "%s (the writes before and after it were sent too; run again to converge)" % exc
    # librouteros's messages end with a full stop; ours continue the sentence.
    reason = str(exc).rstrip(".")
    if writing:
        return "%s; some of the writes may be done and others not: run again to converge" % reason
    return "%s; nothing was written" % reason


def router_problems(
    module: Any,
    view: RouterView,
    desired: Desired,
    explain: Optional[Callable[[ValidationError], ValidationError]] = None,
) -> List[ValidationError]:
    """Every problem of `desired` against the router as read, after filling in what only the
    router knows (hairpin rules, LAN subnets, the masquerade); what a forward takes from the
    router's own services goes to module.warn. `explain` as in converge()."""
    finish_hairpins(desired, view)
    finish_masquerades(desired, view)
    host = module.params.get("hostname")
    errors = desired.errors + validate_desired(desired, view.facts, host)
    errors.extend(own_address_problems(desired.port_forwards, view.interface_addresses, host))
    if not view.ipv6:
        errors.extend(no_ipv6_problems(desired.pinholes or (), host))
    for forward, message in service_warnings(desired, view, module.params, errors):
        module.warn("service %r: %s" % (forward, message))
    if explain is not None:
        errors = _unique([explain(error) for error in errors])
    return errors


def report_shadowing(
    module: Any, planned: Sequence[Mapping[str, Any]], view: RouterView, result: Dict[str, Any]
) -> None:
    """Foreign rules of the planned table that take an owned forward's traffic, or lose theirs
    to one: a warning each, and the `shadowing` result list, before anything is written."""
    found = foreign_shadowing(planned, view)
    for item in found:
        module.warn(item.message)
    if found:
        result["shadowing"] = [item.as_dict() for item in found]


def report_adoption(module: Any, plan: Plan, result: Dict[str, Any]) -> List[str]:
    """The foreign rules the plan adopts (`adopted` result, a note each) and the foreign twins it
    leaves alone (a warning each, `twins` result); returns the notes."""
    if plan.adopted:
        result["adopted"] = [item.as_dict() for item in plan.adopted]
    for twin in plan.twins:
        module.warn(twin.message)
    if plan.twins:
        result["twins"] = [twin.as_dict() for twin in plan.twins]
    return [item.message for item in plan.adopted]


def after_writing(commands: Sequence[str], message: str) -> str:
    """The failure message of a step that failed after the NAT changes were written (the
    commands' own lines counted, not the comment lines naming the rule each touches)."""
    sent = sum(1 for line in commands if not line.startswith("#"))
    return "the NAT changes were written (%d command%s); then: %s" % (sent, "" if sent == 1 else "s", message)


def converge(
    module: Any,
    connection: Any,
    view: RouterView,
    desired: Desired,
    scope_kinds: FrozenSet[str],
    result: Dict[str, Any],
    explain: Optional[Callable[[ValidationError], ValidationError]] = None,
    guard: Optional[Callable[[Plan, Dict[str, Any]], None]] = None,
    also_check: Optional[Callable[[Any], Optional[str]]] = None,
) -> Plan:
    """Check `desired` against the router, plan, and (unless in check mode) write the plan in
    one pipelined batch; fills `result` (changed, commands, before, after, the entries, notes,
    diff) and returns the NAT plan (its `after` is the planned table). Raises CallError on bad
    input (before any write) and on a failed write (with changed and the commands sent). `module`
    gives check_mode, _diff, warn and the hostname; `explain` restates a problem in the
    caller's words (the services model names its settings); `guard` sees the plan and the
    result before anything is written, in check mode too, and may refuse it (CallError);
    `also_check(connection)`, with a revert armed, is part of the check before the confirm (a
    problem it names keeps the revert)."""
    state = desired.state
    if state != "deleted":
        fail_on_errors(router_problems(module, view, desired, explain))
    plan = plan_nat(desired, view.nat, state, scope_kinds)
    filter_plan = plan_filter(desired, plan.after, view, warn=module.warn)
    if filter_plan is not None:
        plan.menus[FILTER_TABLE.path] = filter_plan
    pinhole_plan = plan_pinholes(desired, view)
    if pinhole_plan is not None:
        plan.menus[FILTER6_TABLE.path] = pinhole_plan
    mangle_plan = plan_mangle(desired, view.mangle)
    if mangle_plan is not None:
        plan.menus[MANGLE_TABLE.path] = mangle_plan
    if KIND_DSTNAT in scope_kinds:
        report_shadowing(module, plan.after, view, result)
    adoption_notes = report_adoption(module, plan, result)
    entry_plans = plan_entry_jobs(desired.entry_jobs, view.entries)
    for warning in failed_reverts(view.scripts or [], view.schedulers or []):
        module.warn(warning)
    others = menu_plans(plan)
    commands = entry_lines(entry_plans) + render_commands(plan) + _menu_lines(plan)
    changed = (
        plan.changed
        or any(entry_plan.changed for entry_plan in entry_plans)
        or any(menu_plan.changed for _menu, menu_plan in others)
    )
    result.update(changed=changed, commands=commands, before=owned_rows(plan.before, scope_kinds))
    if changed:
        result["after"] = owned_rows(plan.after, scope_kinds)
    for job, entry_plan in zip(desired.entry_jobs, entry_plans):
        # The last job of a menu sees the others' work: its `after` is the menu's.
        result[job.section.option] = entry_plan.after
    if FILTER_TABLE.path in plan.menus:
        # The owned filter accepts as the plan leaves them (only the rules we own, as for NAT).
        result["filter_rules"] = owned_rows(plan.menus[FILTER_TABLE.path].after, FILTER_SCOPE)
    if FILTER6_TABLE.path in plan.menus:
        result["ipv6_filter_rules"] = owned_rows(plan.menus[FILTER6_TABLE.path].after, PINHOLE_SCOPE)
    if MANGLE_TABLE.path in plan.menus:
        # The owned reply-routing rules of several WANs as the plan leaves them.
        result["mangle_rules"] = owned_rows(plan.menus[MANGLE_TABLE.path].after, MANGLE_SCOPE)
    # Repairs of what someone changed on the router, apart from the inventory's changes.
    drift = list(plan.drift) + [item for _menu, menu_plan in others for item in menu_plan.drift]
    result["drift"] = [item.as_dict() for item in drift]
    notes = list(desired.notes) + adoption_notes + ["drift: %s" % item.message for item in drift]
    if notes:
        result["notes"] = notes
    if module._diff and changed:
        result["diff"] = dict(
            prepared=render_diff(plan, entry_plans, desired.port_forwards, plan.drift, menu_plans=others)
        )
    if guard is not None:
        guard(plan, result)
    if not changed or module.check_mode:
        _warn_pending(module, view)
        return plan
    writes = [command for entry_plan in entry_plans for command in entry_commands(entry_plan)] + api_commands(
        plan.operations
    )
    # The other menus' writes go in the same batch, after NAT's: an accept names no NAT row.
    writes += [command for menu, menu_plan in others for command in api_commands(menu_plan.operations, menu)]
    old_ids = frozenset(str(row.get(".id")) for row in plan.before)
    # Only a batch that adds can race another run into a duplicate: only it checks.
    adds = any(op.action == ACTION_ADD for op in plan.operations)
    expected = layout(plan.after, old_ids) if adds else None
    armed = _arm(module, view, plan, desired, entry_plans, result, commands)
    try:
        settled = write_batch(
            connection,
            (armed.commands if armed else []) + writes,
            expected,
            old_ids,
            _replanner(desired, scope_kinds),
            scope_kinds,
        )
    except RouterError as exc:
        # Part of the batch may be on the router: the result says so, and what was sent.
        note = "; %s" % armed.reverts_note() if armed else ""
        raise CallError(router_failure(exc, True) + note, changed=True, commands=commands) from None
    if settled.corrections:
        module.warn(_settle_warning(settled))
    if armed is not None:
        _verify(module, connection, desired, scope_kinds, armed, commands, also_check)
    return plan


def _warn_pending(module: Any, view: RouterView) -> None:
    warning = pending_warning(view.schedulers or [], view.clock or [])
    if warning is not None:
        module.warn(warning)


def _arm(module, view, plan, desired, entry_plans, result, commands):
    """The revert to arm before this call's writes (None with confirm off); it is in the
    result (and, with --diff, after the commands in the diff)."""
    if not module.params.get("confirm"):
        return None
    menus = [(NAT_MENU, view.nat)] if plan.changed else []
    for menu, menu_plan in menu_plans(plan):
        if menu_plan.changed:
            menus.append((ORDERED_REVERTS[menu.path], menu_plan.before))
    for job, entry_plan in zip(desired.entry_jobs, entry_plans):
        menu = ENTRY_MENUS[job.section.menu.path]
        if entry_plan.changed and menu not in [chosen for chosen, _rows in menus]:
            menus.append((menu, view.entries.get(job.section.option, [])))
    try:
        armed = prepare(
            module.params, view.clock or [], view.schedulers or [], menus, [item.id for item in plan.adopted]
        )
    except SafeApplyError as exc:
        raise CallError(str(exc), commands=commands) from None
    # The check before the confirm replans the filter on this read's facts.
    armed.view = view
    result["revert"] = dict(scheduler=armed.name, at="%s %s" % (armed.at.date_text(), armed.at.time_text()))
    result["revert"]["script"] = armed.script
    if "diff" in result:
        result["diff"]["prepared"] += "\n# armed revert (%s, runs unless confirmed):\n%s" % (armed.name, armed.script)
    return armed


def _verify(module, connection, desired, scope_kinds, armed, commands, also_check) -> None:
    """Read the router again on a new connection and confirm the revert when all is as planned."""
    sections = desired.entry_sections()
    with_filter = armed.view is not None and armed.view.filter is not None and desired.filter_job is not None
    with_filter6 = armed.view is not None and armed.view.filter6 is not None and desired.pinholes is not None
    with_mangle = armed.view is not None and armed.view.mangle is not None and desired.replies is not None

    def still_to_do(rows: List[List[Dict[str, Any]]]) -> Optional[str]:
        nat, rest = rows[0], rows[1:]
        if with_filter:
            filter_rows, rest = rest[0], rest[1:]
        if with_filter6:
            filter6_rows, rest = rest[0], rest[1:]
        if with_mangle:
            mangle_rows, rest = rest[0], rest[1:]
            again = plan_mangle(desired, mangle_rows)
            if again is not None and again.changed:
                return "the firewall mangle table not as planned"
        entry_rows = {section.option: found for section, found in zip(sections, rest)}
        planned = plan_nat(desired, nat, desired.state, scope_kinds)
        if planned.changed:
            return "the NAT table not as planned"
        if with_filter:
            again = plan_filter(desired, planned.after, armed.view, filter_rows)
            if again is not None and again.changed:
                return "the firewall filter not as planned"
        if with_filter6:
            again6 = plan_pinholes(desired, armed.view, filter6_rows)
            if again6 is not None and again6.changed:
                return "the IPv6 firewall filter not as planned"
        if any(entry_plan.changed for entry_plan in plan_entry_jobs(desired.entry_jobs, entry_rows)):
            return "the owned entries not as planned"
        return None

    reads = (
        [NAT_READ]
        + ([FILTER_READ] if with_filter else [])
        + ([FILTER6_READ] if with_filter6 else [])
        + ([MANGLE_READ] if with_mangle else [])
        + [section.read for section in sections]
    )
    try:
        connection.round_trips += verify_and_confirm(module.params, armed, reads, still_to_do, also_check)
    except SafeApplyError as exc:
        # The changes were written: the result says so, and when the router undoes them.
        raise CallError(after_writing(commands, str(exc)), changed=True, commands=commands) from None


def _replanner(desired: Desired, scope_kinds: FrozenSet[str]) -> Callable[[List[Dict[str, Any]]], List[Command]]:
    """The writes that would bring a table read after our own writes to this call's plan (only
    needed when another run wrote at the same time)."""

    def replan(rows: List[Dict[str, Any]]) -> List[Command]:
        plan = plan_changes(
            desired.rules(),
            rows,
            state=desired.state,
            scope_kinds=scope_kinds,
            services=desired.services,
            adopt=desired.adopt,
        )
        return api_commands(plan.operations)

    return replan


def _settle_warning(settled: Settled) -> str:
    copies = " (removed the later copies %s)" % ", ".join(settled.removed) if settled.removed else ""
    if settled.settled:
        return "another run changed the NAT table at the same time; %d correction pass(es) brought it to the plan%s" % (
            settled.corrections,
            copies,
        )
    return (
        "another run kept changing the NAT table at the same time; after %d correction passes it still differs "
        "from the plan%s: run again to converge" % (settled.corrections, copies)
    )

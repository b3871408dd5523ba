# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# The calls of the modules that are not about NAT rules (the NAT modules' call is
# runner.NatCall, the services module's services.ServicesCall): dns_static, nat_info and
# nat_analyze, each through the one run loop.

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.api import RouterError
from ansible_collections.hairpin.routeros.plugins.module_utils.converge import (
    fail_on_errors,
    plan_entry_jobs,
    router_failure,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.desired import CallError, EntryJob
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import DNS_STATIC, dns_entries
from ansible_collections.hairpin.routeros.plugins.module_utils.gather import parse_entries_rsc, rows_to_entry_config
from ansible_collections.hairpin.routeros.plugins.module_utils.importing import import_router, variables_yaml
from ansible_collections.hairpin.routeros.plugins.module_utils.read import (
    ADDRESS_LISTS,
    DNS_ENTRIES,
    EntrySection,
    RouterView,
    describe_table,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_diff, render_entry_commands
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import Call
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import RscParseError
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import check_dns_config
from ansible_collections.hairpin.routeros.plugins.module_utils.writes import entry_commands


class DnsStaticCall(Call):
    """The dns_static module: owned static DNS entries, its only menu, with the NAT states."""

    facts = False

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        self.state = params["state"]
        self.job: Optional[EntryJob] = None

    def offline(self) -> Optional[Dict[str, Any]]:
        params, state = self.params, self.state
        if state == "parsed":
            try:
                rows = parse_entries_rsc(DNS_STATIC, params["running_config"])
            except RscParseError as exc:
                raise CallError("running_config: %s" % exc) from None
            return dict(changed=False, parsed=rows_to_entry_config(DNS_STATIC, rows))
        config = params.get("config") or []
        if state != "gathered":
            problems = check_dns_config(config, host=params.get("hostname"), need_address=state != "deleted")
            fail_on_errors(problems, "invalid DNS configuration")
        entries = dns_entries(config) if state != "gathered" else []
        self.job = EntryJob(DNS_ENTRIES, entries, "merged" if state == "rendered" else state)
        if state == "rendered":
            return dict(changed=False, rendered=render_entry_commands(self._plan({})))
        return None

    def _plan(self, rows: Mapping[str, Any]) -> Any:
        return plan_entry_jobs([self.job], rows, what="DNS")[0]

    def entries(self) -> Sequence[EntrySection]:
        return (DNS_ENTRIES,)

    def on_router(self, module: Any, connection: Any, view: RouterView, result: Dict[str, Any]) -> None:
        if self.state == "gathered":
            result["gathered"] = rows_to_entry_config(DNS_STATIC, view.entries[DNS_ENTRIES.option])
            return
        plan = self._plan(view.entries)
        commands = render_entry_commands(plan)
        result.update(changed=plan.changed, commands=commands, before=plan.before)
        if plan.changed:
            result["after"] = plan.after
        if module._diff and plan.changed:
            result["diff"] = dict(prepared=render_diff(None, [plan]))
        if plan.changed and not module.check_mode:
            try:
                connection.run(entry_commands(plan))
            except RouterError as exc:
                raise CallError(router_failure(exc, True), commands=commands) from None


class InfoCall(Call):
    """The nat_info module: the NAT table and the router facts, as read."""

    missing_connection = "missing required arguments: %s"

    def entries(self) -> Sequence[Any]:
        # The static DNS names of the servers become their services' dns_name.
        return (DNS_ENTRIES,)

    def on_router(self, module: Any, connection: Any, view: RouterView, result: Dict[str, Any]) -> None:
        result.update(describe_table(view))
        imported = import_router(view)
        result.update(
            services=imported["variables"]["hairpin_services"],
            variables=imported["variables"],
            expressed=imported["expressed"],
            unexpressed=imported["unexpressed"],
            import_notes=imported["notes"],
            variables_yaml=variables_yaml(str(self.params.get("hostname")), imported),
        )

    def read_failure(self, exc: RouterError, result: Dict[str, Any]) -> CallError:
        return CallError(str(exc))


class AnalyzeCall(Call):
    """The nat_analyze module: the analysis of given rules, of an export, or of the router."""

    missing_connection = "reading the router needs %s (or give rules or running_config)"
    firewall = True
    # The owned IPv6 pinholes are checked against the IPv6 filter.
    ipv6_firewall = True

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        self.report: Any = None

    def offline(self) -> Optional[Dict[str, Any]]:
        from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import (
            Facts,
            facts_from_rsc,
            rows_from_rsc,
        )

        params = self.params
        if params["running_config"] is not None:
            try:
                rows = rows_from_rsc(params["running_config"])
                facts = facts_from_rsc(params["running_config"])
            except RscParseError as exc:
                raise CallError("running_config: %s" % exc) from None
        elif params["rules"] is not None:
            rows, facts = params["rules"], Facts()
        else:
            return None
        result: Dict[str, Any] = dict(changed=False)
        self._analyze(rows, facts, result)
        self.finish(result)
        return result

    def entries(self) -> Sequence[EntrySection]:
        return (ADDRESS_LISTS, DNS_ENTRIES)

    def on_router(self, module: Any, connection: Any, view: RouterView, result: Dict[str, Any]) -> None:
        from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import facts_from_view

        self._analyze(list(view.nat), facts_from_view(view), result)

    def _analyze(self, rows: Any, facts: Any, result: Dict[str, Any]) -> None:
        from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import AnalyzeError, analyze

        facts = facts.merged(self.params["facts"])
        facts.update(self.params)
        try:
            self.report = analyze(rows, facts)
        except AnalyzeError as exc:
            raise CallError("cannot analyse the NAT table: %s" % exc) from None
        result.update(self.report.as_dict())

    def read_failure(self, exc: RouterError, result: Dict[str, Any]) -> CallError:
        return CallError(str(exc))

    def finish(self, result: Dict[str, Any]) -> None:
        if self.params["fail_on_findings"] and self.report.errors:
            messages = ["[%s] %s" % (finding.code, finding.message) for finding in self.report.errors]
            raise CallError("%d finding(s): %s" % (len(messages), "; ".join(messages)), **result)

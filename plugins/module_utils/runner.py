# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# What every NAT module does, once: options -> typed services -> (one read) -> validation ->
# plan -> (one pipelined write) -> result. The modules only say which kinds of rule they manage
# and how their options map to services. One router costs one connection and, after login, one
# round trip to read and at most one to write.

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.api import (
    Command,
    CommandError,
    RouterError,
    connect,
    connection_warnings,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import (
    ADDRESS_LIST,
    DNS_STATIC,
    EntryError,
    EntryMenu,
    EntryPlan,
    address_list_entries,
    apply_entry_plan,
    check_address_list_config,
    check_dns_config,
    dns_entries,
    entry_commands,
    plan_entries,
    render_entry_commands,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOTTOM,
    TOP,
    Anchor,
    Hairpin,
    HairpinSubnet,
    Masquerade,
    PortForward,
    desired_rules,
    is_owned,
    parse_marker,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.options import NAT_PATH
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    Plan,
    PlanError,
    plan_changes,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_commands, rows_to_config
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import RscParseError, read_nat_adds
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import (
    BUILTIN_INTERFACE_LISTS,
    InvalidConfigError,
    RouterFacts,
    ValidationError,
    validate_services,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    canonical_subnet,
    interface_address,
    is_true,
    lan_subnet_for,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.writes import Settled, api_commands, layout, write_batch

_SECTION_NAME = {
    "port_forwards": "port forward",
    "masquerades": "masquerade",
    "hairpins": "hairpin",
    "hairpin_subnets": "hairpin subnet",
}
# What a service needs to become a rule (every state but deleted, gathered and parsed).
_REQUIRED_FIELDS = {
    "port_forwards": ("port", "host"),
    "hairpins": ("host", "host_port"),
    "masquerades": (),
    "hairpin_subnets": (),
}


# ---------------------------------------------------------------------------------------------
# Options -> typed services
# ---------------------------------------------------------------------------------------------


@dataclass
class Desired:
    """The services of one module call, typed, plus what it takes to finish them on the router."""

    port_forwards: List[PortForward] = field(default_factory=list)
    masquerades: List[Masquerade] = field(default_factory=list)
    hairpins: List[Hairpin] = field(default_factory=list)
    hairpin_subnets: List[HairpinSubnet] = field(default_factory=list)
    # Port forwards whose hairpin rule is derived from the router's LAN (auto_hairpin).
    auto_hairpin: Optional[Mapping[str, Any]] = None
    auto_hairpin_for: List[PortForward] = field(default_factory=list)
    services: List[str] = field(default_factory=list)
    errors: List[ValidationError] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)


def _anchor(entry: Mapping[str, Any], default: Anchor) -> Anchor:
    position = entry.get("position")
    if position is None:
        return default
    comment = entry.get("anchor") if position in ("before", "after") else None
    return Anchor(position, comment)


def _anchor_problem(entry: Mapping[str, Any]) -> Optional[str]:
    position = entry.get("position")
    if position in ("before", "after") and not entry.get("anchor"):
        return "position %r needs 'anchor', the comment of the foreign rule to stand %s" % (position, position)
    if position not in ("before", "after") and entry.get("anchor"):
        return "'anchor' is only used with position 'before' or 'after'"
    return None


def _pick(entry: Mapping[str, Any], names: Sequence[str]) -> Dict[str, Any]:
    return {name: entry.get(name) for name in names}


def _service_label(section: str, entry: Mapping[str, Any]) -> str:
    if section == "hairpin_subnets" and entry.get("subnet"):
        return canonical_subnet(entry["subnet"])
    for key in ("name", "subnet", "out_interface", "out_interface_list"):
        if entry.get(key):
            return str(entry[key])
    return "(unnamed %s)" % _SECTION_NAME[section]


def build_desired(
    params: Mapping[str, Any],
    sections: Mapping[str, Optional[List[Mapping[str, Any]]]],
    *,
    state: str,
    host: Optional[str] = None,
) -> Desired:
    """Typed services from module options. `sections` maps a section name (port_forwards,
    masquerades, hairpins, hairpin_subnets) to its list of option dicts."""
    desired = Desired(auto_hairpin=params.get("auto_hairpin"))
    needs_fields = state not in ("deleted", "gathered", "parsed")
    for section, entries in sections.items():
        for entry in entries or []:
            label = _service_label(section, entry)
            desired.services.append(label)
            problem = _anchor_problem(entry)
            if problem:
                desired.errors.append(ValidationError(label, "anchor", problem, host))
                continue
            missing = [name for name in _REQUIRED_FIELDS[section] if needs_fields and entry.get(name) in (None, "")]
            for name in missing:
                desired.errors.append(ValidationError(label, name, "is required for state %s" % state, host))
            if missing:
                continue
            common = dict(comment=entry.get("comment"), disabled=bool(entry.get("disabled")))
            if section == "port_forwards":
                forward = PortForward(
                    anchor=_anchor(entry, TOP),
                    **_pick(
                        entry,
                        (
                            "name",
                            "protocol",
                            "port",
                            "host",
                            "host_port",
                            "public_address",
                            "public_address_list",
                            "in_interface",
                            "in_interface_list",
                        ),
                    ),
                    public_local=bool(entry.get("public_local")),
                    **common,
                )
                desired.port_forwards.append(forward)
                if entry.get("hairpin", True):
                    desired.auto_hairpin_for.append(forward)
            elif section == "masquerades":
                desired.masquerades.append(
                    Masquerade(
                        anchor=_anchor(entry, BOTTOM),
                        **_pick(entry, ("out_interface", "out_interface_list", "ipsec_policy")),
                        **common,
                    )
                )
            elif section == "hairpins":
                desired.hairpins.append(
                    Hairpin(
                        anchor=_anchor(entry, TOP),
                        lan_subnet=entry.get("lan_subnet") or "",
                        **_pick(
                            entry, ("name", "protocol", "host", "host_port", "lan_interface", "lan_interface_list")
                        ),
                        **common,
                    )
                )
            elif section == "hairpin_subnets":
                desired.hairpin_subnets.append(
                    HairpinSubnet(
                        anchor=_anchor(entry, TOP),
                        **_pick(entry, ("subnet", "lan_interface", "lan_interface_list")),
                        **common,
                    )
                )
    return desired


# ---------------------------------------------------------------------------------------------
# The router: one read of everything the plan and the checks need
# ---------------------------------------------------------------------------------------------

_FACT_COMMANDS = (
    Command(NAT_PATH + "/print"),
    Command("/interface/print", {".proplist": "name"}),
    Command("/interface/list/print", {".proplist": "name"}),
    Command("/interface/list/member/print", {".proplist": "list,interface"}),
    Command("/ip/address/print", {".proplist": "address,interface,disabled"}),
    Command("/ip/service/print", {".proplist": "name,port,disabled"}),
)


@dataclass
class RouterView:
    nat: List[Dict[str, Any]]
    facts: RouterFacts
    # interface -> networks configured on it (enabled /ip/address entries)
    networks: Dict[str, List[str]]
    list_members: Dict[str, FrozenSet[str]]
    # option of an EntrySection -> its menu's rows
    entries: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)

    def lan_networks(self, lan_interface: Optional[str], lan_interface_list: Optional[str]) -> List[str]:
        interfaces = set()
        if lan_interface:
            interfaces.add(lan_interface)
        if lan_interface_list:
            interfaces.update(self.list_members.get(lan_interface_list, frozenset()))
        return [net for name in sorted(interfaces) for net in self.networks.get(name, [])]


def _enabled(row: Mapping[str, Any]) -> bool:
    return not is_true(row.get("disabled"))


@dataclass(frozen=True)
class EntrySection:
    """Owned entries of an unordered menu that ride in the NAT call (module option `option`):
    address-list entries (a DDNS name) and static DNS entries (split DNS)."""

    option: str
    menu: EntryMenu
    check: Callable[..., List[ValidationError]]
    build: Callable[[Sequence[Mapping[str, Any]]], List[Any]]
    # Owned entries can be anywhere in the menu; the properties we compare are all we read,
    # since such menus (block lists) can be large.
    read: Command


ADDRESS_LISTS, DNS_ENTRIES = ENTRY_SECTIONS = (
    EntrySection(
        "address_lists",
        ADDRESS_LIST,
        check_address_list_config,
        address_list_entries,
        Command("/ip/firewall/address-list/print", {".proplist": ".id,list,address,comment,disabled,dynamic"}),
    ),
    EntrySection(
        "dns_static",
        DNS_STATIC,
        check_dns_config,
        dns_entries,
        Command("/ip/dns/static/print", {".proplist": ".id,name,type,address,comment,disabled,dynamic"}),
    ),
)


def read_router(router: Any, *, entries: Sequence[EntrySection] = ()) -> RouterView:
    """Everything the plan and the checks need, in one round trip."""
    commands = list(_FACT_COMMANDS) + [section.read for section in entries]
    replies = router.read(commands)
    nat, interfaces, lists, members, addresses, services = replies[: len(_FACT_COMMANDS)]
    networks: Dict[str, List[str]] = {}
    own = []
    for row in addresses:
        if not _enabled(row) or "address" not in row:
            continue
        own.append(str(row["address"]))
        interface = interface_address(row["address"])
        if interface is not None:
            networks.setdefault(str(row.get("interface", "")), []).append(str(interface.network))
    list_members: Dict[str, set] = {}
    for row in members:
        list_members.setdefault(str(row.get("list", "")), set()).add(str(row.get("interface", "")))
    facts = RouterFacts(
        interfaces=frozenset(str(row["name"]) for row in interfaces if "name" in row),
        interface_lists=frozenset(str(row["name"]) for row in lists if "name" in row),
        addresses=frozenset(own),
        services={
            str(row["name"]): int(row["port"])
            for row in services
            if _enabled(row) and "name" in row and str(row.get("port", "")).isdigit()
        },
    )
    view = RouterView(nat, facts, networks, {k: frozenset(v) for k, v in list_members.items()})
    for section, rows in zip(entries, replies[len(_FACT_COMMANDS) :]):
        view.entries[section.option] = rows
    return view


def finish_hairpins(desired: Desired, view: Optional[RouterView]) -> None:
    """Fill in what only the router knows: hairpin rules derived from port forwards, and LAN
    subnets not given in the options (the router's addresses on the LAN interface)."""
    auto = desired.auto_hairpin or {}
    mode = auto.get("mode", "none") if auto else "none"
    lan_if, lan_list = auto.get("lan_interface"), auto.get("lan_interface_list")
    subnets = list(auto.get("lan_subnets") or [])
    if mode != "none" and view is not None:
        missing = _missing_lan(view.facts, lan_if, lan_list)
        if missing:
            field_name, message = missing
            for service in [forward.name for forward in desired.auto_hairpin_for] or ["auto_hairpin"]:
                desired.errors.append(ValidationError(service, field_name, message))
            return
    if mode != "none" and not subnets and view is not None:
        subnets = view.lan_networks(lan_if, lan_list)
    if mode != "none" and not subnets:
        where = "from the router's addresses on the LAN" if view is not None else "(no router to read them from)"
        desired.errors.append(ValidationError("auto_hairpin", "lan_subnets", "no LAN subnet given or found %s" % where))
        return
    if mode == "per_service":
        for forward in desired.auto_hairpin_for:
            subnet = lan_subnet_for(forward.host, subnets)
            if subnet is None:
                desired.notes.append(
                    "service %r: host %s is on none of the LAN subnets %s, so it needs no hairpin rule"
                    % (forward.name, forward.host, ", ".join(subnets))
                )
                continue
            desired.hairpins.append(Hairpin.for_port_forward(forward, subnet, lan_if, lan_list))
    elif mode == "subnet":
        seen = set()
        for subnet in subnets:
            network = canonical_subnet(subnet) if "/" in subnet else subnet
            if network not in seen:
                seen.add(network)
                desired.hairpin_subnets.append(HairpinSubnet(network, lan_if, lan_list))
    for index, hairpin in enumerate(desired.hairpins):
        if hairpin.lan_subnet or view is None:
            continue
        found = lan_subnet_for(hairpin.host, view.lan_networks(hairpin.lan_interface, hairpin.lan_interface_list))
        if found is None:
            desired.errors.append(
                ValidationError(
                    hairpin.name,
                    "lan_subnet",
                    "not given, and no address of the router on the LAN holds %s" % hairpin.host,
                )
            )
        else:
            desired.hairpins[index] = _replace_subnet(hairpin, found)


def _missing_lan(facts: RouterFacts, lan_interface: Optional[str], lan_interface_list: Optional[str]):
    """(field, message) when the LAN the hairpin rules go out of does not exist on the router."""
    if lan_interface and lan_interface not in facts.interfaces:
        return "lan_interface", "interface %r does not exist on the router" % lan_interface
    if lan_interface_list and lan_interface_list not in facts.interface_lists | BUILTIN_INTERFACE_LISTS:
        return "lan_interface_list", "interface list %r does not exist on the router" % lan_interface_list
    return None


def _replace_subnet(hairpin: Hairpin, subnet: str) -> Hairpin:
    return replace(hairpin, lan_subnet=subnet)


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


@dataclass
class NatResource:
    """What one module manages: the kinds of owned rule and how to read its options."""

    scope_kinds: FrozenSet[str]
    sections: Callable[[Mapping[str, Any]], Dict[str, Optional[List[Mapping[str, Any]]]]]
    # Shape gathered/parsed config for this module's `config` option.
    shape_config: Callable[[Dict[str, List[Dict[str, Any]]]], Any]


def _public_rows(rows: Sequence[Mapping[str, Any]], kinds: FrozenSet[str]) -> List[Dict[str, Any]]:
    # Counters change all the time and say nothing about configuration.
    return [{k: v for k, v in row.items() if k not in ("bytes", "packets")} for row in rows if is_owned(row, kinds)]


if TYPE_CHECKING:  # typing.Protocol is newer than some Pythons a module may run on
    from typing import NoReturn, Protocol

    class ModuleLike(Protocol):
        """What run_module needs of its caller, and all it uses: an AnsibleModule when the module
        runs as its own process, or the action plugin's in-worker adapter (plugin_utils/in_worker.py)
        when it runs inside the controller's worker. exit_json and fail_json never return."""

        params: Dict[str, Any]  # validated against the module's argument spec
        check_mode: bool
        _diff: bool

        def warn(self, warning: str) -> None: ...

        def fail_json(self, msg: str, **kwargs: Any) -> NoReturn: ...

        def exit_json(self, **kwargs: Any) -> NoReturn: ...


@dataclass(frozen=True)
class EntryJob:
    """Owned entries of one menu that a call brings to `config` with `state`. A call may give
    one menu two jobs (the services module: merged for the present, deleted for the absent)."""

    section: EntrySection
    config: List[Mapping[str, Any]]
    state: str


def entry_jobs(params: Mapping[str, Any], state: str) -> List[EntryJob]:
    """The entry menus a NAT module call manages: an option left out (None) is not managed;
    given, even empty, it is."""
    return [
        EntryJob(section, params[section.option], state)
        for section in ENTRY_SECTIONS
        if params.get(section.option) is not None
    ]


def check_entry_jobs(jobs: Sequence[EntryJob], host: Optional[str]) -> List[ValidationError]:
    return [error for job in jobs if job.state != "deleted" for error in job.section.check(job.config, host=host)]


def entry_sections(jobs: Sequence[EntryJob]) -> List[EntrySection]:
    """The menus to read for `jobs`, each once, in ENTRY_SECTIONS order."""
    wanted = {job.section.option for job in jobs}
    return [section for section in ENTRY_SECTIONS if section.option in wanted]


def run_module(module: ModuleLike, resource: NatResource) -> None:
    """The whole life of a NAT module call; ends with exit_json or fail_json. The one code path
    of both ways a NAT module runs (see ModuleLike)."""
    params = module.params
    state = params["state"]
    host = params.get("hostname")
    result: Dict[str, Any] = dict(changed=False)

    if state == "parsed":
        try:
            rows = read_nat_adds(params["running_config"])
        except RscParseError as exc:
            module.fail_json(msg="running_config: %s" % exc)
        result["parsed"] = resource.shape_config(rows_to_config(rows, resource.scope_kinds))
        module.exit_json(**result)

    desired = build_desired(params, resource.sections(params), state=state, host=host)

    # Owned address-list entries (the DDNS name a port forward's public_address_list follows)
    # and static DNS entries (split DNS) ride in the same call, so they cost no extra
    # connection.
    jobs = entry_jobs(params, state)
    if state != "gathered":
        desired.errors.extend(check_entry_jobs(jobs, host))

    if state == "rendered":
        finish_hairpins(desired, None)
        _fail_on_errors(module, desired.errors + validate_desired(desired, None, host))
        plan = _plan(module, desired, [], "merged", resource)
        entry_plans = _plan_entry_jobs(module, [replace(job, state="merged") for job in jobs], {})
        result["rendered"] = _entry_lines(entry_plans) + render_commands(plan)
        module.exit_json(**result)

    for warning in connection_warnings(params):
        module.warn(warning)
    if desired.errors and state != "gathered":
        # Option errors need no router: report them before connecting.
        _fail_on_errors(module, desired.errors)
    try:
        with connect(params) as router:
            view = read_router(router, entries=entry_sections(jobs))
            if state == "gathered":
                result["gathered"] = resource.shape_config(rows_to_config(view.nat, resource.scope_kinds))
            else:
                converge(module, router, view, desired, state, resource, jobs, result)
            result["round_trips"] = router.round_trips
    except RouterError as exc:
        # Connecting or reading failed: converge() reports failures of its writes itself.
        module.fail_json(msg=router_failure(exc, False), commands=result.get("commands", []))
    module.exit_json(**result)


def converge(
    module: ModuleLike,
    router: Any,
    view: RouterView,
    desired: Desired,
    state: str,
    resource: NatResource,
    jobs: Sequence[EntryJob],
    result: Dict[str, Any],
) -> None:
    """Check `desired` against the router, plan, and (unless in check mode) write the plan in
    one pipelined batch; fills `result` (changed, commands, before, after, the entries, notes,
    diff). Fails the module on bad input (before any write) and on a failed write."""
    if state != "deleted":
        finish_hairpins(desired, view)
        _fail_on_errors(module, desired.errors + validate_desired(desired, view.facts, module.params.get("hostname")))
    plan = _plan(module, desired, view.nat, state, resource)
    entry_plans = _plan_entry_jobs(module, jobs, view.entries)
    commands = _entry_lines(entry_plans) + render_commands(plan)
    changed = plan.changed or any(entry_plan.changed for entry_plan in entry_plans)
    result.update(
        changed=changed,
        commands=commands,
        before=_public_rows(plan.before, resource.scope_kinds),
    )
    if changed:
        result["after"] = _public_rows(plan.after, resource.scope_kinds)
    for job, entry_plan in zip(jobs, entry_plans):
        # The last job of a menu sees the others' work: its `after` is the menu's.
        result[job.section.option] = entry_plan.after
    if desired.notes:
        result["notes"] = desired.notes
    if module._diff and changed:
        result["diff"] = dict(prepared="\n".join(commands) + "\n")
    if not changed or module.check_mode:
        return
    writes = [command for entry_plan in entry_plans for command in entry_commands(entry_plan)] + api_commands(
        plan.operations
    )
    old_ids = frozenset(str(row.get(".id")) for row in plan.before)
    # Only a batch that adds can race another run into a duplicate: only it checks.
    adds = any(op.action == ACTION_ADD for op in plan.operations)
    expected = layout(plan.after, old_ids) if adds else None
    replan = _replanner(desired, state, resource)
    try:
        settled = write_batch(router, writes, expected, old_ids, replan, resource.scope_kinds)
    except RouterError as exc:
        module.fail_json(msg=router_failure(exc, True), commands=commands)
    if settled.corrections:
        module.warn(_settle_warning(settled))


def router_failure(exc: RouterError, writing: bool) -> str:
    """The failure message of a module call, saying whether anything may have been written."""
    if isinstance(exc, CommandError):
        return "%s (the writes before and after it were sent too; run again to converge)" % exc
    # librouteros's messages end with a full stop; ours continue the sentence.
    reason = str(exc).rstrip(".")
    if writing:
        return "%s; some of the writes may be done and others not: run again to converge" % reason
    return "%s; nothing was written" % reason


def _replanner(desired: Desired, state: str, resource: NatResource) -> Callable[[List[Dict[str, Any]]], List[Command]]:
    """The writes that would bring a table read after our own writes to this call's plan (only
    needed when another run wrote at the same time)."""

    def replan(rows: List[Dict[str, Any]]) -> List[Command]:
        rules = desired_rules(desired.port_forwards, desired.hairpins, desired.hairpin_subnets, desired.masquerades)
        plan = plan_changes(rules, rows, state=state, scope_kinds=resource.scope_kinds, services=desired.services)
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


def _plan_entry_jobs(
    module: Any, jobs: Sequence[EntryJob], rows: Mapping[str, Sequence[Mapping[str, Any]]]
) -> List[EntryPlan]:
    """One plan per job. Jobs on the same menu are planned one after the other, each on the
    menu as the ones before leave it, so all their writes refer to entries read from the router."""
    plans = []
    menus: Dict[str, List[Dict[str, Any]]] = {option: [dict(row) for row in found] for option, found in rows.items()}
    for job in jobs:
        current = menus.get(job.section.option, [])
        config = job.config
        if job.state == "deleted":
            # Only the keys of the named entries matter for deleted.
            config = [dict(entry, comment=None) for entry in config]
        try:
            plan = plan_entries(job.section.menu, job.section.build(config), current, state=job.state)
        except EntryError as exc:
            module.fail_json(msg="cannot plan the %s changes, nothing was written: %s" % (job.section.option, exc))
            raise  # pragma: no cover - fail_json exits
        menus[job.section.option] = apply_entry_plan(current, plan)
        plans.append(plan)
    return plans


def _entry_lines(plans: Sequence[EntryPlan]) -> List[str]:
    return [line for plan in plans for line in render_entry_commands(plan)]


def validate_desired(desired: Desired, facts: Optional[RouterFacts], host: Optional[str]) -> List[ValidationError]:
    return validate_services(
        desired.port_forwards, desired.masquerades, desired.hairpins, desired.hairpin_subnets, facts, host
    )


def _fail_on_errors(module: Any, errors: Sequence[ValidationError]) -> None:
    if errors:
        problems = [error.text for error in errors]
        module.fail_json(
            msg="invalid NAT configuration, nothing was written: " + "; ".join(problems),
            problems=problems,
        )


def _plan(
    module: Any, desired: Desired, current: Sequence[Mapping[str, Any]], state: str, resource: NatResource
) -> Plan:
    rules = desired_rules(desired.port_forwards, desired.hairpins, desired.hairpin_subnets, desired.masquerades)
    try:
        return plan_changes(rules, current, state=state, scope_kinds=resource.scope_kinds, services=desired.services)
    except (PlanError, InvalidConfigError, ValueError) as exc:
        module.fail_json(msg="cannot plan the NAT changes, nothing was written: %s" % exc)
        raise  # pragma: no cover - fail_json exits


def describe_table(view: RouterView) -> Dict[str, Any]:
    """The NAT table and the router facts as plain data (the nat_info module's result)."""
    rules = []
    for position, row in enumerate(view.nat):
        entry = {k: v for k, v in row.items() if k not in ("bytes", "packets")}
        key = parse_marker(row.get("comment"))
        owned = key is not None and not is_true(row.get("dynamic"))
        entry["position"] = position
        entry["owned"] = owned
        if owned:
            entry["owner"] = dict(kind=key.kind, name=key.name, protocol=key.protocol)
        rules.append(entry)
    return dict(
        rules=rules,
        config=rows_to_config(view.nat),
        facts=dict(
            interfaces=sorted(view.facts.interfaces),
            interface_lists=sorted(view.facts.interface_lists),
            interface_list_members={name: sorted(members) for name, members in sorted(view.list_members.items())},
            addresses=sorted(view.facts.addresses),
            services=dict(view.facts.services),
            lan_networks={name: list(nets) for name, nets in sorted(view.networks.items())},
        ),
    )

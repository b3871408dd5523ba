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

import ipaddress
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.api import (
    CONNECTION_OPTIONS,
    Command,
    CommandError,
    RouterError,
    api_argument_spec,
    connect,
    connection_warnings,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import (
    ADDRESS_LIST,
    EntryError,
    EntryPlan,
    address_list_entries,
    check_address_list_config,
    entry_commands,
    plan_entries,
    render_entry_commands,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOTTOM,
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    TOP,
    Anchor,
    Hairpin,
    HairpinSubnet,
    Masquerade,
    PortForward,
    canonical_subnet,
    desired_rules,
    is_true,
    lan_subnet_for,
    parse_marker,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    ACTION_MOVE,
    ACTION_REMOVE,
    ACTION_SET,
    ACTION_UNSET,
    Operation,
    Plan,
    PlanError,
    apply_plan,
    plan_changes,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.render import (
    RscParseError,
    parse_nat_rsc,
    render_commands,
    rows_to_config,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import (
    BUILTIN_INTERFACE_LISTS,
    InvalidConfigError,
    RouterFacts,
    ValidationError,
    validate_services,
)

NAT_PATH = "/ip/firewall/nat"
WRITE_STATES = ("merged", "replaced", "overridden", "deleted")
STATES = (*WRITE_STATES, "gathered", "rendered", "parsed")
OFFLINE_STATES = ("rendered", "parsed")

# ---------------------------------------------------------------------------------------------
# Option specs: the single source of option truth for every module (DOCUMENTATION mirrors them).
# Fields are not `required` here because `deleted` needs only names; `required_fields` below
# says what each state needs, and the error names the service and the field.
# ---------------------------------------------------------------------------------------------

_PLACEMENT_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    position=dict(type="str", choices=["top", "bottom", "before", "after"]),
    anchor=dict(type="str"),
)
_COMMON_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    comment=dict(type="str"),
    disabled=dict(type="bool", default=False),
    **_PLACEMENT_OPTIONS,
)

PORT_FORWARD_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    name=dict(type="str", required=True),
    protocol=dict(type="str", default="tcp", choices=["tcp", "udp", "both"]),
    port=dict(type="str"),
    host=dict(type="str"),
    host_port=dict(type="str"),
    public_address=dict(type="str"),
    public_address_list=dict(type="str"),
    public_local=dict(type="bool", default=False),
    in_interface=dict(type="str"),
    in_interface_list=dict(type="str"),
    hairpin=dict(type="bool", default=True),
    **_COMMON_OPTIONS,
)

MASQUERADE_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    out_interface=dict(type="str"),
    out_interface_list=dict(type="str"),
    ipsec_policy=dict(type="str"),
    **_COMMON_OPTIONS,
)

HAIRPIN_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    name=dict(type="str", required=True),
    protocol=dict(type="str", default="tcp", choices=["tcp", "udp", "both"]),
    host=dict(type="str"),
    host_port=dict(type="str"),
    lan_subnet=dict(type="str"),
    lan_interface=dict(type="str"),
    lan_interface_list=dict(type="str"),
    **_COMMON_OPTIONS,
)

HAIRPIN_SUBNET_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    subnet=dict(type="str", required=True),
    lan_interface=dict(type="str"),
    lan_interface_list=dict(type="str"),
    **_COMMON_OPTIONS,
)

ADDRESS_LIST_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    list=dict(type="str", required=True),
    address=dict(type="str", required=True),
    comment=dict(type="str"),
    disabled=dict(type="bool", default=False),
)

AUTO_HAIRPIN_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    mode=dict(type="str", default="per_service", choices=["per_service", "subnet", "none"]),
    lan_interface=dict(type="str"),
    lan_interface_list=dict(type="str"),
    lan_subnets=dict(type="list", elements="str"),
)


def list_option(options: Dict[str, Dict[str, Any]], **extra: Any) -> Dict[str, Any]:
    spec = dict(type="list", elements="dict", options=options)
    spec.update(extra)
    return spec


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


def module_argument_spec(config_spec: Dict[str, Any]) -> Dict[str, Any]:
    """The full argument spec of a NAT module: its config options, state, running_config and
    the connection options of the `hairpin.routeros.api` doc fragment."""
    spec: Dict[str, Any] = dict(config_spec)
    spec.update(
        state=dict(type="str", default="merged", choices=list(STATES)),
        running_config=dict(type="str"),
    )
    spec.update(api_argument_spec())
    return spec


def module_requirements() -> Dict[str, Any]:
    """required_if rules shared by every NAT module."""
    needs_router = [["state", state, list(CONNECTION_OPTIONS)] for state in STATES if state not in OFFLINE_STATES]
    return dict(required_if=[*needs_router, ["state", "parsed", ["running_config"]]])


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
    address_lists: List[Dict[str, Any]] = field(default_factory=list)

    def lan_networks(self, lan_interface: Optional[str], lan_interface_list: Optional[str]) -> List[str]:
        interfaces = set()
        if lan_interface:
            interfaces.add(lan_interface)
        if lan_interface_list:
            interfaces.update(self.list_members.get(lan_interface_list, frozenset()))
        return [net for name in sorted(interfaces) for net in self.networks.get(name, [])]


def _enabled(row: Mapping[str, Any]) -> bool:
    return str(row.get("disabled", "false")).lower() not in ("true", "yes")


# Owned address-list entries can sit in any list; the properties we compare are all we read,
# since address lists (block lists) can be large.
_ADDRESS_LIST_READ = Command(
    "/ip/firewall/address-list/print", {".proplist": ".id,list,address,comment,disabled,dynamic"}
)


def read_router(router: Any, *, address_lists: bool = False) -> RouterView:
    commands = list(_FACT_COMMANDS) + ([_ADDRESS_LIST_READ] if address_lists else [])
    replies = router.read(commands)
    nat, interfaces, lists, members, addresses, services = replies[: len(_FACT_COMMANDS)]
    networks: Dict[str, List[str]] = {}
    own = []
    for row in addresses:
        if not _enabled(row) or "address" not in row:
            continue
        own.append(str(row["address"]))
        try:
            network = str(ipaddress.IPv4Interface(str(row["address"])).network)
        except ValueError:
            continue
        networks.setdefault(str(row.get("interface", "")), []).append(network)
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
    if address_lists:
        view.address_lists = replies[len(_FACT_COMMANDS)]
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
            network = str(ipaddress.IPv4Network(subnet, strict=False)) if "/" in subnet else subnet
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
# Operations -> API sentences
# ---------------------------------------------------------------------------------------------


def api_commands(operations: Sequence[Operation]) -> List[Command]:
    """The API sentences that carry out `operations`, in order (the CLI twin is render.py)."""
    commands = []
    for op in operations:
        if op.action == ACTION_ADD:
            attributes = dict(op.fields)
            if op.destination is not None:
                attributes["place-before"] = op.destination
            commands.append(Command(NAT_PATH + "/add", attributes))
        elif op.action == ACTION_SET:
            commands.append(Command(NAT_PATH + "/set", dict({".id": str(op.id)}, **op.fields)))
        elif op.action == ACTION_UNSET:
            # `=!name=` in set removes the property, as the console's `set *5 !name` does.
            attributes = {".id": str(op.id)}
            attributes.update(("!" + name, "") for name in op.fields)
            commands.append(Command(NAT_PATH + "/set", attributes))
        elif op.action == ACTION_MOVE:
            attributes = {"numbers": str(op.id)}
            if op.destination is not None:
                attributes["destination"] = op.destination
            commands.append(Command(NAT_PATH + "/move", attributes))
        elif op.action == ACTION_REMOVE:
            commands.append(Command(NAT_PATH + "/remove", {".id": str(op.id)}))
        else:  # pragma: no cover - the planner makes no other action
            raise ValueError("unknown operation %r" % op.action)
    return commands


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


def _is_owned(row: Mapping[str, Any], kinds: FrozenSet[str]) -> bool:
    key = parse_marker(row.get("comment"))
    return key is not None and key.kind in kinds and not is_true(row.get("dynamic"))


def _public_rows(rows: Sequence[Mapping[str, Any]], kinds: FrozenSet[str]) -> List[Dict[str, Any]]:
    # Counters change all the time and say nothing about configuration.
    return [{k: v for k, v in row.items() if k not in ("bytes", "packets")} for row in rows if _is_owned(row, kinds)]


def run_module(module: Any, resource: NatResource) -> None:
    """The whole life of a NAT module call; ends with exit_json or fail_json."""
    params = module.params
    state = params["state"]
    host = params.get("hostname")
    result: Dict[str, Any] = dict(changed=False)

    if state == "parsed":
        try:
            rows = parse_nat_rsc(params["running_config"])
        except RscParseError as exc:
            module.fail_json(msg="running_config: %s" % exc)
        result["parsed"] = resource.shape_config(rows_to_config(rows, resource.scope_kinds))
        module.exit_json(**result)

    desired = build_desired(params, resource.sections(params), state=state, host=host)

    # Owned address-list entries (e.g. the DDNS name a port forward's public_address_list
    # follows) ride in the same call, so they cost no extra connection. None: not managed.
    address_config = params.get("address_lists")
    if address_config is not None and state not in ("deleted", "gathered"):
        desired.errors.extend(check_address_list_config(address_config, host=host))

    if state == "rendered":
        finish_hairpins(desired, None)
        _fail_on_errors(module, desired.errors + _validate(desired, None, host))
        plan = _plan(module, desired, [], "merged", resource)
        entry_plan = _plan_address_lists(module, address_config, [], "merged")
        result["rendered"] = _entry_lines(entry_plan) + render_commands(plan)
        module.exit_json(**result)

    for warning in connection_warnings(params):
        module.warn(warning)
    if desired.errors and state != "gathered":
        # Option errors need no router: report them before connecting.
        _fail_on_errors(module, desired.errors)
    try:
        with connect(params) as router:
            view = read_router(router, address_lists=address_config is not None)
            if state == "gathered":
                result["gathered"] = resource.shape_config(rows_to_config(view.nat, resource.scope_kinds))
                result["round_trips"] = router.round_trips
                module.exit_json(**result)
            if state != "deleted":
                finish_hairpins(desired, view)
                _fail_on_errors(module, desired.errors + _validate(desired, view.facts, host))
            plan = _plan(module, desired, view.nat, state, resource)
            entry_plan = _plan_address_lists(module, address_config, view.address_lists, state)
            commands = _entry_lines(entry_plan) + render_commands(plan)
            changed = plan.changed or (entry_plan is not None and entry_plan.changed)
            result.update(
                changed=changed,
                commands=commands,
                before=_public_rows(plan.before, resource.scope_kinds),
            )
            if changed:
                result["after"] = _public_rows(plan.after, resource.scope_kinds)
            if entry_plan is not None:
                result["address_lists"] = entry_plan.after
            if desired.notes:
                result["notes"] = desired.notes
            if module._diff and changed:
                result["diff"] = dict(prepared="\n".join(commands) + "\n")
            if changed and not module.check_mode:
                writes = (entry_commands(entry_plan) if entry_plan is not None else []) + api_commands(plan.operations)
                router.run(writes)
            result["round_trips"] = router.round_trips
    except CommandError as exc:
        module.fail_json(
            msg="%s (the writes before and after it were sent too; run again to converge)" % exc,
            commands=result.get("commands", []),
        )
    except RouterError as exc:
        module.fail_json(msg=str(exc), commands=result.get("commands", []))
    module.exit_json(**result)


def _plan_address_lists(
    module: Any, config: Optional[List[Mapping[str, Any]]], rows: Sequence[Mapping[str, Any]], state: str
) -> Optional[EntryPlan]:
    if config is None:
        return None
    try:
        if state == "deleted":
            # Only the keys of the named entries matter for deleted.
            config = [dict(entry, comment=None) for entry in config]
        return plan_entries(ADDRESS_LIST, address_list_entries(config), rows, state=state)
    except EntryError as exc:
        module.fail_json(msg="cannot plan the address-list changes, nothing was written: %s" % exc)
        raise  # pragma: no cover - fail_json exits


def _entry_lines(plan: Optional[EntryPlan]) -> List[str]:
    return render_entry_commands(plan) if plan is not None else []


def _validate(desired: Desired, facts: Optional[RouterFacts], host: Optional[str]) -> List[ValidationError]:
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


__all__ = [
    "ADDRESS_LIST_OPTIONS",
    "AUTO_HAIRPIN_OPTIONS",
    "HAIRPIN_OPTIONS",
    "HAIRPIN_SUBNET_OPTIONS",
    "KIND_DSTNAT",
    "KIND_HAIRPIN",
    "KIND_HAIRPIN_SUBNET",
    "KIND_MASQUERADE",
    "MASQUERADE_OPTIONS",
    "PORT_FORWARD_OPTIONS",
    "NatResource",
    "api_commands",
    "apply_plan",
    "describe_table",
    "list_option",
    "module_argument_spec",
    "module_requirements",
    "run_module",
]


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
            addresses=sorted(view.facts.addresses),
            services=dict(view.facts.services),
            lan_networks={name: list(nets) for name, nets in sorted(view.networks.items())},
        ),
    )

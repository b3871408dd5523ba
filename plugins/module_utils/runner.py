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
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence

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

DNS_STATIC_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    name=dict(type="str", required=True),
    address=dict(type="str"),
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
    return str(row.get("disabled", "false")).lower() not in ("true", "yes")


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
# Writing, and two runs at once
# ---------------------------------------------------------------------------------------------

# Read at the end of a batch that adds rules, in the same round trip: the order of the table
# and its markers (cheap even for a long table), to compare with the plan's.
_SETTLE_READ = Command(NAT_PATH + "/print", {".proplist": ".id,comment,dynamic"})
# Read when the table is not as planned: everything a plan needs.
_FULL_READ = Command(NAT_PATH + "/print")
# RouterOS's answer when the item an .id names is gone (another run removed it first).
_NO_SUCH_ITEM = "no such item"
# Correction passes after a batch that adds, at most (each: one round trip, only when needed).
SETTLE_PASSES = 3


def _id_number(identifier: str) -> Optional[int]:
    try:
        return int(identifier[1:], 16) if identifier.startswith("*") else None
    except ValueError:
        return None


def later_copies(rows: Sequence[Mapping[str, Any]], keys: Any) -> List[str]:
    """The .id of every copy of an owned rule whose key is in `keys`, but the copy with the
    lowest .id (RouterOS ids only grow, so every run that looks keeps the same copy)."""
    copies: Dict[Any, List[str]] = {}
    for row in rows:
        key = parse_marker(row.get("comment"))
        if key is not None and key in keys and not is_true(row.get("dynamic")):
            copies.setdefault(key, []).append(str(row.get(".id", "")))
    doomed: List[str] = []
    for ids in copies.values():
        numbers = [_id_number(identifier) for identifier in ids]
        if len(ids) < 2 or None in numbers:
            continue  # one copy, or an id we cannot order: nothing we can safely remove
        keep = ids[numbers.index(min(numbers))]
        doomed.extend(identifier for identifier in ids if identifier != keep)
    return doomed


def _raise_first_trap(
    target: str, commands: Sequence[Command], results: Sequence[Any], gone_is_done: bool = False
) -> None:
    for command, result in zip(commands, results):
        if result.trap is None:
            continue
        message = str(result.trap.get("message", ""))
        if message == _NO_SUCH_ITEM and (gone_is_done or command.path.endswith("/remove")):
            continue  # another run at the same time removed it first (a correction re-reads anyway)
        category = result.trap.get("category")
        raise CommandError(target, command, message, None if category is None else str(category))


@dataclass
class Settled:
    """What a write batch took beyond its own writes (see write_batch)."""

    removed: List[str] = field(default_factory=list)  # later copies removed
    corrections: int = 0  # correction passes sent
    settled: bool = True  # False: the table still differed from the plan after the last pass


def layout(rows: Sequence[Mapping[str, Any]], old_ids: FrozenSet[str]) -> List[str]:
    """The order of a table: the .id of rules that existed before the call, the comment of new
    ones (whose ids the router picks). Dynamic rules come and go on their own: left out."""
    return [
        str(row.get(".id")) if str(row.get(".id")) in old_ids else "+%s" % row.get("comment")
        for row in rows
        if not is_true(row.get("dynamic"))
    ]


def write_batch(
    router: Any,
    writes: Sequence[Command],
    expected: Optional[List[str]],
    old_ids: FrozenSet[str],
    replan: Callable[[List[Dict[str, Any]]], List[Command]],
    kinds: FrozenSet[str],
) -> Settled:
    """Send `writes` in one round trip; when they add rules, make sure the table ends as planned.

    Two runs that read the table at the same moment both find a rule missing and both add it,
    and one run's moves can land between the other's adds. So a batch that adds (`expected`: the
    planned layout of the table, see layout()) ends with a read of the table's order and markers
    in the same round trip (a connection's commands are answered in order). When that matches the
    plan, that was all. Otherwise the whole table is read, every copy of an owned rule but the one
    with the lowest .id is removed (ids only grow, so every run keeps the same copy) and the rest
    is planned again (`replan`) and sent, with another read, while that finds work, up to
    SETTLE_PASSES times. The run that finishes last reads a table no one else is changing, so
    runs at once end with one copy of each rule, in the planned order. A remove that finds its
    rule already gone (the other run removed it) counts as done."""
    settled = Settled()
    batch = list(writes) + ([_SETTLE_READ] if expected is not None else [])
    results = router.run(batch, raise_on_trap=False)
    _raise_first_trap(router.target, batch, results)
    if expected is None:
        return settled
    rows = results[-1].rows
    ours = {result.ret for command, result in zip(batch, results) if command.path == NAT_PATH + "/add"}
    if not ours <= {str(row.get(".id")) for row in rows}:
        # The read did not see every add of ours (a router that runs tagged commands side by
        # side, or another run removed a copy of ours): read again, after every answer.
        rows = router.read([_SETTLE_READ])[0]
    if layout(rows, old_ids) == expected:
        return settled
    rows = router.read([_FULL_READ])[0]
    for _pass in range(SETTLE_PASSES + 1):
        keys = {parse_marker(row.get("comment")) for row in rows if _is_owned(row, kinds)}
        doomed = later_copies(rows, keys)
        try:
            fixes = replan([row for row in rows if str(row.get(".id")) not in doomed])
        except (PlanError, InvalidConfigError, ValueError):
            fixes = []  # the table changed under us beyond planning: the next run reports it
        fixes = [Command(NAT_PATH + "/remove", {".id": identifier}) for identifier in doomed] + fixes
        if not fixes:
            return settled
        if settled.corrections == SETTLE_PASSES:
            break
        settled.removed.extend(doomed)
        settled.corrections += 1
        batch = [*fixes, _FULL_READ]
        results = router.run(batch, raise_on_trap=False)
        _raise_first_trap(router.target, batch, results, gone_is_done=True)
        rows = results[-1].rows
    settled.settled = False
    return settled


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
            rows = parse_nat_rsc(params["running_config"])
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


__all__ = [
    "ADDRESS_LIST_OPTIONS",
    "AUTO_HAIRPIN_OPTIONS",
    "DNS_STATIC_OPTIONS",
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
    "router_failure",
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
            interface_list_members={name: sorted(members) for name, members in sorted(view.list_members.items())},
            addresses=sorted(view.facts.addresses),
            services=dict(view.facts.services),
            lan_networks={name: list(nets) for name, nets in sorted(view.networks.items())},
        ),
    )

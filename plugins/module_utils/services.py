# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# The services model of the hairpin role and of the services module: a list of services
# (name, port, host, ...) plus a few router-wide settings (public address, WAN, LAN, hairpin
# mode). This file checks such an inventory (every problem at once, each naming the service and
# the field), turns it into the options of the NAT engine (port forwards, masquerade, hairpin
# rules, the DDNS address-list entry, split-DNS entries), and runs the engine on it: one router,
# one connection, one task.

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.api import (
    CONNECTION_OPTIONS,
    RouterError,
    api_argument_spec,
    connect,
    connection_warnings,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    desired_rules,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.options import list_option
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import plan_changes
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_commands
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import (
    ADDRESS_LISTS,
    DNS_ENTRIES,
    EntryJob,
    NatResource,
    build_desired,
    check_entry_jobs,
    converge,
    entry_sections,
    finish_hairpins,
    read_router,
    router_failure,
    validate_desired,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    NAME_RULES,
    address_list_name_problem,
    dns_name_problem,
    host_port_problem,
    ipv4_address,
    is_name,
    normalize_dns_name,
    port_problem,
    port_span,
    subnet_problem,
    unicast_problem,
)

MODES = ("per_service", "subnet", "split_dns", "none")

# The owned address list that holds the DNS name of a {ddns_name: FQDN} public address. A fixed
# name (each router has its own address lists), so renaming an inventory host does not churn
# the router.
DDNS_LIST = "hairpin-wan"

SERVICE_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    name=dict(type="str", required=True),
    protocol=dict(type="str", default="tcp", choices=["tcp", "udp", "both"]),
    port=dict(type="str"),
    host=dict(type="str"),
    host_port=dict(type="str"),
    dns_name=dict(type="str"),
    hairpin=dict(type="bool"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)

# The options of the services module; the role's variables are these with the prefix hairpin_
# (scripts/check-role-spec.py keeps roles/hairpin/meta/argument_specs.yml in step).
SETTINGS_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    services=list_option(SERVICE_OPTIONS, default=[]),
    public_address=dict(type="raw", required=True),
    mode=dict(type="str", default="per_service", choices=list(MODES)),
    wan_interface=dict(type="str"),
    wan_interface_list=dict(type="str"),
    lan_interface=dict(type="str"),
    lan_interface_list=dict(type="str"),
    lan_subnets=dict(type="list", elements="str", default=[]),
    masquerade=dict(type="bool", default=True),
    purge=dict(type="bool", default=True),
    analyze=dict(type="bool", default=False),
    analyze_fail_on_findings=dict(type="bool", default=True),
)

# The connection options a variable can give (from_variables): option -> name after the prefix.
CONNECTION_VARIABLES: Dict[str, str] = dict(
    hostname="api_host",
    port="api_port",
    username="api_username",
    password="api_password",
    tls="api_tls",
    validate_certs="api_validate_certs",
    ca_path="api_ca_path",
)


def option_variables(prefix: str) -> Dict[str, str]:
    """Option -> the variable that gives it with from_variables=`prefix`: `<prefix>_<option>`
    for the services options, `<prefix>_api_<name>` for the connection."""
    names = {option: option for option in SETTINGS_OPTIONS}
    names.update(CONNECTION_VARIABLES)
    return {option: "%s_%s" % (prefix, name) for option, name in names.items()}


# Every kind of owned NAT rule: the services model manages the whole NAT state hairpin owns.
RESOURCE = NatResource(
    scope_kinds=frozenset((KIND_DSTNAT, KIND_MASQUERADE, KIND_HAIRPIN, KIND_HAIRPIN_SUBNET)),
    sections=lambda params: {},
    shape_config=lambda config: config,
)


def module_spec() -> Dict[str, Any]:
    """The arguments of AnsibleModule for the services module (and its action plugin)."""
    spec = dict(SETTINGS_OPTIONS)
    spec.update(api_argument_spec())
    # Resolved by the action plugin on the controller (plugins/action/services.py), which then
    # drops it: the module's own code never needs it.
    spec.update(from_variables=dict(type="str"))
    return dict(argument_spec=spec, supports_check_mode=True)


# ---------------------------------------------------------------------------------------------
# Checks between options: every problem, each naming the service and the field
# ---------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def present(params: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    return [service for service in params.get("services") or [] if service.get("state") != "absent"]


def absent(params: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    return [service for service in params.get("services") or [] if service.get("state") == "absent"]


def hairpinned(params: Mapping[str, Any]) -> List[str]:
    """Names of the present services whose LAN clients get hairpin NAT: the mode decides,
    unless the service says otherwise; mode subnet covers every host of the subnet."""
    names = []
    for service in present(params):
        own = service.get("hairpin")
        wanted = bool(own) if own is not None else params.get("mode") == "per_service"
        if params.get("mode") == "subnet" or wanted:
            names.append(_text(service.get("name")))
    return names


def _setting_problems(where: str, params: Mapping[str, Any]) -> List[str]:
    out = []
    public = params.get("public_address")
    if isinstance(public, Mapping):
        keys = list(public)
        if len(keys) != 1 or keys[0] not in ("address_list", "ddns_name"):
            out.append(
                "%sfield 'public_address': a mapping must have exactly one key, address_list or ddns_name, not %s"
                % (where, ", ".join(_text(k) for k in keys))
            )
        elif "address_list" in public:
            out.extend(
                _problem(where, "public_address.address_list", address_list_name_problem(public["address_list"]))
            )
        else:
            out.extend(_problem(where, "public_address.ddns_name", dns_name_problem(_text(public["ddns_name"]))))
    elif public is None:
        out.append("%sfield 'public_address': is required" % where)
    elif public != "local":
        text = _text(public)
        if ipv4_address(text) is None:
            out.append(
                "%sfield 'public_address': '%s' is not an IPv4 address, 'local', {address_list: NAME} or "
                "{ddns_name: FQDN}" % (where, text)
            )
        else:
            out.extend(_problem(where, "public_address", unicast_problem(text, detail=False)))
    wan, wan_list = params.get("wan_interface"), params.get("wan_interface_list")
    if wan and wan_list:
        out.append("%sfield 'wan_interface_list': cannot be combined with 'wan_interface'; give only one" % where)
    elif params.get("masquerade") and not (wan or wan_list):
        out.append(
            "%sfield 'wan_interface': masquerade is true, so wan_interface or wan_interface_list is needed" % where
        )
    lan, lan_list = params.get("lan_interface"), params.get("lan_interface_list")
    with_hairpin = hairpinned(params)
    if lan and lan_list:
        out.append("%sfield 'lan_interface_list': cannot be combined with 'lan_interface'; give only one" % where)
    elif with_hairpin and not (lan or lan_list):
        out.append(
            "%sfield 'lan_interface': mode %s makes hairpin rules (services %s), so lan_interface or "
            "lan_interface_list is needed" % (where, params.get("mode"), ", ".join(with_hairpin))
        )
    for subnet in params.get("lan_subnets") or []:
        out.extend(_problem(where, "lan_subnets", subnet_problem(_text(subnet))))
    return out


def _problem(where: str, name: str, problem: Optional[str]) -> List[str]:
    """``where`` ends with ``: `` or is empty (a setting of the router, not of a service)."""
    return [] if problem is None else ["%sfield '%s': %s" % (where, name, problem)]


def _service_problems(where_host: str, params: Mapping[str, Any]) -> List[str]:
    out = []
    for service in params.get("services") or []:
        where = "%sservice '%s'" % (where_host, _text(service.get("name")))
        if not is_name(_text(service.get("name"))):
            out.append("%s: field 'name': not a valid name %s" % (where, NAME_RULES))
        if service.get("state") == "absent":
            continue
        where = where + ": "
        if service.get("port") is not None:
            out.extend(_problem(where, "port", port_problem(_text(service["port"]))))
        if service.get("host_port") is not None:
            problem = host_port_problem(_text(service["host_port"]), _text(service.get("port")))
            out.extend(_problem(where, "host_port", problem))
        if service.get("port") in (None, ""):
            out.append("%sfield 'port': is required (the public port, N or N-M)" % where)
        host = service.get("host")
        if host in (None, ""):
            out.append("%sfield 'host': is required (the server's IPv4 address)" % where)
        else:
            out.extend(_problem(where, "host", unicast_problem(_text(host), detail=False)))
        if service.get("dns_name"):
            out.extend(_problem(where, "dns_name", dns_name_problem(_text(service["dns_name"]))))
        if params.get("mode") == "subnet" and service.get("hairpin") is False:
            out.append(
                "%sfield 'hairpin': false has no effect with mode subnet, whose rule covers every host of the "
                "subnet; remove it or choose mode per_service" % where
            )
    return out


def _name_problems(where: str, params: Mapping[str, Any]) -> List[str]:
    names = [_text(service.get("name")) for service in params.get("services") or []]
    out = []
    for name in sorted(set(names), key=names.index):
        count = names.count(name)
        if count > 1:
            out.append(
                "%sservice '%s': field 'name': '%s' is defined %d times in services; names must be unique"
                % (where, name, name, count)
            )
    return out


def _overlap_problems(where: str, params: Mapping[str, Any]) -> List[str]:
    out: List[str] = []
    spans: List[Dict[str, Any]] = []
    for service in present(params):
        ports = port_span(service.get("port"))
        if ports is None:
            continue
        text = _text(service["port"])
        protocol = service.get("protocol") or "tcp"
        protocols = ["tcp", "udp"] if protocol == "both" else [protocol]
        span = dict(name=_text(service.get("name")), port=text, protocols=protocols, low=ports[0], high=ports[1])
        for earlier in spans:
            common = [p for p in protocols if p in earlier["protocols"]]
            if common and span["low"] <= earlier["high"] and earlier["low"] <= span["high"]:
                out.append(
                    "%sservice '%s': field 'port': %s port %s is already published by service '%s' (%s port %s)"
                    % (where, span["name"], "/".join(common), text, earlier["name"], "/".join(common), earlier["port"])
                )
        spans.append(span)
    return out


def _dns_problems(where: str, params: Mapping[str, Any]) -> List[str]:
    out: List[str] = []
    if params.get("mode") != "split_dns":
        return out
    seen: Dict[str, Dict[str, str]] = {}
    for service in present(params):
        if not service.get("dns_name"):
            continue
        name, host = normalize_dns_name(service["dns_name"]), _text(service.get("host"))
        if name in seen and seen[name]["host"] != host:
            out.append(
                "%sservice '%s': field 'dns_name': %s is also the name of service '%s' at %s; split DNS answers a "
                "name with one address"
                % (where, _text(service.get("name")), name, seen[name]["name"], seen[name]["host"])
            )
        elif name not in seen:
            seen[name] = dict(name=_text(service.get("name")), host=host)
    return out


def services_problems(params: Mapping[str, Any], host: Optional[str] = None) -> List[str]:
    """Every problem of one router's services and settings (already checked against the
    argument spec), as messages naming the host, the service and the field."""
    where = "host '%s': " % host if host else ""
    return (
        _setting_problems(where, params)
        + _service_problems(where, params)
        + _name_problems(where, params)
        + _overlap_problems(where, params)
        + _dns_problems(where, params)
    )


# ---------------------------------------------------------------------------------------------
# Services -> the NAT engine's options
# ---------------------------------------------------------------------------------------------


@dataclass
class NatCall:
    """What the NAT engine does for one router's services, in one call."""

    state: str
    port_forwards: List[Dict[str, Any]] = field(default_factory=list)
    masquerades: List[Dict[str, Any]] = field(default_factory=list)
    auto_hairpin: Dict[str, Any] = field(default_factory=dict)
    # Names of services whose owned rules go, though the call does not purge (state absent).
    removed: List[str] = field(default_factory=list)
    entry_jobs: List[EntryJob] = field(default_factory=list)


def _public_match(public: Any) -> Dict[str, Any]:
    """How a port forward matches the public side."""
    if public == "local":
        return dict(public_local=True)
    if isinstance(public, Mapping) and "address_list" in public:
        return dict(public_address_list=_text(public["address_list"]))
    if isinstance(public, Mapping) and "ddns_name" in public:
        return dict(public_address_list=DDNS_LIST)
    return dict(public_address=_text(public))


def _interface(params: Mapping[str, Any], side: str, prefix: str) -> Dict[str, str]:
    """{prefix_interface: ...} or {prefix_interface_list: ...} of the WAN or LAN side, or {}."""
    if params.get(side + "_interface"):
        return {prefix + "_interface": params[side + "_interface"]}
    if params.get(side + "_interface_list"):
        return {prefix + "_interface_list": params[side + "_interface_list"]}
    return {}


def _dns_entries(services: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """One static entry per DNS name (services may share a name and a host)."""
    entries: Dict[str, Dict[str, Any]] = {}
    for service in services:
        if service.get("dns_name"):
            name = normalize_dns_name(service["dns_name"])
            entries.setdefault(
                name, dict(name=name, address=_text(service.get("host")), comment="service %s" % service["name"])
            )
    return list(entries.values())


def nat_call(params: Mapping[str, Any]) -> NatCall:
    """The engine's work for services and settings that passed services_problems().

    purge true: state overridden, so the owned rules and entries of services that left the
    inventory go with the rest. purge false: state replaced over the services named in the
    inventory (present or absent), so owned rules of services the inventory does not name stay,
    and a named service keeps exactly the rules it has now."""
    purge = bool(params.get("purge", True))
    mode = params.get("mode") or "per_service"
    call = NatCall(state="overridden" if purge else "replaced")
    with_hairpin = set(hairpinned(params))
    public = _public_match(params.get("public_address"))
    for service in present(params):
        name = _text(service["name"])
        forward = dict(
            name=name,
            protocol=service.get("protocol") or "tcp",
            port=_text(service["port"]),
            host=_text(service["host"]),
            hairpin=name in with_hairpin,
            **public,
        )
        if service.get("host_port") not in (None, ""):
            forward["host_port"] = _text(service["host_port"])
        if name not in with_hairpin:
            # A forward whose LAN clients get no hairpin NAT only matches packets from the WAN, so
            # LAN traffic to the public address is never half-translated.
            forward.update(_interface(params, "wan", "in"))
        call.port_forwards.append(forward)
    wan_out = _interface(params, "wan", "out")
    if params.get("masquerade", True) and wan_out:
        call.masquerades.append(wan_out)

    auto_mode = "per_service" if with_hairpin else "none"
    if mode == "subnet" and present(params):
        auto_mode = "subnet"
    call.auto_hairpin = dict(mode=auto_mode)
    if auto_mode != "none":
        call.auto_hairpin.update(_interface(params, "lan", "lan"))
        if params.get("lan_subnets"):
            call.auto_hairpin["lan_subnets"] = list(params["lan_subnets"])
    call.removed = [_text(service["name"]) for service in absent(params)]

    # The DDNS entry is always managed (even as no entry), so an earlier DDNS form's entry
    # follows purge like the rules do.
    ddns = params.get("public_address")
    addresses = []
    if isinstance(ddns, Mapping) and "ddns_name" in ddns:
        addresses.append(dict(list=DDNS_LIST, address=_text(ddns["ddns_name"])))
    call.entry_jobs.append(EntryJob(ADDRESS_LISTS, addresses, call.state))

    # Split DNS: the services' names. In the other modes, with purge, none (so entries an earlier
    # split_dns run made go); without purge, DNS is left alone but for absent services' names,
    # removed before the present ones are planned on the same menu (see runner._plan_entry_jobs).
    split_dns = mode == "split_dns"
    if split_dns and not purge:
        kept = {normalize_dns_name(service["dns_name"]) for service in present(params) if service.get("dns_name")}
        gone = sorted({normalize_dns_name(s["dns_name"]) for s in absent(params) if s.get("dns_name")} - kept)
        if gone:
            call.entry_jobs.append(EntryJob(DNS_ENTRIES, [dict(name=name) for name in gone], "deleted"))
    if split_dns or purge:
        dns_state = call.state if purge else "merged"
        call.entry_jobs.append(EntryJob(DNS_ENTRIES, _dns_entries(present(params)) if split_dns else [], dns_state))
    return call


# ---------------------------------------------------------------------------------------------
# The services module
# ---------------------------------------------------------------------------------------------


def analysis_facts(params: Mapping[str, Any]) -> Dict[str, Any]:
    """What the analysis is told besides what it reads from the router."""
    public = params.get("public_address")
    return dict(
        wan_interface=params.get("wan_interface"),
        wan_interface_list=params.get("wan_interface_list"),
        lan_interface=params.get("lan_interface"),
        lan_interface_list=params.get("lan_interface_list"),
        lan_subnets=params.get("lan_subnets") or None,
        public_address=None if public == "local" or isinstance(public, Mapping) else _text(public),
    )


def run_services(module: Any) -> None:
    """The whole life of a services module call; ends with exit_json or fail_json."""
    params = module.params
    host = params.get("hostname")
    result: Dict[str, Any] = dict(changed=False)
    missing = [name for name in CONNECTION_OPTIONS if not params.get(name)]
    if missing:
        module.fail_json(msg="missing required arguments: %s" % ", ".join(missing))
    problems = services_problems(params, host)
    if problems:
        module.fail_json(msg="invalid services, nothing was written: " + "; ".join(problems), problems=problems)
    call = nat_call(params)
    sections = dict(port_forwards=call.port_forwards, masquerades=call.masquerades)
    desired = build_desired(dict(auto_hairpin=call.auto_hairpin), sections, state=call.state, host=host)
    desired.services.extend(call.removed)
    desired.errors.extend(check_entry_jobs(call.entry_jobs, host))
    if desired.errors:
        problems = [error.text for error in desired.errors]
        module.fail_json(msg="invalid services, nothing was written: " + "; ".join(problems), problems=problems)
    for warning in connection_warnings(params):
        module.warn(warning)
    report = None
    try:
        with connect(params) as router:
            view = read_router(router, entries=entry_sections(call.entry_jobs))
            converge(module, router, view, desired, call.state, RESOURCE, call.entry_jobs, result)
            if not module._diff:
                # The rules before and after come with --diff: every router's result passes
                # through the controller's one main process, and at fleet scale their size shows.
                result.pop("before", None)
                result.pop("after", None)
            if params.get("analyze") and not module.check_mode:
                report = _analysis(module, router, params, result)
                result["analysis"] = report.as_dict()
            result["round_trips"] = router.round_trips
    except RouterError as exc:
        # Connecting or reading failed: converge() reports failures of its writes itself.
        module.fail_json(msg=router_failure(exc, False), **result)
    if report is not None and report.findings and params.get("analyze_fail_on_findings"):
        messages = ["[%s] %s" % (finding.code, finding.message) for finding in report.findings]
        module.fail_json(msg="%d finding(s): %s" % (len(messages), "; ".join(messages)), **result)
    module.exit_json(**result)


def rehearse(params: Mapping[str, Any]) -> None:
    """The offline part of a call (checks, services -> rules, plan, commands, and the plan again
    on the table it makes, as a no-op run compares it) on validated options, without a router.

    Run once in the process that imports the action plugin, Ansible's main process, before it
    forks a worker per router: what a process sets up on a first call (regular expressions
    compiled on first use, caches, first-use initialisation in the standard library) is then
    inherited by every worker instead of made again in each."""
    services_problems(params, params.get("hostname"))
    call = nat_call(params)
    sections = dict(port_forwards=call.port_forwards, masquerades=call.masquerades)
    desired = build_desired(dict(auto_hairpin=call.auto_hairpin), sections, state=call.state)
    check_entry_jobs(call.entry_jobs, None)
    finish_hairpins(desired, None)
    validate_desired(desired, None, None)
    rules = desired_rules(desired.port_forwards, desired.hairpins, desired.hairpin_subnets, desired.masquerades)
    plan = plan_changes(rules, [], state=call.state, scope_kinds=RESOURCE.scope_kinds, services=desired.services)
    render_commands(plan)
    plan_changes(rules, plan.after, state=call.state, scope_kinds=RESOURCE.scope_kinds, services=desired.services)


def _analysis(module: Any, router: Any, params: Mapping[str, Any], result: Dict[str, Any]) -> Any:
    """The analysis of the router read again: what was written, as the router shows it."""
    from ansible_collections.hairpin.routeros.plugins.module_utils.analyze import AnalyzeError, analyze, read_live

    rows, facts = read_live(router)
    facts.update(analysis_facts(params))
    try:
        return analyze(rows, facts)
    except AnalyzeError as exc:
        module.fail_json(msg="cannot analyse the NAT table: %s" % exc, **result)
        raise  # pragma: no cover - fail_json exits

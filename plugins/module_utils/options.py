# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# The NAT modules' options: the single source of option truth for every module (their
# DOCUMENTATION mirrors these specs), and the states they share.

from __future__ import annotations

import difflib
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.hairpin.routeros.plugins.module_utils.api import CONNECTION_OPTIONS, api_argument_spec
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import WRITE_STATES

NAT_PATH = "/ip/firewall/nat"

# The states a module takes: the planner's, and the ones that only read or only render.
MODULE_STATES = (*WRITE_STATES, "gathered", "rendered", "parsed")
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

# What a published service is, in a port forward as in the services module.
_PUBLISHED_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    name=dict(type="str", required=True),
    protocol=dict(type="str", default="tcp", choices=["tcp", "udp", "both"]),
    port=dict(type="str"),
    host=dict(type="str"),
    host_port=dict(type="str"),
)

PORT_FORWARD_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    **{name: dict(spec) for name, spec in _PUBLISHED_OPTIONS.items()},
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


# Safe apply (the `hairpin.routeros.safe_apply` doc fragment): the router reverts a write that
# the run does not confirm within `confirm_timeout` seconds.
SAFE_APPLY_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    confirm=dict(type="bool", default=True),
    confirm_timeout=dict(type="int", default=120),
)


# The modules that plan NAT rules take over a foreign rule that already does exactly what one
# of their rules would do (adopt.py), unless adopt is false.
ADOPT_OPTION: Dict[str, Any] = dict(type="bool", default=True)


def module_argument_spec(config_spec: Dict[str, Any]) -> Dict[str, Any]:
    """The full argument spec of a NAT module: its config options, state, running_config, the
    safe-apply options and the connection options of the `hairpin.routeros.api` doc fragment."""
    spec: Dict[str, Any] = dict(config_spec)
    spec.update(
        state=dict(type="str", default="merged", choices=list(MODULE_STATES)),
        running_config=dict(type="str"),
    )
    spec.update((name, dict(option)) for name, option in SAFE_APPLY_OPTIONS.items())
    spec.update(api_argument_spec())
    return spec


def module_requirements() -> Dict[str, Any]:
    """required_if rules shared by every NAT module."""
    needs_router = [
        ["state", state, list(CONNECTION_OPTIONS)] for state in MODULE_STATES if state not in OFFLINE_STATES
    ]
    return dict(required_if=[*needs_router, ["state", "parsed", ["running_config"]]])


# ---------------------------------------------------------------------------------------------
# The services module (the hairpin role's one task)
# ---------------------------------------------------------------------------------------------

SERVICE_MODES = ("per_service", "subnet", "split_dns", "none")

SERVICE_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    **{name: dict(spec) for name, spec in _PUBLISHED_OPTIONS.items()},
    dns_name=dict(type="str"),
    host6=dict(type="str"),
    hairpin=dict(type="bool"),
    sources=dict(type="list", elements="str"),
    source_address_list=dict(type="str"),
    wans=dict(type="list", elements="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)

# One WAN of a router with several: its interface, its public address, and the gateway its
# replies are routed to.
WAN_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    interface=dict(type="str", required=True),
    public_address=dict(type="str"),
    gateway=dict(type="str"),
)

# 1:1 NAT: a host with a public address of its own, every port.
NETMAP_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    name=dict(type="str", required=True),
    public_address=dict(type="str"),
    host=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)

# The options of the services module; the role's variables are these with the prefix hairpin_
# (scripts/check-role-spec.py keeps roles/hairpin/meta/argument_specs.yml in step).
SETTINGS_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    services=list_option(SERVICE_OPTIONS, default=[]),
    netmaps=list_option(NETMAP_OPTIONS, default=[]),
    public_address=dict(type="raw"),
    wans=list_option(WAN_OPTIONS, default=[]),
    mode=dict(type="str", default="per_service", choices=list(SERVICE_MODES)),
    wan_interface=dict(type="str"),
    wan_interface_list=dict(type="str"),
    lan_interface=dict(type="str"),
    lan_interface_list=dict(type="str"),
    lan_subnets=dict(type="list", elements="str", default=[]),
    ipv6_wan_interface=dict(type="str"),
    ipv6_wan_interface_list=dict(type="str"),
    masquerade=dict(type="raw", default="auto"),
    filter=dict(type="raw", default="auto"),
    purge=dict(type="bool", default=True),
    analyze=dict(type="bool", default=False),
    analyze_fail_on_findings=dict(type="bool", default=True),
    allow_mass_removal=dict(type="bool", default=False),
    max_removals=dict(type="int"),
    adopt=dict(ADOPT_OPTION),
    **{name: dict(option) for name, option in SAFE_APPLY_OPTIONS.items()},
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


# Variables named `<prefix>_...` that are not options, yet no typo: the names the role's own files
# give them, each for the reason beside it (the values are never read).
RESERVED_VARIABLES: Dict[str, str] = dict(
    # playbooks/hairpin.yml targets these hosts (-e hairpin_hosts=PATTERN).
    hosts="the hosts playbooks/hairpin.yml targets",
    # roles/hairpin/tasks/main.yml registers the task's result so: a second run of the role in one
    # play finds the first run's result among the host's variables.
    result="the result the role's task registers",
    # extensions/molecule/default/inventory/hosts.yml: where the scenario's simulator keeps its files.
    molecule_sim_dir="the molecule scenario's simulator directory",
)


def known_variables(prefix: str) -> List[str]:
    """Every `<prefix>_...` variable that is no typo: the options' and the reserved names."""
    return sorted(set(option_variables(prefix).values()) | {"%s_%s" % (prefix, name) for name in RESERVED_VARIABLES})


def unknown_variables(prefix: str, names: Iterable[str]) -> List[str]:
    """The names among `names` (a host's variables) that start with `<prefix>_` but are neither an
    option's variable nor reserved, sorted."""
    start = prefix + "_"
    known = set(known_variables(prefix))
    return sorted(name for name in set(names) if name.startswith(start) and name not in known)


def nearest_variable(prefix: str, name: str) -> Optional[str]:
    """The known variable `name` most likely means, or None when none is close."""
    # Compared without the prefix, which every name shares and which would make any two alike.
    start = prefix + "_"
    known = {variable[len(start) :]: variable for variable in known_variables(prefix)}
    matches = difflib.get_close_matches(name[len(start) :], list(known), n=1, cutoff=0.6)
    return known[matches[0]] if matches else None


def services_module_spec() -> Dict[str, Any]:
    """The arguments of AnsibleModule for the services module (and its action plugin)."""
    spec = dict(SETTINGS_OPTIONS)
    spec.update(api_argument_spec())
    # Resolved by the action plugin on the controller (plugins/action/services.py); the module
    # then names the variables, and the router by its inventory name, in its messages.
    # unknown_variables is internal too: the action plugin hands over the host's `<prefix>_`
    # variables no option reads, so the module reports them among the inventory's other problems
    # (all at once, whether the module runs in the worker or as its own process).
    spec.update(
        from_variables=dict(type="str"),
        inventory_hostname=dict(type="str"),
        unknown_variables=dict(type="list", elements="str", default=[]),
    )
    return dict(argument_spec=spec, supports_check_mode=True)


# ---------------------------------------------------------------------------------------------
# dns_static, nat_info, nat_analyze
# ---------------------------------------------------------------------------------------------

DNS_STATIC_CONFIG_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    name=dict(type="str", required=True),
    address=dict(type="str"),
    comment=dict(type="str"),
)


def dns_static_module_spec() -> Dict[str, Any]:
    return dict(
        argument_spec=module_argument_spec(dict(config=list_option(DNS_STATIC_CONFIG_OPTIONS))),
        supports_check_mode=True,
        **module_requirements(),
    )


def nat_info_module_spec() -> Dict[str, Any]:
    return dict(argument_spec=api_argument_spec(), supports_check_mode=True)


NAT_ANALYZE_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    rules=dict(type="list", elements="dict"),
    running_config=dict(type="str"),
    facts=dict(type="dict"),
    wan_interface=dict(type="str"),
    wan_interface_list=dict(type="str"),
    lan_interface=dict(type="str"),
    lan_interface_list=dict(type="str"),
    lan_subnets=dict(type="list", elements="str"),
    public_address=dict(type="str"),
    internet_client=dict(type="str"),
    lan_client=dict(type="str"),
    fail_on_findings=dict(type="bool", default=False),
)


def nat_analyze_module_spec() -> Dict[str, Any]:
    argument_spec = dict(NAT_ANALYZE_OPTIONS)
    argument_spec.update(api_argument_spec())
    return dict(
        argument_spec=argument_spec,
        mutually_exclusive=[
            ["rules", "running_config"],
            ["wan_interface", "wan_interface_list"],
            ["lan_interface", "lan_interface_list"],
        ],
        required_one_of=[["hostname", "rules", "running_config"]],
        supports_check_mode=True,
    )


# ---------------------------------------------------------------------------------------------
# The NAT modules: the arguments of AnsibleModule (and of each action plugin's validation)
# ---------------------------------------------------------------------------------------------

# hairpin_nat: name -> a per-service rule, subnet -> a broad rule; both live in `config`.
HAIRPIN_NAT_CONFIG_OPTIONS: Dict[str, Dict[str, Any]] = dict(
    HAIRPIN_OPTIONS, name=dict(type="str"), subnet=dict(type="str")
)


def _nat_module_spec(config_spec: Dict[str, Any]) -> Dict[str, Any]:
    argument_spec = module_argument_spec(config_spec)
    argument_spec["adopt"] = dict(ADOPT_OPTION)
    return dict(argument_spec=argument_spec, supports_check_mode=True, **module_requirements())


def port_forward_module_spec() -> Dict[str, Any]:
    return _nat_module_spec(dict(config=list_option(PORT_FORWARD_OPTIONS)))


def masquerade_module_spec() -> Dict[str, Any]:
    return _nat_module_spec(
        dict(config=list_option(MASQUERADE_OPTIONS, required_one_of=[["out_interface", "out_interface_list"]]))
    )


def hairpin_nat_module_spec() -> Dict[str, Any]:
    return _nat_module_spec(
        dict(
            config=list_option(
                HAIRPIN_NAT_CONFIG_OPTIONS,
                mutually_exclusive=[["name", "subnet"]],
                required_one_of=[["name", "subnet"]],
            )
        )
    )


def nat_module_spec() -> Dict[str, Any]:
    return _nat_module_spec(
        dict(
            port_forwards=list_option(PORT_FORWARD_OPTIONS),
            masquerades=list_option(MASQUERADE_OPTIONS),
            hairpins=list_option(HAIRPIN_OPTIONS),
            hairpin_subnets=list_option(HAIRPIN_SUBNET_OPTIONS),
            auto_hairpin=dict(type="dict", options=AUTO_HAIRPIN_OPTIONS),
            address_lists=list_option(ADDRESS_LIST_OPTIONS),
            dns_static=list_option(DNS_STATIC_OPTIONS),
        )
    )

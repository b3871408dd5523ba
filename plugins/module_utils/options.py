# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# The NAT modules' options: the single source of option truth for every module (their
# DOCUMENTATION mirrors these specs), and the states they share.

from __future__ import annotations

from typing import Any, Dict

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


def module_argument_spec(config_spec: Dict[str, Any]) -> Dict[str, Any]:
    """The full argument spec of a NAT module: its config options, state, running_config and
    the connection options of the `hairpin.routeros.api` doc fragment."""
    spec: Dict[str, Any] = dict(config_spec)
    spec.update(
        state=dict(type="str", default="merged", choices=list(MODULE_STATES)),
        running_config=dict(type="str"),
    )
    spec.update(api_argument_spec())
    return spec


def module_requirements() -> Dict[str, Any]:
    """required_if rules shared by every NAT module."""
    needs_router = [
        ["state", state, list(CONNECTION_OPTIONS)] for state in MODULE_STATES if state not in OFFLINE_STATES
    ]
    return dict(required_if=[*needs_router, ["state", "parsed", ["running_config"]]])

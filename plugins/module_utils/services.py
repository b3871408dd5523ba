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

from dataclasses import replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.api import (
    CONNECTION_OPTIONS,
    file_problems,
    system_trust,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.converge import (
    after_writing,
    converge,
    plan_nat,
    router_failure,
    router_problems,
    validate_desired,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.desired import (
    AutoHairpin,
    CallError,
    Desired,
    entry_job,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import owned_key
from ansible_collections.hairpin.routeros.plugins.module_utils.filters import FILTER_AUTO, FilterJob, filter_mode
from ansible_collections.hairpin.routeros.plugins.module_utils.hairpins import NETMAP_FIELD_PREFIX, finish_hairpins
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import FILTER6_TABLE, FILTER_TABLE
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    NETMAP_KINDS,
    Masquerade,
    OneToOne,
    PortForward,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.multiwan import WanReply, routing_table
from ansible_collections.hairpin.routeros.plugins.module_utils.options import nearest_variable, option_variables
from ansible_collections.hairpin.routeros.plugins.module_utils.pinholes import Pinhole, host6_problem
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import Plan
from ansible_collections.hairpin.routeros.plugins.module_utils.read import (
    ADDRESS_LISTS,
    DNS_ENTRIES,
    ROUTES,
    ROUTING_TABLES,
    RouterView,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.removals import Removals, mass_removal, removals
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_commands
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import Call, run_call
from ansible_collections.hairpin.routeros.plugins.module_utils.srcnat_cover import finish_masquerades
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import ValidationError
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    NAME_RULES,
    address_list_name_problem,
    dns_name_problem,
    host_port_problem,
    ipv4_address,
    ipv4_network,
    is_name,
    normalize_address,
    normalize_dns_name,
    parse_flag,
    port_problem,
    port_span,
    subnet_problem,
    unicast_problem,
)

MASQUERADE_AUTO = "auto"


def masquerade_mode(value: Any) -> Optional[str]:
    """The masquerade setting as "auto", "true" or "false"; None when it is none of them."""
    if isinstance(value, str) and value.strip().lower() == MASQUERADE_AUTO:
        return MASQUERADE_AUTO
    flag = parse_flag(value)
    return None if flag is None else ("true" if flag else "false")


# The owned address list that holds the DNS name of a {ddns_name: FQDN} public address. A fixed
# name (each router has its own address lists), so renaming an inventory host does not churn
# the router.
DDNS_LIST = "hairpin-wan"

# A service published to several sources matches them through an owned address list of this
# name (one rule and one list, as admins build it in Winbox, instead of a rule per source).
SOURCE_LIST_PREFIX = "hairpin-src-"
# Address-list names hairpin owns are at most this long (the entries' markers carry them).
_LIST_NAME_MAX = 64


def source_list_name(service: str) -> str:
    """The owned address list holding the sources of a service published to several."""
    return SOURCE_LIST_PREFIX + service


def source_networks(sources: Sequence[Any]) -> List[str]:
    """A service's sources as RouterOS prints them (``x/32`` -> ``x``, host bits cleared)."""
    return [normalize_address(_text(source)) for source in sources]


# Every kind of owned NAT rule: the services model manages the whole NAT state hairpin owns.
SCOPE_KINDS = frozenset((KIND_DSTNAT, KIND_MASQUERADE, KIND_HAIRPIN, KIND_HAIRPIN_SUBNET, *NETMAP_KINDS))


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


def present_netmaps(params: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    return [netmap for netmap in params.get("netmaps") or [] if netmap.get("state") != "absent"]


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


def setting_name(params: Mapping[str, Any], option: str) -> str:
    """What the user wrote for a setting: the variable (``hairpin_wan_interface``) when the
    options come from variables, else the option."""
    prefix = params.get("from_variables")
    return "%s_%s" % (prefix, option) if prefix else option


def setting_label(params: Mapping[str, Any], option: str) -> str:
    kind = "variable" if params.get("from_variables") else "field"
    return "%s '%s'" % (kind, setting_name(params, option))


def host_label(params: Mapping[str, Any]) -> Optional[str]:
    """The router in messages: its inventory name and API address (``gw-home (192.0.2.10)``)
    when the inventory name is known, else the API address."""
    address, name = params.get("hostname"), params.get("inventory_hostname")
    if name and address and str(name) != str(address):
        return "%s (%s)" % (name, address)
    return address or name


def _setting_problems(where: str, params: Mapping[str, Any]) -> List[str]:
    out = []

    def add(option: str, message: Optional[str]) -> None:
        if message is not None:
            out.append("%s%s: %s" % (where, setting_label(params, option), message))

    def name(option: str) -> str:
        return setting_name(params, option)

    public = params.get("public_address")
    wans = params.get("wans") or []
    if wans:
        out.extend(_wan_problems(where, params))
        for option in ("public_address", "wan_interface", "wan_interface_list"):
            if params.get(option) is not None:
                add(option, "cannot be combined with '%s'; give the WANs there only" % name("wans"))
        public = "local"
    if isinstance(public, Mapping):
        keys = list(public)
        if len(keys) != 1 or keys[0] not in ("address_list", "ddns_name"):
            add(
                "public_address",
                "a mapping must have exactly one key, address_list or ddns_name, not %s"
                % ", ".join(_text(k) for k in keys),
            )
        elif "address_list" in public:
            add("public_address.address_list", address_list_name_problem(public["address_list"]))
        else:
            add("public_address.ddns_name", dns_name_problem(_text(public["ddns_name"])))
    elif public is None:
        add("public_address", "is required")
    elif public != "local":
        text = _text(public)
        if ipv4_address(text) is None:
            add(
                "public_address",
                "'%s' is not an IPv4 address, 'local', {address_list: NAME} or {ddns_name: FQDN}" % text,
            )
        else:
            add("public_address", unicast_problem(text, detail=False))
    wan, wan_list = params.get("wan_interface"), params.get("wan_interface_list")
    if wans:
        wan = _text(wans[0].get("interface"))
    if filter_mode(params.get("filter", FILTER_AUTO)) is None:
        add("filter", "%r is not auto, true or false" % _text(params.get("filter")))
    masquerade = masquerade_mode(params.get("masquerade", MASQUERADE_AUTO))
    if masquerade is None:
        add("masquerade", "%r is not auto, true or false" % _text(params.get("masquerade")))
    if wan and wan_list:
        add("wan_interface_list", "cannot be combined with '%s'; give only one" % name("wan_interface"))
    elif masquerade in (MASQUERADE_AUTO, "true") and not (wan or wan_list):
        add(
            "wan_interface",
            "%s is %s, so %s or %s is needed"
            % (name("masquerade"), masquerade, name("wan_interface"), name("wan_interface_list")),
        )
    netmaps = [_text(netmap.get("name")) for netmap in present_netmaps(params)]
    if netmaps and not (wan or wan_list):
        add(
            "wan_interface",
            "1:1 NAT (netmaps %s) translates what leaves the WAN, so %s or %s is needed"
            % (", ".join(netmaps), name("wan_interface"), name("wan_interface_list")),
        )
    wan6, wan6_list = params.get("ipv6_wan_interface"), params.get("ipv6_wan_interface_list")
    with_host6 = [_text(service.get("name")) for service in present(params) if service.get("host6") not in (None, "")]
    if wan6 and wan6_list:
        add("ipv6_wan_interface_list", "cannot be combined with '%s'; give only one" % name("ipv6_wan_interface"))
    elif with_host6 and not (wan6 or wan6_list or wan or wan_list):
        add(
            "ipv6_wan_interface",
            "services %s have host6, whose pinholes admit what comes in on the IPv6 uplink, so %s or %s "
            "(or the IPv4 %s or %s, the default) is needed"
            % (
                ", ".join(with_host6),
                name("ipv6_wan_interface"),
                name("ipv6_wan_interface_list"),
                name("wan_interface"),
                name("wan_interface_list"),
            ),
        )
    lan, lan_list = params.get("lan_interface"), params.get("lan_interface_list")
    with_hairpin = hairpinned(params)
    hairpinned_netmaps = netmaps if params.get("mode", "per_service") == "per_service" else []
    if lan and lan_list:
        add("lan_interface_list", "cannot be combined with '%s'; give only one" % name("lan_interface"))
    elif (with_hairpin or hairpinned_netmaps) and not (lan or lan_list):
        which = ["services " + ", ".join(with_hairpin)] if with_hairpin else []
        which += ["netmaps " + ", ".join(hairpinned_netmaps)] if hairpinned_netmaps else []
        add(
            "lan_interface",
            "%s %s makes hairpin rules (%s), so %s or %s is needed"
            % (
                name("mode"),
                params.get("mode"),
                "; ".join(which),
                name("lan_interface"),
                name("lan_interface_list"),
            ),
        )
    for subnet in params.get("lan_subnets") or []:
        add("lan_subnets", subnet_problem(_text(subnet)))
    limit = params.get("max_removals")
    if isinstance(limit, int) and limit < 0:
        add("max_removals", "%d is not a number of port forwards (0 or more)" % limit)
    return out


def _wan_problems(where: str, params: Mapping[str, Any]) -> List[str]:
    """The problems of the WANs of a router with several (`where` names the host)."""
    out = []
    label = setting_label(params, "wans")
    seen: Dict[str, str] = {}
    for index, wan in enumerate(params.get("wans") or []):
        interface = _text(wan.get("interface"))
        at = "%s%s[%d] (%s)" % (where, label, index, interface)
        if not is_name(interface):
            out.append("%s: field 'interface': not a valid name %s" % (at, NAME_RULES))
        elif interface in seen:
            out.append("%s: field 'interface': %s is listed twice" % (at, interface))
        seen.setdefault(interface, at)
        public = wan.get("public_address")
        if public in (None, ""):
            out.append("%s: field 'public_address': is required (the WAN's own IPv4 address)" % at)
        else:
            out.extend(_problem(at + ": ", "public_address", unicast_problem(_text(public), detail=False)))
        gateway = wan.get("gateway")
        if gateway not in (None, ""):
            out.extend(_problem(at + ": ", "gateway", unicast_problem(_text(gateway), detail=False)))
    gateways = [_text(wan.get("interface")) for wan in params.get("wans") or [] if wan.get("gateway")]
    if gateways and not (params.get("lan_interface") or params.get("lan_interface_list")):
        out.append(
            "%s%s: the replies of WANs %s are routed by the LAN they come from, so %s or %s is needed"
            % (
                where,
                label,
                ", ".join(gateways),
                setting_name(params, "lan_interface"),
                setting_name(params, "lan_interface_list"),
            )
        )
    for service in params.get("services") or []:
        for wan in service.get("wans") or []:
            if _text(wan) not in seen:
                out.append(
                    "%sservice '%s': field 'wans': %s is not one of %s (%s)"
                    % (where, _text(service.get("name")), _text(wan), label, ", ".join(seen) or "none")
                )
    return out


def wan_forward_name(service: str, wan: str) -> str:
    """The name of a service's forward on one WAN of several: ``<service>.<wan>``."""
    return "%s.%s" % (service, wan)


def _service_wans(params: Mapping[str, Any], service: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    """The WANs (of several) a service is published on: those it names, or all of them."""
    wans = params.get("wans") or []
    named = [_text(wan) for wan in service.get("wans") or []]
    return [wan for wan in wans if not named or _text(wan.get("interface")) in named]


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
        if service.get("host6") not in (None, ""):
            out.extend(_problem(where, "host6", host6_problem(_text(service["host6"]))))
        out.extend(_source_problems(where, service))
        if params.get("mode") == "subnet" and service.get("hairpin") is False:
            out.append(
                "%sfield 'hairpin': false has no effect with mode subnet, whose rule covers every host of the "
                "subnet; remove it or choose mode per_service" % where
            )
    return out


def _source_problems(where: str, service: Mapping[str, Any]) -> List[str]:
    """The problems of a service's source limit (`where` names host and service, ends with ``: ``)."""
    sources, source_list = service.get("sources"), service.get("source_address_list")
    out: List[str] = []
    if source_list not in (None, ""):
        if sources is not None:
            out.append("%sfield 'source_address_list': cannot be combined with 'sources'; give only one" % where)
        text = _text(source_list)
        problem = address_list_name_problem(text)
        if problem is None and text.startswith(SOURCE_LIST_PREFIX):
            problem = "lists named %s... are the ones hairpin keeps for services' sources" % SOURCE_LIST_PREFIX
        out.extend(_problem(where, "source_address_list", problem))
    if sources is None:
        return out
    if not sources:
        out.append(
            "%sfield 'sources': an empty list admits no client; leave the field out to publish to everyone" % where
        )
        return out
    seen: Dict[str, str] = {}
    for source in sources:
        text = _text(source)
        network = ipv4_network(text) if "/" in text else None
        if network is None and ("/" in text or ipv4_address(text) is None):
            out.append("%sfield 'sources': %r is not an IPv4 address or network (e.g. 198.51.100.0/24)" % (where, text))
            continue
        key = normalize_address(text)
        if key in seen:
            out.append("%sfield 'sources': %s is the same source as %s" % (where, text, seen[key]))
        seen.setdefault(key, text)
    name = source_list_name(_text(service.get("name")))
    if len(seen) > 1 and len(name) > _LIST_NAME_MAX:
        out.append(
            "%sfield 'sources': several sources are kept in the address list %s, longer than %d characters; "
            "give the service a name of at most %d characters"
            % (where, name, _LIST_NAME_MAX, _LIST_NAME_MAX - len(SOURCE_LIST_PREFIX))
        )
    return out


def _netmap_problems(where_host: str, params: Mapping[str, Any]) -> List[str]:
    """The problems of the 1:1 NAT entries, each naming the host, the netmap and the field."""
    out: List[str] = []
    services = {_text(service.get("name")) for service in params.get("services") or []}
    public = params.get("public_address")
    names: List[str] = []
    seen: Dict[str, Dict[str, str]] = {"public_address": {}, "host": {}}
    for netmap in params.get("netmaps") or []:
        name = _text(netmap.get("name"))
        where = "%snetmap '%s': " % (where_host, name)
        if not is_name(name):
            out.append("%sfield 'name': not a valid name %s" % (where, NAME_RULES))
        elif name in names:
            out.append("%sfield 'name': '%s' is defined more than once; names must be unique" % (where, name))
        elif name in services:
            out.append("%sfield 'name': '%s' is also the name of a service; give the netmap its own" % (where, name))
        names.append(name)
        if netmap.get("state") == "absent":
            continue
        for field_name, what in (("public_address", "its public address"), ("host", "the host's LAN address")):
            value = netmap.get(field_name)
            if value in (None, ""):
                out.append("%sfield '%s': is required (%s, IPv4)" % (where, field_name, what))
                continue
            text = _text(value)
            problem = unicast_problem(text, detail=False)
            if problem is None and text in seen[field_name]:
                problem = "%s is also the %s of netmap '%s'" % (text, field_name, seen[field_name][text])
            if problem is None and field_name == "public_address" and isinstance(public, str) and text == public:
                problem = (
                    "%s is the public address of the services (%s); a 1:1 host needs an address of its own, "
                    "or it takes every port of the services' address" % (text, setting_name(params, "public_address"))
                )
            if problem is None and field_name == "public_address" and text == _text(params.get("hostname")):
                problem = "%s is the address this run connects to; its 1:1 NAT would send the API to the host" % text
            out.extend(_problem(where, field_name, problem))
            seen[field_name].setdefault(text, name)
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


def _variable_problems(where: str, params: Mapping[str, Any]) -> List[str]:
    """The host's `<prefix>_` variables that no option reads (the action plugin found them)."""
    prefix = params.get("from_variables")
    if not prefix:
        return []
    owner = "the hairpin role" if prefix == "hairpin" else "from_variables '%s'" % prefix
    out = []
    for name in params.get("unknown_variables") or []:
        nearest = nearest_variable(str(prefix), str(name))
        hint = " (did you mean %s?)" % nearest if nearest else ""
        out.append("%svariable '%s' is not a variable of %s%s" % (where, name, owner, hint))
    return out


def services_problems(params: Mapping[str, Any], host: Optional[str] = None) -> List[str]:
    """Every problem of one router's services and settings (already checked against the
    argument spec), as messages naming the host, the service and the field."""
    where = "host '%s': " % host if host else ""
    return (
        _variable_problems(where, params)
        + _setting_problems(where, params)
        + _service_problems(where, params)
        + _netmap_problems(where, params)
        + _name_problems(where, params)
        + _overlap_problems(where, params)
        + _dns_problems(where, params)
    )


# ---------------------------------------------------------------------------------------------
# Services -> the NAT engine's options
# ---------------------------------------------------------------------------------------------


def _public_match(public: Any) -> Dict[str, Any]:
    """How a port forward matches the public side (PortForward fields)."""
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


def _pinholes(params: Mapping[str, Any]) -> List[Pinhole]:
    """The IPv6 pinholes of the services with host6: the port the server listens on (no NAT
    translates it), on the IPv6 uplink (default: the IPv4 WAN)."""
    uplink = _interface(params, "ipv6_wan", "in") or _interface(params, "wan", "in")
    out = []
    for service in present(params):
        if service.get("host6") in (None, ""):
            continue
        host_port = service.get("host_port")
        out.append(
            Pinhole(
                name=_text(service["name"]),
                protocol=service.get("protocol") or "tcp",
                host6=_text(service["host6"]).strip(),
                port=_text(service["port"] if host_port in (None, "") else host_port),
                **uplink,
            )
        )
    return out


def _source_match(service: Mapping[str, Any]) -> Dict[str, Any]:
    """How a port forward matches its sources (PortForward fields): one source by
    ``src-address``, several by the service's owned list, or the user's list; {} for everyone."""
    if service.get("source_address_list") not in (None, ""):
        return dict(src_address_list=_text(service["source_address_list"]))
    networks = source_networks(service.get("sources") or [])
    if len(networks) == 1:
        return dict(src_address=networks[0])
    if networks:
        return dict(src_address_list=source_list_name(_text(service["name"])))
    return {}


def _source_entries(services: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The owned address-list entries of the services published to several sources."""
    entries = []
    for service in services:
        networks = source_networks(service.get("sources") or [])
        if len(networks) > 1:
            name = _text(service["name"])
            entries.extend(
                dict(list=source_list_name(name), address=network, comment="service %s" % name) for network in networks
            )
    return entries


def stale_source_entries(params: Mapping[str, Any], desired: Desired, view: RouterView, host: Any) -> None:
    """Without purge, the owned entries of a named service's source list that its sources no
    longer hold (or all of them, for an absent service) are deleted: with purge, overridden
    removes every owned entry not desired already."""
    if params.get("purge", True):
        return
    named = {_text(service.get("name")) for service in params.get("services") or []}
    jobs = [job for job in desired.entry_jobs if job.section is ADDRESS_LISTS]
    wanted = {entry.key for job in jobs for entry in job.entries}
    stale = []
    for row in view.entries.get(ADDRESS_LISTS.option, []):
        key = owned_key(row, ADDRESS_LISTS.menu)
        if key is None or key in wanted:
            continue
        list_name, address = key.name.split(":", 1)
        if list_name.startswith(SOURCE_LIST_PREFIX) and list_name[len(SOURCE_LIST_PREFIX) :] in named:
            stale.append(dict(list=list_name, address=address))
    if stale:
        job, _errors = entry_job(ADDRESS_LISTS, stale, "deleted", host)
        desired.entry_jobs.insert(desired.entry_jobs.index(jobs[0]) if jobs else 0, job)


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


def _add_entry_job(desired: Desired, section: Any, config: List[Dict[str, Any]], state: str, host: Any) -> None:
    job, errors = entry_job(section, config, state, host)
    desired.entry_jobs.append(job)
    desired.errors.extend(errors)


def _reply_routing(params: Mapping[str, Any], desired: Desired, host: Optional[str]) -> None:
    """Several WANs: the replies of each WAN with a gateway leave by it (owned mangle rules, a
    routing table, its default route). The owned routes follow the inventory on every router;
    the tables are only ever added (RouterOS 6 has no /routing table, and an empty table routes
    nothing)."""
    desired.replies = []
    routes = []
    tables = []
    lan = _interface(params, "lan", "lan")
    for wan in params.get("wans") or []:
        if wan.get("gateway") in (None, ""):
            continue
        reply = WanReply(_text(wan["interface"]), **lan)
        desired.replies.append(reply)
        tables.append(dict(name=reply.table))
        routes.append({"wan": reply.wan, "routing-table": routing_table(reply.wan), "gateway": _text(wan["gateway"])})
    if tables:
        _add_entry_job(desired, ROUTING_TABLES, tables, "merged", host)
    # With purge the owned routes follow the inventory even with one WAN (those of WANs that
    # left go); without it, as DNS, they are left alone unless there are WANs.
    if desired.state == "overridden" or params.get("wans"):
        _add_entry_job(desired, ROUTES, routes, "overridden" if desired.state == "overridden" else "merged", host)


def services_desired(params: Mapping[str, Any], host: Optional[str] = None) -> Desired:
    """The engine's work for services and settings that passed services_problems(), typed.

    purge true: state overridden, so the owned rules and entries of services that left the
    inventory go with the rest. purge false: state replaced over the services named in the
    inventory (present or absent), so owned rules of services the inventory does not name stay,
    and a named service keeps exactly the rules it has now."""
    purge = bool(params.get("purge", True))
    mode = params.get("mode") or "per_service"
    desired = Desired(state="overridden" if purge else "replaced", adopt=bool(params.get("adopt", True)))
    with_hairpin = set(hairpinned(params))
    wans = params.get("wans") or []
    for service in present(params):
        name = _text(service["name"])
        host_port = service.get("host_port")
        # One WAN: the forward is the service's. Several: one forward per WAN it is published
        # on, each matching that WAN's own public address.
        if wans:
            publications = [
                (
                    wan_forward_name(name, _text(wan["interface"])),
                    dict(public_address=_text(wan["public_address"])),
                    dict(in_interface=_text(wan["interface"])),
                )
                for wan in _service_wans(params, service)
            ]
        else:
            publications = [(name, _public_match(params.get("public_address")), _interface(params, "wan", "in"))]
        forward = None
        for forward_name, public, wan_in in publications:
            # A forward whose LAN clients get no hairpin NAT only matches packets from the WAN, so
            # LAN traffic to the public address is never half-translated.
            ingress = wan_in if name not in with_hairpin else {}
            forward = PortForward(
                name=forward_name,
                protocol=service.get("protocol") or "tcp",
                port=_text(service["port"]),
                host=_text(service["host"]),
                host_port=None if host_port in (None, "") else _text(host_port),
                **public,
                **ingress,
                **_source_match(service),
            )
            if service.get("sources"):
                desired.sources[forward_name] = desired.sources[name] = tuple(source_networks(service["sources"]))
            desired.port_forwards.append(forward)
            desired.services.append(forward_name)
        if name not in desired.services:
            desired.services.append(name)
        if name in with_hairpin and forward is not None:
            # One hairpin rule per service: after dstnat every public address leads to the host.
            desired.auto_hairpin_for.append(replace(forward, name=name))
    if wans:
        wan_outs = [dict(out_interface=_text(wan["interface"])) for wan in wans]
    else:
        wan_outs = [_interface(params, "wan", "out")] if _interface(params, "wan", "out") else []
    wan_out = wan_outs[0] if wan_outs else {}
    mode_of_masquerade = masquerade_mode(params.get("masquerade", MASQUERADE_AUTO))
    for out in wan_outs if mode_of_masquerade != "false" else []:
        # ipsec-policy=out,none keeps what an IPsec policy encrypts out of NAT, as defconf's
        # masquerade does: NAT on such packets breaks the tunnel.
        masquerade = Masquerade(ipsec_policy="out,none", **out)
        if mode_of_masquerade == MASQUERADE_AUTO:
            desired.auto_masquerades.append(masquerade)
        else:
            desired.masquerades.append(masquerade)
        desired.services.append(masquerade.name)

    desired.pinholes = _pinholes(params)

    desired.filter_job = FilterJob(
        mode=filter_mode(params.get("filter", FILTER_AUTO)) or FILTER_AUTO, facts=analysis_facts(params)
    )

    for netmap in present_netmaps(params):
        name = _text(netmap["name"])
        desired.netmaps.append(
            OneToOne(name=name, public_address=_text(netmap["public_address"]), host=_text(netmap["host"]), **wan_out)
        )
        desired.services.append(name)
    auto_mode = "per_service" if with_hairpin or (desired.netmaps and mode == "per_service") else "none"
    if mode == "subnet" and (present(params) or desired.netmaps):
        auto_mode = "subnet"
    if auto_mode != "none":
        lan = _interface(params, "lan", "lan")
        desired.auto_hairpin = AutoHairpin(auto_mode, lan_subnets=tuple(params.get("lan_subnets") or ()), **lan)
    desired.services.extend(_text(service["name"]) for service in absent(params))
    desired.services.extend(
        _text(netmap["name"]) for netmap in params.get("netmaps") or [] if netmap.get("state") == "absent"
    )

    # The DDNS entry is always managed (even as no entry), so an earlier DDNS form's entry
    # follows purge like the rules do.
    ddns = params.get("public_address")
    addresses = []
    if isinstance(ddns, Mapping) and "ddns_name" in ddns:
        addresses.append(dict(list=DDNS_LIST, address=_text(ddns["ddns_name"])))
    addresses.extend(_source_entries(present(params)))
    _add_entry_job(desired, ADDRESS_LISTS, addresses, desired.state, host)

    # Split DNS: the services' names. In the other modes, with purge, none (so entries an earlier
    # split_dns run made go); without purge, DNS is left alone but for absent services' names,
    # removed before the present ones are planned on the same menu (see converge.plan_entry_jobs).
    split_dns = mode == "split_dns"
    if split_dns and not purge:
        kept = {normalize_dns_name(service["dns_name"]) for service in present(params) if service.get("dns_name")}
        gone = sorted({normalize_dns_name(s["dns_name"]) for s in absent(params) if s.get("dns_name")} - kept)
        if gone:
            _add_entry_job(desired, DNS_ENTRIES, [dict(name=name) for name in gone], "deleted", host)
    if split_dns or purge:
        dns_state = desired.state if purge else "merged"
        _add_entry_job(desired, DNS_ENTRIES, _dns_entries(present(params)) if split_dns else [], dns_state, host)
    _reply_routing(params, desired, host)
    return desired


# ---------------------------------------------------------------------------------------------
# The services module
# ---------------------------------------------------------------------------------------------


def analysis_facts(params: Mapping[str, Any]) -> Dict[str, Any]:
    """What the analysis is told besides what it reads from the router. Of several WANs, none:
    the analysis takes the router's WAN interface list (defconf's WAN), whose members' addresses
    the forwards match."""
    public = params.get("public_address")
    wan = params.get("wan_interface")
    return dict(
        wan_interface=wan,
        wan_interface_list=params.get("wan_interface_list"),
        lan_interface=params.get("lan_interface"),
        lan_interface_list=params.get("lan_interface_list"),
        lan_subnets=params.get("lan_subnets") or None,
        public_address=None if public in (None, "local") or isinstance(public, Mapping) else _text(public),
    )


# Fields of the engine's rules that come from one of the services model's settings.
_SETTING_OF_FIELD = {
    "out_interface": "wan_interface",
    "out_interface_list": "wan_interface_list",
    "in_interface": "wan_interface",
    "in_interface_list": "wan_interface_list",
    "lan_interface": "lan_interface",
    "lan_interface_list": "lan_interface_list",
    "lan_subnets": "lan_subnets",
    "lan_subnet": "lan_subnets",
    "public_address": "public_address",
    "public_address_list": "public_address",
    "public_local": "public_address",
}


class ServicesCall(Call):
    """A services module call: the services model's checks, then its Desired, converged.

    Every problem comes in one report: an inventory with problems is still read from the
    router (nothing is written), so the problems only the router can reveal join them; when the
    router cannot be reached, the report says that its checks were not run, and why."""

    # The connection options are checked with the rest of the inventory (see check()).
    missing_connection = None
    check_before_warnings = True

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        self.host = host_label(params)
        self.desired: Optional[Desired] = None
        self.report: Any = None
        # The inventory's problems, reported after the router's read with the router's own.
        self.problems: List[str] = []
        # The commands this call sent to the router: a later failure says they were written.
        self.written: List[str] = []
        # The analysis and the owned filter accepts need the firewall filter: it comes with the
        # call's one read.
        self.firewall = True
        # The owned IPv6 pinholes: read even when no service has host6 now, so the pinholes of
        # services that dropped it go.
        self.ipv6_firewall = True
        # The owned reply routing of several WANs is planned among the mangle rules.
        self.mangle = True

    def check(self) -> None:
        problems = services_problems(self.params, self.host)
        try:
            self.desired = services_desired(self.params, self.host)
        except (TypeError, ValueError, KeyError, AttributeError):
            if not problems:
                raise
            # An inventory with problems may make no Desired: they are reported without the router's.
            self.desired = None
        if not problems and self.desired is not None:
            problems = [error.text for error in self.desired.errors]
        missing = [name for name in CONNECTION_OPTIONS if not self.params.get(name)]
        if missing and not problems:
            raise CallError("missing required arguments: %s" % ", ".join(self.option_names(missing)))
        unreachable = self.file_problems()
        if missing:
            unreachable.insert(
                0, "%smissing required arguments: %s" % (self._where(), ", ".join(self.option_names(missing)))
            )
        if unreachable:
            raise self.problems_failure(
                problems + unreachable, "the connection options above leave no way to reach the router"
            )
        self.problems = problems

    def _where(self) -> str:
        return "host '%s': " % self.host if self.host else ""

    def file_problems(self) -> List[str]:
        kind = "variable" if self.params.get("from_variables") else "option"
        return file_problems(self.params, self.host, lambda option: "%s '%s'" % (kind, self.option_names([option])[0]))

    def problems_failure(self, problems: List[str], not_run: Optional[str] = None) -> CallError:
        """The failure of an inventory with `problems`; `not_run`: why the checks that need the
        router were not run (None: they were, and their problems are among `problems`)."""
        message = "invalid services, nothing was written: " + "; ".join(problems)
        if not_run is not None:
            message += " (the checks that need the router were not run: %s)" % not_run
        return CallError(message, problems=problems)

    def entries(self) -> Sequence[Any]:
        return self.desired.entry_sections()

    def on_router(self, module: Any, connection: Any, view: RouterView, result: Dict[str, Any]) -> None:
        if self.problems:
            raise self.problems_failure(self.problems + self.router_only_problems(module, view))
        analyze = bool(self.params.get("analyze"))
        stale_source_entries(self.params, self.desired, view, self.host)
        try:
            plan = converge(
                module,
                connection,
                view,
                self.desired,
                SCOPE_KINDS,
                result,
                explain=self.explain,
                guard=self.guard,
                also_check=self._analysis_check(result) if analyze and not module.check_mode else None,
            )
        except CallError as failure:
            fields = dict(failure.fields)
            if "analysis" in result:  # the check after the write analysed, and found problems
                fields["analysis"] = result["analysis"]
            raise CallError(self.named(failure.msg), **fields) from None
        if result.get("changed") and not module.check_mode:
            self.written = list(result.get("commands") or [])
        if not module._diff:
            # The rules before and after come with --diff: every router's result passes
            # through the controller's one main process, and at fleet scale their size shows.
            result.pop("before", None)
            result.pop("after", None)
        # With a revert armed, the analysis ran already, in the check before the confirm.
        if analyze and self.report is None:
            try:
                planned_filter = plan.menus.get(FILTER_TABLE.path)
                planned_filter6 = plan.menus.get(FILTER6_TABLE.path)
                planned = (
                    None
                    if self.written
                    else _planned_view(
                        view,
                        plan.after,
                        result,
                        planned_filter.after if planned_filter is not None else None,
                        planned_filter6.after if planned_filter6 is not None else None,
                    )
                )
                self.report = _analysis(connection, planned, self.params)
            except CallError as failure:
                raise self.failure(failure.msg, result) from None
            result["analysis"] = self.report.as_dict()

    def failure(self, message: str, result: Dict[str, Any]) -> CallError:
        """A failure of this call, with its result; after a write, the message says what was written."""
        if self.written:
            message = after_writing(self.written, message)
        return CallError(self.named(message), **result)

    def _analysis_check(self, result: Dict[str, Any]) -> Callable[[Any], Optional[str]]:
        """The analysis as part of the check after a write with an armed revert, on the check's
        new connection: findings that fail the call, or an analysis that cannot be made, keep
        the revert armed."""

        def check(connection: Any) -> Optional[str]:
            try:
                self.report = _analysis(connection, None, self.params)
            except CallError as failure:
                return failure.msg
            result["analysis"] = self.report.as_dict()
            if self.report.errors and self.params.get("analyze_fail_on_findings"):
                return "%d analysis finding(s): %s" % (
                    len(self.report.errors),
                    "; ".join("[%s] %s" % (finding.code, finding.message) for finding in self.report.errors),
                )
            return None

        return check

    def read_failure(self, exc: Any, result: Dict[str, Any]) -> CallError:
        if self.problems:
            return self.problems_failure(self.problems, self.named(str(exc).rstrip(".")))
        if self.written:
            # The analysis's read after the write failed: the write itself went through.
            return self.failure(str(exc).rstrip("."), result)
        if getattr(getattr(exc, "command", None), "path", None) == ROUTING_TABLES.read.path:
            # RouterOS 6 has no /routing table: its routes take routing-mark= instead.
            return CallError(
                self.named(
                    "%s: the reply routing of %s needs RouterOS 7 (/routing table); nothing was written (%s)"
                    % (
                        self._where().rstrip(": ") or "the router",
                        setting_label(self.params, "wans"),
                        str(exc).rstrip("."),
                    )
                ),
                **result,
            )
        return CallError(self.named(router_failure(exc, False)), **result)

    def router_only_problems(self, module: Any, view: RouterView) -> List[str]:
        """What the router's read reveals about an inventory that has problems already: the
        problems that need the router (those found without it are the inventory's, in other
        words), then a mass removal the plan would make. Nothing is written."""
        desired = self.desired
        if desired is None:
            return []
        offline = list(desired.errors)
        found = router_problems(module, view, desired, self.explain)
        offline.extend(validate_desired(desired, None, module.params.get("hostname")))
        known = {self.explain(error).text for error in offline}
        out = [error.text for error in found if error.text not in known]
        try:
            plan = plan_nat(desired, view.nat, desired.state, SCOPE_KINDS)
        except CallError:
            return out  # a plan of an inventory with problems may not exist: then it has nothing to say
        removal = self.removal_problem(plan)
        return out + ([removal] if removal else [])

    def guard(self, plan: Plan, result: Dict[str, Any]) -> None:
        """No silent mass delete: refuse a plan that removes too many owned forwards (before any
        write, in check mode too, so the run a reviewer sees on a pull request fails the same)."""
        problem = self.removal_problem(plan)
        if problem is not None:
            raise CallError(problem, commands=result.get("commands", []), problems=[problem])

    def removal_problem(self, plan: Plan) -> Optional[str]:
        params = self.params
        found = removals(plan.before, plan.after)
        why = mass_removal(
            found,
            params.get("max_removals"),
            bool(params.get("allow_mass_removal")),
            setting_name(params, "max_removals"),
        )
        if why is None:
            return None
        allow = "set %s: true" % setting_name(params, "allow_mass_removal")
        if len(found.removed) < found.owned:
            allow += " (or raise %s)" % setting_name(params, "max_removals")
        return "%sthe run %s, of services %s, so nothing was written: %s. If that is meant, %s" % (
            self._where(),
            why,
            ", ".join(found.services),
            self.removal_cause(found),
            allow,
        )

    def removal_cause(self, found: Removals) -> str:
        """Why the plan removes the forwards: what the inventory says of their services."""
        params = self.params
        services, purge = setting_name(params, "services"), setting_name(params, "purge")
        if not params.get("services"):
            return (
                "%s is empty (a misspelt variable leaves it so), and with %s true the owned rules of every "
                "service not in it go" % (services, purge)
            )
        named_absent = {_text(service.get("name")) for service in absent(params)}
        named_present = {_text(service.get("name")) for service in present(params)}
        causes = []
        gone = [name for name in found.services if name not in named_absent | named_present]
        if gone:
            causes.append(
                "services %s are missing from %s, and with %s true the owned rules of services not in it go"
                % (", ".join(gone), services, purge)
            )
        dropped = [name for name in found.services if name in named_absent]
        if dropped:
            causes.append("services %s have state absent in %s" % (", ".join(dropped), services))
        changed = [name for name in found.services if name in named_present]
        if changed:
            causes.append("services %s publish fewer protocols than before" % ", ".join(changed))
        return "; ".join(causes)

    def option_names(self, options: Sequence[str]) -> List[str]:
        prefix = self.params.get("from_variables")
        if not prefix:
            return list(options)
        names = option_variables(str(prefix))
        return [names.get(option, option) for option in options]

    def named(self, message: str) -> str:
        """A failure that speaks of the router by its API address, led by its inventory name too."""
        if not self.params.get("inventory_hostname") or "host %r" % self.host in message:
            return message
        return "host %r: %s" % (self.host, message)

    def explain(self, error: ValidationError) -> ValidationError:
        """A problem the engine found on a rule, in the words of the inventory: the setting it
        comes from (the WAN of a masquerade or of a forward's in-interface, the LAN of a hairpin
        rule, the public address), and the router by its label."""
        if error.field.startswith(NETMAP_FIELD_PREFIX):
            # A netmap's own field: named as the netmap, not as a service.
            where = "netmap %r: field %r" % (error.service, error.field[len(NETMAP_FIELD_PREFIX) :])
            return ValidationError(error.service, error.field, error.message, self.host, setting=where)
        setting = _SETTING_OF_FIELD.get(error.field)
        if setting is None:
            return ValidationError(error.service, error.field, error.message, self.host)
        return ValidationError(
            error.service, error.field, error.message, self.host, setting=setting_label(self.params, setting)
        )

    def finish(self, result: Dict[str, Any]) -> None:
        report = self.report
        if report is not None and report.errors and self.params.get("analyze_fail_on_findings"):
            messages = ["[%s] %s" % (finding.code, finding.message) for finding in report.errors]
            raise self.failure("%d finding(s): %s" % (len(messages), "; ".join(messages)), result)


def run_services(module: Any) -> None:
    """The whole life of a services module call; ends with exit_json or fail_json."""
    run_call(module, ServicesCall(module.params))


def rehearse(params: Mapping[str, Any]) -> None:
    """The offline part of a call (checks, services -> rules, plan, commands, and the plan again
    on the table it makes, as a no-op run compares it) on validated options, without a router.

    Run once in the process that imports the action plugin, Ansible's main process, before it
    forks a worker per router: what a process sets up on a first call (regular expressions
    compiled on first use, caches, first-use initialisation in the standard library) is then
    inherited by every worker instead of made again in each."""
    services_problems(params, params.get("hostname"))
    desired = services_desired(params)
    finish_hairpins(desired, None)
    finish_masquerades(desired, None)
    validate_desired(desired, None, None)
    plan = plan_nat(desired, [], desired.state, SCOPE_KINDS)
    render_commands(plan)
    plan_nat(desired, plan.after, desired.state, SCOPE_KINDS)
    if params.get("tls", True) and params.get("validate_certs", True) and not params.get("ca_path"):
        system_trust()


def _planned_view(
    view: RouterView,
    nat: Sequence[Mapping[str, Any]],
    result: Mapping[str, Any],
    filter_rows: Optional[Sequence[Mapping[str, Any]]] = None,
    filter6_rows: Optional[Sequence[Mapping[str, Any]]] = None,
) -> RouterView:
    """The router as this call's plan leaves it: the planned NAT table (and filter and IPv6
    filter, when the call plans them), and each entry menu with its foreign entries as read and its owned entries
    as planned."""
    entries = dict(view.entries)
    for section in (ADDRESS_LISTS, DNS_ENTRIES):
        if section.option in entries and section.option in result:
            foreign = [row for row in entries[section.option] if owned_key(row, section.menu) is None]
            entries[section.option] = foreign + list(result[section.option])
    planned = replace(view, nat=list(nat), entries=entries)
    if filter_rows is not None:
        planned.filter = list(filter_rows)
    if filter6_rows is not None:
        planned.filter6 = list(filter6_rows)
    return planned


def _analysis(connection: Any, planned: Optional[RouterView], params: Mapping[str, Any]) -> Any:
    """The analysis of the table this call leaves. Without a write (check mode, or nothing to
    change) that is `planned`, the table and facts of the call's one read with the plan applied:
    no other round trip. After a write the router is read again, so that the analysis verifies
    what the router shows (what RouterOS made of the writes, and anything another run wrote at
    the same time) rather than what the plan expected."""
    from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import (
        AnalyzeError,
        analyze,
        facts_from_view,
        read_live,
    )

    if planned is None:
        rows, facts = read_live(connection)
    else:
        rows, facts = list(planned.nat), facts_from_view(planned)
    facts.update(analysis_facts(params))
    try:
        return analyze(rows, facts)
    except AnalyzeError as exc:
        raise CallError("cannot analyse the NAT table: %s" % exc) from None

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# A router configured by hand, as the role's variables: its port forwards as hairpin_services,
# the WAN, LAN, public address and hairpin mode they imply, and every NAT rule those variables
# cannot express, with the reason. Pure: one read of the router in, plain data out.
#
# A rule counts as expressed only when the role, given the variables, makes a rule with the
# same chain, action and matchers (every field but the comment): the variables found are run
# through the role's own path (services_desired, the hairpin and masquerade finishing, the
# checks) and compared with the table; a service whose rules do not all come out identical is
# left out, and its rules are listed with the reason.

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.converge import validate_desired
from ansible_collections.hairpin.routeros.plugins.module_utils.hairpins import finish_hairpins
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    NAT_FIELDS,
    effective_value,
    implied_to_ports,
    parse_marker,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.read import DNS_ENTRIES, RouterView
from ansible_collections.hairpin.routeros.plugins.module_utils.services import (
    SOURCE_LIST_PREFIX,
    services_desired,
    services_problems,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.srcnat_cover import covering_rule, finish_masquerades
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    ipv4_address,
    ipv4_network,
    is_name,
    is_true,
    lan_subnet_for,
    normalize_dns_name,
    port_span,
    unicast_reason,
)

# What a row holds besides its configuration: identity, state RouterOS derives, counters.
_NOT_CONFIG = frozenset((".id", ".nextid", "comment", "dynamic", "invalid", "bytes", "packets"))
# The matchers a port forward of the role may carry besides protocol and port.
_PUBLIC_FIELDS = ("dst-address", "dst-address-list", "dst-address-type")
_INGRESS_FIELDS = ("in-interface", "in-interface-list")
# A forward limited to some sources: one address or network, or an address list of the admin's.
_SOURCE_FIELDS = ("src-address", "src-address-list")
_STATE_FIELDS = ("disabled", "log", "log-prefix")
_FORWARD_FIELDS = frozenset(("chain", "action", "protocol", "dst-port", "to-addresses", "to-ports"))
_FORWARD_FIELDS = _FORWARD_FIELDS | frozenset(_STATE_FIELDS + _PUBLIC_FIELDS + _INGRESS_FIELDS + _SOURCE_FIELDS)
_HAIRPIN_FIELDS = frozenset(
    ("chain", "action", "protocol", "src-address", "dst-address", "dst-port", "out-interface", "out-interface-list")
)
_HAIRPIN_FIELDS = _HAIRPIN_FIELDS | frozenset(_STATE_FIELDS)
_SUBNET_FIELDS = frozenset(("chain", "action", "src-address", "dst-address", "out-interface", "out-interface-list"))
_SUBNET_FIELDS = _SUBNET_FIELDS | frozenset(_STATE_FIELDS)
# The role writes log=no and no log prefix.
_ROLE_DEFAULTS = {"log": "false", "log-prefix": "", "disabled": "false"}


def rule_fields(row: Mapping[str, Any]) -> Dict[str, str]:
    """A NAT row's (or a rule's fields') configuration as effective values: every field but the
    comment, RouterOS defaults filled in, fields without a value left out. Two rules with equal
    rule_fields match the same packets and do the same with them."""
    names = (set(NAT_FIELDS) | set(row)) - _NOT_CONFIG
    out = {}
    for name in names:
        value = effective_value(name, row.get(name))
        if value is not None:
            out[name] = value
    # A one-port dst-nat without to-ports keeps the port: the role's rule with to-ports=<port>
    # translates the same, and adopting it leaves the row as it is.
    to_ports = implied_to_ports(out.get("action"), out.get("dst-port"), out.get("to-ports"))
    if to_ports is not None:
        out["to-ports"] = to_ports
    return out


def describe_row(row: Mapping[str, Any], position: int) -> str:
    """A rule as Winbox lists it: its number, flags (X disabled, D dynamic), the comment after
    ';;;', then chain, action and every matcher."""
    flags = ("X" if is_true(row.get("disabled")) else "") + ("D" if is_true(row.get("dynamic")) else "")
    parts = ["%d%s" % (position, " " + flags if flags else "")]
    comment = row.get("comment")
    if comment not in (None, ""):
        parts.append(";;; %s" % comment)
    fields = rule_fields(row)
    ordered = [name for name in NAT_FIELDS if name in fields] + sorted(set(fields) - set(NAT_FIELDS))
    shown = []
    for name in ordered:
        if name in ("comment", "disabled") or fields[name] == _ROLE_DEFAULTS.get(name):
            continue
        shown.append("%s=%s" % (name, fields[name]))
    parts.append(" ".join(shown))
    return " ".join(parts)


def _is_unicast(text: Optional[str]) -> bool:
    address = ipv4_address(text or "")
    return address is not None and unicast_reason(address) is None


class _Forward(object):
    """A dstnat row shaped like the role's port forward (one protocol)."""

    def __init__(self, index: int, fields: Mapping[str, str], name_hint: str) -> None:
        self.indexes = [index]
        self.protocols = [fields["protocol"]]
        self.port = fields["dst-port"]
        self.host = fields["to-addresses"]
        self.to_ports = fields.get("to-ports")
        self.public = _public_of(fields)
        self.ingress = _ingress_of(fields)
        self.source = next(((name, fields[name]) for name in _SOURCE_FIELDS if name in fields), None)
        self.name_hint = name_hint
        self.hairpin_index: Optional[int] = None

    @property
    def host_port(self) -> Optional[str]:
        if self.to_ports is None or self.to_ports == self.port:
            return None
        return self.to_ports

    @property
    def target_port(self) -> str:
        return self.to_ports if self.to_ports is not None else self.port

    def same_service(self, other: "_Forward") -> bool:
        return (self.port, self.host, self.to_ports, self.public, self.ingress, self.source) == (
            other.port,
            other.host,
            other.to_ports,
            other.public,
            other.ingress,
            other.source,
        )

    @property
    def protocol(self) -> str:
        return "both" if len(self.protocols) == 2 else self.protocols[0]


def _public_of(fields: Mapping[str, str]) -> Optional[Tuple[str, str]]:
    present = [(name, fields[name]) for name in _PUBLIC_FIELDS if name in fields]
    return present[0] if len(present) == 1 else None


def _ingress_of(fields: Mapping[str, str]) -> Optional[Tuple[str, str]]:
    present = [(name, fields[name]) for name in _INGRESS_FIELDS if name in fields]
    return present[0] if present else None


def _forward_problem(fields: Mapping[str, str]) -> Optional[str]:
    """Why a dstnat dst-nat row cannot be a port forward of the role (None: it can)."""
    extra = sorted(set(fields) - _FORWARD_FIELDS)
    if extra:
        return "it also matches on %s, which a service of the role never does" % ", ".join(extra)
    for name, value in _ROLE_DEFAULTS.items():
        if fields.get(name, value) != value:
            if name == "disabled":
                return "it is disabled; the role publishes only enabled services"
            return "it logs (%s=%s), which the role's rules never do" % (name, fields[name])
    if fields.get("protocol") not in ("tcp", "udp"):
        return "its protocol is %s; a service is tcp, udp or both" % (fields.get("protocol") or "any")
    port = fields.get("dst-port")
    span = port_span(port) if port is not None else None
    if span is None:
        return "its dst-port is %s; a service has one port or one range N-M" % (port or "any")
    if not _is_unicast(fields.get("to-addresses")):
        return "its to-addresses is %s; a service forwards to one unicast IPv4 host" % (
            fields.get("to-addresses") or "not set"
        )
    to_ports = fields.get("to-ports")
    if to_ports is not None:
        span = port_span(to_ports)
        if span is None or (span[0] != span[1] and to_ports != port):
            return "its to-ports %s is neither one port nor the public range itself" % to_ports
    if not any(name in fields for name in _PUBLIC_FIELDS):
        return (
            "it matches every destination address; a service of the role always matches the public address "
            "(an address, an address list or local)"
        )
    if _public_of(fields) is None:
        return "it matches the destination on more than one of dst-address, dst-address-list, dst-address-type"
    if fields.get("dst-address-type", "local") != "local":
        return (
            "its dst-address-type is %s; the role's public address 'local' is dst-address-type=local"
            % (fields["dst-address-type"])
        )
    if "dst-address" in fields and not _is_unicast(fields["dst-address"]):
        return "its dst-address %s is not one unicast IPv4 address" % fields["dst-address"]
    if all(name in fields for name in _INGRESS_FIELDS):
        return "it matches both in-interface and in-interface-list"
    if all(name in fields for name in _SOURCE_FIELDS):
        return "it matches both src-address and src-address-list; a service's sources are one or the other"
    source = fields.get("src-address")
    if source is not None and (source.startswith("!") or ipv4_network(source) is None):
        return "its src-address %s is not one IPv4 address or network, as a service's sources are" % source
    if fields.get("src-address-list", "").startswith(SOURCE_LIST_PREFIX):
        return "its sources are in %s, a list hairpin keeps for a service's sources" % fields["src-address-list"]
    if fields.get("src-address-list", "").startswith("!"):
        return (
            "it matches the sources outside the list %s; a service's source list admits its members"
            % (fields["src-address-list"][1:])
        )
    return None


def _hairpin_shape(fields: Mapping[str, str]) -> bool:
    """A srcnat masquerade of one service's hairpin: protocol, LAN subnet, host, host port."""
    return (
        not (set(fields) - _HAIRPIN_FIELDS)
        and all(fields.get(name, value) == value for name, value in _ROLE_DEFAULTS.items())
        and fields.get("protocol") in ("tcp", "udp")
        and "dst-port" in fields
        and _is_unicast(fields.get("dst-address"))
        and ipv4_network(fields.get("src-address", "")) is not None
    )


def _subnet_shape(fields: Mapping[str, str]) -> bool:
    return (
        not (set(fields) - _SUBNET_FIELDS)
        and all(fields.get(name, value) == value for name, value in _ROLE_DEFAULTS.items())
        and "/" in fields.get("src-address", "")
        and fields.get("src-address") == fields.get("dst-address")
    )


def _lan_of(fields: Mapping[str, str]) -> Optional[Tuple[str, str]]:
    for name in ("out-interface", "out-interface-list"):
        if name in fields:
            return name, fields[name]
    return None


def _slug(text: str) -> str:
    # Accents go (Überwachung -> uberwachung); other scripts leave nothing, and the name is
    # then made of protocol and port.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_.]+", "-", ascii_text.lower()).strip("-_.")
    return slug[:64].rstrip("-_.")


def _name_hint(row: Mapping[str, Any], fields: Mapping[str, str]) -> str:
    key = parse_marker(row.get("comment"))
    if key is not None and key.kind == KIND_DSTNAT:
        return key.name
    slug = _slug(str(row.get("comment") or ""))
    if slug and is_name(slug):
        return slug
    return "%s-%s" % (fields.get("protocol"), fields.get("dst-port"))


def _unique_names(forwards: Sequence[_Forward]) -> List[str]:
    names: List[str] = []
    for forward in forwards:
        base = forward.name_hint
        if len(forward.protocols) == 2 and base.startswith("tcp-"):
            base = "both-" + base[4:]
        name, count = base, 1
        while name in names:
            count += 1
            suffix = "-%d" % count
            name = base[: 64 - len(suffix)] + suffix
        names.append(name)
    return names


def _other_reason(row: Mapping[str, Any], fields: Mapping[str, str]) -> str:
    chain, action = fields.get("chain"), fields.get("action")
    if chain not in ("dstnat", "srcnat"):
        return "it is in the chain %s; the role's rules are in dstnat and srcnat" % chain
    if chain == "dstnat":
        return "its action is %s; the role's forwards are dst-nat" % action
    if action in ("masquerade", "src-nat") and "src-address" not in fields and "protocol" not in fields:
        return "a srcnat rule out of the WAN that is not the role's masquerade; it is left as it is"
    return "a srcnat rule (%s) that is no hairpin rule of the role; it is left as it is" % action


def _dns_names(view: RouterView) -> Dict[str, str]:
    """host -> the first enabled static DNS name that answers with it."""
    names: Dict[str, str] = {}
    for row in view.entries.get(DNS_ENTRIES.option) or []:
        if is_true(row.get("disabled")) or str(row.get("type") or "A") != "A":
            continue
        address, name = row.get("address"), row.get("name")
        if address and name:
            names.setdefault(str(address), normalize_dns_name(name))
    return names


def _setting(pair: Optional[Tuple[str, str]], side: str) -> Dict[str, str]:
    if pair is None:
        return {}
    suffix = "_interface_list" if pair[0].endswith("-list") else "_interface"
    return {side + suffix: pair[1]}


def _public_setting(public: Optional[Tuple[str, str]]) -> Any:
    if public is None or public[0] == "dst-address-type":
        return "local"
    if public[0] == "dst-address-list":
        return {"address_list": public[1]}
    return public[1]


def import_router(view: RouterView) -> Dict[str, Any]:
    """The role's variables for the router of `view`, and what they leave out.

    Returns ``variables`` (``hairpin_*`` names: services in table order, the public address,
    WAN, LAN, mode and masquerade), ``expressed`` (per claimed rule: ``.id``, ``position``,
    ``rule`` as Winbox shows it, ``service``), ``unexpressed`` (every other rule: ``.id``,
    ``position``, ``rule``, ``reason``) and ``notes`` (what a reviewer should know)."""
    rows = list(view.nat)
    fields = [rule_fields(row) for row in rows]
    reasons: Dict[int, str] = {}
    forwards: List[_Forward] = []
    hairpin_rows: List[int] = []
    subnet_rows: List[int] = []
    notes: List[str] = []
    for index, (row, values) in enumerate(zip(rows, fields)):
        if is_true(row.get("dynamic")):
            reasons[index] = "it is dynamic (RouterOS or a service such as UPnP made it)"
            continue
        key = parse_marker(row.get("comment"))
        if key is not None and key.kind not in (KIND_DSTNAT, KIND_HAIRPIN, KIND_HAIRPIN_SUBNET, KIND_MASQUERADE):
            reasons[index] = "owned by hairpin, of a kind the services model does not make"
            continue
        if values.get("chain") == "dstnat" and values.get("action") == "dst-nat":
            problem = _forward_problem(values)
            if problem is not None:
                reasons[index] = problem
                continue
            candidate = _Forward(index, values, _name_hint(row, values))
            twin = next(
                (
                    f
                    for f in forwards
                    if len(f.protocols) == 1 and f.protocols[0] != values["protocol"] and f.same_service(candidate)
                ),
                None,
            )
            if twin is not None:
                twin.indexes.append(index)
                twin.protocols = sorted([*twin.protocols, values["protocol"]])
            else:
                forwards.append(candidate)
        elif values.get("chain") == "srcnat" and values.get("action") == "masquerade" and _hairpin_shape(values):
            hairpin_rows.append(index)
        elif values.get("chain") == "srcnat" and values.get("action") == "masquerade" and _subnet_shape(values):
            subnet_rows.append(index)
        else:
            reasons[index] = _other_reason(row, values)
    cover = _covered_wan(view)

    # One public address per router: the one most forwards use (the first in table order on a tie).
    publics = [f.public for f in forwards]
    public = max(publics, key=lambda p: (publics.count(p), -publics.index(p))) if publics else None
    for forward in [f for f in forwards if f.public != public]:
        for index in forward.indexes:
            reasons[index] = (
                "it is published on %s=%s; the role publishes every service of a router on one public address, "
                "here %s=%s" % (forward.public[0], forward.public[1], public[0], public[1])
            )
    forwards = [f for f in forwards if f.public == public]

    # The hairpin rule of each forward, and the LAN they go out of.
    lan: Optional[Tuple[str, str]] = None
    for forward in forwards:
        for index in hairpin_rows:
            values = fields[index]
            same = values["dst-address"] == forward.host and values["dst-port"] == forward.target_port
            if same and values["protocol"] in forward.protocols and forward.hairpin_index is None:
                forward.hairpin_index = index
                lan = lan or _lan_of(values)
    lans = [_lan_of(fields[index]) for index in subnet_rows]
    mode = "none"
    if subnet_rows and lans[0] is not None:
        mode, lan = "subnet", lans[0]
    elif any(f.hairpin_index is not None for f in forwards):
        mode = "per_service"

    # The WAN: an in-interface a forward without hairpin NAT carries is the role's WAN. Choose
    # the one that leaves the most forwards expressed; none (no in-interface) is a choice too.
    def hairpinned(forward: _Forward) -> bool:
        return mode == "subnet" or forward.hairpin_index is not None

    choices = [None] + [f.ingress for f in forwards if f.ingress is not None]

    def fits(forward: _Forward, wan: Optional[Tuple[str, str]]) -> bool:
        if hairpinned(forward):
            return forward.ingress is None
        return forward.ingress == wan

    def score(wan: Optional[Tuple[str, str]]) -> Tuple[int, int]:
        return (sum(len(f.indexes) for f in forwards if fits(f, wan)), 0 if wan is None else 1)

    wan = max(choices, key=score)
    if wan is None and cover is not None and all(fits(f, cover[:2]) for f in forwards):
        wan = cover[0], cover[1]
    for forward in [f for f in forwards if not fits(f, wan)]:
        for index in forward.indexes:
            if forward.ingress is not None and hairpinned(forward):
                reasons[index] = (
                    "it matches %s=%s and has hairpin NAT; the role's forwards with hairpin NAT match no interface"
                    % forward.ingress
                )
            elif forward.ingress is None:
                reasons[index] = (
                    "it matches no in-interface while the other forwards match %s=%s; the role's forwards without "
                    "hairpin NAT all match the WAN" % wan
                )
            else:
                reasons[index] = "it matches %s=%s; the role's forwards match one WAN, here %s" % (
                    forward.ingress[0],
                    forward.ingress[1],
                    "%s=%s" % wan if wan else "none",
                )
    forwards = [f for f in forwards if fits(f, wan)]

    dns = _dns_names(view)
    names = _unique_names(forwards)
    services: List[Dict[str, Any]] = []
    for name, forward in zip(names, forwards):
        service: Dict[str, Any] = dict(name=name, protocol=forward.protocol, port=forward.port, host=forward.host)
        if forward.host_port is not None:
            service["host_port"] = forward.host_port
        if forward.host in dns:
            service["dns_name"] = dns[forward.host]
        if forward.source is not None and forward.source[0] == "src-address":
            service["sources"] = [forward.source[1]]
        elif forward.source is not None:
            service["source_address_list"] = forward.source[1]
        if mode == "per_service" and forward.hairpin_index is None:
            service["hairpin"] = False
        services.append(service)

    settings: Dict[str, Any] = dict(public_address=_public_setting(public), mode=mode)
    settings.update(_setting(wan, "wan"))
    settings.update(_setting(lan, "lan"))
    if lan is None and mode == "none":
        settings.update(_lan_guess(view, forwards))
    settings["masquerade"] = "auto" if wan is not None and _covered(view, wan) else False
    # The hairpin rules name their LAN subnet; where the router's addresses on the LAN do not
    # give those subnets, the variables give them.
    subnets = sorted({fields[f.hairpin_index]["src-address"] for f in forwards if f.hairpin_index is not None})
    if mode == "per_service" and lan is not None:
        networks = view.lan_networks(*(_setting(lan, "lan").get(k) for k in ("lan_interface", "lan_interface_list")))
        if any(subnet not in networks for subnet in subnets):
            settings["lan_subnets"] = subnets

    if cover is not None:
        reasons[cover[2]] = "the router's own masquerade out of the WAN; the role leaves it as it is (%s)" % (
            "hairpin_masquerade auto adds none next to it"
            if settings["masquerade"] == "auto"
            else "hairpin_masquerade false: the role makes no masquerade"
        )
    claimed, dropped = _verify(view, rows, fields, settings, services)
    by_name = dict(zip(names, forwards))
    for name, reason in dropped.items():
        forward = by_name[name]
        for index in forward.indexes:
            reasons[index] = reason
    services = [service for service in services if service["name"] not in dropped]
    for index in range(len(rows)):
        if index not in claimed and index not in reasons:
            if index in hairpin_rows:
                reasons[index] = (
                    "a hairpin rule the role does not make: no imported service forwards to %s port %s, or the "
                    "role makes its hairpin rule another way"
                    % (fields[index]["dst-address"], fields[index]["dst-port"])
                )
            elif index in subnet_rows:
                reasons[index] = "a subnet hairpin rule the role, with these variables, does not make"
            else:
                reasons[index] = "the role makes no rule like it with these variables"
    if public is None:
        notes.append("no port forward the role can express: the public address 'local' is only a starting point")
    if settings["masquerade"] == "auto":
        notes.append("the router's own masquerade out of the WAN stays; hairpin_masquerade auto adds none")
    if wan is None:
        notes.append("no WAN in the variables: the role's forwards then match no in-interface, as these do")

    variables: Dict[str, Any] = {}
    for option in (
        "public_address",
        "wan_interface",
        "wan_interface_list",
        "lan_interface",
        "lan_interface_list",
        "lan_subnets",
        "mode",
        "masquerade",
    ):
        if option in settings:
            variables["hairpin_" + option] = settings[option]
    variables["hairpin_services"] = services
    return dict(
        variables=variables,
        expressed=[
            {".id": rows[i].get(".id"), "position": i, "rule": describe_row(rows[i], i), "service": claimed[i]}
            for i in sorted(claimed)
        ],
        unexpressed=[
            {".id": rows[i].get(".id"), "position": i, "rule": describe_row(rows[i], i), "reason": reasons[i]}
            for i in sorted(reasons)
        ],
        notes=notes,
    )


def _covered(view: RouterView, wan: Tuple[str, str]) -> bool:
    interface = wan[1] if wan[0] == "in-interface" else None
    interface_list = wan[1] if wan[0] == "in-interface-list" else None
    return (
        covering_rule(
            view.nat, out_interface=interface, out_interface_list=interface_list, list_members=view.list_members
        )
        is not None
    )


def _covered_wan(view: RouterView) -> Optional[Tuple[str, str, int]]:
    """(in-interface field, WAN, row index): the WAN the router's own masquerade covers (the
    default configuration's WAN list), as a forward would match it."""
    for index, row in enumerate(view.nat):
        if parse_marker(row.get("comment")) is not None or is_true(row.get("disabled")):
            continue
        values = rule_fields(row)
        if values.get("chain") != "srcnat" or values.get("action") != "masquerade":
            continue
        for name, ingress in (("out-interface-list", "in-interface-list"), ("out-interface", "in-interface")):
            if name in values and not values[name].startswith("!") and _covered(view, (ingress, values[name])):
                return ingress, values[name], index
    return None


def _lan_guess(view: RouterView, forwards: Sequence[_Forward]) -> Dict[str, str]:
    """The interface whose networks hold the services' hosts (a LAN for hairpin rules added
    later; mode none makes no rule out of it)."""
    for forward in forwards:
        for interface, networks in sorted(view.networks.items()):
            if lan_subnet_for(forward.host, networks) is not None:
                return {"lan_interface": interface}
    return {}


def role_params(settings: Mapping[str, Any], services: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """The services module's options for the role's variables (prefix dropped), as the role passes them."""
    params: Dict[str, Any] = dict(settings)
    params.update(services=[dict(service) for service in services], purge=True)
    params.setdefault("lan_subnets", [])
    return params


def role_rules(view: RouterView, params: Mapping[str, Any]) -> Tuple[List[Any], List[str]]:
    """The rules the role makes on the router of `view` for `params`, and the problems it reports."""
    problems = services_problems(params)
    if problems:
        return [], problems
    desired = services_desired(params)
    finish_hairpins(desired, view)
    finish_masquerades(desired, view)
    errors = list(desired.errors) + validate_desired(desired, view.facts, None)
    return desired.rules(), [error.text for error in errors]


def _verify(
    view: RouterView,
    rows: Sequence[Mapping[str, Any]],
    fields: Sequence[Mapping[str, str]],
    settings: Dict[str, Any],
    services: List[Dict[str, Any]],
) -> Tuple[Dict[int, str], Dict[str, str]]:
    """Run the variables through the role and match its rules to the rows: (row index -> service
    of each claimed row, service name -> why it was left out). A service whose rules the table
    does not hold exactly is left out, and the role run again, until every rule it makes is a
    row of the table. `settings` may lose its hairpin mode or masquerade on the way."""
    dropped: Dict[str, str] = {}
    while True:
        kept = [service for service in services if service["name"] not in dropped]
        rules, problems = role_rules(view, role_params(settings, kept))
        if problems:
            named = [s["name"] for s in kept if any("service '%s'" % s["name"] in p for p in problems)]
            if not named:
                if settings.get("mode") != "none":
                    settings["mode"] = "none"
                    for service in kept:
                        service.pop("hairpin", None)
                    continue
                for service in kept:
                    dropped[service["name"]] = "the role refuses these variables: %s" % "; ".join(problems)
                return {}, dropped
            for name in named:
                dropped[name] = "the role refuses it: %s" % "; ".join(p for p in problems if "'%s'" % name in p)
            continue
        claimed: Dict[int, str] = {}
        missing: List[Any] = []
        for rule in rules:
            wanted = rule_fields(rule.fields)
            match = next(
                (i for i, have in enumerate(fields) if i not in claimed and have == wanted and _static(rows[i])), None
            )
            if match is None:
                missing.append(rule)
            else:
                claimed[match] = rule.key.name
        if not missing:
            return claimed, dropped
        for rule in missing:
            if rule.key.kind in (KIND_DSTNAT, KIND_HAIRPIN):
                dropped[rule.key.name] = (
                    "the role would make %s for it, which the table does not hold as such"
                    % describe_row(dict(rule.fields, comment=None), 0).split(" ", 1)[1]
                )
            elif rule.key.kind == KIND_MASQUERADE:
                settings["masquerade"] = False
            elif rule.key.kind == KIND_HAIRPIN_SUBNET:
                settings["mode"] = "none"


def _static(row: Mapping[str, Any]) -> bool:
    return not is_true(row.get("dynamic"))


# ---------------------------------------------------------------------------------------------
# The imported variables as a file a human reviews
# ---------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"\A[A-Za-z][A-Za-z0-9_.-]*\Z")
# Words YAML reads as booleans or null rather than text.
_YAML_WORDS = frozenset(("true", "false", "yes", "no", "on", "off", "y", "n", "null"))


def _scalar(value: Any) -> str:
    if isinstance(value, list):
        return "[%s]" % ", ".join(_scalar(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(mapping: Mapping[str, Any]) -> str:
    return "{%s}" % ", ".join("%s: %s" % (key, _scalar(value)) for key, value in mapping.items())


def _comment(text: str) -> str:
    # A comment holds one line: a rule's comment may hold a line break.
    return " ".join(str(text).split())


def variables_yaml(host: str, imported: Mapping[str, Any]) -> str:
    """The imported variables as a host_vars file: the hairpin_* variables, each service after
    the rules it was found in, and the rules left as they are, with why, as comments."""
    variables = imported["variables"]
    services = variables["hairpin_services"]
    found: Dict[str, List[str]] = {}
    for entry in imported["expressed"]:
        found.setdefault(entry["service"], []).append(entry["rule"])
    lines = [
        "---",
        "# The hairpin role's variables, imported from the NAT table of the router at %s." % host,
        "# %d service(s); %d rule(s) the role reproduces exactly; %d rule(s) left as they are (listed at the end)."
        % (len(services), len(imported["expressed"]), len(imported["unexpressed"])),
        "# Review, then run the role with --check --diff: it should change only the comments of those rules.",
    ]
    for note in imported.get("notes") or []:
        lines.append("# Note: %s" % _comment(note))
    for name, value in variables.items():
        if name == "hairpin_services":
            continue
        if isinstance(value, Mapping):
            lines.append("%s: %s" % (name, _flow(value)))
        elif isinstance(value, list):
            lines.append("%s: [%s]" % (name, ", ".join(_scalar(item) for item in value)))
        else:
            lines.append("%s: %s" % (name, _scalar(value)))
    lines.append("hairpin_services:" + ("" if services else " []"))
    for service in services:
        for rule in found.get(service["name"], []):
            lines.append("  # found: %s" % _comment(rule))
        lines.append("  - %s" % _flow(service))
    for entry in imported["expressed"]:
        if entry["service"] not in [service["name"] for service in services]:
            lines.append("# also reproduced (%s): %s" % (entry["service"], _comment(entry["rule"])))
    if imported["unexpressed"]:
        lines.append("")
        lines.append("# Left as they are: the role does not make these rules and never touches them.")
        for entry in imported["unexpressed"]:
            lines.append("#   %s" % _comment(entry["rule"]))
            lines.append("#     why: %s" % _comment(entry["reason"]))
    return "\n".join(lines) + "\n"

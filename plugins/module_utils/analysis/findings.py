# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Findings: what is wrong in a table, with the rule to blame and, where the engine can write
it, the rule that fixes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import (
    IPv4,
    UnknownMatcherError,
    covers,
    in_address_spec,
    mentions,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.published import Service, public_destination
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.replies import reply_routing_problem
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import (
    CLIENT_PORT,
    Packet,
    Rule,
    mismatches,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology, wan_in
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.walk import (
    SRCNAT_ACTIONS,
    Flow,
    chains_under,
    endpoint,
    run_chain,
    run_flow,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_NETMAP_HAIRPIN,
    KIND_NETMAP_OUT,
    Hairpin,
    OneToOneHairpin,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.own_services import SERVICE_TITLES
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import ACTION_ADD, Operation
from ansible_collections.hairpin.routeros.plugins.module_utils.render import render_operation
from ansible_collections.hairpin.routeros.plugins.module_utils.values import NAME_RE

# Finding codes (stable: CI pipelines filter on them).
SHADOWED = "shadowed"
PUBLIC_ADDRESS_MISMATCH = "public-address-mismatch"
NOT_MATCHED = "not-matched"
MISSING_HAIRPIN = "missing-hairpin"
HAIRPIN_MISMATCH = "hairpin-mismatch"
HAIRPIN_SHADOWED = "hairpin-shadowed"
CAPTURES_ROUTER_SERVICE = "captures-router-service"
CAPTURES_OUTBOUND = "captures-outbound"
NO_MASQUERADE = "no-masquerade"
SPLIT_DNS_PORT = "split-dns-port"
FILTER_BLOCKS = "filter-blocks"
ONE_TO_ONE_OUTBOUND = "one-to-one-outbound"
# An owned IPv6 pinhole that a rule before it in the IPv6 forward chain drops.
IPV6_PINHOLE_BLOCKED = "ipv6-pinhole-blocked"
NO_REPLY_ROUTING = "no-reply-routing"
FINDING_CODES = (
    SHADOWED,
    PUBLIC_ADDRESS_MISMATCH,
    NOT_MATCHED,
    MISSING_HAIRPIN,
    HAIRPIN_MISMATCH,
    HAIRPIN_SHADOWED,
    CAPTURES_ROUTER_SERVICE,
    CAPTURES_OUTBOUND,
    NO_MASQUERADE,
    SPLIT_DNS_PORT,
    FILTER_BLOCKS,
    ONE_TO_ONE_OUTBOUND,
    IPV6_PINHOLE_BLOCKED,
    NO_REPLY_ROUTING,
)
SEVERITY_ERROR = "error"
SEVERITY_WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    code: str
    service: Optional[str]
    message: str
    rule: Optional[Rule] = None
    fix: Optional[str] = None
    # error: the service does not work as published; warning: it works, at a cost worth knowing.
    severity: str = SEVERITY_ERROR

    def as_dict(self) -> Dict[str, Any]:
        return dict(
            code=self.code,
            service=self.service,
            message=self.message,
            rule=self.rule.ref() if self.rule is not None else None,
            fix=self.fix,
            severity=self.severity,
        )


class Findings:
    def __init__(self) -> None:
        self.items: List[Finding] = []

    def add(self, finding: Finding) -> None:
        key = (finding.code, finding.service, finding.rule.position if finding.rule else None)
        if all((f.code, f.service, f.rule.position if f.rule else None) != key for f in self.items):
            self.items.append(finding)


def hairpin_finding(
    service: Service, flow: Flow, topology: Topology, rules: Sequence[Rule], findings: Findings
) -> None:
    routed = flow.packet.routed(dst=flow.dst, dst_port=flow.dst_port, out_interface=flow.out_interface)
    stopper = flow.srcnat.rule if flow.srcnat is not None and flow.srcnat.kind == "accept" else None
    candidates = []
    srcnat = chains_under(rules, "srcnat")
    for rule in rules:
        if rule.chain not in srcnat or rule.action not in SRCNAT_ACTIONS or not rule.active:
            continue
        reasons, unknown = mismatches(rule, routed, topology)
        if not reasons and not unknown and stopper is not None and rule.position > stopper.position:
            findings.add(
                Finding(
                    HAIRPIN_SHADOWED,
                    service.label,
                    "{0} would translate LAN clients' traffic to {1}, but {2} above it ends srcnat first "
                    "(action={3})".format(rule.label, endpoint(flow), stopper.label, stopper.action),
                    stopper,
                )
            )
            return
        key = rule.owner
        ours = key is not None and (
            (key.kind == KIND_HAIRPIN and key.name == service.name and key.protocol == service.protocol)
            or (key.kind == KIND_NETMAP_HAIRPIN and service.one_to_one and key.name == service.name)
            or (key.kind == KIND_HAIRPIN_SUBNET and flow.network is not None and covers(key.name, flow.dst))
        )
        # A foreign rule about this server counts, unless it is for another port or protocol
        # (then it is another service's hairpin rule, not a broken one of this service); a 1:1
        # host's hairpin takes every port, so for it no such rule is one.
        about_host = (
            key is None
            and mentions(rule.get("dst-address"), flow.dst)
            and not any(r.split("=")[0] in ("protocol", "dst-port", "port") for r in reasons)
            and not (service.one_to_one and (rule.get("protocol") or rule.get("dst-port")))
        )
        if reasons and (ours or about_host):
            candidates.append((not ours, len(reasons), rule, reasons))
    if candidates:
        _not_ours, _count, rule, reasons = sorted(candidates, key=lambda c: (c[0], c[1], c[2].position))[0]
        findings.add(
            Finding(
                HAIRPIN_MISMATCH,
                service.label,
                "{0} should give LAN clients hairpin NAT to {1} but does not match: {2}".format(
                    rule.label, endpoint(flow), "; ".join(reasons)
                ),
                rule,
                _hairpin_fix(service, flow),
            )
        )
        return
    findings.add(
        Finding(
            MISSING_HAIRPIN,
            service.label,
            "no srcnat rule translates LAN clients' traffic to {0} (out of {1}), so the server answers "
            "them directly and they drop the reply".format(endpoint(flow), flow.out_interface),
            stopper,
            _hairpin_fix(service, flow),
        )
    )


def _hairpin_fix(service: Service, flow: Flow) -> Optional[str]:
    """The rule the hairpin module would add (rendered by the engine)."""
    if flow.network is None:
        return None
    name = service.name
    if service.one_to_one and NAME_RE.match(name):
        mapped = OneToOneHairpin(
            name=name, host=str(flow.dst), lan_subnet=str(flow.network), lan_interface=flow.out_interface
        ).rules()[0]
        return render_operation(Operation(ACTION_ADD, mapped.key, fields=mapped.fields))
    if not NAME_RE.match(name):
        # A foreign rule is named by its comment; the marker needs a name the engine accepts.
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")[:64] or "rule-{0}".format(service.rule.position)
        if not NAME_RE.match(name):
            name = "rule-{0}".format(service.rule.position)
    hairpin = Hairpin(
        name=name,
        protocol=service.protocol,
        host=str(flow.dst),
        host_port=str(flow.dst_port),
        lan_subnet=str(flow.network),
        lan_interface=flow.out_interface,
    )
    rule = hairpin.rules()[0]
    return render_operation(Operation(ACTION_ADD, rule.key, fields=rule.fields))


def masquerade_finding(service: Service, topology: Topology, rules, findings: Findings, notes) -> None:
    host = service.host_address
    in_interface = topology.interface_for(host, [name for name, _a in topology.addresses]) if host else None
    if host is None or in_interface is None:
        return
    packet = Packet(service.protocol, host, topology.internet_client, CLIENT_PORT, in_interface)
    flow = run_flow(rules, packet, topology, notes)
    if flow.to_router or flow.out_interface not in topology.wan_interfaces:
        return
    if flow.srcnat is not None and flow.srcnat.kind == "nat":
        return
    findings.add(
        Finding(
            NO_MASQUERADE,
            service.label,
            "{0} forwards to {1}, but no srcnat rule masquerades {1}'s traffic out of {2}: the server's own "
            "connections to the internet leave with its private address".format(
                service.rule.label, host, flow.out_interface
            ),
            service.rule,
        )
    )


def reply_routing_finding(service: Service, topology: Topology, findings: Findings, notes) -> None:
    """A forward on a WAN of several whose replies leave by the main table's default route."""
    problem = reply_routing_problem(service, topology, notes)
    if problem is not None:
        findings.add(
            Finding(NO_REPLY_ROUTING, service.label, "{0} is {1}".format(service.rule.label, problem), service.rule)
        )


def outbound_finding(service: Service, topology: Topology, rules, findings: Findings, notes) -> None:
    """A forward without a public destination also takes LAN clients' traffic to any server."""
    host = service.host_address
    if host is None:
        return
    client, in_interface = topology.lan_client_for(host)
    packet = Packet(service.protocol, client, topology.internet_client, service.probe_port, in_interface)
    flow = run_flow(rules, packet, topology, notes)
    if flow.dstnat.kind != "nat" or flow.dstnat.rule is None:
        return
    findings.add(
        Finding(
            CAPTURES_OUTBOUND,
            service.label,
            "{0} also takes LAN clients' {1} port {2} to any internet address (e.g. {3}) and sends it to {4}: "
            "they cannot reach that port on other servers (give the rule a dst-address or "
            "in-interface)".format(
                flow.dstnat.rule.label, service.protocol, service.probe_port, topology.internet_client, endpoint(flow)
            ),
            flow.dstnat.rule,
        )
    )


def router_service_findings(topology: Topology, rules: Sequence[Rule], findings: Findings, notes) -> None:
    """dst-nat rules that take traffic meant for the router's own services (tcp): one warning per
    rule, saying per service on which address it is lost and where it is still reachable.

    Usually what the admin wants (WebFig should not face the internet), so a warning, not an
    error. A service whose ``address=`` keeps out a client loses nothing to it."""
    lan_client = topology.lan_client_for(topology.lan_subnets[0].network_address) if topology.lan_subnets else None
    # rule position -> (rule, {service: {address: [origins]}}, the old "what from where" list)
    taken: Dict[int, Tuple[Rule, Dict[str, Dict[IPv4, List[str]]], List[str]]] = {}
    services = sorted(topology.facts.services.items(), key=lambda item: (item[1], item[0]))
    for name, port in services:
        allowed = topology.facts.service_addresses.get(name) or []
        for address_interface, address in topology.addresses:
            origins = []
            if address_interface in topology.wan_interfaces:
                origins.append(("the internet", topology.internet_client, wan_in(topology, address.ip)))
            if lan_client is not None:
                origins.append(("the LAN", lan_client[0], lan_client[1]))
            for origin, client, in_interface in origins:
                if allowed and not _accepts(allowed, client):
                    continue
                packet = Packet("tcp", client, address.ip, int(port), in_interface)
                outcome = run_chain(rules, "dstnat", packet, topology, notes)
                if outcome.kind != "nat" or outcome.rule is None or outcome.address in topology.own:
                    continue
                entry = taken.setdefault(outcome.rule.position, (outcome.rule, {}, []))
                entry[1].setdefault(name, {}).setdefault(address.ip, []).append(origin)
                entry[2].append("{0} (tcp/{1}) on {2} from {3}".format(name, port, address.ip, origin))
    ports = dict(services)
    for rule, lost, hidden in taken.values():
        sentences = [_service_loss(topology, name, ports[name], lost[name]) for name in sorted(lost, key=ports.get)]
        findings.add(
            Finding(
                CAPTURES_ROUTER_SERVICE,
                None,
                "{0}. {1} forwards traffic meant for the router's own services: {2}".format(
                    "; ".join(sentences), rule.label, ", ".join(hidden)
                ),
                rule,
                severity=SEVERITY_WARNING,
            )
        )


def _service_loss(topology: Topology, name: str, port: int, lost: Dict[IPv4, List[str]]) -> str:
    """ "WebFig (www, tcp/80) is no longer reachable on 203.0.113.1; it still is on 192.168.1.1"."""
    title = SERVICE_TITLES.get(name, name)
    places = []
    for address, origins in lost.items():
        everyone = len(origins) == len(_origins_of(topology, address))
        places.append(str(address) if everyone else "{0} from {1}".format(address, " or ".join(origins)))
    kept = [str(a.ip) for _n, a in topology.addresses if a.ip not in lost]
    still = "it still is on {0}".format(", ".join(kept)) if kept else "it is reachable on no other address"
    text = "{0} ({1}, tcp/{2}) is no longer reachable on {3}; {4}".format(title, name, port, ", ".join(places), still)
    return text[0].upper() + text[1:]


def _origins_of(topology: Topology, address: IPv4) -> List[str]:
    wan = any(name in topology.wan_interfaces and a.ip == address for name, a in topology.addresses)
    return (["the internet"] if wan else []) + (["the LAN"] if topology.lan_subnets else [])


def _accepts(allowed: Sequence[str], client: IPv4) -> bool:
    """Whether a service's ``address=`` list lets ``client`` in (IPv6 entries never do)."""
    for spec in allowed:
        try:
            if in_address_spec(spec, client):
                return True
        except UnknownMatcherError:
            continue
    return False


def one_to_one_outbound(service: Service, topology: Topology, rules, findings: Findings, notes) -> Dict[str, Any]:
    """A 1:1 host's own connections to the internet: they should leave from its public address.
    The usual fault is a masquerade (defconf's) above the mapping's srcnat rule, which takes the
    host's traffic first so it leaves from the WAN's address."""
    host = service.host_address
    public = public_destination(service, topology)
    in_interface = topology.interface_for(host, [name for name, _a in topology.addresses]) if host else None
    packet = Packet(service.protocol, host, topology.internet_client, service.probe_port, in_interface)
    flow = run_flow(rules, packet, topology, notes)
    translated = flow.srcnat is not None and flow.srcnat.kind == "nat" and flow.srcnat.rule is not None
    result: Dict[str, Any] = dict(
        client=str(host),
        address=str(flow.src),
        public=str(public),
        rule=flow.srcnat.rule.ref() if translated else None,
        rules=[r.position for r in flow.srcnat.passed] if flow.srcnat is not None else [],
    )
    if translated:
        result["rules"].append(flow.srcnat.rule.position)
    result["leaves_with_public_address"] = flow.src == public and not flow.to_router
    if flow.to_router or flow.out_interface not in topology.wan_interfaces:
        return result
    if flow.src == public:
        return result
    mapping = _mapping_rule(service, rules)
    if translated:
        why = "{0} takes them first and they leave with {1}".format(flow.srcnat.rule.label, flow.src)
        if mapping is not None and mapping.position > flow.srcnat.rule.position:
            why += " ({0}, which maps them to {1}, stands below it)".format(mapping.label, public)
        blame = flow.srcnat.rule
    elif mapping is not None and flow.srcnat is not None and flow.srcnat.kind == "accept":
        why = "{0} ends srcnat first, so they leave with {1}".format(flow.srcnat.rule.label, flow.src)
        blame = flow.srcnat.rule
    else:
        why = "no srcnat rule maps them to it, so they leave with {0}".format(flow.src)
        blame = mapping
    findings.add(
        Finding(
            ONE_TO_ONE_OUTBOUND,
            service.label,
            "{0} maps {1} to {2}, but {2}'s own connections to the internet (out of {3}) do not leave from "
            "{1}: {4}".format(service.rule.label, public, host, flow.out_interface, why),
            blame,
        )
    )
    return result


def _mapping_rule(service: Service, rules: Sequence[Rule]) -> Optional[Rule]:
    """The srcnat netmap rule of the mapping (owned by its name, or a foreign one for its host)."""
    host = service.host_address
    srcnat = chains_under(rules, "srcnat")
    for rule in rules:
        if rule.chain not in srcnat or rule.action != "netmap" or not rule.active:
            continue
        key = rule.owner
        if key is not None and key.kind == KIND_NETMAP_OUT and key.name == service.name:
            return rule
        if host is not None and mentions(rule.get("src-address"), host):
            return rule
    return None

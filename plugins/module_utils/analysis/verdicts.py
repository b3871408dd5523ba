# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Verdicts: can a client reach a service this way (from the internet, from the LAN by the public
address, by a split-DNS name), and which address does the server see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import IPv4
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.findings import (
    FILTER_BLOCKS,
    NOT_MATCHED,
    PUBLIC_ADDRESS_MISMATCH,
    SHADOWED,
    SPLIT_DNS_PORT,
    Finding,
    Findings,
    hairpin_finding,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.firewall import forward_verdict
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.published import Service, public_destination
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import Packet, Rule, mismatches
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology, wan_in
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.walk import (
    Flow,
    chains_under,
    endpoint,
    run_flow,
)


@dataclass
class Verdict:
    """Can a client reach the service this way, and what does the server see?"""

    reachable: bool
    via: str
    reaches: Optional[str]
    server_sees: Optional[str]
    sees: Optional[str]
    client: str
    reason: Optional[str] = None
    rules: List[int] = field(default_factory=list)
    # The reason in a few words, for the table.
    summary: Optional[str] = None
    # What the firewall filter does to the connection (FilterVerdict.as_dict()); None when the
    # filter was not read or the connection never reaches it.
    filter: Optional[Dict[str, Any]] = None

    def fail(self, reason: str, summary: str) -> None:
        self.reachable, self.reason, self.summary = False, reason, summary

    def as_dict(self) -> Dict[str, Any]:
        return dict(self.__dict__)


def through_filter(
    verdict: Verdict, flow: Flow, topology: Topology, findings: Findings, notes, service: Service, origin: str
) -> None:
    """A reachable verdict checked against the firewall filter's forward chain: blocked there, it
    fails with the rule that blocks it, and that is a finding."""
    if topology.filter is None or flow.to_router:
        return
    decision = forward_verdict(topology.filter, flow, topology, notes)
    verdict.filter = decision.as_dict()
    if decision.passes:
        return
    verdict.fail(decision.reason(), decision.summary())
    verdict.server_sees = verdict.sees = None
    findings.add(
        Finding(
            FILTER_BLOCKS,
            service.label,
            "{0}, {1} port {2} to {3}: the NAT table forwards it to {4}, but {5}".format(
                origin, service.protocol, service.probe_port, flow.packet.dst, endpoint(flow), decision.reason()
            ),
            decision.rule,
        )
    )


def used_rules(flow: Flow) -> List[int]:
    rules = [r.position for r in flow.dstnat.passed]
    if flow.dstnat.rule is not None:
        rules.append(flow.dstnat.rule.position)
    if flow.srcnat is not None:
        rules.extend(r.position for r in flow.srcnat.passed)
        if flow.srcnat.rule is not None:
            rules.append(flow.srcnat.rule.position)
    return rules


def sees(topology: Topology, flow: Flow) -> Tuple[str, str]:
    if flow.src == flow.packet.src:
        return str(flow.src), "client"
    if flow.src in topology.own:
        return str(flow.src), "router"
    return str(flow.src), "other"


def _public_side(reasons: Sequence[str]) -> List[str]:
    return [r for r in reasons if r.split("=")[0] in ("dst-address", "dst-address-list", "dst-address-type")]


def _source_side(reasons: Sequence[str]) -> List[str]:
    return [r for r in reasons if r.split("=")[0] in ("src-address", "src-address-list")]


def _outside_sources(service: Service, flow: Flow, topology: Topology) -> Optional[Tuple[str, str]]:
    """(reason, summary) when the service's rule would take the packet but for its source
    limit: the service is published to other clients only, which is what it says, not a fault."""
    rule = service.rule
    if not rule.active:
        return None
    reasons, unknown = mismatches(rule, flow.packet, topology)
    limits = _source_side(reasons)
    if not limits or len(limits) != len(reasons) or unknown:
        return None
    return (
        "{0} admits only some sources, and {1} is not one of them: {2}".format(
            rule.label, flow.packet.src, "; ".join(limits)
        ),
        "source-limited: {0} not admitted".format(flow.packet.src),
    )


def short(rule: Rule) -> str:
    return "rule #{0}".format(rule.position)


def _explain_unforwarded(
    service: Service, flow: Flow, topology: Topology, rules: Sequence[Rule], who: str
) -> Tuple[str, str]:
    """Why the service's own rule did not take the packet (it was not taken by another one):
    (reason, summary)."""
    rule = service.rule
    if not rule.active:
        return "{0} is disabled".format(rule.label), "{0} is disabled".format(short(rule))
    reasons, unknown = mismatches(rule, flow.packet, topology)
    if reasons:
        return (
            "{0} does not match {1}: {2}".format(rule.label, who, "; ".join(reasons)),
            "{0} does not match ({1})".format(short(rule), ", ".join(r.split(", but")[0] for r in reasons)),
        )
    if unknown:
        return "{0} could not be evaluated: {1}".format(rule.label, "; ".join(unknown)), "not analysed"
    returned = [r for r in flow.dstnat.passed if r.action == "return" and r.chain == rule.chain]
    if returned:
        why = "{0} returns from chain {1} first".format(returned[-1].label, rule.chain)
    elif rule.chain in chains_under(rules, "dstnat"):
        why = "a rule before it ends chain {0} first".format(rule.chain)
    else:
        why = "no rule jumps to chain {0}".format(rule.chain)
    return "{0} is never reached: {1}".format(rule.label, why), "{0} is never reached".format(short(rule))


def _shadowed(
    verdict: Verdict, service: Service, flow: Flow, dst: IPv4, taken: str, findings: Findings, origin: str
) -> None:
    """Another rule takes the service's traffic from ``origin`` first: the verdict fails and says so."""
    verdict.fail(taken, "shadowed by {0}".format(short(flow.dstnat.rule)))
    findings.add(
        Finding(
            SHADOWED,
            service.label,
            "{0}, {1} port {2} to {3}: {4}; {5} (the service's rule) never sees it".format(
                origin, service.protocol, service.probe_port, dst, taken, service.rule.label
            ),
            flow.dstnat.rule,
        )
    )


def _taken_elsewhere(service: Service, flow: Flow) -> Optional[str]:
    """When another rule decided first: what it did, for people."""
    taker = flow.dstnat.rule
    if taker is None or taker.position == service.rule.position:
        return None
    if flow.dstnat.kind == "accept":
        return "{0} ends dstnat first (action={1}), so the packet is not forwarded".format(taker.label, taker.action)
    if flow.dstnat.kind == "unknown":
        return "{0} takes the packet first (action={1})".format(taker.label, taker.action)
    to = "the router itself" if flow.to_router else endpoint(flow)
    return "{0} takes it first and sends it to {1}".format(taker.label, to)


def internet_verdict(service: Service, topology: Topology, rules: Sequence[Rule], findings: Findings, notes) -> Verdict:
    dst = public_destination(service, topology)
    packet = Packet(service.protocol, topology.internet_client, dst, service.probe_port, wan_in(topology, dst))
    flow = run_flow(rules, packet, topology, notes)
    verdict = Verdict(False, "public address", None, None, None, str(packet.src), rules=used_rules(flow))
    if not flow.to_router:
        verdict.reaches = endpoint(flow)
    if service.reached_by(flow):
        if flow.network is None:
            verdict.fail(
                "{0} is on none of the router's networks; the packet leaves through {1}".format(
                    flow.dst, flow.out_interface
                ),
                "server on no network of the router",
            )
            return verdict
        verdict.reachable = True
        verdict.server_sees, verdict.sees = sees(topology, flow)
        if flow.dstnat.rule is not None and flow.dstnat.rule.position != service.rule.position:
            notes.append("{0}: forwarded by {1}, above its own rule".format(service.label, flow.dstnat.rule.label))
        through_filter(verdict, flow, topology, findings, notes, service, "from the internet")
        return verdict
    taken = _taken_elsewhere(service, flow)
    if taken is not None:
        _shadowed(verdict, service, flow, dst, taken, findings, "from the internet")
        return verdict
    outside = _outside_sources(service, flow, topology)
    if outside is not None:
        verdict.fail(*outside)
        return verdict
    verdict.fail(*_explain_unforwarded(service, flow, topology, rules, "traffic from the internet"))
    if service.rule.active:
        reasons, _unknown = mismatches(service.rule, packet, topology)
        if _public_side(reasons):
            findings.add(
                Finding(
                    PUBLIC_ADDRESS_MISMATCH,
                    service.label,
                    "{0} matches {1}, but the WAN's current address is {2}: traffic from the internet is not "
                    "forwarded".format(
                        service.rule.label,
                        ", ".join(r.split(", but")[0] for r in _public_side(reasons)),
                        topology.wan_address,
                    ),
                    service.rule,
                )
            )
        elif reasons:
            findings.add(Finding(NOT_MATCHED, service.label, verdict.reason, service.rule))
    return verdict


def lan_verdict(
    service: Service, topology: Topology, rules: Sequence[Rule], findings: Findings, notes, dns_names: Sequence[str]
) -> Verdict:
    host = service.host_address
    client, in_interface = topology.lan_client_for(host)
    dst = public_destination(service, topology)
    packet = Packet(service.protocol, client, dst, service.probe_port, in_interface)
    flow = run_flow(rules, packet, topology, notes)
    verdict = Verdict(False, "public address", None, None, None, str(client), rules=used_rules(flow))
    if not flow.to_router:
        verdict.reaches = endpoint(flow)
    if not service.reached_by(flow):
        taken = _taken_elsewhere(service, flow)
        outside = _outside_sources(service, flow, topology)
        if taken is not None:
            _shadowed(verdict, service, flow, dst, taken, findings, "from the LAN")
        elif outside is not None:
            verdict.fail(*outside)
        else:
            verdict.fail(*_explain_unforwarded(service, flow, topology, rules, "LAN clients"))
        return verdict
    verdict.server_sees, verdict.sees = sees(topology, flow)
    translated = flow.srcnat is not None and flow.srcnat.kind == "nat"
    if translated:
        verdict.reachable, verdict.via = True, "hairpin"
        through_filter(verdict, flow, topology, findings, notes, service, "from the LAN")
        return verdict
    if flow.network is None or client not in flow.network:
        # Client and server on different subnets: both directions go through the router.
        verdict.reachable, verdict.via = True, "routed"
        through_filter(verdict, flow, topology, findings, notes, service, "from the LAN")
        return verdict
    verdict.fail(
        "the server answers {0} directly, not through the router, so the client drops the reply "
        "(no srcnat rule translates LAN traffic to {1})".format(client, endpoint(flow)),
        "no hairpin NAT, the reply bypasses the router",
    )
    if dns_names:
        # Split DNS: LAN clients use the name, not the public address; no hairpin rule needed.
        return verdict
    hairpin_finding(service, flow, topology, rules, findings)
    return verdict


def dns_verdicts(service: Service, topology: Topology, rules, findings: Findings, notes, names) -> List[Dict[str, Any]]:
    result = []
    host = service.host_address
    for name in names:
        client, in_interface = topology.lan_client_for(host)
        # A client that resolved the name connects to the *public* port on the server's address.
        packet = Packet(service.protocol, client, host, service.probe_port, in_interface)
        network = topology.lan_subnet_of(host)
        if network is not None and client in network:
            # Same subnet: the router is not on the path at all.
            listening = service.host_ports[0] <= service.probe_port <= service.host_ports[1]
            verdict = Verdict(
                listening, "dns name " + name, "{0}:{1}".format(host, service.probe_port), None, None, str(client)
            )
            if listening:
                verdict.server_sees, verdict.sees = str(client), "client"
            else:
                verdict.fail(
                    "{0} resolves to {1}, and clients then connect to port {2}, but the server listens on {3}".format(
                        name, host, service.probe_port, service.target
                    ),
                    "{0}: the server listens on another port".format(name),
                )
                findings.add(Finding(SPLIT_DNS_PORT, service.label, verdict.reason, service.rule))
        else:
            flow = run_flow(rules, packet, topology, notes)
            verdict = Verdict(
                False, "dns name " + name, None if flow.to_router else endpoint(flow), None, None, str(client)
            )
            verdict.rules = used_rules(flow)
            low, high = service.host_ports
            if not flow.to_router and flow.dst == host and low <= flow.dst_port <= high:
                verdict.reachable = True
                verdict.server_sees, verdict.sees = sees(topology, flow)
                through_filter(verdict, flow, topology, findings, notes, service, "from the LAN by " + name)
            else:
                end = "the router" if flow.to_router else endpoint(flow)
                verdict.fail(
                    "{0} resolves to {1}, but the connection ends at {2}".format(name, host, end),
                    "{0}: ends at {1}".format(name, end),
                )
        result.append(dict(verdict.as_dict(), name=name))
    return result


def one_to_one_shadowed(
    mapping: Service, forwards: Sequence[Service], topology: Topology, rules: Sequence[Rule], findings: Findings, notes
) -> List[Dict[str, Any]]:
    """The ports of a 1:1 mapping's public address that another rule takes first (a port forward
    without a dst-address, or on that address, above the netmap rule): the host does not get them."""
    dst = public_destination(mapping, topology)
    taken = []
    for forward in forwards:
        packet = Packet(forward.protocol, topology.internet_client, dst, forward.probe_port, wan_in(topology, dst))
        flow = run_flow(rules, packet, topology, notes)
        what = _taken_elsewhere(mapping, flow)
        if what is None or flow.dstnat.rule is None:
            continue
        taken.append(
            dict(
                protocol=forward.protocol,
                port=forward.probe_port,
                rule=flow.dstnat.rule.ref(),
                reaches=None if flow.to_router else endpoint(flow),
            )
        )
        findings.add(
            Finding(
                SHADOWED,
                mapping.label,
                "from the internet, {0} port {1} to {2}: {3}; {4} (the 1:1 mapping to {5}) never sees it".format(
                    forward.protocol, forward.probe_port, dst, what, mapping.rule.label, mapping.host
                ),
                flow.dstnat.rule,
            )
        )
    return taken

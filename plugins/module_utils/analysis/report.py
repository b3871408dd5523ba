# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The analysis of a whole table (:func:`analyze`) and its report, as data and as a table for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import (
    AnalyzeError,
    parse_address,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.findings import (
    FILTER_BLOCKS,
    IPV6_PINHOLE_BLOCKED,
    PUBLIC_ADDRESS_MISMATCH,
    SEVERITY_ERROR,
    Finding,
    Findings,
    masquerade_finding,
    one_to_one_outbound,
    outbound_finding,
    reply_routing_finding,
    router_service_findings,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.firewall import filter_rules, forward_verdict
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.ipv6 import pinhole_findings
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.published import (
    Service,
    one_to_one_of,
    public_destination,
    services_of,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import Packet, Rule
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology, resolve
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.verdicts import (
    dns_verdicts,
    internet_verdict,
    lan_verdict,
    one_to_one_shadowed,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.walk import run_flow
from ansible_collections.hairpin.routeros.plugins.module_utils.values import first_address


@dataclass
class Report:
    services: List[Dict[str, Any]]
    findings: List[Finding]
    outbound: Dict[str, Any]
    facts: Dict[str, Any]
    notes: List[str]
    # 1:1 mappings (netmap), each with its verdicts and the way out of its host.
    one_to_one: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> List[Finding]:
        """The findings of severity ``error``: what fails a pipeline (warnings do not)."""
        return [finding for finding in self.findings if finding.severity == SEVERITY_ERROR]

    def as_dict(self) -> Dict[str, Any]:
        return dict(
            services=self.services,
            findings=[finding.as_dict() for finding in self.findings],
            outbound=self.outbound,
            one_to_one=self.one_to_one,
            facts=self.facts,
            notes=self.notes,
            table=render_table(self),
        )


def has_errors(report: Report) -> bool:
    """Whether the report has a finding of severity ``error`` (``fail_on_findings`` fails on these)."""
    return bool(report.errors)


def _check_lists(rules: Sequence[Rule], facts: Facts) -> None:
    """Lists the active rules use must be known: a guess would make confident, wrong verdicts."""
    for rule in rules:
        if not rule.active:
            continue
        for name in ("in-interface-list", "out-interface-list"):
            value = rule.get(name)
            list_name = value.lstrip("!") if value else None
            if list_name and list_name not in ("all", "none") and list_name not in facts.interface_list_members:
                raise AnalyzeError(
                    "{0} uses interface list {1!r}, whose members are not in the facts; give them in "
                    "interface_list_members".format(rule.label, list_name)
                )
        for name in ("src-address-list", "dst-address-list"):
            value = rule.get(name)
            list_name = value.lstrip("!") if value else None
            if not list_name:
                continue
            entries = facts.address_lists.get(list_name)
            if entries is None:
                raise AnalyzeError(
                    "{0} uses address list {1!r}, which is not in the facts; give its entries in address_lists".format(
                        rule.label, list_name
                    )
                )
            if entries and not any(entry[:1].isdigit() for entry in entries):
                raise AnalyzeError(
                    "{0} uses address list {1!r}, which holds only DNS names ({2}); give the addresses they "
                    "resolve to in address_lists".format(rule.label, list_name, ", ".join(entries))
                )


def analyze(rows: Sequence[Mapping[str, Any]], facts: Facts) -> Report:
    """Verdicts for every published service in ``rows`` (the NAT table in order) on the router
    ``facts`` describe. Raises AnalyzeError when a needed fact is missing."""
    topology = resolve(facts)
    rules = [Rule.from_row(position, row) for position, row in enumerate(rows)]
    _check_lists(rules, facts)
    topology.filter = filter_rules(facts)
    notes: List[str] = list(topology.notes)
    if topology.filter is None:
        notes.append("the firewall filter is not in the facts: the verdicts are the NAT table's alone")
    findings = Findings()
    if facts.public_address and parse_address(facts.public_address, "public_address") not in {
        a.ip for n, a in topology.addresses if n in topology.wan_interfaces
    }:
        findings.add(
            Finding(
                PUBLIC_ADDRESS_MISMATCH,
                None,
                "the public address {0} is not the WAN's current address ({1}); the internet reaches the router at "
                "{1}".format(facts.public_address, topology.wan_address),
            )
        )
    services = []
    forwards = services_of(rules)
    for service in forwards:
        host = service.host_address
        if host is None:
            continue
        names = sorted(name for name, address in facts.dns_static if first_address(address) == host)
        before = len(findings.items)
        internet = internet_verdict(service, topology, rules, findings, notes)
        lan_public = lan_verdict(service, topology, rules, findings, notes, names)
        dns = dns_verdicts(service, topology, rules, findings, notes, names)
        masquerade_finding(service, topology, rules, findings, notes)
        outbound_finding(service, topology, rules, findings, notes)
        reply_routing_finding(service, topology, findings, notes)
        lan = lan_public.as_dict()
        working = [entry for entry in dns if entry["reachable"]]
        if not lan_public.reachable and working:
            # Split DNS: LAN clients that use the names reach the server directly.
            lan = dict(working[0], via="split DNS", names=[entry["name"] for entry in working])
            lan.pop("name")
        services.append(
            dict(
                name=service.name,
                protocol=service.protocol,
                port=service.port,
                public="{0}:{1}".format(public_destination(service, topology), service.port),
                target=service.target,
                owned=service.owned,
                rule=service.rule.ref(),
                internet=internet.as_dict(),
                lan=lan,
                lan_public_address=lan_public.as_dict(),
                lan_dns_names=dns,
                findings=[f.code for f in findings.items[before:] if f.service == service.label],
            )
        )
    mappings = [
        _one_to_one(mapping, forwards, topology, rules, findings, notes, facts) for mapping in one_to_one_of(rules)
    ]
    router_service_findings(topology, rules, findings, notes)
    _pinhole_findings(facts, findings, notes)
    outbound = _outbound(topology, rules, findings, notes)
    used = dict(
        wan_interfaces=topology.wan_interfaces,
        wan_address=str(topology.wan_address),
        lan_interfaces=topology.lan_interfaces,
        lan_subnets=[str(s) for s in topology.lan_subnets],
        internet_client=str(topology.internet_client),
        public_address=facts.public_address,
    )
    return Report(services, findings.items, outbound, used, notes, mappings)


def _one_to_one(
    mapping: Service, forwards: Sequence[Service], topology: Topology, rules, findings: Findings, notes, facts: Facts
) -> Dict[str, Any]:
    """A 1:1 mapping's verdicts: an internet client and a LAN client on the public address (a
    port no other rule names), the ports other rules take first, and the host's way out."""
    before = len(findings.items)
    host = mapping.host_address
    names = sorted(name for name, address in facts.dns_static if first_address(address) == host)
    internet = internet_verdict(mapping, topology, rules, findings, notes)
    lan = lan_verdict(mapping, topology, rules, findings, notes, names)
    shadowed = one_to_one_shadowed(mapping, forwards, topology, rules, findings, notes)
    outbound = one_to_one_outbound(mapping, topology, rules, findings, notes)
    return dict(
        name=mapping.name,
        public=str(public_destination(mapping, topology)),
        host=mapping.host,
        probe="{0}/{1}".format(mapping.protocol, mapping.probe_port),
        owned=mapping.owned,
        rule=mapping.rule.ref(),
        internet=internet.as_dict(),
        lan=lan.as_dict(),
        shadowed=shadowed,
        outbound=outbound,
        findings=[f.code for f in findings.items[before:] if f.service == mapping.label],
    )


def _pinhole_findings(facts: Facts, findings: Findings, notes: List[str]) -> None:
    """The owned IPv6 pinholes a rule before them drops (the IPv6 filter as read)."""
    if facts.firewall_filter6 is None:
        return
    members = {name: list(found) for name, found in facts.interface_list_members.items()}
    for found in pinhole_findings(facts.firewall_filter6, members, notes, facts.address_lists6):
        findings.add(
            Finding(
                IPV6_PINHOLE_BLOCKED,
                found.service,
                found.message,
                fix="move the pinhole before that rule (a run of the role places it there)",
            )
        )


def _outbound(topology: Topology, rules: Sequence[Rule], findings: Findings, notes: List[str]) -> Dict[str, Any]:
    """LAN clients to the internet: whether the filter lets them out, which address the internet sees."""
    if not topology.lan_subnets:
        return dict(masqueraded=False, address=None, rule=None, client=None)
    client, in_interface = topology.lan_client_for(topology.lan_subnets[0].network_address)
    packet = Packet("tcp", client, topology.internet_client, 443, in_interface)
    flow = run_flow(rules, packet, topology, notes)
    translated = flow.srcnat is not None and flow.srcnat.kind == "nat"
    decision = forward_verdict(topology.filter, flow, topology, notes) if topology.filter is not None else None
    if decision is not None and not decision.passes:
        findings.add(
            Finding(
                FILTER_BLOCKS,
                None,
                "LAN clients cannot reach the internet (tcp port 443 from {0} to {1}): {2}".format(
                    client, topology.internet_client, decision.reason()
                ),
                decision.rule,
            )
        )
    result = dict(
        client=str(client),
        masqueraded=translated and flow.src != client,
        address=str(flow.src),
        rule=flow.srcnat.rule.ref() if translated and flow.srcnat.rule is not None else None,
    )
    if decision is not None:
        # Only a read filter can block the way out; without it the verdict is NAT's alone.
        result.update(reachable=decision.passes, filter=decision.as_dict())
    return result


def _cell(verdict: Mapping[str, Any], lan: bool) -> str:
    if not verdict.get("reachable"):
        return "no: " + str(verdict.get("summary") or verdict.get("reason") or "not forwarded")
    via = str(verdict.get("via"))
    how = "yes"
    if lan and via == "split DNS":
        how = "yes (split DNS: {0})".format(", ".join(verdict.get("names") or []))
    elif lan:
        how = "yes ({0})".format(via)
    kind = verdict.get("sees")
    who = "client" if kind == "client" else ("router" if kind == "router" else "")
    return "{0}, server sees {1} {2}".format(how, who, verdict.get("server_sees")).replace("  ", " ")


def render_table(report: Report) -> str:
    """The report for people: one line per service, then the LAN's way out, then the findings."""
    header = ("SERVICE", "PUBLIC", "SERVER", "FROM THE INTERNET", "FROM THE LAN")
    lines = [
        (s["name"] + "/" + s["protocol"], s["public"], s["target"], _cell(s["internet"], False), _cell(s["lan"], True))
        for s in report.services
    ] + [
        (m["name"] + " (1:1)", m["public"], m["host"], _cell(m["internet"], False), _cell(m["lan"], True))
        for m in report.one_to_one
    ]
    out = []
    if lines:
        widths = [max(len(row[i]) for row in [header, *lines]) for i in range(4)]
        for row in [header, *lines]:
            out.append("  ".join(row[i].ljust(widths[i]) for i in range(4)) + "  " + row[4])
    else:
        out.append("no published services (no dst-nat rule with a protocol and a port)")
    outbound = report.outbound
    if outbound.get("masqueraded"):
        rule = outbound.get("rule") or {}
        comment = " ({0})".format(rule["comment"]) if rule.get("comment") else ""
        how = "masqueraded" if rule.get("action") == "masquerade" else "translated"
        out.append(
            "\nLAN clients to the internet: {0} to {1} by rule #{2}{3}".format(
                how, outbound["address"], rule.get("position"), comment
            )
        )
    elif outbound.get("client"):
        out.append("\nLAN clients to the internet: NOT masqueraded (they leave with {0})".format(outbound["address"]))
    blocked = outbound.get("filter") or {}
    if blocked and not blocked.get("passes"):
        rule = blocked.get("rule") or {}
        comment = " ({0})".format(rule["comment"]) if rule.get("comment") else ""
        out.append("LAN clients to the internet: BLOCKED by filter rule #{0}{1}".format(rule.get("position"), comment))
    for mapping in report.one_to_one:
        way = mapping["outbound"]
        rule = way.get("rule") or {}
        by = " by rule #{0}".format(rule["position"]) if rule else ""
        if way.get("leaves_with_public_address"):
            out.append("{0} (1:1) to the internet: leaves with {1}{2}".format(mapping["name"], way["address"], by))
        else:
            out.append(
                "{0} (1:1) to the internet: leaves with {1}{2}, NOT its public address {3}".format(
                    mapping["name"], way["address"], by, way["public"]
                )
            )
    if report.findings:
        out.append("\nFINDINGS ({0})".format(len(report.findings)))
        for finding in report.findings:
            where = finding.service + ": " if finding.service else ""
            severity = "" if finding.severity == SEVERITY_ERROR else "({0}) ".format(finding.severity)
            out.append("  [{0}] {1}{2}{3}".format(finding.code, severity, where, finding.message))
            if finding.rule is not None:
                out.append("      {0}: {1}".format(finding.rule.label.split(" (")[0], finding.rule.text()))
            if finding.fix:
                out.append("      fix: " + finding.fix)
    else:
        out.append("\nno findings")
    for note in report.notes:
        out.append("note: " + note)
    return "\n".join(out) + "\n"

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The published services of a NAT table: one per ``dst-nat`` rule with a protocol and a public port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import (
    IPv4,
    first_port,
    in_address_spec,
    port_span,
    span_of,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import Rule
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.walk import Flow, chains_under
from ansible_collections.hairpin.routeros.plugins.module_utils.model import KIND_DSTNAT
from ansible_collections.hairpin.routeros.plugins.module_utils.values import first_address


@dataclass(frozen=True)
class Service:
    """A published service: one ``dst-nat`` rule (per protocol) with a public port."""

    name: str
    protocol: str
    port: str
    host: str
    host_ports: Tuple[int, int]
    rule: Rule
    owned: bool

    @property
    def label(self) -> str:
        return "{0}/{1}".format(self.name, self.protocol)

    @property
    def probe_port(self) -> int:
        return first_port(self.port)

    @property
    def host_address(self) -> Optional[IPv4]:
        return first_address(self.host)

    @property
    def target(self) -> str:
        low, high = self.host_ports
        return "{0}:{1}".format(self.host, low if low == high else "{0}-{1}".format(low, high))

    def reached_by(self, flow: Flow) -> bool:
        if flow.to_router or flow.dstnat.kind != "nat":
            return False
        low, high = self.host_ports
        if not low <= flow.dst_port <= high:
            return False
        host = self.host
        if "-" in host:
            return in_address_spec(host, flow.dst)
        return flow.dst == self.host_address


def services_of(rules: Sequence[Rule]) -> List[Service]:
    """Every published service: owned port forwards by their name, foreign dst-nat rules with a
    protocol and public port by their comment (or position). Catch-alls without a port are not
    services of their own; they show up where they take other services' traffic."""
    services = []
    dstnat = chains_under(rules, "dstnat")
    for rule in rules:
        if rule.chain not in dstnat or rule.action != "dst-nat" or not rule.get("to-addresses"):
            continue
        protocol, port = rule.get("protocol"), rule.get("dst-port")
        if protocol not in ("tcp", "udp") or not port or port.startswith("!"):
            continue
        key = rule.owner
        owned = key is not None and key.kind == KIND_DSTNAT
        name = key.name if owned else (rule.get("comment") or "rule-{0}".format(rule.position))
        public_port = first_port(port)
        services.append(
            Service(
                name=name,
                protocol=protocol,
                port=port,
                host=rule.get("to-addresses") or "",
                host_ports=port_span(rule.get("to-ports"), public_port) if rule.get("to-ports") else span_of(port),
                rule=rule,
                owned=owned,
            )
        )
    return services


def public_destination(service: Service, topology: Topology) -> IPv4:
    """The address internet clients use: the rule's own dst-address when it is one of the WAN's
    addresses (a second public address), else the WAN's current address."""
    spec = service.rule.get("dst-address")
    if spec and not spec.startswith("!"):
        address = first_address(spec)
        wan = {a.ip for name, a in topology.addresses if name in topology.wan_interfaces}
        if address in wan and "/" not in spec and "-" not in spec:
            return address
    return topology.wan_address

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The published services of a NAT table: one per ``dst-nat`` rule with a protocol and a public
port, and one per 1:1 mapping (a ``netmap`` dstnat rule from one public address to one host)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import (
    IPv4,
    UnknownMatcherError,
    first_port,
    in_address_spec,
    in_ports,
    port_span,
    span_of,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.rules import Rule
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.walk import Flow, chains_under
from ansible_collections.hairpin.routeros.plugins.module_utils.model import KIND_DSTNAT, KIND_NETMAP_IN
from ansible_collections.hairpin.routeros.plugins.module_utils.values import first_address, ipv4_network


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
    # A 1:1 mapping: every port of the public address goes to the host, ``port`` is the one probed.
    one_to_one: bool = False

    @property
    def label(self) -> str:
        if self.one_to_one:
            return "{0} (1:1)".format(self.name)
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


# Probed on a 1:1 mapping: the first of these ports that no rule of the table names, so the
# verdict is the mapping's own and not that of a port forward on the same address.
_ONE_TO_ONE_PROBES = (443, 8443, 8080, 50443)


def _named(port: int, rules: Sequence[Rule]) -> bool:
    for rule in rules:
        for spec in (rule.get("dst-port"), rule.get("port")):
            try:
                if spec and in_ports(spec.lstrip("!"), port):
                    return True
            except UnknownMatcherError:
                return True
    return False


def _single_address(spec: Optional[str]) -> Optional[IPv4]:
    """The one address of ``spec`` (``A`` or ``A/32``); None for a range, a network or a negation."""
    if not spec or spec.startswith("!") or "-" in spec:
        return None
    network = ipv4_network(spec)
    if network is None or network.num_addresses != 1:
        return None
    return network.network_address


def one_to_one_of(rules: Sequence[Rule]) -> List[Service]:
    """Every 1:1 mapping: a ``netmap`` rule in dstnat from one address (``dst-address``) to one
    host, whatever protocol and port (RouterOS maps the address and keeps the port). Owned ones
    by their name, foreign ones by their comment (or position). Mappings of whole networks are
    left to the rules they are."""
    found = []
    dstnat = chains_under(rules, "dstnat")
    probe = next((port for port in _ONE_TO_ONE_PROBES if not _named(port, rules)), _ONE_TO_ONE_PROBES[0])
    for rule in rules:
        if rule.chain not in dstnat or rule.action != "netmap":
            continue
        if set(rule.values) & {"protocol", "dst-port", "port", "to-ports"}:
            continue
        public, host = _single_address(rule.get("dst-address")), _single_address(rule.get("to-addresses"))
        if public is None or host is None:
            continue
        key = rule.owner
        owned = key is not None and key.kind == KIND_NETMAP_IN
        name = key.name if owned else (rule.get("comment") or "rule-{0}".format(rule.position))
        found.append(
            Service(
                name=name,
                protocol="tcp",
                port=str(probe),
                host=str(host),
                host_ports=(probe, probe),
                rule=rule,
                owned=owned,
                one_to_one=True,
            )
        )
    return found


def public_destination(service: Service, topology: Topology) -> IPv4:
    """The address internet clients use: a 1:1 mapping's public address; the rule's own
    dst-address when it is one of the WAN's addresses (a second public address), else the WAN's
    current address."""
    spec = service.rule.get("dst-address")
    if service.one_to_one:
        return _single_address(spec) or topology.wan_address
    if spec and not spec.startswith("!"):
        address = first_address(spec)
        wan = {a.ip for name, a in topology.addresses if name in topology.wan_interfaces}
        if address in wan and "/" not in spec and "-" not in spec:
            return address
    return topology.wan_address

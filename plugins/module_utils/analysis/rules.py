# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""One rule of a table, the packet a rule is matched against, and matching one rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import (
    IPv4,
    UnknownMatcherError,
    in_address_spec,
    in_ports,
    split_negation,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    effective_value,
    split_comment,
    without_fingerprint,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import ACTION_ADD, Operation
from ansible_collections.hairpin.routeros.plugins.module_utils.render import NAT_MENU, render_operation
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

TABLE_NAT = "nat"
TABLE_FILTER = "filter"
# A client's source port: any ephemeral port; rules rarely match on it.
CLIENT_PORT = 49152

# Properties that are not packet matchers.
_NOT_MATCHERS = frozenset(
    (
        ".id",
        ".nextid",
        ".about",
        "chain",
        "action",
        "to-addresses",
        "to-ports",
        "jump-target",
        "address-list",
        "address-list-timeout",
        "log",
        "log-prefix",
        "comment",
        "disabled",
        "dynamic",
        "invalid",
        "bytes",
        "packets",
        "place-before",
        "copy-from",
        # Filter rules: how fasttrack and reject act, not what they match.
        "hw-offload",
        "reject-with",
        # What nat_info adds to each row.
        "position",
        "owned",
        "owner",
    )
)
# Rule properties left out of the one-line text of a rule.
_TEXT_SKIP = frozenset(
    (".id", ".nextid", ".about", "comment", "dynamic", "invalid", "bytes", "packets", "position", "owned", "owner")
)
_PORT_PROTOCOLS = frozenset(("tcp", "udp", "udp-lite", "sctp", "dccp"))


@dataclass(frozen=True)
class Rule:
    """One row of a table (``nat`` or ``filter``), values normalised by the engine's model
    (``effective_value``); ``position`` counts from 0 in that table."""

    position: int
    values: Mapping[str, str]
    table: str = TABLE_NAT

    @classmethod
    def from_row(cls, position: int, row: Mapping[str, Any], table: str = TABLE_NAT) -> Rule:
        values = {}
        for name, raw in row.items():
            value = effective_value(str(name), raw)
            if value is not None:
                values[str(name)] = value
        return cls(position, values, table)

    def get(self, name: str) -> Optional[str]:
        return self.values.get(name)

    @property
    def chain(self) -> str:
        return self.values.get("chain", "")

    @property
    def action(self) -> str:
        return self.values.get("action", "accept")

    @property
    def active(self) -> bool:
        # RouterOS skips disabled rules and rules that name something missing (invalid).
        return not is_true(self.values.get("disabled")) and not is_true(self.values.get("invalid"))

    @property
    def owner(self):
        return None if is_true(self.values.get("dynamic")) else split_comment(self.values.get("comment"))[0]

    @property
    def label(self) -> str:
        # An owned rule is named as the user wrote it: marker and description, no fingerprint.
        comment = without_fingerprint(self.values.get("comment"))
        kind = "filter rule" if self.table == TABLE_FILTER else "rule"
        return "{0} #{1}".format(kind, self.position) + (" ({0})".format(comment) if comment else "")

    def text(self) -> str:
        """The rule as the CLI would add it (the engine's renderer, so quoting is RouterOS's)."""
        fields = {
            name: value
            for name, value in self.values.items()
            if name not in _TEXT_SKIP
            and not (name in ("disabled", "log") and value == "false")
            and not (name == "log-prefix" and value == "")
        }
        return render_operation(Operation(ACTION_ADD, None, fields=fields))[len(NAT_MENU) + len(" add ") :]

    def ref(self) -> Dict[str, Any]:
        return dict(
            table=self.table,
            position=self.position,
            id=self.values.get(".id"),
            comment=self.values.get("comment"),
            chain=self.chain,
            action=self.action,
            text=self.text(),
        )


@dataclass(frozen=True)
class Packet:
    """A packet of a connection: the first one as NAT sees it (``out_interface`` is None before
    routing), or one the filter sees, with its connection's ``state`` (``new``, ``established``)
    and ``nat_state`` (``dstnat``/``srcnat``: what NAT did to the connection so far)."""

    protocol: str
    src: IPv4
    dst: IPv4
    dst_port: int
    in_interface: Optional[str]
    out_interface: Optional[str] = None
    src_port: int = CLIENT_PORT
    state: str = "new"
    nat_state: FrozenSet[str] = frozenset()

    def routed(self, **changes: Any) -> Packet:
        values = dict(self.__dict__)
        values.update(changes)
        return Packet(**values)


def _address_type(topology: Topology, address: IPv4) -> str:
    if address in topology.own or address.is_loopback:
        return "local"
    if address.is_multicast:
        return "multicast"
    if address == IPv4("255.255.255.255") or any(
        address == a.network.broadcast_address for _n, a in topology.addresses
    ):
        return "broadcast"
    return "unicast"


def _list_holds(topology: Topology, list_name: str, address: IPv4) -> bool:
    entries = topology.facts.address_lists.get(list_name)
    if entries is None:
        raise UnknownMatcherError("address list {0!r} is not in the facts".format(list_name))
    numeric = [entry for entry in entries if entry[:1].isdigit()]
    if not numeric and entries:
        # Only DNS names, none resolved: the router would match their current addresses.
        raise UnknownMatcherError("address list {0!r} holds only DNS names ({1})".format(list_name, ", ".join(entries)))
    return any(in_address_spec(entry, address) for entry in numeric)


def _check(rule: Rule, name: str, value: str, packet: Packet, topology: Topology) -> Optional[str]:
    """None when ``name=value`` holds for ``packet``, else why not (for people)."""
    negated, spec = split_negation(value)

    def verdict(holds: bool, what: str) -> Optional[str]:
        if holds != negated:
            return None
        return "{0}={1}, but {2}".format(name, value, what)

    if name == "protocol":
        return verdict(packet.protocol == spec, "the packet is {0}".format(packet.protocol))
    if name in ("src-address", "dst-address"):
        address = packet.src if name == "src-address" else packet.dst
        side = "comes from" if name == "src-address" else "goes to"
        return verdict(in_address_spec(spec, address), "the packet {0} {1}".format(side, address))
    if name in ("src-address-list", "dst-address-list"):
        address = packet.src if name == "src-address-list" else packet.dst
        return verdict(_list_holds(topology, spec, address), "{0} is not in that list".format(address))
    if name in ("src-address-type", "dst-address-type"):
        address = packet.src if name == "src-address-type" else packet.dst
        kind = _address_type(topology, address)
        return verdict(kind == spec, "{0} is a {1} address".format(address, kind))
    if name in ("dst-port", "src-port", "port"):
        if packet.protocol not in _PORT_PROTOCOLS:
            return "{0}={1}, but {2} has no ports".format(name, value, packet.protocol)
        if name == "dst-port":
            return verdict(in_ports(spec, packet.dst_port), "the packet goes to port {0}".format(packet.dst_port))
        if name == "src-port":
            return verdict(in_ports(spec, packet.src_port), "the packet comes from port {0}".format(packet.src_port))
        holds = in_ports(spec, packet.dst_port) or in_ports(spec, packet.src_port)
        return verdict(holds, "the packet uses ports {0} and {1}".format(packet.src_port, packet.dst_port))
    if name in ("in-interface", "out-interface", "in-interface-list", "out-interface-list"):
        interface = packet.in_interface if name.startswith("in-") else packet.out_interface
        if interface is None:
            if name.startswith("out-"):
                return "{0}={1}, but the packet is not routed yet in {2}".format(name, value, rule.chain or "dstnat")
            return "{0}={1}, but the router itself sends the packet".format(name, value)
        way = "arrives on" if name.startswith("in-") else "leaves through"
        if name.endswith("-list"):
            members = topology.members(spec)
            if members is None:
                raise UnknownMatcherError("the members of interface list {0!r} are not in the facts".format(spec))
            return verdict(interface in members, "the packet {0} {1}, which is not in that list".format(way, interface))
        return verdict(interface == spec, "the packet {0} {1}".format(way, interface))
    if name == "connection-state":
        states = frozenset(spec.split(","))
        return verdict(packet.state in states, "the connection is {0}".format(packet.state))
    if name == "connection-nat-state":
        states = frozenset(spec.split(","))
        done = ",".join(sorted(packet.nat_state)) or "not translated"
        return verdict(bool(states & packet.nat_state), "the connection is {0}".format(done))
    if name == "ipsec-policy":
        # No IPsec policy applies to the analysed traffic: "none" holds, "ipsec" does not.
        return None if spec.endswith(",none") else "ipsec-policy={0}, but no IPsec policy applies".format(value)
    raise UnknownMatcherError("{0}={1} is not analysed".format(name, value))


def mismatches(rule: Rule, packet: Packet, topology: Topology) -> Tuple[List[str], List[str]]:
    """(why the rule does not match the packet, matchers that could not be evaluated)."""
    reasons, unknown = [], []
    for name, value in rule.values.items():
        if name in _NOT_MATCHERS:
            continue
        try:
            reason = _check(rule, name, value, packet, topology)
        except UnknownMatcherError as exc:
            unknown.append(str(exc))
            continue
        if reason is not None:
            reasons.append(reason)
    return reasons, unknown

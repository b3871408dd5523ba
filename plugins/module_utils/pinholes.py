# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Owned IPv6 pinholes for published services (``hairpin:filter6:<service>:<protocol>``).

Pure: no I/O. IPv6 has no NAT: a LAN server with a global address is reached at that address,
and what keeps the internet out is the ``/ipv6 firewall filter`` forward chain (defconf: "drop
everything else not coming from LAN"). A service's pinhole is an accept in chain forward for its
protocol, the port the server listens on (``host_port`` when it has one: nothing translates the
port), its IPv6 address and the IPv6 uplink, placed just before the first rule that drops new
connections from the WAN to it (``analysis.ipv6.first_drop``, asked of the filter without the
owned pinholes); with no such rule, at the bottom of chain forward. Established and related
packets are accepted earlier by defconf, so the pinhole needs no connection-state.

The rules are planned by the same planner as NAT rules (``plan.plan_changes`` with
``menus.FILTER6_TABLE``): ownership marker, fingerprint, drift, placement, removal.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.firewall import FORWARD
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.ipv6 import Packet6, first_drop
from ansible_collections.hairpin.routeros.plugins.module_utils.menus import FILTER6_TABLE
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOTTOM,
    KIND_FILTER6,
    POSITION_BEFORE,
    Anchor,
    NatRule,
    RuleKey,
    make_rule,
    parse_marker,
    protocols_of,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.operations import is_dynamic, row_id
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import ValidationError

SCOPE = frozenset((KIND_FILTER6,))
# Global unicast IPv6 (RFC 4291 2.4): what a server reachable from the internet has.
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def host6_problem(value: Any) -> Optional[str]:
    """Why ``value`` cannot be a server's IPv6 address for a pinhole, or None."""
    text = str(value).strip()
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return "%r is not an IPv6 address (e.g. 3fff:0:0:88::10)" % text
    if address not in _GLOBAL_UNICAST:
        return "%s is not a global unicast IPv6 address (2000::/3): the internet cannot reach it" % text
    return None


@dataclass(frozen=True)
class Pinhole:
    """What one service asks of the IPv6 filter: new connections of ``protocol`` (tcp, udp or
    both) to ``host6`` port ``port`` (N or N-M: the port the server listens on), arriving on
    ``in_interface`` or on a member of ``in_interface_list`` (the IPv6 uplink)."""

    name: str
    protocol: str
    host6: str
    port: str
    in_interface: Optional[str] = None
    in_interface_list: Optional[str] = None
    disabled: bool = False
    comment: Optional[str] = None


def no_ipv6_problems(pinholes: Sequence["Pinhole"], host: Optional[str] = None) -> List[ValidationError]:
    """The pinholes a router without IPv6 cannot have (RouterOS 6 with its ipv6 package disabled:
    no /ipv6 menu at all), a problem each, before anything is written."""
    return [
        ValidationError(
            name,
            "host6",
            "the router has no IPv6 (no /ipv6 menu: RouterOS 6 with the ipv6 package disabled); enable "
            "the package (/system package enable ipv6, then reboot) or publish this service without host6",
            host,
        )
        for name in sorted({pinhole.name for pinhole in pinholes})
    ]


@dataclass(frozen=True)
class PinholeRule:
    """A pinhole's accept for one protocol, placed at ``anchor``."""

    pinhole: Pinhole
    protocol: str
    anchor: Anchor = BOTTOM

    def rules(self) -> List[NatRule]:
        pinhole = self.pinhole
        values: Dict[str, object] = {
            "chain": FORWARD,
            "action": "accept",
            "protocol": self.protocol,
            "dst-address": pinhole.host6,
            "dst-port": pinhole.port,
            "in-interface": pinhole.in_interface,
            "in-interface-list": pinhole.in_interface_list,
            "disabled": pinhole.disabled,
        }
        key = RuleKey(KIND_FILTER6, pinhole.name, self.protocol)
        return [make_rule(key, values, self.anchor, pinhole.comment, pinhole.protocol, FILTER6_TABLE.fields)]


def owned_pinhole(row: Mapping[str, Any]) -> bool:
    """Is ``row`` (an IPv6 filter row as printed) one of the owned pinholes?"""
    key = parse_marker(row.get("comment"))
    return key is not None and key.kind == KIND_FILTER6 and not is_dynamic(row)


def _packet(pinhole: Pinhole, protocol: str, members: Mapping[str, Sequence[str]]) -> Packet6:
    interface = pinhole.in_interface
    if interface is None and pinhole.in_interface_list is not None:
        listed = sorted(members.get(pinhole.in_interface_list, ()))
        interface = listed[0] if listed else None
    first_port = int(str(pinhole.port).split("-", 1)[0])
    return Packet6(protocol, ipaddress.IPv6Address(pinhole.host6), first_port, interface)


def pinholes_wanted(
    pinholes: Sequence[Pinhole],
    rows: Sequence[Mapping[str, Any]],
    members: Mapping[str, Sequence[str]],
    lists: Optional[Mapping[str, Sequence[str]]] = None,
) -> List[PinholeRule]:
    """The owned pinhole rules for ``pinholes`` on a router whose IPv6 filter is ``rows`` (as
    read; ``members``: interface list -> interfaces; ``lists``: its IPv6 address lists): one per
    protocol, each just before the rule that would drop it (the owned pinholes left out of that
    reading), else at the bottom."""
    foreign = [dict(row) for row in rows if not owned_pinhole(row)]
    out = []
    for pinhole in pinholes:
        for protocol in protocols_of(pinhole.protocol):
            drop = first_drop(foreign, _packet(pinhole, protocol, members), members, lists)
            anchor = BOTTOM if drop is None else Anchor(POSITION_BEFORE, row=row_id(drop))
            out.append(PinholeRule(pinhole, protocol, anchor))
    return out

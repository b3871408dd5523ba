# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The ordered (first-match) menus the engine owns rules in, described as data.

The planner (``plan``, ``placement``), the renderer (``render``), the API writer (``writes``)
and the revert (``safe_apply``) take one of these instead of knowing ``/ip/firewall/nat``: a
further ordered menu (``/ipv6/firewall/filter``, ``/ip/firewall/mangle``) is one more value
here, with its field table and the marker kinds that live in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, Mapping, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    FILTER6_FIELDS,
    FILTER_FIELDS,
    KIND_DSTNAT,
    KIND_FILTER,
    KIND_FILTER6,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    MANGLE_FIELDS,
    MARKER_PREFIX,
    NAT_FIELDS,
    NETMAP_KINDS,
    REPLY_KINDS,
    FieldInfo,
)


@dataclass(frozen=True)
class OrderedMenu:
    """One ordered RouterOS menu of rules: where it is (API ``path``, console ``cli``), the
    properties the engine writes and compares there (``fields``, in the order lines show
    them), the marker kinds whose rules live in it, the comment prefix every owned rule of it
    starts with (what its revert removes), and what messages call it."""

    path: str
    cli: str
    fields: Mapping[str, FieldInfo]
    kinds: FrozenSet[str]
    prefix: str
    label: str

    @property
    def order(self) -> Tuple[str, ...]:
        return tuple(self.fields)


NAT_TABLE = OrderedMenu(
    "/ip/firewall/nat",
    "/ip firewall nat",
    NAT_FIELDS,
    frozenset((KIND_DSTNAT, KIND_HAIRPIN, KIND_MASQUERADE, KIND_HAIRPIN_SUBNET, *NETMAP_KINDS)),
    MARKER_PREFIX,
    "NAT table",
)

FILTER_TABLE = OrderedMenu(
    "/ip/firewall/filter",
    "/ip firewall filter",
    FILTER_FIELDS,
    frozenset((KIND_FILTER,)),
    MARKER_PREFIX + KIND_FILTER + ":",
    "firewall filter",
)

FILTER6_TABLE = OrderedMenu(
    "/ipv6/firewall/filter",
    "/ipv6 firewall filter",
    FILTER6_FIELDS,
    frozenset((KIND_FILTER6,)),
    MARKER_PREFIX + KIND_FILTER6 + ":",
    "IPv6 firewall filter",
)

# The reply routing of several WANs: every owned mangle rule's marker starts "hairpin:reply-".
MANGLE_TABLE = OrderedMenu(
    "/ip/firewall/mangle",
    "/ip firewall mangle",
    MANGLE_FIELDS,
    frozenset(REPLY_KINDS),
    MARKER_PREFIX + "reply-",
    "firewall mangle",
)

ORDERED_MENUS: Tuple[OrderedMenu, ...] = (NAT_TABLE, FILTER_TABLE, FILTER6_TABLE, MANGLE_TABLE)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Reply routing of a router with several WANs: the standard RouterOS recipe for port forwarding
on several uplinks, owned.

Pure: no I/O. A connection that comes in on a WAN whose gateway is not the main table's default
route gets its replies routed back out of that WAN:

* ``/ip firewall mangle``: new connections from the WAN get a connection mark
  (``hairpin:reply-mark:<wan>``); packets of such connections from the LAN (the host's replies)
  and from the router itself get the routing mark of the WAN's table (``hairpin:reply-route`` and
  ``hairpin:reply-output``);
* ``/routing table``: the WAN's table (``hairpin:routing-table:<table>``, RouterOS 7), with
* ``/ip route``: its default route through the WAN's gateway (``hairpin:route:<wan>``).

The mangle rules are planned like the NAT rules (``menus.MANGLE_TABLE``), the table and the route
as entries (``read.ROUTING_TABLES``, ``read.ROUTES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

from ansible_collections.hairpin.routeros.plugins.module_utils.menus import MANGLE_TABLE
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_REPLY_MARK,
    KIND_REPLY_OUTPUT,
    KIND_REPLY_ROUTE,
    REPLY_KINDS,
    TOP,
    NatRule,
    RuleKey,
    make_rule,
)

SCOPE = frozenset(REPLY_KINDS)


def connection_mark(wan: str) -> str:
    """The connection mark of the connections that came in on ``wan``."""
    return "{0}-conn".format(wan)


def routing_table(wan: str) -> str:
    """The routing table (and routing mark) of the replies that leave by ``wan``."""
    return "to-{0}".format(wan)


@dataclass(frozen=True)
class WanReply:
    """The mangle rules that send the replies of ``wan``'s inbound connections back out of it:
    mark each new connection from it, then route its packets from the LAN (``lan_interface`` or
    ``lan_interface_list``) and from the router by the WAN's table. The mark-routing rules end
    the chain for their packets (passthrough=no); the connection mark lets them go on."""

    wan: str
    lan_interface: Optional[str] = None
    lan_interface_list: Optional[str] = None

    @property
    def table(self) -> str:
        return routing_table(self.wan)

    def rules(self) -> List[NatRule]:
        mark = connection_mark(self.wan)
        new_connections: Dict[str, object] = {
            "chain": "prerouting",
            "action": "mark-connection",
            "connection-state": "new",
            "in-interface": self.wan,
            "new-connection-mark": mark,
            "passthrough": True,
        }
        from_lan: Dict[str, object] = {
            "chain": "prerouting",
            "action": "mark-routing",
            "connection-mark": mark,
            "in-interface": self.lan_interface,
            "in-interface-list": self.lan_interface_list,
            "new-routing-mark": self.table,
            "passthrough": False,
        }
        from_router: Dict[str, object] = {
            "chain": "output",
            "action": "mark-routing",
            "connection-mark": mark,
            "new-routing-mark": self.table,
            "passthrough": False,
        }
        fields = MANGLE_TABLE.fields
        return [
            make_rule(RuleKey(KIND_REPLY_MARK, self.wan), new_connections, TOP, None, table=fields),
            make_rule(RuleKey(KIND_REPLY_ROUTE, self.wan), from_lan, TOP, None, table=fields),
            make_rule(RuleKey(KIND_REPLY_OUTPUT, self.wan), from_router, TOP, None, table=fields),
        ]

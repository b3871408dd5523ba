# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Reading a live router for the analysis. The only part of the analyzer that talks to a router."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.readers import facts_from_view
from ansible_collections.hairpin.routeros.plugins.module_utils.api import Command
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import ADDRESS_LISTS, DNS_ENTRIES, read_router


@dataclass(frozen=True)
class _ExtraRead:
    """A menu read in the router read's batch (what read_router needs of an entry section)."""

    option: str
    read: Command


# The whole filter, in table order: positions and every matcher are what the verdicts rest on.
FILTER_READ = _ExtraRead("firewall_filter", Command("/ip/firewall/filter/print", {}))
# Which clients each service accepts (its address= list), beside the ports the router read takes.
SERVICE_ADDRESS_READ = _ExtraRead("ip_services", Command("/ip/service/print", {".proplist": "name,address,disabled"}))


def read_live(router: Any) -> Tuple[List[Dict[str, Any]], Facts]:
    """(NAT rows, router-side Facts) of a connected ``api.Router``, in one round trip."""
    view = read_router(router, entries=[ADDRESS_LISTS, FILTER_READ, SERVICE_ADDRESS_READ, DNS_ENTRIES])
    return list(view.nat), facts_from_view(view)

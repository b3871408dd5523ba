# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Reading a live router for the analysis. The only part of the analyzer that talks to a router."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.readers import facts_from_view
from ansible_collections.hairpin.routeros.plugins.module_utils.read import (
    ADDRESS_LISTS,
    DNS_ENTRIES,
    ROUTES,
    read_router,
)


def read_live(connection: Any) -> Tuple[List[Dict[str, Any]], Facts]:
    """(NAT rows, router-side Facts) of a connected ``api.Connection``, in one round trip."""
    view = read_router(
        connection, entries=[ADDRESS_LISTS, DNS_ENTRIES, ROUTES], firewall=True, ipv6_firewall=True, mangle=True
    )
    return list(view.nat), facts_from_view(view)

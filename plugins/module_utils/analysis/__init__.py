# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Reachability analysis of a RouterOS NAT table: who reaches each published service, and why not.

The analysis is a packet walk, not a pattern search. For every published service (a ``dst-nat``
rule, or a 1:1 mapping: a ``netmap`` rule from one public address to one host) it builds the
first packet of a connection -- from an internet client to the WAN's address, and from a LAN
client in the server's subnet to the same address -- and runs it through ``dstnat`` (first match
wins, ``jump``/``return``/``passthrough`` followed), routes it by the router's addresses, runs
it through ``srcnat``, and decides from where the reply will go whether the connection works and
which source address the server sees. A connection through the router then meets the firewall
filter's forward chain (when the facts hold the filter), both its first packet and the server's
replies. Findings come from the same walk: the rule that took the packet first, the hairpin rule
that did not match and why, the filter rule that drops it.

``analyze(rows, facts)`` is pure (NAT rows as RouterOS prints them + :class:`Facts`); the
readers turn a live router, an ``/export`` or ``nat_info`` output into those inputs.
Run as a program for CI pipelines::

    PYTHONPATH=<collections dir> python -m \\
        ansible_collections.hairpin.routeros.plugins.module_utils.analyze --rsc export.rsc --help

The package, by job: ``facts`` (the inputs besides the table), ``topology`` (the facts resolved),
``rules`` (one rule, one packet, matching), ``walk`` (running chains, a connection's first
packet), ``published`` (the services of a table), ``verdicts`` and ``findings``, ``report``
(:func:`analyze` and the table for people), ``readers`` (``.rsc`` and router views), ``live``
(the one module that talks to a router) and ``cli``; ``firewall`` runs the filter's forward chain
for the connections the NAT walk routes through the router. ``addressing`` is the one place that
parses addresses and ports.
"""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import AnalyzeError
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.cli import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    main,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import DEFAULT_ROUTER_SERVICES, Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.findings import (
    CAPTURES_OUTBOUND,
    CAPTURES_ROUTER_SERVICE,
    FILTER_BLOCKS,
    FINDING_CODES,
    HAIRPIN_MISMATCH,
    HAIRPIN_SHADOWED,
    MISSING_HAIRPIN,
    NO_MASQUERADE,
    NOT_MATCHED,
    ONE_TO_ONE_OUTBOUND,
    PUBLIC_ADDRESS_MISMATCH,
    SEVERITY_ERROR,
    SEVERITY_WARNING,
    SHADOWED,
    SPLIT_DNS_PORT,
    Finding,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.live import read_live
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.readers import (
    facts_from_rsc,
    facts_from_view,
    rows_from_rsc,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.report import (
    Report,
    analyze,
    has_errors,
    render_table,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.topology import Topology, resolve

__all__ = [
    "CAPTURES_OUTBOUND",
    "CAPTURES_ROUTER_SERVICE",
    "DEFAULT_ROUTER_SERVICES",
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "FILTER_BLOCKS",
    "FINDING_CODES",
    "HAIRPIN_MISMATCH",
    "HAIRPIN_SHADOWED",
    "MISSING_HAIRPIN",
    "NOT_MATCHED",
    "NO_MASQUERADE",
    "ONE_TO_ONE_OUTBOUND",
    "PUBLIC_ADDRESS_MISMATCH",
    "SEVERITY_ERROR",
    "SEVERITY_WARNING",
    "SHADOWED",
    "SPLIT_DNS_PORT",
    "AnalyzeError",
    "Facts",
    "Finding",
    "Report",
    "Topology",
    "analyze",
    "facts_from_rsc",
    "facts_from_view",
    "has_errors",
    "main",
    "read_live",
    "render_table",
    "resolve",
    "rows_from_rsc",
]

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The reachability analyzer's entry point: the API of the ``analysis`` package, and its command
line for CI pipelines (``python -m ansible_collections.hairpin.routeros.plugins.module_utils.analyze``,
the name the README and existing pipelines use)."""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis import (
    CAPTURES_OUTBOUND,
    CAPTURES_ROUTER_SERVICE,
    DEFAULT_ROUTER_SERVICES,
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    FILTER_BLOCKS,
    FINDING_CODES,
    HAIRPIN_MISMATCH,
    HAIRPIN_SHADOWED,
    MISSING_HAIRPIN,
    NO_MASQUERADE,
    NOT_MATCHED,
    PUBLIC_ADDRESS_MISMATCH,
    SEVERITY_ERROR,
    SEVERITY_WARNING,
    SHADOWED,
    SPLIT_DNS_PORT,
    AnalyzeError,
    Facts,
    Finding,
    Report,
    Topology,
    analyze,
    facts_from_rsc,
    facts_from_view,
    has_errors,
    main,
    read_live,
    render_table,
    resolve,
    rows_from_rsc,
)

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

if __name__ == "__main__":
    raise SystemExit(main())

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""The analyzer's command line, for CI pipelines."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.addressing import AnalyzeError
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.facts import Facts
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.live import read_live
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.readers import facts_from_rsc, rows_from_rsc
from ansible_collections.hairpin.routeros.plugins.module_utils.analysis.report import analyze, has_errors, render_table
from ansible_collections.hairpin.routeros.plugins.module_utils.api import RouterError, connect
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import RscParseError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_FINDINGS = 2


def _argument_parser():
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m ansible_collections.hairpin.routeros.plugins.module_utils.analyze",
        description="Who reaches each service published on a RouterOS router (from the internet, from the "
        "LAN), which address the server sees, and what in the NAT table is wrong.",
        epilog="Exit status: 0 analysed, 1 bad input or no connection, 2 error findings with --fail-on-findings "
        "(warnings do not fail).",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--rsc", metavar="FILE", help="an /export of the router (- for stdin)")
    source.add_argument(
        "--rules",
        metavar="FILE",
        help="JSON: the NAT rows in table order (a list), or nat_info's result (rules and facts)",
    )
    source.add_argument("--host", help="read the router live over its API (password from $HAIRPIN_API_PASSWORD)")
    parser.add_argument(
        "--facts", metavar="FILE", help="JSON: router facts (the keys of the module's facts option) over the source's"
    )
    parser.add_argument("--port", type=int, help="API port (default 8729 with TLS, 8728 without)")
    parser.add_argument("--username", default=os.environ.get("HAIRPIN_API_USERNAME", "admin"), help="API user")
    parser.add_argument("--ca-path", help="CA certificate (PEM) of the router's API-SSL certificate")
    parser.add_argument("--no-tls", action="store_true", help="plain API (the password travels in clear text)")
    parser.add_argument("--no-validate-certs", action="store_true", help="accept any certificate")
    parser.add_argument("--wan-interface")
    parser.add_argument("--wan-interface-list")
    parser.add_argument("--lan-interface")
    parser.add_argument("--lan-interface-list")
    parser.add_argument("--lan-subnet", action="append", dest="lan_subnets", metavar="SUBNET")
    parser.add_argument("--public-address", help="the address you publish (checked against the WAN's)")
    parser.add_argument("--internet-client", help="probe address of the internet client")
    parser.add_argument("--lan-client", help="probe address of the LAN client")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--fail-on-findings", action="store_true", help="exit 2 when there is a finding of severity error"
    )
    return parser


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _load(args: Any) -> Tuple[List[Dict[str, Any]], Facts]:
    if args.rsc:
        text = _read_text(args.rsc)
        return rows_from_rsc(text), facts_from_rsc(text)
    if args.rules:
        data = json.loads(_read_text(args.rules))
        if isinstance(data, Mapping):
            return list(data.get("rules") or []), Facts.from_dict(data.get("facts") or {})
        return list(data), Facts()
    params = dict(
        hostname=args.host,
        port=args.port,
        username=args.username,
        password=os.environ.get("HAIRPIN_API_PASSWORD", ""),
        tls=not args.no_tls,
        validate_certs=not args.no_validate_certs,
        ca_path=args.ca_path,
        timeout=10,
    )
    with connect(params) as topology:
        return read_live(topology)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _argument_parser().parse_args(argv)
    try:
        rows, facts = _load(args)
        if args.facts:
            facts = facts.merged(json.loads(_read_text(args.facts)))
        facts.update({name: getattr(args, name, None) for name in Facts.USER_FIELDS})
        report = analyze(rows, facts)
    except (AnalyzeError, RscParseError, RouterError, OSError, ValueError) as exc:
        sys.stderr.write("hairpin analyze: {0}\n".format(exc))
        return EXIT_ERROR
    if args.format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_table(report))
    return EXIT_FINDINGS if args.fail_on_findings and has_errors(report) else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())

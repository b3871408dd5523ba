#!/usr/bin/env python3
"""Render the README's "What we guarantee" section from the figures the reliability suite measured.

tests/reliability records what it tried and what held in build/reliability/guarantees.json; this
script turns that into Markdown between the README markers below. Nothing in the section is
written by hand: the suite's last test fails when the README and its own measurements differ.

    scripts/guarantees.py                 print the section
    scripts/guarantees.py --check         exit 1 when README.md differs from the figures
    scripts/guarantees.py --write         rewrite the section in README.md

Regenerate after a change: HAIRPIN_GUARANTEES_WRITE=1 .venv/bin/python -m pytest tests/reliability -q
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
FIGURES_JSON = REPO / "build" / "reliability" / "guarantees.json"
START = "<!-- guarantees:start -->"
END = "<!-- guarantees:end -->"
REGENERATE = "HAIRPIN_GUARANTEES_WRITE=1 .venv/bin/python -m pytest tests/reliability -q"
# The volume of output scanned changes a little from run to run (ports, temporary paths,
# timings in Ansible's output): it is shown rounded, and checked within this relative tolerance.
APPROXIMATE = re.compile(r"about ([0-9][0-9,]*) kB")
TOLERANCE = 0.25

Case = Mapping[str, Any]


def _count(cases: Sequence[Case], **match: Any) -> int:
    return sum(1 for case in cases if all(case.get(key) == value for key, value in match.items()))


def _kilobytes(count: int) -> str:
    """`count` bytes in kB, to two significant figures."""
    kb = count / 1000
    if kb < 10:
        return str(max(1, round(kb)))
    digits = len(str(int(kb))) - 2
    return f"{round(kb, -digits):,.0f}"


def _mark(ok: Any) -> str:
    return "held" if ok else "**failed**"


def _details(summary: str, lines: Sequence[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *lines, "", "</details>", ""]


def render(figures: Mapping[str, Any]) -> str:
    """The section, markers included, from the suite's figures."""
    sections: Mapping[str, Sequence[Case]] = figures["sections"]
    faults, fleet, races = sections["faults"], sections["fleet"], sections["concurrency"]
    safe = sections.get("safe_apply", [])
    cuts = [case for case in safe if case["fault"] != "none"]
    confirmed = [case for case in safe if case["fault"] == "none" and case.get("writes")]
    no_ops = [case for case in safe if case["fault"] == "none" and not case.get("writes")]
    inputs, tls, scans = sections["bad_input"], sections["tls"], sections["secrets"]

    rejected = [case for case in inputs if case["expected"] == "rejected"]
    verbatim = [case for case in inputs if case["expected"] == "stored verbatim"]
    known_bugs = [case for case in inputs if case.get("known_bug")]
    refused = [case for case in tls if case["expected"] == "refused"]
    connected = [case for case in tls if case["expected"] == "connected"]
    scanned = sum(run["bytes"] + run.get("returned_bytes", 0) for run in scans)
    forms = max((run["forms"] for run in scans), default=0)
    secrets = max((run["secrets"] for run in scans), default=0)
    found = sum(run["found"] for run in scans)
    failures_tried = max((run["failures_tried"] for run in scans), default=0)
    races_held = _count(races, ok=True)

    rows = [
        (
            "A converge cut short anywhere converges on the next run: no duplicate, the wanted table, "
            "every foreign rule unchanged and in place",
            f"{len(faults)} fault points",
            f"{_count(faults, survived=True)} survived",
        ),
        (
            "With `confirm` (the default), a run cut short after any of its writes or before its confirm is "
            "undone by the router once `confirm_timeout` has passed: the NAT table, address lists and static "
            "DNS entries back exactly (every field, in order; foreign items keep their `.id`), nothing of the "
            "revert left, and the next run converges; a confirmed change stays past the timeout. Round trips "
            "after login: " + ", ".join(f"{case['round_trips']} for {case['where']}" for case in confirmed + no_ops),
            f"{len(cuts)} cut points, {len(confirmed)} confirmed run" + ("s" if len(confirmed) != 1 else ""),
            f"{_count(cuts, survived=True)} undone exactly, {_count(confirmed, survived=True)} kept",
        ),
        (
            "In a fleet, a router that stalls past the timeout fails alone and one that has vanished is "
            "unreachable alone, each with a message naming it; the others converge",
            f"{len(fleet)} hosts",
            f"{_count(fleet, outcome='converged')} converged, "
            f"{len([h for h in fleet if h['outcome'] != 'converged' and h['ok']])} stopped alone",
        ),
        (
            "Two runs against one router at once end with one copy of each rule and the wanted table",
            f"{len(races)} races",
            f"{races_held} held: {sum(r.get('copies_removed', 0) for r in races)} copies the race added were "
            f"removed, {sum(r.get('duplicates_left', 0) for r in races)} left",
        ),
        (
            "Hostile or malformed inventory is rejected before any write, with a message naming the field; "
            "valid text is stored and read back verbatim",
            f"{len(inputs)} inputs",
            f"{_count(rejected, outcome='rejected', ok=True)} rejected, "
            f"{_count(verbatim, outcome='stored verbatim', ok=True)} stored verbatim"
            + (f", {len(known_bugs)} known bug" + ("s" if len(known_bugs) != 1 else "") if known_bugs else ""),
        ),
        (
            "TLS is verified by default and fails closed before the password is sent; plaintext and "
            "unverified connections need an explicit option and warn",
            f"{len(tls)} cases",
            f"{_count(refused, outcome='refused', ok=True)} refused, "
            f"{_count(connected, outcome='connected', ok=True)} connected as configured",
        ),
        (
            "The API password never appears in output: -vvv, --diff, --check, returned data, error messages",
            f"{len(scans)} runs, about {_kilobytes(scanned)} kB",
            f"found {found} times",
        ),
    ]

    lines = [
        START,
        "## What we guarantee",
        "",
        "Every figure here is measured, not written: `tests/reliability` (part of `make test`) tries each",
        "promise against the simulator with real `ansible-playbook` runs, records what happened in",
        "`build/reliability/guarantees.json`, and fails when this section differs from it.",
        "`scripts/guarantees.py` writes the section; regenerate it with",
        f"`{REGENERATE}`.",
        "",
        "| promise | tried | held |",
        "|---|---|---|",
        *[f"| {promise} | {tried} | {held} |" for promise, tried, held in rows],
        "",
        "How:",
        "",
        "- **Faults.** The converge adds, changes, moves and removes rules on a router with foreign rules. "
        "The simulator drops the connection after each of its writes in turn and before the first, middle "
        "and last, answers the middle write with `!trap`, or stalls on it past the timeout; the failed run "
        "says what happened and to run again, and the next run converges.",
        "- **Safe apply.** Before the first write, in the same batch, the run adds a one-shot `/system "
        "scheduler` entry and the `/system script` it runs (both `hairpin-revert-...`, comment "
        "`hairpin:revert`), due `confirm_timeout` seconds after the router's clock as the run read it. The "
        "script removes every static row of a changed menu whose comment starts with the owned marker and "
        "adds back the rows as read, each before the foreign row that followed it. A new connection reads "
        "the router again and, when it is as planned, removes both; otherwise the run fails and names the "
        "router time of the revert. The suite cuts the connection after each write of the arm and of the "
        "change and before the confirm, then moves the simulator's clock past the timeout. A run that would "
        "write while an earlier revert is still armed refuses; two runs at once on one router need "
        "`confirm: false` (each one's revert would undo the other).",
        "- **Two runs at once.** A run that adds rules reads the table's order back in the same round trip "
        "as its writes. When that is not what it planned (another run added the same rules, or moved rules "
        "between its adds), it reads the table, removes every copy of a rule but the one with the lowest "
        "`.id` (ids only grow, so both runs keep the same copy), plans again and sends the difference, until "
        "nothing is left to do (at most 3 passes, one round trip each, only then); a rule the other run "
        "already removed counts as removed. The run that finishes last reads a table nobody else is "
        "changing. The suite makes the race happen every time: a proxy holds each run's writes until both "
        "runs have read.",
        "- **Bad input** is checked before connecting where it can be, and against the router's interfaces, "
        "lists and services before any write; values go to the router as API words, never through a CLI "
        "string, and the CLI shown by `--diff` quotes them (replayed as a script, it gives the same text).",
        "- **TLS** uses the system's CAs or `ca_path`, with the hostname checked; the message names the "
        "problem (another CA, wrong name, expired, not valid yet, a plaintext port).",
        f"- **Secrets.** Each run succeeds and fails in {failures_tried} ways (bad input, wrong password, "
        "untrusted certificate, vanished, stalled and dropped router); stdout, stderr and the returned data "
        f"are searched for the password and a wrong password tried, {secrets} secrets in {forms} forms "
        "(as is, JSON- and Python-escaped, URL-encoded, base64); a canary printed on purpose must be found. "
        "Keep the password in a variable (vault): Ansible prints playbook lines around a failed task.",
        "- **Simulator robustness** is covered by the protocol fuzz test (`sim/tests/test_fuzz.py`).",
        "",
        *_details(
            f"Fault points ({len(faults)}) and fleet hosts ({len(fleet)})",
            [f"- {case['where']} (`{case['fault']}`): {_mark(case['survived'])}" for case in faults]
            + [f"- fleet host {case['host']}, {case['role']}: {case['outcome']}" for case in fleet],
        ),
        *_details(
            f"Safe apply ({len(safe)})",
            [f"- {case['where']} (`{case['fault']}`): {_mark(case['survived'])}" for case in safe],
        ),
        *_details(
            f"Races ({len(races)})",
            [
                f"- {race['scenario']}: {race['adds_sent']} adds sent for {race['rules_added']} rules, "
                f"{race['copies_removed']} copies removed, {race['duplicates_left']} left: {_mark(race['ok'])}"
                for race in races
            ],
        ),
        *_details(
            f"Inputs ({len(inputs)})",
            [_input_line(case) for case in inputs],
        ),
        *_details(f"TLS cases ({len(tls)})", [f"- {case['case']}: {_mark(case['ok'])}" for case in tls]),
        *_details(
            f"Secret scans ({len(scans)} runs)",
            [f"- {run['run']}: found {run['found']} times" for run in scans],
        ),
        END,
    ]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Case names as Markdown text (they quote hostile input: backslashes, quotes, brackets)."""
    return re.sub(r"([\\`*\[\]<>|])", r"\\\1", text)


def _input_line(case: Case) -> str:
    what = _escape(case["case"])
    if case.get("known_bug"):
        return f"- {what}: known bug, {_escape(case['known_bug'])}"
    if case["expected"] == "rejected":
        outcome = f"rejected, naming `{case['field']}`" if case["ok"] else f"**{case['outcome']}**"
    else:
        outcome = "stored and read back verbatim" if case["ok"] else f"**{case['outcome']}**"
    return f"- {what}: {outcome}"


def section_of(readme: str) -> str | None:
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        return None
    return readme[start : end + len(END)] + "\n"


def compare(readme: str, figures: Mapping[str, Any]) -> str | None:
    """None when the README's section shows the figures; else what differs."""
    current = section_of(readme)
    if current is None:
        return f"README.md has no {START} ... {END} section"
    wanted = render(figures)
    if APPROXIMATE.sub("about N kB", current) != APPROXIMATE.sub("about N kB", wanted):
        return "the section differs from the figures:\n" + _diff(current, wanted)
    for shown, measured in zip(APPROXIMATE.findall(current), APPROXIMATE.findall(wanted)):
        shown_kb, measured_kb = int(shown.replace(",", "")), int(measured.replace(",", ""))
        if abs(shown_kb - measured_kb) > TOLERANCE * measured_kb:
            return f"the section shows about {shown} kB scanned, the suite scanned about {measured} kB"
    return None


def _diff(current: str, wanted: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), "README.md", "measured"))


def write(readme_path: Path, figures: Mapping[str, Any]) -> None:
    readme = readme_path.read_text(encoding="utf-8")
    section = render(figures)
    current = section_of(readme)
    if current is not None:
        readme = readme.replace(current, section, 1)
    elif "\n## Development" in readme:
        readme = readme.replace("\n## Development", "\n" + section + "\n## Development", 1)
    else:
        readme = readme.rstrip("\n") + "\n\n" + section
    readme_path.write_text(readme, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--figures", type=Path, default=FIGURES_JSON, help="the suite's JSON (default: %(default)s)")
    parser.add_argument("--readme", type=Path, default=README)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="exit 1 when the README differs from the figures")
    action.add_argument("--write", action="store_true", help="rewrite the README section")
    args = parser.parse_args(argv)
    try:
        figures = json.loads(args.figures.read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"{args.figures}: no figures; run the suite first: {REGENERATE}", file=sys.stderr)
        return 2
    if args.write:
        write(args.readme, figures)
        return 0
    if args.check:
        problem = compare(args.readme.read_text(encoding="utf-8"), figures)
        if problem:
            print(f"{problem}\nregenerate: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

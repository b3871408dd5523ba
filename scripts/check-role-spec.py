#!/usr/bin/env python3
"""Fail when a role's defaults/main.yml and meta/argument_specs.yml disagree.

meta/argument_specs.yml is the single source of a role's variables. defaults/main.yml must
hold exactly its optional variables (those not `required`), each with the `default` the spec
documents (a variable the spec gives no default has null there), and no required variable.

Usage: scripts/check-role-spec.py [ROLE_DIR ...]   (default: every role under roles/)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def problems_of(role: Path) -> list[str]:
    """Every disagreement between the role's defaults and its argument spec."""
    spec_path = role / "meta" / "argument_specs.yml"
    defaults_path = role / "defaults" / "main.yml"
    if not spec_path.exists():
        return [f"{spec_path}: missing (it is the source of the role's variables)"]
    spec = (_load(spec_path) or {}).get("argument_specs") or {}
    options: dict[str, dict[str, Any]] = ((spec.get("main") or {}).get("options")) or {}
    defaults: dict[str, Any] = (_load(defaults_path) if defaults_path.exists() else None) or {}

    found = []
    for name, option in options.items():
        option = option or {}
        if option.get("required"):
            if name in defaults:
                found.append(f"{name}: required in {spec_path.name}, so it must not have a value in {defaults_path}")
            if "default" in option:
                found.append(f"{name}: required in {spec_path.name} cannot also have a default")
            continue
        if name not in defaults:
            found.append(f"{name}: optional in {spec_path.name} but missing from {defaults_path}")
            continue
        documented = option.get("default")
        if defaults[name] != documented:
            found.append(
                f"{name}: {defaults_path} has {defaults[name]!r}, {spec_path.name} documents default {documented!r}"
            )
    for name in defaults:
        if name not in options:
            found.append(f"{name}: in {defaults_path} but not an option in {spec_path.name}")
    return found


def main(argv: list[str]) -> int:
    roles = [Path(arg) for arg in argv] or sorted(path for path in (REPO / "roles").iterdir() if path.is_dir())
    failed = False
    for role in roles:
        for problem in problems_of(role):
            print(f"{role.name}: {problem}", file=sys.stderr)
            failed = True
    if not failed:
        print("role argument specs and defaults agree: " + ", ".join(role.name for role in roles))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

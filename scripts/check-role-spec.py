#!/usr/bin/env python3
"""Fail when a role's defaults/main.yml, meta/argument_specs.yml and module disagree.

meta/argument_specs.yml is the single source of a role's variables. defaults/main.yml must
hold exactly its optional variables (those not `required`), each with the `default` the spec
documents (a variable the spec gives no default has null there), and no required variable.

The hairpin role's one task is hairpin.routeros.services with `from_variables: hairpin`: the
module reads its options from the role's variables and checks them with its own argument spec
(playbooks/hairpin.yml skips Ansible's own check of the role spec, which would cost every router
a task). So each variable must be the option that from_variables reads it as (the option's name
after the prefix; hairpin_api_* are the connection options) with the same type, choices,
elements, default, no_log and sub-options, and each of the module's own options must be given
by a variable of the role.

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


COMPARED = ("type", "choices", "elements", "default", "no_log")


def _module_options() -> tuple[dict[str, Any], frozenset[str], dict[str, str]]:
    """(the services module's argument spec, the names of its own options (not the connection's),
    variable -> option as `from_variables: hairpin` reads them)."""
    sys.path.insert(0, str(REPO / "build" / "collections"))
    from ansible_collections.hairpin.routeros.plugins.module_utils.options import (
        SETTINGS_OPTIONS,
        option_variables,
        services_module_spec,
    )

    variables = {variable: option for option, variable in option_variables("hairpin").items()}
    return services_module_spec()["argument_spec"], frozenset(SETTINGS_OPTIONS), variables


def _differences(where: str, role_option: dict[str, Any], module_option: dict[str, Any]) -> list[str]:
    found = []
    for key in COMPARED:
        documented, checked = role_option.get(key), module_option.get(key)
        if key == "type":
            documented, checked = documented or "str", checked or "str"
        if key == "no_log":
            documented, checked = bool(documented), bool(checked)
        if documented != checked:
            found.append(f"{where}: {key} is {documented!r} in the role spec, {checked!r} in the module")
    role_subs = role_option.get("options") or {}
    module_subs = module_option.get("options") or {}
    for name in sorted(set(role_subs) | set(module_subs)):
        if name not in module_subs or name not in role_subs:
            found.append(f"{where}.{name}: only in the {'role spec' if name in role_subs else 'module'}")
            continue
        if bool(role_subs[name].get("required")) != bool(module_subs[name].get("required")):
            found.append(f"{where}.{name}: required differs between the role spec and the module")
        found.extend(_differences(f"{where}.{name}", role_subs[name] or {}, module_subs[name]))
    return found


def module_problems(role: Path) -> list[str]:
    """Every disagreement between the hairpin role's variables and the services module's options."""
    spec = (_load(role / "meta" / "argument_specs.yml") or {}).get("argument_specs") or {}
    options: dict[str, dict[str, Any]] = ((spec.get("main") or {}).get("options")) or {}
    module, own, read = _module_options()
    found = []
    for variable, option in options.items():
        name = read.get(variable)
        if name is None:
            found.append(f"{variable}: hairpin.routeros.services with from_variables: hairpin reads no such variable")
            continue
        if name in own and bool((option or {}).get("required")) != bool(module[name].get("required")):
            found.append(f"{variable}: required differs between the role spec and the module option {name}")
        found.extend(_differences(variable, option or {}, module[name]))
    given = {read[variable] for variable in options if variable in read}
    found.extend(f"services option {name}: no role variable gives it" for name in sorted(own - given))
    return found


def main(argv: list[str]) -> int:
    roles = [Path(arg) for arg in argv] or sorted(path for path in (REPO / "roles").iterdir() if path.is_dir())
    failed = False
    for role in roles:
        for problem in problems_of(role) + (module_problems(role) if role.name == "hairpin" else []):
            print(f"{role.name}: {problem}", file=sys.stderr)
            failed = True
    if not failed:
        print("role argument specs, defaults and the services module agree: " + ", ".join(r.name for r in roles))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

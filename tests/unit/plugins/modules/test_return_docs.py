"""The RETURN values the NAT modules share are documented once and copied.

ansible-core 2.17, the oldest that meta/runtime.yml admits, reads RETURN only from the module
itself (RETURN doc fragments came later), so each module carries its own RETURN block.
plugins/modules/port_forward.py is the source: these tests fail when a copy drifts from it.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml

MODULES = Path(__file__).resolve().parents[4] / "plugins" / "modules"
SOURCE = "port_forward"
# Modules of one rule kind each: their whole RETURN is the source's.
PER_KIND = ("masquerade", "hairpin_nat")
# Every module that reads a router and writes to it returns these, with the source's meaning;
# each may show a sample command of its own.
COMMON_KEYS = ("commands", "round_trips")
WRITERS = ("port_forward", "masquerade", "hairpin_nat", "nat", "dns_static", "services")
# The fields of a return value that a copy keeps exactly.
FIELDS = ("description", "returned", "type", "elements")


def returns(module: str) -> dict[str, Any]:
    """The module's RETURN block as ansible-doc reads it (a literal, not run)."""
    tree = ast.parse((MODULES / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "RETURN" for t in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError(f"{module} has no RETURN")


@pytest.mark.parametrize("module", PER_KIND)
def test_per_kind_modules_return_what_the_source_documents(module: str) -> None:
    assert returns(module) == returns(SOURCE)


@pytest.mark.parametrize("module", WRITERS)
@pytest.mark.parametrize("key", COMMON_KEYS)
def test_common_return_values_mean_the_same_everywhere(module: str, key: str) -> None:
    source = returns(SOURCE)[key]
    copy = returns(module).get(key)
    assert copy is not None, f"{module} does not document {key}"
    assert {f: copy.get(f) for f in FIELDS} == {f: source.get(f) for f in FIELDS}


def test_notes_mean_the_same_in_both_modules_that_return_them() -> None:
    assert returns("services")["notes"] == returns("nat")["notes"]

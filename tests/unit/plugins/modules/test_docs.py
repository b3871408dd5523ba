"""What the NAT modules share is documented once.

The fields of each rule kind come from one doc fragment (plugins/doc_fragments/nat_rules.py),
built per option that holds them; each must be the YAML ansible-doc expects.

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
from ansible_collections.hairpin.routeros.plugins.doc_fragments.nat_rules import ModuleDocFragment

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


# Fragment -> the option whose suboptions it gives, and the module that uses it for that option.
FRAGMENTS = {
    "PORT_FORWARDS": ("port_forwards", "nat"),
    "PORT_FORWARD_CONFIG": ("config", "port_forward"),
    "MASQUERADES": ("masquerades", "nat"),
    "MASQUERADE_CONFIG": ("config", "masquerade"),
    "HAIRPINS": ("hairpins", "nat"),
    "HAIRPIN_CONFIG": ("config", "hairpin_nat"),
    "HAIRPIN_SUBNETS": ("hairpin_subnets", "nat"),
}


def literal(module: str, name: str) -> str:
    """A module's DOCUMENTATION/RETURN string, as ansible-doc reads it (a literal, not run)."""
    tree = ast.parse((MODULES / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} has no {name}")


@pytest.mark.parametrize("fragment", sorted(FRAGMENTS))
def test_each_rule_kind_fragment_documents_its_option_and_the_module_uses_it(fragment: str) -> None:
    option, module = FRAGMENTS[fragment]
    doc = yaml.safe_load(getattr(ModuleDocFragment, fragment))
    assert list(doc) == ["options"]
    assert list(doc["options"]) == [option]
    fields = doc["options"][option]["suboptions"]
    assert fields and all({"description", "type"} <= set(field) for field in fields.values())
    # Every placeholder of the shared text was filled in.
    assert not [word for word in ("OPT[]", "HAIRPIN_TEXT", "REQUIRED_WITH") if word in str(fields)]
    module_doc = yaml.safe_load(literal(module, "DOCUMENTATION"))
    assert "hairpin.routeros.nat_rules." + fragment.lower() in module_doc["extends_documentation_fragment"]
    # The module says what the option is; the fields are the fragment's alone.
    assert "suboptions" not in module_doc["options"][option]


def returns(module: str) -> dict[str, Any]:
    """The module's RETURN block, parsed."""
    return yaml.safe_load(literal(module, "RETURN"))


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


# The modules that plan NAT rules report the drift they repair, with the source's meaning.
NAT_WRITERS = ("port_forward", "masquerade", "hairpin_nat", "nat", "services")


@pytest.mark.parametrize("module", NAT_WRITERS)
def test_drift_means_the_same_in_every_module_that_plans_nat_rules(module: str) -> None:
    assert returns(module)["drift"] == returns(SOURCE)["drift"]


def test_notes_mean_the_same_in_both_modules_that_return_them() -> None:
    assert returns("services")["notes"] == returns("nat")["notes"]


def test_shadowing_means_the_same_in_every_module_that_manages_port_forwards() -> None:
    source = returns(SOURCE)["shadowing"]
    assert returns("nat")["shadowing"] == source
    assert returns("services")["shadowing"] == source

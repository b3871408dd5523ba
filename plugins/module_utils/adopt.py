# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Adoption in place: foreign rules that already do exactly what a desired rule would do.

Pure: no I/O. A foreign row (no marker in its comment, not dynamic) is a *twin* of a desired
rule when every NAT field but the comment is equal after ``model.effective_value`` (absent =
RouterOS's default) and the row sets no property outside ``model.NAT_FIELDS`` (a matcher we do
not write, such as ``src-port`` or ``connection-mark``, makes it another rule). The first
enabled twin in table order of a desired rule whose key no owned row holds is adopted: the plan
takes it over with one ``set comment=<marker>`` (its id, position, counters and connections
stay). Every other twin is reported, never touched: a disabled twin, a second enabled twin, a
twin that another desired rule names as its anchor, and every twin when adoption is off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_MASQUERADE,
    NAT_FIELDS,
    POSITION_AFTER,
    POSITION_BEFORE,
    NatRule,
    RuleKey,
    effective_value,
    implied_to_ports,
    parse_marker,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.operations import Row, is_dynamic, row_id
from ansible_collections.hairpin.routeros.plugins.module_utils.placement import comment_match_key
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

# What a twin is not compared on: the comment is what adoption writes, disabled is checked apart.
_NOT_COMPARED = frozenset(("comment", "disabled"))
# Properties RouterOS prints that are state, not configuration.
_STATE = frozenset(("bytes", "packets", "invalid", "dynamic", "builtin", "creation-time"))
_COMPARED = tuple(name for name in NAT_FIELDS if name not in _NOT_COMPARED)

TWIN_DISABLED = "disabled"
TWIN_DUPLICATE = "duplicate"
TWIN_ANCHOR = "anchor"
TWIN_ADOPT_OFF = "adopt-off"


def rule_label(key: RuleKey) -> str:
    """``'web' (hairpin:dstnat:web:tcp)``: the service a rule is for, and its marker."""
    return "'{0}' ({1})".format(key.name, "hairpin:" + ":".join(part for part in key if part))


def foreign_name(identifier: str, comment: object) -> str:
    """``foreign rule *5 "web server"`` (no comment: ``foreign rule *5``)."""
    text = effective_value("comment", comment)
    return "foreign rule {0}".format(identifier) + (' "{0}"'.format(text) if text else "")


@dataclass(frozen=True)
class Adoption:
    """A foreign row the plan takes over for ``key``: ``comment`` is the one it had (None: none)."""

    key: RuleKey
    id: str
    comment: Optional[str]

    @property
    def message(self) -> str:
        return "adopt {0} as {1}: its id, position and counters stay".format(
            foreign_name(self.id, self.comment), rule_label(self.key)
        )

    def as_dict(self) -> Dict[str, object]:
        return {
            "id": self.id,
            "service": self.key.name,
            "rule": "hairpin:" + ":".join(part for part in self.key if part),
            "comment": self.comment,
            "message": self.message,
        }


@dataclass(frozen=True)
class Twin:
    """A foreign row that does what the desired rule ``key`` does and is left as it is: ``why``
    is one of disabled, duplicate (``adopted`` names the row adopted instead), anchor,
    adopt-off."""

    key: RuleKey
    id: str
    comment: Optional[str]
    why: str
    adopted: Optional[str] = None

    @property
    def message(self) -> str:
        name = foreign_name(self.id, self.comment)
        label = rule_label(self.key)
        if self.why == TWIN_DISABLED:
            return "{0} is a disabled copy of the rule for {1}: never adopted, left as it is".format(name, label)
        same = "{0} does exactly what the rule for {1} does".format(name, label)
        if self.why == TWIN_DUPLICATE:
            return "{0}, like {1}, which is adopted instead: left as it is".format(same, self.adopted)
        if self.why == TWIN_ANCHOR:
            return "{0}, but it is the anchor of another rule: left as it is, the owned rule is added".format(same)
        return "{0}; with adopt off it is left as it is and the owned rule is added".format(same)

    def as_dict(self) -> Dict[str, object]:
        return {
            "id": self.id,
            "service": self.key.name,
            "rule": "hairpin:" + ":".join(part for part in self.key if part),
            "comment": self.comment,
            "reason": self.why,
            "message": self.message,
        }


@dataclass
class Adoptions:
    """The rows to adopt (table index -> key), as Adoption records in table order, and the twins left alone."""

    rows: Dict[int, RuleKey] = field(default_factory=dict)
    adopted: List[Adoption] = field(default_factory=list)
    twins: List[Twin] = field(default_factory=list)


def _signature(values: Mapping[str, Optional[str]]) -> Tuple[Optional[str], ...]:
    # A forward of one port without to-ports keeps the port: the same as to-ports=<that port>.
    values = dict(values)
    values["to-ports"] = implied_to_ports(values.get("action"), values.get("dst-port"), values.get("to-ports"))
    return tuple(values.get(name) for name in _COMPARED)


def _rule_signature(rule: NatRule) -> Tuple[Optional[str], ...]:
    return _signature({name: rule.fields.get(name, NAT_FIELDS[name].default) for name in _COMPARED})


def _row_signature(row: Row) -> Optional[Tuple[Optional[str], ...]]:
    """The row's signature, or None when it sets a property we do not compare."""
    for name, value in row.items():
        if name in NAT_FIELDS or name in _STATE or name.startswith("."):
            continue
        if value is not None and value != "":
            return None
    return _signature({name: effective_value(name, row.get(name)) for name in _COMPARED})


def _comment_text(row: Row) -> Optional[str]:
    return effective_value("comment", row.get("comment"))


def find_adoptions(
    desired: Sequence[NatRule], current: Sequence[Row], scope: Collection[str], *, adopt: bool
) -> Adoptions:
    """The foreign twins of ``desired`` in ``current``: which to adopt (when ``adopt``), which
    to report. A key that an owned row of ``scope`` already holds adopts nothing."""
    result = Adoptions()
    owned_keys: Set[RuleKey] = set()
    anchors: Set[str] = set()
    for rule in desired:
        if rule.anchor.position in (POSITION_BEFORE, POSITION_AFTER):
            anchors.add(comment_match_key(rule.anchor.comment))
    candidates: Dict[Tuple[Optional[str], ...], List[int]] = {}
    for index, row in enumerate(current):
        if is_dynamic(row):
            continue
        key = parse_marker(row.get("comment"))
        if key is not None:
            if key.kind in scope:
                owned_keys.add(key)
            continue
        signature = _row_signature(row)
        if signature is not None:
            candidates.setdefault(signature, []).append(index)
    if not candidates:
        return result
    taken: Set[int] = set()
    for rule in desired:
        if rule.key in owned_keys or rule.fields.get("disabled", "false") != "false":
            continue
        if rule.key.kind == KIND_MASQUERADE:
            # A foreign masquerade of the WAN is the router's own (defconf's): `auto` leaves it
            # covering, an explicit owned one goes beside it, and turning ours off keeps it.
            continue
        found = [index for index in candidates.get(_rule_signature(rule), ()) if index not in taken]
        adopted: Optional[int] = None
        for index in found:
            row = current[index]
            identifier, comment = row_id(row), _comment_text(row)
            if is_true(row.get("disabled")):
                result.twins.append(Twin(rule.key, identifier, comment, TWIN_DISABLED))
            elif row.get("comment") is not None and comment_match_key(row.get("comment")) in anchors:
                result.twins.append(Twin(rule.key, identifier, comment, TWIN_ANCHOR))
            elif not adopt:
                result.twins.append(Twin(rule.key, identifier, comment, TWIN_ADOPT_OFF))
            elif adopted is None:
                adopted = index
                taken.add(index)
                result.rows[index] = rule.key
            else:
                result.twins.append(
                    Twin(rule.key, identifier, comment, TWIN_DUPLICATE, adopted=row_id(current[adopted]))
                )
    for index in sorted(result.rows):
        row = current[index]
        result.adopted.append(Adoption(result.rows[index], row_id(row), _comment_text(row)))
    return result

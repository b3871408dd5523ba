# -*- coding: utf-8 -*-
# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The data inside here is private to this collection. If you use this from outside the collection,
# you are on your own. There can be random changes to its format even in bugfix releases!

"""RouterOS CLI text: operations -> command lines, and rows -> service-shaped config.

CLI forms written (one line per operation, ids as ``*HEX``):

* ``/ip firewall nat add chain=dstnat ... comment="hairpin:dstnat:web:tcp" place-before=*3``
* ``/ip firewall nat set *5 dst-port=8080``
* ``/ip firewall nat set *5 !to-ports !in-interface`` -- unset: ``!name`` in ``set`` is how the
  RouterOS console removes a property ("Parameter can be unset by specifying '!' before
  parameter", MikroTik Manual:Scripting, menu specific commands); it is also the ``!name`` word
  community.routeros' api_modify sends in ``set``.
* ``/ip firewall nat move *5 destination=*3`` (no destination: to the end)
* ``/ip firewall nat remove *7``

Values are quoted by cli.py; ``.rsc`` text is read by script_reader.py.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.cli import assignments, ordered
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOOLEAN_FIELDS,
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    KINDS,
    NAT_FIELDS,
    RuleKey,
    effective_value,
    normalize_value,
    split_comment,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    ACTION_ADD,
    ACTION_MOVE,
    ACTION_REMOVE,
    ACTION_SET,
    ACTION_UNSET,
    Operation,
    Plan,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import (
    RscParseError,  # noqa: F401 - the NAT modules and the analyzer import it from here
    read_commands,
    read_nat_adds,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

NAT_MENU = "/ip firewall nat"
# Counters change all the time; they are not configuration.
_COUNTERS = frozenset(("bytes", "packets"))
_NAT_ORDER = tuple(NAT_FIELDS)
# The analyzer reads `.rsc` text through these names.
parse_nat_rsc = read_nat_adds
rsc_commands = read_commands


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def _assignments(fields: Mapping[str, str]) -> str:
    return assignments(fields, _NAT_ORDER, BOOLEAN_FIELDS)


def render_operation(op: Operation) -> str:
    if op.action == ACTION_ADD:
        line = "{0} add {1}".format(NAT_MENU, _assignments(op.fields))
        return line if op.destination is None else "{0} place-before={1}".format(line, op.destination)
    if op.action == ACTION_SET:
        return "{0} set {1} {2}".format(NAT_MENU, op.id, _assignments(op.fields))
    if op.action == ACTION_UNSET:
        names = [name for name, _value in ordered(op.fields, _NAT_ORDER)]
        return "{0} set {1} {2}".format(NAT_MENU, op.id, " ".join("!" + name for name in names))
    if op.action == ACTION_MOVE:
        line = "{0} move {1}".format(NAT_MENU, op.id)
        return line if op.destination is None else "{0} destination={1}".format(line, op.destination)
    if op.action == ACTION_REMOVE:
        return "{0} remove {1}".format(NAT_MENU, op.id)
    raise ValueError("unknown operation {0!r}".format(op.action))


def render_commands(plan: object) -> List[str]:
    """CLI lines for a Plan (or a sequence of Operations), in execution order."""
    operations: Sequence[Operation] = plan.operations if isinstance(plan, Plan) else plan  # type: ignore[assignment]
    return [render_operation(op) for op in operations]


# ---------------------------------------------------------------------------------------------
# Rows -> service-shaped config (gathered / parsed)
# ---------------------------------------------------------------------------------------------


def _value(row: Mapping[str, object], name: str) -> Optional[str]:
    return effective_value(name, row.get(name))


def _bool(row: Mapping[str, object], name: str) -> bool:
    return _value(row, name) == "true"


def _compact(values: Mapping[str, object]) -> Dict[str, object]:
    return {name: value for name, value in values.items() if value is not None}


def _port_forward(key: RuleKey, description: Optional[str], row: Mapping[str, object]) -> Dict[str, object]:
    port = _value(row, "dst-port")
    to_ports = _value(row, "to-ports")
    return _compact(
        {
            "name": key.name,
            "protocol": key.protocol,
            "port": port,
            "host": _value(row, "to-addresses"),
            "host_port": to_ports if to_ports != port else None,
            "public_address": _value(row, "dst-address"),
            "public_address_list": _value(row, "dst-address-list"),
            "public_local": True if _value(row, "dst-address-type") == "local" else None,
            "in_interface": _value(row, "in-interface"),
            "in_interface_list": _value(row, "in-interface-list"),
            "comment": description,
            "disabled": _bool(row, "disabled"),
        }
    )


def _hairpin(key: RuleKey, description: Optional[str], row: Mapping[str, object]) -> Dict[str, object]:
    return _compact(
        {
            "name": key.name,
            "protocol": key.protocol,
            "host": _value(row, "dst-address"),
            "host_port": _value(row, "dst-port"),
            "lan_subnet": _value(row, "src-address"),
            "lan_interface": _value(row, "out-interface"),
            "lan_interface_list": _value(row, "out-interface-list"),
            "comment": description,
            "disabled": _bool(row, "disabled"),
        }
    )


def _masquerade(key: RuleKey, description: Optional[str], row: Mapping[str, object]) -> Dict[str, object]:
    return _compact(
        {
            "out_interface": _value(row, "out-interface"),
            "out_interface_list": _value(row, "out-interface-list"),
            "ipsec_policy": _value(row, "ipsec-policy"),
            "comment": description,
            "disabled": _bool(row, "disabled"),
        }
    )


def _hairpin_subnet(key: RuleKey, description: Optional[str], row: Mapping[str, object]) -> Dict[str, object]:
    return _compact(
        {
            "subnet": key.name,
            "lan_interface": _value(row, "out-interface"),
            "lan_interface_list": _value(row, "out-interface-list"),
            "comment": description,
            "disabled": _bool(row, "disabled"),
        }
    )


_SECTIONS = {
    KIND_DSTNAT: ("port_forwards", _port_forward),
    KIND_HAIRPIN: ("hairpins", _hairpin),
    KIND_MASQUERADE: ("masquerades", _masquerade),
    KIND_HAIRPIN_SUBNET: ("hairpin_subnets", _hairpin_subnet),
}


def _merge_protocols(entries: List[Dict[str, object]]) -> List[Dict[str, object]]:
    """One entry per service: tcp and udp rules identical but for the protocol become ``both``."""
    merged: List[Dict[str, object]] = []
    first_of: Dict[object, int] = {}
    for entry in entries:
        name = entry["name"]
        if name not in first_of:
            first_of[name] = len(merged)
            merged.append(entry)
            continue
        other = merged[first_of[name]]
        same = {k: v for k, v in other.items() if k != "protocol"} == {
            k: v for k, v in entry.items() if k != "protocol"
        }
        if same and {other["protocol"], entry["protocol"]} == {"tcp", "udp"}:
            other["protocol"] = "both"
        else:
            merged.append(entry)  # differing rules of one service stay separate, both visible
    return merged


def rows_to_config(
    rows: Sequence[Mapping[str, object]], kinds: Iterable[str] = KINDS
) -> Dict[str, List[Dict[str, object]]]:
    """Owned rows (of ``kinds``) as service-shaped config; every other row, as plain data.

    Result keys: ``port_forwards``, ``hairpins``, ``masquerades``, ``hairpin_subnets`` (services
    in table order; a later row with an already seen key is a leftover and skipped) and
    ``foreign`` (rows we do not own: values as normalised strings, counters dropped).
    """
    scope = frozenset(kinds)
    sections: Dict[str, List[Dict[str, object]]] = {name: [] for name, _builder in _SECTIONS.values()}
    foreign: List[Dict[str, object]] = []
    seen = set()
    for row in rows:
        key, description = split_comment(row.get("comment"))
        if key is None or key.kind not in scope or is_true(row.get("dynamic")):
            foreign.append({name: normalize_value(name, value) for name, value in row.items() if name not in _COUNTERS})
            continue
        if key in seen:
            continue
        seen.add(key)
        section, builder = _SECTIONS[key.kind]
        sections[section].append(builder(key, description, row))
    sections["port_forwards"] = _merge_protocols(sections["port_forwards"])
    sections["hairpins"] = _merge_protocols(sections["hairpins"])
    sections["foreign"] = foreign
    return sections

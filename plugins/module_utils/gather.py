# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Rows as service-shaped config (states gathered and parsed): owned NAT rules as the NAT
modules' options, owned entries as config entries, and every other row as plain data."""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.entries import (
    EntryMenu,
    Row,
    owned_key,
    split_entry_comment,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
    KINDS,
    RuleKey,
    effective_value,
    normalize_text,
    normalize_value,
    split_comment,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.script_reader import read_menu_adds
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

# Counters change all the time; they are not configuration.
_COUNTERS = frozenset(("bytes", "packets"))


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
        # 1:1 NAT has no config shape of these modules: its rows are listed with the others.
        if key is None or key.kind not in scope or key.kind not in _SECTIONS or is_true(row.get("dynamic")):
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


def rows_to_entry_config(menu: EntryMenu, rows: Sequence[Row]) -> Dict[str, List[Dict[str, object]]]:
    """Owned rows of ``menu`` as config entries (``config``, first of each key, table order) and
    every other row as plain data (``foreign``)."""
    config: List[Dict[str, object]] = []
    foreign: List[Dict[str, object]] = []
    seen = set()
    for row in rows:
        key = owned_key(row, menu)
        if key is None:
            foreign.append({name: normalize_text(value) for name, value in row.items()})
            continue
        if key in seen:
            continue
        seen.add(key)
        description = split_entry_comment(row.get("comment"), menu.kind)[1]
        entry: Dict[str, object] = {}
        for name in menu.fields:
            if name in ("comment", "disabled", "type"):
                continue
            value = menu.effective(row, name)
            if value is not None:
                entry[name] = value
        if description is not None:
            entry["comment"] = description
        entry["disabled"] = menu.effective(row, "disabled") == "true"
        config.append(entry)
    return {"config": config, "foreign": foreign}


def parse_entries_rsc(menu: EntryMenu, text: str) -> List[Dict[str, str]]:
    """Rows of every ``add`` in ``menu``'s section of RouterOS script ``text`` (an ``/export``
    or our own rendered lines); other menus and commands are skipped."""
    return read_menu_adds(text, menu.cli_menu.strip("/"))

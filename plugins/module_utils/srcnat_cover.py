# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# Does a rule the admin (or defconf) made already masquerade what leaves the WAN? Every stock
# router has "defconf: masquerade" out of the WAN list; a second, owned masquerade next to it
# changes nothing on the wire but is one more rule to read and to explain.

from __future__ import annotations

from typing import Any, Collection, Iterable, Mapping, Optional

from ansible_collections.hairpin.routeros.plugins.module_utils.model import parse_marker
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

# Fields of a srcnat row that say nothing about which packets it takes: identity, state,
# counters, the translation itself and logging.
_NOT_MATCHERS = frozenset(
    (
        ".id",
        ".nextid",
        "chain",
        "action",
        "comment",
        "disabled",
        "dynamic",
        "invalid",
        "log",
        "log-prefix",
        "to-addresses",
        "to-ports",
        "bytes",
        "packets",
        "out-interface",
        "out-interface-list",
        "ipsec-policy",
    )
)

# ipsec-policy=out,none keeps packets that an IPsec policy will encrypt out of NAT, on purpose
# (defconf sets it): such a rule covers everything else, which is all masquerade is for.
_COVERING_IPSEC = ("", "out,none")


def _is_set(value: Any) -> bool:
    return value not in (None, "", False) and not (isinstance(value, str) and value.strip() == "")


def _ipsec(row: Mapping[str, Any]) -> str:
    return str(row.get("ipsec-policy") or "").replace(" ", "")


def _leaves_through(
    row: Mapping[str, Any],
    out_interface: Optional[str],
    out_interface_list: Optional[str],
    list_members: Mapping[str, Collection[str]],
) -> bool:
    """Does every packet that leaves through the WAN (the interface, or every member of the
    list) match the row's out-interface matchers?"""
    row_interface, row_list = row.get("out-interface"), row.get("out-interface-list")
    if _is_set(row_interface) and _is_set(row_list):
        return False
    if _is_set(row_interface):
        name = str(row_interface)
        if name.startswith("!"):
            return False
        if out_interface is not None:
            return name == out_interface
        members = set(list_members.get(str(out_interface_list), ()))
        return bool(members) and members == {name}
    if _is_set(row_list):
        name = str(row_list)
        if name.startswith("!"):
            return False
        if out_interface_list is not None and name == out_interface_list:
            return True
        held = set(list_members.get(name, ()))
        if name == "all":
            return True
        if out_interface is not None:
            return out_interface in held
        wanted = set(list_members.get(str(out_interface_list), ()))
        return bool(wanted) and wanted <= held
    return False


def covering_rule(
    rows: Iterable[Mapping[str, Any]],
    *,
    out_interface: Optional[str] = None,
    out_interface_list: Optional[str] = None,
    list_members: Mapping[str, Collection[str]],
) -> Optional[Mapping[str, Any]]:
    """The first enabled foreign srcnat rule that masquerades (or src-nats) everything leaving
    through the WAN, or None. Owned and dynamic rows never count."""
    for row in rows:
        if parse_marker(row.get("comment")) is not None or is_true(row.get("dynamic")):
            continue
        if is_true(row.get("disabled")) or str(row.get("chain")) != "srcnat":
            continue
        if str(row.get("action")) not in ("masquerade", "src-nat"):
            continue
        if _ipsec(row) not in _COVERING_IPSEC:
            continue
        if any(_is_set(value) for name, value in row.items() if name not in _NOT_MATCHERS):
            continue
        if _leaves_through(row, out_interface, out_interface_list, list_members):
            return row
    return None


def describe_rule(row: Mapping[str, Any]) -> str:
    """A rule as an admin finds it in Winbox: its comment, else its id and what it does."""
    comment = row.get("comment")
    if _is_set(comment):
        return "%r (%s)" % (str(comment), row.get(".id", "?"))
    out = row.get("out-interface") or row.get("out-interface-list")
    return "%s (action=%s out-interface%s=%s)" % (
        row.get(".id", "?"),
        row.get("action"),
        "-list" if row.get("out-interface-list") else "",
        out,
    )


def finish_masquerades(desired: Any, view: Any) -> None:
    """Move each of `desired`'s auto masquerades into its masquerades unless a foreign rule of
    the router (a read.RouterView; None: no router read) already covers its WAN, which a note
    then names. A cover that disappears later gets the owned masquerade on the next run."""
    for masquerade in desired.auto_masquerades:
        cover = None
        if view is not None:
            cover = covering_rule(
                view.nat,
                out_interface=masquerade.out_interface,
                out_interface_list=masquerade.out_interface_list,
                list_members=view.list_members,
            )
        if cover is None:
            desired.masquerades.append(masquerade)
        else:
            desired.notes.append(
                "masquerade: what leaves %s is already masqueraded by the rule %s, so no owned masquerade is "
                "added (masquerade: auto)" % (_wan_label(masquerade), describe_rule(cover))
            )
    desired.auto_masquerades = []


def _wan_label(masquerade: Any) -> str:
    if masquerade.out_interface is not None:
        return "interface %r" % masquerade.out_interface
    return "interface list %r" % masquerade.out_interface_list

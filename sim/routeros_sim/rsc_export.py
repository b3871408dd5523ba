"""Rendering a Router as RouterOS ``/export`` text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from .rsc_quote import quote, render_command
from .rsc_run import _VIEWS, _stock, _View
from .schema import Menu, Prop, version_at_least

if TYPE_CHECKING:
    from .router import Router

__all__ = ["export", "header_version"]

# Sections in the order RouterOS 7 /export writes them; menus not listed follow, alphabetically.
_EXPORT_ORDER = (
    "/interface/bridge",
    "/interface/ethernet",
    "/interface/list",
    "/interface/bridge/port",
    "/interface/list/member",
    "/ip/address",
    "/ip/cloud",
    "/ip/dns",
    "/ip/dns/static",
    "/ip/firewall/address-list",
    "/ip/firewall/filter",
    "/ip/firewall/mangle",
    "/ip/firewall/nat",
    "/ip/firewall/raw",
    "/ip/route",
    "/ip/service",
    "/system/clock",
    "/system/identity",
)
# Shown through a more specific menu (/interface/ethernet, /interface/bridge, ...), never itself.
_NOT_EXPORTED = frozenset({"/interface"})
# Properties /export writes even at their default (``add action=accept chain=input ...``);
# community.routeros's field data, taken from exports, gives them no default for that reason.
_ALWAYS_WRITTEN = {
    "/ip/firewall/filter": frozenset({"action"}),
    "/ip/firewall/nat": frozenset({"action"}),
    "/ip/firewall/mangle": frozenset({"action"}),
    "/ip/firewall/raw": frozenset({"action"}),
    "/ip/dns/static": frozenset({"type"}),
}
_HEADER_VERSION = re.compile(r"^#.*\bby RouterOS (\S+)", re.MULTILINE)


def header_version(text: str) -> str | None:
    """The RouterOS version an export says it comes from (``# ... by RouterOS 7.16.1``), if any."""
    match = _HEADER_VERSION.search(text)
    return match.group(1) if match else None


def export(router: Router, verbose: bool = False) -> str:
    """``router``'s configuration as RouterOS ``/export`` (``/export verbose``) text.

    The header names the version; sections follow RouterOS's order; items the router made itself
    (``dynamic``) and read-only values are left out, and so are values at their default unless
    ``verbose``. Items ``Router.empty()`` already has (interfaces, IP services, the stock bridge,
    singletons) appear as ``set`` lines when changed (``set [ find default-name=ether1 ] name=wan``,
    ``set telnet disabled=yes``), or ``remove`` if gone; the rest as ``add`` lines in table order.
    So ``run_script(Router.empty(version), export(router))`` rebuilds the same tables (new ``.id``s).
    """
    stock = _stock(router)
    lines = _header(router)
    for section, menu, view in _sections(router):
        body = _section(router, stock, menu, view, verbose)
        if body:
            lines.append("/" + section.strip("/").replace("/", " "))
            lines.extend(body)
    return "\n".join(lines) + "\n"


def _header(router: Router) -> list[str]:
    now = getattr(router, "clock", datetime.now)()
    if version_at_least(router.version, "7.10"):
        stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    else:
        stamp = now.strftime("%b/%d/%Y %H:%M:%S").lower()
    lines = [f"# {stamp} by RouterOS {router.version}"]
    board = router.tables.get("/system/routerboard")
    if board is not None and board.items:
        lines.append("#")
        if "model" in board.items[0]:
            lines.append(f"# model = {board.items[0]['model']}")
        if "serial-number" in board.items[0]:
            lines.append(f"# serial number = {board.items[0]['serial-number']}")
    return lines


def _sections(router: Router) -> list[tuple[str, Menu, _View | None]]:
    found: dict[str, tuple[Menu, _View | None]] = {}
    for path, menu in router.menus.items():
        if path not in _NOT_EXPORTED:
            found[path] = (menu, None)
    for path, view in _VIEWS.items():
        if path not in found and view.menu in router.menus:
            found[path] = (router.menus[view.menu], view)

    def position(path: str) -> tuple[int, str]:
        return (_EXPORT_ORDER.index(path), "") if path in _EXPORT_ORDER else (len(_EXPORT_ORDER), path)

    return [(path, *found[path]) for path in sorted(found, key=position)]


def _shown(prop: Prop, value: str) -> str:
    """A stored value as the console writes it: booleans as yes/no."""
    if prop.kind != "bool":
        return value
    negation, bare = ("!", value[1:]) if value.startswith("!") else ("", value)
    return negation + {"true": "yes", "false": "no"}.get(bare, bare)


def _settable(menu: Menu) -> list[Prop]:
    props: dict[str, Prop] = {}
    for prop in menu.props:
        if prop.settable and prop.name not in props:
            props[prop.name] = prop
    return [props[name] for name in sorted(props)]


def _values(menu: Menu, item: Mapping[str, str], verbose: bool) -> list[tuple[str, str]]:
    always = _ALWAYS_WRITTEN.get(menu.path, frozenset())
    values = []
    for prop in _settable(menu):
        value = item.get(prop.name)
        if value is None or value == prop.default:
            if prop.default is None or not (verbose or prop.name in always):
                continue
            value = prop.default
        values.append((prop.name, _shown(prop, value)))
    return values


def _changes(menu: Menu, item: Mapping[str, str], stock: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """What differs in a stock item: values to set, and names to unset (no default to set back to)."""
    values, unset = [], []
    for prop in _settable(menu):
        value, before = item.get(prop.name), stock.get(prop.name)
        if value == before:
            continue
        if value is not None:
            values.append((prop.name, _shown(prop, value)))
        elif prop.default is not None:
            values.append((prop.name, _shown(prop, prop.default)))
        else:
            unset.append(prop.name)
    return values, unset


def _selector(menu: Menu, stock: Mapping[str, str]) -> str:
    """How /export names a stock item: ``[ find default-name=ether1 ]``, ``telnet``, ``[ find name=x ]``."""
    if "default-name" in stock:
        return f"[ find default-name={quote(stock['default-name'])} ]"
    name_prop = menu.prop("name")
    if "name" in stock and name_prop is not None and not name_prop.settable:
        return quote(stock["name"])  # names that never change: /ip service set telnet ...
    if "name" in stock:
        return f"[ find name={quote(stock['name'])} ]"
    return stock[".id"]


def _section(router: Router, stock_router: Router, menu: Menu, view: _View | None, verbose: bool) -> list[str]:
    def visible(items: list[dict[str, str]]) -> list[dict[str, str]]:
        return [item for item in items if view is None or item.get(view.key) == view.value]

    items = visible(router.tables[menu.path].items)
    stock_items = visible(stock_router.tables[menu.path].items)
    if menu.singleton:
        item = items[0] if items else {}
        values, unset = _changes(menu, item, stock_items[0] if stock_items else {})
        if verbose:
            values = _values(menu, item, verbose=True)
        if not (values or unset):
            return []
        return [render_command(["set", *(f"!{name}" for name in unset)], values)]

    lines: list[str] = []
    stock_by_id = {item[".id"]: item for item in stock_items}
    present = {item[".id"] for item in items}
    for stock in stock_items:
        if stock[".id"] not in present:
            lines.append(render_command(["remove", _selector(menu, stock)], []))
    for item in items:
        stock = stock_by_id.get(item[".id"])
        if stock is None or item.get("builtin") == "true":  # built-in items cannot be changed
            continue
        values, unset = _changes(menu, item, stock)
        if verbose:
            values = _values(menu, item, verbose=True)
        if values or unset:
            words = ["set", _selector(menu, stock), *(f"!{name}" for name in unset)]
            lines.append(render_command(words, values))
    for item in items:
        if item[".id"] in stock_by_id or item.get("dynamic") == "true" or item.get("builtin") == "true":
            continue
        lines.append(render_command(["add"], _values(menu, item, verbose)))
    return lines

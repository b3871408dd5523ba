"""Rendering a Router as RouterOS ``/export`` text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .rsc_quote import Raw, quote, render_command
from .rsc_run import _VIEWS, _stock, _View, header_version
from .schema import Menu, Prop, version_at_least

if TYPE_CHECKING:
    from .router import Router

__all__ = ["export", "header_version"]

# Sections in the order RouterOS 7 /export writes them (menus the model keeps verbatim included);
# menus not listed follow, modelled ones alphabetically, then the others in the order they came.
_EXPORT_ORDER = (
    "/interface/bridge",
    "/interface/ethernet",
    "/interface/pwr-line",
    "/interface/lte",
    "/interface/wireless",
    "/interface/wifi",
    "/interface/wifiwave2",
    "/interface/w60g",
    "/interface/bonding",
    "/interface/eoip",
    "/interface/eoipv6",
    "/interface/gre",
    "/interface/gre6",
    "/interface/ipip",
    "/interface/ipipv6",
    "/interface/6to4",
    "/interface/l2tp-client",
    "/interface/ovpn-client",
    "/interface/pppoe-client",
    "/interface/pptp-client",
    "/interface/sstp-client",
    "/interface/veth",
    "/interface/wireguard",
    "/interface/vlan",
    "/interface/macvlan",
    "/interface/vrrp",
    "/interface/vxlan",
    "/interface/list",
    "/interface/lte/apn",
    "/interface/wireless/security-profiles",
    "/interface/wifi/security",
    "/interface/wifi/configuration",
    "/ip/hotspot/profile",
    "/ip/hotspot/user/profile",
    "/ip/ipsec/profile",
    "/ip/ipsec/peer",
    "/ip/ipsec/proposal",
    "/ip/pool",
    "/ip/dhcp-server",
    "/ip/hotspot",
    "/port",
    "/ppp/profile",
    "/queue/type",
    "/queue/simple",
    "/queue/tree",
    "/routing/bgp/template",
    "/routing/ospf/instance",
    "/routing/table",
    "/snmp/community",
    "/system/logging/action",
    "/user/group",
    "/interface/bridge/port",
    "/interface/bridge/vlan",
    "/ip/firewall/connection/tracking",
    "/ip/neighbor/discovery-settings",
    "/ip/settings",
    "/ipv6/settings",
    "/interface/detect-internet",
    "/interface/list/member",
    "/interface/ovpn-server/server",
    "/interface/pppoe-server/server",
    "/interface/wireguard/peers",
    "/interface/wireless/access-list",
    "/interface/wifi/access-list",
    "/ip/address",
    "/ip/cloud",
    "/ip/dhcp-client",
    "/ip/dhcp-server/lease",
    "/ip/dhcp-server/network",
    "/ip/dns",
    "/ip/dns/static",
    "/ip/firewall/address-list",
    "/ip/firewall/filter",
    "/ip/firewall/mangle",
    "/ip/firewall/nat",
    "/ip/firewall/raw",
    "/ip/firewall/service-port",
    "/ip/hotspot/user",
    "/ip/ipsec/identity",
    "/ip/ipsec/policy",
    "/ip/route",
    "/ip/route/rule",
    "/ip/service",
    "/ip/smb/shares",
    "/ip/ssh",
    "/ip/upnp",
    "/ip/upnp/interfaces",
    "/ipv6/address",
    "/ipv6/dhcp-client",
    "/ipv6/firewall/address-list",
    "/ipv6/firewall/filter",
    "/ipv6/firewall/nat",
    "/ipv6/nd",
    "/ipv6/route",
    "/ppp/secret",
    "/routing/bgp/connection",
    "/routing/ospf/area",
    "/routing/ospf/interface-template",
    "/routing/rule",
    "/snmp",
    "/system/clock",
    "/system/identity",
    "/system/leds",
    "/system/logging",
    "/system/note",
    "/system/ntp/client",
    "/system/ntp/client/servers",
    "/system/routerboard/settings",
    "/system/scheduler",
    "/system/script",
    "/tool/bandwidth-server",
    "/tool/graphing/interface",
    "/tool/mac-server",
    "/tool/mac-server/mac-winbox",
    "/tool/netwatch",
    "/tool/romon",
)
# Shown through a more specific menu (/interface/ethernet, /interface/bridge, ...), never itself.
_NOT_EXPORTED = frozenset({"/interface", "/log"})
# Stored facts that are no property: never written.
_FACTS = frozenset({"dynamic", "builtin"})
# Properties /export writes even at their default (``add action=accept chain=input ...``);
# community.routeros's field data, taken from exports, gives them no default for that reason.
_ALWAYS_WRITTEN = {
    "/ip/firewall/filter": frozenset({"action"}),
    "/ip/firewall/nat": frozenset({"action"}),
    "/ip/firewall/mangle": frozenset({"action", "passthrough"}),
    "/ipv6/firewall/filter": frozenset({"action"}),
    "/ip/firewall/raw": frozenset({"action"}),
    "/ip/dns/static": frozenset({"type"}),
    "/system/script": frozenset({"dont-require-permissions", "owner"}),
    "/system/scheduler": frozenset({"start-time"}),
}
# The same, for some versions only: (since, until, names). RouterOS 7 writes `disabled=no` for
# routes, routing tables and rules; RouterOS 6 writes every static route's `distance`.
_ALWAYS_WRITTEN_IN = {
    "/ip/route": (("7.0", None, frozenset({"disabled"})), (None, "7.0", frozenset({"distance"}))),
    "/ipv6/route": (("7.0", None, frozenset({"disabled"})), (None, "7.0", frozenset({"distance"}))),
    "/routing/table": (("7.0", None, frozenset({"disabled"})),),
    "/routing/rule": (("7.0", None, frozenset({"disabled"})),),
}


def _always_written(path: str, version: str) -> frozenset[str]:
    names = set(_ALWAYS_WRITTEN.get(path, frozenset()))
    for since, until, more in _ALWAYS_WRITTEN_IN.get(path, ()):
        if (since is None or version_at_least(version, since)) and (
            until is None or not version_at_least(version, until)
        ):
            names.update(more)
    return frozenset(names)


def _flag_words(menu: Menu, values: list[tuple[str, str]]) -> list[tuple[str | None, str]]:
    """Flags set by naming them (``fib``) are written as the bare word."""
    out: list[tuple[str | None, str]] = []
    for key, value in values:
        prop = menu.prop(key)
        out.append((None, key) if prop is not None and prop.kind == "flag-word" else (key, value))
    return out


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
    kept: dict[str, list[str]] = {}
    for line in router.verbatim:
        kept.setdefault(line["menu"], []).append(_verbatim(line))
    bodies: list[tuple[str, list[str]]] = []
    for section, menu, view in _sections(router, list(kept)):
        body = _section(router, stock, menu, view, verbose) if menu is not None else []
        bodies.append((section, body + kept.get(section, [])))
    for section, body in _split_as_loaded(bodies, router.section_order):
        if body:
            lines.append("/" + section.strip("/").replace("/", " "))
            lines.extend(body)
    return "\n".join(lines) + "\n"


def _split_as_loaded(bodies: list[tuple[str, list[str]]], loaded: list[list[Any]]) -> list[tuple[str, list[str]]]:
    """A menu whose commands a loaded export had in several sections (RouterOS writes a virtual AP
    after the security profile it names) gets those sections again, where they were, as long as it
    has at least the commands counted then (lines added since go to its last section); otherwise
    they stay together."""
    counts: dict[str, list[int]] = {}
    for menu, count in loaded:
        counts.setdefault(menu, []).append(count)
    out: list[tuple[tuple[str, int], list[str]]] = []
    for section, body in bodies:
        split = len(counts.get(section, ())) > 1 and sum(counts[section]) <= len(body)
        out.append(((section, 0), body[: counts[section][0]] if split else body))
    seen: dict[str, int] = {}
    previous: tuple[str, int] | None = None
    for menu, _ in loaded:
        number = seen.get(menu, -1) + 1
        seen[menu] = number
        key = (menu, number)
        body = dict(bodies).get(menu, [])
        if number > 0 and previous is not None and len(counts[menu]) > 1 and sum(counts[menu]) <= len(body):
            start = sum(counts[menu][:number])
            end = start + counts[menu][number] if number < len(counts[menu]) - 1 else len(body)
            at = next((i for i, (k, _) in enumerate(out) if k == previous), len(out) - 1)
            out.insert(at + 1, (key, body[start:end]))
        if any(k == key for k, _ in out):
            previous = key
    return [(section, body) for (section, _), body in out]


def _grouped(values: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Dotted names after one of the same group are written from the dot (``.ssid=x``), as RouterOS 7 does."""
    out: list[tuple[str, str]] = []
    group = ""
    for key, value in values:
        head, dot, tail = key.rpartition(".")
        out.append((f".{tail}" if dot and head == group else key, value))
        group = head if dot else ""
    return out


def _verbatim(line: Mapping[str, Any]) -> str:
    """A kept line of a menu the model lacks, written as it came (``rsc_run.verbatim_line``)."""
    params = [(key, Raw(value) if raw else value) for key, value, raw in line["params"]]
    return render_command(list(line["words"]), params)  # type: ignore[arg-type]


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
        # Only a router built for a model says so: loading the export builds that model's ports.
        if router.model is not None and "model" in board.items[0]:
            lines.append(f"# model = {board.items[0]['model']}")
        if "serial-number" in board.items[0]:
            lines.append(f"# serial number = {board.items[0]['serial-number']}")
    return lines


def _sections(router: Router, kept: list[str]) -> list[tuple[str, Menu | None, _View | None]]:
    found: dict[str, tuple[Menu | None, _View | None]] = {}
    for path, menu in router.menus.items():
        if path not in _NOT_EXPORTED:
            found[path] = (menu, None)
    for path, view in _VIEWS.items():
        if path not in found and view.menu in router.menus:
            found[path] = (router.menus[view.menu], view)

    for path in kept:
        found.setdefault(path, (None, None))

    def position(path: str) -> tuple[int, int, str]:
        if path in _EXPORT_ORDER:
            return (_EXPORT_ORDER.index(path), 0, "")
        if path in router.menus:
            return (len(_EXPORT_ORDER), 0, path)
        return (len(_EXPORT_ORDER), 1 + kept.index(path), "")

    ordered = sorted(found, key=position)
    # Sections a loaded export had keep its order (RouterOS orders them by what refers to what);
    # the others stay where RouterOS's usual order puts them.
    seen = list(dict.fromkeys(menu for menu, _ in router.section_order if menu in found))
    slots = iter(seen)
    ordered = [next(slots) if path in set(seen) else path for path in ordered]
    return [(path, *found[path]) for path in ordered]


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


def _extras(menu: Menu, item: Mapping[str, str]) -> dict[str, str]:
    """Values of properties the model does not know, kept as a script gave them."""
    return {k: v for k, v in item.items() if menu.prop(k) is None and not k.startswith(".") and k not in _FACTS}


def _values(menu: Menu, item: Mapping[str, str], verbose: bool, version: str = "7.0") -> list[tuple[str | None, str]]:
    always = _always_written(menu.path, version)
    if menu.path == "/ip/dns/static" and not version_at_least(version, "7.10"):
        always = frozenset()  # before 7.10 the default type=A is left out
    kept = menu.keeps_given(version)
    values = []
    for prop in _settable(menu):
        value = item.get(prop.name)
        if value is None or (value == prop.default and not kept):
            if prop.default is None or not (verbose or prop.name in always) or not menu.applies(prop, item):
                continue
            value = prop.default
        values.append((prop.name, _shown(prop, value)))
    values.extend(_extras(menu, item).items())
    return _flag_words(menu, _grouped(sorted(values)))


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
    extras, stock_extras = _extras(menu, item), _extras(menu, stock)
    values.extend((name, value) for name, value in extras.items() if stock_extras.get(name) != value)
    unset.extend(name for name in stock_extras if name not in extras)
    return _grouped(sorted(values)), unset


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
    # The router's own entries (link-local addresses, the main table) are never exported.
    stock_items = [item for item in visible(stock_router.tables[menu.path].items) if item.get("dynamic") != "true"]
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
        if (values or unset) and menu.path == "/interface/bridge":
            # RouterOS has no built-in bridge: defconf adds it, and so does its export (loading adopts it).
            lines.append(render_command(["add"], _values(menu, item, verbose, router.version)))
        elif values or unset:
            words = ["set", _selector(menu, stock), *(f"!{name}" for name in unset)]
            lines.append(render_command(words, values))
    for item in items:
        if item[".id"] in stock_by_id or item.get("dynamic") == "true" or item.get("builtin") == "true":
            continue
        lines.append(render_command(["add"], _values(menu, item, verbose, router.version)))
    return lines

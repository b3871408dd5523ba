"""Router mixin: ``print`` (queries, ``.proplist``, ``count-only``) and how an item is shown."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from datetime import datetime

from .query import QueryError, compile_query
from .router_leases import LEASE_GATEWAY
from .schema import SHOW_ALWAYS, SHOW_NONDEFAULT, Menu, version_at_least
from .tables import BAD_QUERY, PRINT_PARAMETERS, Reply, Table, TrapError, id_number
from .values import format_time

__all__ = ["PrintMixin"]

# Stored facts of an item that are not properties of a loose menu's print.
_NOT_SHOWN = frozenset({".id", "dynamic", "builtin"})


class PrintMixin:
    """What ``Router`` answers to ``print``/``getall``, with defaults and computed values filled in."""

    version: str
    tables: dict[str, Table]
    menus: dict[str, Menu]
    clock: Callable[[], datetime]
    booted: datetime

    def _print(self, menu: Menu, attributes: Mapping[str, str], queries: list[str]) -> list[Reply]:
        for name in attributes:
            if name not in PRINT_PARAMETERS:
                raise self._unknown_parameter(name)
        try:
            query = compile_query(queries, lambda name, value: self._normalize_query_value(menu, name, value))
        except QueryError as error:
            raise TrapError(BAD_QUERY.format(error)) from None
        table = self.tables[menu.path]
        items = table.items
        if attributes.get("from"):
            wanted = {id_number(item_id) for item_id in self._ids(menu, {"numbers": attributes["from"]})}
            items = [item for item in items if id_number(item[".id"]) in wanted]
        views = [view for view in (self.view(menu.path, item) for item in items) if query(view)]
        if "count-only" in attributes:
            return [("!done", {"ret": str(len(views))})]
        proplist = attributes.get(".proplist")
        if proplist is not None:
            keep = [name for name in proplist.split(",") if name]
            views = [{name: view[name] for name in keep if name in view} for view in views]
        replies: list[Reply] = [("!re", view) for view in views]
        if not replies and version_at_least(self.version, "7.18"):
            replies.append(("!empty", {}))
        replies.append(("!done", {}))
        return replies

    def view(self, path: str, item: Mapping[str, str]) -> dict[str, str]:
        """``item`` as ``print`` shows it: ``.id`` (not for singletons), then every property in
        RouterOS's order with defaults and computed values filled in."""
        menu = self.menus[path]
        shown: dict[str, str] = {} if menu.singleton else {".id": item[".id"]}
        for prop in menu.props:
            if prop.name in shown:
                continue
            if prop.computed:
                value = self._computed(menu, item, prop.name)
                if value is not None:
                    shown[prop.name] = value
            elif prop.name in item:
                if not (prop.show == SHOW_NONDEFAULT and item[prop.name] == prop.default):
                    shown[prop.name] = item[prop.name]
            elif prop.show == SHOW_ALWAYS and prop.default is not None and menu.applies(prop, item):
                shown[prop.name] = prop.default
            elif menu.path == "/ip/address" and prop.name == "network" and "address" in item:
                # Unless given, the network follows from the address.
                shown["network"] = str(ipaddress.IPv4Interface(item["address"]).network.network_address)
        if menu.loose:
            # Properties the model keeps as given: after the modelled ones, in the order they came.
            for key, value in item.items():
                if key not in shown and menu.prop(key) is None and key not in _NOT_SHOWN:
                    shown[key] = value
        return shown

    def _computed(self, menu: Menu, item: Mapping[str, str], name: str) -> str | None:
        if menu.path == "/system/clock":
            return self._clock_value(name)  # type: ignore[attr-defined]
        if menu.path == "/ip/dhcp-client" and name in ("status", "address", "gateway"):
            lease = self._lease_of(item)  # type: ignore[attr-defined]
            if name == "status":
                return (
                    "bound" if lease is not None else ("stopped" if item.get("disabled") == "true" else "searching...")
                )
            if lease is None:
                return None
            return lease["address"] if name == "address" else LEASE_GATEWAY
        if name in ("bytes", "packets"):
            return item.get(name, "0")
        if name == "invalid":
            return "true" if self._is_invalid(menu, item) else "false"
        if name == "actual-interface":
            return item.get("interface")
        if name == "actual-mtu":
            mtu = item.get("mtu", "1500" if menu.path == "/interface" else "auto")
            return mtu if mtu.isdigit() else "1500"
        if name == "l2mtu":
            return item.get("l2mtu", "65535")
        if name == "active":
            return "false" if item.get("disabled") == "true" else "true"
        if name == "static":
            return "false" if item.get("dynamic") == "true" else "true"
        if name == "inactive":
            return "true" if item.get("disabled") == "true" else "false"
        if name == "slave":
            ports = self.tables["/interface/bridge/port"].items
            return "true" if any(port.get("interface") == item.get("name") for port in ports) else "false"
        if name == "status":
            return self._cloud_status(item)
        if name == "uptime":
            return format_time(max(0, int((self.clock() - self.booted).total_seconds())))
        if name == "version":
            channel = "stable" if version_at_least(self.version, "7.0") else "long-term"
            return f"{self.version} ({channel})"
        if name == "upgrade-firmware":
            return self.version
        return item.get(name)

    def _is_invalid(self, menu: Menu, item: Mapping[str, str]) -> bool:
        if item.get("disabled") == "true" and menu.path == "/ip/address":
            return False
        for prop in menu.props:
            if prop.refers is None or prop.name not in item:
                continue
            name = item[prop.name].removeprefix("!")
            if name not in self._names_in(prop.refers):
                return True
        return False

    def _cloud_status(self, item: Mapping[str, str]) -> str | None:
        if item.get("ddns-enabled") not in ("true", "yes"):
            return None
        return "updated" if item.get("public-address") else "updating..."

    def _timestamp(self) -> str:
        now = self.clock()
        if version_at_least(self.version, "7.10"):
            return now.strftime("%Y-%m-%d %H:%M:%S")
        return now.strftime("%b/%d/%Y %H:%M:%S").lower()

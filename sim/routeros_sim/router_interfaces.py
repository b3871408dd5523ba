"""Router mixin: interface bookkeeping (a bridge, a VLAN, ... lives in two menus; renames reach every reference)."""

from __future__ import annotations

from .schema import LINK_PREFIXES, Menu
from .tables import Table, TrapError

__all__ = ["InterfacesMixin"]

_NAME_TAKEN = "failure: already have interface with such name"


class InterfacesMixin:
    """Keeps ``/interface`` and the interface-creating menus (``/interface/bridge``, ``/interface/vlan``,
    ...) in step, and names consistent across menus."""

    tables: dict[str, Table]
    menus: dict[str, Menu]
    _link_paths: dict[str, str]

    def _create_bridge(self, values: dict[str, str], mac: str | None = None) -> str:
        return self._create_link(self.menus["/interface/bridge"], values, mac=mac)

    def _create_link(
        self, menu: Menu, values: dict[str, str], mac: str | None = None, default_name: str | None = None
    ) -> str:
        """Add ``values`` to ``menu`` and its twin to ``/interface`` (type ``menu.interface_type``)."""
        table, interfaces = self.tables[menu.path], self.tables["/interface"]
        bridge = menu.interface_type == "bridge"
        item = dict(values)
        if "name" not in item:
            taken = interfaces.names()
            prefix = LINK_PREFIXES[menu.path]
            item["name"] = next(f"{prefix}{n}" for n in range(1, len(taken) + 2) if f"{prefix}{n}" not in taken)
        if item["name"] in interfaces.names():
            raise TrapError(_NAME_TAKEN)
        if default_name is not None:
            item["default-name"] = default_name
        self._check(menu, item)  # type: ignore[attr-defined]
        if bridge:
            mac = mac or f"D4:01:C3:5B:{table.next_id // 256:02X}:{table.next_id % 256:02X}"
        item_id = table.allocate_id()
        stored = {".id": item_id, **item}
        interface = {".id": interfaces.allocate_id(), "name": item["name"], "type": str(menu.interface_type)}
        if default_name is not None:
            interface["default-name"] = default_name
        if mac is not None:
            stored["mac-address"] = mac
            interface["mac-address"] = mac
        if bridge:
            interface.update({"mtu": item.get("mtu", "auto"), "l2mtu": "65535"})
        if "comment" in item:
            interface["comment"] = item["comment"]
        if self._link_disabled(menu, item):
            interface["disabled"] = "true"
        table.items.append(stored)
        interfaces.items.append(interface)
        return item_id

    def _sync_link(self, path: str, old_name: str | None, item: dict[str, str]) -> None:
        """An interface-creating menu's item and its ``/interface`` twin: keep the shared values equal."""
        if path == "/interface":
            other_path = self._link_paths.get(item.get("type", ""))
            if other_path is None:
                return
        else:
            other_path = "/interface"
        other = self.tables[other_path].by_name(old_name or "")
        if other is None:
            return
        for key in ("name", "comment"):
            if key in item:
                other[key] = item[key]
            else:
                other.pop(key, None)
        link_menu = self.menus[path if path != "/interface" else other_path]
        disabled = self._link_disabled(link_menu, item) if path != "/interface" else item.get("disabled") == "true"
        default = link_menu.prop("disabled").default if other_path != "/interface" else "false"  # type: ignore[union-attr]
        if ("true" if disabled else "false") == default:
            other.pop("disabled", None)
        else:
            other["disabled"] = "true" if disabled else "false"
        if "/interface/bridge" not in (path, other_path):
            return
        mtu = item.get("mtu", "auto")  # "auto" is the bridge's default, stored in /interface
        if other_path == "/interface":
            other["mtu"] = mtu
        elif mtu == "auto":
            other.pop("mtu", None)
        else:
            other["mtu"] = mtu

    @staticmethod
    def _link_disabled(menu: Menu, item: dict[str, str]) -> bool:
        prop = menu.prop("disabled")
        return item.get("disabled", prop.default if prop is not None else "false") == "true"

    def _rename_references(self, references: tuple[tuple[str, tuple[str, ...]], ...], old: str, new: str) -> None:
        for path, names in references:
            if path not in self.tables:  # a menu of a disabled package
                continue
            for item in self.tables[path].items:
                for name in names:
                    value = item.get(name)
                    if value == old:
                        item[name] = new
                    elif value == "!" + old:
                        item[name] = "!" + new

    def _forget_link(self, kind: str, name: str) -> None:
        """Removing an interface (from either menu) removes its other half; a bridge's ports go with it."""
        path = self._link_paths.get(kind)
        interfaces = self.tables["/interface"]
        interfaces.items = [i for i in interfaces.items if not (i.get("name") == name and i.get("type") == kind)]
        if path is not None:
            table = self.tables[path]
            table.items = [i for i in table.items if i.get("name") != name]
        if kind == "bridge":
            ports = self.tables["/interface/bridge/port"]
            ports.items = [port for port in ports.items if port.get("bridge") != name]

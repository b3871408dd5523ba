"""Router mixin: interface bookkeeping (a bridge lives in two menus; renames reach every reference)."""

from __future__ import annotations

from collections.abc import Mapping

from .schema import Menu
from .tables import Table, TrapError

__all__ = ["InterfacesMixin", "is_bridge_item"]


class InterfacesMixin:
    """Keeps ``/interface`` and ``/interface/bridge`` in step and names consistent across menus."""

    tables: dict[str, Table]
    menus: dict[str, Menu]

    def _create_bridge(self, values: dict[str, str], mac: str | None = None) -> str:
        bridges, interfaces = self.tables["/interface/bridge"], self.tables["/interface"]
        item = dict(values)
        if "name" not in item:
            taken = interfaces.names()
            item["name"] = next(f"bridge{n}" for n in range(1, len(taken) + 2) if f"bridge{n}" not in taken)
        if item["name"] in interfaces.names():
            raise TrapError("failure: already have interface with such name")
        self._check(self.menus["/interface/bridge"], item)
        mac = mac or f"D4:01:C3:5B:{bridges.next_id // 256:02X}:{bridges.next_id % 256:02X}"
        bridge_id = bridges.allocate_id()
        bridges.items.append({".id": bridge_id, **item, "mac-address": mac})
        interface = {".id": interfaces.allocate_id(), "name": item["name"], "type": "bridge", "mac-address": mac}
        interface.update({"mtu": item.get("mtu", "auto"), "l2mtu": "65535"})
        for shared in ("disabled", "comment"):
            if shared in item:
                interface[shared] = item[shared]
        interfaces.items.append(interface)
        return bridge_id

    def _sync_bridge(self, path: str, old_name: str | None, item: dict[str, str]) -> None:
        """A bridge is an item of both ``/interface/bridge`` and ``/interface``: keep the shared values equal."""
        if path == "/interface" and item.get("type") != "bridge":
            return
        other_path = "/interface" if path == "/interface/bridge" else "/interface/bridge"
        other = self.tables[other_path].by_name(old_name or "")
        if other is None:
            return
        for key in ("name", "disabled", "comment"):
            if key in item:
                other[key] = item[key]
            else:
                other.pop(key, None)
        mtu = item.get("mtu", "auto")  # "auto" is the bridge's default, stored in /interface
        if other_path == "/interface":
            other["mtu"] = mtu
        elif mtu == "auto":
            other.pop("mtu", None)
        else:
            other["mtu"] = mtu

    def _rename_references(self, references: tuple[tuple[str, tuple[str, ...]], ...], old: str, new: str) -> None:
        for path, names in references:
            for item in self.tables[path].items:
                for name in names:
                    value = item.get(name)
                    if value == old:
                        item[name] = new
                    elif value == "!" + old:
                        item[name] = "!" + new

    def _forget_bridge(self, name: str) -> None:
        """Removing a bridge (from either menu) removes its other half and its ports."""
        for path in ("/interface", "/interface/bridge"):
            table = self.tables[path]
            table.items = [
                item for item in table.items if not (item.get("name") == name and is_bridge_item(path, item))
            ]
        ports = self.tables["/interface/bridge/port"]
        ports.items = [port for port in ports.items if port.get("bridge") != name]


def is_bridge_item(path: str, item: Mapping[str, str]) -> bool:
    """True for the bridge's item in ``path`` (every item of ``/interface/bridge``; type=bridge in ``/interface``)."""
    return path == "/interface/bridge" or item.get("type") == "bridge"

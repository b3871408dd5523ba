"""Router mixin: the write commands (add, set, unset, remove, enable/disable, move) on a menu's table."""

from __future__ import annotations

from collections.abc import Mapping

from .schema import Menu
from .tables import (
    ADDRESS_LIST,
    BUILTIN_CHANGE,
    BUILTIN_REMOVE,
    DYNAMIC_CHANGE,
    DYNAMIC_MOVE,
    DYNAMIC_REMOVE,
    INTERFACE_REFERENCES,
    LIST_REFERENCES,
    MISSING_VALUE,
    NO_MATCH,
    NO_SUCH_ITEM,
    PHYSICAL_REMOVE,
    UNSET_REQUIRED,
    Table,
    TrapError,
    id_number,
)

__all__ = ["CommandsMixin"]


class CommandsMixin:
    """What ``Router`` does for each write command; every method raises TrapError and leaves undo to the caller."""

    tables: dict[str, Table]
    menus: dict[str, Menu]
    _dns_entries: dict[str, tuple[str, str]]
    _link_paths: dict[str, str]

    def _ids(self, menu: Menu, attributes: Mapping[str, str], *, required: bool = True) -> list[str]:
        """The ``.id``s named by ``.id`` or ``numbers`` (comma-separated ids, or names where a menu has them)."""
        text = attributes.get(".id", attributes.get("numbers"))
        if text is None or text == "":
            if required:
                raise TrapError(MISSING_VALUE.format("numbers"))
            return []
        table = self.tables[menu.path]
        found: list[str] = []
        for part in text.split(","):
            item = table.find(part) if part.startswith("*") else None
            if item is None and menu.named:
                item = table.by_name(part)
            if item is None:
                raise TrapError(NO_SUCH_ITEM)
            if item[".id"] not in found:
                found.append(item[".id"])
        return found

    def _editable(self, item: Mapping[str, str]) -> None:
        if item.get("dynamic") == "true":
            raise TrapError(DYNAMIC_CHANGE)
        if item.get("builtin") == "true":
            raise TrapError(BUILTIN_CHANGE)

    @staticmethod
    def _without_ids(attributes: Mapping[str, str]) -> dict[str, str]:
        return {name: value for name, value in attributes.items() if name not in (".id", "numbers")}

    def _add(self, menu: Menu, attributes: Mapping[str, str], *, dynamic: bool = False) -> str:
        table = self.tables[menu.path]
        attributes = dict(attributes)
        position = len(table.items)
        if "place-before" in attributes:
            if not menu.ordered:
                raise self._unknown_parameter("place-before")
            index = table.index_of(attributes.pop("place-before"))
            if index is None:
                raise TrapError(NO_SUCH_ITEM)
            position = index
        item: dict[str, str] = {}
        if "copy-from" in attributes:
            source = table.find(attributes.pop("copy-from"))
            if source is None:
                raise TrapError(NO_SUCH_ITEM)
            item = {key: value for key, value in source.items() if key not in (".id", "dynamic", "builtin")}
        self._apply(menu, item, attributes)
        if dynamic or (menu.path == ADDRESS_LIST and "timeout" in item):
            item["dynamic"] = "true"  # timed entries live in RAM: RouterOS shows them as dynamic
        if menu.interface_type:
            return self._create_link(menu, item)
        self._prepare_item(menu, item, True)  # type: ignore[attr-defined]
        self._check(menu, item)
        if menu.path == ADDRESS_LIST:
            item["creation-time"] = self._timestamp()
        item_id = table.allocate_id()
        table.items.insert(position, {".id": item_id, **item})
        return item_id

    def _set(self, menu: Menu, attributes: Mapping[str, str]) -> None:
        table = self.tables[menu.path]
        changes = self._without_ids(attributes)
        if menu.singleton:
            targets = [table.items[0]]
        else:
            targets = [table.find(item_id) for item_id in self._ids(menu, attributes)]  # type: ignore[misc]
        for item in targets:
            assert item is not None
            self._editable(item)
            updated = dict(item)
            self._apply(menu, updated, changes)
            self._commit(menu, item, updated)

    def _commit(self, menu: Menu, item: dict[str, str], updated: dict[str, str]) -> None:
        """Validate ``updated`` as the new state of ``item`` and store it, with its side effects."""
        self._prepare_item(menu, updated, False)  # type: ignore[attr-defined]
        self._check(menu, updated, ignore_id=item.get(".id"))
        old_name, new_name = item.get("name"), updated.get("name")
        renamed_link = menu.interface_type is not None and old_name != new_name
        if renamed_link and new_name in self.tables["/interface"].names():
            raise TrapError("failure: already have interface with such name")
        item.clear()
        item.update(updated)
        if menu.path == "/interface" or menu.interface_type:
            self._sync_link(menu.path, old_name, item)
            if old_name is not None and new_name is not None and old_name != new_name:
                self._rename_references(INTERFACE_REFERENCES, old_name, new_name)
        elif menu.path == "/interface/list" and old_name is not None and new_name is not None and old_name != new_name:
            self._rename_references(LIST_REFERENCES, old_name, new_name)
        elif menu.path == "/ip/cloud":
            self._update_cloud_name(item)

    def _update_cloud_name(self, cloud: dict[str, str]) -> None:
        """With DDNS on, the router has its ``<serial>.sn.mynetname.net`` name; with it off, none."""
        enabled = cloud.get("ddns-enabled")
        if enabled in ("true", "yes"):
            serial = self.tables["/system/routerboard"].items[0].get("serial-number", "0000")
            cloud.setdefault("dns-name", f"{serial.lower()}.sn.mynetname.net")
        elif enabled in ("false", "no"):
            cloud.pop("dns-name", None)

    def _unset(self, menu: Menu, attributes: Mapping[str, str]) -> None:
        names = attributes.get("value-name")
        if not names:
            raise TrapError(MISSING_VALUE.format("value-name"))
        props = []
        for name in names.split(","):
            prop = menu.prop(name)
            if prop is None or not prop.settable:
                raise TrapError(NO_MATCH.format("value-name"))
            if prop.required:
                raise TrapError(UNSET_REQUIRED.format(name))
            props.append(prop)
        table = self.tables[menu.path]
        targets = [table.items[0]] if menu.singleton else [table.find(i) for i in self._ids(menu, attributes)]
        for item in targets:
            assert item is not None
            self._editable(item)
            updated = {key: value for key, value in item.items() if key not in {prop.name for prop in props}}
            self._commit(menu, item, updated)

    def _set_disabled(self, menu: Menu, attributes: Mapping[str, str], value: str) -> None:
        self._set(menu, {".id": ",".join(self._ids(menu, attributes)), "disabled": value})

    def _remove(self, menu: Menu, attributes: Mapping[str, str]) -> None:
        table = self.tables[menu.path]
        doomed = self._ids(menu, attributes)
        for item_id in doomed:
            item = table.find(item_id)
            assert item is not None
            if item.get("dynamic") == "true" and (not menu.dynamic_removable or item_id in self._dns_entries):
                raise TrapError(DYNAMIC_REMOVE)  # entries made from a DNS name belong to that name's entry
            if item.get("builtin") == "true":
                raise TrapError(BUILTIN_REMOVE)
            physical = "default-name" in item or item.get("type") not in self._link_paths
            if (menu.path == "/interface" and physical) or (menu.interface_type and "default-name" in item):
                raise TrapError(PHYSICAL_REMOVE)
        for item_id in doomed:
            item = table.find(item_id)
            assert item is not None
            table.items.remove(item)
            if menu.path == "/interface" or menu.interface_type:
                self._forget_link(item.get("type", menu.interface_type or ""), item.get("name", ""))

    def _move(self, menu: Menu, attributes: Mapping[str, str]) -> None:
        table = self.tables[menu.path]
        moving = self._ids(menu, attributes)
        destination = attributes.get("destination")
        for item_id in moving:
            item = table.find(item_id)
            assert item is not None
            if item.get("dynamic") == "true":
                raise TrapError(DYNAMIC_MOVE)
        target_index = len(table.items)
        if destination:
            index = table.index_of(destination)
            if index is None:
                raise TrapError(NO_SUCH_ITEM)
            target_index = index
        moved_numbers = {id_number(item_id) for item_id in moving}
        # The moved items go before the first item at or after `destination` that stays where it is.
        anchor = next(
            (item for item in table.items[target_index:] if id_number(item[".id"]) not in moved_numbers),
            None,
        )
        moved = [table.find(item_id) for item_id in moving]
        rest = [item for item in table.items if id_number(item[".id"]) not in moved_numbers]
        position = len(rest) if anchor is None else rest.index(anchor)
        table.items = rest[:position] + moved + rest[position:]  # type: ignore[operator]

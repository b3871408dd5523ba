"""Router mixin: parsing client values into stored ones, and the rules between properties and items."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .schema import Menu, Prop, version_at_least
from .tables import (
    MISSING_VALUE,
    NEEDS_PORT_PROTOCOL,
    NO_MATCH,
    ONE_OF_BOTH,
    ONLY_WITH,
    UNKNOWN_PARAMETER,
    Table,
    TrapError,
    joined_choices,
)
from .values import PARSERS, PORT_PROTOCOLS, BadValueError, Spec

__all__ = ["ValuesMixin"]

# Property names as RouterOS spells them, dotted ones (`configuration.ssid`) included.
_LOOSE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*")


class ValuesMixin:
    """How ``Router`` turns ``=name=value`` words into stored values and checks the result."""

    version: str
    tables: dict[str, Table]
    _keep_unknown: bool

    def _unknown_parameter(self, name: str) -> TrapError:
        if version_at_least(self.version, "7.0"):
            return TrapError(f"{UNKNOWN_PARAMETER} {name}")
        return TrapError(UNKNOWN_PARAMETER)

    def _parse(self, prop: Prop, raw: str) -> str:
        negation = ""
        if prop.negatable and raw.startswith("!"):
            negation, raw = "!", raw[1:]
        spec = Spec(prop.name, prop.choices, prop.multi, prop.low, prop.high)
        try:
            return negation + PARSERS[prop.kind](raw, spec)
        except BadValueError as bad:
            raise TrapError(bad.message) from None

    def _normalize_query_value(self, menu: Menu, name: str, value: str) -> str:
        prop = menu.prop(name)
        if prop is None:
            return value
        try:
            return self._parse(prop, value)
        except TrapError:
            return value

    def _settable(self, menu: Menu, name: str) -> Prop:
        prop = menu.prop(name)
        if prop is None and _LOOSE_NAME.fullmatch(name) and (menu.loose or (self._keep_unknown and not menu.exact)):
            return Prop(name, "str")  # not modelled: kept as given, printed and exported back as is
        if prop is None or not prop.settable:
            raise self._unknown_parameter(name)
        return prop

    def _apply(self, menu: Menu, item: dict[str, str], attributes: Mapping[str, str]) -> None:
        """Parse ``attributes`` into ``item`` (``=!name=`` and empty text values unset ``name``)."""
        for name, raw in attributes.items():
            if name.startswith("!"):
                item.pop(self._settable(menu, name[1:]).name, None)
                continue
            prop = self._settable(menu, name)
            if raw == "" and prop.kind == "str" and menu.prop(name) is not None:
                item.pop(name, None)  # an empty text (`comment=""`) removes it
                continue
            value = self._parse(prop, raw)
            if value == prop.default and not menu.keeps_given(self.version):
                item.pop(name, None)  # items keep only what differs from the default
            else:
                item[name] = value

    def _effective(self, menu: Menu, item: Mapping[str, str], name: str) -> str | None:
        if name in item:
            return item[name]
        prop = menu.prop(name)
        return prop.default if prop is not None else None

    def _names_in(self, path: str) -> set[str]:
        if path == "/interface":
            return self.tables["/interface"].names()
        return self.tables[path].names()

    def _check(self, menu: Menu, item: dict[str, str], *, ignore_id: str | None = None) -> None:
        missing = [prop.name for prop in menu.props if prop.required and prop.name not in item]
        if missing:
            raise TrapError(MISSING_VALUE.format(" ".join(missing)))
        if menu.one_of:
            present = [name for name in menu.one_of if name in item]
            if not present:
                raise TrapError(MISSING_VALUE.format(menu.one_of[0]))
            if len(present) > 1:
                raise TrapError(ONE_OF_BOTH.format(*present[:2]))
        for name, (other, values) in menu.required_when:
            if menu.prop(other) is None:
                continue  # this version has no such property (RouterOS 6 before 6.47 has no DNS type)
            if self._effective(menu, item, other) in values and name not in item:
                raise TrapError(MISSING_VALUE.format(name))
        protocol = item.get("protocol", "")
        for prop in menu.props:
            if prop.name not in item:
                continue
            if prop.only_with is not None and menu.prop(prop.only_with[0]) is not None:
                other, values = prop.only_with
                if self._effective(menu, item, other) not in values:
                    raise TrapError(ONLY_WITH.format(prop.name, other, joined_choices(values)))
            if prop.ports and (protocol.startswith("!") or protocol not in PORT_PROTOCOLS):
                raise TrapError(NEEDS_PORT_PROTOCOL.format(prop.name))
            if prop.refers is not None and prop.strict and item[prop.name] not in self._names_in(prop.refers):
                raise TrapError(NO_MATCH.format(prop.name))
        self._check_unique(menu, item, ignore_id)

    def _check_unique(self, menu: Menu, item: Mapping[str, str], ignore_id: str | None) -> None:
        for rule in menu.unique:
            if rule.static_only and item.get("dynamic") == "true":
                continue
            fields = [(name, menu.prop(name).default) for name in rule.props]  # type: ignore[union-attr]
            key = [item.get(name, default) for name, default in fields]
            for other in self.tables[menu.path].items:
                if [other.get(name, default) for name, default in fields] != key:
                    continue
                if other[".id"] == ignore_id or other is item:
                    continue
                if rule.static_only and other.get("dynamic") == "true":
                    continue
                raise TrapError(rule.message)
        if menu.interface_type and "name" in item:
            # A bridge (a VLAN, ...) is an interface too: its name may not be any other interface's.
            own = self.tables["/interface"].by_name(item.get("name", ""))
            if own is not None and own.get("type") != menu.interface_type:
                raise TrapError("failure: already have interface with such name")

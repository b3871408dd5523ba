"""What a menu is made of (``Prop``, ``Menu``, ``Unique``), versions, and helpers that build properties.

How a property is printed (``show``):

* ``"set"`` - only when the item has a value (matchers, ``comment``);
* ``"always"`` - always; the default when the item has no value (``action``, ``disabled``);
* ``"nondefault"`` - only when set to something other than the default (RouterOS 7 hides
  ``log=false``/``log-prefix=""`` in NAT and filter rules; RouterOS 6 printed them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "ACTION_COMMANDS",
    "DEFAULT_VERSION",
    "OLD_VERSION",
    "READ_COMMANDS",
    "WRITE_COMMANDS",
    "Menu",
    "Prop",
    "Unique",
    "version_at_least",
    "version_tuple",
]

DEFAULT_VERSION = "7.20.6"
OLD_VERSION = "6.49.18"

#: Commands that change state (``is_write``); ``comment`` sets the comment of items.
WRITE_COMMANDS = frozenset({"add", "set", "unset", "remove", "move", "enable", "disable", "comment"})
READ_COMMANDS = frozenset({"print", "getall"})
#: Commands that start something (``/system script run``); what they change, they change through writes.
ACTION_COMMANDS = frozenset({"run"})

SHOW_SET, SHOW_ALWAYS, SHOW_NONDEFAULT = "set", "always", "nondefault"


def version_tuple(version: str) -> tuple[int, ...]:
    """``"7.20.6"`` -> ``(7, 20, 6)``; ``"7.18beta2"`` -> ``(7, 18)``."""
    parts = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if not digits:
            break
        parts.append(int(digits.group()))
        if digits.end() != len(part):
            break
    return tuple(parts)


def version_at_least(version: str, other: str) -> bool:
    return version_tuple(version) >= version_tuple(other)


@dataclass(frozen=True)
class Prop:
    """One property of a menu."""

    name: str
    kind: str = "str"  # a parser name from values.PARSERS
    default: str | None = None  # printed form of the value RouterOS uses when none is set
    show: str = SHOW_SET
    read_only: bool = False  # printed, never accepted from a client
    computed: bool = False  # read-only and worked out by the router at print time
    required: bool = False  # `add` needs it
    negatable: bool = False  # accepts a leading "!" (match the opposite)
    choices: tuple[str, ...] = ()  # for kind "enum" (and special words of "time")
    multi: bool = False  # enum: a comma-separated list of choices
    low: int | None = None  # for kind "int"
    high: int | None = None
    since: str | None = None  # first version that has it
    until: str | None = None  # first version that no longer has it
    only_with: tuple[str, tuple[str, ...]] | None = None  # e.g. ("action", ("dst-nat", ...))
    ports: bool = False  # a port matcher: needs protocol to be one of PORT_PROTOCOLS
    refers: str | None = None  # menu whose item `name` this names
    strict: bool = False  # the named item must exist (else a trap); otherwise the item is just `invalid`
    # Kind "flag-word": set by naming it (`add fib name=x`; over the API `=fib=`), printed as "".

    def exists_in(self, version: str) -> bool:
        if self.since is not None and not version_at_least(version, self.since):
            return False
        return not (self.until is not None and version_at_least(version, self.until))

    @property
    def settable(self) -> bool:
        return not (self.read_only or self.computed)


@dataclass(frozen=True)
class Unique:
    """Items may not share the values of ``props``; ``message`` is RouterOS's trap when they would."""

    props: tuple[str, ...]
    message: str
    static_only: bool = True  # dynamic items do not take part


@dataclass(frozen=True)
class Menu:
    """A menu (API path) and its properties, in print order."""

    path: str
    props: tuple[Prop, ...]
    commands: frozenset[str]
    singleton: bool = False  # one item, no .id in print, `set` without an id
    ordered: bool = False  # order matters: `move` and `add place-before=`
    named: bool = False  # items can be addressed by `name` instead of `.id`
    unique: tuple[Unique, ...] = ()
    # (property, (other, values)): property must be set when other has one of values.
    required_when: tuple[tuple[str, tuple[str, tuple[str, ...]]], ...] = ()
    one_of: tuple[str, ...] = ()  # exactly one of these must be set (dns static: name/regexp)
    dynamic_removable: bool = False  # dynamic items may be removed (address lists), never changed
    first_id: int = 1  # .id of the first item a client adds
    # What the NAT engine reads: a script may not slip unmodelled properties into these.
    exact: bool = False
    # Properties the model does not know are kept as given and printed (interface kinds it does not model in depth).
    loose: bool = False
    # Items are interfaces too: each has a twin in /interface with this type.
    interface_type: str | None = None
    since: str | None = None  # first version that has the menu (/routing/table: 7.0)
    until: str | None = None  # first version that no longer has it (/ip/route/rule: 7.0)
    # From this version on, a value given is kept even when it is the default, and exported back
    # (RouterOS 7 routes remember `distance=1`, `routing-table=main` when they were given).
    keep_given_since: str | None = None
    _by_name: dict[str, Prop] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for prop in self.props:
            self._by_name.setdefault(prop.name, prop)

    def prop(self, name: str) -> Prop | None:
        return self._by_name.get(name)

    def exists_in(self, version: str) -> bool:
        if self.since is not None and not version_at_least(version, self.since):
            return False
        return not (self.until is not None and version_at_least(version, self.until))

    def applies(self, prop: Prop, item: Mapping[str, str]) -> bool:
        """False for a property the item's other values rule out (``passthrough`` of ``action=accept``)."""
        if prop.only_with is None:
            return True
        other, values = prop.only_with
        other_prop = self.prop(other)
        return item.get(other, other_prop.default if other_prop is not None else None) in values

    def keeps_given(self, version: str) -> bool:
        return self.keep_given_since is not None and version_at_least(version, self.keep_given_since)

    def for_version(self, version: str) -> Menu:
        return replace(self, props=tuple(prop for prop in self.props if prop.exists_in(version)))


# ---------------------------------------------------------------------------------------------
# Building blocks

LIST_COMMANDS = frozenset({"print", "getall", "add", "set", "unset", "remove", "enable", "disable", "comment"})
ORDERED_COMMANDS = LIST_COMMANDS | {"move"}
SINGLETON_COMMANDS = frozenset({"print", "getall", "set", "unset"})
READ_ONLY_COMMANDS = READ_COMMANDS


def flag(
    name: str, default: str = "false", *, computed: bool = False, since: str | None = None, until: str | None = None
) -> Prop:
    """A read-only yes/no flag RouterOS always prints (``dynamic``, ``invalid``, ``running``)."""
    return Prop(
        name, "bool", default=default, show=SHOW_ALWAYS, read_only=True, computed=computed, since=since, until=until
    )


def matcher(name: str, kind: str = "str", **options: Any) -> Prop:
    """A packet matcher: optional, and ``!value`` matches everything but ``value``."""
    return Prop(name, kind, negatable=True, **options)


def always(name: str, kind: str, default: str, **options: Any) -> Prop:
    """A setting RouterOS always prints, its default when nothing else is set."""
    return Prop(name, kind, default=default, show=SHOW_ALWAYS, **options)


def counter(name: str) -> Prop:
    return Prop(name, "int", default="0", show=SHOW_ALWAYS, read_only=True, computed=True)

"""The RouterOS model: tables of items per menu, API command execution, validation and queries.

``Router.execute(command, words)`` answers one API sentence (see ``sim/DESIGN.md``): the command
word (``/ip/firewall/nat/add``) and the remaining words as received (``=key=value``, ``?query``,
``=.proplist=...``).  The menus, their properties and rules come from :mod:`routeros_sim.schema`;
value parsing and the printed forms from :mod:`routeros_sim.values`; queries from
:mod:`routeros_sim.query`.

How items are kept (``Table.items``): every item has ``.id`` (``*HEX``, per menu, only ever
growing) and the values that differ from the property's default, in the printed (canonical)
form; read-only facts RouterOS keeps (an interface's ``type``, ``default-name``, ``mac-address``,
``dynamic=true``, ``builtin=true``) are stored too.  Defaults, counters, ``invalid`` and other
computed values are added when printing.  Singleton menus (``/ip/dns``) hold one item, ``.id``
``*0``, which ``print`` does not show.

Every write either applies completely or, on a ``!trap``, changes nothing; after a successful write
the ``on_change`` callbacks run (the state layer persists there).

Version personality (``Router.empty(version)``; default ``7.20.6``, ``6.49.18`` is the old one):
``!empty`` for a ``print`` that matches nothing from 7.18 on; RouterOS 7 names the parameter in
"unknown parameter X" and answers an unknown menu or command with two traps ("no such command or
directory (X)" first); RouterOS 6 prints ``log``/``log-prefix`` of firewall rules even at their
defaults; properties added or dropped by a version follow ``schema`` (``since``/``until``);
``/interface/list`` has the built-in ``static`` list and address lists print ``creation-time`` in
the ISO form from 7; ``/system/resource`` says ``(stable)`` or ``(long-term)``.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from . import schema
from .query import QueryError, compile_query
from .schema import DEFAULT_VERSION, SHOW_ALWAYS, SHOW_NONDEFAULT, Menu, Prop, version_at_least
from .values import PARSERS, PORT_PROTOCOLS, BadValueError, Spec, format_time, is_dns_name

__all__ = ["DEFAULT_VERSION", "JSON_FORMAT", "Reply", "Router", "Table", "TrapError"]

Reply = tuple[str, dict[str, str]]
ChangeCallback = Callable[["Router"], None]

JSON_FORMAT = "routeros-sim/1"

# Trap texts.  The first group is RouterOS's own wording, as client logs and issue reports show it
# ("failure: cannot change builtin" is the answer to disabling the dynamic fasttrack dummy rule).
# RouterOS's wording for the second group is not public; those follow the same style.
NO_SUCH_ITEM = "no such item"
NO_SUCH_COMMAND = "no such command"
NO_SUCH_PREFIX = "no such command prefix"
NOT_FOUND_V7 = "no such command or directory ({})"
UNKNOWN_PARAMETER = "unknown parameter"
MISSING_VALUE = "missing value(s) of argument(s) {}"
NO_MATCH = "input does not match any value of {}"
BUILTIN_CHANGE = "failure: cannot change builtin"
DYNAMIC_CHANGE = "failure: cannot change dynamic"
DYNAMIC_REMOVE = "failure: cannot remove dynamic"
DYNAMIC_MOVE = "failure: cannot move dynamic"
BUILTIN_REMOVE = "failure: cannot remove builtin"
PHYSICAL_REMOVE = "failure: cannot remove physical interface"
UNSET_REQUIRED = "failure: cannot unset {}"
ONLY_WITH = "failure: {} can be used only with {} {}"
NEEDS_PORT_PROTOCOL = "failure: {} can be used only with protocol tcp, udp, udp-lite, sctp or dccp"
ONE_OF_BOTH = "failure: {} and {} cannot be used together"
BAD_QUERY = "invalid query: {}"

# Print parameters the API accepts besides queries; all but `.proplist`/`count-only`/`from` are no-ops here.
_PRINT_PARAMETERS = frozenset(
    {".proplist", "count-only", "detail", "without-paging", "terse", "brief", "stats", "from"}
)
_INTERFACE_REFERENCES = (
    ("/ip/firewall/nat", ("in-interface", "out-interface", "in-bridge-port", "out-bridge-port")),
    ("/ip/firewall/filter", ("in-interface", "out-interface", "in-bridge-port", "out-bridge-port")),
    ("/interface/list/member", ("interface",)),
    ("/interface/bridge/port", ("interface", "bridge")),
    ("/ip/address", ("interface",)),
)
_LIST_REFERENCES = (
    ("/ip/firewall/nat", ("in-interface-list", "out-interface-list", "in-bridge-port-list", "out-bridge-port-list")),
    ("/ip/firewall/filter", ("in-interface-list", "out-interface-list", "in-bridge-port-list", "out-bridge-port-list")),
    ("/interface/list/member", ("list",)),
)
_ADDRESS_LIST = "/ip/firewall/address-list"
#: Menus whose changes can change what DNS-name address-list entries resolve to.
_DNS_INPUTS = frozenset({_ADDRESS_LIST, "/ip/dns/static", "/ip/cloud"})
_SINGLETON_ID = "*0"


class TrapError(Exception):
    """A command RouterOS refuses: one or more ``!trap`` messages, then ``!done``."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _id_text(number: int) -> str:
    return f"*{number:X}"


def _id_number(text: str) -> int | None:
    if not text.startswith("*"):
        return None
    try:
        return int(text[1:], 16)
    except ValueError:
        return None


def _joined_choices(values: Iterable[str]) -> str:
    values = list(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


class Table:
    """The items of one menu, in order, and the number of the next ``.id`` to hand out."""

    def __init__(self, path: str, items: list[dict[str, str]] | None = None, next_id: int = 1) -> None:
        self.path = path
        self.items: list[dict[str, str]] = items if items is not None else []
        self.next_id = next_id

    def __repr__(self) -> str:
        return f"Table({self.path!r}, {len(self.items)} items, next_id={_id_text(self.next_id)})"

    def index_of(self, item_id: str) -> int | None:
        number = _id_number(item_id)
        if number is None:
            return None
        for index, item in enumerate(self.items):
            if _id_number(item[".id"]) == number:
                return index
        return None

    def find(self, item_id: str) -> dict[str, str] | None:
        index = self.index_of(item_id)
        return None if index is None else self.items[index]

    def allocate_id(self) -> str:
        item_id = _id_text(self.next_id)
        self.next_id += 1
        return item_id

    def names(self) -> set[str]:
        return {item["name"] for item in self.items if "name" in item}

    def by_name(self, name: str) -> dict[str, str] | None:
        return next((item for item in self.items if item.get("name") == name), None)


class Router:
    """A RouterOS device: its version, its menus' tables, and how it answers API commands."""

    def __init__(self, version: str = DEFAULT_VERSION) -> None:
        """A router with empty tables (no stock items); most callers want :meth:`empty`."""
        if not schema.version_tuple(version) or schema.version_tuple(version)[0] < 6:
            raise ValueError(f"not a RouterOS version: {version!r}")
        self.version = version
        self.menus: dict[str, Menu] = schema.menus_for(version)
        self.tables: dict[str, Table] = {path: Table(path, next_id=menu.first_id) for path, menu in self.menus.items()}
        #: Name -> IPv4 addresses, for DNS names not in ``/ip/dns/static`` (tests set it).
        self._dns_resolver: dict[str, list[str]] = {}
        #: ``.id`` of each dynamic address-list entry made from a DNS name -> (list, name).
        self._dns_entries: dict[str, tuple[str, str]] = {}
        # The DNS-made entries are worked out again only when their inputs may have changed.
        self._dns_dirty = True
        self._resolver_seen: dict[str, list[str]] | None = None
        self._callbacks: list[ChangeCallback] = []
        # The server runs commands on its own thread while tests may patch or read the router.
        self._lock = threading.RLock()
        #: The wall clock (address-list ``creation-time``, ``uptime``); tests may replace it.
        self.clock: Callable[[], datetime] = datetime.now
        #: When the router started; ``/system/resource uptime`` counts from here.
        self.booted: datetime = self.clock()

    # -----------------------------------------------------------------------------------------
    # Construction and persistence

    @classmethod
    def empty(cls, version: str = DEFAULT_VERSION) -> Router:
        """A stock home router: ether1-ether5 and a bridge, built-in interface lists, IP services,
        DNS, cloud, identity ``MikroTik``, resource and routerboard; no addresses, no firewall."""
        router = cls(version)
        seven = version_at_least(version, "7.0")
        interfaces = router.tables["/interface"]
        for number in range(1, 6):
            ether = {
                ".id": interfaces.allocate_id(),
                "name": f"ether{number}",
                "default-name": f"ether{number}",
                "type": "ether",
                "l2mtu": "1514",
                "max-l2mtu": "9796",
                "mac-address": f"D4:01:C3:5A:00:0{number}",
            }
            if number <= 2:  # the uplink and one LAN host are plugged in
                ether["last-link-up-time"] = "2025-01-01 00:00:10" if seven else "jan/01/2025 00:00:10"
            else:
                ether["running"] = "false"
            interfaces.items.append(ether)
        router._create_bridge({"name": "bridge"}, mac="D4:01:C3:5A:00:06")
        lists = router.tables["/interface/list"]
        builtin = [("all", "contains all interfaces"), ("none", "contains no interfaces")]
        builtin.append(("dynamic", "contains dynamic interfaces"))
        if seven:
            builtin.append(("static", "contains static interfaces"))
        for number, (name, comment) in enumerate(builtin):
            lists.items.append(
                {".id": _id_text(0x2000000 + number), "name": name, "builtin": "true", "comment": comment}
            )
        services = router.tables["/ip/service"]
        for name, port, disabled, tls in (
            ("telnet", 23, False, False),
            ("ftp", 21, False, False),
            ("www", 80, False, False),
            ("ssh", 22, False, False),
            ("www-ssl", 443, True, True),
            ("api", 8728, False, False),
            ("winbox", 8291, False, False),
            ("api-ssl", 8729, False, True),
        ):
            item = {".id": services.allocate_id(), "name": name, "port": str(port)}
            if tls:
                item.update({"certificate": "none", "tls-version": "any"})
            if disabled:
                item["disabled"] = "true"
            services.items.append(item)
        for path in ("/ip/dns", "/ip/cloud", "/system/identity"):
            router.tables[path].items.append({".id": _SINGLETON_ID})
        router.tables["/system/resource"].items.append(
            {
                ".id": _SINGLETON_ID,
                "build-time": "2025-11-20 09:12:44" if seven else "Jun/13/2025 11:26:08",
                "factory-software": "7.14.3" if seven else "6.44",
                "free-memory": "842186752",
                "total-memory": "1073741824",
                "cpu": "ARM64" if seven else "ARMv7",
                "cpu-count": "4",
                "cpu-frequency": "1400" if seven else "716",
                "cpu-load": "1",
                "free-hdd-space": "950272000",
                "total-hdd-space": "1073741824",
                "write-sect-since-reboot": "1280",
                "write-sect-total": "51240",
                "bad-blocks": "0",
                "architecture-name": "arm64" if seven else "arm",
                "board-name": "RB5009UG+S+" if seven else "hAP ac^2",
                "platform": "MikroTik",
            }
        )
        router.tables["/system/routerboard"].items.append(
            {
                ".id": _SINGLETON_ID,
                "routerboard": "true",
                "board-name": "RB5009UG+S+" if seven else "hAP ac^2",
                "model": "RB5009UG+S+" if seven else "RBD52G-5HacD2HnD",
                "serial-number": "HF20A1B2C3D4",
                "firmware-type": "70x0" if seven else "ipq4000L",
                "factory-firmware": "7.14.3" if seven else "6.44",
                "current-firmware": version,
            }
        )
        return router

    def to_json(self) -> dict[str, Any]:
        """Everything needed to rebuild this router: version, tables (ids, order, next ids), resolver."""
        with self._lock:
            return self._to_json()

    def _to_json(self) -> dict[str, Any]:
        return {
            "format": JSON_FORMAT,
            "version": self.version,
            "dns_resolver": {name: list(addresses) for name, addresses in self._dns_resolver.items()},
            "dns_entries": {item_id: list(owner) for item_id, owner in self._dns_entries.items()},
            "tables": {
                path: {"next_id": table.next_id, "items": [dict(item) for item in table.items]}
                for path, table in self.tables.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Router:
        """The router ``to_json`` described.  Tables it does not mention keep ``empty()``'s stock
        items; items without ``.id`` get the next free one (handy for hand-written fixtures)."""
        version = str(data.get("version", DEFAULT_VERSION))
        router = cls.empty(version)
        for path, table_data in dict(data.get("tables", {})).items():
            if path not in router.tables:
                raise ValueError(f"unknown menu in state: {path}")
            menu = router.menus[path]
            items = [
                {str(key): str(value) for key, value in dict(item).items()} for item in table_data.get("items", [])
            ]
            numbers = [_id_number(item[".id"]) for item in items if ".id" in item]
            next_id = int(
                table_data.get("next_id", max([menu.first_id - 1, *[n for n in numbers if n is not None]]) + 1)
            )
            table = Table(path, [], next_id)
            for item in items:
                if ".id" not in item:
                    item[".id"] = _SINGLETON_ID if menu.singleton else table.allocate_id()
                table.items.append(item)
            router.tables[path] = table
        router._dns_resolver = {
            str(name).lower(): [str(address) for address in addresses]
            for name, addresses in dict(data.get("dns_resolver", {})).items()
        }
        router._dns_entries = {
            str(item_id): (str(owner[0]), str(owner[1])) for item_id, owner in dict(data.get("dns_entries", {})).items()
        }
        router._dns_dirty = True
        router._refresh_dns_entries()
        return router

    # -----------------------------------------------------------------------------------------
    # The contract with the server (DESIGN.md)

    def on_change(self, callback: ChangeCallback) -> None:
        """Call ``callback(router)`` after every successful write."""
        self._callbacks.append(callback)

    def is_write(self, command: str) -> bool:
        """True for the commands that change state (add, set, unset, remove, move, enable, disable, comment)."""
        return command.rstrip("/").rsplit("/", 1)[-1] in schema.WRITE_COMMANDS

    def execute(self, command: str, words: list[str]) -> list[Reply]:
        """Answer one API sentence: ``!re``/``!empty`` sentences, or traps, and one final ``!done``."""
        with self._lock:
            return self._execute(command, words)

    def _execute(self, command: str, words: list[str]) -> list[Reply]:
        write = self.is_write(command)
        saved = None
        try:
            self._refresh_dns_entries()
            menu, verb = self._resolve_command(command)
            if write:
                saved = self._snapshot(self._touched_by(menu.path))
            attributes, queries = self._split_words(words)
            replies = self._dispatch(menu, verb, attributes, queries)
            if write and menu.path in _DNS_INPUTS:
                self._dns_dirty = True
                self._refresh_dns_entries()
        except TrapError as trap:
            if saved is not None:
                self._restore(saved)
            return [*(("!trap", {"message": message}) for message in trap.messages), ("!done", {})]
        if write:
            for callback in list(self._callbacks):
                callback(self)
        return replies

    # -----------------------------------------------------------------------------------------
    # Simulator-side changes (what a real router does on its own: links, cloud, dynamic rules)

    @property
    def dns_resolver(self) -> dict[str, list[str]]:
        """DNS name -> IPv4 addresses the router resolves, after its own ``/ip/dns/static``."""
        return self._dns_resolver

    @dns_resolver.setter
    def dns_resolver(self, mapping: Mapping[str, Iterable[str]]) -> None:
        with self._lock:
            self._dns_resolver = {name.lower(): list(addresses) for name, addresses in mapping.items()}
            self._refresh_dns_entries()  # notices the new map

    def add_dynamic(self, path: str, values: Mapping[str, str], place_before: str | None = None) -> str:
        """Add an item the router itself made (``dynamic=true``): validated like ``add``, then
        locked against changes by clients.  Returns its ``.id``."""
        menu = self._menu(path)
        words = [f"={key}={value}" for key, value in values.items()]
        if place_before is not None:
            words.append(f"=place-before={place_before}")
        with self._lock:
            saved = self._snapshot()
            try:
                item_id = self._add(menu, self._split_words(words)[0], dynamic=True)
            except TrapError:
                self._restore(saved)
                raise
            self._dns_dirty = True
            self._refresh_dns_entries()
            self._notify()
        return item_id

    def patch(self, path: str, values: Mapping[str, str | None], item_id: str | None = None) -> None:
        """Change stored values directly, read-only ones included (``/ip/cloud public-address``,
        an interface's ``running``); ``None`` removes a value.  No validation."""
        menu = self._menu(path)
        with self._lock:
            table = self.tables[path]
            item = table.items[0] if menu.singleton else table.find(item_id or "")
            if item is None:
                raise KeyError(f"{path}: no item {item_id}")
            for key, value in values.items():
                if value is None:
                    item.pop(key, None)
                else:
                    item[key] = value
            self._dns_dirty = True
            self._refresh_dns_entries()
            self._notify()

    # -----------------------------------------------------------------------------------------
    # Command parsing

    def _menu(self, path: str) -> Menu:
        try:
            return self.menus[path]
        except KeyError:
            raise KeyError(f"not a modelled menu: {path}") from None

    def _not_found(self, segment: str, final: str) -> TrapError:
        if version_at_least(self.version, "7.0"):
            return TrapError(NOT_FOUND_V7.format(segment), final)
        return TrapError(final)

    def _resolve_command(self, command: str) -> tuple[Menu, str]:
        segments = [segment for segment in command.split("/") if segment]
        if not command.startswith("/") or not segments:
            raise TrapError(NO_SUCH_COMMAND)
        for depth in range(len(segments)):
            prefix = "/" + "/".join(segments[: depth + 1])
            if prefix in schema.DIRECTORIES:
                continue
            parent = "/" + "/".join(segments[:depth])
            if depth == len(segments) - 1 and parent in self.menus:
                menu, verb = self.menus[parent], segments[depth]
                if verb in menu.commands:
                    return menu, verb
                raise self._not_found(verb, NO_SUCH_COMMAND)
            raise self._not_found(segments[depth], NO_SUCH_PREFIX)
        raise TrapError(NO_SUCH_COMMAND)  # a menu without a command

    @staticmethod
    def _split_words(words: Iterable[str]) -> tuple[dict[str, str], list[str]]:
        attributes: dict[str, str] = {}
        queries: list[str] = []
        for word in words:
            if word.startswith("?"):
                queries.append(word)
            elif word.startswith("="):
                name, _, value = word[1:].partition("=")
                attributes[name] = value
            elif word.startswith(".proplist="):  # an API attribute word, as some clients send it
                attributes[".proplist"] = word.partition("=")[2]
            # other words (API attributes such as .tag) are the server's business
        return attributes, queries

    def _unknown_parameter(self, name: str) -> TrapError:
        if version_at_least(self.version, "7.0"):
            return TrapError(f"{UNKNOWN_PARAMETER} {name}")
        return TrapError(UNKNOWN_PARAMETER)

    def _dispatch(self, menu: Menu, verb: str, attributes: dict[str, str], queries: list[str]) -> list[Reply]:
        if verb in ("print", "getall"):
            return self._print(menu, attributes, queries)
        if verb == "add":
            return [("!done", {"ret": self._add(menu, attributes)})]
        if verb in ("set", "comment"):
            self._set(menu, attributes)
        elif verb == "unset":
            self._unset(menu, attributes)
        elif verb == "remove":
            self._remove(menu, attributes)
        elif verb in ("enable", "disable"):
            self._set_disabled(menu, attributes, "true" if verb == "disable" else "false")
        elif verb == "move":
            self._move(menu, attributes)
        else:  # a verb listed in the menu's commands but not implemented here
            raise self._not_found(verb, NO_SUCH_COMMAND)
        return [("!done", {})]

    # -----------------------------------------------------------------------------------------
    # Values

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
            if raw == "" and prop.kind == "str":
                item.pop(name, None)  # an empty text (`comment=""`) removes it
                continue
            value = self._parse(prop, raw)
            if value == prop.default:
                item.pop(name, None)  # items keep only what differs from the default
            else:
                item[name] = value

    def _effective(self, menu: Menu, item: Mapping[str, str], name: str) -> str | None:
        if name in item:
            return item[name]
        prop = menu.prop(name)
        return prop.default if prop is not None else None

    # -----------------------------------------------------------------------------------------
    # Rules between properties and between items

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
            if self._effective(menu, item, other) in values and name not in item:
                raise TrapError(MISSING_VALUE.format(name))
        protocol = item.get("protocol", "")
        for prop in menu.props:
            if prop.name not in item:
                continue
            if prop.only_with is not None:
                other, values = prop.only_with
                if self._effective(menu, item, other) not in values:
                    raise TrapError(ONLY_WITH.format(prop.name, other, _joined_choices(values)))
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
        if menu.path == "/interface/bridge" and "name" in item:
            # A bridge is an interface too: its name may not be any other interface's.
            own = self.tables["/interface"].by_name(item.get("name", ""))
            if own is not None and own.get("type") != "bridge":
                raise TrapError("failure: already have interface with such name")

    # -----------------------------------------------------------------------------------------
    # Addressing items

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

    # -----------------------------------------------------------------------------------------
    # Commands

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
        if dynamic or (menu.path == _ADDRESS_LIST and "timeout" in item):
            item["dynamic"] = "true"  # timed entries live in RAM: RouterOS shows them as dynamic
        if menu.path == "/interface/bridge":
            return self._create_bridge(item)
        self._check(menu, item)
        if menu.path == _ADDRESS_LIST:
            item["creation-time"] = self._timestamp()
        item_id = table.allocate_id()
        table.items.insert(position, {".id": item_id, **item})
        return item_id

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
        self._check(menu, updated, ignore_id=item.get(".id"))
        old_name, new_name = item.get("name"), updated.get("name")
        renamed_bridge = menu.path == "/interface/bridge" and old_name != new_name
        if renamed_bridge and new_name in self.tables["/interface"].names():
            raise TrapError("failure: already have interface with such name")
        item.clear()
        item.update(updated)
        if menu.path in ("/interface", "/interface/bridge"):
            self._sync_bridge(menu.path, old_name, item)
            if old_name is not None and new_name is not None and old_name != new_name:
                self._rename_references(_INTERFACE_REFERENCES, old_name, new_name)
        elif menu.path == "/interface/list" and old_name is not None and new_name is not None and old_name != new_name:
            self._rename_references(_LIST_REFERENCES, old_name, new_name)
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
            if menu.path == "/interface" and item.get("type") != "bridge":
                raise TrapError(PHYSICAL_REMOVE)
        for item_id in doomed:
            item = table.find(item_id)
            assert item is not None
            table.items.remove(item)
            if menu.path in ("/interface", "/interface/bridge"):
                self._forget_bridge(item.get("name", ""))

    def _forget_bridge(self, name: str) -> None:
        """Removing a bridge (from either menu) removes its other half and its ports."""
        for path in ("/interface", "/interface/bridge"):
            table = self.tables[path]
            table.items = [
                item for item in table.items if not (item.get("name") == name and _is_bridge_item(path, item))
            ]
        ports = self.tables["/interface/bridge/port"]
        ports.items = [port for port in ports.items if port.get("bridge") != name]

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
        moved_numbers = {_id_number(item_id) for item_id in moving}
        # The moved items go before the first item at or after `destination` that stays where it is.
        anchor = next(
            (item for item in table.items[target_index:] if _id_number(item[".id"]) not in moved_numbers),
            None,
        )
        moved = [table.find(item_id) for item_id in moving]
        rest = [item for item in table.items if _id_number(item[".id"]) not in moved_numbers]
        position = len(rest) if anchor is None else rest.index(anchor)
        table.items = rest[:position] + moved + rest[position:]  # type: ignore[operator]

    def _print(self, menu: Menu, attributes: Mapping[str, str], queries: list[str]) -> list[Reply]:
        for name in attributes:
            if name not in _PRINT_PARAMETERS:
                raise self._unknown_parameter(name)
        try:
            query = compile_query(queries, lambda name, value: self._normalize_query_value(menu, name, value))
        except QueryError as error:
            raise TrapError(BAD_QUERY.format(error)) from None
        table = self.tables[menu.path]
        items = table.items
        if attributes.get("from"):
            wanted = {_id_number(item_id) for item_id in self._ids(menu, {"numbers": attributes["from"]})}
            items = [item for item in items if _id_number(item[".id"]) in wanted]
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

    # -----------------------------------------------------------------------------------------
    # Printing

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
            elif prop.show == SHOW_ALWAYS and prop.default is not None:
                shown[prop.name] = prop.default
            elif menu.path == "/ip/address" and prop.name == "network" and "address" in item:
                # Unless given, the network follows from the address.
                shown["network"] = str(ipaddress.IPv4Interface(item["address"]).network.network_address)
        return shown

    def _computed(self, menu: Menu, item: Mapping[str, str], name: str) -> str | None:
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

    # -----------------------------------------------------------------------------------------
    # DNS names in address lists

    def resolve(self, name: str) -> list[str]:
        """IPv4 addresses of ``name``: ``/ip/dns/static`` first (A records, regexps, CNAMEs), then
        :attr:`dns_resolver`, then the router's own ``/ip/cloud`` name.  Offline and deterministic."""
        return self._resolve(name.lower(), depth=0)

    def _resolve(self, name: str, depth: int) -> list[str]:
        found: list[str] = []
        for entry in self.tables["/ip/dns/static"].items:
            if entry.get("disabled") == "true":
                continue
            if "name" in entry:
                matches = entry["name"].lower() == name
            else:
                try:
                    matches = re.search(entry.get("regexp", "$^"), name) is not None
                except re.error:
                    matches = False
            if not matches:
                continue
            kind = entry.get("type", "A")
            if kind == "A" and "address" in entry:
                found.append(entry["address"])
            elif kind == "CNAME" and "cname" in entry and depth < 5:
                found.extend(self._resolve(entry["cname"].lower(), depth + 1))
        if not found:
            resolver = {key.lower(): addresses for key, addresses in self._dns_resolver.items()}
            found = list(resolver.get(name, []))
        if not found:
            cloud = self.tables["/ip/cloud"].items
            if cloud and cloud[0].get("dns-name", "").lower() == name and cloud[0].get("public-address"):
                found = [cloud[0]["public-address"]]
        addresses: list[str] = []
        for address in found:
            try:
                text = str(ipaddress.IPv4Address(address))
            except ValueError:
                continue
            if text not in addresses:
                addresses.append(text)
        return addresses

    def _refresh_dns_entries(self) -> None:
        """Keep one dynamic entry per resolved address of every enabled DNS-name entry (comment: the name)."""
        if not self._dns_dirty and self._dns_resolver == self._resolver_seen:
            return
        self._dns_dirty = False
        self._resolver_seen = {name: list(addresses) for name, addresses in self._dns_resolver.items()}
        table = self.tables[_ADDRESS_LIST]
        wanted: dict[tuple[str, str], list[str]] = {}
        named = [item for item in table.items if is_dns_name(item.get("address", ""))]
        for item in named:
            if item.get("dynamic") == "true" or item.get("disabled") == "true":
                continue
            address = item["address"]
            wanted.setdefault((item.get("list", ""), address), self.resolve(address))
        have: dict[tuple[str, str, str], str] = {}
        for item_id, owner in list(self._dns_entries.items()):
            entry = table.find(item_id)
            if entry is None:
                del self._dns_entries[item_id]
                continue
            key = (*owner, entry.get("address", ""))
            if entry.get("address") not in wanted.get(owner, []) or key in have:
                table.items.remove(entry)
                del self._dns_entries[item_id]
            else:
                have[key] = item_id
        for (list_name, name), addresses in wanted.items():
            for address in addresses:
                if (list_name, name, address) in have:
                    continue
                if any(i.get("list") == list_name and i.get("address") == address for i in table.items):
                    continue  # the list already has it
                item_id = table.allocate_id()
                table.items.append(
                    {
                        ".id": item_id,
                        "list": list_name,
                        "address": address,
                        "creation-time": self._timestamp(),
                        "dynamic": "true",
                        "comment": name,
                    }
                )
                self._dns_entries[item_id] = (list_name, name)
                have[(list_name, name, address)] = item_id

    # -----------------------------------------------------------------------------------------
    # Atomic writes

    @staticmethod
    def _touched_by(path: str) -> frozenset[str]:
        """The tables whose items a write to ``path`` may change in place (renames reach references)."""
        touched = {path}
        if path in _DNS_INPUTS:
            touched.add(_ADDRESS_LIST)
        if path in ("/interface", "/interface/bridge", "/interface/list"):
            touched.update(table for table, _ in _INTERFACE_REFERENCES + _LIST_REFERENCES)
            touched.update(("/interface", "/interface/bridge"))
        return frozenset(touched)

    def _snapshot(
        self, deep: Iterable[str] | None = None
    ) -> tuple[dict[str, tuple[list[dict[str, str]], int]], dict[str, tuple[str, str]]]:
        """What a failed write restores: item lists of every table, items themselves copied for ``deep``
        (every table when None); other tables' items are only ever added or removed, never edited."""
        copied = set(self.tables) if deep is None else set(deep)
        tables = {
            path: ([dict(item) for item in table.items] if path in copied else list(table.items), table.next_id)
            for path, table in self.tables.items()
        }
        return tables, dict(self._dns_entries)

    def _restore(self, saved: tuple[dict[str, tuple[list[dict[str, str]], int]], dict[str, tuple[str, str]]]) -> None:
        tables, dns_entries = saved
        for path, (items, next_id) in tables.items():
            self.tables[path].items = items
            self.tables[path].next_id = next_id
        self._dns_entries = dns_entries
        self._dns_dirty = True

    def _notify(self) -> None:
        for callback in list(self._callbacks):
            callback(self)


def _is_bridge_item(path: str, item: Mapping[str, str]) -> bool:
    """True for the bridge's item in ``path`` (every item of ``/interface/bridge``; type=bridge in ``/interface``)."""
    return path == "/interface/bridge" or item.get("type") == "bridge"

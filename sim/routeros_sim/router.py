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

``Router`` itself builds the stock router, answers ``execute`` and keeps writes atomic; its jobs
live in mixins: values and rules (:mod:`.router_values`), write commands (:mod:`.router_commands`),
interfaces in two menus (:mod:`.router_interfaces`), ``print`` (:mod:`.router_print`), DNS names in
address lists (:mod:`.router_dns`), the addresses its DHCP/PPPoE clients get (:mod:`.router_leases`) and
its own connected routes, link-local addresses and ``main`` table (:mod:`.router_routes`).

Version personality (``Router.empty(version)``; default ``7.20.6``, ``6.49.18`` is the old one):
``!empty`` for a ``print`` that matches nothing from 7.18 on; RouterOS 7 names the parameter in
"unknown parameter X" and answers an unknown menu or command with two traps ("no such command or
directory (X)" first); RouterOS 6 prints ``log``/``log-prefix`` of firewall rules even at their
defaults; properties added or dropped by a version follow ``schema`` (``since``/``until``);
``/interface/list`` has the built-in ``static`` list and address lists print ``creation-time`` in
the ISO form from 7; ``/system/resource`` says ``(stable)`` or ``(long-term)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from . import models, schema
from .router_commands import CommandsMixin
from .router_dns import DnsMixin
from .router_interfaces import InterfacesMixin
from .router_leases import LeasesMixin
from .router_print import PrintMixin
from .router_routes import RoutesMixin
from .router_scripts import ScriptsMixin
from .router_values import ValuesMixin
from .schema import DEFAULT_VERSION, Menu, version_at_least
from .tables import (
    ADDRESS_LIST,
    DNS_INPUTS,
    INTERFACE_REFERENCES,
    JSON_FORMAT,
    LIST_REFERENCES,
    NO_SUCH_COMMAND,
    NO_SUCH_PREFIX,
    NOT_FOUND_V7,
    SINGLETON_ID,
    Reply,
    Table,
    TrapError,
    id_number,
    id_text,
)

__all__ = ["DEFAULT_VERSION", "JSON_FORMAT", "Reply", "Router", "Table", "TrapError"]

ChangeCallback = Callable[["Router"], None]


class Router(ValuesMixin, CommandsMixin, InterfacesMixin, PrintMixin, DnsMixin, LeasesMixin, RoutesMixin, ScriptsMixin):
    """A RouterOS device: its version, its menus' tables, and how it answers API commands."""

    def __init__(self, version: str = DEFAULT_VERSION) -> None:
        """A router with empty tables (no stock items); most callers want :meth:`empty`."""
        if not schema.version_tuple(version) or schema.version_tuple(version)[0] < 6:
            raise ValueError(f"not a RouterOS version: {version!r}")
        self.version = version
        self.menus: dict[str, Menu] = schema.menus_for(version)
        self.tables: dict[str, Table] = {path: Table(path, next_id=menu.first_id) for path, menu in self.menus.items()}
        #: Packages turned off (RouterOS 6's ``ipv6``): their menus are gone, see :meth:`disable_package`.
        self.disabled_packages: frozenset[str] = frozenset()
        self._directories: frozenset[str] = schema.directories_for(version)
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
        # True while the scheduler runs entries: their own commands do not start it again.
        self._in_due = False
        #: The hardware ``empty()`` was given (None: the default five-port router); the stock items follow it.
        self.model: str | None = None
        self.ports: tuple[str, ...] | None = None
        #: Lines of menus the model does not have, as a script gave them: ``{"menu", "words", "params"}``.
        self.verbatim: list[dict[str, Any]] = []
        #: The sections of the loaded script, in order: [menu, commands in it]; ``export`` keeps it.
        self.section_order: list[list[Any]] = []
        # While a script runs, menus that are not ``exact`` keep properties the model does not know.
        self._keep_unknown = False
        #: Interface type -> the menu whose items are interfaces of that type (``bridge``, ``vlan``, ...).
        self._link_paths: dict[str, str] = {
            menu.interface_type: path for path, menu in self.menus.items() if menu.interface_type
        }

    @classmethod
    def empty(
        cls, version: str = DEFAULT_VERSION, model: str | None = None, ports: Iterable[str] | None = None
    ) -> Router:
        """A stock home router: its built-in ports and a bridge, built-in interface lists, IP services,
        DNS, cloud, identity ``MikroTik``, resource and routerboard; no addresses, no firewall.

        The ports are ``ports`` if given, else ``model``'s (:func:`models.ports_for_model`), else
        ether1-ether5. Wireless, LTE and power-line ports are items of their own menus too."""
        router = cls(version)
        seven = version_at_least(version, "7.0")
        router.model = model
        names = tuple(ports) if ports is not None else (models.ports_for_model(model) if model else None)
        router.ports = tuple(ports) if ports is not None else None
        interfaces = router.tables["/interface"]
        for number, name in enumerate(models.DEFAULT_PORTS if names is None else names, start=1):
            mac = f"D4:01:C3:5A:00:0{number}" if number <= 5 else f"D4:01:C3:5A:01:{number:02X}"
            menu = next((path for prefix, path in schema.PORT_MENUS.items() if name.startswith(prefix)), None)
            if menu is not None:
                router._create_link(router.menus[menu], {"name": name}, mac=mac, default_name=name)
                continue
            ether = {
                ".id": interfaces.allocate_id(),
                "name": name,
                "default-name": name,
                "type": "ether",
                "l2mtu": "1514",
                "max-l2mtu": "9796",
                "mac-address": mac,
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
                {".id": id_text(0x2000000 + number), "name": name, "builtin": "true", "comment": comment}
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
        for path in ("/ip/dns", "/ip/cloud", "/system/identity", "/system/clock"):
            router.tables[path].items.append({".id": SINGLETON_ID})
        board = models.board_name(model) if model else ("RB5009UG+S+" if seven else "hAP ac^2")
        router.tables["/system/resource"].items.append(
            {
                ".id": SINGLETON_ID,
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
                "board-name": board,
                "platform": "MikroTik",
            }
        )
        router.tables["/system/routerboard"].items.append(
            {
                ".id": SINGLETON_ID,
                "routerboard": "true",
                "board-name": board,
                "model": model or ("RB5009UG+S+" if seven else "RBD52G-5HacD2HnD"),
                "serial-number": "HF20A1B2C3D4",
                "firmware-type": "70x0" if seven else "ipq4000L",
                "factory-firmware": "7.14.3" if seven else "6.44",
                "current-firmware": version,
            }
        )
        router._refresh_own_entries()
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
            "model": self.model,
            "ports": None if self.ports is None else list(self.ports),
            "disabled_packages": sorted(self.disabled_packages),
            "verbatim": [dict(line) for line in self.verbatim],
            "section_order": list(self.section_order),
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
        ports = data.get("ports")
        router = cls.empty(version, data.get("model"), None if ports is None else [str(port) for port in ports])
        for package in data.get("disabled_packages", []):
            router.disable_package(str(package))
        router.verbatim = [dict(line) for line in data.get("verbatim", [])]
        router.section_order = [[str(menu), int(count)] for menu, count in data.get("section_order", [])]
        for path, table_data in dict(data.get("tables", {})).items():
            if path not in router.tables:
                raise ValueError(f"unknown menu in state: {path}")
            menu = router.menus[path]
            items = [
                {str(key): str(value) for key, value in dict(item).items()} for item in table_data.get("items", [])
            ]
            numbers = [id_number(item[".id"]) for item in items if ".id" in item]
            next_id = int(
                table_data.get("next_id", max([menu.first_id - 1, *[n for n in numbers if n is not None]]) + 1)
            )
            table = Table(path, [], next_id)
            for item in items:
                if ".id" not in item:
                    item[".id"] = SINGLETON_ID if menu.singleton else table.allocate_id()
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
        router._refresh_leases()
        router._refresh_own_entries()
        return router

    def disable_package(self, name: str) -> None:
        """The router after ``/system package disable NAME`` and a reboot. RouterOS 6 ships IPv6 as
        the separate ``ipv6`` package, which many routers run disabled: then no ``/ipv6`` menu
        exists and every command in one answers "no such command prefix". RouterOS 7 has IPv6 in
        its one ``routeros`` package (``/ipv6 settings disable-ipv6`` leaves the menus in place)."""
        if name != "ipv6":
            raise ValueError(f"not a package the simulator can disable: {name!r} (only ipv6)")
        if version_at_least(self.version, "7.0"):
            raise ValueError(f"RouterOS {self.version} has IPv6 in its routeros package: no ipv6 package to disable")
        with self._lock:
            gone = [path for path in self.menus if path == "/ipv6" or path.startswith("/ipv6/")]
            self.menus = {path: menu for path, menu in self.menus.items() if path not in gone}
            for path in gone:
                del self.tables[path]
            self._directories = schema.directories(self.menus)
            self.disabled_packages = self.disabled_packages | {name}

    def on_change(self, callback: ChangeCallback) -> None:
        """Call ``callback(router)`` after every successful write."""
        self._callbacks.append(callback)

    def is_write(self, command: str) -> bool:
        """True for the commands that change state (add, set, unset, remove, move, enable, disable, comment)."""
        return command.rstrip("/").rsplit("/", 1)[-1] in schema.WRITE_COMMANDS

    def execute(self, command: str, words: list[str], *, keep_unknown: bool = False) -> list[Reply]:
        """Answer one API sentence: ``!re``/``!empty`` sentences, or traps, and one final ``!done``.

        ``keep_unknown`` (the script loader's): properties the model does not know are kept as
        given instead of refused, except in the ``exact`` menus the NAT engine reads."""
        with self._lock:
            # Time has passed since the last command: what the scheduler had due runs first.
            self.run_due()
            self._keep_unknown = keep_unknown
            try:
                return self._execute(command, words)
            finally:
                self._keep_unknown = False

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
            if write and menu.path in DNS_INPUTS:
                self._dns_dirty = True
                self._refresh_dns_entries()
            if write:
                self._refresh_leases()
                self._refresh_own_entries()
        except TrapError as trap:
            if saved is not None:
                self._restore(saved)
            return [*(("!trap", {"message": message}) for message in trap.messages), ("!done", {})]
        if write:
            for callback in list(self._callbacks):
                callback(self)
        return replies

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
            self._refresh_leases()
            self._refresh_own_entries()
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
            self._refresh_leases()
            self._refresh_own_entries()
            self._notify()

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
            if prefix in self._directories:
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
        elif verb == "run" and menu.path == "/system/script":
            self._run_scripts(menu, attributes)
        else:  # a verb listed in the menu's commands but not implemented here
            raise self._not_found(verb, NO_SUCH_COMMAND)
        return [("!done", {})]

    def _touched_by(self, path: str) -> frozenset[str]:
        """The tables whose items a write to ``path`` may change in place (renames reach references)."""
        touched = {path}
        if path in DNS_INPUTS:
            touched.add(ADDRESS_LIST)
        links = set(self._link_paths.values())
        if path in ("/interface", "/interface/list") or path in links:
            touched.update(table for table, _ in INTERFACE_REFERENCES + LIST_REFERENCES)
            touched.update(("/interface", *links))
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

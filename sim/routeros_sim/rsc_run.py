"""Running a script against a Router: each command becomes the API call a client would make.

Running goes through ``Router.execute`` with the same API words a client would send, so the
router's validation is the only validation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import models
from .rsc_parse import Command, Find, ScriptError, Value, _value_text, parse_script
from .schema import Menu

if TYPE_CHECKING:
    from .router import Router

__all__ = ["ScriptResult", "load_export", "run_script", "verbatim_line"]

_HEADER_VERSION = re.compile(r"^#.*\bby RouterOS (\S+)", re.MULTILINE)
_HEADER_SERIAL = re.compile(r"^# serial number = (\S+)\s*$", re.MULTILINE)


def header_version(text: str) -> str | None:
    """The RouterOS version an export says it comes from (``# ... by RouterOS 7.16.1``), if any."""
    match = _HEADER_VERSION.search(text)
    return match.group(1) if match else None


# Console commands that only show or wait: a script may hold them and they change nothing.
_HARMLESS_VERBS = frozenset({"print", "export", "find", "get", "monitor", "reset-counters", "reset-counters-all"})
_HARMLESS_COLON = frozenset({":delay", ":log", ":put", ":beep", ":nothing"})


@dataclass(frozen=True)
class _View:
    """A menu /export writes that the model keeps inside another: the items of ``menu`` with ``key=value``."""

    menu: str
    key: str
    value: str


# Used only while the model has no menu of that name.
_VIEWS = {"/interface/ethernet": _View("/interface", "type", "ether")}


@dataclass
class ScriptResult:
    """What ``run_script`` did.

    ``executed``: commands applied. ``skipped``: (line, why) for commands passed over (menus the
    model lacks, ``print``, ``:log``, a ``set [ find ... ]`` that matched nothing). ``adopted``:
    (line, what) for an ``add`` that re-created a stock item ``Router.empty()`` already has (the
    defconf ``bridge``), applied as a ``set`` of that item.
    """

    executed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    adopted: list[tuple[int, str]] = field(default_factory=list)


def run_script(router: Router, text: str, *, skip_unknown_menus: bool = True) -> ScriptResult:
    """Run ``text`` (``/export`` output or a hand-written script) against ``router``, in order.

    Each command becomes the ``router.execute`` call a client would make (``/ip firewall nat add
    a=b`` -> ``/ip/firewall/nat/add =a=b``); ``[ find ... ]``, print numbers and names become
    ``.id`` values through ``print`` queries. The first ``!trap`` stops the run with a ScriptError
    naming the line and RouterOS's message; commands before it stay applied. Commands of menus the
    model does not have (real exports hold many) are kept as written in ``router.verbatim``, for
    ``export`` to write back, unless ``skip_unknown_menus`` is False (then they fail); properties
    the model does not know are kept as given except in the menus the NAT engine reads.
    """
    runner = _Runner(router)
    for command in parse_script(text):
        runner.run(command, skip_unknown_menus)
    return runner.result


def load_export(text: str, version: str | None = None) -> tuple[Router, ScriptResult]:
    """A router built for the export ``text`` and the result of running it there.

    The version is ``version``, else the header's (``by RouterOS 7.16.1``), else the default. The
    built-in ports are the header's model's (``# model = RB4011iGS+``); for a model the simulator
    cannot tell, the ports the export names (``default-name=sfp-sfpplus3``, ``interface=ether7``);
    with no model line, ether1-ether5 and any other port the export names.
    """
    from .router import Router  # the model layer; imported here so this module loads without it

    commands = parse_script(text)
    version = version or header_version(text)
    model = models.header_model(text)
    ports = models.ports_for_model(model) if model else None
    if ports is not None:
        ports = models.radios_as_named(ports, text)
    if ports is None:
        named = _port_references(commands)
        ports = tuple(named) if model else (*models.DEFAULT_PORTS, *(p for p in named if p not in models.DEFAULT_PORTS))
    router = Router.empty(version, model, ports) if version else Router.empty(model=model, ports=ports)
    serial = _HEADER_SERIAL.search(text)
    if serial:
        router.tables["/system/routerboard"].items[0]["serial-number"] = serial.group(1)
    runner = _Runner(router)
    for command in commands:
        runner.run(command, True)
    return router, runner.result


def _port_references(commands: Sequence[Command]) -> list[str]:
    """Built-in port names the commands use, leaving out names the script gives interfaces itself."""
    values: list[str] = []
    created: list[str] = []
    for command in commands:
        for value in [*command.positional, *(value for _, value in command.params)]:
            if isinstance(value, Find):
                values.extend(condition.value for condition in value.conditions)
            else:
                values.append(value)
        if command.verb in ("add", "set"):
            created.extend(value for key, value in command.params if key == "name" and isinstance(value, str))
    return models.referenced_ports(values, created)


def _expand_dotted(params: Sequence[tuple[str, Value]]) -> list[tuple[str, Value]]:
    """``configuration.mode=ap .ssid=x`` -> ``configuration.mode``, ``configuration.ssid``: a name
    starting with a dot continues the group of the name before it, as RouterOS 7 exports write it."""
    expanded: list[tuple[str, Value]] = []
    group = ""
    for key, value in params:
        if key.startswith(".") and group:
            key = group + key
        group = key.rsplit(".", 1)[0] if "." in key.lstrip(".") else ""
        expanded.append((key, value))
    return expanded


def verbatim_line(command: Command) -> dict[str, Any]:
    """A command of a menu the model lacks, as the router keeps it for ``/export``.

    ``words``: the verb and the positional words before the first ``name=value`` (quoted where
    needed); ``params``: the rest in order, as (name, value, raw): a raw value is written as is
    (a ``[ find ... ]``, or a positional word, with name None), the others quoted."""
    words = [command.verb]
    params: list[list[Any]] = []
    for key, value in command.sequence or [*((None, v) for v in command.positional), *command.params]:
        if key is None and not params:
            words.append(_value_text(value))
        elif key is None:
            params.append([None, _value_text(value), True])
        elif isinstance(value, Find):
            params.append([key, _value_text(value), True])
        else:
            params.append([key, value, False])
    return {"menu": command.menu, "words": words, "params": params}


class _Runner:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.result = ScriptResult()
        self.adopted: set[tuple[str, str]] = set()
        self._baseline: Router | None = None

    @property
    def baseline(self) -> Router:
        """The stock router of this version, to tell stock items from added ones."""
        if self._baseline is None:
            self._baseline = _stock(self.router)
        return self._baseline

    def call(self, command: Command, api_command: str, words: list[str]) -> dict[str, str]:
        """One API command; the ``!done`` attributes, or ScriptError carrying the ``!trap`` messages."""
        replies = self.router.execute(api_command, words, keep_unknown=True)
        traps = [attributes.get("message", "failure") for kind, attributes in replies if kind in ("!trap", "!fatal")]
        if traps:
            raise ScriptError(command.line, "; ".join(traps), str(command))
        return next((attributes for kind, attributes in replies if kind == "!done"), {})

    def run(self, command: Command, skip_unknown_menus: bool) -> None:
        if command.verb.startswith(":"):
            if command.verb not in _HARMLESS_COLON:
                raise ScriptError(command.line, f"scripting command {command.verb} is not supported", str(command))
            self.result.skipped.append((command.line, f"{command.verb} does not change the configuration"))
            return
        if command.verb in _HARMLESS_VERBS:
            self.result.skipped.append((command.line, f"{command.verb} does not change the configuration"))
            return
        menus = self.router.menus
        view = None
        if command.menu not in menus and command.menu in _VIEWS and _VIEWS[command.menu].menu in menus:
            view = _VIEWS[command.menu]
        menu = menus.get(view.menu if view else command.menu)
        if menu is None:
            if not skip_unknown_menus:
                raise ScriptError(command.line, f"no such command prefix ({command.menu})", str(command))
            self.router.verbatim.append(verbatim_line(command))
            self.result.skipped.append((command.line, f"menu {command.menu} is not simulated; kept as written"))
            self.count_in_section(command)
            return
        if _Step(self, command, menu, view).run():
            self.result.executed += 1
            self.count_in_section(command)

    def count_in_section(self, command: Command) -> None:
        """Note the command in its section (a menu line starts a new one), for ``export`` to keep the order."""
        order = self.router.section_order
        if not order or order[-1][0] != command.menu:
            order.append([command.menu, 0])
        order[-1][1] += 1


class _Step:
    """One script command turned into API calls on ``menu`` (the model's menu behind a view)."""

    def __init__(self, runner: _Runner, command: Command, menu: Menu, view: _View | None) -> None:
        self.runner = runner
        self.command = command
        self.menu = menu
        self.view = view
        self.params = _expand_dotted(command.params)
        self.positional = list(command.positional)
        # A flag set by naming it (`/routing table add fib name=x`) is `fib=` over the API.
        for value in list(self.positional):
            prop = menu.prop(value) if isinstance(value, str) else None
            if prop is not None and prop.kind == "flag-word":
                self.positional.remove(value)
                self.params.append((value, ""))
        self.applied = True

    def fail(self, message: str) -> ScriptError:
        return ScriptError(self.command.line, message, str(self.command))

    def call(self, verb: str, words: list[str]) -> dict[str, str]:
        return self.runner.call(self.command, f"{self.menu.path}/{verb}", words)

    def take_param(self, name: str) -> Value | None:
        for index, (key, value) in enumerate(self.params):
            if key == name:
                del self.params[index]
                return value
        return None

    def take_positional(self) -> Value | None:
        return self.positional.pop(0) if self.positional else None

    def no_more_words(self) -> None:
        if self.positional:
            raise self.fail(f"unexpected word {_value_text(self.positional[0])}")

    def words(self) -> list[str]:
        return [f"={key}={self.value_text(value)}" for key, value in self.params]

    def value_text(self, value: Value) -> str:
        if isinstance(value, Find):
            ids = self.resolve(value)
            if not ids:
                raise self.fail("no such item")
            return ",".join(ids)
        return value

    def skip(self, why: str) -> None:
        self.runner.result.skipped.append((self.command.line, why))
        self.applied = False

    # -- naming items --------------------------------------------------------------------------

    def print_items(self, queries: Sequence[str] = ()) -> list[dict[str, str]]:
        narrow = [f"?{self.view.key}={self.view.value}"] if self.view else []
        replies = self.router_print([*narrow, *queries])
        return [attributes for kind, attributes in replies if kind == "!re"]

    def router_print(self, words: list[str]) -> list[tuple[str, dict[str, str]]]:
        replies = self.runner.router.execute(f"{self.menu.path}/print", words)
        traps = [attributes.get("message", "failure") for kind, attributes in replies if kind in ("!trap", "!fatal")]
        if traps:
            raise self.fail("; ".join(traps))
        return replies

    def resolve(self, reference: Value) -> list[str]:
        """``.id`` values for a find, or for ``*HEX`` ids, print numbers and names (comma-separated)."""
        if isinstance(reference, Find):
            return self.resolve_find(reference)
        ids: list[str] = []
        listing: list[dict[str, str]] | None = None
        for part in (p.strip() for p in reference.split(",")):
            if part.startswith("*"):
                ids.append(part)
                continue
            if listing is None:
                listing = self.print_items()
            if part.isdigit():
                if int(part) >= len(listing):
                    raise self.fail(f"no such item ({part})")
                ids.append(listing[int(part)][".id"])
                continue
            named = [item[".id"] for item in listing if item.get("name") == part] if self.menu.named else []
            if not named:
                raise self.fail(f"no such item ({part})")
            ids.extend(named)
        return ids

    def resolve_find(self, find: Find) -> list[str]:
        # Equality goes to the router as an API query, so its normalisation decides what matches
        # (``disabled=yes`` finds ``disabled=true``); ``~`` is matched here, on the printed values.
        queries: list[str] = []
        patterns: list[tuple[str, re.Pattern[str]]] = []
        for condition in find.conditions:
            if condition.op == "~":
                try:
                    patterns.append((condition.key, re.compile(condition.value)))
                except re.error as exc:
                    raise self.fail(f"find: bad regular expression {condition.value!r}: {exc}") from None
            else:
                queries.append(f"?{condition.key}={condition.value}")
                if condition.op == "!=":
                    queries.append("?#!")
        return [
            item[".id"]
            for item in self.print_items(queries)
            if ".id" in item and all(pattern.search(item.get(key, "")) for key, pattern in patterns)
        ]

    def targets(self) -> list[str] | None:
        """The items named by the first word or ``numbers=``; None when the command names none."""
        reference = self.take_positional()
        if reference is None:
            reference = self.take_param("numbers")
        return None if reference is None else self.resolve(reference)

    def id_word(self, ids: list[str]) -> str:
        return f"=.id={','.join(ids)}"

    # -- verbs ---------------------------------------------------------------------------------

    def run(self) -> bool:
        """Apply the command; False when it turned out to have nothing to do."""
        handler = getattr(self, f"do_{self.command.verb}", None)
        if handler is None:
            raise self.fail(f"{self.command.verb} is not supported in scripts")
        handler()
        return self.applied

    def do_add(self) -> None:
        if self.view is not None:
            raise self.fail(f"items of {self.command.menu} cannot be added")
        self.no_more_words()
        for index, (key, value) in enumerate(self.params):
            if key in ("place-before", "copy-from") and isinstance(value, str) and not value.startswith("*"):
                self.params[index] = (key, ",".join(self.resolve(value)))
        stock = self.stock_item_to_adopt()
        if stock is not None:
            self.call("set", [self.id_word([stock]), *self.words()])
            self.runner.adopted.add((self.menu.path, stock))
            self.runner.result.adopted.append((self.command.line, f"{self.menu.path} {stock}"))
            return
        self.call("add", self.words())

    def stock_item_to_adopt(self) -> str | None:
        """The ``.id`` of an untouched stock item this ``add`` re-creates, by name.

        ``Router.empty()`` already has the defconf bridge; an export from a real router adds it
        (``/interface bridge add ... name=bridge``). Adding it again would trap, so the stock item
        is taken over instead, once.
        """
        name = dict(self.params).get("name")
        if not self.menu.named or not isinstance(name, str):
            return None
        table = self.runner.router.tables[self.menu.path]
        current = next((item for item in table.items if item.get("name") == name), None)
        if current is None or (self.menu.path, current[".id"]) in self.runner.adopted:
            return None
        stock = self.runner.baseline.tables[self.menu.path].items
        return current[".id"] if current in stock else None

    def do_set(self) -> None:
        # A "!name" word (RouterOS 6 exports) says the property is unset.
        unset = [v[1:] for v in self.positional if isinstance(v, str) and v.startswith("!") and len(v) > 1]
        self.positional = [v for v in self.positional if not (isinstance(v, str) and v.startswith("!") and len(v) > 1)]
        target: list[str] = []
        if not self.menu.singleton:
            ids = self.targets()
            if ids is None:
                raise self.fail("set needs the items to change")
            if not ids:
                self.skip("no item matched")
                return
            target = [self.id_word(ids)]
        self.no_more_words()
        if self.params:
            self.call("set", [*target, *self.words()])
        for name in unset:
            self.call("unset", [*target, f"=value-name={name}"])

    def do_unset(self) -> None:
        target: list[str] = []
        if not self.menu.singleton:
            ids = self.targets()
            if ids is None:
                raise self.fail("unset needs the items to change")
            if not ids:
                self.skip("no item matched")
                return
            target = [self.id_word(ids)]
        names = [self.value_text(value) for value in self.positional]
        value_name = self.take_param("value-name")
        if value_name is not None:
            names.append(self.value_text(value_name))
        if self.params or not names:
            raise self.fail("unset takes the items and the names of the properties to unset")
        self.call("unset", [*target, f"=value-name={','.join(names)}"])

    def item_command(self, verb: str) -> None:
        ids = self.targets()
        if ids is None:
            raise self.fail(f"{verb} needs the items to change")
        if verb == "comment" and self.positional and all(key != "comment" for key, _ in self.params):
            self.params.append(("comment", self.positional.pop(0)))
        self.no_more_words()
        if not ids:
            self.skip("no item matched")
            return
        self.call(verb, [self.id_word(ids), *self.words()])

    def do_remove(self) -> None:
        self.item_command("remove")

    def do_enable(self) -> None:
        self.item_command("enable")

    def do_disable(self) -> None:
        self.item_command("disable")

    def do_comment(self) -> None:
        self.item_command("comment")

    def do_run(self) -> None:
        # /system script run NAME: the script runs through this same engine, inside this command.
        self.item_command("run")

    def do_move(self) -> None:
        ids = self.targets()
        if ids is None:
            raise self.fail("move needs the items to move")
        destination = self.take_positional()
        if destination is None:
            destination = self.take_param("destination")
        self.no_more_words()
        if self.params:
            raise self.fail(f"unexpected parameter {self.params[0][0]}=")
        if not ids:
            self.skip("no item matched")
            return
        words = [f"=numbers={','.join(ids)}"]
        if destination is not None:
            where = self.resolve(destination)
            if len(where) != 1:
                raise self.fail("move needs one destination item")
            words.append(f"=destination={where[0]}")
        self.call("move", words)


def _stock(router: Router) -> Router:
    stock = type(router).empty(router.version, router.model, router.ports)
    for package in router.disabled_packages:
        stock.disable_package(package)
    return stock

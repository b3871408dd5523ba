"""The items of one menu (``Table``), ``.id`` numbering, and the traps RouterOS answers with."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["JSON_FORMAT", "Reply", "Table", "TrapError"]

Reply = tuple[str, dict[str, str]]

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
PRINT_PARAMETERS = frozenset({".proplist", "count-only", "detail", "without-paging", "terse", "brief", "stats", "from"})
INTERFACE_REFERENCES = (
    ("/ip/firewall/nat", ("in-interface", "out-interface", "in-bridge-port", "out-bridge-port")),
    ("/ip/firewall/filter", ("in-interface", "out-interface", "in-bridge-port", "out-bridge-port")),
    ("/interface/list/member", ("interface",)),
    ("/interface/bridge/port", ("interface", "bridge")),
    ("/ip/address", ("interface",)),
    ("/ip/firewall/mangle", ("in-interface", "out-interface", "in-bridge-port", "out-bridge-port")),
    ("/ipv6/firewall/filter", ("in-interface", "out-interface", "in-bridge-port", "out-bridge-port")),
    ("/ipv6/address", ("interface",)),
)
LIST_REFERENCES = (
    ("/ip/firewall/nat", ("in-interface-list", "out-interface-list", "in-bridge-port-list", "out-bridge-port-list")),
    ("/ip/firewall/filter", ("in-interface-list", "out-interface-list", "in-bridge-port-list", "out-bridge-port-list")),
    ("/interface/list/member", ("list",)),
    ("/ip/firewall/mangle", ("in-interface-list", "out-interface-list", "in-bridge-port-list", "out-bridge-port-list")),
    (
        "/ipv6/firewall/filter",
        ("in-interface-list", "out-interface-list", "in-bridge-port-list", "out-bridge-port-list"),
    ),
)
ADDRESS_LIST = "/ip/firewall/address-list"
#: Menus whose changes can change what DNS-name address-list entries resolve to.
DNS_INPUTS = frozenset({ADDRESS_LIST, "/ip/dns/static", "/ip/cloud"})
SINGLETON_ID = "*0"


class TrapError(Exception):
    """A command RouterOS refuses: one or more ``!trap`` messages, then ``!done``."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def id_text(number: int) -> str:
    return f"*{number:X}"


def id_number(text: str) -> int | None:
    if not text.startswith("*"):
        return None
    try:
        return int(text[1:], 16)
    except ValueError:
        return None


def joined_choices(values: Iterable[str]) -> str:
    values = list(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


class Table:
    """The items of one menu, in order, and the number of the next ``.id`` to hand out."""

    def __init__(self, path: str, items: list[dict[str, str]] | None = None, next_id: int = 1) -> None:
        self.path = path
        self.items: list[dict[str, str]] = items if items is not None else []
        self.next_id = next_id

    def __repr__(self) -> str:
        return f"Table({self.path!r}, {len(self.items)} items, next_id={id_text(self.next_id)})"

    def index_of(self, item_id: str) -> int | None:
        number = id_number(item_id)
        if number is None:
            return None
        for index, item in enumerate(self.items):
            if id_number(item[".id"]) == number:
                return index
        return None

    def find(self, item_id: str) -> dict[str, str] | None:
        index = self.index_of(item_id)
        return None if index is None else self.items[index]

    def allocate_id(self) -> str:
        item_id = id_text(self.next_id)
        self.next_id += 1
        return item_id

    def names(self) -> set[str]:
        return {item["name"] for item in self.items if "name" in item}

    def by_name(self, name: str) -> dict[str, str] | None:
        return next((item for item in self.items if item.get("name") == name), None)

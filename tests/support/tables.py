"""A simulated router's menus as it prints them, and the owned/foreign view of its NAT table."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# The ownership marker every rule and entry the collection writes starts its comment with.
MARKER = "hairpin:"
# The API verbs that change a router (a request log's commands end in one of them).
WRITE_COMMANDS = ("add", "set", "unset", "remove", "move", "enable", "disable")
# Counters change with traffic, not with configuration.
COUNTERS = ("bytes", "packets")


def menu_rows(router: Any, path: str) -> list[dict[str, str]]:
    """Any menu of a simulated router (`/ip/firewall/nat`, ...), as `print` answers."""
    return [attrs for word, attrs in router.execute(path + "/print", []) if word == "!re"]


def nat_rows(router: Any) -> list[dict[str, str]]:
    """The NAT table as the router prints it, counters left out."""
    return [{k: v for k, v in row.items() if k not in COUNTERS} for row in menu_rows(router, "/ip/firewall/nat")]


def is_owned(row: Mapping[str, Any]) -> bool:
    return str(row.get("comment", "")).startswith(MARKER)


def owned(rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    return [dict(row) for row in rows if is_owned(row)]


def foreign(rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    return [dict(row) for row in rows if not is_owned(row)]


# The fingerprint the engine writes after the marker of an owned rule: " ~" and 8 hex digits.
FINGERPRINT_RE = re.compile(r"\A(hairpin:\S+) ~[0-9a-f]{8}(?= |\Z)")


def user_comment(comment: Any) -> str:
    """A comment as the user wrote it: marker and description, without the engine's fingerprint."""
    return FINGERPRINT_RE.sub(r"\1", str(comment))


def has_fingerprint(row: Mapping[str, Any]) -> bool:
    return FINGERPRINT_RE.match(str(row.get("comment", ""))) is not None


def by_comment(rows: Iterable[Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Owned rows by their comment as the user wrote it (marker and description, no fingerprint)."""
    return {user_comment(row["comment"]): row for row in owned(rows)}


def marker_of(row: Mapping[str, str]) -> str:
    """The ownership marker of an owned row (its comment's first word)."""
    return str(row.get("comment", "")).split(" ", 1)[0]


def duplicates(rows: Iterable[Mapping[str, str]]) -> list[str]:
    """Markers that more than one owned rule carries."""
    seen: dict[str, int] = {}
    for row in owned(rows):
        seen[marker_of(row)] = seen.get(marker_of(row), 0) + 1
    return sorted(marker for marker, count in seen.items() if count > 1)


def without_owned_ids(rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """The table with the ids of owned rules blanked: two converged tables compare equal
    whatever ids their adds got, while foreign rules keep theirs (they must not change)."""
    out = []
    for row in rows:
        row = dict(row)
        if is_owned(row):
            row[".id"] = "*owned"
        out.append(row)
    return out


def rule_fields(row: Mapping[str, str], names: Sequence[str]) -> dict[str, str | None]:
    return {name: row.get(name) for name in names}


def is_write(command: str) -> bool:
    """Whether an API command word (`/ip/firewall/nat/add`) changes the router."""
    return command.rsplit("/", 1)[-1] in WRITE_COMMANDS


def table_row(chain: str, action: str, comment: str | None = None, **fields: str) -> dict[str, str]:
    """A rule as the API prints it, for tables written in tests (``to_addresses`` is ``to-addresses``)."""
    row = {"chain": chain, "action": action}
    row.update({name.replace("_", "-"): value for name, value in fields.items()})
    if comment is not None:
        row["comment"] = comment
    return row

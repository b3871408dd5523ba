"""Helpers for the Router tests: commands as the API server sends them, and what they answer."""

from __future__ import annotations

import json

from routeros_sim.router import Reply, Router

OLD = "6.49.18"
NAT = "/ip/firewall/nat"
ADDRESS_LIST = "/ip/firewall/address-list"


def run(router: Router, command: str, *words: str) -> list[Reply]:
    replies = router.execute(command, list(words))
    assert replies[-1][0] == "!done"
    assert [word for word, _ in replies].count("!done") == 1
    return replies


def ok(router: Router, command: str, *words: str) -> dict[str, str]:
    """Run a command that must succeed; the attributes of its ``!done``."""
    replies = run(router, command, *words)
    assert not [attrs for word, attrs in replies if word == "!trap"], replies
    return replies[-1][1]


def add(router: Router, path: str, *words: str) -> str:
    return ok(router, f"{path}/add", *words)["ret"]


def rows(router: Router, path: str, *words: str) -> list[dict[str, str]]:
    return [attrs for word, attrs in run(router, f"{path}/print", *words) if word == "!re"]


def one(router: Router, path: str, item_id: str) -> dict[str, str]:
    (row,) = rows(router, path, f"?.id={item_id}")
    return row


def state(router: Router) -> str:
    return json.dumps(router.to_json(), sort_keys=True)


def trapped(router: Router, command: str, *words: str) -> list[str]:
    """Run a command that must be refused: its trap messages. It must change nothing."""
    before = state(router)
    replies = run(router, command, *words)
    messages = [attrs["message"] for word, attrs in replies if word == "!trap"]
    assert messages, replies
    assert replies == [*(("!trap", {"message": message}) for message in messages), ("!done", {})]
    assert state(router) == before
    return messages


def trap(router: Router, command: str, *words: str) -> str:
    (message,) = trapped(router, command, *words)
    return message


def nat_rules(router: Router, count: int) -> list[str]:
    return [add(router, NAT, "=chain=srcnat", f"=comment=r{n}") for n in range(count)]


def comments(router: Router, path: str = NAT) -> list[str]:
    return [row.get("comment", "") for row in rows(router, path)]

"""A simulated router read as the engine reads it (read.read_router), without a network: the
commands of the one read are answered by the simulator's router in this process."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ansible_collections.hairpin.routeros.plugins.module_utils.read import DNS_ENTRIES, RouterView, read_router


class RouterConnection:
    """The one method of api.Connection that read_router calls, answered by a simulated router."""

    def __init__(self, router: Any) -> None:
        self.router = router

    def read(self, commands: list[Any], *, absent_ok: Collection[str] = ()) -> list[list[dict[str, Any]] | None]:
        replies: list[list[dict[str, Any]] | None] = []
        for command in commands:
            answer = self.router.execute(command.path, command.words())
            traps = [attrs.get("message", "") for word, attrs in answer if word == "!trap"]
            if traps and not (command.path in absent_ok and traps[-1] == "no such command prefix"):
                raise AssertionError(f"{command.path}: {'; '.join(traps)}")
            replies.append(None if traps else [attrs for word, attrs in answer if word == "!re"])
        return replies


def router_view(router: Any) -> RouterView:
    """The NAT table, the router facts and the static DNS entries, as nat_info reads them."""
    return read_router(RouterConnection(router), entries=[DNS_ENTRIES])

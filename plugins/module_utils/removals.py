# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# No silent mass delete: a plan that would remove every owned port forward of a router, or more
# of them than a run may remove, is refused before writing. An empty services list or a misspelt
# variable holding it looks to the planner exactly like "unpublish everything".

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Sequence

from ansible_collections.hairpin.routeros.plugins.module_utils.model import KIND_DSTNAT, RuleKey, parse_marker
from ansible_collections.hairpin.routeros.plugins.module_utils.values import is_true

# Up to this many owned forwards, a run may remove any number of them but all without leave.
SMALL_TABLE = 4


@dataclass(frozen=True)
class Removals:
    """The owned port forwards of a plan: how many the router has, which ones go."""

    owned: int
    removed: List[RuleKey]

    @property
    def services(self) -> List[str]:
        names: List[str] = []
        for key in self.removed:
            if key.name not in names:
                names.append(key.name)
        return names


def _forward_keys(rows: Sequence[Mapping[str, Any]]) -> List[RuleKey]:
    keys: List[RuleKey] = []
    for row in rows:
        key = parse_marker(row.get("comment"))
        if key is not None and key.kind == KIND_DSTNAT and not is_true(row.get("dynamic")) and key not in keys:
            keys.append(key)
    return keys


def removals(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> Removals:
    """The owned port forwards in `before` (the table as read) and those missing from `after`
    (the table the plan makes). A forward is one owned rule (service and protocol); a second
    copy of the same rule going is a repair, not a removal."""
    owned = _forward_keys(before)
    kept = set(_forward_keys(after))
    return Removals(len(owned), [key for key in owned if key not in kept])


def removal_limit(owned: int, max_removals: Optional[int]) -> int:
    """How many of `owned` forwards one run may remove without leave: max_removals when given,
    else half of them on a router with more than SMALL_TABLE, else all but one."""
    if max_removals is not None:
        return max_removals
    if owned > SMALL_TABLE:
        return owned // 2
    return max(owned - 1, 0)


def mass_removal(
    found: Removals, max_removals: Optional[int], allowed: bool, limit_name: str = "max_removals"
) -> Optional[str]:
    """Why the removals are too many (the start of the message), or None when they may go:
    allowed, none removed, or no more than the limit and not every one. `limit_name`: how the
    message names max_removals."""
    count = len(found.removed)
    if allowed or count == 0:
        return None
    if count == found.owned:
        return "would remove every owned port forward of the router (%d)" % count
    limit = removal_limit(found.owned, max_removals)
    if count <= limit:
        return None
    why = "%s %d" % (limit_name, limit) if max_removals is not None else "%d, half of them" % limit
    return "would remove %d of the router's %d owned port forwards, more than a run may remove (%s)" % (
        count,
        found.owned,
        why,
    )

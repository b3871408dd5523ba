# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Safe apply: every module that writes arms a revert on the router first (safe_apply.py).
    DOCUMENTATION = r"""
options:
  confirm:
    description:
      - Before the first write, in the same batch, leave on the router a C(/system script) that
        puts every owned rule, address-list entry and static DNS entry of the changed menus back
        as they were read, and a C(/system scheduler) entry that runs it once after
        O(confirm_timeout) seconds (both named C(hairpin-revert-...), comment C(hairpin:revert)).
        After the writes a new connection reads the router again; when it is as planned, the
        script and the scheduler entry are removed. A run that dies or loses the router in between
        is undone by the router itself; the task fails and says at what router time.
      - A run that has nothing to write, and check mode, arm nothing.
      - While a revert an earlier run left is still armed, the run refuses to write (the revert
        would undo its changes too) and names it.
      - A revert script left without its scheduler entry ran and stopped part-way (the router's
        C(/log) says why); every run warns about it until it is removed.
      - With V(false), the writes are made without a revert, on one connection.
    type: bool
    default: true
  confirm_timeout:
    description:
      - Seconds from the router's clock at the run's read until the armed revert runs; at least 10.
    type: int
    default: 120
notes:
  - With O(confirm=true) the API user needs the C(policy) and C(test) policies as well, to add the
    revert's script and scheduler entry.
"""

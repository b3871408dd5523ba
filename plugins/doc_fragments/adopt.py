# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Adoption in place: every module that plans NAT rules takes over exact foreign copies (adopt.py).
    DOCUMENTATION = r"""
options:
  adopt:
    description:
      - Take over a foreign rule (one without the ownership marker) that already does exactly what
        one of the desired rules would do, with one C(set comment=<marker>) instead of adding a
        twin (same chain, action and every matcher, all fields but C(comment) equal, enabled). A
        dst-nat of one port without C(to-ports) counts as one with that port. Its id, position,
        counters and connections stay; the new comment is the marker, the fingerprint and the
        rule's own description (its C(comment) option, where the module has one).
        C(--check --diff) shows the C(set) under a line such as
        C(# adopt foreign rule *5 "web server" as web), followed by the rule's marker; the armed
        revert gives the rule its old comment and place back.
      - Of two copies the first in table order is adopted. A disabled copy, a second copy, a copy
        that another rule names as its anchor, and, with V(false), every copy is left as it is and
        named in a warning and in RV(ignore:twins); with V(false) the owned rule is added as well.
      - A rule that is almost the same (same port, another host or port) is never adopted; the
        shadowing warning names it when the two share traffic.
      - An adopted rule stays where it is when only rules that take none of its packets
        differently stand between it and the place the rule's position asks for (disabled rules;
        for a plain masquerade, foreign plain masquerades); otherwise it is moved there.
    type: bool
    default: true
"""

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The resource-module states every hairpin.routeros NAT module offers, with the meaning
    # they have for rules we own. Foreign rules are never part of any state's changes.
    DOCUMENTATION = r"""
options:
  state:
    description:
      - V(merged) adds and updates the given services' rules and leaves other owned rules alone.
      - V(replaced) makes the given services' rules exactly what the options say (a service that
        went from V(both) to V(tcp) loses its udp rule); other services are left alone.
      - V(overridden) is V(replaced) plus removing every owned rule (of the kinds this module
        manages) whose service is not in the options.
      - V(deleted) removes the owned rules of the named services, or of every service of this
        module's kinds when none is named.
      - V(gathered) reads the router and returns its owned rules as options of this module.
      - V(rendered) needs no router and returns the commands that would create the services.
      - V(parsed) needs no router and reads O(running_config) (an C(/export)).
      - No state ever changes, moves or removes a rule without the hairpin ownership marker.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered, rendered, parsed]
    default: merged
  running_config:
    description:
      - Text of a RouterOS C(/export) (or C(/ip firewall nat export)) for O(state=parsed).
    type: str
"""

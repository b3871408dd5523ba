#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: masquerade
short_description: Manage the WAN masquerade on RouterOS
version_added: 0.1.0
description:
  - Masquerades traffic leaving the WAN (C(chain=srcnat action=masquerade)) out of an interface
    or an interface list, one rule per WAN, named after it in the ownership marker.
  - Rules without the marker (for example RouterOS's own C(defconf) masquerade) are never touched.
author:
  - hairpin maintainers (@hairpin-maintainers)
extends_documentation_fragment:
  - hairpin.routeros.safe_apply
  - hairpin.routeros.nat_rules.masquerade_config
  - hairpin.routeros.api
  - hairpin.routeros.in_worker
  - hairpin.routeros.states
  - hairpin.routeros.attributes
options:
  config:
    description:
      - The services, one entry each.
    type: list
    elements: dict
seealso:
  - module: hairpin.routeros.nat
"""

EXAMPLES = r"""
- name: Masquerade everything that leaves ether1
  hairpin.routeros.masquerade:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    config:
      - out_interface: ether1
"""

# The same as port_forward.py's RETURN, its source (tests/unit/plugins/modules/test_docs.py).
RETURN = r"""
commands:
  description: The RouterOS commands the change runs (or would run in check mode), in order.
  returned: when the router was read
  type: list
  elements: str
before:
  description: The owned rules of this module's kinds before the change, in table order.
  returned: when the router was read
  type: list
  elements: dict
after:
  description: The owned rules of this module's kinds after the change, in table order.
  returned: when changed
  type: list
  elements: dict
gathered:
  description: The owned rules as O(config) entries.
  returned: O(state=gathered)
  type: list
  elements: dict
rendered:
  description: The commands that would create O(config) on a router with no owned rule.
  returned: O(state=rendered)
  type: list
  elements: str
parsed:
  description: The owned rules found in O(running_config), as O(config) entries.
  returned: O(state=parsed)
  type: list
  elements: dict
revert:
  description:
    - The revert the call armed before writing (O(confirm=true)) and then confirmed; with C(-v) the
      script is shown, and with C(--diff) it follows the commands.
  returned: when the call wrote with O(confirm=true)
  type: dict
  contains:
    scheduler:
      description: The name of the scheduler entry and of the script (C(hairpin-revert-...)).
      type: str
    at:
      description: The router time at which the router would have reverted, C(YYYY-MM-DD HH:MM:SS) (or its RouterOS 6 form).
      type: str
    script:
      description: The RouterOS script that would have put the owned rules and entries back.
      type: str
round_trips:
  description: API round trips after login that this call used.
  returned: when the router was read
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_MASQUERADE,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.options import masquerade_module_spec
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import (
    NatResource,
    run_module,
)

RESOURCE = NatResource(
    scope_kinds=frozenset((KIND_MASQUERADE,)),
    sections=lambda params: {"masquerades": params.get("config")},
    shape_config=lambda config: config["masquerades"],
)


def module_spec():
    """The arguments of AnsibleModule; the action plugin validates with the same spec."""
    return masquerade_module_spec()


def run(module):
    run_module(module, RESOURCE)


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

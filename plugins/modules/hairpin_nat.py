#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hairpin_nat
short_description: Manage hairpin NAT (srcnat) rules on RouterOS
version_added: 0.1.0
description:
  - Hairpin NAT lets a LAN client reach a server on its own subnet through the router's public
    address. The router dst-NATs the request to the server; without hairpin NAT the server
    answers the client directly and the client drops the reply. A C(chain=srcnat
    action=masquerade) rule for that traffic makes the reply return through the router.
  - The cost is that the server sees the router's LAN address for every internal client.
    Split DNS avoids it (see the role C(hairpin.routeros.hairpin)).
  - One rule per service and protocol (O(config[].name)), or one broad rule per LAN subnet
    (O(config[].subnet)). Rules without the hairpin ownership marker are never touched.
author:
  - hairpin maintainers (@hairpin-maintainers)
extends_documentation_fragment:
  - hairpin.routeros.safe_apply
  - hairpin.routeros.adopt
  - hairpin.routeros.nat_rules.hairpin_config
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
  - module: hairpin.routeros.port_forward
"""

EXAMPLES = r"""
- name: Hairpin for the web server published on tcp/80
  hairpin.routeros.hairpin_nat:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    config:
      - name: web
        host: 192.168.1.2
        host_port: "80"
        lan_interface: bridge
"""

# The same as port_forward.py's RETURN, its source (tests/unit/plugins/modules/test_docs.py).
RETURN = r"""
commands:
  description: The RouterOS commands the change runs (or would run in check mode), in order; each
    command that touches an existing rule or entry follows a comment line naming it by its marker.
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
shadowing:
  description:
    - Foreign rules of the C(dstnat) chain that take traffic of an owned port forward (they come first), or lose
      traffic to one (it comes first), found in the planned table before anything is written, in every mode
      (check mode too). Each is also a warning.
    - Each entry has C(service) and C(protocol) (the port forward), C(rule) (the foreign rule, with C(id),
      C(position), C(comment), C(chain), C(action) and C(text)), C(first) (C(foreign) or C(service)) and
      C(message) (the warning).
  returned: when there are any (only modules that manage port forwards look for them)
  type: list
  elements: dict
drift:
  description:
    - Repairs of owned rules that were changed on the router since this collection wrote them, apart
      from what the inventory changed; each is also a C(drift:) line in the notes and in the diff.
    - RV(drift[].kind) is C(fields) (RV(drift[].fields) lists each property with its value on the router and
      in the inventory, null meaning unset), C(position) (the rule is moved back), C(missing) (the
      rule is added again while the other rules of its service are as written) or C(duplicate) (a
      second copy is removed).
    - Told apart by the fingerprint each owned rule carries in its comment (C(~) and 8 hex digits
      after the marker); rules written without one are never reported as drift.
  returned: when changes were planned against the router (not for gathered)
  type: list
  elements: dict
  contains:
    rule:
      description: The rule's marker, for example C(hairpin:dstnat:web:tcp).
      type: str
    service:
      description: The name of the rule's service.
      type: str
    kind:
      description: C(fields), C(position), C(missing) or C(duplicate).
      type: str
    id:
      description: The rule's id on the router (null for a missing rule).
      type: str
    fields:
      description: For C(fields), each repaired property as C(name), C(router) and C(inventory).
      type: list
      elements: dict
    message:
      description: The drift in one sentence, as the notes give it.
      type: str
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
adopted:
  description: The foreign rules this call takes over (one C(set) of the comment each), in table order.
  returned: when a foreign rule is adopted
  type: list
  elements: dict
  contains:
    id:
      description: The rule's id on the router, which it keeps.
      type: str
    service:
      description: The service (or masquerade, hairpin subnet) it is adopted for.
      type: str
    rule:
      description: Its marker, C(hairpin:<kind>:<name>[:<protocol>]).
      type: str
    comment:
      description: The comment it had (null when none).
      type: str
    message:
      description: The adoption in one sentence, as the notes give it.
      type: str
twins:
  description: Foreign rules that do exactly what a desired rule does and are left as they are.
  returned: when there are any
  type: list
  elements: dict
  contains:
    id:
      description: The rule's id on the router.
      type: str
    service:
      description: The service whose rule it copies.
      type: str
    rule:
      description: The marker of that rule.
      type: str
    comment:
      description: Its comment (null when none).
      type: str
    reason:
      description: C(disabled), C(duplicate) (another copy is adopted), C(anchor) (another rule's anchor) or C(adopt-off).
      type: str
    message:
      description: The warning.
      type: str
round_trips:
  description: API round trips after login that this call used.
  returned: when the router was read
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.options import hairpin_nat_module_spec
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import (
    NatResource,
    run_module,
)


def _sections(params):
    entries = params.get("config") or []
    subnet_fields = ("subnet", "lan_interface", "lan_interface_list", "comment", "disabled", "position", "anchor")
    return {
        "hairpins": [entry for entry in entries if not entry.get("subnet")],
        "hairpin_subnets": [{k: entry.get(k) for k in subnet_fields} for entry in entries if entry.get("subnet")],
    }


RESOURCE = NatResource(
    scope_kinds=frozenset((KIND_HAIRPIN, KIND_HAIRPIN_SUBNET)),
    sections=_sections,
    shape_config=lambda config: config["hairpins"] + config["hairpin_subnets"],
)


def module_spec():
    """The arguments of AnsibleModule; the action plugin validates with the same spec."""
    return hairpin_nat_module_spec()


def run(module):
    run_module(module, RESOURCE)


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

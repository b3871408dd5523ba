#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: nat_info
short_description: Read a RouterOS router's NAT table, owned and foreign rules, parsed
version_added: 0.1.0
description:
  - Returns every rule of C(/ip firewall nat) in table order, says which ones hairpin owns (and
    for which service), gives the owned ones as options of M(hairpin.routeros.nat), and returns
    the router facts the NAT modules check against (interfaces, interface lists, addresses,
    enabled IP services).
  - One connection, one round trip after login. Changes nothing.
author:
  - hairpin maintainers (@hairpin-maintainers)
extends_documentation_fragment:
  - hairpin.routeros.api
  - hairpin.routeros.in_worker
  - hairpin.routeros.info_attributes
options: {}
seealso:
  - module: hairpin.routeros.nat
"""

EXAMPLES = r"""
- name: Read the NAT table
  hairpin.routeros.nat_info:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
  register: nat

- name: List the rules hairpin does not own
  ansible.builtin.debug:
    msg: "{{ nat.rules | rejectattr('owned') | map(attribute='comment', default='(no comment)') | list }}"
"""

RETURN = r"""
rules:
  description:
    - Every rule in table order as the router printed it (counters left out), plus C(position)
      (0-based), C(owned) and, for owned rules, C(owner) (C(kind), C(name), C(protocol)).
  returned: success
  type: list
  elements: dict
config:
  description:
    - The owned rules as options of M(hairpin.routeros.nat) (C(port_forwards), C(masquerades),
      C(hairpins), C(hairpin_subnets)) and C(foreign), every rule hairpin does not own.
  returned: success
  type: dict
facts:
  description: C(interfaces), C(interface_lists), C(addresses), C(services) (enabled IP service name to port) and C(lan_networks) (interface to subnets).
  returned: success
  type: dict
round_trips:
  description: API round trips after login that this call used.
  returned: success
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hairpin.routeros.plugins.module_utils.calls import InfoCall
from ansible_collections.hairpin.routeros.plugins.module_utils.options import nat_info_module_spec
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import run_call


def module_spec():
    """The arguments of AnsibleModule; the action plugin validates with the same spec."""
    return nat_info_module_spec()


def run(module):
    run_call(module, InfoCall(module.params))


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

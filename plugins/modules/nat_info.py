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
  - Imports the router into inventory as well. RV(services) lists its port forwards as entries
    of the role's C(hairpin_services). RV(variables) holds those and the other C(hairpin_*)
    variables the forwards imply (public address, WAN, LAN, hairpin mode, masquerade). With those
    variables the role makes exactly the rules in RV(expressed), same chain, action and matchers.
    RV(unexpressed) lists every other rule with the reason the role cannot make it.
  - The playbook C(hairpin.routeros.import) writes these variables to one file per router.
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

- name: Import the router's port forwards as the role's services
  ansible.builtin.debug:
    msg: "{{ nat.services }} (left as they are: {{ nat.unexpressed | map(attribute='reason') | list }})"

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
services:
  description:
    - The router's port forwards as entries of the role's C(hairpin_services), in table order
      (C(name) from the rule's comment, else protocol and port; C(protocol), C(port), C(host),
      C(host_port) when it differs, C(dns_name) from a static DNS entry answering with the host,
      C(sources) or C(source_address_list) from the forward's C(src-address) or C(src-address-list),
      C(hairpin=false) for a forward without hairpin rule in mode C(per_service)).
    - Only forwards the role would make again exactly; the others are in RV(unexpressed).
  returned: success
  type: list
  elements: dict
  sample:
    - {name: web, protocol: tcp, port: "443", host: 192.168.88.10}
variables:
  description:
    - "The role's variables for this router, C(hairpin_services) included. C(hairpin_public_address)
      (an address, C({address_list: NAME}) or C(local)), C(hairpin_wan_interface) or
      C(hairpin_wan_interface_list), C(hairpin_lan_interface) or C(hairpin_lan_interface_list),
      C(hairpin_lan_subnets) where the hairpin rules name subnets the router has no address in,
      C(hairpin_mode) and C(hairpin_masquerade) (C(auto) where the router's own masquerade
      covers the WAN, else V(false))."
    - The connection variables are not among them.
  returned: success
  type: dict
expressed:
  description:
    - The rules the role makes again from RV(variables), one per rule. Each has C(.id), C(position)
      (0-based), C(rule) (as Winbox lists it) and C(service), the name it gets.
    - Applying the variables takes these over and changes nothing but their comment.
  returned: success
  type: list
  elements: dict
unexpressed:
  description:
    - Every other rule, each with C(.id), C(position), C(rule) (as Winbox lists it) and C(reason),
      why the role cannot make it. The role leaves these rules as they are.
  returned: success
  type: list
  elements: dict
  sample:
    - .id: "*5"
      position: 5
      rule: "5 ;;; mail: SMTP chain=wan-forwards action=dst-nat protocol=tcp dst-address=203.0.113.51 dst-port=25 to-addresses=192.168.20.25"
      reason: "it is in the chain wan-forwards; the role's rules are in dstnat and srcnat"
variables_yaml:
  description:
    - RV(variables) as a YAML file for the router's C(host_vars), for a human to review. Each
      service follows a comment with the rule it was found in. The rules left as they are come
      last, as comments, each with its reason. The playbook C(hairpin.routeros.import) writes it.
  returned: success
  type: str
import_notes:
  description: What a reviewer of the imported variables should know (e.g. the public address is only a starting point).
  returned: success
  type: list
  elements: str
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

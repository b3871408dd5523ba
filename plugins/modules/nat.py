#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: nat
short_description: Manage a RouterOS router's port forwards, WAN masquerade and hairpin NAT in one call
version_added: 0.1.0
description:
  - Takes the whole NAT state hairpin manages on one router (dstnat port forwards, the WAN
    masquerade, hairpin srcnat rules) and brings the router's C(/ip firewall nat) table to it
    over one API connection, with one round trip to read and at most one to write.
  - Every rule it writes carries an ownership marker in its comment
    (C(hairpin:<kind>:<name>[:<protocol>]), followed by your O(port_forwards[].comment) if any).
    A rule without that marker is never changed, moved or removed, whatever O(state) says.
  - A changed service is edited in place (C(set)); rules are placed with C(place-before) and
    C(move) so that owned rules sit above the rules that would catch their traffic first.
  - Bad input (addresses, ports, names, interfaces missing on the router, two services on one
    public port, a forward that captures a router service) is reported before anything is written.
author:
  - hairpin maintainers (@hairpin-maintainers)
extends_documentation_fragment:
  - hairpin.routeros.safe_apply
  - hairpin.routeros.adopt
  - hairpin.routeros.nat_rules.port_forwards
  - hairpin.routeros.nat_rules.masquerades
  - hairpin.routeros.nat_rules.hairpins
  - hairpin.routeros.nat_rules.hairpin_subnets
  - hairpin.routeros.api
  - hairpin.routeros.states
  - hairpin.routeros.attributes
  - hairpin.routeros.in_worker
options:
  port_forwards:
    description:
      - Port forwards (C(chain=dstnat action=dst-nat)), one rule per protocol.
    type: list
    elements: dict
  masquerades:
    description:
      - The WAN masquerade (C(chain=srcnat action=masquerade)) out of an interface or interface list.
    type: list
    elements: dict
  hairpins:
    description:
      - Hairpin NAT rules given explicitly, one per service and protocol
        (C(chain=srcnat action=masquerade src-address=<LAN> dst-address=<host> dst-port=<port> out-interface=<LAN>)).
      - Usually left out in favour of O(auto_hairpin).
    type: list
    elements: dict
  hairpin_subnets:
    description:
      - One broad hairpin rule per LAN subnet (C(src-address=<subnet> dst-address=<subnet>)).
    type: list
    elements: dict
  address_lists:
    description:
      - Address-list entries hairpin owns, written in the same call as the NAT rules, for example
        the DDNS name of a dynamic public address that O(port_forwards[].public_address_list)
        matches (RouterOS resolves a DNS name in an address list into dynamic entries).
      - Left out, address lists are not read or changed. Given (even empty), owned entries follow
        O(state) like the rules; foreign entries are never touched.
    type: list
    elements: dict
    suboptions:
      list:
        description: The address list's name.
        type: str
        required: true
      address:
        description: An IPv4 address, a subnet, a range, or a DNS name.
        type: str
        required: true
      comment:
        description: Free text stored after the ownership marker.
        type: str
      disabled:
        description: Write the entry disabled.
        type: bool
        default: false
  dns_static:
    description:
      - Static DNS entries hairpin owns (split DNS - the router's DNS answers a service's public
        name with its LAN address, so LAN clients reach the server directly and it sees their
        own addresses), written in the same call as the NAT rules.
      - Left out, static DNS is not read or changed. Given (even empty), owned entries follow
        O(state) like the rules; foreign entries are never touched.
    type: list
    elements: dict
    suboptions:
      name:
        description: The DNS name.
        type: str
        required: true
      address:
        description: The IPv4 address it resolves to. Required unless O(state=deleted).
        type: str
      comment:
        description: Free text stored after the ownership marker.
        type: str
      disabled:
        description: Write the entry disabled.
        type: bool
        default: false
  auto_hairpin:
    description:
      - Derive hairpin rules from O(port_forwards) so LAN clients can use the public address.
      - V(per_service) makes one rule per port forward whose server sits on a LAN subnet (the
        subnet that holds the server; clients on other subnets need none). V(subnet) makes one
        broad rule per LAN subnet. V(none) makes none.
    type: dict
    suboptions:
      mode:
        description: How to hairpin.
        type: str
        choices: [per_service, subnet, none]
        default: per_service
      lan_interface:
        description: The LAN interface; the hairpin rules' C(out-interface).
        type: str
      lan_interface_list:
        description: The LAN interface list; the hairpin rules' C(out-interface-list).
        type: str
      lan_subnets:
        description: LAN subnets; read from the router's C(/ip address) on the LAN when left out.
        type: list
        elements: str
notes:
  - O(state=replaced) acts on the services named in the options; O(state=overridden) also
    removes every owned rule whose service is not named; neither ever touches a foreign rule.
  - All writes of one call are sent together (tagged), each referencing only rules that existed
    before the call, so a run that dies half-way leaves no duplicate and the next run converges.
seealso:
  - module: hairpin.routeros.port_forward
  - module: hairpin.routeros.masquerade
  - module: hairpin.routeros.hairpin_nat
  - module: hairpin.routeros.nat_info
"""

EXAMPLES = r"""
- name: Publish a web server, masquerade the WAN and hairpin for the LAN
  hairpin.routeros.nat:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    port_forwards:
      - name: web
        port: "80"
        host: 192.168.1.2
        public_address: 203.0.113.1
    masquerades:
      - out_interface: ether1
    auto_hairpin:
      lan_interface: bridge
    state: overridden

- name: Show what would be sent, without a router
  hairpin.routeros.nat:
    port_forwards:
      - name: web
        port: "80"
        host: 192.168.1.2
    state: rendered
"""

# commands and round_trips as in port_forward.py, their source (tests/unit/plugins/modules/test_docs.py).
RETURN = r"""
commands:
  description: The RouterOS commands the change runs (or would run in check mode), in order; each
    command that touches an existing rule or entry follows a comment line naming it by its marker.
  returned: when the router was read
  type: list
  elements: str
  sample:
    - /ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-port=80 to-addresses=192.168.1.2 comment=hairpin:dstnat:web:tcp
before:
  description: The owned rules before the change, in table order, as the router printed them.
  returned: when the router was read
  type: list
  elements: dict
after:
  description: The owned rules after the change, in table order.
  returned: when changed
  type: list
  elements: dict
gathered:
  description: The owned rules as options of this module, plus C(foreign), the rules hairpin does not own.
  returned: O(state=gathered)
  type: dict
rendered:
  description: The commands that would create the given services on a router with no owned rule.
  returned: O(state=rendered)
  type: list
  elements: str
parsed:
  description: The owned rules found in O(running_config), as options of this module, plus C(foreign).
  returned: O(state=parsed)
  type: dict
notes:
  description: Things worth knowing that are not errors, for example a server that needs no hairpin rule.
  returned: when there are any
  type: list
  elements: str
address_lists:
  description: The owned address-list entries after the change, when O(address_lists) is given.
  returned: when O(address_lists) is given and the router was read
  type: list
  elements: dict
dns_static:
  description: The owned static DNS entries after the change, when O(dns_static) is given.
  returned: when O(dns_static) is given and the router was read
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
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_HAIRPIN_SUBNET,
    KIND_MASQUERADE,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.options import nat_module_spec
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import (
    NatResource,
    run_module,
)

SECTIONS = ("port_forwards", "masquerades", "hairpins", "hairpin_subnets")

RESOURCE = NatResource(
    scope_kinds=frozenset((KIND_DSTNAT, KIND_MASQUERADE, KIND_HAIRPIN, KIND_HAIRPIN_SUBNET)),
    sections=lambda params: {section: params.get(section) for section in SECTIONS},
    shape_config=lambda config: config,
)


def module_spec():
    """The arguments of AnsibleModule; the action plugin validates with the same spec."""
    return nat_module_spec()


def run(module):
    run_module(module, RESOURCE)


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

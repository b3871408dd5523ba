#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_static
short_description: Manage the static DNS entries of split DNS on a RouterOS router
version_added: 0.1.0
description:
  - Split DNS is the alternative to hairpin NAT. The router's DNS answers a published service's
    public name with the server's LAN address, so LAN clients talk to the server directly.
  - Manages static C(A) records in C(/ip dns static) over one API connection, with one round trip
    to read, at most one to write.
  - Every entry it writes carries an ownership marker in its comment
    (C(hairpin:dns:<name>), followed by your O(config[].comment) if any). An entry without that
    marker is never changed or removed, whatever O(state) says.
  - A foreign enabled entry that would answer the same name differently is reported before
    anything is written, because clients would then get either answer.
author:
  - hairpin maintainers (@hairpin-maintainers)
extends_documentation_fragment:
  - hairpin.routeros.safe_apply
  - hairpin.routeros.api
  - hairpin.routeros.in_worker
  - hairpin.routeros.states
  - hairpin.routeros.attributes
options:
  config:
    description:
      - The static DNS entries, one per name.
    type: list
    elements: dict
    suboptions:
      name:
        description: The DNS name clients ask for, for example the public name of a service. Unique.
        type: str
        required: true
      address:
        description: The IPv4 address the router answers with. Required unless O(state=deleted).
        type: str
      comment:
        description: Free text stored after the ownership marker in the entry's comment, verbatim.
        type: str
notes:
  - The router answers LAN clients from these entries only when they use it as their DNS
    server (C(/ip dns set allow-remote-requests=yes) and DHCP handing out the router's address).
seealso:
  - module: hairpin.routeros.nat
"""

EXAMPLES = r"""
- name: Answer the public name of the web server with its LAN address
  hairpin.routeros.dns_static:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    config:
      - name: www.example.net
        address: 192.168.88.10
        comment: web server
    state: overridden

- name: Remove every static entry hairpin owns
  hairpin.routeros.dns_static:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    state: deleted
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
    - /ip dns static add name=www.example.net address=192.168.88.10 comment=hairpin:dns:www.example.net
before:
  description: The owned entries before the change, as the router printed them.
  returned: when the router was read
  type: list
  elements: dict
after:
  description: The owned entries after the change.
  returned: when changed
  type: list
  elements: dict
gathered:
  description: The owned entries as O(config) entries (C(config)), plus C(foreign), the entries hairpin does not own.
  returned: O(state=gathered)
  type: dict
rendered:
  description: The commands that would create the entries on a router with no owned entry.
  returned: O(state=rendered)
  type: list
  elements: str
parsed:
  description: The owned entries found in O(running_config) as O(config) entries (C(config)), plus C(foreign).
  returned: O(state=parsed)
  type: dict
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
from ansible_collections.hairpin.routeros.plugins.module_utils.calls import DnsStaticCall
from ansible_collections.hairpin.routeros.plugins.module_utils.options import (
    dns_static_module_spec,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import run_call


def run(module):
    run_call(module, DnsStaticCall(module.params))


def module_spec():
    """The arguments of AnsibleModule; the action plugin validates with the same spec."""
    return dns_static_module_spec()


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

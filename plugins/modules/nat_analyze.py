#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: nat_analyze
short_description: Tell who reaches each service published on a RouterOS router, and why not
version_added: 0.1.0
description:
  - For every published service (every C(dst-nat) rule with a protocol and a public port) says
    whether it is reachable from the internet and from the LAN, which source address the server
    sees each way, and what in the NAT table is wrong, naming the offending rule.
  - The analysis walks the first packet of a connection through the table the way RouterOS does,
    C(dstnat) then routing then C(srcnat), first match wins, C(jump), C(return),
    C(passthrough), C(accept), disabled rules skipped, interface lists, address lists,
    C(dst-address-type=local), ports and ranges. The LAN client is put in the server's own
    subnet, the case that needs hairpin NAT.
  - "Findings (C(code) in the result): C(shadowed) (a rule above takes the service's traffic
    first), C(public-address-mismatch) (the rule matches an address the WAN no longer has),
    C(not-matched) (the rule cannot match traffic from the internet), C(missing-hairpin),
    C(hairpin-mismatch) (a hairpin rule exists but does not match, e.g. the wrong LAN
    interface), C(hairpin-shadowed) (a rule above the hairpin rule ends C(srcnat) first),
    C(captures-router-service) (a forward takes the router's own API, SSH, Winbox...),
    C(captures-outbound) (a forward without public address also takes LAN clients' traffic to
    every internet server on that port), C(no-masquerade) (nothing masquerades the server's own
    traffic out of the WAN), C(split-dns-port) (split DNS sends clients to a port the server does
    not listen on), C(one-to-one-outbound) (a 1:1 host's own connections do not leave from its
    public address, such as a masquerade above the mapping's C(srcnat) rule), C(no-reply-routing)
    (a forward on a WAN, of several, that the main table's default route does not leave by, with
    no mangle marks and routing table sending the replies back out of it)."
  - "1:1 mappings (a C(netmap) C(dstnat) rule from one public address to one host, as
    C(hairpin_netmaps) makes them) are analysed on a port no other rule names: an internet client
    and a LAN client on the public address, the ports a rule above takes first (C(shadowed)),
    and the host's own way out."
  - Reads the router live (one connection, one round trip after login), or works offline from
    O(rules) (for example the C(rules) that M(hairpin.routeros.nat_info) returns) or from
    O(running_config) (an C(/export)). When O(rules) or O(running_config) is given the router is
    not contacted, even if the connection options are set (for example by C(module_defaults)).
  - The firewall filter's C(forward) chain is analysed for every connection that passes through
    the router (read live, or from O(running_config)); its C(input) chain is not. The analysed
    traffic uses no IPsec policy.
  - The same analysis runs without Ansible, for CI pipelines, with
    C(python -m ansible_collections.hairpin.routeros.plugins.module_utils.analyze) (the directory
    that holds C(ansible_collections) on C(PYTHONPATH)); C(--help) lists its options.
author:
  - hairpin maintainers (@hairpin-maintainers)
extends_documentation_fragment:
  - hairpin.routeros.api
  - hairpin.routeros.in_worker
  - hairpin.routeros.info_attributes
options:
  rules:
    description:
      - The NAT table, every row in table order, as RouterOS prints it (property names as in
        RouterOS, for example C(dst-port)). The C(rules) result of
        M(hairpin.routeros.nat_info) can be passed as it is.
      - The router facts then come from O(facts).
    type: list
    elements: dict
  running_config:
    description:
      - Text of the router's C(/export). The NAT table and the router facts (addresses, interface
        list members, address lists, static DNS, IP services) are read from it.
      - An export has no dynamic addresses; for a DHCP or PPPoE WAN give O(public_address).
    type: str
  facts:
    description:
      - Router facts that complete or override what was read, as a dictionary with any of
        C(addresses) (list of C(interface) and C(address) with prefix, or the flat list with
        C(lan_networks) that M(hairpin.routeros.nat_info) returns in C(facts)),
        C(interface_list_members) (list name to its interfaces), C(address_lists) (list name to
        its addresses), C(services) (enabled IP service name to tcp port), C(dns_static) (list of
        C(name) and C(address)).
      - The C(facts) result of M(hairpin.routeros.nat_info) can be passed as it is; add
        C(interface_list_members) when the rules use interface lists.
    type: dict
  wan_interface:
    description:
      - The WAN interface (where the internet arrives). Default is the interface list C(WAN).
    type: str
  wan_interface_list:
    description: The WAN as an interface list.
    type: str
  lan_interface:
    description:
      - The LAN interface (where LAN clients and the servers are). Default is the interface list C(LAN).
    type: str
  lan_interface_list:
    description: The LAN as an interface list.
    type: str
  lan_subnets:
    description:
      - The LAN subnets. Default is the router's networks on the LAN interfaces.
    type: list
    elements: str
  public_address:
    description:
      - The address you publish your services on. Reported when it is not the WAN's current
        address; used as the WAN's address when the facts do not have one.
    type: str
  internet_client:
    description:
      - Address of the internet client in the analysis (what the server sees from the internet).
      - Default is a documentation address (RFC 5737) on none of the router's networks.
    type: str
  lan_client:
    description:
      - Address of the LAN client in the analysis. Default is a free address in the server's LAN subnet.
    type: str
  fail_on_findings:
    description:
      - Fail the task when there is a finding of severity C(error) (the result is returned all the
        same); C(warning) findings, such as a forward that takes a port of the router's own
        services, do not fail it.
    type: bool
    default: false
notes:
  - The analysis assumes the router is the servers' default gateway and that LAN clients use the
    router's DNS (for split DNS).
seealso:
  - module: hairpin.routeros.nat
  - module: hairpin.routeros.nat_info
"""

EXAMPLES = r"""
- name: Check the published services on the router after a change
  hairpin.routeros.nat_analyze:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    wan_interface: ether1
    lan_interface: bridge
    public_address: 203.0.113.1
    fail_on_findings: true
  register: reachability

- name: Show the verdicts
  ansible.builtin.debug:
    msg: "{{ reachability.table.splitlines() }}"

- name: Analyse an export without touching the router
  hairpin.routeros.nat_analyze:
    running_config: "{{ lookup('ansible.builtin.file', 'backups/gw-home.rsc') }}"
  register: offline

- name: Analyse what nat_info read
  hairpin.routeros.nat_analyze:
    rules: "{{ nat.rules }}"
    facts: "{{ nat.facts | combine({'interface_list_members': {'WAN': ['ether1'], 'LAN': ['bridge']}}) }}"
    wan_interface: ether1
    lan_interface: bridge
"""

RETURN = r"""
services:
  description:
    - One entry per published service and protocol, in table order.
    - C(internet), C(lan_public_address) (a LAN client using the public address), each entry of
      C(lan_dns_names) (a LAN client using a static DNS name of the server) and C(lan) (the way
      that works for LAN clients, or the public address when none does) are verdicts with
      C(reachable), C(via), C(reaches) (where the connection ends, C(address:port)),
      C(server_sees) and C(sees) (C(client), C(router) or C(other)), C(reason) and C(summary)
      when not reachable, C(rules) (positions of the rules the packet used), and C(filter) (what
      the firewall filter's forward chain does to the connection, with C(passes), C(packet) and the
      deciding C(rule); null when the filter was not read or the connection does not reach it).
  returned: success
  type: list
  elements: dict
  sample:
    - name: web
      protocol: tcp
      port: "80"
      public: 203.0.113.1:80
      target: 192.168.1.2:80
      owned: true
      internet: {reachable: true, via: public address, reaches: 192.168.1.2:80, server_sees: 198.51.100.10, sees: client}
      lan: {reachable: true, via: hairpin, reaches: 192.168.1.2:80, server_sees: 192.168.1.1, sees: router}
      findings: []
findings:
  description:
    - What is wrong, each with C(code), C(severity) (C(error), or C(warning) for what works at a
      cost, such as a forward that takes a port of the router's own services), C(service)
      (C(name/protocol), or null for the router), C(message), C(rule) (the offending rule, with
      C(table) (C(nat) or C(filter)), C(position), C(id), C(comment) and its C(text) as a CLI
      C(add) would write it) and C(fix) (a command that fixes it, when there is one).
  returned: success
  type: list
  elements: dict
outbound:
  description:
    - LAN clients to the internet, C(masqueraded) and the C(address) the internet sees, and the C(rule).
    - With the firewall filter read, also C(reachable) and C(filter) (as in the services' verdicts).
  returned: success
  type: dict
one_to_one:
  description:
    - One entry per 1:1 mapping, in table order, with C(name), C(public), C(host), C(owned),
      C(rule), C(probe) (the protocol and port the verdicts were made on), C(internet) and C(lan)
      (verdicts as in C(services)), C(shadowed) (the ports of the public address that a rule
      above the mapping takes, each with C(protocol), C(port), C(rule) and C(reaches)),
      C(outbound) (the host to the internet, C(address) it leaves with,
      C(leaves_with_public_address) and the C(rule) that translated it) and C(findings).
  returned: success
  type: list
  elements: dict
  sample:
    - name: dmz
      public: 203.0.113.5
      host: 192.168.1.3
      probe: tcp/443
      owned: true
      internet: {reachable: true, via: public address, reaches: 192.168.1.3:443, server_sees: 198.51.100.10, sees: client}
      lan: {reachable: true, via: hairpin, reaches: 192.168.1.3:443, server_sees: 192.168.1.1, sees: router}
      shadowed: []
      outbound: {client: 192.168.1.3, address: 203.0.113.5, public: 203.0.113.5, leaves_with_public_address: true}
      findings: []
facts:
  description: The WAN and LAN interfaces, the WAN's address, LAN subnets and probe addresses the analysis used.
  returned: success
  type: dict
notes:
  description: Rules or matchers the analysis could not evaluate (taken as not matching), and assumptions it made.
  returned: success
  type: list
  elements: str
table:
  description: The verdicts and findings as a table for people.
  returned: success
  type: str
round_trips:
  description: API round trips after login (when the router was read live).
  returned: when the router was read
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hairpin.routeros.plugins.module_utils.calls import AnalyzeCall
from ansible_collections.hairpin.routeros.plugins.module_utils.options import nat_analyze_module_spec
from ansible_collections.hairpin.routeros.plugins.module_utils.runner import run_call


def module_spec():
    """The arguments of AnsibleModule; the action plugin validates with the same spec."""
    return nat_analyze_module_spec()


def run(module):
    run_call(module, AnalyzeCall(module.params))


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

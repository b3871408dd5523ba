#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: services
short_description: Publish a list of services on a RouterOS router, with hairpin NAT or split DNS
version_added: 0.1.0
description:
  - Takes the services published through one router (name, protocol, public port, server) and
    a few settings of the router (public address, WAN, LAN, how LAN clients reach the services),
    and brings the router to them in one call over one API connection - the dstnat port
    forwards, the WAN masquerade, the hairpin srcnat rules (or split-DNS entries), and the
    address-list entry of a DDNS name.
  - This is the hairpin role's whole work for one router; the role's variables are these options
    with the prefix C(hairpin_) (and C(hairpin_api_) for the connection). Use M(hairpin.routeros.nat)
    to give the rules themselves instead.
  - Every problem of the options (bad addresses, ports, two services on one public port, a
    hairpin mode without a LAN, a host variable of O(from_variables) that no option reads) is
    reported at once, each naming the service and the field, before any write. An inventory
    with problems is still read from the router (nothing is written), so that the problems only
    the router reveals (an interface it lacks, a server on one of its own addresses, the API
    port this run uses, a mass removal) come in the same report; when the router cannot be
    reached, the report says its checks were not run, and why.
  - Only rules and entries hairpin owns (their comment starts with C(hairpin:)) are ever changed
    or removed.
author:
  - hairpin maintainers (@hairpin-maintainers)
extends_documentation_fragment:
  - hairpin.routeros.safe_apply
  - hairpin.routeros.adopt
  - hairpin.routeros.api
  - hairpin.routeros.attributes
  - hairpin.routeros.in_worker
options:
  services:
    description: The services published through the router, one entry per service.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - Unique name of the service on this router; part of the owned rules' comment
            (letters, digits, C(_), C(.), C(-); at most 64 characters).
        type: str
        required: true
      protocol:
        description: V(both) makes one tcp and one udp rule.
        type: str
        choices: [tcp, udp, both]
        default: tcp
      port:
        description: Public port, V(N) or V(N-M) (1-65535). Required unless O(services[].state=absent).
        type: str
      host:
        description: IPv4 address of the server on the LAN. Required unless O(services[].state=absent).
        type: str
      host_port:
        description: Port on the server, V(N) or the same V(N-M) as O(services[].port); defaults to the public port.
        type: str
      dns_name:
        description:
          - Public DNS name of the service. With O(mode=split_dns) the router answers it with
            O(services[].host).
        type: str
      host6:
        description:
          - The server's global IPv6 address (2000::/3), to publish the service over IPv6 too.
          - IPv6 has no NAT, so no port is translated. An owned C(/ipv6 firewall filter) accept in
            chain C(forward), comment C(hairpin:filter6:<service>:<protocol>), admits new connections of
            the protocol to C(dst-address=host6), C(dst-port) the port the server listens on
            (O(services[].host_port) when given, else O(services[].port)), arriving on the IPv6 uplink
            (O(ipv6_wan_interface), O(ipv6_wan_interface_list), else the WAN). It goes just before the
            first rule that drops such connections (defconf's C(drop everything else not coming from LAN)),
            else at the bottom of chain C(forward); it is removed with the service or when host6 goes.
        type: str
      hairpin:
        description:
          - Override O(mode) for this service. V(false) makes no hairpin rule for it in mode
            V(per_service); V(true) makes one even in mode V(none) or V(split_dns).
          - Not allowed as V(false) in mode V(subnet), whose rule covers the whole subnet.
        type: bool
      sources:
        description:
          - Publish the service only to these clients, IPv4 addresses or networks
            (V(198.51.100.0/24)); others are not forwarded. Leave out to publish to everyone.
          - One source becomes the forward's C(src-address); several are kept in an owned address
            list C(hairpin-src-<name>) that the forward matches with C(src-address-list), one rule
            as admins build it in Winbox (so the service's name is then at most 52 characters).
          - LAN clients reach the service by the public address only when a source holds an
            address of the host's LAN subnet; otherwise the service gets no hairpin rule, and the
            result's C(notes) say so.
          - Not together with O(services[].source_address_list).
        type: list
        elements: str
      source_address_list:
        description:
          - Publish the service only to the clients in this address list, which you keep on the
            router (C(src-address-list=<name>) on the forward). Not together with
            O(services[].sources).
        type: str
      wans:
        description:
          - With O(wans), the interfaces of the WANs the service is published on; default all.
            Each WAN's forward is named C(<name>.<interface>).
        type: list
        elements: str
      state:
        description:
          - V(absent) removes the service's owned rules (and its split-DNS entry), also with O(purge=false).
        type: str
        choices: [present, absent]
        default: present
  netmaps:
    description:
      - 1:1 NAT (RouterOS's "1:1 mapping"), one entry per host that has a public address of its
        own. Every port of O(netmaps[].public_address) goes to O(netmaps[].host), and what the
        host sends out of the WAN leaves from that address.
      - Each makes C(chain=dstnat action=netmap dst-address=<public_address> to-addresses=<host>)
        and C(chain=srcnat action=netmap src-address=<host> out-interface=<WAN>
        to-addresses=<public_address>), both at the top of their chain (so before any
        masquerade); in mode V(per_service) also a hairpin rule, C(chain=srcnat action=masquerade
        src-address=<LAN subnet> dst-address=<host> out-interface=<LAN>), so LAN clients reach
        the host by its public address. Mode V(subnet)'s rule covers it; V(split_dns) and
        V(none) make none.
      - The public address must be one of the router's addresses (add it to the WAN first), and
        not the services' O(public_address) nor the address the run connects to.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - Unique name of the mapping on this router, not that of a service; part of the owned
            rules' comment (letters, digits, C(_), C(.), C(-); at most 64 characters).
        type: str
        required: true
      public_address:
        description: The host's own public IPv4 address. Required unless O(netmaps[].state=absent).
        type: str
      host:
        description: IPv4 address of the host on the LAN. Required unless O(netmaps[].state=absent).
        type: str
      state:
        description: V(absent) removes the mapping's owned rules, also with O(purge=false).
        type: str
        choices: [present, absent]
        default: present
  public_address:
    description:
      - Where the services are published. One of
      - an IPv4 address, for example V(203.0.113.1) (C(dst-address));
      - "C({address_list: NAME}): an address list you keep on the router (C(dst-address-list));"
      - "C({ddns_name: FQDN}): a DNS name that follows the WAN address (DDNS, or the router's own
        C(/ip cloud) name). An owned entry holding the name is kept in the address list
        C(hairpin-wan), which RouterOS resolves, and the forwards match on that list, so a dynamic
        public address needs no change in the options;"
      - V(local) (C(dst-address-type=local)), any address of the router. A service on a port of
        the router's own C(/ip service) entries (WebFig on tcp/80, for one) takes that port on the
        matched addresses, with a warning; one on the API port this run connects to is refused.
      - Required unless O(wans) is given.
    type: raw
  wans:
    description:
      - A router with several WAN uplinks. Each service is published on every WAN (or on those
        its O(services[].wans) names), with a forward per WAN that matches the WAN's own
        O(wans[].public_address), and a masquerade per WAN under the O(masquerade) rule.
      - A WAN with a O(wans[].gateway) gets reply routing, so a connection that came in on it is
        answered out of it. Owned C(/ip firewall mangle) rules mark new connections from the WAN
        (C(new-connection-mark=<wan>-conn)) and route their replies from the LAN and from the
        router by the WAN's routing table (C(new-routing-mark=to-<wan>)); an owned C(/routing
        table) C(to-<wan>) holds a default route through the gateway. RouterOS 7 only.
      - Not together with O(public_address), O(wan_interface) or O(wan_interface_list).
    type: list
    elements: dict
    default: []
    suboptions:
      interface:
        description: The WAN interface, for example V(ether1) (letters, digits, C(_), C(.), C(-)).
        type: str
        required: true
      public_address:
        description: The WAN's public IPv4 address (the forwards' C(dst-address) on it). Required.
        type: str
      gateway:
        description:
          - The WAN's next hop. Given, the WAN gets reply routing; leave it out for the WAN the
            main routing table's default route already leaves by.
        type: str
  mode:
    description:
      - How LAN clients reach a service by its public address.
      - V(per_service) makes one hairpin srcnat rule per service, for the LAN subnet that holds its host.
      - V(subnet) makes one hairpin srcnat rule per LAN subnet, covering every host on it.
      - V(split_dns) makes no hairpin rule; static DNS entries on the router answer each
        service's O(services[].dns_name) with its LAN address instead.
      - V(none) makes no hairpin rule.
    type: str
    choices: [per_service, subnet, split_dns, none]
    default: per_service
  wan_interface:
    description:
      - The WAN interface, for example V(ether1) or V(pppoe-out1). The masquerade's C(out-interface).
      - Give this or O(wan_interface_list), not both; one of them is needed unless O(masquerade=false).
    type: str
  wan_interface_list:
    description: The WAN interface list, for example V(WAN) as in RouterOS's default configuration.
    type: str
  ipv6_wan_interface:
    description:
      - The IPv6 uplink, when it is not the IPv4 WAN (for example a tunnel V(sit1)), as the C(in-interface)
        of the IPv6 pinholes (O(services[].host6)).
      - Give this or O(ipv6_wan_interface_list), not both; with neither the pinholes take
        O(wan_interface) or O(wan_interface_list).
    type: str
  ipv6_wan_interface_list:
    description: The IPv6 uplink as an interface list, the C(in-interface-list) of the IPv6 pinholes.
    type: str
  lan_interface:
    description:
      - The LAN interface, for example V(bridge). The hairpin rule's C(out-interface).
      - Give this or O(lan_interface_list), not both; one of them is needed whenever a hairpin
        rule is made.
    type: str
  lan_interface_list:
    description: The LAN interface list, for example V(LAN). The hairpin rule's C(out-interface-list).
    type: str
  lan_subnets:
    description:
      - The LAN subnets, for example V(192.168.88.0/24).
      - Left empty, the subnets are read from the router's C(/ip address) entries on the LAN interface (or list).
    type: list
    elements: str
    default: []
  masquerade:
    description:
      - The WAN masquerade (C(srcnat action=masquerade out-interface=WAN ipsec-policy=out,none)).
      - V(auto) adds an owned masquerade only where no enabled rule of the router's own (not owned
        by hairpin) already masquerades or src-nats everything that leaves the WAN, as every
        router's default configuration does with its masquerade rule; RouterOS's
        C(ipsec-policy=out,none) counts as covering. The result's C(notes) name the covering rule.
        When that rule goes, the next run adds the owned masquerade.
      - V(true) always keeps an owned masquerade; V(false) never does (an owned one is removed).
      - The owned masquerade carries C(ipsec-policy=out,none), so traffic an IPsec policy encrypts
        is never NATed (that would break the tunnel).
    type: raw
    default: auto
  filter:
    description:
      - Owned firewall filter accepts for the published services, in C(/ip firewall filter) chain
        C(forward), one per service and protocol, with the comment C(hairpin:filter:<service>:<protocol>)
        and its fingerprint. Each matches the forward's connections after dstnat
        (C(connection-nat-state=dstnat), the protocol, the host as C(dst-address), the port on the host
        as C(dst-port), the WAN as C(in-interface) or C(in-interface-list)).
      - V(auto) adds one only where the forward chain, as the analyzer reads it, would drop the
        service's new connections from the WAN; it goes just before the first rule that drops them
        (before the jump to that rule's chain when the drop is in another chain), follows that rule when
        it moves, and goes when the filter no longer drops them. The default configuration's filter
        passes dst-natted connections, so on a router as it ships V(auto) adds none.
      - V(true) always keeps one per service (at the top of chain C(forward) where nothing drops it);
        V(false) never does (owned ones are removed; with O(analyze) the analysis still reports the drop).
      - The filter is read in the same round trip as the NAT table, and its writes go in the same batch.
      - When the analysis cannot tell (a fact it needs is missing), V(auto) warns and leaves the owned
        accepts as they are.
    type: raw
    default: auto
  purge:
    description:
      - Remove the owned rules (and split-DNS entries) whose service is not in O(services).
      - With V(false) only services with O(services[].state=absent) are removed, and owned rules of
        services not named in O(services) stay.
    type: bool
    default: true
  analyze:
    description:
      - Analyse the NAT table the call leaves as M(hairpin.routeros.nat_analyze) does - per
        service, whether it is reachable from the internet and from the LAN, the address the
        server sees, and findings with the offending rule.
      - In check mode (and when nothing changes) the analysis runs on the planned table, with the
        firewall filter and facts of the call's one read, so a pull request's C(--check) run shows
        the findings of the change. After a write the router is read again, so the analysis checks
        what the router shows; with O(confirm=true) that read is the check on the new connection,
        before the confirm, and with O(analyze_fail_on_findings=true) findings leave the revert
        armed and the router undoes the change.
    type: bool
    default: false
  analyze_fail_on_findings:
    description: With O(analyze=true), fail when the analysis has findings.
    type: bool
    default: true
  allow_mass_removal:
    description:
      - Let a run remove every owned port forward of the router, or more than O(max_removals).
      - Without it such a run fails before writing (in check mode too), naming the router, the
        count and the services whose forwards would go. An empty O(services) or a misspelt
        variable holding them would otherwise remove every forward the router publishes.
    type: bool
    default: false
  max_removals:
    description:
      - The most owned port forwards (one per protocol of a service) one run may remove without
        O(allow_mass_removal=true).
      - Left out, half of the owned port forwards when the router has more than 4 of them;
        with 4 or fewer, any number but all of them. A run that would remove every owned port
        forward always needs O(allow_mass_removal=true), whatever this says; a router with no
        owned forward has none to lose.
    type: int
  from_variables:
    description:
      - Take every option the task does not give from the host's variable named after it, with
        this prefix - C(<prefix>_<option>) (for example C(hairpin_services), C(hairpin_mode)),
        and C(<prefix>_api_<name>) for the connection (C(hairpin_api_host), C(hairpin_api_port),
        C(hairpin_api_username), C(hairpin_api_password), C(hairpin_api_tls),
        C(hairpin_api_validate_certs), C(hairpin_api_ca_path)). Without C(<prefix>_api_host),
        O(hostname) is the host's C(ansible_host), else its inventory name.
      - This is how the hairpin role calls the module, with V(hairpin). Read by the action plugin
        on the controller, the variables cost a large fleet run much less than the same options
        written as templates in the task. The values are checked as if given as options.
      - Messages then name the variable (C(hairpin_wan_interface)) instead of the option, and the
        router by its inventory name and API address.
    type: str
  inventory_hostname:
    description:
      - The router's name in the inventory, which messages give beside its API address
        (C(gw-home (192.0.2.10))). With O(from_variables), the action plugin sets it.
    type: str
  unknown_variables:
    description:
      - Internal, set by the action plugin with O(from_variables); not for tasks to give.
      - The host's variables that start with the prefix but that no option reads (a typo such as
        C(hairpin_servics)). Each is reported with the other problems of the options, with the
        nearest name the module knows.
    type: list
    elements: str
    default: []
notes:
  - A call costs one connection and, after login, one round trip to read and one to write;
    with O(confirm=true) a call that writes costs a second connection and two more round trips
    (check, confirm); O(analyze=true) adds one to read again.
  - A failure after a write (the analysis, its read, the check before the confirm) reports
    C(changed=true) and the commands sent, and its message says what was written. A router that
    cannot be reached (connection refused, timed out, name not resolved, TLS handshake failed) is
    unreachable, not failed; a rejected certificate or login, or an error after login, fails the
    task.
seealso:
  - module: hairpin.routeros.nat
  - module: hairpin.routeros.nat_analyze
"""

EXAMPLES = r"""
- name: Publish a web server and a game server, with hairpin NAT for the LAN
  hairpin.routeros.services:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    public_address: 203.0.113.1
    wan_interface: ether1
    lan_interface: bridge
    services:
      - name: web
        port: "443"
        host: 192.168.88.10
      - name: game
        protocol: udp
        port: "27015"
        host: 192.168.88.20
  delegate_to: localhost

- name: Publish the web server over IPv6 too (a pinhole in /ipv6 firewall filter, no NAT)
  hairpin.routeros.services:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    public_address: 203.0.113.1
    wan_interface: ether1
    lan_interface: bridge
    services:
      - name: web
        port: "443"
        host: 192.168.88.10
        host6: "3fff:0:0:88::10"
  delegate_to: localhost

- name: Everything from the hairpin role's variables (hairpin_services, hairpin_api_username, ...)
  hairpin.routeros.services:
    from_variables: hairpin
  connection: local

- name: Split DNS on a DDNS address, and check what LAN clients reach
  hairpin.routeros.services:
    hostname: router.example.net
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    public_address:
      ddns_name: 0123456789ab.sn.mynetname.net
    wan_interface_list: WAN
    mode: split_dns
    services:
      - name: web
        port: "443"
        host: 192.168.88.10
        dns_name: www.example.net
    analyze: true
  delegate_to: localhost

- name: Two WAN uplinks; replies of the second one's connections leave by it
  hairpin.routeros.services:
    hostname: 192.168.88.1
    username: ansible
    password: "{{ vault_router_password }}"
    ca_path: files/router-ca.pem
    wans:
      - interface: ether1
        public_address: 203.0.113.1
      - interface: ether5
        public_address: 192.0.2.2
        gateway: 192.0.2.254
    lan_interface: bridge
    services:
      - name: web
        port: "443"
        host: 192.168.88.10
      - name: game
        protocol: udp
        port: "27015"
        host: 192.168.88.20
        wans: [ether5]
  delegate_to: localhost
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
  description:
    - The owned NAT rules before the change, in table order, as the router printed them.
    - Only in diff mode (C(--diff)), to keep a fleet's results small; RV(commands) is always there.
  returned: in diff mode
  type: list
  elements: dict
after:
  description: The owned NAT rules after the change, in table order.
  returned: in diff mode, when changed
  type: list
  elements: dict
address_lists:
  description: The owned address-list entries after the change (the DDNS name's entry, if any).
  returned: when the router was read
  type: list
  elements: dict
dns_static:
  description: The owned static DNS entries after the change.
  returned: when the router was read and DNS is managed (O(mode=split_dns), or O(purge=true))
  type: list
  elements: dict
ipv6_filter_rules:
  description:
    - The owned IPv6 pinholes (O(services[].host6)) after the change, in C(/ipv6 firewall filter)
      table order, as the router printed them.
  returned: when the router was read
  type: list
  elements: dict
  sample:
    - chain: forward
      action: accept
      protocol: tcp
      dst-address: 3fff:0:0:88::10/128
      dst-port: "443"
      in-interface-list: WAN
      comment: hairpin:filter6:web:tcp ~1a2b3c4d
mangle_rules:
  description:
    - The owned C(/ip firewall mangle) rules after the change, in table order (the reply routing of
      O(wans) with a gateway; empty with one WAN).
  returned: when the router was read
  type: list
  elements: dict
routing_tables:
  description: The owned C(/routing table) entries after the change (C(to-<wan>) of each WAN with a gateway).
  returned: when O(wans) has a WAN with a gateway
  type: list
  elements: dict
routes:
  description: The owned default routes of the WANs' routing tables after the change.
  returned: when the router was read, with O(purge=true) or O(wans)
  type: list
  elements: dict
notes:
  description: Things worth knowing that are not errors, for example a server that needs no hairpin rule.
  returned: when there are any
  type: list
  elements: str
problems:
  description:
    - Every problem of the options and of what the router's read reveals about them (a mass
      removal included), each naming the router, and the service and the field or the variable.
  returned: when the options have problems (the call fails before any write)
  type: list
  elements: str
analysis:
  description:
    - The analysis of the NAT table the call leaves, as M(hairpin.routeros.nat_analyze) returns it.
    - In check mode, and when nothing changes, the planned table with the firewall filter and facts of the call's
      one read (no other round trip); after a write, the router read again, as it shows what was written.
  returned: with O(analyze=true)
  type: dict
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
from ansible_collections.hairpin.routeros.plugins.module_utils.options import services_module_spec
from ansible_collections.hairpin.routeros.plugins.module_utils.services import run_services


def main():
    run_services(AnsibleModule(**services_module_spec()))


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

# The fields of each kind of owned NAT rule, written once. hairpin.routeros.nat takes every kind
# in one call (port_forwards, masquerades, hairpins) and each per-kind module takes its own kind
# as `config`, so each kind has one fragment per option name. A fragment gives only the
# option's `suboptions`; the module says what the option is (description, type, elements),
# because ansible-doc merges a fragment's options with the module's own, option by option.
#
# In the texts below, `OPT[]` stands for the option that holds the fields, so that
# O(OPT[].port) reads O(config[].port) in one module and O(port_forwards[].port) in the other.

_PORT_FORWARD_FIELDS = r"""
name:
  description: Service name, unique among port forwards; part of the ownership marker.
  type: str
  required: true
protocol:
  description: V(both) makes one tcp and one udp rule.
  type: str
  choices: [tcp, udp, both]
  default: tcp
port:
  description: Public port, V(N) or V(N-M). Required unless O(state=deleted).
  type: str
host:
  description: IPv4 address of the server behind the router. Required unless O(state=deleted).
  type: str
host_port:
  description: Port on the server; defaults to O(OPT[].port).
  type: str
public_address:
  description:
    - The public IPv4 address the forward answers on (C(dst-address)).
    - Mutually exclusive with O(OPT[].public_address_list) and O(OPT[].public_local).
  type: str
public_address_list:
  description: An address list holding the public address (C(dst-address-list)), for example one fed by DDNS.
  type: str
public_local:
  description:
    - Match any address of the router (C(dst-address-type=local)). A port of the router's own
      services (C(/ip service)) is then taken on every address, with a warning; the API port
      this run connects to is refused.
  type: bool
  default: false
in_interface:
  description: Only packets arriving on this interface (C(in-interface)).
  type: str
in_interface_list:
  description: Only packets arriving on this interface list (C(in-interface-list)).
  type: str
hairpin:
  description: HAIRPIN_TEXT
  type: bool
  default: true
comment:
  description: Free text stored after the ownership marker in the rule's comment, verbatim.
  type: str
disabled:
  description: Write the rule disabled.
  type: bool
  default: false
position:
  description:
    - Where the rule goes among the other rules of its chain; default V(top).
    - V(before) and V(after) put it next to the one foreign rule whose comment is O(OPT[].anchor).
  type: str
  choices: [top, bottom, before, after]
anchor:
  description: Comment of the foreign rule for O(OPT[].position=before) or V(after).
  type: str
"""

_MASQUERADE_FIELDS = r"""
out_interface:
  description: WAN interface (C(out-interface)). Exactly one of this and O(OPT[].out_interface_list).
  type: str
out_interface_list:
  description: WAN interface list (C(out-interface-list)).
  type: str
ipsec_policy:
  description: C(ipsec-policy) matcher, for example V(out,none) as RouterOS's default configuration uses.
  type: str
comment:
  description: Free text stored after the ownership marker.
  type: str
disabled:
  description: Write the rule disabled.
  type: bool
  default: false
position:
  description: Where the rule goes among the other rules of its chain; default V(bottom).
  type: str
  choices: [top, bottom, before, after]
anchor:
  description: Comment of the foreign rule for O(OPT[].position=before) or V(after).
  type: str
"""

# hairpin.routeros.nat names a per-service hairpin rule in `hairpins` (name required) and keeps
# the broad rules apart in `hairpin_subnets`; hairpin.routeros.hairpin_nat takes both in
# `config`, told apart by `name` or `subnet`.
_HAIRPIN_SERVICE_FIELDS = r"""
name:
  description: Service name; part of the ownership marker.
  type: str
  required: true
"""

_HAIRPIN_SERVICE_OR_SUBNET_FIELDS = r"""
name:
  description:
    - Service name; part of the ownership marker. A per-service hairpin rule.
    - Exactly one of O(OPT[].name) and O(OPT[].subnet).
  type: str
subnet:
  description:
    - A LAN subnet, for one broad hairpin rule (C(src-address=<subnet> dst-address=<subnet>))
      instead of per-service rules.
  type: str
"""

_HAIRPIN_TARGET_FIELDS = r"""
protocol:
  description: V(both) makes one tcp and one udp rule.
  type: str
  choices: [tcp, udp, both]
  default: tcp
host:
  description: The server's IPv4 address. Required REQUIRED_WITHunless O(state=deleted).
  type: str
host_port:
  description: The server's port, V(N) or V(N-M). Required REQUIRED_WITHunless O(state=deleted).
  type: str
lan_subnet:
  description: The LAN subnet of the server; read from the router's addresses on the LAN when left out.
  type: str
"""

_HAIRPIN_SUBNET_FIELDS = r"""
subnet:
  description: The LAN subnet, for example V(192.168.88.0/24).
  type: str
  required: true
"""

# The fields every hairpin rule has, per service or per subnet.
_HAIRPIN_RULE_FIELDS = r"""
lan_interface:
  description: The LAN interface (the rule's C(out-interface)).
  type: str
lan_interface_list:
  description: The LAN interface list (the rule's C(out-interface-list)).
  type: str
comment:
  description: Free text stored after the ownership marker.
  type: str
disabled:
  description: Write the rule disabled.
  type: bool
  default: false
position:
  description: Where the rule goes among the other rules of its chain; default V(top).
  type: str
  choices: [top, bottom, before, after]
anchor:
  description: Comment of the foreign rule for O(OPT[].position=before) or V(after).
  type: str
"""

_HAIRPIN_FIELDS = _HAIRPIN_TARGET_FIELDS + _HAIRPIN_RULE_FIELDS


def _suboptions(option, fields, **words):
    """A fragment that gives `option` the suboptions `fields` (YAML), with `OPT` naming `option`
    and each keyword replacing its upper-case placeholder."""
    for placeholder, text in words.items():
        fields = fields.replace(placeholder.upper(), text)
    fields = fields.replace("OPT[]", option + "[]")
    body = "".join(("      " + line if line else line) + "\n" for line in fields.strip("\n").split("\n"))
    return "\noptions:\n  %s:\n    suboptions:\n%s" % (option, body)


class ModuleDocFragment:
    """The fields of each kind of owned NAT rule, per option that holds them (set below)."""


# Set after the class, not in its body: ansible-test's yamllint reads only string literals
# there, and these are built from the one text of each kind above. ansible-doc and
# validate-modules read them as any fragment (tests/unit/plugins/modules/test_docs.py parses each).

# hairpin.routeros.nat's port_forwards, and hairpin.routeros.port_forward's config.
ModuleDocFragment.PORT_FORWARDS = _suboptions(
    "port_forwards",
    _PORT_FORWARD_FIELDS,
    hairpin_text="With O(auto_hairpin), whether this service gets a hairpin rule.",
)
ModuleDocFragment.PORT_FORWARD_CONFIG = _suboptions(
    "config",
    _PORT_FORWARD_FIELDS,
    hairpin_text="Used by M(hairpin.routeros.nat) with O(hairpin.routeros.nat#module:auto_hairpin); ignored here.",
)

# hairpin.routeros.nat's masquerades, and hairpin.routeros.masquerade's config.
ModuleDocFragment.MASQUERADES = _suboptions("masquerades", _MASQUERADE_FIELDS)
ModuleDocFragment.MASQUERADE_CONFIG = _suboptions("config", _MASQUERADE_FIELDS)

# hairpin.routeros.nat's hairpins, and hairpin.routeros.hairpin_nat's config.
ModuleDocFragment.HAIRPINS = _suboptions("hairpins", _HAIRPIN_SERVICE_FIELDS + _HAIRPIN_FIELDS, required_with="")
ModuleDocFragment.HAIRPIN_CONFIG = _suboptions(
    "config",
    _HAIRPIN_SERVICE_OR_SUBNET_FIELDS + _HAIRPIN_FIELDS,
    required_with="with O(OPT[].name) ",
)

# hairpin.routeros.nat's hairpin_subnets (hairpin_nat takes subnets in its config, above).
ModuleDocFragment.HAIRPIN_SUBNETS = _suboptions("hairpin_subnets", _HAIRPIN_SUBNET_FIELDS + _HAIRPIN_RULE_FIELDS)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The hairpin role's inventory checks between variables, in Python: the same checks as Jinja
# loops cost a router a sizeable share of a fleet run (tens of services, regexes per field).

from __future__ import annotations

import re

DOCUMENTATION = r"""
name: inventory_problems
short_description: The hairpin role's inventory checks
version_added: 0.1.0
description:
  - Every problem of one router's hairpin inventory that involves more than one variable or
    service, each naming the host, the service and the field. Used by the role's preflight.
options:
  _input:
    description:
      - C(host), C(public_address), C(wan_interface), C(wan_interface_list), C(lan_interface),
        C(lan_interface_list), C(lan_subnets), C(masquerade), C(mode), C(services) (with defaults
        filled in) and C(hairpinned) (names of the services that get hairpin NAT).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Fail on inventory problems
  ansible.builtin.assert:
    that: problems | length == 0
  vars:
    problems: "{{ {'host': inventory_hostname, 'services': []} | hairpin.routeros.inventory_problems }}"
"""

RETURN = r"""
_value:
  description: The problems, one message each; empty when the inventory is fine.
  type: list
  elements: str
"""

_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_RE = re.compile(r"^(" + _OCTET + r"[.]){3}" + _OCTET + r"$")
_SUBNET_RE = re.compile(r"^(" + _OCTET + r"[.]){3}" + _OCTET + r"/(3[0-2]|[12]?[0-9])$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_PORT_RE = re.compile(r"^[0-9]{1,5}(-[0-9]{1,5})?$")
_DNS_LABEL = r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_DNS_NAME_RE = re.compile(r"^(" + _DNS_LABEL + r"[.])*" + _DNS_LABEL + r"[.]?$")


def _given(value):
    return value is not None and value != ""


def _text(value):
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _not_unicast(text):
    first = int(text.split(".")[0])
    return first in (0, 127) or first >= 224


def _not_dns_name(value):
    text = _text(value)
    return not _DNS_NAME_RE.match(text) or re.match(r"^[0-9.]+$", text) is not None


def _setting_problems(where, data):
    out = []
    public = data.get("public_address")
    if isinstance(public, dict):
        keys = list(public)
        if len(keys) != 1 or keys[0] not in ("address_list", "ddns_name"):
            out.append(
                "%s: field 'hairpin_public_address': a mapping must have exactly one key, address_list or "
                "ddns_name, not %s" % (where, ", ".join(_text(k) for k in keys))
            )
        elif "address_list" in public and not re.match(r"^[^\s]+$", _text(public["address_list"])):
            out.append(
                "%s: field 'hairpin_public_address.address_list': '%s' is not an address list name"
                % (where, _text(public["address_list"]))
            )
        elif "ddns_name" in public and _not_dns_name(public["ddns_name"]):
            out.append(
                "%s: field 'hairpin_public_address.ddns_name': '%s' is not a DNS name"
                % (where, _text(public["ddns_name"]))
            )
    elif public != "local":
        text = _text(public)
        if not _IPV4_RE.match(text):
            out.append(
                "%s: field 'hairpin_public_address': '%s' is not an IPv4 address, 'local', {address_list: NAME} or "
                "{ddns_name: FQDN}" % (where, text)
            )
        elif _not_unicast(text):
            out.append("%s: field 'hairpin_public_address': %s is not a unicast IPv4 host address" % (where, text))
    wan, wan_list = data.get("wan_interface"), data.get("wan_interface_list")
    if wan and wan_list:
        out.append(
            "%s: field 'hairpin_wan_interface_list': cannot be combined with 'hairpin_wan_interface'; give only one"
            % where
        )
    elif data.get("masquerade") and not (wan or wan_list):
        out.append(
            "%s: field 'hairpin_wan_interface': hairpin_masquerade is true, so hairpin_wan_interface or "
            "hairpin_wan_interface_list is needed" % where
        )
    lan, lan_list = data.get("lan_interface"), data.get("lan_interface_list")
    hairpinned = list(data.get("hairpinned") or [])
    if lan and lan_list:
        out.append(
            "%s: field 'hairpin_lan_interface_list': cannot be combined with 'hairpin_lan_interface'; give only one"
            % where
        )
    elif hairpinned and not (lan or lan_list):
        out.append(
            "%s: field 'hairpin_lan_interface': hairpin_mode %s makes hairpin rules (services %s), so "
            "hairpin_lan_interface or hairpin_lan_interface_list is needed"
            % (where, data.get("mode"), ", ".join(hairpinned))
        )
    for subnet in data.get("lan_subnets") or []:
        if not _SUBNET_RE.match(_text(subnet)):
            out.append(
                "%s: field 'hairpin_lan_subnets': '%s' is not an IPv4 subnet (address/prefix, e.g. 192.168.88.0/24)"
                % (where, _text(subnet))
            )
    return out


def _port_problems_of(where, service, field):
    text = _text(service[field])
    if not _PORT_RE.match(text):
        return ["%s: field '%s': '%s' is not a port (1-65535) or a port range (N-M)" % (where, field, text)]
    parts = text.split("-")
    low, high = int(parts[0]), int(parts[-1])
    if low < 1 or low > 65535:
        return ["%s: field '%s': %s is not a port (1-65535)" % (where, field, low)]
    if high < 1 or high > 65535:
        return ["%s: field '%s': %s is not a port (1-65535)" % (where, field, high)]
    if low > high:
        return ["%s: field '%s': %s is not a port range: N-M needs N <= M" % (where, field, text)]
    if field == "host_port" and low != high and text != _text(service.get("port")):
        return [
            "%s: field 'host_port': %s is a different port range than port %s; a range can only be forwarded to "
            "the same range or to a single port" % (where, text, _text(service.get("port")))
        ]
    return []


def _service_problems(host_where, data):
    out = []
    for service in data.get("services") or []:
        where = "%s: service '%s'" % (host_where, _text(service.get("name")))
        if not _NAME_RE.match(_text(service.get("name"))):
            out.append(
                "%s: field 'name': not a valid name (1-64 characters: letters, digits, '_', '.', '-'; starting with "
                "a letter or digit)" % where
            )
        if service.get("state") == "absent":
            continue
        for field in ("port", "host_port"):
            if service.get(field) is not None:
                out.extend(_port_problems_of(where, service, field))
        if not _given(service.get("port")):
            out.append("%s: field 'port': is required (the public port, N or N-M)" % where)
        host = service.get("host")
        if not _given(host):
            out.append("%s: field 'host': is required (the server's IPv4 address)" % where)
        elif not _IPV4_RE.match(_text(host)):
            out.append("%s: field 'host': '%s' is not an IPv4 address" % (where, _text(host)))
        elif _not_unicast(_text(host)):
            out.append("%s: field 'host': %s is not a unicast IPv4 host address" % (where, _text(host)))
        if service.get("dns_name") and _not_dns_name(service["dns_name"]):
            out.append("%s: field 'dns_name': '%s' is not a DNS name" % (where, _text(service["dns_name"])))
        override = service.get("hairpin")
        if data.get("mode") == "subnet" and override is not None and not _truthy(override):
            out.append(
                "%s: field 'hairpin': false has no effect with hairpin_mode subnet, whose rule covers every host of "
                "the subnet; remove it or choose hairpin_mode per_service" % where
            )
    return out


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "on", "1", "true", "y", "t")
    return bool(value)


def _name_problems(where, data):
    names = [_text(service.get("name")) for service in data.get("services") or []]
    out = []
    for name in sorted(set(names), key=names.index):
        count = names.count(name)
        if count > 1:
            out.append(
                "%s: service '%s': field 'name': '%s' is defined %d times in hairpin_services; names must be unique"
                % (where, name, name, count)
            )
    return out


def _overlap_problems(where, data):
    out, spans = [], []
    for service in data.get("services") or []:
        if service.get("state") == "absent" or service.get("port") is None:
            continue
        text = _text(service["port"])
        if not _PORT_RE.match(text):
            continue
        protocol = service.get("protocol") or "tcp"
        protocols = ["tcp", "udp"] if protocol == "both" else [protocol]
        parts = text.split("-")
        span = dict(
            name=_text(service.get("name")), port=text, protocols=protocols, low=int(parts[0]), high=int(parts[-1])
        )
        for earlier in spans:
            common = [p for p in protocols if p in earlier["protocols"]]
            if common and span["low"] <= earlier["high"] and earlier["low"] <= span["high"]:
                out.append(
                    "%s: service '%s': field 'port': %s port %s is already published by service '%s' (%s port %s)"
                    % (where, span["name"], "/".join(common), text, earlier["name"], "/".join(common), earlier["port"])
                )
        spans.append(span)
    return out


def _dns_problems(where, data):
    out, seen = [], {}
    if data.get("mode") != "split_dns":
        return out
    for service in data.get("services") or []:
        if service.get("state") == "absent" or not service.get("dns_name"):
            continue
        name = re.sub(r"[.]$", "", _text(service["dns_name"]).lower())
        host = _text(service.get("host"))
        if name in seen and seen[name]["host"] != host:
            out.append(
                "%s: service '%s': field 'dns_name': %s is also the name of service '%s' at %s; split DNS answers a "
                "name with one address"
                % (where, _text(service.get("name")), name, seen[name]["name"], seen[name]["host"])
            )
        elif name not in seen:
            seen[name] = dict(name=_text(service.get("name")), host=host)
    return out


def inventory_problems(data):
    """Every problem of one router's hairpin inventory, as messages naming host, service and field."""
    where = "host '%s'" % _text(data.get("host"))
    return (
        _setting_problems(where, data)
        + _service_problems(where, data)
        + _name_problems(where, data)
        + _overlap_problems(where, data)
        + _dns_problems(where, data)
    )


class FilterModule:
    def filters(self):
        return {"inventory_problems": inventory_problems}

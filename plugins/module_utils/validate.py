# -*- coding: utf-8 -*-
# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The data inside here is private to this collection. If you use this from outside the collection,
# you are on your own. There can be random changes to its format even in bugfix releases!

"""Pure checks of the desired services against each other and against router facts.

Every problem is collected (nothing stops at the first one) as a :class:`ValidationError` whose
text names the service and the field, e.g.
``service 'web': field 'port': 70000 is not a port (1-65535)``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.entries import EntryKey, address_list_key, dns_key
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    Hairpin,
    HairpinSubnet,
    Masquerade,
    PortForward,
    protocols_of,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    canonical_subnet,
    dns_name_problem,
    host_port_problem,
    interface_address,
    ipv4_address,
    is_name,
    list_address_problem,
    name_problem,
    port_problem,
    port_range,
    router_name_problem,
    subnet,
    subnet_problem,
    text_problem,
    unicast_problem,
)

PROTOCOL_CHOICES = ("tcp", "udp", "both")
# Interface lists every RouterOS has without configuring anything.
BUILTIN_INTERFACE_LISTS = frozenset(("all", "none", "dynamic", "static"))
# /ip/service entries are TCP services; these are the ones a dstnat on a router address can hide.
_IPSEC_POLICY_RE = re.compile(r"\A(?:in|out),(?:ipsec|none)\Z")


class ValidationError(ValueError):
    """One problem with one field of one service. ``host`` is the inventory host, if known."""

    def __init__(
        self, service: str, field: str, message: str, host: Optional[str] = None, setting: Optional[str] = None
    ) -> None:
        self.service = service
        self.field = field
        self.message = message
        self.host = host
        # A problem of a router-wide setting (the services model's "variable 'hairpin_wan_interface'"),
        # named so instead of by the service and field the engine found it on.
        self.setting = setting
        super().__init__(self.text)

    @property
    def text(self) -> str:
        prefix = "host {0!r}: ".format(self.host) if self.host else ""
        if self.setting:
            return "{0}{1}: {2}".format(prefix, self.setting, self.message)
        return "{0}service {1!r}: field {2!r}: {3}".format(prefix, self.service, self.field, self.message)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return "ValidationError({0!r}, {1!r}, {2!r}, host={3!r})".format(
            self.service, self.field, self.message, self.host
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValidationError):
            return NotImplemented
        return (self.service, self.field, self.message, self.host) == (
            other.service,
            other.field,
            other.message,
            other.host,
        )

    def __hash__(self) -> int:
        return hash((self.service, self.field, self.message, self.host))


class InvalidConfigError(ValueError):
    """All problems found, raised at once by :func:`check_services`."""

    def __init__(self, errors: Sequence[ValidationError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(error.text for error in self.errors))


@dataclass(frozen=True)
class RouterFacts:
    """What the router has, read before validating.

    ``addresses`` are the router's own IPv4 addresses (``/ip/address`` ``address`` values, with or
    without ``/prefix``); ``services`` maps each *enabled* ``/ip/service`` name to its TCP port.
    """

    interfaces: FrozenSet[str] = frozenset()
    interface_lists: FrozenSet[str] = frozenset()
    addresses: FrozenSet[str] = frozenset()
    services: Mapping[str, int] = field(default_factory=dict)

    def own_addresses(self) -> FrozenSet[ipaddress.IPv4Address]:
        interfaces = (interface_address(text) for text in self.addresses)
        return frozenset(interface.ip for interface in interfaces if interface is not None)


def protocol_problem(value: object) -> Optional[str]:
    if value in PROTOCOL_CHOICES:
        return None
    return "{0!r} is not one of {1}".format(value, ", ".join(PROTOCOL_CHOICES))


# ---------------------------------------------------------------------------------------------
# Service checks
# ---------------------------------------------------------------------------------------------


class _Collector:
    def __init__(self, host: Optional[str]) -> None:
        self.host = host
        self.errors: List[ValidationError] = []

    def add(self, service: object, field_name: str, message: Optional[str]) -> None:
        if message is not None:
            self.errors.append(ValidationError(str(service), field_name, message, self.host))


def _set_fields(obj: object, names: Sequence[str]) -> List[str]:
    return [name for name in names if getattr(obj, name) not in (None, False, "")]


def _check_exclusive(out: _Collector, service: str, obj: object, names: Sequence[str], required: bool) -> None:
    given = _set_fields(obj, names)
    if len(given) > 1:
        out.add(
            service, given[1], "cannot be combined with {0!r}; give only one of {1}".format(given[0], ", ".join(names))
        )
    elif required and not given:
        out.add(service, names[0], "one of {0} is required".format(", ".join(names)))


def _check_interfaces(
    out: _Collector, service: str, obj: object, pairs: Sequence[Tuple[str, str]], facts: Optional[RouterFacts]
) -> None:
    """``pairs``: (interface field, interface-list field)."""
    for iface_field, list_field in pairs:
        iface = getattr(obj, iface_field)
        if iface is not None:
            problem = router_name_problem(iface)
            if problem is None and facts is not None and iface not in facts.interfaces:
                problem = "interface {0!r} does not exist on the router".format(iface)
            out.add(service, iface_field, problem)
        iface_list = getattr(obj, list_field)
        if iface_list is not None:
            problem = router_name_problem(iface_list)
            known = BUILTIN_INTERFACE_LISTS | (facts.interface_lists if facts is not None else frozenset())
            if problem is None and facts is not None and iface_list not in known:
                problem = "interface list {0!r} does not exist on the router".format(iface_list)
            out.add(service, list_field, problem)


def _check_duplicates(out: _Collector, names: Iterable[str], what: str) -> None:
    counts: Dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    for name, count in counts.items():
        if count > 1:
            out.add(name, "name", "{0!r} is defined {1} times as a {2}; names must be unique".format(name, count, what))


def _address(value: object) -> Optional[ipaddress.IPv4Address]:
    return ipv4_address(str(value).strip())


def _public_label(forward: PortForward) -> str:
    if forward.public_address is not None:
        return "public address {0}".format(forward.public_address)
    if forward.public_address_list is not None:
        return "public address list {0!r}".format(forward.public_address_list)
    if forward.public_local:
        return "the router's own addresses (local)"
    return "any destination address"


def _same_public(a: PortForward, b: PortForward, own: FrozenSet[ipaddress.IPv4Address]) -> bool:
    def target(forward: PortForward) -> Tuple[str, str]:
        if forward.public_address is not None:
            address = _address(forward.public_address)
            return ("address", str(address) if address is not None else str(forward.public_address))
        if forward.public_address_list is not None:
            return ("list", forward.public_address_list)
        return ("local", "") if forward.public_local else ("any", "")

    ta, tb = target(a), target(b)
    if ta == tb or "any" in (ta[0], tb[0]):
        return True
    kinds = {ta[0], tb[0]}
    if kinds == {"local", "address"}:
        address = ta[1] if ta[0] == "address" else tb[1]
        return _address(address) in own
    return False


def _same_ingress(a: PortForward, b: PortForward) -> bool:
    """Could the same packet arrive for both? Only provably different ingresses say no."""
    for attr in ("in_interface", "in_interface_list"):
        va, vb = getattr(a, attr), getattr(b, attr)
        if va is not None and vb is not None and va != vb:
            return False
    return True


# What a port forward may match on besides protocol and port: the public side, the ingress.
_PUBLIC_FIELDS = ("public_address", "public_address_list", "public_local")
_INGRESS_FIELDS = ("in_interface", "in_interface_list")


def _check_port_forward(out: _Collector, forward: PortForward, facts: Optional[RouterFacts]) -> None:
    name = forward.name
    out.add(name, "name", name_problem(name))
    out.add(name, "protocol", protocol_problem(forward.protocol))
    out.add(name, "port", port_problem(forward.port))
    if forward.host_port is not None:
        out.add(name, "host_port", host_port_problem(forward.host_port, forward.port))
    out.add(name, "host", unicast_problem(forward.host))
    _check_exclusive(out, name, forward, _PUBLIC_FIELDS, required=False)
    if forward.public_address is not None:
        out.add(name, "public_address", unicast_problem(forward.public_address))
    if forward.public_address_list is not None:
        out.add(name, "public_address_list", router_name_problem(forward.public_address_list))
    _check_exclusive(out, name, forward, _INGRESS_FIELDS, required=False)
    _check_interfaces(out, name, forward, (_INGRESS_FIELDS,), facts)
    if not _set_fields(forward, _PUBLIC_FIELDS + _INGRESS_FIELDS):
        # A dstnat rule that matches only protocol and port also catches LAN clients' connections
        # to that port on any internet server, and sends them to the LAN host instead.
        out.add(
            name,
            "public_address",
            "give public_address, public_address_list, public_local or in_interface(_list), otherwise the rule "
            "catches this port towards every destination, LAN clients' internet traffic included",
        )
    if forward.comment is not None:
        out.add(name, "comment", text_problem(forward.comment))


def _check_overlaps(out: _Collector, forwards: Sequence[PortForward], facts: Optional[RouterFacts]) -> None:
    own = facts.own_addresses() if facts is not None else frozenset()
    claimed: List[Tuple[PortForward, Tuple[int, int], FrozenSet[str]]] = []
    for forward in forwards:
        span = port_range(forward.port)
        if span is None or forward.protocol not in PROTOCOL_CHOICES:
            continue
        protocols = frozenset(protocols_of(forward.protocol))
        for earlier, earlier_span, earlier_protocols in claimed:
            common = protocols & earlier_protocols
            if not common or earlier.name == forward.name:
                continue
            if span[0] > earlier_span[1] or earlier_span[0] > span[1]:
                continue
            if not (_same_public(forward, earlier, own) and _same_ingress(forward, earlier)):
                continue
            out.add(
                forward.name,
                "port",
                "{0} port {1} on {2} is already forwarded by service {3!r} ({0} port {4})".format(
                    "/".join(sorted(common)), forward.port, _public_label(forward), earlier.name, earlier.port
                ),
            )
            break
        claimed.append((forward, span, protocols))


def _check_masquerade(out: _Collector, masquerade: Masquerade, facts: Optional[RouterFacts]) -> None:
    name = masquerade.name or "masquerade"
    _check_exclusive(out, name, masquerade, ("out_interface", "out_interface_list"), required=True)
    _check_interfaces(out, name, masquerade, (("out_interface", "out_interface_list"),), facts)
    if masquerade.name and not is_name(masquerade.name):
        field_name = "out_interface" if masquerade.out_interface is not None else "out_interface_list"
        out.add(
            name,
            field_name,
            "{0!r} cannot name the rule's ownership marker (allowed: letters, digits, '_', '.', '-'; "
            "starting with a letter or digit; at most 64 characters)".format(masquerade.name),
        )
    if masquerade.ipsec_policy is not None and not _IPSEC_POLICY_RE.match(str(masquerade.ipsec_policy)):
        out.add(name, "ipsec_policy", "{0!r} is not in/out,ipsec/none (e.g. out,none)".format(masquerade.ipsec_policy))
    if masquerade.comment is not None:
        out.add(name, "comment", text_problem(masquerade.comment))


def _check_hairpin(out: _Collector, hairpin: Hairpin, facts: Optional[RouterFacts]) -> None:
    name = hairpin.name
    out.add(name, "name", name_problem(name))
    out.add(name, "protocol", protocol_problem(hairpin.protocol))
    out.add(name, "host_port", port_problem(hairpin.host_port))
    host_problem = unicast_problem(hairpin.host)
    out.add(name, "host", host_problem)
    out.add(name, "lan_subnet", subnet_problem(hairpin.lan_subnet))
    network = subnet(hairpin.lan_subnet)
    address = _address(hairpin.host)
    if host_problem is None and network is not None and address is not None:
        if address not in network:
            out.add(name, "lan_subnet", "{0} does not contain host {1}".format(network, address))
        elif network.prefixlen < 31 and address in (network.network_address, network.broadcast_address):
            out.add(name, "host", "{0} is the network or broadcast address of {1}".format(address, network))
    _check_exclusive(out, name, hairpin, ("lan_interface", "lan_interface_list"), required=False)
    _check_interfaces(out, name, hairpin, (("lan_interface", "lan_interface_list"),), facts)
    if hairpin.comment is not None:
        out.add(name, "comment", text_problem(hairpin.comment))


def _check_hairpin_subnet(out: _Collector, item: HairpinSubnet, facts: Optional[RouterFacts]) -> None:
    name = str(item.subnet)
    out.add(name, "subnet", subnet_problem(item.subnet))
    _check_exclusive(out, name, item, ("lan_interface", "lan_interface_list"), required=False)
    _check_interfaces(out, name, item, (("lan_interface", "lan_interface_list"),), facts)
    if item.comment is not None:
        out.add(name, "comment", text_problem(item.comment))


def validate_services(
    port_forwards: Sequence[PortForward] = (),
    masquerades: Sequence[Masquerade] = (),
    hairpins: Sequence[Hairpin] = (),
    hairpin_subnets: Sequence[HairpinSubnet] = (),
    facts: Optional[RouterFacts] = None,
    host: Optional[str] = None,
) -> List[ValidationError]:
    """Every problem in the desired services, in config order. ``facts=None`` skips the checks
    that need the router (interface existence, router-service capture, router addresses)."""
    out = _Collector(host)
    for forward in port_forwards:
        _check_port_forward(out, forward, facts)
    _check_duplicates(out, (forward.name for forward in port_forwards), "port forward")
    _check_overlaps(out, port_forwards, facts)
    for masquerade in masquerades:
        _check_masquerade(out, masquerade, facts)
    _check_duplicates(out, (m.name for m in masquerades if m.name), "masquerade")
    for hairpin in hairpins:
        _check_hairpin(out, hairpin, facts)
    _check_duplicates(out, (hairpin.name for hairpin in hairpins), "hairpin")
    for item in hairpin_subnets:
        _check_hairpin_subnet(out, item, facts)
    _check_duplicates(
        out,
        (canonical_subnet(item.subnet) for item in hairpin_subnets if subnet_problem(item.subnet) is None),
        "hairpin subnet",
    )
    return out.errors


def own_address_problems(
    port_forwards: Sequence[PortForward],
    interface_addresses: Mapping[str, Sequence[str]],
    host: Optional[str] = None,
) -> List[ValidationError]:
    """A forward whose server is one of the router's own addresses (``interface_addresses``:
    interface -> its enabled ``/ip/address`` values, as read): dstnat to the router itself hands
    the connection to the router's own services instead of publishing a server."""
    own: Dict[ipaddress.IPv4Address, str] = {}
    for interface in sorted(interface_addresses):
        for value in interface_addresses[interface]:
            address = interface_address(value)
            if address is not None:
                own.setdefault(address.ip, interface)
    out = _Collector(host)
    for forward in port_forwards:
        address = _address(forward.host)
        if address is not None and address in own:
            out.add(
                forward.name,
                "host",
                "{0} is the router's own address (on interface {1!r}); a port forward must go to another host".format(
                    address, own[address]
                ),
            )
    return out.errors


_VERBATIM_SPECIALS = ('"', "\\", "=", "?", "$")


def verbatim_note(service: str, field_name: str, text: Optional[str]) -> Optional[str]:
    """A note for the user when free text holds characters that RouterOS script treats specially
    (``"`` ``\\`` ``=`` ``?`` ``$``) or non-ASCII: they are fine and stored exactly as given (the
    API carries them as-is; only rendered CLI escapes them). None when there is nothing to say."""
    if not text:
        return None
    found = ["'{0}'".format(char) for char in _VERBATIM_SPECIALS if char in text]
    if any(ord(char) > 0x7E for char in text):
        found.append("non-ASCII characters")
    if not found:
        return None
    return "service {0!r}: field {1!r}: {2} stored verbatim (the rendered CLI quotes or escapes them)".format(
        service, field_name, ", ".join(found)
    )


def verbatim_notes(
    port_forwards: Sequence[PortForward] = (),
    masquerades: Sequence[Masquerade] = (),
    hairpins: Sequence[Hairpin] = (),
    hairpin_subnets: Sequence[HairpinSubnet] = (),
) -> List[str]:
    """:func:`verbatim_note` for every service comment, in config order."""
    named: List[Tuple[str, Optional[str]]] = [(item.name, item.comment) for item in port_forwards]
    named += [(item.name, item.comment) for item in masquerades]
    named += [(item.name, item.comment) for item in hairpins]
    named += [(str(item.subnet), item.comment) for item in hairpin_subnets]
    notes = [verbatim_note(name, "comment", comment) for name, comment in named]
    return [note for note in notes if note is not None]


def check_services(
    port_forwards: Sequence[PortForward] = (),
    masquerades: Sequence[Masquerade] = (),
    hairpins: Sequence[Hairpin] = (),
    hairpin_subnets: Sequence[HairpinSubnet] = (),
    facts: Optional[RouterFacts] = None,
    host: Optional[str] = None,
) -> None:
    """Raise :class:`InvalidConfigError` with every problem, if there is any."""
    errors = validate_services(port_forwards, masquerades, hairpins, hairpin_subnets, facts, host)
    if errors:
        raise InvalidConfigError(errors)


# ---------------------------------------------------------------------------------------------
# Checks of config entries (messages name the entry and the field, like NAT services)
# ---------------------------------------------------------------------------------------------


def _entry_duplicates(labels: Iterable[Tuple[str, EntryKey]], what: str, host: Optional[str]) -> List[ValidationError]:
    errors = []
    seen: Dict[EntryKey, str] = {}
    for label, key in labels:
        if key in seen:
            errors.append(
                ValidationError(label, "name", "is given twice as {0} (also as {1!r})".format(what, seen[key]), host)
            )
        else:
            seen[key] = label
    return errors


def check_address_list_config(
    config: Sequence[Mapping[str, object]], *, host: Optional[str] = None
) -> List[ValidationError]:
    """Every problem with address-list config entries ``{list, address, comment}``."""
    errors: List[ValidationError] = []
    keys = []
    for entry in config:
        list_name, address = entry.get("list"), entry.get("address")
        label = "{0}:{1}".format(list_name, address)
        if not is_name(list_name):
            errors.append(
                ValidationError(
                    label,
                    "list",
                    "{0!r} is not a list name hairpin can own (1-64 letters, digits, '_', '.', '-')".format(list_name),
                    host,
                )
            )
            continue
        if address in (None, ""):
            errors.append(ValidationError(label, "address", "is required", host))
            continue
        problem = list_address_problem(address)
        if problem is not None:
            errors.append(ValidationError(label, "address", problem, host))
            continue
        if entry.get("comment") is not None:
            problem = text_problem(entry["comment"])
            if problem is not None:
                errors.append(ValidationError(label, "comment", problem, host))
        keys.append((label, address_list_key(list_name, str(address))))
    return errors + _entry_duplicates(keys, "an address-list entry", host)


def check_dns_config(
    config: Sequence[Mapping[str, object]], *, host: Optional[str] = None, need_address: bool = True
) -> List[ValidationError]:
    """Every problem with DNS config entries ``{name, address, comment}`` (``need_address``
    is False for state deleted, where only names matter)."""
    errors: List[ValidationError] = []
    keys = []
    for entry in config:
        name = entry.get("name")
        label = str(name)
        problem = dns_name_problem(name) if name not in (None, "") else "is required"
        if problem is not None:
            errors.append(ValidationError(label, "name", problem, host))
            continue
        address = entry.get("address")
        if address in (None, ""):
            if need_address:
                errors.append(ValidationError(label, "address", "is required", host))
        else:
            problem = unicast_problem(address)
            if problem is not None:
                errors.append(ValidationError(label, "address", problem, host))
        if entry.get("comment") is not None:
            problem = text_problem(entry["comment"])
            if problem is not None:
                errors.append(ValidationError(label, "comment", problem, host))
        keys.append((label, dns_key(str(name))))
    return errors + _entry_duplicates(keys, "a DNS name", host)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Every kind of value the engine reads, parsed and normalised in one place.

Addresses (IPv4 and IPv6), networks, address ranges, ports and port lists as RouterOS writes
them (``80,443,8000-8010``), service names, DNS names, router names (interfaces, lists) and
flags (``yes``/``true``). Each kind has one parser; its canonical form and its ``*_problem``
check (a message without the service/field prefix, or None) are built on that parser, so two
places can never disagree about a value.

Pure code: no I/O. The parsers take what librouteros, an ``/export`` or the user gives (str,
int, bool) and never raise.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import List, Optional, Tuple, Union

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
PortSpan = Tuple[int, int]
AddressSpan = Tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]

# One run parses the same few values over and over (each desired rule's and each table row's
# addresses and ports): the pure functions of a string below are cached, bounded so that a
# long-lived process keeps a small memory.
_CACHE_SIZE = 4096

# ---------------------------------------------------------------------------------------------
# Text and flags
# ---------------------------------------------------------------------------------------------

TRUE_WORDS = frozenset(("true", "yes"))
FALSE_WORDS = frozenset(("false", "no"))


def as_text(value: object) -> str:
    """``value`` as RouterOS text: librouteros turns ``yes``/``true`` into True and digit strings
    into int; this undoes that (surrounding whitespace dropped)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def parse_flag(value: object) -> Optional[bool]:
    """True for ``true``/``yes`` (any case, or True), False for ``false``/``no``; None otherwise."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def normalize_flag(value: object) -> str:
    """A flag as RouterOS prints it (``true``/``false``); anything else as lower-case text."""
    flag = parse_flag(value)
    if flag is None:
        return as_text(value).lower()
    return "true" if flag else "false"


def is_true(value: object) -> bool:
    return parse_flag(value) is True


def cli_flag(value: str) -> str:
    """A normalised flag as the RouterOS console writes it (``yes``/``no``); other text unchanged."""
    if value == "true":
        return "yes"
    if value == "false":
        return "no"
    return value


# ---------------------------------------------------------------------------------------------
# Addresses and networks
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=_CACHE_SIZE)
def ipv4_address(text: str) -> Optional[ipaddress.IPv4Address]:
    """``text`` as an IPv4 address, or None when it is not one."""
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def ipv4_network(text: str) -> Optional[ipaddress.IPv4Network]:
    """``text`` (``address/prefix``, host bits allowed) as its IPv4 network, or None."""
    try:
        return ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        return None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def ip_address(text: str) -> Optional[IPAddress]:
    """``text`` as an IPv4 or IPv6 address, or None."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def ip_network(text: str) -> Optional[IPNetwork]:
    """``text`` (``address/prefix``, host bits allowed) as its IPv4 or IPv6 network, or None."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def subnet(value: object) -> Optional[ipaddress.IPv4Network]:
    """An IPv4 subnet written ``address/prefix`` (the prefix is required), or None."""
    text = as_text(value)
    if "/" not in text:
        return None
    return ipv4_network(text)


def interface_address(value: object) -> Optional[ipaddress.IPv4Interface]:
    """An ``/ip/address`` value (``address/prefix``, or a bare address) as an interface, or None."""
    try:
        return ipaddress.IPv4Interface(as_text(value))
    except ValueError:
        return None


def first_address(value: object) -> Optional[ipaddress.IPv4Address]:
    """The first address an address, ``A-B`` range or ``address/prefix`` names, or None."""
    return ipv4_address(as_text(value).split("-", maxsplit=1)[0].split("/", maxsplit=1)[0])


def address_span(value: object) -> Optional[AddressSpan]:
    """(first, last) address of an IPv4 address, ``A-B`` range or network; None if it is none."""
    text = as_text(value)
    low, sep, high = text.partition("-")
    if sep:
        first, last = ipv4_address(low), ipv4_address(high)
        if first is None or last is None:
            return None
        return first, last
    network = ipv4_network(text)
    if network is None:
        return None
    return network.network_address, network.broadcast_address


def in_address_span(value: object, address: ipaddress.IPv4Address) -> Optional[bool]:
    """Does the address, range or network ``value`` hold ``address``? None when it is no such value."""
    span = address_span(value)
    if span is None:
        return None
    return span[0] <= address <= span[1]


def canonical_subnet(value: object) -> str:
    """``192.168.1.7/24`` -> ``192.168.1.0/24``; a ``/32`` keeps its prefix (marker names of
    hairpin-subnet rules always carry the ``/``). Text that is no network is returned as is."""
    text = as_text(value)
    network = ipv4_network(text)
    return text if network is None else str(network)


def _canonical_one_address(text: str) -> str:
    if ":" in text and "-" not in text:
        # An IPv6 match (/ipv6 firewall): RouterOS prints a prefix, an address as its /128.
        try:
            network6 = ipaddress.IPv6Network(text, strict=False)
        except ValueError:
            return text
        return "{0}/{1}".format(network6.network_address, network6.prefixlen)
    if "/" in text:
        network = ipv4_network(text)
        if network is None:
            return text
        if network.prefixlen == 32:
            return str(network.network_address)
        return str(network)
    low, sep, high = text.partition("-")
    if sep:
        low_a, high_a = ipv4_address(low), ipv4_address(high)
        if low_a is None or high_a is None:
            return text
        return str(low_a) if low_a == high_a else "{0}-{1}".format(low_a, high_a)
    address = ipv4_address(text)
    return text if address is None else str(address)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _canonical_address(text: str) -> str:
    negated = text.startswith("!")
    body = text[1:] if negated else text
    return ("!" if negated else "") + _canonical_one_address(body)


def normalize_address(value: object) -> str:
    """An address match as RouterOS prints it: ``x/32`` -> ``x``, ``192.168.1.7/24`` ->
    ``192.168.1.0/24``, ``a-a`` -> ``a``; ``!`` kept. Text that is none of these is kept."""
    return _canonical_address(as_text(value).replace(" ", ""))


def lan_subnet_for(host: object, subnets: object) -> Optional[str]:
    """The most specific of ``subnets`` that contains ``host``, as a network, or None."""
    address = ipv4_address(as_text(host))
    if address is None:
        return None
    best: Optional[ipaddress.IPv4Network] = None
    for item in subnets:  # type: ignore[attr-defined]
        network = ipv4_network(as_text(item))
        if network is None:
            continue
        if address in network and (best is None or network.prefixlen > best.prefixlen):
            best = network
    return None if best is None else str(best)


_BROADCAST = ipaddress.IPv4Address("255.255.255.255")
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")


@functools.lru_cache(maxsize=1024)
def unicast_reason(address: ipaddress.IPv4Address) -> Optional[str]:
    """Why ``address`` cannot be a host's unicast address (one word), or None when it can."""
    reasons = (
        (address.is_unspecified, "unspecified"),
        (address in _THIS_NETWORK, "this network"),
        (address == _BROADCAST, "broadcast"),
        (address.is_multicast, "multicast"),
        (address.is_loopback, "loopback"),
        (address.is_reserved, "reserved"),
    )
    for applies, reason in reasons:
        if applies:
            return reason
    return None


def unicast_problem(value: object, *, detail: bool = True) -> Optional[str]:
    """Problem with ``value`` as a unicast IPv4 host address (a server or a public address);
    ``detail`` adds why in brackets."""
    text = as_text(value)
    address = ipv4_address(text)
    if address is None:
        return "{0!r} is not an IPv4 address".format(value)
    reason = unicast_reason(address)
    if reason is None:
        return None
    message = "{0} is not a unicast IPv4 host address".format(address)
    return "{0} ({1})".format(message, reason) if detail else message


def subnet_problem(value: object) -> Optional[str]:
    if subnet(value) is None:
        return "{0!r} is not an IPv4 subnet (address/prefix, e.g. 192.168.88.0/24)".format(value)
    return None


# ---------------------------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------------------------

_PORT_RE = re.compile(r"\A([0-9]{1,5})(?:-([0-9]{1,5}))?\Z")
PORT_MIN, PORT_MAX = 1, 65535


def port_span(value: object) -> Optional[PortSpan]:
    """(low, high) of one ``N`` or ``N-M`` as written (numbers unchecked), or None."""
    if isinstance(value, bool) or value is None:
        return None
    match = _PORT_RE.match(as_text(value))
    if match is None:
        return None
    low = int(match.group(1))
    return low, int(match.group(2)) if match.group(2) is not None else low


def port_spans(value: object) -> Optional[List[PortSpan]]:
    """The spans of a RouterOS port list (``80,443,8000-8010``), or None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    spans = []
    for part in as_text(value).split(","):
        span = port_span(part)
        if span is None:
            return None
        spans.append(span)
    return spans


def first_port(value: object) -> Optional[int]:
    """The first port of a port list (``80``, ``8000-8080``, ``80,443``), or None when it starts
    with no port."""
    if isinstance(value, bool) or value is None:
        return None
    span = port_span(as_text(value).split(",", maxsplit=1)[0])
    return None if span is None else span[0]


def port_range(value: object) -> Optional[PortSpan]:
    """(low, high) of a valid ``N`` / ``N-M`` port spec (1-65535, N <= M), else None."""
    span = port_span(value)
    if span is None or port_problem(value) is not None:
        return None
    return span


def port_problem(value: object) -> Optional[str]:
    """Problem with ``value`` as a port (1-65535) or a port range ``N-M``."""
    text = str(value).strip()
    span = port_span(value)
    if span is None:
        return "{0} is not a port (1-65535) or a port range (N-M)".format(text or "''")
    for number in span:
        if not PORT_MIN <= number <= PORT_MAX:
            return "{0} is not a port (1-65535)".format(number)
    if span[0] > span[1]:
        return "{0} is not a port range: N-M needs N <= M".format(text)
    return None


def host_port_problem(host_port: object, port: object) -> Optional[str]:
    """Problem with ``host_port`` as the port on the server for public ``port``: a port, or the
    same range (a range cannot be forwarded to another range)."""
    problem = port_problem(host_port)
    if problem is not None:
        return problem
    public, private = port_range(port), port_range(host_port)
    if public is not None and private is not None and private[0] != private[1] and private != public:
        return (
            "{0} is a different port range than port {1}; a range can only be forwarded to the same "
            "range or to a single port".format(as_text(host_port), as_text(port))
        )
    return None


def _canonical_one_port(text: str) -> str:
    span = port_span(text)
    if span is None:
        return text
    low, high = span
    return str(low) if low == high else "{0}-{1}".format(low, high)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _canonical_ports(text: str) -> str:
    negated = text.startswith("!")
    body = text[1:] if negated else text
    return ("!" if negated else "") + ",".join(_canonical_one_port(part) for part in body.split(","))


def normalize_ports(value: object) -> str:
    """A port list as RouterOS prints it: ``80-80`` -> ``80``, ``0080`` -> ``80``,
    ``80,443-443`` -> ``80,443``, ``!80`` kept negated."""
    return _canonical_ports(as_text(value).replace(" ", ""))


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

# Service names: they end up in ownership markers (``hairpin:dstnat:<name>:tcp``).
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
NAME_RE = re.compile(r"\A" + NAME_PATTERN + r"\Z")
NAME_RULES = "(1-64 characters: letters, digits, '_', '.', '-'; starting with a letter or digit)"

_CONTROL_NAMES = {
    "\x00": "a NUL character (\\0)",
    "\n": "a newline (\\n)",
    "\r": "a carriage return (\\r)",
    "\t": "a tab (\\t)",
}


def is_name(value: object) -> bool:
    """Can ``value`` name a service (and so an ownership marker)?"""
    return isinstance(value, str) and NAME_RE.match(value) is not None


def name_problem(value: object) -> Optional[str]:
    if is_name(value):
        return None
    return "{0!r} is not a valid name {1}".format(value, NAME_RULES)


def text_problem(value: object) -> Optional[str]:
    """Free text (comments, descriptions): anything but control characters.

    ``"``, ``\\``, ``=``, ``?``, ``$`` and non-ASCII are fine: they are stored verbatim (the API
    carries them as-is; rendered CLI escapes them).
    """
    text = str(value)
    for index, char in enumerate(text):
        if ord(char) < 0x20 or ord(char) == 0x7F:
            what = _CONTROL_NAMES.get(char, "the control character U+{0:04X}".format(ord(char)))
            return (
                "contains {0} at position {1}; RouterOS comments are one line of text, "
                "so control characters cannot be stored".format(what, index)
            )
    return None


def router_name_problem(value: object) -> Optional[str]:
    """Names of interfaces, interface lists and address lists: non-empty text, no control chars."""
    if not isinstance(value, str) or not value.strip():
        return "{0!r} is not a name".format(value)
    problem = text_problem(value)
    return None if problem is None else "{0!r} {1}".format(value, problem)


def address_list_name_problem(value: object) -> Optional[str]:
    """An address list the user keeps on the router: a router name without spaces."""
    text = str(value)
    if router_name_problem(text) is not None or re.search(r"\s", text):
        return "{0!r} is not an address list name".format(text)
    return None


# ---------------------------------------------------------------------------------------------
# DNS names
# ---------------------------------------------------------------------------------------------

# A DNS name as RouterOS static entries take it: labels of letters, digits, '-' and '_'
# (service names like _sip._tcp), dot-separated, at most 253 characters.
_DNS_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
DNS_NAME_PATTERN = _DNS_LABEL + r"(?:\." + _DNS_LABEL + r")*"
DNS_NAME_RE = re.compile(r"\A" + DNS_NAME_PATTERN + r"\Z")
_DNS_NAME_MAX = 253


def looks_numeric(text: str) -> bool:
    """Digits, dots, slashes and dashes only: an address, a subnet or a range, not a name."""
    return all(char.isdigit() or char in "./-" for char in text)


def normalize_dns_name(value: object) -> str:
    """DNS names compare without case and without a final dot; we write them lower-case."""
    return as_text(value).rstrip(".").lower()


def is_dns_name(value: object) -> bool:
    """A DNS name (a final dot allowed), not an address written as one."""
    text = as_text(value)
    text = text[:-1] if text.endswith(".") else text
    return len(text) <= _DNS_NAME_MAX and DNS_NAME_RE.match(text) is not None and not looks_numeric(text)


def dns_name_problem(value: object) -> Optional[str]:
    if is_dns_name(value):
        return None
    if looks_numeric(as_text(value)):
        return "{0!r} is not a DNS name".format(value)
    return "{0!r} is not a DNS name (dot-separated labels of letters, digits, '-' and '_')".format(value)


def normalize_list_address(value: object) -> str:
    """An address-list ``address``: IPv4 forms as RouterOS prints them, a DNS name lower-cased."""
    text = normalize_address(value)
    if DNS_NAME_RE.match(text) and not looks_numeric(text):
        return normalize_dns_name(text)
    return text


def list_address_problem(value: object) -> Optional[str]:
    """Problem with ``value`` as an address-list address: IPv4 address, subnet, range or DNS name."""
    text = as_text(value)
    if "/" in text:
        return None if ipv4_network(text) is not None else "{0!r} is not an IPv4 subnet".format(text)
    if looks_numeric(text) and "-" in text:
        return None if address_span(text) is not None else "{0!r} is not an IPv4 range (A-B)".format(text)
    if looks_numeric(text):
        return None if ipv4_address(text) is not None else "{0!r} is not an IPv4 address".format(text)
    return dns_name_problem(text)

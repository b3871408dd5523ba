"""Value types of the RouterOS model: parse what a client sends, answer the form RouterOS prints.

Every parser takes the raw API value and returns the canonical printed form (the string RouterOS
sends back in ``print``), or raises :class:`BadValueError` with the trap message RouterOS gives.  The
canonical forms are what make a client's second run idempotent or not, so they follow RouterOS:

* booleans print ``true``/``false`` whatever was sent (``yes``/``no``/``true``/``false``);
* protocols print by name (``6`` -> ``tcp``); a number without a name stays a number;
* firewall addresses drop a ``/32`` and clear host bits (``1.1.1.1/24`` -> ``1.1.1.0/24``);
* port ranges collapse (``80-80`` -> ``80``); times print as ``1w2d3h4m5s`` (``24h`` -> ``1d``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "PORT_PROTOCOLS",
    "PROTOCOLS",
    "BadValueError",
    "format_time",
    "is_dns_name",
    "parse_time",
]


class BadValueError(ValueError):
    """A value RouterOS refuses; ``message`` is the text of its ``!trap``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Messages RouterOS uses for argument values (help.mikrotik.com, REST/API client reports).
def no_match(name: str) -> BadValueError:
    return BadValueError(f"input does not match any value of {name}")


def invalid(name: str) -> BadValueError:
    return BadValueError(f"invalid value for argument {name}")


def out_of_range(name: str, low: int, high: int) -> BadValueError:
    return BadValueError(f"value of {name} out of range ({low}..{high})")


# IP protocol numbers RouterOS prints by name (the names of its `protocol` enum).
PROTOCOLS: dict[str, int] = {
    "icmp": 1,
    "igmp": 2,
    "ggp": 3,
    "ipencap": 4,
    "st": 5,
    "tcp": 6,
    "egp": 8,
    "pup": 12,
    "udp": 17,
    "hmp": 20,
    "xns-idp": 22,
    "rdp": 27,
    "iso-tp4": 29,
    "dccp": 33,
    "xtp": 36,
    "ddp": 37,
    "idpr-cmtp": 38,
    "ipv6-encap": 41,
    "ipv6-route": 43,
    "ipv6-frag": 44,
    "rsvp": 46,
    "gre": 47,
    "ipsec-esp": 50,
    "ipsec-ah": 51,
    "icmpv6": 58,
    "ipv6-nonxt": 59,
    "ipv6-opts": 60,
    "rspf": 73,
    "vmtp": 81,
    "ospf": 89,
    "ipip": 94,
    "etherip": 97,
    "encap": 98,
    "pim": 103,
    "vrrp": 112,
    "l2tp": 115,
    "sctp": 132,
    "udp-lite": 136,
}
_PROTOCOL_NAMES = {number: name for name, number in PROTOCOLS.items()}

#: Protocols that have ports; port matchers need one of them.
PORT_PROTOCOLS = ("tcp", "udp", "udp-lite", "sctp", "dccp")

_TIME_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_TIME_PART = re.compile(r"(\d+)(ms|w|d|h|m|s)")
_CLOCK = re.compile(r"(?:(\d+)d\s*)?(\d+):(\d{1,2}):(\d{1,2})")
_DNS_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
_LETTER = re.compile(r"[A-Za-z]")
_MAC = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}")


@dataclass(frozen=True)
class Spec:
    """What a parser may need to know about the property beyond its raw value."""

    name: str
    choices: tuple[str, ...] = ()
    multi: bool = False
    low: int | None = None
    high: int | None = None


Parser = Callable[[str, Spec], str]


def parse_time(text: str) -> float | None:
    """Seconds in a RouterOS time (``1d2h``, ``500ms``, ``00:05:00``, ``30``), or None if it is not one."""
    text = text.strip()
    if text.isdigit():
        return float(text)
    clock = _CLOCK.fullmatch(text)
    if clock:
        days, hours, minutes, seconds = (int(part) if part else 0 for part in clock.groups())
        return float(days * 86400 + hours * 3600 + minutes * 60 + seconds)
    position, total = 0, 0.0
    for match in _TIME_PART.finditer(text):
        if match.start() != position:
            return None
        number, unit = int(match.group(1)), match.group(2)
        total += number / 1000 if unit == "ms" else number * dict(_TIME_UNITS)[unit]
        position = match.end()
    return total if position == len(text) and text else None


def format_time(seconds: float) -> str:
    """A duration the way RouterOS prints it: ``1w2d3h4m5s``, ``500ms``, ``0s``."""
    whole, millis = int(seconds), round((seconds - int(seconds)) * 1000)
    parts = []
    for unit, size in _TIME_UNITS:
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    if millis:
        parts.append(f"{millis}ms")
    return "".join(parts) or "0s"


@lru_cache(maxsize=65536)
def is_dns_name(text: str) -> bool:
    """True for a host name RouterOS would resolve (not an IP address, labels of letters/digits/-/_)."""
    if not text or len(text) > 253 or text.endswith("."):
        return False
    if not _LETTER.search(text):
        return False  # digits, dots and dashes: a malformed address or range, not a name
    return all(_DNS_LABEL.fullmatch(label) for label in text.split("."))


# ---------------------------------------------------------------------------------------------
# Parsers, by the kind names used in schema.py


def _string(value: str, spec: Spec) -> str:
    return value


def _name(value: str, spec: Spec) -> str:
    # Names (chains, lists, interfaces) cannot be empty; RouterOS refuses the empty word.
    if not value.strip():
        raise invalid(spec.name)
    return value


def _chain(value: str, spec: Spec) -> str:
    # Any name makes a (custom) chain; names with blanks or control characters do not.
    if not value or any(char.isspace() or not char.isprintable() for char in value):
        raise invalid(spec.name)
    return value


def _bool(value: str, spec: Spec) -> str:
    lowered = value.lower()
    if lowered in ("yes", "true"):
        return "true"
    if lowered in ("no", "false"):
        return "false"
    raise no_match(spec.name)


def _int(value: str, spec: Spec) -> str:
    text = value.strip()
    try:
        number = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise invalid(spec.name) from None
    low = spec.low if spec.low is not None else 0
    high = spec.high if spec.high is not None else 4294967295
    if not low <= number <= high:
        raise out_of_range(spec.name, low, high)
    return str(number)


def _enum(value: str, spec: Spec) -> str:
    words = value.split(",") if spec.multi else [value]
    for word in words:
        if word not in spec.choices:
            raise no_match(spec.name)
    return ",".join(words)


def _protocol(value: str, spec: Spec) -> str:
    text = value.strip().lower()
    if text in PROTOCOLS:
        return text
    if text.isdigit():
        number = int(text)
        if number > 255:
            raise out_of_range(spec.name, 0, 255)
        return _PROTOCOL_NAMES.get(number, str(number))
    raise no_match(spec.name)


def _ipv4(value: str, spec: Spec) -> str:
    try:
        return str(ipaddress.IPv4Address(value.strip()))
    except ValueError:
        raise invalid(spec.name) from None


def _ip(value: str, spec: Spec) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise invalid(spec.name) from None


def _ip_list(value: str, spec: Spec) -> str:
    """Comma-separated addresses (``/ip dns servers``); the empty list is allowed."""
    if not value.strip():
        return ""
    return ",".join(_ip(part, spec) for part in value.split(","))


def _ipv4_range(first: str, last: str, spec: Spec) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
    low, high = (ipaddress.IPv4Address(_ipv4(part, spec)) for part in (first, last))
    if low > high:
        raise invalid(spec.name)
    return low, high


def _ipv4_network(text: str, spec: Spec) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(text.strip(), strict=False)
    except ValueError:
        raise invalid(spec.name) from None


def _network_text(network: ipaddress.IPv4Network) -> str:
    # RouterOS drops a /32 and clears host bits ("1.1.1.1/24" is stored as "1.1.1.0/24").
    return str(network.network_address) if network.prefixlen == 32 else str(network)


def _ipv4_prefix(value: str, spec: Spec) -> str:
    """Firewall ``src-address``/``dst-address``: address, address/mask or first-last range."""
    if "-" in value:
        first, _, last = value.partition("-")
        low, high = _ipv4_range(first, last, spec)
        return str(low) if low == high else f"{low}-{high}"
    return _network_text(_ipv4_network(value, spec))


def _ipv4_translation(value: str, spec: Spec) -> str:
    """``to-addresses``: an address, a first-last range or a prefix (netmap)."""
    return _ipv4_prefix(value, spec)


def _interface_address(value: str, spec: Spec) -> str:
    """``/ip address address``: host bits are the router's own address and stay; default /32."""
    try:
        interface = ipaddress.IPv4Interface(value.strip())
    except ValueError:
        raise invalid(spec.name) from None
    return f"{interface.ip}/{interface.network.prefixlen}"


def _list_address(value: str, spec: Spec) -> str:
    """``/ip firewall address-list address``: address, prefix, range (exact ranges become a prefix) or DNS name."""
    text = value.strip()
    if "-" in text and not is_dns_name(text):
        first, _, last = text.partition("-")
        low, high = _ipv4_range(first, last, spec)
        networks = list(ipaddress.summarize_address_range(low, high))
        if len(networks) == 1:
            return _network_text(networks[0])
        return f"{low}-{high}"
    if re.fullmatch(r"[\d./]+", text):
        return _network_text(_ipv4_network(text, spec))
    if is_dns_name(text):
        return text
    raise invalid(spec.name)


def _ipv4_route_network(value: str, spec: Spec) -> str:
    """``/ip route dst-address``: a network, always with its length (``0.0.0.0/0``, ``10.0.0.1/32``)."""
    return str(_ipv4_network(value, spec))


def _ipv6_network(text: str, spec: Spec) -> ipaddress.IPv6Network:
    try:
        return ipaddress.IPv6Network(text.strip(), strict=False)
    except ValueError:
        raise invalid(spec.name) from None


def _ipv6_text(address: ipaddress.IPv6Address) -> str:
    """An IPv6 address as RouterOS prints it: like Linux's inet_ntop, an address whose first 96 bits
    are zero and the next 16 are not ends in dotted IPv4 (``::224.0.0.0``; ``::1`` stays)."""
    packed = address.packed
    if not any(packed[:12]) and any(packed[12:14]):
        return "::" + str(ipaddress.IPv4Address(packed[12:]))
    return str(address)


def _ipv6_network_text(network: ipaddress.IPv6Network) -> str:
    return f"{_ipv6_text(network.network_address)}/{network.prefixlen}"


def _ipv6_prefix(value: str, spec: Spec) -> str:
    """IPv6 firewall ``src-address``/``dst-address``: a prefix (an address is its /128) or a first-last range."""
    if "-" in value:
        first, _, last = value.partition("-")
        low, high = (_ipv6_network(part, spec).network_address for part in (first, last))
        if low > high:
            raise invalid(spec.name)
        return f"{_ipv6_text(low)}-{_ipv6_text(high)}"
    return _ipv6_network_text(_ipv6_network(value, spec))


def _ipv6_list_address(value: str, spec: Spec) -> str:
    """``/ipv6 firewall address-list address``: a prefix (an address is its /128) or a DNS name."""
    text = value.strip()
    if ":" in text:
        return _ipv6_network_text(_ipv6_network(text, spec))
    if is_dns_name(text):
        return text
    raise invalid(spec.name)


def _ipv6_interface_address(value: str, spec: Spec) -> str:
    """``/ipv6 address address``: the router's own address, its length as given (with ``from-pool``
    the address is only the host part, ``::1``, and is written back without one)."""
    text = value.strip()
    address, slash, length = text.partition("/")
    try:
        host = ipaddress.IPv6Address(address)
    except ValueError:
        raise invalid(spec.name) from None
    if not slash:
        return _ipv6_text(host)
    if not length.isdigit() or int(length) > 128:
        raise invalid(spec.name)
    return f"{_ipv6_text(host)}/{int(length)}"


def _ip_prefix(value: str, spec: Spec) -> str:
    """``/routing rule src-address``/``dst-address``: an IPv4 or IPv6 network with its length."""
    if ":" in value:
        return _ipv6_network_text(_ipv6_network(value, spec))
    return str(_ipv4_network(value, spec))


def _flag_word(value: str, spec: Spec) -> str:
    # Any value sets the flag (`=fib=` is how a client sets it); RouterOS prints it as "".
    return ""


def _port_number(text: str, spec: Spec) -> int:
    if not text.strip().isdigit():
        raise invalid(spec.name)
    number = int(text)
    if number > 65535:
        raise out_of_range(spec.name, 0, 65535)
    return number


def _port_range(value: str, spec: Spec) -> str:
    first, dash, last = value.partition("-")
    low = _port_number(first, spec)
    high = _port_number(last, spec) if dash else low
    if low > high:
        raise invalid(spec.name)
    return str(low) if low == high else f"{low}-{high}"


def _ports(value: str, spec: Spec) -> str:
    """``dst-port``/``src-port``/``port``: a comma-separated list of ports and ranges (at most 15)."""
    parts = value.split(",")
    if len(parts) > 15:
        raise invalid(spec.name)
    return ",".join(_port_range(part, spec) for part in parts)


def _time(value: str, spec: Spec) -> str:
    lowered = value.strip().lower()
    if lowered in spec.choices:
        return lowered
    seconds = parse_time(lowered)
    if seconds is None:
        raise invalid(spec.name)
    return format_time(seconds)


def _ipsec_policy(value: str, spec: Spec) -> str:
    direction, comma, policy = value.partition(",")
    if not comma or direction not in ("in", "out") or policy not in ("ipsec", "none"):
        raise no_match(spec.name)
    return value


def _mac(value: str, spec: Spec) -> str:
    if not value.strip():
        return ""  # no address (bridge admin-mac)
    if not _MAC.fullmatch(value.strip()):
        raise invalid(spec.name)
    return value.strip().upper().replace("-", ":")


PARSERS: dict[str, Parser] = {
    "str": _string,
    "name": _name,
    "chain": _chain,
    "bool": _bool,
    "int": _int,
    "enum": _enum,
    "protocol": _protocol,
    "ipv4": _ipv4,
    "ip": _ip,
    "ip-list": _ip_list,
    "ipv4-prefix": _ipv4_prefix,
    "ipv4-translation": _ipv4_translation,
    "interface-address": _interface_address,
    "list-address": _list_address,
    "ports": _ports,
    "port-range": _port_range,
    "time": _time,
    "ipsec-policy": _ipsec_policy,
    "mac": _mac,
    "ipv4-network": _ipv4_route_network,
    "ipv6-prefix": _ipv6_prefix,
    "ipv6-network": lambda value, spec: _ipv6_network_text(_ipv6_network(value, spec)),
    "ipv6-list-address": _ipv6_list_address,
    "ipv6-interface-address": _ipv6_interface_address,
    "ip-prefix": _ip_prefix,
    "flag-word": _flag_word,
}

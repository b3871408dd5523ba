# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""Address and port parsing of the analyzer, in one place.

Every address, address spec, port and port range the analysis reads goes through these
functions, so the rules for reading them (a range ``a-b``, a prefix, a list ``80,443``) are
written once.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Iterable, List, Mapping, Optional, Tuple

IPv4 = ipaddress.IPv4Address
Net = ipaddress.IPv4Network


class AnalyzeError(ValueError):
    """The inputs cannot be analysed (a missing or contradictory fact); the message says which."""


class UnknownMatcherError(Exception):
    """A matcher the analysis cannot evaluate (the rule is then taken as not matching)."""


def parse_address(text: str, what: str) -> IPv4:
    try:
        return IPv4(str(text).split("/", maxsplit=1)[0])
    except ValueError:
        raise AnalyzeError("{0}: {1!r} is not an IPv4 address".format(what, text)) from None


def split_negation(value: str) -> Tuple[bool, str]:
    return (True, value[1:]) if value.startswith("!") else (False, value)


def in_address_spec(spec: str, address: IPv4) -> bool:
    low, sep, high = spec.partition("-")
    try:
        if sep:
            return IPv4(low) <= address <= IPv4(high)
        return address in ipaddress.IPv4Network(spec, strict=False)
    except ValueError:
        raise UnknownMatcherError("{0!r} is not an address".format(spec)) from None


def in_ports(spec: str, port: int) -> bool:
    for part in spec.split(","):
        low, sep, high = part.partition("-")
        try:
            if int(low) <= port <= int(high if sep else low):
                return True
        except ValueError:
            raise UnknownMatcherError("{0!r} is not a port list".format(spec)) from None
    return False


def first_address(text: str) -> Optional[IPv4]:
    try:
        return IPv4(text.split("-")[0].split("/")[0])
    except ValueError:
        return None


def port_span(text: Optional[str], default: int) -> Tuple[int, int]:
    if not text:
        return default, default
    low, sep, high = text.partition("-")
    try:
        return int(low), int(high if sep else low)
    except ValueError:
        return default, default


def span_of(port: str) -> Tuple[int, int]:
    first = port.split(",")[0]
    return port_span(first, 0)


def covers(subnet: str, address: IPv4) -> bool:
    try:
        return address in ipaddress.IPv4Network(subnet, strict=False)
    except ValueError:
        return False


def mentions(spec: Optional[str], address: IPv4) -> bool:
    if not spec or spec.startswith("!"):
        return False
    try:
        return in_address_spec(spec, address)
    except UnknownMatcherError:
        return False


def parse_interface(text: str) -> Optional[ipaddress.IPv4Interface]:
    """An address with its prefix (``192.168.1.1/24``), or None when it is not IPv4."""
    try:
        return ipaddress.IPv4Interface(text)
    except ValueError:
        return None


def host_interface(address: IPv4) -> ipaddress.IPv4Interface:
    return ipaddress.IPv4Interface("{0}/32".format(address))


def parse_networks(texts: Iterable[str], what: str) -> List[Net]:
    try:
        return [ipaddress.IPv4Network(text, strict=False) for text in texts]
    except ValueError as exc:
        raise AnalyzeError("{0}: {1}".format(what, exc)) from None


def first_port(spec: str) -> int:
    """The first port of a port spec (``80``, ``8000-8080``, ``80,443``)."""
    return int(re.split(r"[-,]", spec)[0])


def interface_of(address: str, networks: Mapping[str, Iterable[str]]) -> Optional[str]:
    """The interface (of ``networks``: interface -> its networks) whose network holds ``address``."""
    own = parse_interface(address)
    if own is None:
        return None
    for name, nets in networks.items():
        for net in nets:
            try:
                if ipaddress.IPv4Network(str(net), strict=False) == own.network:
                    return str(name)
            except ValueError:
                continue
    return None


def netmap(address: IPv4, match_spec: Optional[str], to_text: str) -> Optional[IPv4]:
    """Where ``netmap`` maps ``address`` (matched by ``match_spec``) in ``to_text``: the same offset."""
    try:
        target = ipaddress.IPv4Network(to_text, strict=False)
        source = ipaddress.IPv4Network(match_spec, strict=False) if match_spec else None
    except ValueError:
        return first_address(to_text)
    if source is None or address not in source:
        return target.network_address
    offset = int(address) - int(source.network_address)
    return IPv4(int(target.network_address) + offset % target.num_addresses)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.

"""What the analyzer adds to :mod:`values` for addresses and ports.

Every address, network, range, port and port list is parsed by ``values``; this module keeps
only what belongs to the analysis: matchers negated with ``!``, the analyzer's errors for facts
it cannot use (:class:`AnalyzeError`) and for rule values it cannot evaluate
(:class:`UnknownMatcherError`), and netmap's address arithmetic.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, List, Mapping, Optional, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    first_address,
    in_address_span,
    interface_address,
    ipv4_address,
    ipv4_network,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    first_port as _first_port,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    port_span as _port_span,
)

IPv4 = ipaddress.IPv4Address
Net = ipaddress.IPv4Network


class AnalyzeError(ValueError):
    """The inputs cannot be analysed (a missing or contradictory fact); the message says which."""


class UnknownMatcherError(Exception):
    """A matcher the analysis cannot evaluate (the rule is then taken as not matching)."""


def parse_address(text: str, what: str) -> IPv4:
    """The address of a fact (a prefix after it ignored); AnalyzeError naming ``what`` otherwise."""
    address = ipv4_address(str(text).split("/", maxsplit=1)[0])
    if address is None:
        raise AnalyzeError("{0}: {1!r} is not an IPv4 address".format(what, text))
    return address


def split_negation(value: str) -> Tuple[bool, str]:
    return (True, value[1:]) if value.startswith("!") else (False, value)


def in_address_spec(spec: str, address: IPv4) -> bool:
    """Does a rule's address, range or network ``spec`` hold ``address``?"""
    holds = in_address_span(spec, address)
    if holds is None:
        raise UnknownMatcherError("{0!r} is not an address".format(spec))
    return holds


def in_ports(spec: str, port: int) -> bool:
    """Does a rule's port list ``spec`` (``80,443,8000-8010``) hold ``port``?"""
    for part in spec.split(","):
        span = _port_span(part)
        if span is None:
            raise UnknownMatcherError("{0!r} is not a port list".format(spec))
        if span[0] <= port <= span[1]:
            return True
    return False


def port_span(text: Optional[str], default: int) -> Tuple[int, int]:
    """(low, high) of a ``to-ports`` value; ``default`` for both when it is empty or no port."""
    span = _port_span(text) if text else None
    return (default, default) if span is None else span


def span_of(port: str) -> Tuple[int, int]:
    """The span of the first part of a port list (``0, 0`` when it is no port)."""
    return port_span(port.split(",")[0], 0)


def first_port(spec: str) -> int:
    """The first port of a port spec (``80``, ``8000-8080``, ``80,443``); ValueError if none."""
    port = _first_port(spec)
    if port is None:
        raise ValueError("{0!r} is not a port list".format(spec))
    return port


def covers(subnet: str, address: IPv4) -> bool:
    network = ipv4_network(subnet)
    return network is not None and address in network


def mentions(spec: Optional[str], address: IPv4) -> bool:
    """Does a positive address matcher name ``address``? (Negated and unreadable ones do not.)"""
    if not spec or spec.startswith("!"):
        return False
    return in_address_span(spec, address) is True


def host_interface(address: IPv4) -> ipaddress.IPv4Interface:
    return ipaddress.IPv4Interface("{0}/32".format(address))


def parse_networks(texts: Iterable[str], what: str) -> List[Net]:
    """The networks of a fact (host bits allowed); AnalyzeError naming ``what`` for the first bad one."""
    networks = []
    for text in texts:
        network = ipv4_network(text)
        if network is None:
            raise AnalyzeError("{0}: {1!r} is not an IPv4 network".format(what, text))
        networks.append(network)
    return networks


def interface_of(address: str, networks: Mapping[str, Iterable[str]]) -> Optional[str]:
    """The interface (of ``networks``: interface -> its networks) whose network holds ``address``."""
    own = interface_address(address)
    if own is None:
        return None
    for name, nets in networks.items():
        for net in nets:
            if ipv4_network(str(net)) == own.network:
                return str(name)
    return None


def netmap(address: IPv4, match_spec: Optional[str], to_text: str) -> Optional[IPv4]:
    """Where ``netmap`` maps ``address`` (matched by ``match_spec``) in ``to_text``: the same offset."""
    target = ipv4_network(to_text)
    source = ipv4_network(match_spec) if match_spec else None
    if target is None or (match_spec and source is None):
        return first_address(to_text)
    if source is None or address not in source:
        return target.network_address
    offset = int(address) - int(source.network_address)
    return IPv4(int(target.network_address) + offset % target.num_addresses)

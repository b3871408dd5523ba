# -*- coding: utf-8 -*-
# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The data inside here is private to this collection. If you use this from outside the collection,
# you are on your own. There can be random changes to its format even in bugfix releases!

"""The NAT data model: the field table, value normalisation, the ownership marker, desired rules.

Pure code: no I/O. Everything the planner compares goes through :func:`normalize_value`, so a
value read from RouterOS (``print`` through librouteros, or an ``/export``) and a value from the
user's config compare equal exactly when RouterOS would store them the same way.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Callable, Collection, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    NAME_PATTERN,
    as_text,
    canonical_subnet,
    is_true,
    normalize_address,
    normalize_flag,
    normalize_ports,
)

# ---------------------------------------------------------------------------------------------
# Value normalisers of the field table. Each takes what librouteros (or an export, or the user)
# gives -- str, int, bool -- and returns the canonical string RouterOS would print; the parsing
# behind them is values.py's.
# ---------------------------------------------------------------------------------------------

# IANA protocol numbers for the names RouterOS prints (``/ip firewall nat print`` shows names).
PROTOCOL_NAMES: Mapping[str, str] = {
    "1": "icmp",
    "2": "igmp",
    "4": "ipencap",
    "6": "tcp",
    "17": "udp",
    "33": "dccp",
    "41": "ipv6-encap",
    "47": "gre",
    "50": "ipsec-esp",
    "51": "ipsec-ah",
    "58": "icmpv6",
    "89": "ospf",
    "103": "pim",
    "112": "vrrp",
    "115": "l2tp",
    "132": "sctp",
    "136": "udp-lite",
}


def normalize_text(value: object) -> str:
    return as_text(value)


def normalize_verbatim(value: object) -> str:
    """Free text (comments): kept as written, spaces included, since RouterOS stores it so."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def normalize_protocol(value: object) -> str:
    text = as_text(value).lower()
    return PROTOCOL_NAMES.get(text, text)


# The planner compares every field of every owned row with its desired rule, and rows and rules
# repeat the same values: effective values are cached, with this bound.
_CACHE_SIZE = 4096


# ---------------------------------------------------------------------------------------------
# The field table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldInfo:
    """One ``/ip/firewall/nat`` property we write or compare.

    ``default`` is the normalised value RouterOS reports when the property was never set
    (``None``: the property is absent from ``print``). ``can_unset`` says whether RouterOS can
    remove the property (``set !name``); properties that cannot be unset are set back to
    ``default`` instead.
    """

    name: str
    default: Optional[str]
    can_unset: bool
    normalizer: Callable[[object], str]


def _fields(*infos: FieldInfo) -> Mapping[str, FieldInfo]:
    return {info.name: info for info in infos}


# Order matters: it is the order of properties in rendered CLI lines (the order `/export` uses
# for the common ones: chain and action first, comment late).
NAT_FIELDS: Mapping[str, FieldInfo] = _fields(
    FieldInfo("chain", None, False, normalize_text),
    FieldInfo("action", "accept", False, normalize_text),
    FieldInfo("protocol", None, True, normalize_protocol),
    FieldInfo("src-address", None, True, normalize_address),
    FieldInfo("dst-address", None, True, normalize_address),
    FieldInfo("src-address-list", None, True, normalize_text),
    FieldInfo("dst-address-list", None, True, normalize_text),
    FieldInfo("dst-address-type", None, True, normalize_text),
    FieldInfo("dst-port", None, True, normalize_ports),
    FieldInfo("in-interface", None, True, normalize_text),
    FieldInfo("in-interface-list", None, True, normalize_text),
    FieldInfo("out-interface", None, True, normalize_text),
    FieldInfo("out-interface-list", None, True, normalize_text),
    FieldInfo("ipsec-policy", None, True, normalize_text),
    FieldInfo("to-addresses", None, True, normalize_address),
    FieldInfo("to-ports", None, True, normalize_ports),
    FieldInfo("log", "false", False, normalize_flag),
    FieldInfo("log-prefix", "", False, normalize_verbatim),
    FieldInfo("comment", None, True, normalize_verbatim),
    FieldInfo("disabled", "false", False, normalize_flag),
)

# The ``/ip/firewall/filter`` properties an owned accept rule writes or compares, in the order
# ``/export`` prints them. A name both tables have takes the same values there (same
# normaliser), which is what lets one normalize_value serve both. The action has no default
# here: RouterOS prints it on every row, and an accept's command says what it does.
FILTER_FIELDS: Mapping[str, FieldInfo] = _fields(
    FieldInfo("chain", None, False, normalize_text),
    FieldInfo("action", None, False, normalize_text),
    FieldInfo("connection-state", None, True, normalize_text),
    FieldInfo("connection-nat-state", None, True, normalize_text),
    FieldInfo("protocol", None, True, normalize_protocol),
    FieldInfo("src-address", None, True, normalize_address),
    FieldInfo("dst-address", None, True, normalize_address),
    FieldInfo("src-address-list", None, True, normalize_text),
    FieldInfo("dst-address-list", None, True, normalize_text),
    FieldInfo("dst-port", None, True, normalize_ports),
    FieldInfo("in-interface", None, True, normalize_text),
    FieldInfo("in-interface-list", None, True, normalize_text),
    FieldInfo("out-interface", None, True, normalize_text),
    FieldInfo("out-interface-list", None, True, normalize_text),
    FieldInfo("log", "false", False, normalize_flag),
    FieldInfo("log-prefix", "", False, normalize_verbatim),
    FieldInfo("comment", None, True, normalize_verbatim),
    FieldInfo("disabled", "false", False, normalize_flag),
)

# The ``/ipv6/firewall/filter`` properties an owned IPv6 pinhole writes or compares: the IPv4
# filter's, but for connection-nat-state (IPv6 is not translated). Addresses are IPv6 prefixes
# there; the one address normaliser takes both families.
FILTER6_FIELDS: Mapping[str, FieldInfo] = {
    name: info for name, info in FILTER_FIELDS.items() if name != "connection-nat-state"
}

# The ``/ip/firewall/mangle`` properties of the owned reply-routing rules of several WANs
# (connection marks on new connections from a WAN, routing marks for their replies). RouterOS
# defaults passthrough to yes; the mark-routing rules write passthrough=no.
MANGLE_FIELDS: Mapping[str, FieldInfo] = _fields(
    FieldInfo("chain", None, False, normalize_text),
    FieldInfo("action", None, False, normalize_text),
    FieldInfo("connection-state", None, True, normalize_text),
    FieldInfo("connection-mark", None, True, normalize_text),
    FieldInfo("in-interface", None, True, normalize_text),
    FieldInfo("in-interface-list", None, True, normalize_text),
    FieldInfo("new-connection-mark", None, True, normalize_text),
    FieldInfo("new-routing-mark", None, True, normalize_text),
    FieldInfo("passthrough", "true", False, normalize_flag),
    FieldInfo("log", "false", False, normalize_flag),
    FieldInfo("log-prefix", "", False, normalize_verbatim),
    FieldInfo("comment", None, True, normalize_verbatim),
    FieldInfo("disabled", "false", False, normalize_flag),
)

_ALL_FIELDS: Mapping[str, FieldInfo] = dict(MANGLE_FIELDS, **dict(FILTER_FIELDS, **NAT_FIELDS))

BOOLEAN_FIELDS = frozenset(name for name, info in _ALL_FIELDS.items() if info.normalizer is normalize_flag)


def normalize_value(field_name: str, value: object) -> str:
    """The one normaliser: canonical string form of ``value`` for NAT property ``field_name``.

    Unknown properties are compared as text (librouteros' bool/int casts undone).
    """
    info = _ALL_FIELDS.get(field_name)
    if info is None:
        return as_text(value)
    return info.normalizer(value)


def effective_value(field_name: str, value: object) -> Optional[str]:
    """What a row means for ``field_name`` when it holds ``value`` (``None`` = absent).

    Absent values become the RouterOS default; an empty string on a property without a default
    means "not set" (RouterOS never stores an empty match value).
    """
    if value is None:
        info = _ALL_FIELDS.get(field_name)
        return info.default if info is not None else None
    try:
        return _present_value(field_name, value)
    except TypeError:  # an unhashable value cannot be a cache key
        return _present_value.__wrapped__(field_name, value)


def implied_to_ports(action: Optional[str], dst_port: Optional[str], to_ports: Optional[str]) -> Optional[str]:
    """``to-ports`` as a dst-nat rule means it (effective values): a rule without it keeps each
    packet's own port, which for one matched port is that port; as given otherwise."""
    if to_ports is None and action == "dst-nat" and dst_port is not None and dst_port.isdigit():
        return dst_port
    return to_ports


# Cached: the planner compares every field of every owned row with its desired rule, and rows
# and rules repeat the same values. typed, so that True and 1 (equal, same hash) stay apart.
@functools.lru_cache(maxsize=_CACHE_SIZE, typed=True)
def _present_value(field_name: str, value: object) -> Optional[str]:
    normalized = normalize_value(field_name, value)
    info = _ALL_FIELDS.get(field_name)
    if normalized == "" and (info is None or info.default is None):
        return None
    return normalized


# ---------------------------------------------------------------------------------------------
# The ownership marker
# ---------------------------------------------------------------------------------------------

KIND_DSTNAT = "dstnat"
KIND_HAIRPIN = "hairpin"
KIND_MASQUERADE = "masquerade"
KIND_HAIRPIN_SUBNET = "hairpin-subnet"
# The firewall filter's accept for a published service (in /ip/firewall/filter, not NAT).
KIND_FILTER = "filter"
# An IPv6 service's pinhole: the accept in /ipv6/firewall/filter chain forward (no NAT in IPv6).
KIND_FILTER6 = "filter6"
# 1:1 NAT of one host: its dstnat and srcnat netmap rules, and its hairpin rule for LAN clients.
KIND_NETMAP_IN = "netmap-in"
KIND_NETMAP_OUT = "netmap-out"
KIND_NETMAP_HAIRPIN = "netmap-hairpin"
NETMAP_KINDS: Tuple[str, ...] = (KIND_NETMAP_IN, KIND_NETMAP_OUT, KIND_NETMAP_HAIRPIN)
# Reply routing of one WAN of several (in /ip/firewall/mangle, named after the WAN): the
# connection mark of new connections from it, and the routing marks of their replies from the
# LAN and from the router itself.
KIND_REPLY_MARK = "reply-mark"
KIND_REPLY_ROUTE = "reply-route"
KIND_REPLY_OUTPUT = "reply-output"
REPLY_KINDS: Tuple[str, ...] = (KIND_REPLY_MARK, KIND_REPLY_ROUTE, KIND_REPLY_OUTPUT)
KINDS: Tuple[str, ...] = (
    KIND_DSTNAT,
    KIND_HAIRPIN,
    KIND_MASQUERADE,
    KIND_HAIRPIN_SUBNET,
    *NETMAP_KINDS,
    KIND_FILTER,
    KIND_FILTER6,
    *REPLY_KINDS,
)
# Kinds whose marker carries the protocol (one rule per protocol); the others have none.
PROTOCOL_KINDS = frozenset((KIND_DSTNAT, KIND_HAIRPIN, KIND_FILTER, KIND_FILTER6))
PROTOCOLS: Tuple[str, ...] = ("tcp", "udp")

MARKER_PREFIX = "hairpin:"
_SUBNET_PATTERN = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}"

# Marker grammar (the comment of every rule we own starts with it):
#
#   comment     = marker [ " ~" fingerprint ] [ " " description ]
#   marker      = "hairpin:" ( proto-kind ":" name ":" protocol
#                            | "masquerade:" name
#                            | netmap-kind ":" name
#                            | reply-kind ":" name
#                            | "hairpin-subnet:" subnet )
#   netmap-kind = "netmap-in" | "netmap-out" | "netmap-hairpin"
#   reply-kind  = "reply-mark" | "reply-route" | "reply-output"     (name: the WAN interface)
#   proto-kind  = "dstnat" | "hairpin" | "filter" | "filter6"
#   protocol    = "tcp" | "udp"
#   name        = [A-Za-z0-9] [A-Za-z0-9_.-]{0,63}
#   subnet      = IPv4 "/" prefix-length           (e.g. 192.168.1.0/24)
#   fingerprint = 8 * hex-digit (lower case)    (what we wrote, see rule_fingerprint)
#   description = any text, stored verbatim
#
# Everything is case-sensitive. A comment that does not match exactly (e.g. "hairpin:dstnat:web"
# without protocol, or "hairpin:dstnat:web:tcpx") is foreign and never touched. Rules written
# before fingerprints existed have none; they are still owned. A description cannot start with
# what reads as a fingerprint ("~" and 8 hex digits, then a space or the end).
MARKER_RE = re.compile(
    r"\Ahairpin:(?:"
    r"(?P<pkind>dstnat|hairpin|filter6|filter):(?P<pname>" + NAME_PATTERN + r"):(?P<protocol>tcp|udp)"
    r"|(?P<mkind>masquerade|netmap-in|netmap-out|netmap-hairpin|reply-mark|reply-route|reply-output):(?P<mname>"
    + NAME_PATTERN
    + r")"
    r"|(?P<skind>hairpin-subnet):(?P<subnet>" + _SUBNET_PATTERN + r")"
    r")(?: ~(?P<fingerprint>[0-9a-f]{8})(?= |\Z))?(?: (?P<description>.*))?\Z",
    re.DOTALL,
)
FINGERPRINT_LENGTH = 8
_FINGERPRINT_RE = re.compile(r"\A[0-9a-f]{8}\Z")
# The fingerprint's first digits cover the rule's fields, the last ones where the inventory puts
# it (anchor) and which protocols its service has (see rule_fingerprint).
_FIELDS_DIGITS = 6


class RuleKey(NamedTuple):
    """Identity of an owned rule: (kind, name, protocol); protocol is None for masquerade/subnet."""

    kind: str
    name: str
    protocol: Optional[str] = None


def format_marker(
    kind: str,
    name: str,
    protocol: Optional[str] = None,
    description: Optional[str] = None,
    fingerprint: Optional[str] = None,
) -> str:
    """The comment for an owned rule: marker, `` ~fingerprint`` when given, then the description.
    Raises ``ValueError`` when the parts cannot round-trip."""
    if kind not in KINDS:
        raise ValueError("unknown rule kind {0!r}".format(kind))
    if kind in PROTOCOL_KINDS:
        if protocol not in PROTOCOLS:
            raise ValueError("a {0} marker needs protocol tcp or udp, not {1!r}".format(kind, protocol))
        marker = "{0}{1}:{2}:{3}".format(MARKER_PREFIX, kind, name, protocol)
    else:
        if protocol is not None:
            raise ValueError("a {0} marker has no protocol".format(kind))
        marker = "{0}{1}:{2}".format(MARKER_PREFIX, kind, name)
    if fingerprint is not None:
        if not _FINGERPRINT_RE.match(fingerprint):
            raise ValueError("{0!r} is not a fingerprint (8 lower-case hex digits)".format(fingerprint))
        marker = "{0} ~{1}".format(marker, fingerprint)
    if description:
        marker = "{0} {1}".format(marker, description)
    key, _found, text = comment_parts(marker)
    if key != RuleKey(kind, name, protocol):
        raise ValueError("{0!r} is not a valid name for a {1} marker".format(name, kind))
    if (text or None) != (description or None):
        raise ValueError(
            "a description cannot start with '~' and 8 hex digits (it reads as a fingerprint): {0!r}".format(
                description
            )
        )
    return marker


def comment_parts(comment: object) -> Tuple[Optional[RuleKey], Optional[str], Optional[str]]:
    """(key, fingerprint, description) of a comment; (None, None, None) when it is not our marker."""
    if not isinstance(comment, str) or not comment.startswith(MARKER_PREFIX):
        return None, None, None
    return _marker_parts(comment)


# Cached: a run reads each owned rule's comment several times (ownership, placement, the plan,
# the analysis), and the answer is immutable.
@functools.lru_cache(maxsize=_CACHE_SIZE)
def _marker_parts(comment: str) -> Tuple[Optional[RuleKey], Optional[str], Optional[str]]:
    match = MARKER_RE.match(comment)
    if match is None:
        return None, None, None
    groups = match.groupdict()
    if groups["pkind"] is not None:
        key = RuleKey(groups["pkind"], groups["pname"], groups["protocol"])
    elif groups["mkind"] is not None:
        key = RuleKey(groups["mkind"], groups["mname"], None)
    else:
        key = RuleKey(groups["skind"], groups["subnet"], None)
    return key, groups["fingerprint"], groups["description"]


def split_comment(comment: object) -> Tuple[Optional[RuleKey], Optional[str]]:
    """(key, description) of a comment; (None, None) when the comment is not our marker. The
    fingerprint is not part of the description."""
    key, _fingerprint, description = comment_parts(comment)
    return key, description


def comment_fingerprint(comment: object) -> Optional[str]:
    """The fingerprint of an owned rule's comment (None: foreign, or written without one)."""
    return comment_parts(comment)[1]


def without_fingerprint(comment: object) -> object:
    """An owned rule's comment as the user reads it: marker and description, no fingerprint.
    Other comments unchanged."""
    key, fingerprint, description = comment_parts(comment)
    if key is None or fingerprint is None:
        return comment
    return format_marker(key.kind, key.name, key.protocol, description)


def _digest(text: str, digits: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:digits]


def fields_digest(values: Mapping[str, Optional[str]], table: Optional[Mapping[str, FieldInfo]] = None) -> str:
    """The fields part of a fingerprint: over every field of ``table`` (default: NAT's) but the
    comment, as effective values (absent = RouterOS's default), so a rule and the row RouterOS
    stores for it agree."""
    lines = []
    for name in NAT_FIELDS if table is None else table:
        if name == "comment":
            continue
        value = values.get(name)
        if value is not None:
            lines.append("{0}={1}".format(name, value))
    return _digest("\n".join(lines), _FIELDS_DIGITS)


def row_fields_digest(row: Mapping[str, object], table: Optional[Mapping[str, FieldInfo]] = None) -> str:
    """:func:`fields_digest` of a row as printed (librouteros types, absent properties)."""
    table = NAT_FIELDS if table is None else table
    return fields_digest({name: effective_value(name, row.get(name)) for name in table if name != "comment"}, table)


def rule_fingerprint(
    fields: Mapping[str, str],
    anchor: Optional[Anchor],
    shape: str = "",
    table: Optional[Mapping[str, FieldInfo]] = None,
) -> str:
    """The fingerprint an owned rule carries: 6 hex digits over its fields (``fields_digest``,
    disabled included) and 2 over where the inventory puts it and its service's protocols
    (``shape``), so a later run tells a rule edited on the router from an inventory change."""
    table = NAT_FIELDS if table is None else table
    effective = {name: fields.get(name, info.default) for name, info in table.items()}
    place = "{0}|{1}".format(anchor.describe() if anchor is not None else "", shape)
    return fields_digest(effective, table) + _digest(place, FINGERPRINT_LENGTH - _FIELDS_DIGITS)


def fingerprint_fields_part(fingerprint: str) -> str:
    return fingerprint[:_FIELDS_DIGITS]


def parse_marker(comment: object) -> Optional[RuleKey]:
    """The key of an owned rule's comment, or None for a foreign comment."""
    return split_comment(comment)[0]


def is_owned(row: Mapping[str, object], kinds: Collection[str]) -> bool:
    """Is ``row`` (as printed) a static rule with a marker of one of ``kinds``?"""
    key = parse_marker(row.get("comment"))
    return key is not None and key.kind in kinds and not is_true(row.get("dynamic"))


# ---------------------------------------------------------------------------------------------
# Desired rules
# ---------------------------------------------------------------------------------------------

POSITION_TOP = "top"
POSITION_BOTTOM = "bottom"
POSITION_BEFORE = "before"
POSITION_AFTER = "after"
POSITIONS = (POSITION_TOP, POSITION_BOTTOM, POSITION_BEFORE, POSITION_AFTER)


@dataclass(frozen=True)
class Anchor:
    """Where a rule goes among the rules of its own chain that the planning module does not
    manage: ``top``/``bottom``, or right ``before``/``after`` the one such rule whose comment
    equals ``comment``. (NAT is first match within a chain; other chains do not compete.)"""

    position: str = POSITION_TOP
    comment: Optional[str] = None
    # ``before`` a row named by its ``.id`` instead of its comment: the engine's own choice (the
    # filter rule that would drop a service), never the user's.
    row: Optional[str] = None

    def __post_init__(self) -> None:
        if self.position not in POSITIONS:
            choices = ", ".join(POSITIONS)
            raise ValueError("anchor position must be one of {0}, not {1!r}".format(choices, self.position))
        if self.row is not None:
            if self.position != POSITION_BEFORE or self.comment is not None:
                raise ValueError("an anchor on a row by its id is 'before' that row, without a comment")
            return
        needs_comment = self.position in (POSITION_BEFORE, POSITION_AFTER)
        if needs_comment and self.comment is None:
            raise ValueError("anchor '{0}' needs the comment of a foreign rule".format(self.position))
        if not needs_comment and self.comment is not None:
            raise ValueError("anchor '{0}' takes no comment".format(self.position))

    def describe(self) -> str:
        if self.row is not None:
            return "{0} {1}".format(self.position, self.row)
        if self.comment is None:
            return self.position
        return "{0} {1!r}".format(self.position, self.comment)


TOP = Anchor(POSITION_TOP)
BOTTOM = Anchor(POSITION_BOTTOM)


@dataclass(frozen=True)
class NatRule:
    """One rule we want on the router. ``fields`` are normalised and hold only values that
    differ from the RouterOS default (so the dict is also the body of an ``add``)."""

    key: RuleKey
    fields: Mapping[str, str]
    anchor: Anchor = TOP

    @property
    def comment(self) -> str:
        return self.fields["comment"]


def make_rule(
    key: RuleKey,
    values: Mapping[str, object],
    anchor: Anchor,
    description: Optional[str],
    shape: str = "",
    table: Optional[Mapping[str, FieldInfo]] = None,
) -> NatRule:
    """Build a NatRule: normalise ``values`` (None = absent), drop defaults, add the marker with
    the rule's fingerprint (``shape``: the protocols of its service, see rule_fingerprint).
    ``table``: the field table of the rule's menu (default: NAT's)."""
    table = NAT_FIELDS if table is None else table
    fields: Dict[str, str] = {}
    for name, raw in values.items():
        if name not in table:
            raise ValueError("unknown field {0!r}".format(name))
        if raw is None:
            continue
        value = effective_value(name, raw)
        if value is None or value == table[name].default:
            continue
        fields[name] = value
    fingerprint = rule_fingerprint(fields, anchor, shape, table)
    fields["comment"] = format_marker(key.kind, key.name, key.protocol, description, fingerprint)
    return NatRule(key=key, fields=fields, anchor=anchor)


def protocols_of(protocol: str) -> Tuple[str, ...]:
    """``both`` -> (tcp, udp); tcp/udp -> itself."""
    return PROTOCOLS if protocol == "both" else (protocol,)


def _port_text(value: object) -> str:
    return normalize_ports(value)


@dataclass(frozen=True)
class PortForward:
    """A dstnat port forward: public ``port`` (``N`` or ``N-M``) to ``host``:``host_port``.

    At most one of ``public_address`` / ``public_address_list`` / ``public_local`` selects the
    public side (validation requires one of them, or an in-interface); at most one of
    ``in_interface`` / ``in_interface_list``. ``src_address`` / ``src_address_list`` (at most
    one) limit the forward to those clients.
    ``comment`` is the free description after the marker.
    """

    name: str
    protocol: str
    port: str
    host: str
    host_port: Optional[str] = None
    public_address: Optional[str] = None
    public_address_list: Optional[str] = None
    public_local: bool = False
    in_interface: Optional[str] = None
    in_interface_list: Optional[str] = None
    comment: Optional[str] = None
    disabled: bool = False
    anchor: Anchor = TOP
    src_address: Optional[str] = None
    src_address_list: Optional[str] = None

    @property
    def target_port(self) -> str:
        """The port on the host: host_port, or the public port when not given."""
        return _port_text(self.host_port if self.host_port is not None else self.port)

    def to_ports(self) -> Optional[str]:
        # For a range forwarded to the same range, leave to-ports unset: RouterOS then keeps
        # each packet's own destination port (a to-ports range would pick *any* port in it).
        target = self.target_port
        if "-" in target and target == _port_text(self.port):
            return None
        return target

    def rules(self) -> List[NatRule]:
        result = []
        for protocol in protocols_of(self.protocol):
            values: Dict[str, object] = {
                "chain": "dstnat",
                "action": "dst-nat",
                "protocol": protocol,
                "src-address": self.src_address,
                "src-address-list": self.src_address_list,
                "dst-address": self.public_address,
                "dst-address-list": self.public_address_list,
                "dst-address-type": "local" if self.public_local else None,
                "dst-port": self.port,
                "in-interface": self.in_interface,
                "in-interface-list": self.in_interface_list,
                "to-addresses": self.host,
                "to-ports": self.to_ports(),
                "disabled": self.disabled,
            }
            key = RuleKey(KIND_DSTNAT, self.name, protocol)
            result.append(make_rule(key, values, self.anchor, self.comment, self.protocol))
        return result


@dataclass(frozen=True)
class Masquerade:
    """``srcnat masquerade`` out of a WAN interface (or interface list); named after it."""

    out_interface: Optional[str] = None
    out_interface_list: Optional[str] = None
    ipsec_policy: Optional[str] = None
    comment: Optional[str] = None
    disabled: bool = False
    anchor: Anchor = BOTTOM

    @property
    def name(self) -> str:
        return self.out_interface if self.out_interface is not None else (self.out_interface_list or "")

    def rules(self) -> List[NatRule]:
        values: Dict[str, object] = {
            "chain": "srcnat",
            "action": "masquerade",
            "out-interface": self.out_interface,
            "out-interface-list": self.out_interface_list,
            "ipsec-policy": self.ipsec_policy,
            "disabled": self.disabled,
        }
        return [make_rule(RuleKey(KIND_MASQUERADE, self.name, None), values, self.anchor, self.comment)]


@dataclass(frozen=True)
class Hairpin:
    """Hairpin NAT for one service: LAN clients reaching ``host`` through the public address get
    their source masqueraded, so replies go back through the router. ``lan_subnet`` is the LAN
    subnet that holds ``host`` (see :func:`lan_subnet_for`)."""

    name: str
    protocol: str
    host: str
    host_port: str
    lan_subnet: str
    lan_interface: Optional[str] = None
    lan_interface_list: Optional[str] = None
    comment: Optional[str] = None
    disabled: bool = False
    anchor: Anchor = TOP

    @classmethod
    def for_port_forward(
        cls,
        forward: PortForward,
        lan_subnet: str,
        lan_interface: Optional[str] = None,
        lan_interface_list: Optional[str] = None,
    ) -> Hairpin:
        return cls(
            name=forward.name,
            protocol=forward.protocol,
            host=forward.host,
            host_port=forward.target_port,
            lan_subnet=lan_subnet,
            lan_interface=lan_interface,
            lan_interface_list=lan_interface_list,
            comment=forward.comment,
            disabled=forward.disabled,
            # Where the forward stands among dstnat rules says nothing about srcnat.
            anchor=TOP,
        )

    def rules(self) -> List[NatRule]:
        result = []
        for protocol in protocols_of(self.protocol):
            values: Dict[str, object] = {
                "chain": "srcnat",
                "action": "masquerade",
                "protocol": protocol,
                "src-address": self.lan_subnet,
                "dst-address": self.host,
                "dst-port": self.host_port,
                "out-interface": self.lan_interface,
                "out-interface-list": self.lan_interface_list,
                "disabled": self.disabled,
            }
            key = RuleKey(KIND_HAIRPIN, self.name, protocol)
            result.append(make_rule(key, values, self.anchor, self.comment, self.protocol))
        return result


@dataclass(frozen=True)
class HairpinSubnet:
    """Hairpin NAT for a whole LAN subnet (every host reachable from the same subnet by its
    public address); named after the subnet, ``/`` kept."""

    subnet: str
    lan_interface: Optional[str] = None
    lan_interface_list: Optional[str] = None
    comment: Optional[str] = None
    disabled: bool = False
    anchor: Anchor = TOP

    @property
    def name(self) -> str:
        return canonical_subnet(self.subnet)

    def rules(self) -> List[NatRule]:
        values: Dict[str, object] = {
            "chain": "srcnat",
            "action": "masquerade",
            "src-address": self.name,
            "dst-address": self.name,
            "out-interface": self.lan_interface,
            "out-interface-list": self.lan_interface_list,
            "disabled": self.disabled,
        }
        return [make_rule(RuleKey(KIND_HAIRPIN_SUBNET, self.name, None), values, self.anchor, self.comment)]


@dataclass(frozen=True)
class OneToOne:
    """1:1 NAT (RouterOS's "1:1 mapping"): every port of ``public_address`` goes to ``host``
    (``dstnat`` netmap), and what ``host`` sends out of the WAN leaves from ``public_address``
    (``srcnat`` netmap, out of the WAN only, so the host's LAN traffic keeps its address).
    Both stand at the top of their chain, so the srcnat rule comes before any masquerade."""

    name: str
    public_address: str
    host: str
    out_interface: Optional[str] = None
    out_interface_list: Optional[str] = None
    comment: Optional[str] = None
    disabled: bool = False

    def rules(self) -> List[NatRule]:
        inbound: Dict[str, object] = {
            "chain": "dstnat",
            "action": "netmap",
            "dst-address": self.public_address,
            "to-addresses": self.host,
            "disabled": self.disabled,
        }
        outbound: Dict[str, object] = {
            "chain": "srcnat",
            "action": "netmap",
            "src-address": self.host,
            "out-interface": self.out_interface,
            "out-interface-list": self.out_interface_list,
            "to-addresses": self.public_address,
            "disabled": self.disabled,
        }
        return [
            make_rule(RuleKey(KIND_NETMAP_IN, self.name, None), inbound, TOP, self.comment),
            make_rule(RuleKey(KIND_NETMAP_OUT, self.name, None), outbound, TOP, self.comment),
        ]


@dataclass(frozen=True)
class OneToOneHairpin:
    """Hairpin NAT for a 1:1 host: LAN clients of ``lan_subnet`` that reach it by its public
    address get their source masqueraded (every protocol and port), so replies come back
    through the router."""

    name: str
    host: str
    lan_subnet: str
    lan_interface: Optional[str] = None
    lan_interface_list: Optional[str] = None
    comment: Optional[str] = None
    disabled: bool = False

    def rules(self) -> List[NatRule]:
        values: Dict[str, object] = {
            "chain": "srcnat",
            "action": "masquerade",
            "src-address": self.lan_subnet,
            "dst-address": self.host,
            "out-interface": self.lan_interface,
            "out-interface-list": self.lan_interface_list,
            "disabled": self.disabled,
        }
        return [make_rule(RuleKey(KIND_NETMAP_HAIRPIN, self.name, None), values, TOP, self.comment)]


def desired_rules(*groups: Iterable[object]) -> List[NatRule]:
    """Flatten typed services (anything with ``rules()``) into NatRules, in the given order."""
    result: List[NatRule] = []
    for group in groups:
        for service in group:
            result.extend(service.rules())  # type: ignore[attr-defined]
    return result

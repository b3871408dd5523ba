# -*- coding: utf-8 -*-
# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to the hairpin.routeros collection: no compatibility promise outside it.
#
# What a call wants, typed: the rules (PortForward, Masquerade, Hairpin, HairpinSubnet), how to
# derive hairpin rules from the router's LAN, and the owned entries of the unordered menus. Two
# builders make it: the NAT modules' options (desired_from_options, here) and the services
# model (services.py); the run loop only ever sees this.

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.hairpin.routeros.plugins.module_utils.entries import Entry, EntryError
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOTTOM,
    TOP,
    Anchor,
    Hairpin,
    HairpinSubnet,
    Masquerade,
    NatRule,
    OneToOne,
    OneToOneHairpin,
    PortForward,
    desired_rules,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.read import ENTRY_SECTIONS, EntrySection
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import ValidationError
from ansible_collections.hairpin.routeros.plugins.module_utils.values import canonical_subnet


class CallError(Exception):
    """The call ends failed with `msg`; `fields` go into the module's result."""

    def __init__(self, msg: str, **fields: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.fields = fields


@dataclass(frozen=True)
class AutoHairpin:
    """Hairpin rules derived from the port forwards and the router's LAN: one per service
    (`per_service`), one per LAN subnet (`subnet`), or none. Without `lan_subnets` the subnets
    are the router's addresses on the LAN interface (or list)."""

    mode: str = "none"
    lan_interface: Optional[str] = None
    lan_interface_list: Optional[str] = None
    lan_subnets: Tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryJob:
    """Owned entries of one menu that a call brings to `entries` with `state`. A call may give
    one menu two jobs (the services module: merged for the present, deleted for the absent)."""

    section: EntrySection
    entries: Sequence[Entry]
    state: str


@dataclass
class Desired:
    """The services of one call, typed, plus what it takes to finish them on the router."""

    state: str
    port_forwards: List[PortForward] = field(default_factory=list)
    masquerades: List[Masquerade] = field(default_factory=list)
    # Masquerades made only where no foreign srcnat rule already covers their WAN (masquerade: auto).
    auto_masquerades: List[Masquerade] = field(default_factory=list)
    hairpins: List[Hairpin] = field(default_factory=list)
    hairpin_subnets: List[HairpinSubnet] = field(default_factory=list)
    auto_hairpin: AutoHairpin = AutoHairpin()
    # Port forwards whose hairpin rule auto_hairpin derives.
    auto_hairpin_for: List[PortForward] = field(default_factory=list)
    # The services the call names (what replaced and deleted act on).
    services: List[str] = field(default_factory=list)
    entry_jobs: List[EntryJob] = field(default_factory=list)
    errors: List[ValidationError] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    # The owned firewall filter accepts (filters.FilterJob); None: the call leaves the filter alone.
    filter_job: Optional[Any] = None
    # The services' IPv6 pinholes (pinholes.Pinhole); None: the call leaves the IPv6 filter alone.
    pinholes: Optional[List[Any]] = None
    # Source-limited forwards by name: the networks they admit (hairpins.py asks whether the
    # LAN is among them); a forward on a list of the user's is looked up on the router.
    sources: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    # 1:1 NAT: the hosts' netmap rules, and the hairpin rules auto_hairpin derives for them.
    netmaps: List[OneToOne] = field(default_factory=list)
    netmap_hairpins: List[OneToOneHairpin] = field(default_factory=list)
    # Take over foreign rules that do exactly what a desired rule does (option adopt).
    adopt: bool = False
    # Several WANs: the reply routing (multiwan.WanReply) of those with a gateway; None: the
    # call leaves the mangle table alone.
    replies: Optional[List[Any]] = None

    def rules(self) -> List[NatRule]:
        return desired_rules(
            self.port_forwards,
            self.hairpins,
            self.hairpin_subnets,
            self.masquerades,
            self.netmaps,
            self.netmap_hairpins,
        )

    def entry_sections(self) -> List[EntrySection]:
        """The menus to read for the entry jobs, each once, in ENTRY_SECTIONS order."""
        wanted = {job.section.option for job in self.entry_jobs}
        return [section for section in ENTRY_SECTIONS if section.option in wanted]


def entry_job(
    section: EntrySection, config: Sequence[Mapping[str, Any]], state: str, host: Optional[str]
) -> Tuple[EntryJob, List[ValidationError]]:
    """The job of bringing `section`'s owned entries to `config` (option dicts), and the problems
    of `config`. Only the keys of the named entries matter for deleted, so they are not checked."""
    if state == "deleted":
        config = [dict(entry, comment=None) for entry in config]
        errors: List[ValidationError] = []
    else:
        errors = section.check(config, host=host)
        if errors:
            return EntryJob(section, [], state), errors
    try:
        entries = section.build(config)
    except EntryError as exc:
        raise CallError("cannot plan the %s changes, nothing was written: %s" % (section.option, exc)) from None
    return EntryJob(section, entries, state), errors


# ---------------------------------------------------------------------------------------------
# The NAT modules' options -> Desired
# ---------------------------------------------------------------------------------------------

_SECTION_NAME = {
    "port_forwards": "port forward",
    "masquerades": "masquerade",
    "hairpins": "hairpin",
    "hairpin_subnets": "hairpin subnet",
}
# What a service needs to become a rule (every state but deleted, gathered and parsed).
_REQUIRED_FIELDS = {
    "port_forwards": ("port", "host"),
    "hairpins": ("host", "host_port"),
    "masquerades": (),
    "hairpin_subnets": (),
}
_PORT_FORWARD_FIELDS = (
    "name",
    "protocol",
    "port",
    "host",
    "host_port",
    "public_address",
    "public_address_list",
    "in_interface",
    "in_interface_list",
)


def _anchor(entry: Mapping[str, Any], default: Anchor) -> Anchor:
    position = entry.get("position")
    if position is None:
        return default
    comment = entry.get("anchor") if position in ("before", "after") else None
    return Anchor(position, comment)


def _anchor_problem(entry: Mapping[str, Any]) -> Optional[str]:
    position = entry.get("position")
    if position in ("before", "after") and not entry.get("anchor"):
        return "position %r needs 'anchor', the comment of the foreign rule to stand %s" % (position, position)
    if position not in ("before", "after") and entry.get("anchor"):
        return "'anchor' is only used with position 'before' or 'after'"
    return None


def _pick(entry: Mapping[str, Any], names: Sequence[str]) -> Dict[str, Any]:
    return {name: entry.get(name) for name in names}


def _service_label(section: str, entry: Mapping[str, Any]) -> str:
    if section == "hairpin_subnets" and entry.get("subnet"):
        return canonical_subnet(entry["subnet"])
    for key in ("name", "subnet", "out_interface", "out_interface_list"):
        if entry.get(key):
            return str(entry[key])
    return "(unnamed %s)" % _SECTION_NAME[section]


def auto_hairpin_of(option: Optional[Mapping[str, Any]]) -> AutoHairpin:
    """The `auto_hairpin` option (left out: no derived hairpin rules)."""
    if not option:
        return AutoHairpin()
    return AutoHairpin(
        mode=option.get("mode", "none"),
        lan_interface=option.get("lan_interface"),
        lan_interface_list=option.get("lan_interface_list"),
        lan_subnets=tuple(option.get("lan_subnets") or ()),
    )


def _add_section(desired: Desired, section: str, entries: Sequence[Mapping[str, Any]], host: Optional[str]) -> None:
    needs_fields = desired.state not in ("deleted", "gathered", "parsed")
    for entry in entries:
        label = _service_label(section, entry)
        desired.services.append(label)
        problem = _anchor_problem(entry)
        if problem:
            desired.errors.append(ValidationError(label, "anchor", problem, host))
            continue
        missing = [name for name in _REQUIRED_FIELDS[section] if needs_fields and entry.get(name) in (None, "")]
        for name in missing:
            desired.errors.append(ValidationError(label, name, "is required for state %s" % desired.state, host))
        if missing:
            continue
        common = dict(comment=entry.get("comment"), disabled=bool(entry.get("disabled")))
        if section == "port_forwards":
            forward = PortForward(
                anchor=_anchor(entry, TOP),
                **_pick(entry, _PORT_FORWARD_FIELDS),
                public_local=bool(entry.get("public_local")),
                **common,
            )
            desired.port_forwards.append(forward)
            if entry.get("hairpin", True):
                desired.auto_hairpin_for.append(forward)
        elif section == "masquerades":
            desired.masquerades.append(
                Masquerade(
                    anchor=_anchor(entry, BOTTOM),
                    **_pick(entry, ("out_interface", "out_interface_list", "ipsec_policy")),
                    **common,
                )
            )
        elif section == "hairpins":
            desired.hairpins.append(
                Hairpin(
                    anchor=_anchor(entry, TOP),
                    lan_subnet=entry.get("lan_subnet") or "",
                    **_pick(entry, ("name", "protocol", "host", "host_port", "lan_interface", "lan_interface_list")),
                    **common,
                )
            )
        elif section == "hairpin_subnets":
            desired.hairpin_subnets.append(
                HairpinSubnet(
                    anchor=_anchor(entry, TOP),
                    **_pick(entry, ("subnet", "lan_interface", "lan_interface_list")),
                    **common,
                )
            )


def desired_from_options(
    params: Mapping[str, Any],
    sections: Mapping[str, Optional[Sequence[Mapping[str, Any]]]],
    *,
    state: str,
    host: Optional[str] = None,
) -> Desired:
    """Typed services from a NAT module's options. `sections` maps a section name (port_forwards,
    masquerades, hairpins, hairpin_subnets) to its list of option dicts. The entry menus
    (address_lists, dns_static) are managed when their option is given, even empty."""
    desired = Desired(
        state=state,
        auto_hairpin=auto_hairpin_of(params.get("auto_hairpin")),
        adopt=bool(params.get("adopt", True)),
    )
    for section, entries in sections.items():
        _add_section(desired, section, entries or [], host)
    for section in ENTRY_SECTIONS:
        config = params.get(section.option)
        if config is None:
            continue
        if state == "gathered":
            # Read, never planned: the menu's rows are all gathered needs.
            desired.entry_jobs.append(EntryJob(section, [], state))
            continue
        job, errors = entry_job(section, config, state, host)
        desired.entry_jobs.append(job)
        desired.errors.extend(errors)
    return desired

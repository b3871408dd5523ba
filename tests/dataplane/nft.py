"""A RouterOS NAT table and filter -> an nftables ruleset for a Linux namespace that plays the router.

Test code: it lets the kernel, not our analyzer, decide what a table does. The translation keeps
RouterOS semantics:

* ``chain=dstnat`` is a nat chain on the prerouting hook, ``chain=srcnat`` on postrouting (the
  hooks RouterOS's chains sit on); any other chain is a regular chain reached by ``jump``.
* Rules keep their table order and the first NAT action ends the chain, as in RouterOS:
  ``dst-nat``/``src-nat``/``masquerade``/``redirect``/``netmap``/``same`` become nft's nat
  statements (terminal), ``accept`` and ``return`` are verdicts, ``passthrough`` and ``log``
  count and go on, ``jump`` jumps.
* Disabled and invalid rules are left out (RouterOS skips them).
* Interface lists become anonymous sets of their members (read from the router); address lists
  become named interval sets; ``dst-address-type`` is a fib lookup; ``!`` negates.
* ``ipsec-policy``: there is no IPsec in the namespaces, so ``in,none``/``out,none`` are
  translated to the nft expressions that test exactly that (and ``ipsec`` to their negation).

The filter's ``forward`` chain (and the chains it jumps to) becomes a filter chain on the forward
hook, in its own table: ``connection-state`` is ``ct state``, ``connection-nat-state`` is
``ct status`` (``dnat``/``snat``), ``accept``/``drop``/``reject`` are verdicts,
``fasttrack-connection`` accepts (fasttrack only speeds up what it accepts), ``jump``/``return``
as in NAT, ``log``, ``passthrough`` and the address-list actions count and go on. The ``input``
and ``output`` chains are left out: the tests' traffic passes through the router.

``/ipv6 firewall filter`` is translated the same way into an ``ip6`` table of its own: IPv6
addresses and address lists (``ipv6_addr`` sets), ``hop-limit`` is ``ip6 hoplimit``.

Anything else raises UntranslatableError: a test must not pass on a rule we silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ansible_collections.hairpin.routeros.plugins.module_utils.model import effective_value, is_true

TABLE = "routeros"
FILTER_TABLE = "routeros_filter"
FILTER6_TABLE = "routeros_filter6"
BASE_CHAINS = {"dstnat": "prerouting", "srcnat": "postrouting"}
FILTER_CHAINS = {"forward": "forward"}
BUILTIN_LISTS = frozenset(("all", "none", "dynamic", "static"))
_IGNORED = frozenset(
    (".id", "chain", "action", "comment", "disabled", "dynamic", "invalid", "bytes", "packets", "log", "log-prefix")
)
_ACTION_FIELDS = frozenset(("to-addresses", "to-ports", "jump-target"))
# Filter properties that say how an action acts, not what a rule matches.
_FILTER_ACTION_FIELDS = frozenset(("jump-target", "reject-with", "hw-offload", "address-list", "address-list-timeout"))
_CT_STATUS = {"dstnat": "dnat", "srcnat": "snat"}
# RouterOS's protocol names that nft spells differently.
_NFT_PROTOCOLS = {"ipsec-ah": "ah", "ipsec-esp": "esp", "icmpv6": "ipv6-icmp"}
_NAME_RE = re.compile(r"[^A-Za-z0-9_]")


class UntranslatableError(ValueError):
    """The table holds something this translator cannot express faithfully."""


@dataclass
class RouterConfig:
    """What the translation needs from the router besides the NAT rows."""

    interface_lists: Mapping[str, Sequence[str]]
    address_lists: Mapping[str, Sequence[str]]
    ipv6_address_lists: Mapping[str, Sequence[str]] = field(default_factory=dict)


class _NeverMatchesError(Exception):
    """The rule can never match (e.g. an empty interface list): leave it out."""


def _chain_name(chain: str) -> str:
    return chain if chain in BASE_CHAINS else "user_" + _NAME_RE.sub("_", chain)


def _set_name(list_name: str) -> str:
    return "list_" + _NAME_RE.sub("_", list_name)


def _negation(value: str) -> tuple[str, str]:
    return ("!= ", value[1:]) if value.startswith("!") else ("", value)


def _quoted(name: str) -> str:
    if '"' in name or "\\" in name:
        raise UntranslatableError(f"interface name {name!r}")
    return f'"{name}"'


def _ports(spec: str) -> str:
    parts = spec.split(",")
    return parts[0] if len(parts) == 1 else "{ " + ", ".join(parts) + " }"


class _Translator:
    def __init__(self, config: RouterConfig, hooks: Mapping[str, str], family: str = "ip") -> None:
        self.config = config
        # "ip" for IPv4 tables, "ip6" for /ipv6 firewall filter.
        self.family = family
        self.sets: dict[str, list[str]] = {}
        # The hook each chain runs in: its own for dstnat/srcnat, the jumping chain's for others.
        self.hooks = dict(hooks)

    def hook_of(self, chain: str) -> str | None:
        return self.hooks.get(chain)

    def interfaces(self, direction: str, value: str, is_list: bool) -> str:
        op, name = _negation(value)
        key = "iifname" if direction == "in" else "oifname"
        if not is_list:
            return f"{key} {op}{_quoted(name)}"
        if name == "all":
            if op:
                raise _NeverMatchesError
            return ""
        if name == "none":
            if not op:
                raise _NeverMatchesError
            return ""
        if name in BUILTIN_LISTS or name not in self.config.interface_lists:
            raise UntranslatableError(f"interface list {name!r}: members unknown")
        members = list(self.config.interface_lists[name])
        if not members:
            if not op:
                raise _NeverMatchesError
            return ""
        return f"{key} {op}{{ {', '.join(_quoted(m) for m in members)} }}"

    def address_list(self, direction: str, value: str) -> str:
        op, name = _negation(value)
        lists = self.config.ipv6_address_lists if self.family == "ip6" else self.config.address_lists
        if self.family == "ip6":
            entries = [e for e in lists.get(name, []) if ":" in e]
        else:
            entries = [e for e in lists.get(name, []) if e[:1].isdigit()]
        if lists.get(name) and not entries:
            raise UntranslatableError(f"address list {name!r} holds only DNS names")
        self.sets[_set_name(name)] = entries
        return f"{self.family} {direction}addr {op}@{_set_name(name)}"

    def matcher(self, chain: str, name: str, value: str, protocol: str | None) -> str:
        op, spec = _negation(value)
        if name == "protocol":
            return f"meta l4proto {op}{_NFT_PROTOCOLS.get(spec, spec)}"
        if name in ("src-address", "dst-address"):
            return f"{self.family} {'saddr' if name == 'src-address' else 'daddr'} {op}{spec}"
        if name == "hop-limit" and self.family == "ip6":
            comparison, _sep, number = spec.partition(":")
            operators = {"equal": "", "not-equal": "!= ", "less-than": "< ", "greater-than": "> "}
            if comparison not in operators or not number.isdigit() or op:
                raise UntranslatableError(f"hop-limit={value}")
            return f"ip6 hoplimit {operators[comparison]}{number}"
        if name in ("src-address-list", "dst-address-list"):
            return self.address_list("s" if name.startswith("src") else "d", value)
        if name in ("src-address-type", "dst-address-type"):
            if self.hook_of(chain) == "postrouting":
                raise UntranslatableError(f"{name} in srcnat")
            return f"fib {'saddr' if name.startswith('src') else 'daddr'} type {op}{spec}"
        if name in ("dst-port", "src-port"):
            if protocol not in ("tcp", "udp"):
                raise UntranslatableError(f"{name} without protocol tcp or udp")
            return f"{protocol} {'dport' if name == 'dst-port' else 'sport'} {op}{_ports(spec)}"
        if name in ("in-interface", "out-interface", "in-interface-list", "out-interface-list"):
            direction = name.split("-")[0]
            if direction == "out" and self.hook_of(chain) == "prerouting":
                raise UntranslatableError("out-interface in dstnat")
            return self.interfaces(direction, value, name.endswith("-list"))
        if name == "connection-state" and self.hook_of(chain) == "forward":
            states = ", ".join(spec.split(","))
            return f"ct state {op}{{ {states} }}"
        if name == "connection-nat-state" and self.hook_of(chain) == "forward":
            flags = " | ".join(_CT_STATUS[state] for state in spec.split(","))
            return f"ct status & ({flags}) {'==' if op else '!='} 0"
        if name == "ipsec-policy":
            direction, _sep, policy = value.partition(",")
            expression = "meta ipsec" if direction == "in" else "rt ipsec"
            return f"{expression} {'missing' if policy == 'none' else 'exists'}"
        raise UntranslatableError(f"matcher {name}={value}")

    def action(self, chain: str, values: Mapping[str, str]) -> str:
        action = values.get("action", "accept")
        hook = self.hook_of(chain)
        to_addresses, to_ports = values.get("to-addresses"), values.get("to-ports")
        port = f":{to_ports}" if to_ports else ""
        if action == "accept":
            return "accept"
        if action == "return":
            return "return"
        if action in ("passthrough", "log"):
            return "counter"
        if action == "jump":
            return f"jump {_chain_name(values['jump-target'])}"
        if action in ("dst-nat", "same") and hook == "prerouting":
            if not to_addresses:
                raise UntranslatableError("dst-nat without to-addresses")
            return f"dnat to {to_addresses}{port}" + (" persistent" if action == "same" else "")
        if action in ("src-nat", "same") and hook == "postrouting":
            if not to_addresses:
                raise UntranslatableError("src-nat without to-addresses")
            return f"snat to {to_addresses}{port}" + (" persistent" if action == "same" else "")
        if action == "masquerade" and hook == "postrouting":
            return "masquerade" + (f" to {port}" if port else "")
        if action == "redirect" and hook == "prerouting":
            return "redirect" + (f" to {port}" if port else "")
        if action == "netmap" and to_addresses:
            side = "daddr" if hook == "prerouting" else "saddr"
            matched = values.get("dst-address" if side == "daddr" else "src-address")
            if not matched or matched.startswith("!"):
                raise UntranslatableError("netmap without the network it maps")
            statement = "dnat" if side == "daddr" else "snat"
            return f"{statement} ip prefix to ip {side} map {{ {matched} : {to_addresses} }}"
        raise UntranslatableError(f"action {action} in chain {chain}")


def _values(row: Mapping[str, object]) -> dict[str, str]:
    values = {}
    for name, raw in row.items():
        value = effective_value(str(name), raw)
        if value is not None:
            values[str(name)] = value
    return values


def translate(
    rows: Sequence[Mapping[str, object]],
    config: RouterConfig,
    filter_rows: Sequence[Mapping[str, object]] = (),
    ipv6_filter_rows: Sequence[Mapping[str, object]] = (),
) -> str:
    """The nftables ruleset (``nft -f`` input) that does what ``rows`` (NAT), ``filter_rows``
    (the firewall filter) and ``ipv6_filter_rows`` (``/ipv6 firewall filter``) do on RouterOS."""
    chains: dict[str, list[str]] = {"dstnat": [], "srcnat": []}
    parsed = [_values(row) for row in rows]
    # A user chain runs in the hook of the base chain that jumps to it; nft (like RouterOS's
    # own checks) refuses nat statements of one hook in a chain reached from the other.
    hooks = dict(BASE_CHAINS)
    for values in parsed:
        if values.get("action") == "jump":
            hook = hooks.get(values.get("chain", ""))
            target = values.get("jump-target", "")
            if target in hooks and hook and hooks[target] != hook:
                raise UntranslatableError(f"chain {target} is jumped to from dstnat and srcnat")
            if hook:
                hooks[target] = hook
    translator = _Translator(config, hooks)
    for values in parsed:
        if is_true(values.get("disabled")) or is_true(values.get("invalid")):
            continue
        chain = values.get("chain", "")
        protocol = values.get("protocol")
        matchers = []
        try:
            for name, value in values.items():
                if name in _IGNORED or name in _ACTION_FIELDS:
                    continue
                expression = translator.matcher(chain, name, value, protocol)
                if expression:
                    matchers.append(expression)
        except _NeverMatchesError:
            continue
        statement = translator.action(chain, values)
        comment = f'comment "{values.get(".id", "")}"'
        chains.setdefault(_chain_name(chain), []).append(" ".join([*matchers, statement, comment]))

    def nat_hook(name: str) -> str | None:
        if name not in BASE_CHAINS:
            return None
        priority = "dstnat" if name == "dstnat" else "srcnat"
        return f"type nat hook {BASE_CHAINS[name]} priority {priority}; policy accept;"

    ipv6 = _translate_filter(ipv6_filter_rows, config, "ip6", FILTER6_TABLE) if ipv6_filter_rows else ""
    return _table_text(TABLE, translator.sets, chains, nat_hook) + _translate_filter(filter_rows, config) + ipv6


def _table_text(
    table: str,
    sets: dict[str, list[str]],
    chains: dict[str, list[str]],
    hook: Callable[[str], str | None],
    family: str = "ip",
) -> str:
    """An nftables table: its address sets, then its chains (`hook(name)`: a base chain's line)."""
    lines = [f"table {family} {table} {{"]
    # defconf's bad_ipv6 list overlaps (::/128 inside ::/96): nft merges such entries only when told.
    set_type = "ipv6_addr; flags interval; auto-merge" if family == "ip6" else "ipv4_addr; flags interval"
    for name, entries in sets.items():
        lines += [f"  set {name} {{", f"    type {set_type}"]
        if entries:
            lines.append(f"    elements = {{ {', '.join(entries)} }}")
        lines.append("  }")
    for name, statements in chains.items():
        lines.append(f"  chain {name} {{")
        base = hook(name)
        if base is not None:
            lines.append(f"    {base}")
        lines += [f"    {statement}" for statement in statements]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _filter_chain_name(chain: str) -> str:
    return chain if chain in FILTER_CHAINS else "user_" + _NAME_RE.sub("_", chain)


def _filter_action(values: Mapping[str, str]) -> str:
    action = values.get("action", "accept")
    if action in ("accept", "fasttrack-connection"):
        return "accept"
    if action in ("drop", "reject", "return"):
        return action
    if action == "jump":
        return f"jump {_filter_chain_name(values['jump-target'])}"
    if action in ("log", "passthrough", "add-src-to-address-list", "add-dst-to-address-list"):
        return "counter"
    raise UntranslatableError(f"filter action {action}")


def _translate_filter(
    rows: Sequence[Mapping[str, object]], config: RouterConfig, family: str = "ip", table: str = FILTER_TABLE
) -> str:
    """The filter table: the forward chain and every chain reached from it by jump."""
    parsed = [_values(row) for row in rows]
    reached = set(FILTER_CHAINS)
    changed = True
    while changed:
        changed = False
        for values in parsed:
            target = values.get("jump-target", "")
            if values.get("action") == "jump" and values.get("chain") in reached and target not in reached:
                reached.add(target)
                changed = True
    translator = _Translator(config, {chain: "forward" for chain in reached}, family)
    chains: dict[str, list[str]] = {name: [] for name in FILTER_CHAINS}
    for values in parsed:
        chain = values.get("chain", "")
        if chain not in reached or is_true(values.get("disabled")) or is_true(values.get("invalid")):
            continue
        protocol = values.get("protocol")
        matchers = []
        try:
            for name, value in values.items():
                if name in _IGNORED or name in _FILTER_ACTION_FIELDS:
                    continue
                if name in ("connection-nat-state",) and any(s not in _CT_STATUS for s in value.lstrip("!").split(",")):
                    raise UntranslatableError(f"{name}={value}")
                expression = translator.matcher(chain, name, value, protocol)
                if expression:
                    matchers.append(expression)
        except _NeverMatchesError:
            continue
        comment = f'comment "filter {values.get(".id", "")}"'
        chains.setdefault(_filter_chain_name(chain), []).append(" ".join([*matchers, _filter_action(values), comment]))

    def filter_hook(name: str) -> str | None:
        if name not in FILTER_CHAINS:
            return None
        return f"type filter hook {FILTER_CHAINS[name]} priority filter; policy accept;"

    return _table_text(table, translator.sets, chains, filter_hook, family)


# /ip firewall mangle: the chains the reply routing of several WANs uses, on their hooks at
# mangle priority (before dstnat, and before the routing decision: that is where RouterOS's
# mangle prerouting and output sit).
MANGLE_TABLE = "routeros_mangle"
MANGLE_CHAINS = {"prerouting": "prerouting", "output": "output"}
_MANGLE_ACTION_FIELDS = frozenset(("new-connection-mark", "new-routing-mark", "new-packet-mark", "passthrough"))
# The packet mark holds the routing mark in its low byte (what an ip rule's fwmark/0xff looks
# up) and RouterOS's packet mark in the next one; the connection mark is conntrack's mark.
ROUTING_MARK_MASK = 0xFF
_PACKET_MARK_SHIFT = 8


@dataclass
class MangleTranslation:
    """The mangle table as nftables (``ruleset``) and the number each routing mark got
    (``routing_marks``: the fwmark an ``ip rule`` looks the mark's table up by)."""

    ruleset: str
    routing_marks: dict[str, int]


def translate_mangle(rows: Sequence[Mapping[str, object]], config: RouterConfig) -> MangleTranslation:
    """``/ip firewall mangle`` rows -> nftables: ``mark-connection`` sets the conntrack mark,
    ``mark-routing`` and ``mark-packet`` their byte of the packet mark, ``connection-mark`` and
    ``connection-state`` are ``ct mark`` and ``ct state``; ``passthrough=no`` ends the chain for
    the packet (``accept`` in this base chain: the other hooks still see it, as in RouterOS)."""
    numbers: dict[str, dict[str, int]] = {"connection": {}, "routing": {}, "packet": {}}

    def number(kind: str, name: str) -> int:
        if name == "no-mark":
            return 0
        found = numbers[kind].setdefault(name, len(numbers[kind]) + 1)
        if found > 0xFF:
            raise UntranslatableError(f"more than 255 {kind} marks")
        return found

    translator = _Translator(config, dict(MANGLE_CHAINS))
    chains: dict[str, list[str]] = {name: [] for name in MANGLE_CHAINS}
    for values in (_values(row) for row in rows):
        if is_true(values.get("disabled")) or is_true(values.get("invalid")):
            continue
        chain = values.get("chain", "")
        if chain not in MANGLE_CHAINS:
            raise UntranslatableError(f"mangle chain {chain}")
        protocol = values.get("protocol")
        matchers = []
        try:
            for name, value in values.items():
                if name in _IGNORED or name in _MANGLE_ACTION_FIELDS:
                    continue
                op, spec = _negation(value)
                if name == "connection-state":
                    matchers.append(f"ct state {op}{{ {', '.join(spec.split(','))} }}")
                elif name == "connection-mark":
                    matchers.append(f"ct mark {op}{number('connection', spec)}")
                else:
                    expression = translator.matcher(chain, name, value, protocol)
                    if expression:
                        matchers.append(expression)
        except _NeverMatchesError:
            continue
        action = values.get("action", "")
        if action == "mark-connection":
            statement = f"ct mark set {number('connection', values['new-connection-mark'])}"
        elif action == "mark-routing":
            mark = number("routing", values["new-routing-mark"])
            statement = f"meta mark set meta mark & 0x{~ROUTING_MARK_MASK & 0xFFFFFFFF:08x} | 0x{mark:x}"
        elif action == "mark-packet":
            mark = number("packet", values["new-packet-mark"]) << _PACKET_MARK_SHIFT
            statement = f"meta mark set meta mark & 0xffff00ff | 0x{mark:x}"
        elif action in ("passthrough", "log"):
            statement = "counter"
        elif action == "accept":
            statement = "accept"
        else:
            raise UntranslatableError(f"mangle action {action}")
        if action.startswith("mark-") and not is_true(values.get("passthrough", "true")):
            statement += " accept"
        comment = f'comment "mangle {values.get(".id", "")}"'
        chains[chain].append(" ".join([*matchers, statement, comment]))

    def mangle_hook(name: str) -> str | None:
        kind = "route" if name == "output" else "filter"
        return f"type {kind} hook {MANGLE_CHAINS[name]} priority mangle; policy accept;"

    ruleset = _table_text(MANGLE_TABLE, translator.sets, chains, mangle_hook)
    return MangleTranslation(ruleset, dict(numbers["routing"]))

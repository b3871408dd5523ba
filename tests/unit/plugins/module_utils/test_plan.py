# Copyright (c) 2025, hairpin.routeros contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import dataclasses
import ipaddress
import os
import re

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.model import (
    BOTTOM,
    NAT_FIELDS,
    Anchor,
    Hairpin,
    HairpinSubnet,
    Masquerade,
    NatRule,
    PortForward,
    RuleKey,
    desired_rules,
    effective_value,
    parse_marker,
    without_fingerprint,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.plan import (
    AnchorError,
    Operation,
    Plan,
    PlanError,
    apply_plan,
    plan_changes,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCOPE = ("dstnat", "hairpin")
ENGINE_SETTINGS = settings(
    deadline=None,
    # ENGINE_EXAMPLES=5000 for a long soak; the default keeps the suite at a few seconds.
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", "300")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- helpers -----------------------------------------------------------------------------------


def as_router_value(value):
    """How librouteros hands a value back: digit strings as int, yes/no/true/false as bool."""
    if value in ("true", "false"):
        return value == "true"
    if value.isdigit() and str(int(value)) == value:
        return int(value)
    return value


def router_row(row_id, rule, **changes):
    """The row RouterOS would print for ``rule`` (librouteros types, print-only fields added)."""
    row = {".id": row_id}
    row.update({name: as_router_value(value) for name, value in rule.fields.items()})
    row.update({"disabled": row.get("disabled", False), "dynamic": False, "invalid": False, "log": False})
    row.update({"log-prefix": "", "bytes": 0, "packets": 0})
    for name, value in changes.items():
        if value is None:
            row.pop(name, None)
        else:
            row[name] = value
    return row


def foreign(row_id, comment=None, dynamic=False, **fields):
    row = {".id": row_id, "chain": "dstnat", "action": "dst-nat", "protocol": "tcp", "dst-port": 25}
    row.update({"to-addresses": "192.168.88.25", "dynamic": dynamic, "disabled": False})
    if comment is not None:
        row["comment"] = comment
    row.update(fields)
    return row


def web(protocol="tcp", anchor=None, **overrides):
    values = {"name": "web", "protocol": protocol, "port": "443", "host": "192.168.88.10"}
    values.update(overrides)
    if anchor is not None:
        values["anchor"] = anchor
    return PortForward(**values).rules()


def ssh(**overrides):
    values = {"name": "ssh", "protocol": "tcp", "port": "2222", "host": "192.168.88.11", "host_port": "22"}
    values.update(overrides)
    return PortForward(**values).rules()


DEFCONF = foreign("*1", "defconf: masquerade", chain="srcnat", action="masquerade", **{"out-interface-list": "WAN"})
MAIL = foreign("*2", "mail")


def plan(desired, current, state="merged", scope=SCOPE, services=None):
    return plan_changes(desired, current, state=state, scope_kinds=scope, services=services)


def assert_idempotent(desired, result, state="merged", scope=SCOPE, services=None):
    """The twin of every change test: planning again on the simulated result changes nothing."""
    again = plan(desired, result.after, state, scope, services)
    assert again.operations == []
    assert not again.changed
    assert again.after == result.after


def ids(rows):
    return [row[".id"] for row in rows]


# --- merged ------------------------------------------------------------------------------------


def test_merged_adds_to_an_empty_table():
    desired = web()
    result = plan(desired, [])
    assert result.operations == [Operation("add", RuleKey("dstnat", "web", "tcp"), fields=desired[0].fields)]
    assert result.changed
    assert result.before == []
    assert result.after == [dict(desired[0].fields, **{".id": "*1"})]
    assert_idempotent(desired, result)


def test_merged_top_goes_before_the_first_foreign_rule_of_its_chain_in_config_order():
    desired = web("both")
    result = plan(desired, [DEFCONF, MAIL])  # DEFCONF is srcnat: it does not count for a dstnat rule
    assert result.operations == [
        Operation("add", desired[0].key, fields=desired[0].fields, destination="*2"),
        Operation("add", desired[1].key, fields=desired[1].fields, destination="*2"),
    ]
    assert ids(result.after) == ["*1", "*3", "*4", "*2"]
    assert result.after[1]["comment"] == desired[0].comment
    assert re.fullmatch(r"hairpin:dstnat:web:tcp ~[0-9a-f]{8}", desired[0].comment)
    assert_idempotent(desired, result)


def test_merged_top_in_a_chain_without_foreign_rules_goes_to_the_top_of_the_table():
    desired = web("both")
    result = plan(desired, [DEFCONF])
    assert [(op.action, op.destination) for op in result.operations] == [("add", "*1"), ("add", "*1")]
    assert ids(result.after) == ["*2", "*3", "*1"]
    assert_idempotent(desired, result)


def test_merged_updates_in_place_with_set_and_unset():
    desired = web(host_port="8443")
    current = [
        router_row("*5", desired[0], **{"dst-port": "443-443", "to-ports": 80, "in-interface": "ether1"}),
        DEFCONF,
    ]
    current[0]["disabled"] = True
    result = plan(desired, current)
    assert result.operations == [
        Operation("set", desired[0].key, "*5", fields={"to-ports": "8443", "disabled": "false"}),
        Operation("unset", desired[0].key, "*5", fields={"in-interface": ""}),
    ]
    assert "in-interface" not in result.after[0]
    assert_idempotent(desired, result)


def test_merged_sees_librouteros_values_as_equal():
    desired = web()
    current = [
        router_row("*5", desired[0], protocol="6", **{"dst-port": "443-443", "to-addresses": "192.168.88.10/32"})
    ]
    assert plan(desired, current).operations == []


def test_merged_description_change_is_a_comment_set():
    desired = web(comment="now with a description")
    current = [router_row("*5", web()[0])]
    result = plan(desired, current)
    assert result.operations == [Operation("set", desired[0].key, "*5", fields={"comment": desired[0].comment})]
    # The fingerprint stays where it was: after the marker, before the description.
    assert re.fullmatch(r"hairpin:dstnat:web:tcp ~[0-9a-f]{8} now with a description", desired[0].comment)
    assert not result.drift
    assert_idempotent(desired, result)


def test_merged_leaves_other_owned_rules_alone():
    current = [router_row("*5", web()[0]), router_row("*6", web("udp")[0]), router_row("*7", ssh()[0]), DEFCONF]
    result = plan(web(), current)
    assert result.operations == []


def test_merged_new_rule_goes_after_untouched_owned_rules_of_its_gap():
    a, b = web()[0], ssh()[0]
    current = [router_row("*5", a), router_row("*6", b), DEFCONF]
    desired = web("udp")
    result = plan(desired, current)
    # Right after the last dstnat row that stays (the next row of the table is DEFCONF).
    assert result.operations == [Operation("add", desired[0].key, fields=desired[0].fields, destination="*1")]
    assert ids(result.after) == ["*5", "*6", "*7", "*1"]
    assert_idempotent(desired, result)
    # Asking for an existing rule again never reorders the untouched ones around it: untouched
    # owned rows constrain nothing, so two merged tasks of one module never fight.
    assert plan(ssh(), result.after).operations == []
    assert plan(web(), result.after).operations == []


def test_bottom_goes_right_after_the_last_foreign_rule_of_its_chain():
    desired = Masquerade(out_interface_list="WAN").rules()
    result = plan(desired, [DEFCONF, MAIL], scope=("masquerade",))
    assert result.operations == [Operation("add", desired[0].key, fields=desired[0].fields, destination="*2")]
    assert ids(result.after) == ["*1", "*3", "*2"]
    assert_idempotent(desired, result, scope=("masquerade",))


def test_bottom_appends_when_its_chain_ends_the_table():
    desired = Masquerade(out_interface_list="WAN").rules()
    result = plan(desired, [MAIL, DEFCONF], scope=("masquerade",))
    assert result.operations == [Operation("add", desired[0].key, fields=desired[0].fields)]
    assert ids(result.after) == ["*2", "*1", "*3"]
    assert_idempotent(desired, result, scope=("masquerade",))


def test_in_a_chain_without_foreign_rules_top_and_bottom_rules_take_any_place_top_ones_first():
    every_kind = ("dstnat", "hairpin", "masquerade", "hairpin-subnet")
    masquerade = Masquerade(out_interface_list="WAN").rules()
    hairpin = Hairpin("web", "tcp", "192.168.88.10", "443", "192.168.88.0/24", lan_interface="bridge").rules()
    desired = masquerade + hairpin  # config order says masquerade first, but top comes before bottom
    result = plan(desired, [MAIL], scope=every_kind)
    assert [(op.action, op.key.kind, op.destination) for op in result.operations] == [
        ("add", "hairpin", "*2"),  # a new chain: its top rules go to the top of the table
        ("add", "masquerade", None),  # ... and the others to its end
    ]
    assert ids(result.after) == ["*3", "*2", "*4"]
    assert_idempotent(desired, result, scope=every_kind)
    # Anywhere else in the table is as good: existing rules in their order stay where they are.
    current = [
        MAIL,
        router_row("*3", hairpin[0]),
        foreign("*7", "x", chain="from-wan"),
        router_row("*4", masquerade[0]),
    ]
    assert plan(desired, current, scope=every_kind).operations == []


def test_after_and_before_anchors_sharing_a_gap_keep_next_to_their_anchors():
    first = foreign("*1", "first")
    second = foreign("*2", "second")
    a = web(anchor=Anchor("before", "second"))
    b = ssh(anchor=Anchor("after", "first"))
    c = PortForward("c", "tcp", "3", "10.0.0.3", anchor=Anchor("after", "first")).rules()
    desired = a + b + c
    result = plan(desired, [first, second])
    # Rules after "first" come first (in config order), then those before "second".
    assert [(op.key.name, op.destination) for op in result.operations] == [("ssh", "*2"), ("c", "*2"), ("web", "*2")]
    assert markers(result.after) == [
        "first",
        "hairpin:dstnat:ssh:tcp",
        "hairpin:dstnat:c:tcp",
        "hairpin:dstnat:web:tcp",
        "second",
    ]
    assert_idempotent(desired, result)


def test_rows_of_other_chains_never_make_a_rule_move():
    # The bug this design fixes: a dstnat rule below a srcnat rule was moved above it, then the
    # srcnat module moved its rule above the dstnat one, forever.
    desired = web()
    current = [DEFCONF, router_row("*5", desired[0]), foreign("*6", "custom", chain="from-wan"), MAIL]
    assert plan(desired, current).operations == []


# A foreign forward of every tcp port: it takes the packets of every tcp forward after it.
CATCH_ALL = foreign("*2", "all tcp to the old server", **{"dst-port": None})


def test_a_rule_in_the_wrong_gap_of_its_chain_moves_and_nothing_else_does():
    desired = web()
    current = [DEFCONF, CATCH_ALL, router_row("*5", desired[0]), foreign("*3", "later")]
    result = plan(desired, current)
    assert result.operations == [Operation("move", desired[0].key, "*5", destination="*2")]
    assert ids(result.after) == ["*1", "*5", "*2", "*3"]
    assert_idempotent(desired, result)


def test_a_rule_behind_foreign_rules_of_other_packets_stays_where_it_is():
    # mail is tcp/25, web tcp/443: no packet matches both, so web below mail does what web at
    # the top does, and moving it would change nothing but the order an admin chose.
    desired = web()
    current = [DEFCONF, MAIL, router_row("*5", desired[0]), foreign("*3", "later")]
    result = plan(desired, current)
    assert result.operations == []
    assert_idempotent(desired, result)


def test_an_owned_rule_behind_disabled_foreign_rules_does_not_move_across_them():
    desired = web()
    current = [foreign("*3", "old mail", disabled=True), router_row("*5", desired[0]), MAIL]
    result = plan(desired, current)
    assert result.operations == []
    # An enabled foreign rule in between still makes it move to its anchor.
    current = [CATCH_ALL, foreign("*3", "old mail", disabled=True), router_row("*5", desired[0])]
    result = plan(desired, current)
    assert [(op.action, op.id, op.destination) for op in result.operations] == [("move", "*5", "*2")]
    assert_idempotent(desired, result)


def test_within_a_gap_only_rules_outside_the_longest_in_order_run_move():
    a = PortForward("a", "tcp", "1", "10.0.0.1", anchor=Anchor("after", "mail")).rules()
    b = PortForward("b", "tcp", "2", "10.0.0.2", anchor=Anchor("after", "mail")).rules()
    c = PortForward("c", "tcp", "3", "10.0.0.3", anchor=Anchor("after", "mail")).rules()
    desired = a + b + c
    current = [MAIL, router_row("*7", c[0]), router_row("*5", a[0]), router_row("*6", b[0])]
    result = plan(desired, current)
    assert result.operations == [Operation("move", c[0].key, "*7")]  # to the end; a and b stay
    assert ids(result.after) == ["*2", "*5", "*6", "*7"]
    assert_idempotent(desired, result)


def test_moves_run_from_the_end_of_the_target_backwards():
    a = PortForward("a", "tcp", "1", "10.0.0.1").rules()
    b = PortForward("b", "tcp", "2", "10.0.0.2").rules()
    c = PortForward("c", "tcp", "3", "10.0.0.3").rules()
    desired = c + b + a
    current = [router_row("*5", a[0]), router_row("*6", b[0]), router_row("*7", c[0]), MAIL]
    result = plan(desired, current)
    assert result.operations == [
        Operation("move", a[0].key, "*5", destination="*2"),
        Operation("move", b[0].key, "*6", destination="*5"),
    ]
    assert ids(result.after) == ["*7", "*6", "*5", "*2"]
    assert_idempotent(desired, result)


def test_full_operation_order_removes_sets_moves_adds():
    desired = web("both", port="8443") + ssh()
    current = [
        DEFCONF,
        CATCH_ALL,
        router_row("*5", web()[0]),  # below the catch-all (wrong gap) and old port
        router_row("*6", web()[0]),  # duplicate of *5
        router_row("*7", PortForward("old", "udp", "9", "10.0.0.9").rules()[0]),
    ]
    result = plan(desired, current, state="overridden")
    assert [(op.action, op.id, op.destination) for op in result.operations] == [
        ("remove", "*6", None),
        ("remove", "*7", None),
        ("set", "*5", None),
        ("move", "*5", "*2"),
        ("add", None, "*2"),  # web udp: the next pre-existing dstnat row after it in the target is *2
        ("add", None, "*2"),
    ]
    assert result.operations[2].fields == {"dst-port": "8443", "to-ports": "8443", "comment": desired[0].comment}
    assert markers(result.after) == [
        "defconf: masquerade",
        "hairpin:dstnat:web:tcp",
        "hairpin:dstnat:web:udp",
        "hairpin:dstnat:ssh:tcp",
        "all tcp to the old server",
    ]
    assert_idempotent(desired, result, state="overridden")


def test_a_rule_moved_to_another_chain_by_hand_is_set_back_and_placed_in_its_chain():
    desired = web()
    current = [MAIL, router_row("*5", desired[0], chain="from-wan"), DEFCONF]
    result = plan(desired, current)
    assert result.operations == [
        Operation("set", desired[0].key, "*5", fields={"chain": "dstnat"}),
        Operation("move", desired[0].key, "*5", destination="*2"),
    ]
    assert ids(result.after) == ["*5", "*2", "*1"]
    assert_idempotent(desired, result)


# --- several modules on one table ---------------------------------------------------------------

PORT_FORWARD_SCOPE = ("dstnat",)
MASQUERADE_SCOPE = ("masquerade",)
HAIRPIN_SCOPE = ("hairpin", "hairpin-subnet")


def test_per_kind_modules_reach_a_fixpoint_after_one_round():
    """The integration scenario: port_forward, masquerade, hairpin_nat, each run once, then again."""
    forward = PortForward("web", "tcp", "80", "192.168.1.2", public_address="203.0.113.1")
    modules = [
        (forward.rules(), PORT_FORWARD_SCOPE),
        (Masquerade(out_interface="ether1").rules(), MASQUERADE_SCOPE),
        (Hairpin.for_port_forward(forward, "192.168.1.0/24", lan_interface="bridge").rules(), HAIRPIN_SCOPE),
    ]
    table = [DEFCONF]
    for desired, scope in modules:
        table = plan(desired, table, "merged", scope).after
    assert markers(table) == [
        "hairpin:dstnat:web:tcp",
        "hairpin:hairpin:web:tcp",
        "defconf: masquerade",
        "hairpin:masquerade:ether1",
    ]
    for desired, scope in modules:
        assert plan(desired, table, "merged", scope).operations == []


def test_a_rule_of_another_module_is_fixed_for_this_one():
    hairpin = router_row("*3", Hairpin("web", "tcp", "192.168.1.2", "80", "192.168.1.0/24").rules()[0])
    masquerade = Masquerade(out_interface="ether1").rules()
    # For the masquerade module the hairpin rule is foreign: bottom means after it.
    result = plan(masquerade, [hairpin, DEFCONF], scope=MASQUERADE_SCOPE)
    assert ids(result.after) == ["*3", "*1", "*4"]
    upside_down = [router_row("*4", masquerade[0]), hairpin, DEFCONF]
    assert plan(masquerade, upside_down, scope=MASQUERADE_SCOPE).operations == [
        Operation("move", masquerade[0].key, "*4")
    ]


# --- replaced / overridden / deleted -------------------------------------------------------------

OWNED = [router_row("*5", web()[0]), router_row("*6", web("udp")[0]), router_row("*7", ssh()[0]), DEFCONF]


def test_replaced_makes_a_named_service_exactly_its_rules():
    result = plan(web("tcp"), OWNED, state="replaced")
    assert result.operations == [Operation("remove", RuleKey("dstnat", "web", "udp"), "*6")]
    assert ids(result.after) == ["*5", "*7", "*1"]
    assert_idempotent(web("tcp"), result, state="replaced")


def test_replaced_with_a_service_that_now_has_no_rules():
    # e.g. a hairpin whose host left every LAN subnet: the service is named, its rules go.
    hairpin = Hairpin("web", "tcp", "192.168.88.10", "443", "192.168.88.0/24").rules()
    current = [*OWNED[:3], router_row("*8", hairpin[0]), DEFCONF]
    result = plan(web("both"), current, state="replaced", services=["web"])
    assert result.operations == [Operation("remove", hairpin[0].key, "*8")]
    assert_idempotent(web("both"), result, state="replaced", services=["web"])


def test_overridden_removes_every_owned_rule_not_in_the_config():
    result = plan(web("tcp"), OWNED, state="overridden")
    assert result.operations == [
        Operation("remove", RuleKey("dstnat", "web", "udp"), "*6"),
        Operation("remove", RuleKey("dstnat", "ssh", "tcp"), "*7"),
    ]
    assert ids(result.after) == ["*5", "*1"]
    assert_idempotent(web("tcp"), result, state="overridden")


def test_overridden_never_touches_other_kinds_or_foreign_rules():
    masquerade = Masquerade(out_interface_list="WAN").rules()[0]
    current = [router_row("*9", masquerade), DEFCONF, foreign("*3", "hairpin:dstnat:web")]
    assert plan([], current, state="overridden").operations == []


def test_deleted_by_service_name():
    result = plan([], OWNED, state="deleted", services=["web"])
    assert result.operations == [
        Operation("remove", RuleKey("dstnat", "web", "tcp"), "*5"),
        Operation("remove", RuleKey("dstnat", "web", "udp"), "*6"),
    ]
    assert ids(result.after) == ["*7", "*1"]
    assert_idempotent([], result, state="deleted", services=["web"])


def test_deleted_takes_names_from_the_desired_rules():
    result = plan(ssh(), OWNED, state="deleted")
    assert result.operations == [Operation("remove", RuleKey("dstnat", "ssh", "tcp"), "*7")]


def test_deleted_with_empty_config_removes_all_owned_rules_of_the_scope():
    current = [*OWNED, router_row("*9", Masquerade(out_interface="ether1").rules()[0])]
    result = plan([], current, state="deleted")
    assert [op.id for op in result.operations] == ["*5", "*6", "*7"]
    assert ids(result.after) == ["*1", "*9"]
    assert_idempotent([], result, state="deleted")


# --- ownership edge cases ------------------------------------------------------------------------


def test_duplicate_keys_keep_the_first_row_and_remove_the_rest():
    desired = web(port="80")
    current = [router_row("*5", web()[0]), DEFCONF, router_row("*9", desired[0]), router_row("*A", desired[0])]
    result = plan(desired, current)
    assert result.operations == [
        Operation("remove", desired[0].key, "*9"),
        Operation("remove", desired[0].key, "*A"),
        Operation(
            "set", desired[0].key, "*5", fields={"dst-port": "80", "to-ports": "80", "comment": desired[0].comment}
        ),
    ]
    assert_idempotent(desired, result)


def test_foreign_lookalikes_are_never_touched():
    desired = web()
    twin_fields = {name: value for name, value in router_row("*0", desired[0]).items() if name != ".id"}
    lookalikes = [
        dict(twin_fields, **{".id": "*3", "comment": "hairpin:dstnat:web"}),
        dict(twin_fields, **{".id": "*4", "comment": "Hairpin:dstnat:web:tcp"}),
        dict({k: v for k, v in twin_fields.items() if k != "comment"}, **{".id": "*6"}),
        dict(twin_fields, **{".id": "*7", "comment": "hairpin:dstnat:web:tcp\n"}),
    ]
    result = plan(desired, lookalikes, state="overridden")
    assert result.operations == [Operation("add", desired[0].key, fields=desired[0].fields, destination="*3")]
    assert result.after[1:] == lookalikes
    assert_idempotent(desired, result, state="overridden")


def test_dynamic_rows_are_never_referenced_even_with_our_marker():
    desired = web()
    dynamic = dict(router_row("*3", desired[0]), dynamic=True)
    upnp = foreign("*4", "upnp 192.168.88.50: game", dynamic="true")
    result = plan(desired, [dynamic, upnp, DEFCONF], state="overridden")
    assert result.operations == [Operation("add", desired[0].key, fields=desired[0].fields, destination="*1")]
    assert ids(result.after) == ["*3", "*4", "*5", "*1"]
    assert_idempotent(desired, result, state="overridden")


# --- anchors -------------------------------------------------------------------------------------


def test_anchor_matching_no_foreign_rule_is_an_error():
    with pytest.raises(AnchorError, match=r"anchor before 'nope' matches no foreign rule; the anchor must match"):
        plan(web(anchor=Anchor("before", "nope")), [DEFCONF, MAIL])


def test_anchor_matching_two_foreign_rules_of_the_chain_is_an_error():
    current = [foreign("*1", "dup"), MAIL, foreign("*3", "dup")]
    with pytest.raises(AnchorError, match=r"anchor after 'dup' matches 2 foreign rules of chain dstnat \(\*1, \*3\)"):
        plan(web(anchor=Anchor("after", "dup")), current)


def test_anchor_in_another_chain_is_an_error_saying_so():
    with pytest.raises(AnchorError) as caught:
        plan(web(anchor=Anchor("after", "defconf: masquerade")), [DEFCONF, MAIL])
    assert str(caught.value) == (
        "rule 'hairpin:dstnat:web:tcp': anchor after 'defconf: masquerade' matches only rules of another chain "
        "(*1 in chain srcnat), but the rule is in chain dstnat; RouterOS orders rules only within their chain, so "
        "the anchor must match the comment of exactly one rule of chain dstnat that this module does not manage"
    )


def test_anchor_comment_shared_with_another_chain_resolves_in_the_rules_chain():
    current = [foreign("*1", "dup", chain="srcnat"), MAIL, foreign("*3", "dup")]
    result = plan(web(anchor=Anchor("before", "dup")), current)
    assert result.operations[0].destination == "*3"


def test_anchor_cannot_be_an_owned_or_dynamic_rule():
    owned = router_row("*5", ssh()[0])
    dynamic = foreign("*6", "upnp", dynamic=True)
    with pytest.raises(AnchorError, match="matches no foreign rule"):
        plan(web(anchor=Anchor("before", owned["comment"])), [owned, DEFCONF])
    with pytest.raises(AnchorError, match="matches no foreign rule"):
        plan(web(anchor=Anchor("before", "upnp")), [dynamic, DEFCONF])


def test_anchor_matches_a_comment_librouteros_turned_into_a_bool():
    current = [DEFCONF, foreign("*3", True)]  # the comment "yes", after librouteros' cast
    desired = web(anchor=Anchor("before", "yes"))
    result = plan(desired, current)
    assert result.operations[0].destination == "*3"


def test_anchor_may_be_a_rule_of_a_kind_outside_the_scope():
    masquerade = router_row("*9", Masquerade(out_interface_list="WAN").rules()[0])
    anchor = Anchor("after", "hairpin:masquerade:WAN")
    desired = Hairpin("web", "tcp", "192.168.88.10", "443", "192.168.88.0/24", anchor=anchor).rules()
    result = plan(desired, [MAIL, masquerade, DEFCONF])
    assert result.operations[0].destination == "*1"
    assert ids(result.after) == ["*2", "*9", "*A", "*1"]


# --- bad input -----------------------------------------------------------------------------------


def test_bad_state_scope_and_desired_rules_are_rejected():
    with pytest.raises(PlanError, match="state must be one of"):
        plan(web(), [], state="gathered")
    with pytest.raises(PlanError, match="unknown rule kinds"):
        plan(web(), [], scope=("dstnat", "filter"))
    with pytest.raises(PlanError, match="outside this module's scope"):
        plan(web(), [], scope=("masquerade",))
    with pytest.raises(PlanError, match="share the key dstnat:web:tcp"):
        plan(web() + web(), [])


def test_apply_plan_rejects_unknown_ids_and_accepts_operation_lists():
    with pytest.raises(PlanError, match=r"\*9"):
        apply_plan([DEFCONF], [Operation("remove", None, "*9")])
    rows = apply_plan([DEFCONF, MAIL], [Operation("move", None, "*1"), Operation("move", None, "*2", destination="*2")])
    assert ids(rows) == ["*2", "*1"]


def test_plan_is_plain_data():
    result = plan(web(), [DEFCONF])
    assert isinstance(result, Plan)
    assert result.before == [DEFCONF] and result.before[0] is not DEFCONF
    assert result.operations[0].as_dict() == {
        "action": "add",
        "key": ["dstnat", "web", "tcp"],
        "id": None,
        "fields": dict(web()[0].fields),
        "destination": "*1",
    }


# --- performance -------------------------------------------------------------------------------


def test_planning_a_big_foreign_table_converges_in_one_plan():
    # How long this takes is measured by benchmarks/, not asserted here.
    chains = ("dstnat", "srcnat", "from-wan")
    current = [
        foreign(f"*{i + 1:X}", f"rule {i}", dynamic=(i % 97 == 0), chain=chains[i % 3] if i % 211 != 1 else "dstnat")
        for i in range(5000)
    ]
    desired = []
    for i in range(20):
        anchor = Anchor("before" if i % 2 else "after", f"rule {i * 211 + 1}")
        forward = PortForward(f"svc{i}", "both", str(1000 + i), f"10.0.0.{i + 1}", anchor=anchor)
        desired += forward.rules()
        hairpin = Hairpin.for_port_forward(forward, "10.0.0.0/24", lan_interface="bridge")
        desired += dataclasses.replace(hairpin, anchor=Anchor("top")).rules()  # srcnat
    # some of them already exist, in the wrong place
    existing = [router_row(f"*{9000 + i:X}", rule) for i, rule in enumerate(desired[::3])]
    for offset, row in enumerate(existing):
        current.insert(offset * 300, row)

    result = plan(desired, current)
    assert result.operations
    assert plan(desired, result.after).operations == []


# --- properties ----------------------------------------------------------------------------------

NAMES = ("web", "ssh", "dns", "game")
# Foreign rows live in the built-in chains and in a custom one (a jump target); only the order
# inside each chain means something to RouterOS.
CHAINS = ("dstnat", "srcnat", "from-wan")
LOOKALIKE_COMMENTS = (
    None,
    "dup",
    "hairpin:dstnat:web",
    "hairpin:dstnat:ssh:icmp",
    "Hairpin:dstnat:dns:tcp",
    "hairpin:dstnat:game:tcp:",
    "hairpin:masquerade:WAN",  # a kind outside the scope: another module's rule
    "hairpin:hairpin-subnet:192.168.88.0/24",
)
RANK = {"after": 0, "top": 1, "bottom": 2, "before": 3}


def is_dynamic_row(row):
    return effective_value("disabled", row.get("dynamic")) == "true"


def chain_of(row):
    return effective_value("chain", row.get("chain")) or ""


def is_owned(row, scope=SCOPE):
    key = parse_marker(row.get("comment"))
    return key is not None and key.kind in scope and not is_dynamic_row(row)


def is_fixed(row, scope=SCOPE):
    return not is_dynamic_row(row) and not is_owned(row, scope)


def owned_keys(rows, scope=SCOPE):
    return [parse_marker(row["comment"]) for row in rows if is_owned(row, scope)]


def markers(rows):
    """The comments of ``rows`` without our fingerprints: the order of rules, as a user reads it."""
    return [without_fingerprint(row.get("comment")) for row in rows]


def matches(rule: NatRule, row) -> bool:
    """Every field as desired; the comment too, but for its fingerprint (only a write refreshes it)."""
    return all(
        effective_value(name, row.get(name)) == rule.fields.get(name, info.default)
        for name, info in NAT_FIELDS.items()
        if name != "comment"
    ) and without_fingerprint(row.get("comment")) == without_fingerprint(rule.comment)


def gap_in_chain(rows, index, chain, scope=SCOPE):
    """How many fixed rows of ``chain`` come before ``rows[index]``."""
    return sum(1 for row in rows[:index] if is_fixed(row, scope) and chain_of(row) == chain)


def _spans(text, parse):
    spans = []
    for part in text.split(","):
        low, _sep, high = part.partition("-")
        spans.append((parse(low), parse(high or low)))
    return spans


def _address_spans(text):
    if "-" in text:
        return _spans(text, ipaddress.ip_address)
    network = ipaddress.ip_network(text, strict=False)
    return [(network.network_address, network.broadcast_address)]


def no_common_packet(rule, row):
    """No packet matches both: on one matcher both set (not negated), the values do not meet."""
    for name in ("protocol", "in-interface", "dst-port", "dst-address"):
        mine, theirs = rule.fields.get(name), effective_value(name, row.get(name))
        if mine is None or theirs is None or mine.startswith("!") or theirs.startswith("!"):
            continue
        if name in ("protocol", "in-interface"):
            if mine != theirs:
                return True
            continue
        parse = _address_spans if name == "dst-address" else (lambda text: _spans(text, int))
        if not any(a <= d and c <= b for a, b in parse(mine) for c, d in parse(theirs)):
            return True
    return False


def crossable(rule, row):
    """A fixed row the rule may sit on either side of, no packet leaving differently."""
    if effective_value("disabled", row.get("disabled")) == "true":
        return True
    if parse_marker(row.get("comment")) is not None:
        return False
    if no_common_packet(rule, row):
        return True

    def plain_masquerade(values):
        return values.get("action") == "masquerade" and values.get("to-ports") is None and values.get("log") != "true"

    theirs = {name: effective_value(name, row.get(name)) for name in ("action", "to-ports", "log")}
    return plain_masquerade(rule.fields) and plain_masquerade(theirs)


def wanted_gap(rule, rows, index, scope=SCOPE):
    """The gap the anchor asks for, or the gap the rule's row is in when only crossable fixed
    rows (none of them the anchor's) stand between the two."""
    target = expected_gap(rule, rows, scope)
    chain = rule.fields["chain"]
    if index is None or chain_of(rows[index]) != chain:
        return target
    where = gap_in_chain(rows, index, chain, scope)
    fixed_rows = [row for row in rows if is_fixed(row, scope) and chain_of(row) == chain]
    between = fixed_rows[min(where, target) : max(where, target)]
    named = rule.anchor.comment
    if all(crossable(rule, row) and (named is None or row.get("comment") != named) for row in between):
        return where
    return target


def expected_gap(rule, rows, scope=SCOPE):
    chain = rule.fields["chain"]
    fixed_rows = [row for row in rows if is_fixed(row, scope) and chain_of(row) == chain]
    anchor = rule.anchor
    if anchor.position == "top":
        return 0
    if anchor.position == "bottom":
        return len(fixed_rows)
    (index,) = [i for i, row in enumerate(fixed_rows) if row.get("comment") == anchor.comment]
    return index + (1 if anchor.position == "after" else 0)


def longest_increasing(values):
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


def chain_shape(rows, scope=SCOPE):
    """Each chain's rows in order, owned rows without their ids (a resumed run adds different ones).

    Dynamic rows are left out (they take no part in placement), and so is the interleaving of
    chains: RouterOS never compares the order of rules of different chains."""
    shape = {}
    for row in rows:
        if is_dynamic_row(row):
            continue
        content = sorted((k, str(v)) for k, v in row.items() if k != ".id")
        shape.setdefault(chain_of(row), []).append(("owned" if is_owned(row, scope) else row[".id"], content))
    return shape


def service_rules(name, protocol, port, with_hairpin, anchor, hairpin_anchor=None):
    forward = PortForward(name, protocol, port, f"192.168.88.{10 + NAMES.index(name)}", anchor=anchor)
    rules = forward.rules()
    if with_hairpin:
        hairpin = Hairpin.for_port_forward(forward, "192.168.88.0/24", lan_interface="bridge")
        rules += dataclasses.replace(hairpin, anchor=hairpin_anchor or Anchor("top")).rules()
    return rules


def numbered(draw, rows):
    """``rows`` in a random order with random distinct ids."""
    order = draw(st.permutations(range(len(rows))))
    numbers = draw(st.permutations(range(1, len(rows) + 1)))
    current = []
    for position, number in zip(order, numbers):
        row = dict(rows[position])
        row[".id"] = f"*{number:X}"
        current.append(row)
    return current


def draw_foreign_rows(draw, comments, max_rows=8):
    rows = []
    for index in range(draw(st.integers(0, max_rows))):
        comment = draw(st.sampled_from((f"f{index}", *comments)))
        chain = draw(st.sampled_from(CHAINS))
        rows.append(foreign(None, comment, dynamic=draw(st.sampled_from([False, False, False, True])), chain=chain))
    return rows


def drifted(draw, row):
    """An owned row as a human may have left it: edited, moved to a custom chain, or dynamic."""
    if draw(st.booleans()):
        row["in-interface"] = "ether1"
    if draw(st.integers(0, 6)) == 0:
        row["chain"] = "from-wan"
    if draw(st.integers(0, 5)) == 0:
        row["dynamic"] = True
    return row


def anchors_for(rows, chain, scope=SCOPE, foreign_only=False):
    """top, bottom, and before/after every comment that one fixed row of ``chain`` has."""
    fixed = [row for row in rows if is_fixed(row, scope) and chain_of(row) == chain]
    if foreign_only:  # rows no module of the collection may change
        fixed = [row for row in fixed if parse_marker(row.get("comment")) is None]
    comments = [row.get("comment") for row in fixed]
    unique = sorted(c for c in set(comments) if isinstance(c, str) and comments.count(c) == 1)
    return [Anchor("top"), BOTTOM] + [Anchor(position, c) for c in unique for position in ("before", "after")]


@st.composite
def scenarios(draw):
    """A random table (foreign rows of several chains, dynamic, lookalike and owned rows,
    duplicates, hand edits) and a desired set with anchors of the right chains."""
    rows = draw_foreign_rows(draw, LOOKALIKE_COMMENTS)
    owned_specs = st.tuples(
        st.sampled_from(NAMES), st.sampled_from(["tcp", "udp", "both"]), st.sampled_from(["80", "443"]), st.booleans()
    )
    for name, protocol, port, with_hairpin in draw(st.lists(owned_specs, max_size=5)):
        for rule in service_rules(name, protocol, port, with_hairpin, None):
            rows.append(drifted(draw, router_row(None, rule)))
    current = numbered(draw, rows)

    dstnat_anchors = anchors_for(current, "dstnat")
    srcnat_anchors = anchors_for(current, "srcnat")
    desired = []
    names = draw(st.lists(st.sampled_from(NAMES), unique=True))
    for name in names:
        protocol = draw(st.sampled_from(["tcp", "udp", "both"]))
        port = draw(st.sampled_from(["80", "443"]))
        anchor, hairpin_anchor = draw(st.sampled_from(dstnat_anchors)), draw(st.sampled_from(srcnat_anchors))
        desired += service_rules(name, protocol, port, draw(st.booleans()), anchor, hairpin_anchor)
    state = draw(st.sampled_from(["merged", "replaced", "overridden"]))
    services = None
    if state == "replaced" and draw(st.booleans()):
        services = sorted(set(names) | set(draw(st.lists(st.sampled_from(NAMES)))))
    return current, desired, state, services


def assert_in_wanted_places(desired, after, scope=SCOPE):
    """Chain-scoped placement: each desired rule has its content and sits in the gap of its own
    chain that its anchor asks for; inside a gap, rules go by anchor rank, then config order."""
    position_of = {}
    for index, row in enumerate(after):
        if is_owned(row, scope):
            position_of[parse_marker(row["comment"])] = index
    wanted = {}
    for order, rule in enumerate(desired):
        index = position_of[rule.key]
        assert matches(rule, after[index]), (rule, after[index])
        chain = rule.fields["chain"]
        gap = gap_in_chain(after, index, chain, scope)
        assert gap == wanted_gap(rule, after, index, scope), rule
        wanted.setdefault((chain, gap), []).append(((RANK[rule.anchor.position], order), index))
    for rules in wanted.values():
        in_wanted_order = [index for _rank, index in sorted(rules)]
        assert in_wanted_order == sorted(in_wanted_order)
    return position_of


def fewest_moves(desired, current, scope=SCOPE):
    """Moves a minimal plan makes: every matched rule outside its gap, plus, per gap, the rules
    outside a longest run already in the wanted order."""
    first = {}
    for index, row in enumerate(current):
        if is_owned(row, scope):
            first.setdefault(parse_marker(row["comment"]), index)
    in_gap = {}
    count = 0
    for order, rule in enumerate(desired):
        if rule.key not in first:
            continue
        count += 1
        index, chain = first[rule.key], rule.fields["chain"]
        gap = wanted_gap(rule, current, index, scope)
        if gap_in_chain(current, index, chain, scope) == gap:
            in_gap.setdefault((chain, gap), []).append((index, (RANK[rule.anchor.position], order)))
    staying = sum(longest_increasing([rank for _index, rank in sorted(rows)]) for rows in in_gap.values())
    return count - staying


@ENGINE_SETTINGS
@given(scenarios())
def test_property_plan_reaches_the_desired_table_and_is_stable(scenario):
    current, desired, state, services = scenario
    result = plan(desired, current, state, services=services)
    after = result.after

    # Only ids that exist before the batch are referenced, and never a dynamic or foreign row's
    # id as the target of a write.
    before_ids = {row[".id"] for row in current}
    removed = {op.id for op in result.operations if op.action == "remove"}
    writable = {row[".id"] for row in current if is_owned(row)}
    for op in result.operations:
        if op.action in ("set", "unset", "move", "remove"):
            assert op.id in writable
        if op.action in ("set", "unset", "move"):
            assert op.id not in removed
        if op.destination is not None:
            assert op.destination in before_ids - removed
            dest_row = next(row for row in current if row[".id"] == op.destination)
            assert not is_dynamic_row(dest_row)
    # Removes, then sets/unsets, then moves, then adds.
    actions = [op.action for op in result.operations]
    phases = [{"remove": 0, "set": 1, "unset": 1, "move": 2, "add": 3}[action] for action in actions]
    assert phases == sorted(phases)

    # Foreign, dynamic and other-kind rows: untouched and in their order.
    assert [row for row in after if not is_owned(row)] == [row for row in current if not is_owned(row)]

    # Owned rules: exactly the state's set of keys, each once.
    keys_after = owned_keys(after)
    assert len(keys_after) == len(set(keys_after))
    current_keys = set(owned_keys(current))
    desired_keys = {rule.key for rule in desired}
    names = set(services) if services is not None else {rule.key.name for rule in desired}
    if state == "overridden":
        expected_keys = desired_keys
    elif state == "replaced":
        expected_keys = desired_keys | {key for key in current_keys if key.name not in names}
    else:
        expected_keys = desired_keys | current_keys
    assert set(keys_after) == expected_keys

    position_of = assert_in_wanted_places(desired, after)

    # Fewest moves: a rule already in its chain's wanted gap, in order, does not move.
    assert actions.count("move") == fewest_moves(desired, current)

    # A rule the plan writes carries the fingerprint of what it writes.
    written = {op.id for op in result.operations if op.action in ("set", "unset")}
    for rule in desired:
        row = after[position_of[rule.key]]
        if row[".id"] in written or row[".id"] not in before_ids:
            assert row["comment"] == rule.comment, (rule, row)
    # Drift names only rules the plan touches.
    touched = {op.key for op in result.operations}
    assert {item.key for item in result.drift} <= touched

    # Untouched owned rules keep their content.
    first_current = {}
    for row in current:
        if is_owned(row):
            first_current.setdefault(parse_marker(row["comment"]), row)
    for key in expected_keys - desired_keys:
        assert after[position_of[key]] == first_current[key]

    # Planning again changes nothing.
    assert plan(desired, after, state, services=services).operations == []


@ENGINE_SETTINGS
@given(scenarios())
def test_property_crash_after_any_operation_converges_to_the_same_chains(scenario):
    current, desired, state, services = scenario
    full = plan(desired, current, state, services=services)
    for done in range(len(full.operations)):
        partial = apply_plan(current, full.operations[:done])
        resumed = plan(desired, partial, state, services=services)
        # The same rules, the foreign ones in their order, every owned one in a wanted place: a
        # resumed run may leave a rule on the other side of rows no packet of it can match.
        assert {chain: sorted(rows) for chain, rows in chain_shape(resumed.after).items()} == {
            chain: sorted(rows) for chain, rows in chain_shape(full.after).items()
        }
        assert [row for row in resumed.after if not is_owned(row)] == [row for row in full.after if not is_owned(row)]
        assert_in_wanted_places(desired, resumed.after)
        keys = owned_keys(resumed.after)
        assert len(keys) == len(set(keys))
        assert plan(desired, resumed.after, state, services=services).operations == []


@ENGINE_SETTINGS
@given(scenarios(), st.data())
def test_property_deleted_removes_only_the_named_owned_rules(scenario, data):
    current, _desired, _state, _services = scenario
    services = data.draw(st.lists(st.sampled_from(NAMES), unique=True))
    result = plan([], current, "deleted", services=services)
    kept = [row for row in current if not is_owned(row)]
    assert [row for row in result.after if not is_owned(row)] == kept
    remaining = owned_keys(result.after)
    assert len(remaining) == len(set(remaining))
    assert all(services and key.name not in services for key in remaining)
    assert all(op.action == "remove" for op in result.operations)
    assert plan([], result.after, "deleted", services=services).operations == []


EVERY_KIND_ROWS = [
    *(rule for name in NAMES for rule in service_rules(name, "both", "443", True, None)),
    *Masquerade(out_interface="ether1").rules(),
    *Masquerade(out_interface_list="WAN").rules(),
    *HairpinSubnet("192.168.88.0/24", lan_interface="bridge").rules(),
    *HairpinSubnet("10.0.0.0/24", lan_interface="bridge").rules(),
]


@st.composite
def multi_module_scenarios(draw):
    """A random table with owned rows of every kind, and three modules with disjoint kinds: port
    forwards (dstnat, any anchor), masquerades (srcnat, bottom), hairpins (srcnat, top)."""
    rows = draw_foreign_rows(draw, (None, "dup", "hairpin:dstnat:web"))
    for rule in draw(st.lists(st.sampled_from(EVERY_KIND_ROWS), max_size=8)):
        rows.append(drifted(draw, router_row(None, rule)))
    current = numbered(draw, rows)

    forward_anchors = anchors_for(current, "dstnat", PORT_FORWARD_SCOPE, foreign_only=True)
    forwards = []
    for name in draw(st.lists(st.sampled_from(NAMES), unique=True)):
        protocol, port = draw(st.sampled_from(["tcp", "udp", "both"])), draw(st.sampled_from(["80", "443"]))
        forwards.append(PortForward(name, protocol, port, f"192.168.88.{10 + NAMES.index(name)}"))
        forwards[-1] = dataclasses.replace(forwards[-1], anchor=draw(st.sampled_from(forward_anchors)))
    masquerades = draw(
        st.lists(
            st.sampled_from([Masquerade(out_interface="ether1"), Masquerade(out_interface_list="WAN")]), unique=True
        )
    )
    hairpins = [
        Hairpin.for_port_forward(dataclasses.replace(forward, anchor=Anchor("top")), "192.168.88.0/24", "bridge")
        for forward in forwards
        if draw(st.booleans())
    ]
    subnets = draw(st.lists(st.sampled_from(["192.168.88.0/24", "10.0.0.0/24"]), unique=True))
    modules = [
        (desired_rules(forwards), PORT_FORWARD_SCOPE),
        (desired_rules(masquerades), MASQUERADE_SCOPE),
        (desired_rules(hairpins, [HairpinSubnet(s, lan_interface="bridge") for s in subnets]), HAIRPIN_SCOPE),
    ]
    states = [draw(st.sampled_from(["merged", "replaced", "overridden"])) for _module in modules]
    return current, [(desired, scope, state) for (desired, scope), state in zip(modules, states)]


@ENGINE_SETTINGS
@given(multi_module_scenarios())
def test_property_modules_with_disjoint_kinds_reach_a_fixpoint_after_one_round(scenario):
    current, modules = scenario
    table = current
    for desired, scope, state in modules:
        table = plan(desired, table, state, scope).after
    for desired, scope, state in modules:
        again = plan(desired, table, state, scope)
        assert again.operations == [], (scope, again.operations)
        assert_in_wanted_places(desired, table, scope)
    # Foreign rows never moved, whichever module ran.
    every_kind = ("dstnat", "hairpin", "masquerade", "hairpin-subnet")
    assert [row for row in table if not is_owned(row, every_kind)] == [
        row for row in current if not is_owned(row, every_kind)
    ]


# --- drift: repairs of what someone changed on the router -----------------------------------------


def drift_of(result):
    return [(item.what, item.key, item.id, item.changes) for item in result.drift]


def test_a_rule_edited_on_the_router_is_drift_naming_the_field_and_both_values():
    desired = web(host_port="80")
    current = [router_row("*5", desired[0], **{"to-ports": 8080}), MAIL]
    result = plan(desired, current)
    assert result.operations == [Operation("set", desired[0].key, "*5", fields={"to-ports": "80"})]
    assert drift_of(result) == [("fields", desired[0].key, "*5", (("to-ports", "8080", "80"),))]
    assert result.drift[0].message == (
        "hairpin:dstnat:web:tcp (*5) was edited on the router: to-ports 8080 on the router, 80 in the inventory"
    )


def test_a_rule_disabled_or_with_a_property_removed_on_the_router_is_drift():
    desired = web(host_port="80")
    current = [router_row("*5", desired[0], disabled=True, **{"to-ports": None})]
    result = plan(desired, current)
    assert drift_of(result) == [
        ("fields", desired[0].key, "*5", (("to-ports", None, "80"), ("disabled", "true", "false")))
    ]
    assert result.drift[0].message.endswith(
        "to-ports unset on the router, 80 in the inventory; disabled yes on the router, no in the inventory"
    )


def test_an_inventory_change_is_not_drift_and_writes_the_new_fingerprint():
    written = web(host_port="80")
    desired = web(host_port="8080")
    result = plan(desired, [router_row("*5", written[0])])
    assert result.operations == [
        Operation("set", desired[0].key, "*5", fields={"to-ports": "8080", "comment": desired[0].comment})
    ]
    assert result.drift == []


def test_a_rule_written_without_a_fingerprint_is_never_drift_and_not_rewritten_for_one():
    desired = web(host_port="80")
    old = router_row("*5", desired[0], comment="hairpin:dstnat:web:tcp")
    assert plan(desired, [old]).operations == []
    # Edited: repaired, with the new comment, and not called drift (nothing tells who changed it).
    result = plan(desired, [dict(old, **{"to-ports": 8080})])
    assert result.operations == [
        Operation("set", desired[0].key, "*5", fields={"to-ports": "80", "comment": desired[0].comment})
    ]
    assert result.drift == []


def test_a_rule_moved_on_the_router_is_position_drift():
    desired = web() + ssh()
    current = [router_row("*6", desired[1]), router_row("*5", desired[0]), MAIL]
    result = plan(desired, current)
    assert [op.action for op in result.operations] == ["move"]
    (moved,) = result.operations
    assert drift_of(result) == [("position", moved.key, moved.id, ())]
    assert "is not where the inventory places it" in result.drift[0].message


def test_a_move_the_inventory_asks_for_is_not_drift():
    written = web() + ssh()
    current = [router_row("*5", written[0]), router_row("*6", written[1]), MAIL]
    # The anchor changed in the inventory: ssh now goes after mail.
    desired = web() + ssh(anchor=Anchor("after", "mail"))
    result = plan(desired, current)
    assert [op.action for op in result.operations] == ["move"]
    assert result.drift == []


def test_a_rule_removed_on_the_router_is_missing_drift_but_a_new_protocol_is_not():
    both = web("both")
    result = plan(both, [router_row("*5", both[0]), MAIL])
    assert [op.action for op in result.operations] == ["add"]
    assert drift_of(result) == [("missing", both[1].key, None, ())]
    assert result.drift[0].message == (
        "hairpin:dstnat:web:udp is missing on the router, while the other rules of service web are as written"
    )
    # tcp -> both in the inventory: the udp rule is new, not missing.
    tcp_only = web("tcp")
    result = plan(both, [router_row("*5", tcp_only[0]), MAIL])
    assert [op.action for op in result.operations] == ["add"]
    assert result.drift == []


def test_a_second_copy_of_an_owned_rule_is_duplicate_drift():
    desired = web()
    current = [router_row("*5", desired[0]), router_row("*9", desired[0])]
    result = plan(desired, current)
    assert result.operations == [Operation("remove", desired[0].key, "*9")]
    assert drift_of(result) == [("duplicate", desired[0].key, "*9", ())]
    assert result.drift[0].message == "hairpin:dstnat:web:tcp (*9) is a second copy of *5 on the router"
    assert result.drift[0].as_dict() == {
        "rule": "hairpin:dstnat:web:tcp",
        "service": "web",
        "kind": "duplicate",
        "id": "*9",
        "fields": [],
        "message": result.drift[0].message,
    }


@ENGINE_SETTINGS
@given(scenarios())
def test_property_a_table_as_written_has_no_drift_and_an_old_one_never_has(scenario):
    current, desired, state, services = scenario
    # Whatever the table, once the plan is applied the table is as written: no drift, no change.
    after = plan(desired, current, state, services=services).after
    again = plan(desired, after, state, services=services)
    assert again.drift == [] and again.operations == []
    # Rules written without fingerprints: only duplicates can be drift.
    old = [
        dict(row, comment=without_fingerprint(row["comment"])) if isinstance(row.get("comment"), str) else row
        for row in current
    ]
    assert {item.what for item in plan(desired, old, state, services=services).drift} <= {"duplicate"}

"""Import: a hand-made NAT table as the role's variables. The promise checked throughout: the
role, given the variables, makes exactly the rules the import claims (every field but the
comment equal, one rule per claimed row), and every other rule is listed with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.hairpin.routeros.plugins.module_utils.converge import validate_desired
from ansible_collections.hairpin.routeros.plugins.module_utils.hairpins import finish_hairpins
from ansible_collections.hairpin.routeros.plugins.module_utils.importing import import_router, variables_yaml
from ansible_collections.hairpin.routeros.plugins.module_utils.model import NAT_FIELDS, effective_value
from ansible_collections.hairpin.routeros.plugins.module_utils.read import RouterView
from ansible_collections.hairpin.routeros.plugins.module_utils.services import services_desired, services_problems
from ansible_collections.hairpin.routeros.plugins.module_utils.srcnat_cover import finish_masquerades
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import RouterFacts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.router_view import router_view
from tests.support.simulator import memory_router

EXPORTS = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "exports"
# What a row holds that is not configuration.
NOT_CONFIG = {".id", ".nextid", "comment", "dynamic", "invalid", "bytes", "packets"}


def configuration(fields: Any) -> tuple:
    """Every field but the comment, as RouterOS means it (defaults filled in)."""
    names = (set(NAT_FIELDS) | set(fields)) - NOT_CONFIG
    values = {name: effective_value(name, fields.get(name)) for name in names}
    # RouterOS keeps a packet's port when dst-nat has no to-ports: for one port, that port.
    if values.get("action") == "dst-nat" and values.get("to-ports") is None and str(values.get("dst-port")).isdigit():
        values["to-ports"] = values["dst-port"]
    return tuple(sorted((name, value) for name, value in values.items() if value is not None))


def role_rules(view: RouterView, variables: dict) -> list:
    """The rules the role makes for the variables on this router, as its task would."""
    params = {name.removeprefix("hairpin_"): value for name, value in variables.items()}
    params.update(purge=True)
    params.setdefault("lan_subnets", [])
    assert services_problems(params) == []
    desired = services_desired(params)
    finish_hairpins(desired, view)
    finish_masquerades(desired, view)
    assert [error.text for error in desired.errors] == []
    assert validate_desired(desired, view.facts, None) == []
    return desired.rules()


def assert_round_trip(view: RouterView, found: dict) -> None:
    rules = role_rules(view, found["variables"])
    claimed = [view.nat[entry["position"]] for entry in found["expressed"]]
    assert sorted(configuration(rule.fields) for rule in rules) == sorted(configuration(row) for row in claimed)
    positions = [entry["position"] for entry in found["expressed"] + found["unexpressed"]]
    assert sorted(positions) == list(range(len(view.nat)))
    for entry in found["unexpressed"]:
        assert entry["reason"] and entry[".id"] == view.nat[entry["position"]].get(".id")
        assert entry["rule"].startswith(str(entry["position"]))
    # Services in table order: the first claimed row of each comes in the order of the services.
    first = {}
    for entry in found["expressed"]:
        first.setdefault(entry["service"], entry["position"])
    names = [service["name"] for service in found["variables"]["hairpin_services"]]
    assert sorted(names, key=first.__getitem__) == names
    assert set(first) >= set(names)


@pytest.fixture(scope="module")
def corpus_views() -> dict[str, RouterView]:
    return {path.name: router_view(memory_router(path)) for path in sorted(EXPORTS.glob("*.rsc"))}


def test_every_export_of_the_corpus_round_trips(corpus_views):
    for export, view in corpus_views.items():
        assert_round_trip(view, import_router(view)), export


def test_the_written_file_holds_exactly_the_variables_and_names_every_rule_left(corpus_views):
    for view in corpus_views.values():
        found = import_router(view)
        text = variables_yaml("192.0.2.1", found)
        assert yaml.safe_load(text) == found["variables"]
        for entry in found["unexpressed"]:
            assert "#   " + " ".join(entry["rule"].split()) in text


def test_a_forward_with_its_host_port_is_imported_with_its_name_from_the_comment(corpus_views):
    found = import_router(corpus_views["ros7-crs326-router-nonascii.rsc"])
    assert found["variables"]["hairpin_services"] == [
        {"name": "tcp-37777", "protocol": "tcp", "port": "37777", "host": "10.0.40.64"},
        {
            "name": "uberwachungskamera-garage-rtsp-fur-die-app",
            "protocol": "tcp",
            "port": "8554",
            "host": "10.0.40.65",
            "host_port": "554",
        },
    ]
    assert found["variables"]["hairpin_public_address"] == "198.51.100.90"
    reasons = {entry["position"]: entry["reason"] for entry in found["unexpressed"]}
    assert 1 not in reasons and "disabled" in reasons[2]


def test_forwards_behind_a_jump_are_left_with_their_chain_named(corpus_views):
    found = import_router(corpus_views["ros7-rb3011-handmade-nat.rsc"])
    assert found["variables"]["hairpin_services"] == [] and found["expressed"] == []
    smtp = next(entry for entry in found["unexpressed"] if "mail: SMTP" in entry["rule"])
    assert "chain wan-forwards" in smtp["reason"]
    assert "dst-address=203.0.113.51" in smtp["rule"] and ";;; mail: SMTP" in smtp["rule"]


def test_the_defconf_masquerade_is_counted_by_auto_and_left_foreign(corpus_views):
    found = import_router(corpus_views["ros7-hap-ax2-defconf.rsc"])
    assert found["variables"]["hairpin_wan_interface_list"] == "WAN"
    assert found["variables"]["hairpin_masquerade"] == "auto"
    (entry,) = found["unexpressed"]
    assert "own masquerade" in entry["reason"]


# A hand-made table of a small router: ether1 the WAN (member of WAN), bridge the LAN.
FACTS = RouterFacts(
    interfaces=frozenset({"ether1", "bridge"}),
    interface_lists=frozenset({"WAN", "LAN"}),
    addresses=frozenset({"192.168.88.1/24", "203.0.113.5/24"}),
    services={"www": 80, "winbox": 8291},
)
MEMBERS = {"WAN": frozenset({"ether1"}), "LAN": frozenset({"bridge"})}
NETWORKS = {"bridge": ["192.168.88.0/24"], "ether1": ["203.0.113.0/24"]}
DEFCONF = {
    "chain": "srcnat",
    "action": "masquerade",
    "out-interface-list": "WAN",
    "ipsec-policy": "out,none",
    "comment": "defconf: masquerade",
}


def view_of(rows: list[dict]) -> RouterView:
    nat = [dict(row, **{".id": "*%X" % (index + 1)}) for index, row in enumerate(rows)]
    return RouterView(nat, FACTS, dict(NETWORKS), dict(MEMBERS))


def forward(port="443", host="192.168.88.10", protocol="tcp", **more):
    row = {"chain": "dstnat", "action": "dst-nat", "protocol": protocol, "dst-port": port, "to-addresses": host}
    row.update({"dst-address": "203.0.113.5", "to-ports": port})
    row.update(more)
    return {name: value for name, value in row.items() if value is not None}


def hairpin(port="443", host="192.168.88.10", protocol="tcp", subnet="192.168.88.0/24"):
    return {
        "chain": "srcnat",
        "action": "masquerade",
        "protocol": protocol,
        "src-address": subnet,
        "dst-address": host,
        "dst-port": port,
        "out-interface": "bridge",
    }


def test_tcp_and_udp_twins_are_one_service_of_protocol_both():
    view = view_of([forward("51413", protocol="tcp"), forward("51413", protocol="udp"), DEFCONF])
    found = import_router(view)
    assert_round_trip(view, found)
    assert [(s["protocol"], s["port"]) for s in found["variables"]["hairpin_services"]] == [("both", "51413")]


def test_per_service_hairpin_rules_give_the_mode_and_the_lan():
    rows = [
        hairpin(),
        forward(comment="web"),
        forward("22", "192.168.88.11", comment="ssh", **{"in-interface": "ether1"}),
    ]
    view = view_of([*rows, DEFCONF])
    found = import_router(view)
    assert_round_trip(view, found)
    variables = found["variables"]
    assert variables["hairpin_mode"] == "per_service" and variables["hairpin_lan_interface"] == "bridge"
    assert variables["hairpin_wan_interface"] == "ether1" and variables["hairpin_masquerade"] == "auto"
    assert [(s["name"], s.get("hairpin")) for s in variables["hairpin_services"]] == [("web", None), ("ssh", False)]
    assert len(found["expressed"]) == 3


def test_hairpin_rules_for_a_subnet_the_router_has_no_address_in_give_the_lan_subnets():
    view = view_of([forward(), hairpin(subnet="192.168.0.0/16")])
    found = import_router(view)
    assert_round_trip(view, found)
    assert found["variables"]["hairpin_lan_subnets"] == ["192.168.0.0/16"]
    assert len(found["expressed"]) == 2


def test_a_second_public_address_is_left_with_the_one_chosen_named():
    view = view_of([forward("80"), forward("443"), forward("25", **{"dst-address": "203.0.113.6"})])
    found = import_router(view)
    assert_round_trip(view, found)
    (left,) = found["unexpressed"]
    assert left["position"] == 2 and "dst-address=203.0.113.5" in left["reason"]


def test_a_static_dns_name_of_the_host_becomes_its_dns_name():
    view = view_of([forward()])
    view.entries["dns_static"] = [{".id": "*1", "name": "Cloud.Example.NET", "address": "192.168.88.10"}]
    found = import_router(view)
    assert found["variables"]["hairpin_services"][0]["dns_name"] == "cloud.example.net"
    assert_round_trip(view, found)


def test_a_forward_limited_to_some_sources_keeps_them_as_the_services_sources():
    rows = [
        forward("22", **{"src-address": "198.51.100.0/24", "comment": "ssh"}),
        forward("8443", "192.168.88.11", **{"src-address-list": "office", "comment": "admin"}),
        forward("25", "192.168.88.12", **{"src-address": "!10.0.0.0/8"}),
    ]
    view = view_of(rows)
    found = import_router(view)
    assert_round_trip(view, found)
    services = {s["name"]: s for s in found["variables"]["hairpin_services"]}
    assert services["ssh"]["sources"] == ["198.51.100.0/24"]
    assert services["admin"]["source_address_list"] == "office"
    (left,) = found["unexpressed"]
    assert left["position"] == 2 and "src-address !10.0.0.0/8" in left["reason"]


HOSTS = ["192.168.88.10", "192.168.88.11", "10.9.0.5", "192.168.88.255"]
PORTS = ["80", "443", "8000-8010", "0-1", "53"]
rows_strategy = st.lists(
    st.one_of(
        st.builds(
            forward,
            port=st.sampled_from(PORTS),
            host=st.sampled_from(HOSTS),
            protocol=st.sampled_from(["tcp", "udp", "icmp"]),
            **{
                "dst-address": st.sampled_from(["203.0.113.5", "203.0.113.6", None]),
                "dst-address-type": st.sampled_from([None, None, "local"]),
                "dst-address-list": st.sampled_from([None, None, "public"]),
                "in-interface": st.sampled_from([None, "ether1", "bridge"]),
                "in-interface-list": st.sampled_from([None, None, "WAN"]),
                "to-ports": st.sampled_from([None, "8080", "443", "8000-8010"]),
                "disabled": st.sampled_from([None, "false", "true"]),
                "src-address-list": st.sampled_from([None, None, None, "trusted", "hairpin-src-web"]),
                "src-address": st.sampled_from([None, None, None, "198.51.100.0/24", "198.51.100.7", "!10.0.0.0/8"]),
                "comment": st.sampled_from([None, "web", "web", "Überwachung", "家庭"]),
            },
        ),
        st.builds(
            hairpin,
            port=st.sampled_from([*PORTS, "8080"]),
            host=st.sampled_from(HOSTS),
            protocol=st.sampled_from(["tcp", "udp"]),
            subnet=st.sampled_from(["192.168.88.0/24", "192.168.88.0/24", "192.168.0.0/16"]),
        ),
        st.just(DEFCONF),
        st.just({"chain": "srcnat", "action": "masquerade", "out-interface": "ether1"}),
        st.just(
            {
                "chain": "srcnat",
                "action": "masquerade",
                "src-address": "192.168.88.0/24",
                "dst-address": "192.168.88.0/24",
                "out-interface": "bridge",
            }
        ),
        st.just({"chain": "dstnat", "action": "redirect", "protocol": "udp", "dst-port": "53", "to-ports": "53"}),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy)
def test_any_hand_made_table_round_trips(rows):
    view = view_of(rows)
    found = import_router(view)
    assert_round_trip(view, found)
    assert yaml.safe_load(variables_yaml("192.0.2.1", found)) == found["variables"]

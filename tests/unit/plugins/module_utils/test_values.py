# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one parser of each kind of value (values.py): what it accepts, its canonical forms, and
the messages its checks give."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils.values import (
    address_list_name_problem,
    address_span,
    dns_name_problem,
    first_address,
    first_port,
    host_port_problem,
    in_address_span,
    ip_address,
    ip_network,
    is_dns_name,
    is_name,
    is_true,
    list_address_problem,
    name_problem,
    normalize_address,
    normalize_dns_name,
    normalize_flag,
    normalize_list_address,
    normalize_ports,
    parse_flag,
    port_problem,
    port_range,
    port_span,
    port_spans,
    router_name_problem,
    subnet_problem,
    unicast_problem,
)
from hypothesis import given
from hypothesis import strategies as st

# --- flags --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        (True, True),
        ("yes", True),
        ("TRUE", True),
        (" true ", True),
        (False, False),
        ("no", False),
        ("False", False),
        (None, None),
        ("", None),
        ("maybe", None),
        (1, None),
    ],
)
def test_flags_in_every_spelling_routeros_and_librouteros_use(raw, flag):
    assert parse_flag(raw) is flag
    assert is_true(raw) is (flag is True)


def test_a_flag_normalises_to_what_routeros_prints():
    assert [normalize_flag(v) for v in ("yes", True, "no", False, "Other")] == [
        "true",
        "true",
        "false",
        "false",
        "other",
    ]


# --- addresses ----------------------------------------------------------------------------------


def test_ipv4_and_ipv6_addresses_and_networks():
    assert ip_address("192.168.1.2") == IPv4Address("192.168.1.2")
    assert ip_address("2001:db8::1") == IPv6Address("2001:db8::1")
    assert ip_address("192.168.1.300") is None
    assert str(ip_network("2001:db8::1/64")) == "2001:db8::/64"
    assert str(ip_network("192.168.1.7/24")) == "192.168.1.0/24"
    assert ip_network("host") is None


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("192.168.1.7/24", "192.168.1.0/24"),
        ("192.168.1.7/32", "192.168.1.7"),
        ("10.0.0.1-10.0.0.1", "10.0.0.1"),
        ("!10.0.0.0/8", "!10.0.0.0/8"),
        (" 203.0.113.1 ", "203.0.113.1"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_address_matches_normalise_as_routeros_prints_them(raw, canonical):
    assert normalize_address(raw) == canonical


def test_address_spans_of_an_address_a_range_and_a_network():
    assert address_span("10.0.0.5") == (IPv4Address("10.0.0.5"), IPv4Address("10.0.0.5"))
    assert address_span("10.0.0.1-10.0.0.9") == (IPv4Address("10.0.0.1"), IPv4Address("10.0.0.9"))
    assert address_span("10.0.0.0/30") == (IPv4Address("10.0.0.0"), IPv4Address("10.0.0.3"))
    assert address_span("10.0.0.1-x") is None
    assert in_address_span("192.168.88.0/24", IPv4Address("192.168.88.20")) is True
    assert in_address_span("192.168.88.0/24", IPv4Address("192.168.89.20")) is False
    assert in_address_span("LAN", IPv4Address("192.168.88.20")) is None
    assert first_address("192.168.88.1/24") == IPv4Address("192.168.88.1")
    assert first_address("10.0.0.1-10.0.0.9") == IPv4Address("10.0.0.1")


@given(st.integers(0, 2**32 - 1), st.integers(0, 32))
def test_a_network_holds_exactly_the_addresses_of_its_span(number, prefix):
    address = IPv4Address(number)
    text = f"{address}/{prefix}"
    low, high = address_span(text)
    assert low <= address <= high
    assert int(high) - int(low) + 1 == 2 ** (32 - prefix)
    assert normalize_address(normalize_address(text)) == normalize_address(text)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("192.168.1.2", None),
        ("224.0.0.1", "224.0.0.1 is not a unicast IPv4 host address (multicast)"),
        ("0.1.2.3", "0.1.2.3 is not a unicast IPv4 host address (this network)"),
        ("127.0.0.1", "127.0.0.1 is not a unicast IPv4 host address (loopback)"),
        ("192.168.1.300", "'192.168.1.300' is not an IPv4 address"),
    ],
)
def test_unicast_problem(value, problem):
    assert unicast_problem(value) == problem


def test_unicast_problem_without_the_reason():
    assert unicast_problem("224.0.0.1", detail=False) == "224.0.0.1 is not a unicast IPv4 host address"


def test_subnet_needs_the_prefix():
    assert subnet_problem("192.168.88.0/24") is None
    assert (
        subnet_problem("192.168.88.1") == "'192.168.88.1' is not an IPv4 subnet (address/prefix, e.g. 192.168.88.0/24)"
    )
    assert subnet_problem("192.168.1.0/33") is not None


# --- ports --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("80-80", "80"), ("0080", "80"), (80, "80"), ("80,443-443", "80,443"), ("!80", "!80"), ("http", "http")],
)
def test_port_lists_normalise_as_routeros_prints_them(raw, canonical):
    assert normalize_ports(raw) == canonical


def test_port_spans_of_a_routeros_port_list():
    assert port_spans("80,443,8000-8010") == [(80, 80), (443, 443), (8000, 8010)]
    assert port_spans("80,http") is None
    assert port_span("8000-8010") == (8000, 8010)
    assert port_span(True) is None


@pytest.mark.parametrize(
    ("spec", "port"),
    [("80", 80), ("8000-8080", 8000), ("443,80", 443), ("8000-8010,80", 8000), (8291, 8291)],
)
def test_the_first_port_of_a_port_list(spec, port):
    assert first_port(spec) == port


@pytest.mark.parametrize("spec", ["", "http", ",80", "!80", True, None])
def test_a_port_list_that_starts_with_no_port_has_no_first_port(spec):
    assert first_port(spec) is None


@given(st.integers(1, 65535), st.integers(1, 65535))
def test_a_valid_range_parses_back_to_its_numbers(low, high):
    text = f"{low}-{high}"
    if low <= high:
        assert port_range(text) == (low, high)
        assert port_problem(text) is None
    else:
        assert port_range(text) is None
        assert port_problem(text) == f"{text} is not a port range: N-M needs N <= M"


def test_port_problems_name_the_bad_number():
    assert port_problem("70000") == "70000 is not a port (1-65535)"
    assert port_problem("0") == "0 is not a port (1-65535)"
    assert port_problem("") == "'' is not a port (1-65535) or a port range (N-M)"
    assert host_port_problem("8000-8010", "8000-8010") is None
    assert host_port_problem("80", "8000-8010") is None
    assert host_port_problem("9000-9010", "8000-8010") == (
        "9000-9010 is a different port range than port 8000-8010; a range can only be forwarded to the same "
        "range or to a single port"
    )


# --- names --------------------------------------------------------------------------------------


def test_service_names():
    assert is_name("web-1.example_x")
    assert not is_name("bad name")
    assert not is_name("-web")
    assert not is_name("x" * 65)
    assert name_problem("bad name").startswith("'bad name' is not a valid name (1-64 characters")


def test_router_names():
    assert router_name_problem("ether1") is None
    assert router_name_problem(" ") == "' ' is not a name"
    assert "a newline" in router_name_problem("a\nb")
    assert address_list_name_problem("WAN-IP") is None
    assert address_list_name_problem("WAN IP") == "'WAN IP' is not an address list name"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("www.example.net", True),
        ("www.example.net.", True),
        ("_sip._tcp.example.net", True),
        ("1.2.3.4", False),
        ("bad name", False),
        ("-x.example.net", False),
        ("a" * 64 + ".net", False),
    ],
)
def test_dns_names(value, ok):
    assert is_dns_name(value) is ok
    assert (dns_name_problem(value) is None) is ok


def test_dns_name_messages_and_keys():
    assert dns_name_problem("1.2.3.4") == "'1.2.3.4' is not a DNS name"
    assert dns_name_problem("bad name").startswith("'bad name' is not a DNS name (dot-separated labels")
    assert normalize_dns_name("WWW.Example.NET.") == "www.example.net"


def test_address_list_addresses():
    assert list_address_problem("gw.example.net") is None
    assert list_address_problem("10.0.0.0/8") is None
    assert list_address_problem("10.0.0.1-10.0.0.9") is None
    assert list_address_problem("10.0.0.300") == "'10.0.0.300' is not an IPv4 address"
    assert list_address_problem("10.0.0.1-10.0.0") == "'10.0.0.1-10.0.0' is not an IPv4 range (A-B)"
    assert normalize_list_address("GW.Example.net") == "gw.example.net"
    assert normalize_list_address("10.0.0.7/32") == "10.0.0.7"

"""The role's inventory checks (filter hairpin.routeros.inventory_problems)."""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.filter.inventory import FilterModule, inventory_problems

GOOD = {
    "host": "gw",
    "public_address": "203.0.113.1",
    "wan_interface": "ether1",
    "lan_interface": "bridge",
    "lan_subnets": [],
    "masquerade": True,
    "mode": "per_service",
    "services": [{"name": "web", "protocol": "tcp", "port": 80, "host": "192.168.1.2", "state": "present"}],
    "hairpinned": ["web"],
}


def problems(**changes):
    return inventory_problems(dict(GOOD, **changes))


def service(**changes):
    return dict(GOOD["services"][0], **changes)


def test_a_good_inventory_has_no_problem():
    assert problems() == []
    assert FilterModule().filters()["inventory_problems"] is inventory_problems


def test_each_message_names_host_service_and_field():
    assert problems(services=[service(port=70000)]) == [
        "host 'gw': service 'web': field 'port': 70000 is not a port (1-65535)"
    ]
    assert problems(services=[service(host="192.168.1.300")]) == [
        "host 'gw': service 'web': field 'host': '192.168.1.300' is not an IPv4 address"
    ]
    assert problems(services=[service(port="90-80")]) == [
        "host 'gw': service 'web': field 'port': 90-80 is not a port range: N-M needs N <= M"
    ]


def test_settings_between_variables():
    assert problems(public_address="local") == []
    assert problems(public_address={"ddns_name": "home.example.net"}) == []
    assert problems(public_address={"ddns_name": "1.2.3.4"}) == [
        "host 'gw': field 'hairpin_public_address.ddns_name': '1.2.3.4' is not a DNS name"
    ]
    assert problems(public_address="224.0.0.1") == [
        "host 'gw': field 'hairpin_public_address': 224.0.0.1 is not a unicast IPv4 host address"
    ]
    assert problems(wan_interface=None) == [
        "host 'gw': field 'hairpin_wan_interface': hairpin_masquerade is true, so hairpin_wan_interface or "
        "hairpin_wan_interface_list is needed"
    ]
    assert problems(lan_interface=None)[0].startswith(
        "host 'gw': field 'hairpin_lan_interface': hairpin_mode per_service"
    )
    assert problems(lan_subnets=["192.168.1.0/33"]) == [
        "host 'gw': field 'hairpin_lan_subnets': '192.168.1.0/33' is not an IPv4 subnet (address/prefix, e.g. "
        "192.168.88.0/24)"
    ]


def test_services_against_each_other():
    twice = [service(), service(port=81)]
    assert problems(services=twice) == [
        "host 'gw': service 'web': field 'name': 'web' is defined 2 times in hairpin_services; names must be unique"
    ]
    overlap = [service(protocol="both", port="80-90"), service(name="alt", protocol="udp", port=85)]
    assert problems(services=overlap) == [
        "host 'gw': service 'alt': field 'port': udp port 85 is already published by service 'web' (udp port 80-90)"
    ]
    split = [
        service(dns_name="www.example.net"),
        service(name="b", port=81, host="192.168.1.3", dns_name="WWW.example.net."),
    ]
    assert problems(mode="split_dns", services=split) == [
        "host 'gw': service 'b': field 'dns_name': www.example.net is also the name of service 'web' at 192.168.1.2; "
        "split DNS answers a name with one address"
    ]
    absent = [service(host=None, port=None, state="absent")]
    assert problems(services=absent) == []

"""The services model (module hairpin.routeros.services, the hairpin role's one task): the
checks between options, and the NAT engine's work they turn into."""

from __future__ import annotations

from ansible_collections.hairpin.routeros.plugins.module_utils.desired import AutoHairpin
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import address_list_entry, dns_entry
from ansible_collections.hairpin.routeros.plugins.module_utils.hairpins import finish_hairpins
from ansible_collections.hairpin.routeros.plugins.module_utils.model import Masquerade, PortForward
from ansible_collections.hairpin.routeros.plugins.module_utils.services import (
    DDNS_LIST,
    services_desired,
    services_problems,
)

WEB = {"name": "web", "protocol": "tcp", "port": "80", "host": "192.168.1.2", "state": "present"}
GOOD = {
    "public_address": "203.0.113.1",
    "wan_interface": "ether1",
    "lan_interface": "bridge",
    "lan_subnets": [],
    "masquerade": True,
    "purge": True,
    "mode": "per_service",
    "services": [WEB],
}


def settings(**changes):
    return dict(GOOD, **changes)


def problems(**changes):
    return services_problems(settings(**changes), "gw")


def service(**changes):
    return dict(WEB, **changes)


# ---------------------------------------------------------------------------------------------
# Problems


def test_good_options_have_no_problem():
    assert problems() == []
    assert problems(public_address="local") == []
    assert problems(public_address={"ddns_name": "home.example.net"}) == []
    assert problems(public_address={"address_list": "WAN-IP"}) == []


def test_each_message_names_host_service_and_field():
    assert problems(services=[service(port="70000")]) == [
        "host 'gw': service 'web': field 'port': 70000 is not a port (1-65535)"
    ]
    assert problems(services=[service(host="192.168.1.300")]) == [
        "host 'gw': service 'web': field 'host': '192.168.1.300' is not an IPv4 address"
    ]
    assert problems(services=[service(port="90-80")]) == [
        "host 'gw': service 'web': field 'port': 90-80 is not a port range: N-M needs N <= M"
    ]
    assert problems(services=[service(port=None, host=None)]) == [
        "host 'gw': service 'web': field 'port': is required (the public port, N or N-M)",
        "host 'gw': service 'web': field 'host': is required (the server's IPv4 address)",
    ]
    # Without a host, the messages start at the service.
    assert services_problems(settings(services=[service(host="10.0.0.256")])) == [
        "service 'web': field 'host': '10.0.0.256' is not an IPv4 address"
    ]


def test_settings_against_each_other():
    assert problems(public_address={"ddns_name": "1.2.3.4"}) == [
        "host 'gw': field 'public_address.ddns_name': '1.2.3.4' is not a DNS name"
    ]
    assert problems(public_address={"ddns_name": "a", "address_list": "b"}) == [
        "host 'gw': field 'public_address': a mapping must have exactly one key, address_list or ddns_name, not "
        "ddns_name, address_list"
    ]
    assert problems(public_address="224.0.0.1") == [
        "host 'gw': field 'public_address': 224.0.0.1 is not a unicast IPv4 host address"
    ]
    assert problems(wan_interface=None) == [
        "host 'gw': field 'wan_interface': masquerade is true, so wan_interface or wan_interface_list is needed"
    ]
    assert problems(wan_interface=None, masquerade=False) == []
    assert problems(wan_interface=None, masquerade="auto") == [
        "host 'gw': field 'wan_interface': masquerade is auto, so wan_interface or wan_interface_list is needed"
    ]
    assert problems(masquerade="sometimes") == ["host 'gw': field 'masquerade': 'sometimes' is not auto, true or false"]
    assert problems(wan_interface_list="WAN") == [
        "host 'gw': field 'wan_interface_list': cannot be combined with 'wan_interface'; give only one"
    ]
    assert problems(lan_interface=None) == [
        "host 'gw': field 'lan_interface': mode per_service makes hairpin rules (services web), so lan_interface "
        "or lan_interface_list is needed"
    ]
    assert problems(lan_interface=None, mode="split_dns") == []
    assert problems(lan_subnets=["192.168.1.0/33"]) == [
        "host 'gw': field 'lan_subnets': '192.168.1.0/33' is not an IPv4 subnet (address/prefix, e.g. 192.168.88.0/24)"
    ]
    assert problems(mode="subnet", services=[service(hairpin=False)]) == [
        "host 'gw': service 'web': field 'hairpin': false has no effect with mode subnet, whose rule covers every "
        "host of the subnet; remove it or choose mode per_service"
    ]


def test_services_against_each_other():
    assert problems(services=[service(), service(port="81")]) == [
        "host 'gw': service 'web': field 'name': 'web' is defined 2 times in services; names must be unique"
    ]
    overlap = [service(protocol="both", port="80-90"), service(name="alt", protocol="udp", port="85")]
    assert problems(services=overlap) == [
        "host 'gw': service 'alt': field 'port': udp port 85 is already published by service 'web' (udp port 80-90)"
    ]
    # An absent service publishes nothing, so it takes no port.
    assert problems(services=[service(), service(name="old", state="absent")]) == []
    assert problems(services=[service(), service(name="old", port="80", state="absent")]) == []
    split = [
        service(dns_name="www.example.net"),
        service(name="b", port="81", host="192.168.1.3", dns_name="WWW.example.net."),
    ]
    assert problems(mode="split_dns", services=split) == [
        "host 'gw': service 'b': field 'dns_name': www.example.net is also the name of service 'web' at "
        "192.168.1.2; split DNS answers a name with one address"
    ]


def test_every_problem_is_reported_at_once():
    found = problems(wan_interface=None, services=[service(port="0", host="10.0.0.300"), service(name="bad name")])
    assert len(found) == 4


# ---------------------------------------------------------------------------------------------
# Options -> the NAT engine's work


def test_per_service_hairpins_each_service_and_masquerades_the_wan():
    desired = services_desired(settings(lan_subnets=["192.168.1.0/24"]))
    assert desired.state == "overridden"
    web = PortForward(name="web", protocol="tcp", port="80", host="192.168.1.2", public_address="203.0.113.1")
    assert desired.port_forwards == [web]
    assert desired.auto_hairpin_for == [web]
    assert desired.masquerades == [Masquerade(out_interface="ether1", ipsec_policy="out,none")]
    assert desired.auto_hairpin == AutoHairpin("per_service", lan_interface="bridge", lan_subnets=("192.168.1.0/24",))
    # The services the call names: nothing removed.
    assert desired.services == ["web", "ether1"]
    # The DDNS entry and split DNS are managed as "none" so that earlier ones go with purge; so
    # are the default routes of several WANs, so that those of WANs that left go too.
    assert [(job.section.option, job.entries, job.state) for job in desired.entry_jobs] == [
        ("address_lists", [], "overridden"),
        ("dns_static", [], "overridden"),
        ("routes", [], "overridden"),
    ]


def test_a_forward_without_hairpin_only_matches_the_wan():
    desired = services_desired(settings(mode="none", wan_interface=None, wan_interface_list="WAN", masquerade=True))
    assert desired.auto_hairpin_for == []
    assert desired.port_forwards[0].in_interface_list == "WAN"
    assert desired.masquerades == [Masquerade(out_interface_list="WAN", ipsec_policy="out,none")]
    assert desired.auto_hairpin == AutoHairpin("none")
    # A service's own hairpin: true wins over the mode.
    desired = services_desired(settings(mode="none", services=[service(hairpin=True), service(name="b", port="81")]))
    assert [forward.name for forward in desired.auto_hairpin_for] == ["web"]
    assert desired.port_forwards[0].in_interface is None
    assert desired.port_forwards[1].in_interface == "ether1"
    assert desired.auto_hairpin == AutoHairpin("per_service", lan_interface="bridge")


def test_subnet_mode_and_the_public_side():
    desired = services_desired(
        settings(mode="subnet", public_address="local", lan_interface_list="LAN", lan_interface=None)
    )
    assert desired.auto_hairpin == AutoHairpin("subnet", lan_interface_list="LAN")
    assert desired.port_forwards[0].public_local is True
    desired = services_desired(settings(public_address={"address_list": "WAN-IP"}, masquerade=False, services=[]))
    assert desired.port_forwards == [] and desired.masquerades == []
    assert desired.auto_hairpin == AutoHairpin("none")
    desired = services_desired(
        settings(public_address={"ddns_name": "gw.example.net"}, services=[service(host_port="8080")])
    )
    assert desired.port_forwards[0].public_address_list == DDNS_LIST
    assert desired.port_forwards[0].host_port == "8080"
    assert desired.entry_jobs[0].entries == [address_list_entry(DDNS_LIST, "gw.example.net")]


def test_split_dns_one_entry_per_name():
    shared = [
        service(dns_name="WWW.example.net."),
        service(name="alt", port="8080", dns_name="www.example.net"),
        service(name="mail", port="25", host="192.168.1.3", dns_name="mail.example.net"),
    ]
    desired = services_desired(settings(mode="split_dns", services=shared))
    assert desired.auto_hairpin == AutoHairpin("none")
    dns = [job for job in desired.entry_jobs if job.section.option == "dns_static"]
    assert [(job.entries, job.state) for job in dns] == [
        (
            [
                dns_entry("www.example.net", "192.168.1.2", "service web"),
                dns_entry("mail.example.net", "192.168.1.3", "service mail"),
            ],
            "overridden",
        )
    ]


def test_without_purge_only_absent_services_go():
    services = [
        service(dns_name="www.example.net"),
        service(name="old", state="absent", dns_name="old.example.net"),
        service(name="alias", state="absent", dns_name="www.example.net"),
    ]
    desired = services_desired(settings(purge=False, mode="split_dns", services=services))
    assert desired.state == "replaced"
    assert [forward.name for forward in desired.port_forwards] == ["web"]
    # The absent services are named, so their owned rules go.
    assert desired.services == ["web", "ether1", "old", "alias"]
    dns = [(job.entries, job.state) for job in desired.entry_jobs if job.section.option == "dns_static"]
    # A name a present service still uses stays; the deleted job comes first.
    assert dns == [
        ([dns_entry("old.example.net")], "deleted"),
        ([dns_entry("www.example.net", "192.168.1.2", "service web")], "merged"),
    ]
    # Without purge and without split DNS, static DNS is left alone.
    desired = services_desired(settings(purge=False))
    assert [job.section.option for job in desired.entry_jobs] == ["address_lists"]
    assert desired.entry_jobs[0].state == "replaced"


def test_masquerade_auto_waits_for_the_router_and_yes_no_words_are_flags():
    desired = services_desired(settings(masquerade="auto"))
    assert desired.masquerades == []
    assert desired.auto_masquerades == [Masquerade(out_interface="ether1", ipsec_policy="out,none")]
    # Named either way, so an owned masquerade from an earlier run goes where a cover exists.
    assert "ether1" in desired.services
    assert services_desired(settings(masquerade="yes")).masquerades == desired.auto_masquerades
    assert services_desired(settings(masquerade="no")).masquerades == []


def test_an_unknown_variable_is_named_with_the_nearest_known_one():
    found = problems(from_variables="hairpin", unknown_variables=["hairpin_servics", "hairpin_zzz"])
    assert found == [
        "host 'gw': variable 'hairpin_servics' is not a variable of the hairpin role (did you mean hairpin_services?)",
        "host 'gw': variable 'hairpin_zzz' is not a variable of the hairpin role",
    ]
    # Without from_variables there are no variables to be wrong about.
    assert problems(unknown_variables=["hairpin_servics"]) == []


def test_only_variables_no_option_reads_are_unknown():
    from ansible_collections.hairpin.routeros.plugins.module_utils.options import unknown_variables

    names = ["hairpin_services", "hairpin_api_ca_path", "hairpin_hosts", "hairpin_result", "other", "hairpin_servics"]
    assert unknown_variables("hairpin", names) == ["hairpin_servics"]
    assert unknown_variables("edge", ["edge_mode", "edge_lan_subnet", "hairpin_x"]) == ["edge_lan_subnet"]


def test_max_removals_is_a_count():
    assert problems(max_removals=0) == []
    assert problems(max_removals=-1, from_variables="hairpin") == [
        "host 'gw': variable 'hairpin_max_removals': -1 is not a number of port forwards (0 or more)"
    ]


# ---------------------------------------------------------------------------------------------
# Source limits


def test_source_limits_are_checked_naming_host_service_and_field():
    assert problems(services=[service(sources=["198.51.100.0/24", "203.0.113.7"])]) == []
    assert problems(services=[service(source_address_list="office")]) == []
    assert problems(services=[service(sources=["198.51.100.0/24"], source_address_list="office")]) == [
        "host 'gw': service 'web': field 'source_address_list': cannot be combined with 'sources'; give only one"
    ]
    assert problems(services=[service(sources=["198.51.100.0/33", "example.net", "198.51.100"])]) == [
        "host 'gw': service 'web': field 'sources': '198.51.100.0/33' is not an IPv4 address or network "
        "(e.g. 198.51.100.0/24)",
        "host 'gw': service 'web': field 'sources': 'example.net' is not an IPv4 address or network "
        "(e.g. 198.51.100.0/24)",
        "host 'gw': service 'web': field 'sources': '198.51.100' is not an IPv4 address or network "
        "(e.g. 198.51.100.0/24)",
    ]
    assert problems(services=[service(sources=[])]) == [
        "host 'gw': service 'web': field 'sources': an empty list admits no client; leave the field out to "
        "publish to everyone"
    ]
    assert problems(services=[service(sources=["198.51.100.7", "198.51.100.7/32"])]) == [
        "host 'gw': service 'web': field 'sources': 198.51.100.7/32 is the same source as 198.51.100.7"
    ]
    assert problems(services=[service(source_address_list="hairpin-src-web")]) == [
        "host 'gw': service 'web': field 'source_address_list': lists named hairpin-src-... are the ones hairpin "
        "keeps for services' sources"
    ]
    long_name = "s" * 53
    assert problems(services=[service(name=long_name, sources=["198.51.100.1", "198.51.100.2"])]) == [
        f"host 'gw': service '{long_name}': field 'sources': several sources are kept in the address list "
        f"hairpin-src-{long_name}, longer than 64 characters; give the service a name of at most 52 characters"
    ]
    # One source needs no list, so the name may be as long as any.
    assert problems(services=[service(name=long_name, sources=["198.51.100.1"])]) == []


def test_one_source_is_the_forwards_src_address_several_are_an_owned_list():
    desired = services_desired(settings(services=[service(sources=["198.51.100.7/32"])]))
    assert desired.port_forwards[0].src_address == "198.51.100.7"
    assert desired.port_forwards[0].src_address_list is None
    assert desired.port_forwards[0].rules()[0].fields["src-address"] == "198.51.100.7"
    assert desired.sources == {"web": ("198.51.100.7",)}
    assert desired.entry_jobs[0].entries == []

    desired = services_desired(settings(services=[service(sources=["198.51.100.9/24", "203.0.113.7"])]))
    forward = desired.port_forwards[0]
    assert (forward.src_address, forward.src_address_list) == (None, "hairpin-src-web")
    assert desired.entry_jobs[0].entries == [
        address_list_entry("hairpin-src-web", "198.51.100.0/24", "service web"),
        address_list_entry("hairpin-src-web", "203.0.113.7", "service web"),
    ]

    desired = services_desired(settings(services=[service(source_address_list="office")]))
    assert desired.port_forwards[0].src_address_list == "office"
    assert desired.sources == {}
    assert desired.entry_jobs[0].entries == []


def test_a_service_without_sources_makes_the_same_rules_as_before():
    plain = PortForward(name="web", protocol="tcp", port="80", host="192.168.1.2", public_address="203.0.113.1")
    assert "src-address" not in plain.rules()[0].fields
    assert plain.rules()[0].fields["comment"] == services_desired(settings()).port_forwards[0].rules()[0].comment


def test_a_service_whose_sources_leave_out_the_lan_is_not_hairpinned_and_the_notes_say_so():
    outside = settings(lan_subnets=["192.168.1.0/24"], services=[service(sources=["198.51.100.0/24"])])
    desired = services_desired(outside)
    finish_hairpins(desired, None)
    assert desired.hairpins == []
    assert desired.notes == [
        "service 'web': its sources hold no address of the LAN subnet 192.168.1.0/24, so LAN clients do not reach "
        "it by the public address, and it gets no hairpin rule"
    ]
    # One LAN address among the sources is enough: that client is forwarded, and needs the hairpin rule.
    inside = settings(lan_subnets=["192.168.1.0/24"], services=[service(sources=["198.51.100.0/24", "192.168.1.50"])])
    desired = services_desired(inside)
    finish_hairpins(desired, None)
    assert [hairpin.lan_subnet for hairpin in desired.hairpins] == ["192.168.1.0/24"]
    assert desired.notes == []


# ---------------------------------------------------------------------------------------------
# 1:1 NAT

DMZ = {"name": "dmz", "public_address": "203.0.113.5", "host": "192.168.1.8", "state": "present"}


def test_netmaps_are_checked_naming_host_netmap_and_field():
    assert problems(netmaps=[DMZ]) == []
    assert problems(netmaps=[dict(DMZ, public_address="203.0.113.1")]) == [
        "host 'gw': netmap 'dmz': field 'public_address': 203.0.113.1 is the public address of the services "
        "(public_address); a 1:1 host needs an address of its own, or it takes every port of the services' address"
    ]
    assert problems(netmaps=[dict(DMZ, host=None, public_address="224.0.0.9")]) == [
        "host 'gw': netmap 'dmz': field 'public_address': 224.0.0.9 is not a unicast IPv4 host address",
        "host 'gw': netmap 'dmz': field 'host': is required (the host's LAN address, IPv4)",
    ]
    assert problems(netmaps=[DMZ, dict(DMZ, name="web", public_address="203.0.113.6")]) == [
        "host 'gw': netmap 'web': field 'name': 'web' is also the name of a service; give the netmap its own",
        "host 'gw': netmap 'web': field 'host': 192.168.1.8 is also the host of netmap 'dmz'",
    ]
    assert problems(netmaps=[DMZ], hostname="203.0.113.5") == [
        "host 'gw': netmap 'dmz': field 'public_address': 203.0.113.5 is the address this run connects to; its 1:1 "
        "NAT would send the API to the host"
    ]
    assert problems(netmaps=[DMZ], wan_interface=None, masquerade=False) == [
        "host 'gw': field 'wan_interface': 1:1 NAT (netmaps dmz) translates what leaves the WAN, so wan_interface "
        "or wan_interface_list is needed"
    ]
    assert problems(netmaps=[DMZ], services=[], lan_interface=None) == [
        "host 'gw': field 'lan_interface': mode per_service makes hairpin rules (netmaps dmz), so lan_interface or "
        "lan_interface_list is needed"
    ]
    # An absent entry needs its name only.
    assert problems(netmaps=[{"name": "old", "state": "absent"}]) == []


def test_a_netmap_is_two_netmap_rules_and_a_hairpin_rule_for_its_lan_subnet():
    desired = services_desired(settings(netmaps=[DMZ, {"name": "old", "state": "absent"}], services=[]))
    finish_hairpins(desired, None)
    (netmap,) = desired.netmaps
    inbound, outbound = netmap.rules()
    assert {k: v for k, v in inbound.fields.items() if k != "comment"} == {
        "chain": "dstnat",
        "action": "netmap",
        "dst-address": "203.0.113.5",
        "to-addresses": "192.168.1.8",
    }
    assert {k: v for k, v in outbound.fields.items() if k != "comment"} == {
        "chain": "srcnat",
        "action": "netmap",
        "src-address": "192.168.1.8",
        "out-interface": "ether1",
        "to-addresses": "203.0.113.5",
    }
    assert inbound.comment.startswith("hairpin:netmap-in:dmz ~")
    assert outbound.comment.startswith("hairpin:netmap-out:dmz ~")
    assert [(h.host, h.lan_subnet, h.lan_interface) for h in desired.netmap_hairpins] == []  # no LAN subnet given
    assert desired.services == ["ether1", "dmz", "old"]
    desired = services_desired(settings(netmaps=[DMZ], services=[], lan_subnets=["192.168.1.0/24"]))
    finish_hairpins(desired, None)
    (hairpin,) = desired.netmap_hairpins
    assert {k: v for k, v in hairpin.rules()[0].fields.items() if k != "comment"} == {
        "chain": "srcnat",
        "action": "masquerade",
        "src-address": "192.168.1.0/24",
        "dst-address": "192.168.1.8",
        "out-interface": "bridge",
    }
    assert hairpin.rules()[0].comment.startswith("hairpin:netmap-hairpin:dmz ~")
    # Mode none: no hairpin rule; mode subnet: the subnet's rule covers it.
    for mode in ("none", "subnet"):
        desired = services_desired(settings(mode=mode, netmaps=[DMZ], services=[], lan_subnets=["192.168.1.0/24"]))
        finish_hairpins(desired, None)
        assert desired.netmap_hairpins == []

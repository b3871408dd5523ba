"""What a port forward takes from the router's own services, and when it cuts off this run."""

from __future__ import annotations

import ipaddress

from ansible_collections.hairpin.routeros.plugins.module_utils.model import PortForward
from ansible_collections.hairpin.routeros.plugins.module_utils.own_services import (
    ManagementPath,
    OwnService,
    RouterSide,
    cut_off_message,
    service_losses,
    service_networks,
)

# /ip service of RouterOS 7 as shipped (www-ssl is disabled, so it is not listed), on a stock
# home router: WAN ether1 with 203.0.113.1, LAN bridge with 192.168.88.1.
STOCK_SERVICES = tuple(
    OwnService(name, port)
    for name, port in (
        ("telnet", 23),
        ("ftp", 21),
        ("www", 80),
        ("ssh", 22),
        ("api", 8728),
        ("winbox", 8291),
        ("api-ssl", 8729),
    )
)
ROUTER = RouterSide(
    addresses={
        "ether1": (ipaddress.IPv4Interface("203.0.113.1/24"),),
        "bridge": (ipaddress.IPv4Interface("192.168.88.1/24"),),
    },
    list_members={"WAN": frozenset({"ether1"}), "LAN": frozenset({"bridge"})},
    services=STOCK_SERVICES,
)
API = ManagementPath("api", 8728)


def forward(**changes):
    values = dict(name="web", protocol="tcp", port="80", host="192.168.88.2", public_address="203.0.113.1")
    values.update(changes)
    return PortForward(**values)


def messages(losses):
    return [(loss.forward, loss.cuts_run, loss.message) for loss in losses]


def test_webfig_on_the_public_address_is_a_warning_that_says_where_it_stays():
    assert messages(service_losses([forward()], ROUTER, API)) == [
        ("web", False, "WebFig (www, tcp/80) is no longer reachable on 203.0.113.1; it still is on 192.168.88.1")
    ]


def test_a_forward_on_another_address_or_udp_or_another_port_takes_nothing():
    forwards = [forward(public_address="198.51.100.9"), forward(protocol="udp", port="22"), forward(port="8080")]
    assert service_losses(forwards, ROUTER, API) == []


def test_local_takes_the_port_on_every_address_and_a_range_takes_each_service_in_it():
    losses = service_losses([forward(public_address=None, public_local=True, port="20-23")], ROUTER, None)
    assert [loss.service.name for loss in losses] == ["ftp", "ssh", "telnet"]
    assert losses[0].message == (
        "FTP (ftp, tcp/21) is no longer reachable on any of the router's addresses; it is then reachable on no "
        "address of the router"
    )


def test_the_api_port_on_every_address_cuts_this_run_off():
    [loss] = service_losses([forward(name="api", port="8728", public_address=None, public_local=True)], ROUTER, API)
    assert loss.cuts_run
    assert cut_off_message(loss, API) == (
        "tcp port 8728 is the API, the port this run connects to (api, tcp/8728); forwarding it on every address "
        "of the router would cut this run off from the router. Publish the service on another public port, or "
        "move the api service (/ip service set api port=...)"
    )


def test_the_api_port_is_only_a_warning_where_the_run_does_not_come_that_way():
    lan_path = ManagementPath("api", 8728, ipaddress.IPv4Address("192.168.88.1"))
    [loss] = service_losses([forward(name="api", port="8728")], ROUTER, lan_path)
    assert not loss.cuts_run
    # The run speaks TLS (api-ssl): a forward of the plain API port does not touch its path.
    [loss] = service_losses(
        [forward(name="api", port="8728", public_local=True)], ROUTER, ManagementPath("api-ssl", 8729)
    )
    assert not loss.cuts_run


def test_the_api_port_on_the_address_the_run_connects_to_cuts_it_off_unless_only_other_interfaces_match():
    wan_path = ManagementPath("api-ssl", 8729, ipaddress.IPv4Address("203.0.113.1"))
    [loss] = service_losses([forward(name="a", port="8729")], ROUTER, wan_path)
    assert loss.cuts_run
    [loss] = service_losses([forward(name="a", port="8729", in_interface="bridge")], ROUTER, wan_path)
    assert not loss.cuts_run
    [loss] = service_losses([forward(name="a", port="8729", in_interface_list="WAN")], ROUTER, wan_path)
    assert loss.cuts_run


def test_a_service_limited_to_the_lan_loses_nothing_to_a_forward_from_the_wan():
    router = RouterSide(
        addresses=ROUTER.addresses,
        list_members=ROUTER.list_members,
        services=(OwnService("www", 80, service_networks("192.168.88.0/24")),),
    )
    assert service_losses([forward(in_interface_list="WAN")], router, API) == []
    # Without the in-interface, LAN clients using the public address lose WebFig there.
    [loss] = service_losses([forward()], router, API)
    assert loss.message.startswith("WebFig (www, tcp/80) is no longer reachable on 203.0.113.1")


def test_a_forward_from_the_wan_says_so():
    [loss] = service_losses([forward(public_address=None, public_local=True, in_interface_list="WAN")], ROUTER, None)
    assert loss.message == (
        "WebFig (www, tcp/80) is no longer reachable on any of the router's addresses for clients that arrive "
        "through interface list 'WAN'; it still is for clients that arrive through other interfaces"
    )


def test_service_networks_reads_routeros_address_values():
    assert service_networks("192.168.88.0/24,10.0.0.1,::/0") == (
        ipaddress.IPv4Network("192.168.88.0/24"),
        ipaddress.IPv4Network("10.0.0.1/32"),
    )
    assert service_networks("") == ()

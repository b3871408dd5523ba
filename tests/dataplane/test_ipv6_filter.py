"""The stock router's IPv6 firewall (RouterOS 7 defconf) on the Linux dataplane: new connections
from the WAN are dropped, the LAN's own connections and their replies pass, and an accept placed
before the last drop opens exactly its port on its host."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from lab import INTERNET_HOST6, LAN_CLIENT_HOST6, OUTBOUND_TCP, Lab, Probe, RouterSnapshot

from routeros_sim import state
from routeros_sim.router import Router
from routeros_sim.rsc import load_export

WAN, LAN = "ether1", "bridge"
SERVER = "192.168.1.2"
# The router's IPv6 prefixes, from the documentation prefix 3fff::/20 (see lab.INTERNET_HOST6).
WAN6, LAN6 = "3fff:0:0:1::1/64", "3fff:0:0:2::1/64"
SERVER6 = "3fff:0:0:2::2"
CLIENT6 = "3fff:0:0:2::10"
WEB, SSH = 80, 22
DEFCONF_LAN_DROP = "defconf: drop everything else not coming from LAN"
# The internet host speaks from its own address, not from the ISP's end of the WAN link.
FROM_INTERNET = ("--protocol", "tcp", "--bind", INTERNET_HOST6)


def _ok(router: Router, command: str, *words: str) -> list[dict[str, str]]:
    replies = router.execute(command, list(words))
    assert all(reply[0] != "!trap" for reply in replies), replies
    return [attributes for kind, attributes in replies if kind == "!re"]


def stock_router_with_ipv6() -> Router:
    """The stock home router as shipped (defconf IPv6 firewall), with IPv6 prefixes on its WAN
    and LAN: addresses are not defconf, a router only has them once its ISP hands out a prefix."""
    router = load_export(state.STOCK_SEED.read_text(encoding="utf-8"))[0]
    _ok(router, "/ipv6/address/add", f"=address={WAN6}", f"=interface={WAN}", "=advertise=no")
    _ok(router, "/ipv6/address/add", f"=address={LAN6}", f"=interface={LAN}")
    return router


def probes(router: Router) -> dict[str, Probe]:
    with Lab() as lab:
        lab.build(
            RouterSnapshot.of(router),
            wan_interface=WAN,
            lan_interface=LAN,
            servers=[SERVER],
            servers6=[SERVER6],
            tcp_ports=[WEB, SSH],
            udp_ports=[],
        )
        assert "table ip6 routeros_filter6" in lab.ruleset
        return lab.connect_all(
            {
                "internet to web": ("internet", *FROM_INTERNET, "--to", SERVER6, "--port", str(WEB)),
                "internet to ssh": ("internet", *FROM_INTERNET, "--to", SERVER6, "--port", str(SSH)),
                "lan to internet": ("client", "--protocol", "tcp", "--to", INTERNET_HOST6, "--port", str(OUTBOUND_TCP)),
            }
        )


@pytest.fixture(scope="module")
def defconf(namespaces: None) -> Iterator[dict[str, Any]]:
    router = stock_router_with_ipv6()
    yield {"router": router, "probes": probes(router)}


def test_the_lab_client_is_the_lan_host_the_constants_name() -> None:
    assert str(ipaddress.IPv6Network(LAN6, strict=False)[LAN_CLIENT_HOST6]) == CLIENT6


def test_defconf_drops_new_connections_from_the_wan(defconf: dict[str, Any]) -> None:
    assert not defconf["probes"]["internet to web"].ok
    assert not defconf["probes"]["internet to ssh"].ok


def test_defconf_passes_the_lans_connections_and_their_replies(defconf: dict[str, Any]) -> None:
    result = defconf["probes"]["lan to internet"]
    assert result.ok, result.error
    assert result.seen == CLIENT6  # no NAT in IPv6: the internet host sees the client itself


def test_an_accept_before_the_lan_drop_opens_only_its_port_on_its_host(namespaces: None) -> None:
    router = stock_router_with_ipv6()
    filters = _ok(router, "/ipv6/firewall/filter/print")
    drop = next(row[".id"] for row in filters if row.get("comment") == DEFCONF_LAN_DROP and row["chain"] == "forward")
    _ok(
        router,
        "/ipv6/firewall/filter/add",
        "=chain=forward",
        "=action=accept",
        "=protocol=tcp",
        f"=dst-address={SERVER6}",
        f"=dst-port={WEB}",
        "=in-interface-list=WAN",
        "=comment=web6",
        f"=place-before={drop}",
    )
    results = probes(router)
    assert results["internet to web"].ok, results["internet to web"].error
    assert results["internet to web"].seen == INTERNET_HOST6
    assert not results["internet to ssh"].ok
    assert results["lan to internet"].ok

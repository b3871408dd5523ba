"""Router mixin: the entries RouterOS makes on its own in the routing and IPv6 menus.

* A connected route (flags ``DAc``: dynamic, active, connect) per enabled ``/ip address``: its
  network, the interface as gateway, distance 0, scope 10, and the router's address as
  ``local-address`` (RouterOS 7) or ``pref-src`` (RouterOS 6).
* A link-local address (``fe80::`` and the EUI-64 of the MAC address, ``/64``, dynamic) per
  enabled interface with a MAC address that is not a bridge port.
* The same connected routes in ``/ipv6/route`` for its IPv6 addresses (``fe80::/64`` of each
  link-local one too).
* RouterOS 7's built-in routing table ``main`` (dynamic, ``fib``).

They follow their sources after every write: an entry whose source is gone is removed, one whose
source changed is updated in place (its ``.id`` stays).
"""

from __future__ import annotations

import ipaddress

from .schema import Menu, version_at_least
from .tables import Table

__all__ = ["RoutesMixin"]

# Stored on the router's own entries (never printed: not a property): what each one follows.
_SOURCE = "made-for"


def link_local(mac: str) -> str:
    """The EUI-64 link-local address of a MAC address: ``D4:01:C3:5A:00:01`` -> ``fe80::d601:c3ff:fe5a:1/64``."""
    octets = [int(part, 16) for part in mac.split(":")]
    octets[0] ^= 0x02
    eui = [*octets[:3], 0xFF, 0xFE, *octets[3:]]
    address = ipaddress.IPv6Address(bytes([0xFE, 0x80] + [0] * 6 + eui))
    return f"{address}/64"


class RoutesMixin:
    """Keeps the connected routes, link-local addresses and the ``main`` table in step."""

    version: str
    tables: dict[str, Table]
    menus: dict[str, Menu]

    def _refresh_own_entries(self) -> None:
        seven = version_at_least(self.version, "7.0")
        if "/ip/route" in self.tables:
            self._follow("/ip/route", self._connected_routes(seven))
        if "/ipv6/address" in self.tables:
            self._follow("/ipv6/address", self._link_locals())
        if "/ipv6/route" in self.tables:
            self._follow("/ipv6/route", self._connected_routes6(seven))
        if "/routing/table" in self.tables:
            self._follow("/routing/table", {"main": {"name": "main", "fib": ""}})

    def _connected_routes(self, seven: bool) -> dict[str, dict[str, str]]:
        wanted: dict[str, dict[str, str]] = {}
        interfaces = self.tables["/interface"]
        for address in self.tables["/ip/address"].items:
            interface = interfaces.by_name(address.get("interface", ""))
            if address.get("disabled") == "true" or interface is None or interface.get("disabled") == "true":
                continue
            own = ipaddress.IPv4Interface(address["address"])
            route = {
                "dst-address": str(own.network),
                "gateway": address["interface"],
                "distance": "0",
                "scope": "10",
                "connect": "true",
            }
            if seven:
                route.update(
                    {
                        "routing-table": "main",
                        "immediate-gw": address["interface"],
                        "local-address": f"{own.ip}%{address['interface']}",
                    }
                )
            else:
                route["pref-src"] = str(own.ip)
                route["gateway-status"] = f"{address['interface']} reachable"
            wanted.setdefault(f"/ip/address {route['dst-address']} {address['interface']}", route)
        return wanted

    def _connected_routes6(self, seven: bool) -> dict[str, dict[str, str]]:
        """The connected route of every enabled IPv6 address with a prefix, link-local ones included."""
        wanted: dict[str, dict[str, str]] = {}
        interfaces = self.tables["/interface"]
        for address in self.tables["/ipv6/address"].items:
            interface = interfaces.by_name(address.get("interface", ""))
            if address.get("disabled") == "true" or interface is None or "/" not in address.get("address", ""):
                continue
            network = ipaddress.IPv6Interface(address["address"]).network
            route = {"dst-address": str(network), "gateway": address["interface"], "distance": "0", "scope": "10"}
            route["connect"] = "true"
            if seven:
                route.update({"routing-table": "main", "immediate-gw": address["interface"]})
            wanted.setdefault(f"/ipv6/address {route['dst-address']} {address['interface']}", route)
        return wanted

    def _link_locals(self) -> dict[str, dict[str, str]]:
        ports = {port.get("interface") for port in self.tables["/interface/bridge/port"].items}
        wanted: dict[str, dict[str, str]] = {}
        for interface in self.tables["/interface"].items:
            mac = interface.get("mac-address", "")
            name = interface.get("name")
            if not mac or name is None or name in ports or interface.get("disabled") == "true":
                continue
            wanted[f"/interface {interface['.id']}"] = {
                "address": link_local(mac),
                "interface": name,
                "advertise": "false",
                "link-local": "true",
            }
        return wanted

    def _follow(self, path: str, wanted: dict[str, dict[str, str]]) -> None:
        table = self.tables[path]
        have: set[str] = set()
        for item in list(table.items):
            source = item.get(_SOURCE)
            if source is None:
                continue
            values = wanted.get(source)
            if values is None or source in have:
                table.items.remove(item)
                continue
            have.add(source)
            if any(item.get(key) != value for key, value in values.items()):
                kept = {".id": item[".id"], "dynamic": "true", _SOURCE: source}
                item.clear()
                item.update({**kept, **values})
        for source, values in wanted.items():
            if source not in have:
                table.items.append({".id": table.allocate_id(), **values, "dynamic": "true", _SOURCE: source})

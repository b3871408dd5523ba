"""Router mixin: addresses the router gets on its own, from its DHCP and PPPoE clients.

A DHCP client that is enabled on an existing, enabled interface holds a lease: a dynamic
``/ip/address`` on that interface, from the documentation range 203.0.113.0/24 (the first client
gets .10, the next .11, ...). An enabled PPPoE client gets a dynamic /32 from 198.51.100.0/24 on its
own ``pppoe-out`` interface, with the far end as ``network``, as RouterOS shows it.
"""

from __future__ import annotations

from collections.abc import Mapping

from .schema import Menu
from .tables import Table

__all__ = ["LEASE_GATEWAY", "LeasesMixin"]

#: The default gateway the DHCP server of the simulated ISP hands out.
LEASE_GATEWAY = "203.0.113.1"
_PPP_PEER = "198.51.100.1"
# Stored on the dynamic address (never printed: not a property) to know which client it belongs to.
_OWNER = "lease-of"


class LeasesMixin:
    """Keeps one dynamic address per DHCP client with a lease and per connected PPPoE client."""

    tables: dict[str, Table]
    menus: dict[str, Menu]

    @property
    def _client_default(self) -> str:
        prop = self.menus["/ip/dhcp-client"].prop("disabled")
        return prop.default or "false" if prop is not None else "false"

    def _wanted_leases(self) -> dict[str, tuple[str, str, str]]:
        """owner -> (interface, address, network) for every client that holds an address now."""
        interfaces = self.tables["/interface"]
        wanted: dict[str, tuple[str, str, str]] = {}
        for index, client in enumerate(self.tables["/ip/dhcp-client"].items):
            interface = interfaces.by_name(client.get("interface", ""))
            if (
                client.get("disabled", self._client_default) == "true"
                or interface is None
                or interface.get("disabled") == "true"
            ):
                continue
            host = 10 + index
            wanted[f"/ip/dhcp-client {client['.id']}"] = (client["interface"], f"203.0.113.{host}/24", "203.0.113.0")
        for index, link in enumerate(self.tables["/interface/pppoe-client"].items):
            carrier = interfaces.by_name(link.get("interface", ""))
            if link.get("disabled", "true") == "true" or "name" not in link or carrier is None:
                continue
            wanted[f"/interface/pppoe-client {link['.id']}"] = (link["name"], f"198.51.100.{10 + index}/32", _PPP_PEER)
        return wanted

    def _refresh_leases(self) -> None:
        wanted = self._wanted_leases()
        addresses = self.tables["/ip/address"]
        have: set[str] = set()
        for item in list(addresses.items):
            owner = item.get(_OWNER)
            if owner is None:
                continue
            lease = wanted.get(owner)
            current = (item.get("interface"), item.get("address"), item.get("network"))
            if lease is None or current != lease or owner in have:
                addresses.items.remove(item)
            else:
                have.add(owner)
        for owner, (interface, address, network) in wanted.items():
            if owner in have:
                continue
            addresses.items.append(
                {
                    ".id": addresses.allocate_id(),
                    "address": address,
                    "network": network,
                    "interface": interface,
                    "dynamic": "true",
                    _OWNER: owner,
                }
            )

    def _lease_of(self, client: Mapping[str, str]) -> Mapping[str, str] | None:
        """The dynamic address a DHCP client holds, if any."""
        owner = f"/ip/dhcp-client {client.get('.id')}"
        return next((a for a in self.tables["/ip/address"].items if a.get(_OWNER) == owner), None)

"""Router mixin: DNS names in address lists (offline resolution, and the dynamic entries it makes)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping

from .tables import ADDRESS_LIST, Table
from .values import is_dns_name

__all__ = ["DnsMixin"]


class DnsMixin:
    """Address-list entries holding a DNS name get one dynamic entry per address the name resolves to."""

    tables: dict[str, Table]
    _dns_resolver: dict[str, list[str]]
    _dns_entries: dict[str, tuple[str, str]]
    _dns_dirty: bool
    _resolver_seen: dict[str, list[str]] | None

    @property
    def dns_resolver(self) -> dict[str, list[str]]:
        """DNS name -> IPv4 addresses the router resolves, after its own ``/ip/dns/static``."""
        return self._dns_resolver

    @dns_resolver.setter
    def dns_resolver(self, mapping: Mapping[str, Iterable[str]]) -> None:
        with self._lock:
            self._dns_resolver = {name.lower(): list(addresses) for name, addresses in mapping.items()}
            self._refresh_dns_entries()  # notices the new map

    def resolve(self, name: str) -> list[str]:
        """IPv4 addresses of ``name``: ``/ip/dns/static`` first (A records, regexps, CNAMEs), then
        :attr:`dns_resolver`, then the router's own ``/ip/cloud`` name.  Offline and deterministic."""
        return self._resolve(name.lower(), depth=0)

    def _resolve(self, name: str, depth: int) -> list[str]:
        found: list[str] = []
        for entry in self.tables["/ip/dns/static"].items:
            if entry.get("disabled") == "true":
                continue
            if "name" in entry:
                matches = entry["name"].lower() == name
            else:
                try:
                    matches = re.search(entry.get("regexp", "$^"), name) is not None
                except re.error:
                    matches = False
            if not matches:
                continue
            kind = entry.get("type", "A")
            if kind == "A" and "address" in entry:
                found.append(entry["address"])
            elif kind == "CNAME" and "cname" in entry and depth < 5:
                found.extend(self._resolve(entry["cname"].lower(), depth + 1))
        if not found:
            resolver = {key.lower(): addresses for key, addresses in self._dns_resolver.items()}
            found = list(resolver.get(name, []))
        if not found:
            cloud = self.tables["/ip/cloud"].items
            if cloud and cloud[0].get("dns-name", "").lower() == name and cloud[0].get("public-address"):
                found = [cloud[0]["public-address"]]
        addresses: list[str] = []
        for address in found:
            try:
                text = str(ipaddress.IPv4Address(address))
            except ValueError:
                continue
            if text not in addresses:
                addresses.append(text)
        return addresses

    def _refresh_dns_entries(self) -> None:
        """Keep one dynamic entry per resolved address of every enabled DNS-name entry (comment: the name)."""
        if not self._dns_dirty and self._dns_resolver == self._resolver_seen:
            return
        self._dns_dirty = False
        self._resolver_seen = {name: list(addresses) for name, addresses in self._dns_resolver.items()}
        table = self.tables[ADDRESS_LIST]
        wanted: dict[tuple[str, str], list[str]] = {}
        named = [item for item in table.items if is_dns_name(item.get("address", ""))]
        for item in named:
            if item.get("dynamic") == "true" or item.get("disabled") == "true":
                continue
            address = item["address"]
            wanted.setdefault((item.get("list", ""), address), self.resolve(address))
        have: dict[tuple[str, str, str], str] = {}
        for item_id, owner in list(self._dns_entries.items()):
            entry = table.find(item_id)
            if entry is None:
                del self._dns_entries[item_id]
                continue
            key = (*owner, entry.get("address", ""))
            if entry.get("address") not in wanted.get(owner, []) or key in have:
                table.items.remove(entry)
                del self._dns_entries[item_id]
            else:
                have[key] = item_id
        for (list_name, name), addresses in wanted.items():
            for address in addresses:
                if (list_name, name, address) in have:
                    continue
                if any(i.get("list") == list_name and i.get("address") == address for i in table.items):
                    continue  # the list already has it
                item_id = table.allocate_id()
                table.items.append(
                    {
                        ".id": item_id,
                        "list": list_name,
                        "address": address,
                        "creation-time": self._timestamp(),
                        "dynamic": "true",
                        "comment": name,
                    }
                )
                self._dns_entries[item_id] = (list_name, name)
                have[(list_name, name, address)] = item_id

"""Network namespaces that play the seed topology, with the router's NAT table and firewall filter
loaded into nftables.

    internet host ── ether1 ┌────────┐ bridge ── switch (Linux bridge) ─┬─ LAN client
    198.51.100.10          │ router │                                  └─ LAN server (+ a second
    (ISP gateway .254)     └────────┘                                     address, the "DMZ host")

The LAN's switch is its own namespace: the router's LAN side is a plain veth named like the
RouterOS interface (``bridge``), so bridged client-server traffic never passes the router's
netfilter hooks (bridge-netfilter cannot fake a working hairpin). Interfaces inside the router
namespace carry the RouterOS names, so the translated rules match them verbatim; the
namespaces themselves are named ``hp<pid>-<n>-<role>``, unique per test run and scenario.

Only documentation ranges (RFC 5737) play public addresses; private ranges stay inside the
namespaces; traffic only flows between them.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nft import ROUTING_MARK_MASK, RouterConfig, translate, translate_mangle

PROBE = Path(__file__).with_name("probe.py")
INTERNET_HOST = "198.51.100.10"
LAN_CLIENT = "192.168.1.10"
# IPv6 from the documentation prefix 3fff::/20 (RFC 9637): defconf's bad_ipv6 list drops
# 2001:db8::/32, which would make every IPv6 probe fail for a reason that is not the test's.
INTERNET_HOST6 = "3fff:0:0:ff::10"
LAN_CLIENT_HOST6 = 0x10  # the client's host part in the LAN's IPv6 prefix
# Ports of the internet host's servers, for the LAN's way out (HTTPS and QUIC).
OUTBOUND_TCP = 443
OUTBOUND_UDP = 443
PROBE_TIMEOUT = 2.0
_READY_TIMEOUT = 10.0
_NAME_RE = re.compile(r"\Ahp(\d+)-\d+-[a-z]+\Z")
_sequence = itertools.count(1)


class LabError(RuntimeError):
    """A command that builds the lab failed (the message holds the command and its stderr)."""


def _run(*command: str, stdin: str | None = None) -> str:
    proc = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=30, check=False)
    if proc.returncode != 0:
        raise LabError(f"{' '.join(command)}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def namespaces_work() -> str | None:
    """None when this process can create network namespaces, else why not."""
    name = f"hp{os.getpid()}-0-check"
    proc = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return f"`ip netns add` failed (root or CAP_NET_ADMIN needed): {proc.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
    return None


def remove_stale_namespaces() -> list[str]:
    """Delete namespaces of earlier runs of these tests whose process is gone (a killed run
    cannot run its finalizers); never those of a live process."""
    removed = []
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.split() else ""
        match = _NAME_RE.match(name)
        if match is None or Path(f"/proc/{match.group(1)}").exists():
            continue
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
        removed.append(name)
    return removed


@dataclass
class RouterSnapshot:
    """What the simulated router holds, as its API prints it: the input of the dataplane."""

    nat: list[dict[str, str]]
    filter: list[dict[str, str]]
    addresses: list[tuple[str, str]]
    interface_lists: dict[str, list[str]]
    address_lists: dict[str, list[str]]
    dns_static: dict[str, str]
    ipv6_filter: list[dict[str, str]] = field(default_factory=list)
    ipv6_addresses: list[tuple[str, str]] = field(default_factory=list)
    ipv6_address_lists: dict[str, list[str]] = field(default_factory=dict)
    # /ip firewall mangle and /ip route as printed (the reply routing of several WANs)
    mangle: list[dict[str, str]] = field(default_factory=list)
    routes: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, router: Any) -> RouterSnapshot:
        def rows(path: str) -> list[dict[str, str]]:
            return [attrs for word, attrs in router.execute(path + "/print", []) if word == "!re"]

        def enabled(row: Mapping[str, str]) -> bool:
            return row.get("disabled", "false") not in ("true", "yes")

        lists: dict[str, list[str]] = {}
        for row in rows("/interface/list/member"):
            if enabled(row):
                lists.setdefault(row["list"], []).append(row["interface"])
        address_lists: dict[str, list[str]] = {}
        for row in rows("/ip/firewall/address-list"):
            if enabled(row):
                address_lists.setdefault(row["list"], []).append(row["address"])
        ipv6_lists: dict[str, list[str]] = {}
        for row in rows("/ipv6/firewall/address-list"):
            if enabled(row):
                ipv6_lists.setdefault(row["list"], []).append(row["address"])
        return cls(
            nat=rows("/ip/firewall/nat"),
            filter=rows("/ip/firewall/filter"),
            addresses=[(row["interface"], row["address"]) for row in rows("/ip/address") if enabled(row)],
            interface_lists=lists,
            address_lists=address_lists,
            dns_static={
                row["name"]: row["address"]
                for row in rows("/ip/dns/static")
                if enabled(row) and row.get("type", "A") == "A" and "address" in row
            },
            ipv6_filter=rows("/ipv6/firewall/filter"),
            # The router's own link-local addresses are the kernel's to make, as RouterOS's are its.
            ipv6_addresses=[
                (row["interface"], row["address"])
                for row in rows("/ipv6/address")
                if enabled(row) and row.get("dynamic") != "true" and "/" in row["address"]
            ],
            ipv6_address_lists=ipv6_lists,
            mangle=rows("/ip/firewall/mangle"),
            routes=[row for row in rows("/ip/route") if enabled(row)],
        )

    def interfaces_on(self, interface: str) -> list[ipaddress.IPv4Interface]:
        return [ipaddress.IPv4Interface(address) for name, address in self.addresses if name == interface]

    def interfaces6_on(self, interface: str) -> list[ipaddress.IPv6Interface]:
        return [ipaddress.IPv6Interface(address) for name, address in self.ipv6_addresses if name == interface]

    def nftables(self) -> str:
        config = RouterConfig(self.interface_lists, self.address_lists, self.ipv6_address_lists)
        return translate(self.nat, config, self.filter, self.ipv6_filter)


@dataclass
class Probe:
    """One connection attempt, as the probe helper reported it."""

    ok: bool
    server: str | None = None
    seen: str | None = None
    error: str | None = None
    to: str | None = None


@dataclass
class Lab:
    """The namespaces of one scenario. Use as a context manager: close() always tears down."""

    prefix: str = field(default_factory=lambda: f"hp{os.getpid()}-{next(_sequence)}")
    namespaces: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)
    ruleset: str = ""

    def ns(self, role: str) -> str:
        return f"{self.prefix}-{role}"

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            if proc.stdout is not None:
                proc.stdout.close()
        self.processes.clear()
        for name in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
        self.namespaces.clear()

    # -- building ----------------------------------------------------------------------------

    def _add_namespace(self, role: str) -> str:
        name = self.ns(role)
        _run("ip", "netns", "add", name)
        self.namespaces.append(name)
        _run("ip", "-n", name, "link", "set", "dev", "lo", "up")
        return name

    @staticmethod
    def _sysctl(ns: str, *settings: str) -> None:
        _run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", *settings)

    def build(
        self,
        snapshot: RouterSnapshot,
        *,
        wan_interface: str,
        lan_interface: str,
        servers: Sequence[str],
        tcp_ports: Iterable[int],
        udp_ports: Iterable[int],
        servers6: Sequence[str] = (),
    ) -> None:
        """The topology for ``snapshot``'s router, its NAT table in nftables, servers running.

        Where the router has IPv6 addresses on both the WAN and the LAN interface, the lab speaks
        IPv6 too: the ISP routes the LAN's prefix to the router, the client gets host
        ``LAN_CLIENT_HOST6`` of it, the server ``servers6``, the internet host ``INTERNET_HOST6``."""
        tcp_ports, udp_ports = list(tcp_ports), list(udp_ports)
        router, switch, client, server, internet = (
            self._add_namespace(role) for role in ("router", "switch", "client", "server", "internet")
        )
        wan = snapshot.interfaces_on(wan_interface)
        lan = snapshot.interfaces_on(lan_interface)
        if not wan or not lan:
            raise LabError(f"the router has no address on {wan_interface} or {lan_interface}")
        gateway = str(list(wan[0].network.hosts())[-1])
        # Links, created straight inside their namespaces (no name ever appears in the host's).
        _run(
            "ip", "-n", router, "link", "add", wan_interface, "type", "veth", "peer", "name", "isp0", "netns", internet
        )
        _run(
            "ip",
            "-n",
            router,
            "link",
            "add",
            lan_interface,
            "type",
            "veth",
            "peer",
            "name",
            "p-router",
            "netns",
            switch,
        )
        _run("ip", "-n", client, "link", "add", "eth0", "type", "veth", "peer", "name", "p-client", "netns", switch)
        _run("ip", "-n", server, "link", "add", "eth0", "type", "veth", "peer", "name", "p-server", "netns", switch)
        # The LAN switch: a plain Linux bridge in its own namespace, no netfilter there.
        _run("ip", "-n", switch, "link", "add", "br0", "type", "bridge")
        for port in ("p-router", "p-client", "p-server"):
            _run("ip", "-n", switch, "link", "set", "dev", port, "master", "br0", "up")
        _run("ip", "-n", switch, "link", "set", "dev", "br0", "up")
        if Path("/proc/sys/net/bridge").exists():
            self._sysctl(switch, "net.bridge.bridge-nf-call-iptables=0")
        # The router: RouterOS's interface names and addresses, forwarding, no ICMP redirects (a
        # redirect would teach the client a path around the router and make later probes depend
        # on earlier ones), no reverse-path filter (RouterOS's default rp-filter=no).
        for name, addresses in ((wan_interface, wan), (lan_interface, lan)):
            for address in addresses:
                _run("ip", "-n", router, "address", "add", str(address), "dev", name)
            _run("ip", "-n", router, "link", "set", "dev", name, "up")
        _run("ip", "-n", router, "route", "add", "default", "via", gateway)
        self._sysctl(
            router,
            "net.ipv4.ip_forward=1",
            "net.ipv4.conf.all.rp_filter=0",
            "net.ipv4.conf.default.rp_filter=0",
            "net.ipv4.conf.all.send_redirects=0",
            f"net.ipv4.conf.{wan_interface}.send_redirects=0",
            f"net.ipv4.conf.{lan_interface}.send_redirects=0",
            f"net.ipv4.conf.{wan_interface}.rp_filter=0",
            f"net.ipv4.conf.{lan_interface}.rp_filter=0",
        )
        router_lan = str(lan[0].ip)
        prefix = lan[0].network.prefixlen
        for ns, addresses in ((client, [LAN_CLIENT]), (server, list(servers))):
            for address in addresses:
                _run("ip", "-n", ns, "address", "add", f"{address}/{prefix}", "dev", "eth0")
            _run("ip", "-n", ns, "link", "set", "dev", "eth0", "up")
            _run("ip", "-n", ns, "route", "add", "default", "via", router_lan)
            self._sysctl(ns, "net.ipv4.conf.all.accept_redirects=0", "net.ipv4.conf.eth0.accept_redirects=0")
        # The internet: the ISP's gateway on the WAN link, and a host behind it.
        _run("ip", "-n", internet, "address", "add", f"{gateway}/{wan[0].network.prefixlen}", "dev", "isp0")
        _run("ip", "-n", internet, "address", "add", f"{INTERNET_HOST}/32", "dev", "lo")
        _run("ip", "-n", internet, "link", "set", "dev", "isp0", "up")
        wan6, lan6 = snapshot.interfaces6_on(wan_interface), snapshot.interfaces6_on(lan_interface)
        if wan6 and lan6:
            self._build_ipv6(router, client, server, internet, wan_interface, lan_interface, wan6[0], lan6[0], servers6)
        self.ruleset = snapshot.nftables()
        _run("ip", "netns", "exec", router, "nft", "-f", "-", stdin=self.ruleset)
        self.start(
            server,
            "serve",
            *_each("--address", [*servers, *servers6]),
            "--tcp",
            *map(str, tcp_ports),
            "--udp",
            *map(str, udp_ports),
        )
        # The internet host serves the same ports as the LAN server, so traffic a forward wrongly
        # takes from LAN clients shows up at the wrong server.
        self.start(
            internet,
            "serve",
            "--address",
            INTERNET_HOST,
            *(("--address", INTERNET_HOST6) if wan6 and lan6 else ()),
            "--tcp",
            *map(str, sorted({OUTBOUND_TCP, *tcp_ports})),
            "--udp",
            *map(str, sorted({OUTBOUND_UDP, *udp_ports})),
        )
        if snapshot.dns_static:
            # The router's DNS answers LAN clients from /ip/dns/static (allow-remote-requests).
            entries = [f"{name}={address}" for name, address in snapshot.dns_static.items()]
            self.start(router, "dns", "--address", router_lan, *_each("--entry", entries))

    def _build_ipv6(
        self,
        router: str,
        client: str,
        server: str,
        internet: str,
        wan_interface: str,
        lan_interface: str,
        wan: ipaddress.IPv6Interface,
        lan: ipaddress.IPv6Interface,
        servers6: Sequence[str],
    ) -> None:
        # nodad: a tentative address would fail the first probes for a reason that is not the test's.
        for name, address in ((wan_interface, wan), (lan_interface, lan)):
            _run("ip", "-n", router, "-6", "address", "add", str(address), "dev", name, "nodad")
        gateway = next(host for host in wan.network.hosts() if host != wan.ip)
        _run("ip", "-n", router, "-6", "route", "add", "default", "via", str(gateway))
        self._sysctl(router, "net.ipv6.conf.all.forwarding=1")
        for ns, addresses in ((client, [str(lan.network[LAN_CLIENT_HOST6])]), (server, list(servers6))):
            for address in addresses:
                _run(
                    "ip", "-n", ns, "-6", "address", "add", f"{address}/{lan.network.prefixlen}", "dev", "eth0", "nodad"
                )
            _run("ip", "-n", ns, "-6", "route", "add", "default", "via", str(lan.ip))
        _run("ip", "-n", internet, "-6", "address", "add", f"{gateway}/{wan.network.prefixlen}", "dev", "isp0", "nodad")
        _run("ip", "-n", internet, "-6", "address", "add", f"{INTERNET_HOST6}/128", "dev", "lo")
        _run("ip", "-n", internet, "-6", "route", "add", str(lan.network), "via", str(wan.ip))
        # The link-local addresses still run duplicate address detection; until they are done,
        # neighbour discovery may not answer and the first probes time out.
        deadline = time.monotonic() + _READY_TIMEOUT
        for ns in (router, client, server, internet):
            while _run("ip", "-n", ns, "-6", "address", "show", "tentative").strip():
                if time.monotonic() > deadline:
                    raise LabError(f"IPv6 addresses in {ns} stay tentative")
                select.select([], [], [], 0.05)

    def add_uplink(self, snapshot: RouterSnapshot, interface: str, client: str) -> str:
        """A second upstream on the router's ``interface`` (its addresses from ``snapshot``):
        an ISP namespace ``isp2`` whose gateway is the network's last host, with an internet
        host ``client`` behind it (only that ISP routes it). Returns the gateway."""
        router, isp = self.ns("router"), self._add_namespace("isp2")
        addresses = snapshot.interfaces_on(interface)
        if not addresses:
            raise LabError(f"the router has no address on {interface}")
        gateway = str(list(addresses[0].network.hosts())[-1])
        _run("ip", "-n", router, "link", "add", interface, "type", "veth", "peer", "name", "isp0", "netns", isp)
        for address in addresses:
            _run("ip", "-n", router, "address", "add", str(address), "dev", interface)
        _run("ip", "-n", router, "link", "set", "dev", interface, "up")
        self._sysctl(router, f"net.ipv4.conf.{interface}.send_redirects=0", f"net.ipv4.conf.{interface}.rp_filter=0")
        _run("ip", "-n", isp, "address", "add", f"{gateway}/{addresses[0].network.prefixlen}", "dev", "isp0")
        _run("ip", "-n", isp, "address", "add", f"{client}/32", "dev", "lo")
        _run("ip", "-n", isp, "link", "set", "dev", "isp0", "up")
        # The ISP routes the router's whole network back over the link (its own is connected).
        return gateway

    def route_by_marks(self, snapshot: RouterSnapshot) -> str:
        """The router's mangle table in nftables, and each routing table's static routes as a
        Linux table looked up by the routing mark's fwmark (``ip rule``), as RouterOS 7 routes a
        packet with a routing mark by the table of that name. Returns the mangle ruleset."""
        router = self.ns("router")
        config = RouterConfig(snapshot.interface_lists, snapshot.address_lists, snapshot.ipv6_address_lists)
        mangle = translate_mangle(snapshot.mangle, config)
        _run("ip", "netns", "exec", router, "nft", "-f", "-", stdin=mangle.ruleset)
        for table, mark in mangle.routing_marks.items():
            number = 100 + mark
            for route in snapshot.routes:
                if route.get("routing-table", "main") != table or not route.get("gateway"):
                    continue
                destination = route.get("dst-address", "0.0.0.0/0")
                _run("ip", "-n", router, "route", "add", destination, "via", route["gateway"], "table", str(number))
            _run("ip", "-n", router, "rule", "add", "fwmark", f"{mark}/{ROUTING_MARK_MASK}", "lookup", str(number))
        return mangle.ruleset

    # -- traffic -----------------------------------------------------------------------------

    def _command(self, ns: str, *arguments: str) -> list[str]:
        return ["ip", "netns", "exec", ns, sys.executable, "-I", "-S", str(PROBE), *arguments]

    def start(self, ns: str, *arguments: str) -> None:
        """Start a helper and wait for its "ready" line (it has bound every socket then)."""
        proc = subprocess.Popen(
            self._command(ns, *arguments), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.processes.append(proc)
        readable, _w, _x = select.select([proc.stdout], [], [], _READY_TIMEOUT)
        line = proc.stdout.readline() if readable else ""
        if line.strip() != "ready":
            proc.kill()
            _out, err = proc.communicate(timeout=5)
            raise LabError(f"{' '.join(arguments)} in {ns} did not start: {line.strip()} {err.strip()}")

    def connect_all(self, attempts: Mapping[Any, Sequence[str]]) -> dict[Any, Probe]:
        """Run every attempt (key -> (namespace role, probe arguments...)) at once; their
        results by key. Failures take the probe timeout, so they run side by side."""
        running = {
            key: subprocess.Popen(
                self._command(self.ns(role), "connect", "--timeout", str(PROBE_TIMEOUT), *arguments),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for key, (role, *arguments) in attempts.items()
        }
        results = {}
        for key, proc in running.items():
            out, err = proc.communicate(timeout=PROBE_TIMEOUT * 3 + 10)
            if proc.returncode != 0 or not out.strip():
                raise LabError(f"probe {key}: exit {proc.returncode}: {err.strip()}")
            results[key] = Probe(**json.loads(out.strip().splitlines()[-1]))
        return results


def _each(option: str, values: Iterable[str]) -> list[str]:
    return [word for value in values for word in (option, value)]

"""Our NAT rules on a real Linux dataplane, and the analyzer's verdicts checked against it.

Each scenario is a NAT table the simulator holds after `ansible-playbook hairpin.routeros.hairpin`
(the role, in each hairpin mode) or a generated variant of it (a hairpin rule missing, a
catch-all rule above ours, the hairpin rule on the wrong interface, a WAN address that moved, a
filter rule that drops a published service). The table and the router's firewall filter (the
stock router's is RouterOS's defconf) are translated into nftables for a router namespace of the
seed topology, real TCP and UDP connections run through it, and the analyzer (its command line,
reading the simulated router live over API-SSL) must predict every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from analyzer_cli import run_analyzer
from lab import INTERNET_HOST, LAN_CLIENT, OUTBOUND_TCP, OUTBOUND_UDP, Lab, Probe, RouterSnapshot
from role_support import converge
from support import STOCK_ROUTER, SimRouter

from tests.support.tables import user_comment

# The start_router fixture of conftest.py: start_router(name, seed=..., state_from=...).
StartRouter = Callable[..., SimRouter]

WAN, LAN = "ether1", "bridge"
PUBLIC_ADDRESS = "203.0.113.1"
SERVER = "192.168.1.2"
# A second address on the server's namespace: the "DMZ host" a catch-all rule sends traffic to,
# so a test sees where shadowed traffic really went.
DMZ_HOST = "192.168.1.3"
ROUTER_LAN = "192.168.1.1"
SERVICES = (("web", "tcp", 80), ("wg", "udp", 51820))
DNS_NAMES = {"web": "web.example.net", "wg": "vpn.example.net"}

MODES = ("per_service", "subnet", "split_dns")
GENERATED = (
    "missing_hairpin",
    "shadowed",
    "wrong_lan_interface",
    "wrong_public_address",
    "no_public_address",
    "chains",
    "filter_blocks",
    "filter_chains",
    "filter_drop_all",
)
# The filter rule of the filter_blocks case (an admin's, above defconf's last forward rule).
BLOCK_WEB = "block web server"
DEFCONF_WAN_DROP = "defconf: drop all from WAN not DSTNATed"
# A second WAN address, which the "chains" table src-nats LAN clients to.
SECOND_WAN_ADDRESS = "203.0.113.2"


def role_vars(mode: str) -> dict[str, Any]:
    """The seed scenario as inventory: the stock home router (defconf, WAN/LAN lists, its own
    masquerade), a web server and a WireGuard endpoint on 192.168.1.2."""
    services = []
    for name, protocol, port in SERVICES:
        service: dict[str, Any] = {"name": name, "protocol": protocol, "port": port, "host": SERVER}
        if mode == "split_dns":
            service["dns_name"] = DNS_NAMES[name]
        services.append(service)
    return {
        "hairpin_wan_interface": WAN,
        "hairpin_lan_interface": LAN,
        "hairpin_public_address": PUBLIC_ADDRESS,
        "hairpin_mode": mode,
        "hairpin_services": services,
    }


# ---------------------------------------------------------------------------------------------
# Generated variants of the per_service table (what goes wrong on real routers)


def _execute(router: Any, command: str, **attributes: str) -> list[dict[str, str]]:
    replies = router.execute(command, [f"={name}={value}" for name, value in attributes.items()])
    traps = [attrs for word, attrs in replies if word == "!trap"]
    assert not traps, f"{command} {attributes}: {traps}"
    return [attrs for word, attrs in replies if word == "!re"]


def _nat_ids(router: Any, comment_prefix: str) -> list[str]:
    rows = _execute(router, "/ip/firewall/nat/print")
    return [row[".id"] for row in rows if row.get("comment", "").startswith(comment_prefix)]


def remove_hairpin_rules(router: Any) -> None:
    for rule_id in _nat_ids(router, "hairpin:hairpin:"):
        _execute(router, "/ip/firewall/nat/remove", **{".id": rule_id})


def add_catch_all_above(router: Any) -> None:
    """The classic "DMZ host" rule (everything from the WAN to one host), added above ours."""
    first = _execute(router, "/ip/firewall/nat/print")[0][".id"]
    _execute(
        router,
        "/ip/firewall/nat/add",
        chain="dstnat",
        action="dst-nat",
        **{"in-interface-list": "WAN", "to-addresses": DMZ_HOST, "comment": "DMZ", "place-before": first},
    )


def hairpin_on_wrong_interface(router: Any) -> None:
    for rule_id in _nat_ids(router, "hairpin:hairpin:"):
        _execute(router, "/ip/firewall/nat/set", **{".id": rule_id, "out-interface": "ether2"})


def wan_address_moved(router: Any) -> None:
    """The ISP handed out a new address; the rules still match the old one."""
    (row,) = [row for row in _execute(router, "/ip/address/print") if row["interface"] == WAN]
    _execute(router, "/ip/address/set", **{".id": row[".id"], "address": "203.0.113.77/24"})


def forwards_without_public_address(router: Any) -> None:
    """Forwards that match any destination: they also take LAN clients' traffic to every server."""
    for rule_id in _nat_ids(router, "hairpin:dstnat:"):
        _execute(router, "/ip/firewall/nat/set", **{".id": rule_id, "!dst-address": ""})


def rules_in_chains(router: Any) -> None:
    """The same services through every RouterOS NAT construct the translator must keep: a
    disabled catch-all, passthrough, accept on a port range, jump to user chains, return to the
    calling chain, an address list, dst-address-type=local, src-nat to a second WAN address."""
    rows = {user_comment(row.get("comment")): row for row in _execute(router, "/ip/firewall/nat/print")}
    for row in rows.values():
        _execute(router, "/ip/firewall/nat/remove", **{".id": row[".id"]})
    _execute(router, "/ip/address/add", address=f"{SECOND_WAN_ADDRESS}/24", interface=WAN)
    _execute(router, "/ip/firewall/address-list/add", list="wan-ip", address=PUBLIC_ADDRESS)

    def owned(comment: str, **changes: str) -> dict[str, str]:
        keep = {k: v for k, v in rows[comment].items() if k in ("chain", "action", "protocol", "dst-port")}
        keep.update({k: v for k, v in rows[comment].items() if k in ("src-address", "out-interface", "to-addresses")})
        keep.update({k: v for k, v in rows[comment].items() if k in ("dst-address", "to-ports")})
        keep.update(changes, comment=comment)
        return {k: v for k, v in keep.items() if v != ""}

    table = [
        dict(chain="dstnat", action="dst-nat", disabled="yes", comment="DMZ (off)", to_addresses=DMZ_HOST),
        dict(chain="dstnat", action="passthrough", protocol="tcp", comment="count tcp"),
        dict(chain="dstnat", action="accept", protocol="tcp", dst_port="1000-2000", comment="not forwarded"),
        dict(chain="dstnat", action="jump", jump_target="forwards", comment="to forwards"),
        dict(chain="forwards", action="return", protocol="udp", comment="udp is forwarded in dstnat"),
        owned("hairpin:dstnat:web:tcp", chain="forwards", **{"dst-address": "", "dst-address-list": "wan-ip"}),
        owned("hairpin:dstnat:wg:udp", **{"dst-address": "", "dst-address-type": "local"}),
        dict(chain="srcnat", action="jump", jump_target="hairpins", out_interface=LAN, comment="to hairpins"),
        owned("hairpin:hairpin:web:tcp", chain="hairpins"),
        owned("hairpin:hairpin:wg:udp", chain="hairpins"),
        dict(
            chain="srcnat",
            action="src-nat",
            src_address="192.168.1.0/24",
            out_interface=WAN,
            to_addresses=SECOND_WAN_ADDRESS,
            comment="LAN out of the second address",
        ),
        rows["defconf: masquerade"],
    ]
    for row in table:
        values = {k.replace("_", "-"): v for k, v in row.items() if not k.startswith(".") and k not in _COMPUTED}
        _execute(router, "/ip/firewall/nat/add", **values)


_COMPUTED = {"bytes", "packets", "invalid", "dynamic"}


def block_web_in_the_filter(router: Any) -> None:
    """A forward-chain drop of the web server's port, placed where an admin would add it: after
    defconf's accept of established connections, before its last rule."""
    rows = _execute(router, "/ip/firewall/filter/print")
    (last,) = [row[".id"] for row in rows if row.get("comment") == DEFCONF_WAN_DROP]
    _execute(
        router,
        "/ip/firewall/filter/add",
        chain="forward",
        action="drop",
        protocol="tcp",
        **{"dst-address": SERVER, "dst-port": "80", "comment": BLOCK_WEB, "place-before": last},
    )


def filter_in_chains(router: Any) -> None:
    """The forward chain rebuilt with every construct the filter translation must keep: defconf's
    fasttrack and accepts, a jump to a user chain for the WAN side, a counting rule, return to the
    calling chain (tcp), reject (udp from the WAN), an address list, connection-nat-state."""
    for row in _execute(router, "/ip/firewall/filter/print"):
        if row["chain"] == "forward":
            _execute(router, "/ip/firewall/filter/remove", **{".id": row[".id"]})
    _execute(router, "/ip/firewall/address-list/add", list="servers", address=SERVER)
    table = [
        dict(chain="forward", action="fasttrack-connection", connection_state="established,related", comment="fast"),
        dict(chain="forward", action="accept", connection_state="established,related,untracked", comment="established"),
        dict(chain="forward", action="drop", connection_state="invalid", comment="invalid"),
        dict(chain="forward", action="jump", jump_target="wan-in", in_interface_list="WAN", comment="from the WAN"),
        dict(chain="forward", action="accept", in_interface_list="LAN", comment="from the LAN"),
        dict(
            chain="forward",
            action="accept",
            protocol="tcp",
            connection_nat_state="dstnat",
            dst_address_list="servers",
            comment="tcp forwards",
        ),
        dict(chain="forward", action="drop", comment="drop the rest"),
        dict(chain="wan-in", action="passthrough", comment="count"),
        dict(chain="wan-in", action="return", protocol="tcp", comment="tcp back"),
        dict(chain="wan-in", action="reject", protocol="udp", reject_with="icmp-port-unreachable", comment=NO_UDP),
    ]
    for row in table:
        _execute(router, "/ip/firewall/filter/add", **{k.replace("_", "-"): v for k, v in row.items()})


NO_UDP = "no udp from the WAN"


def drop_all_first_in_the_filter(router: Any) -> None:
    """A plain ``chain=forward action=drop`` above every accept (no comment: the analyzer names it
    by position and content)."""
    first = next(row[".id"] for row in _execute(router, "/ip/firewall/filter/print") if row["chain"] == "forward")
    _execute(router, "/ip/firewall/filter/add", chain="forward", action="drop", **{"place-before": first})


EDITS: dict[str, Callable[[Any], None]] = {
    "missing_hairpin": remove_hairpin_rules,
    "shadowed": add_catch_all_above,
    "wrong_lan_interface": hairpin_on_wrong_interface,
    "wrong_public_address": wan_address_moved,
    "no_public_address": forwards_without_public_address,
    "chains": rules_in_chains,
    "filter_blocks": block_web_in_the_filter,
    "filter_chains": filter_in_chains,
    "filter_drop_all": drop_all_first_in_the_filter,
}

# What the analyzer must say is wrong in each case: (code, service) pairs, and the comment of
# the rule it must name for the service findings.
# The lab router ships /ip service as RouterOS does, so a forward of tcp/80 on its public address
# takes WebFig there: a warning (captures-router-service, no service) wherever that happens.
WEBFIG = ("captures-router-service", None)
EXPECTED_FINDINGS: dict[str, set[tuple[str, str | None]]] = {
    "per_service": {WEBFIG},
    "subnet": {WEBFIG},
    "split_dns": {WEBFIG},
    "missing_hairpin": {("missing-hairpin", "web/tcp"), ("missing-hairpin", "wg/udp"), WEBFIG},
    "shadowed": {("shadowed", "web/tcp"), ("shadowed", "wg/udp"), WEBFIG},
    "wrong_lan_interface": {("hairpin-mismatch", "web/tcp"), ("hairpin-mismatch", "wg/udp"), WEBFIG},
    "wrong_public_address": {
        ("public-address-mismatch", None),
        ("public-address-mismatch", "web/tcp"),
        ("public-address-mismatch", "wg/udp"),
    },
    "no_public_address": {("captures-outbound", "web/tcp"), ("captures-outbound", "wg/udp"), WEBFIG},
    "chains": {WEBFIG},
    "filter_blocks": {("filter-blocks", "web/tcp"), WEBFIG},
    "filter_chains": {("filter-blocks", "wg/udp"), WEBFIG},
    "filter_drop_all": {("filter-blocks", "web/tcp"), ("filter-blocks", "wg/udp"), ("filter-blocks", None), WEBFIG},
}
OFFENDING_RULE = {
    "shadowed": lambda service: "DMZ",
    "wrong_lan_interface": lambda service: "hairpin:hairpin:" + service.replace("/", ":"),
    "wrong_public_address": lambda service: "hairpin:dstnat:" + service.replace("/", ":"),
    "no_public_address": lambda service: "hairpin:dstnat:" + service.replace("/", ":"),
    "filter_blocks": lambda service: BLOCK_WEB,
    "filter_chains": lambda service: NO_UDP,
}


# ---------------------------------------------------------------------------------------------
# Scenarios: table -> analyzer verdicts + measured traffic


@dataclass
class Scenario:
    name: str
    snapshot: RouterSnapshot
    report: dict[str, Any]
    measured: dict[tuple[str, ...], Probe]
    wan_address: str
    ruleset: str
    module_result: dict[str, Any] | None = None

    def service(self, name: str, protocol: str) -> dict[str, Any]:
        (found,) = [s for s in self.report["services"] if (s["name"], s["protocol"]) == (name, protocol)]
        return found

    def dns_names(self) -> list[str]:
        return sorted(name for name, address in self.snapshot.dns_static.items() if address == SERVER)


@pytest.fixture(scope="session")
def role_state(start_router: StartRouter) -> Callable[[str], Path]:
    """role_state(mode): the state file of the stock router after the role ran in that mode."""
    done: dict[str, Path] = {}

    def get(mode: str) -> Path:
        if mode not in done:
            sim = start_router(f"role-{mode}", seed=STOCK_ROUTER)
            run = converge(sim, role_vars(mode))
            assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
            sim.thread.stop()
            done[mode] = sim.state_path
        return done[mode]

    return get


# Scenarios where the Ansible module runs too (with fail_on_findings), as a role task would.
MODULE_SCENARIOS = ("per_service", "wrong_lan_interface")


def run_module(sim: Any) -> dict[str, Any]:
    task = {
        "name": "analyze",
        "hairpin.routeros.nat_analyze": {
            **sim.connection_vars(),
            "wan_interface": WAN,
            "lan_interface": LAN,
            "public_address": PUBLIC_ADDRESS,
            "internet_client": INTERNET_HOST,
            "lan_client": LAN_CLIENT,
            "fail_on_findings": True,
        },
        "ignore_errors": True,
    }
    return sim.run_tasks([task]).result("analyze")


def measure(snapshot: RouterSnapshot, dns_names: list[str]) -> tuple[dict[tuple[str, ...], Probe], str, str]:
    """Build the topology for the table, run every connection, tear everything down."""
    wan_address = str(snapshot.interfaces_on(WAN)[0].ip)
    attempts: dict[tuple[str, ...], list[str]] = {}
    for name, protocol, port in SERVICES:
        to_public = ["--protocol", protocol, "--to", wan_address, "--port", str(port)]
        attempts[("internet", name, protocol)] = ["internet", *to_public, "--bind", INTERNET_HOST]
        attempts[("lan", name, protocol)] = ["client", *to_public]
        # The same port on a server on the internet: a forward must not take it.
        to_internet = ["--protocol", protocol, "--to", INTERNET_HOST, "--port", str(port)]
        attempts[("lan_to_internet", name, protocol)] = ["client", *to_internet]
        for dns_name in dns_names:
            by_name = ["--protocol", protocol, "--dns", ROUTER_LAN, "--name", dns_name, "--port", str(port)]
            attempts[("dns", name, protocol, dns_name)] = ["client", *by_name]
    for protocol, port in (("tcp", OUTBOUND_TCP), ("udp", OUTBOUND_UDP)):
        attempts[("outbound", protocol)] = [
            "client",
            "--protocol",
            protocol,
            "--to",
            INTERNET_HOST,
            "--port",
            str(port),
        ]
    with Lab() as lab:
        lab.build(
            snapshot,
            wan_interface=WAN,
            lan_interface=LAN,
            servers=[SERVER, DMZ_HOST],
            tcp_ports=[port for _n, protocol, port in SERVICES if protocol == "tcp"],
            udp_ports=[port for _n, protocol, port in SERVICES if protocol == "udp"],
        )
        measured = lab.connect_all(attempts)
        ruleset = lab.ruleset
    return measured, wan_address, ruleset


@pytest.fixture(scope="module")
def scenario(
    request: pytest.FixtureRequest, namespaces: None, start_router: StartRouter, role_state
) -> Iterator[Scenario]:
    name = request.param
    base = role_state(name if name in MODES else "per_service")
    sim = start_router(f"scenario-{name}", state_from=base)
    try:
        if name in EDITS:
            EDITS[name](sim.router)
        report = run_analyzer(sim)
        module_result = run_module(sim) if name in MODULE_SCENARIOS else None
        snapshot = RouterSnapshot.of(sim.router)
    finally:
        sim.thread.stop()
    dns_names = sorted(n for n, address in snapshot.dns_static.items() if address == SERVER)
    measured, wan_address, ruleset = measure(snapshot, dns_names)
    yield Scenario(name, snapshot, report, measured, wan_address, ruleset, module_result)


def scenarios(*names: str) -> pytest.MarkDecorator:
    """Run the test on these scenarios (each is built once per module and shared)."""
    return pytest.mark.parametrize("scenario", names, indirect=True)


EACH_SERVICE = pytest.mark.parametrize(("name", "protocol"), [(n, p) for n, p, _port in SERVICES])
PORTS = {name: port for name, _protocol, port in SERVICES}


def describe(probe: Probe) -> str:
    return f"reached {probe.server}, server saw {probe.seen}" if probe.ok else f"failed: {probe.error}"


# ---------------------------------------------------------------------------------------------
# What a user of each mode notices


@scenarios(*MODES, "missing_hairpin", "wrong_lan_interface", "chains")
@EACH_SERVICE
def test_from_the_internet_the_server_is_reached_and_sees_the_internet_host(scenario: Scenario, name, protocol):
    probe = scenario.measured[("internet", name, protocol)]
    port = PORTS[name]
    assert (probe.ok, probe.server, probe.seen) == (True, f"{SERVER}:{port}", INTERNET_HOST), describe(probe)


@scenarios("per_service", "subnet", "shadowed", "chains")
@EACH_SERVICE
def test_from_the_lan_the_public_address_reaches_the_server_which_sees_the_router(scenario: Scenario, name, protocol):
    probe = scenario.measured[("lan", name, protocol)]
    port = PORTS[name]
    assert (probe.ok, probe.server, probe.seen) == (True, f"{SERVER}:{port}", ROUTER_LAN), describe(probe)


@scenarios("split_dns")
@EACH_SERVICE
def test_split_dns_lan_client_resolves_the_name_and_the_server_sees_the_client(scenario: Scenario, name, protocol):
    assert scenario.dns_names() == sorted(DNS_NAMES.values())
    probe = scenario.measured[("dns", name, protocol, DNS_NAMES[name])]
    port = PORTS[name]
    assert (probe.ok, probe.to, probe.server, probe.seen) == (True, SERVER, f"{SERVER}:{port}", LAN_CLIENT), describe(
        probe
    )


@scenarios(*MODES, *(name for name in GENERATED if name not in ("chains", "filter_drop_all")))
@pytest.mark.parametrize("protocol", ["tcp", "udp"])
def test_lan_clients_reach_the_internet_masqueraded_to_the_wan_address(scenario: Scenario, protocol):
    probe = scenario.measured[("outbound", protocol)]
    assert (probe.ok, probe.seen) == (True, scenario.wan_address), describe(probe)


@scenarios("chains")
@pytest.mark.parametrize("protocol", ["tcp", "udp"])
def test_src_nat_above_the_masquerade_gives_lan_clients_the_second_address(scenario: Scenario, protocol):
    probe = scenario.measured[("outbound", protocol)]
    assert (probe.ok, probe.seen) == (True, SECOND_WAN_ADDRESS), describe(probe)


@scenarios("missing_hairpin")
@EACH_SERVICE
def test_negative_control_without_the_hairpin_rule_the_lan_client_fails(scenario: Scenario, name, protocol):
    assert not any(row.get("comment", "").startswith("hairpin:hairpin:") for row in scenario.snapshot.nat)
    probe = scenario.measured[("lan", name, protocol)]
    # The server answers the client directly; the client's socket drops a reply that does not
    # come from the address it connected to, and times out.
    assert not probe.ok, f"the LAN client got through without a hairpin rule: {describe(probe)}"
    assert "timed out" in (probe.error or ""), probe.error


@scenarios("split_dns")
def test_split_dns_forwards_only_take_traffic_from_the_wan(scenario: Scenario):
    for name, protocol, _port in SERVICES:
        assert not scenario.measured[("lan", name, protocol)].ok


@scenarios("shadowed")
def test_the_catch_all_above_takes_the_internet_traffic_to_its_host(scenario: Scenario):
    for name, protocol, port in SERVICES:
        probe = scenario.measured[("internet", name, protocol)]
        assert (probe.ok, probe.server) == (True, f"{DMZ_HOST}:{port}"), describe(probe)


@scenarios(*MODES, *GENERATED)
def test_the_ruleset_carries_every_active_rule(scenario: Scenario):
    active = [row for row in scenario.snapshot.nat if row.get("disabled", "false") == "false"]
    for row in active:
        assert f'comment "{row[".id"]}"' in scenario.ruleset, row
    forward = [row for row in scenario.snapshot.filter if row["chain"] == "forward" and row["disabled"] == "false"]
    assert forward, "the router has no forward filter"
    for row in forward:
        assert f'comment "filter {row[".id"]}"' in scenario.ruleset, row


@scenarios("per_service")
def test_the_stock_routers_defconf_filter_passes_every_published_service(scenario: Scenario):
    comments = [row.get("comment") for row in scenario.snapshot.filter if row["chain"] == "forward"]
    assert comments[-1] == DEFCONF_WAN_DROP and "defconf: fasttrack" in comments
    for name, protocol, _port in SERVICES:
        service = scenario.service(name, protocol)
        for path in ("internet", "lan_public_address"):
            assert service[path]["filter"]["passes"], service[path]
            assert scenario.measured[(path.split("_", maxsplit=1)[0], name, protocol)].ok
    assert scenario.report["outbound"]["reachable"] is True


@scenarios("filter_blocks")
def test_a_filter_rule_that_drops_the_web_server_fails_its_connections_and_is_named(scenario: Scenario):
    for side in ("internet", "lan"):
        probe = scenario.measured[(side, "web", "tcp")]
        assert not probe.ok, f"the filter let the web connection from the {side} through: {describe(probe)}"
        assert scenario.measured[(side, "wg", "udp")].ok
    verdict = scenario.service("web", "tcp")["internet"]
    assert not verdict["reachable"]
    assert verdict["filter"]["rule"]["comment"] == BLOCK_WEB
    assert verdict["summary"].endswith(f"({BLOCK_WEB})")


@scenarios("filter_drop_all")
def test_a_plain_drop_above_every_accept_blocks_every_way_and_is_named_by_position(scenario: Scenario):
    assert not any(probe.ok for key, probe in scenario.measured.items() if key[0] != "dns"), scenario.measured
    position = next(i for i, row in enumerate(scenario.snapshot.filter) if row["chain"] == "forward")
    for finding in scenario.report["findings"]:
        if finding["code"] != "filter-blocks":
            continue
        assert finding["rule"]["table"] == "filter" and finding["rule"]["position"] == position, finding
        assert finding["rule"]["text"] == "chain=forward action=drop", finding
    assert scenario.report["outbound"]["reachable"] is False


@scenarios("filter_chains")
def test_a_user_chain_returns_tcp_and_rejects_udp_from_the_wan(scenario: Scenario):
    assert scenario.measured[("internet", "web", "tcp")].ok
    rejected = scenario.measured[("internet", "wg", "udp")]
    # A reject answers at once (ICMP port unreachable), unlike a drop, which times out.
    assert not rejected.ok and "refused" in (rejected.error or "").lower(), describe(rejected)
    assert scenario.measured[("lan", "wg", "udp")].ok
    wg = scenario.service("wg", "udp")["internet"]
    assert (wg["reachable"], wg["filter"]["rule"]["comment"]) == (False, NO_UDP)
    assert "rejects" in wg["reason"]


# ---------------------------------------------------------------------------------------------
# The analyzer against the dataplane


def disagreements(verdict: dict[str, Any], probe: Probe, target: str, what: str) -> list[str]:
    reached = probe.ok and probe.server == target
    problems = []
    if verdict["reachable"] != reached:
        problems.append(
            f"{what}: analyzer says reachable={verdict['reachable']} ({verdict.get('reason')}); {describe(probe)}"
        )
    elif probe.ok and verdict["reaches"] != probe.server:
        problems.append(f"{what}: analyzer says it ends at {verdict['reaches']}; {describe(probe)}")
    elif reached and verdict["server_sees"] != probe.seen:
        problems.append(f"{what}: analyzer says the server sees {verdict['server_sees']}; {describe(probe)}")
    return problems


@scenarios(*MODES, *GENERATED)
def test_the_analyzer_and_the_dataplane_agree(scenario: Scenario):
    report = scenario.report
    assert {(s["name"], s["protocol"]) for s in report["services"]} == {(n, p) for n, p, _port in SERVICES}
    problems = []
    for name, protocol, _port in SERVICES:
        service = scenario.service(name, protocol)
        target = service["target"]
        for side, verdict in (("internet", service["internet"]), ("lan", service["lan_public_address"])):
            probe = scenario.measured[(side, name, protocol)]
            problems += disagreements(verdict, probe, target, f"{name}/{protocol} from the {side}")
        names = [entry["name"] for entry in service["lan_dns_names"]]
        assert names == scenario.dns_names()
        for entry in service["lan_dns_names"]:
            probe = scenario.measured[("dns", name, protocol, entry["name"])]
            problems += disagreements(entry, probe, target, f"{name}/{protocol} by the name {entry['name']}")
        captured = scenario.measured[("lan_to_internet", name, protocol)]
        says = any(
            f["code"] == "captures-outbound" and f["service"] == f"{name}/{protocol}" for f in report["findings"]
        )
        if not report["outbound"].get("reachable", True):
            if captured.ok:
                problems.append(f"{name}/{protocol} LAN to the internet: analyzer says blocked; {describe(captured)}")
        elif not captured.ok or says != (captured.server == f"{SERVER}:{_port}"):
            problems.append(f"{name}/{protocol} LAN to the internet: analyzer captures={says}; {describe(captured)}")
    for protocol in ("tcp", "udp"):
        probe = scenario.measured[("outbound", protocol)]
        if not report["outbound"].get("reachable", True):
            if probe.ok:
                problems.append(f"outbound {protocol}: analyzer says the filter blocks it; {describe(probe)}")
        elif probe.seen != report["outbound"]["address"]:
            problems.append(f"outbound {protocol}: analyzer says {report['outbound']['address']}; {describe(probe)}")
    assert not problems, "\n".join(problems) + "\n\n" + report["table"]


@scenarios(*MODES, *GENERATED)
def test_the_analyzer_names_what_is_wrong(scenario: Scenario):
    findings = scenario.report["findings"]
    assert {(f["code"], f["service"]) for f in findings} == EXPECTED_FINDINGS[scenario.name], scenario.report["table"]
    offender = OFFENDING_RULE.get(scenario.name)
    for finding in findings:
        if offender is not None and finding["service"] is not None:
            assert user_comment(finding["rule"]["comment"]) == offender(finding["service"]), finding


@scenarios(*MODULE_SCENARIOS)
def test_the_module_reports_what_the_command_line_reports_and_fails_on_findings(scenario: Scenario):
    result = scenario.module_result
    assert result is not None
    assert result["services"] == scenario.report["services"]
    assert result["findings"] == scenario.report["findings"]
    assert result["round_trips"] == 1
    assert result["changed"] is False
    # fail_on_findings fails on errors; warnings (a router service's port taken) do not.
    if any(finding["severity"] == "error" for finding in scenario.report["findings"]):
        assert result.get("failed") is True
        assert result["msg"].startswith("2 finding(s): [hairpin-mismatch] rule #"), result["msg"]
    else:
        assert not result.get("failed"), result.get("msg")

# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Input checks of a services call: no silent mass delete, forwards to the router itself, hosts
off the LAN, file options, and one report of the inventory's and the router's problems."""

from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils import runner
from ansible_collections.hairpin.routeros.plugins.module_utils.api import RouterError, file_problems
from ansible_collections.hairpin.routeros.plugins.module_utils.desired import AutoHairpin, Desired
from ansible_collections.hairpin.routeros.plugins.module_utils.hairpins import finish_hairpins
from ansible_collections.hairpin.routeros.plugins.module_utils.model import PortForward
from ansible_collections.hairpin.routeros.plugins.module_utils.read import RouterView
from ansible_collections.hairpin.routeros.plugins.module_utils.removals import mass_removal, removal_limit, removals
from ansible_collections.hairpin.routeros.plugins.module_utils.services import ServicesCall
from ansible_collections.hairpin.routeros.plugins.module_utils.validate import RouterFacts, own_address_problems

from tests.support.fake_module import EndedError, FakeModule

HOST = "gw (192.0.2.10)"


def forward_row(name, protocol="tcp", port="80", row_id="*1"):
    return {
        ".id": row_id,
        "chain": "dstnat",
        "action": "dst-nat",
        "protocol": protocol,
        "dst-port": port,
        "dst-address": "203.0.113.1",
        "to-addresses": "192.168.1.2",
        "comment": f"hairpin:dstnat:{name}:{protocol}",
    }


# ---------------------------------------------------------------------------------------------
# No silent mass delete: the counting and the limit


def test_a_forward_is_one_owned_rule_and_a_duplicate_going_is_no_removal():
    before = [forward_row("web"), forward_row("web", row_id="*2"), forward_row("dns", "udp", "53", "*3")]
    found = removals(before, [forward_row("web")])
    assert (found.owned, found.services) == (2, ["dns"])
    # Foreign and dynamic rules are not the router's owned forwards.
    foreign = dict(forward_row("x"), comment="port forward by hand")
    dynamic = dict(forward_row("y"), dynamic="true")
    assert removals([foreign, dynamic], []).owned == 0


@pytest.mark.parametrize(
    ("owned", "max_removals", "limit"),
    [(6, None, 3), (5, None, 2), (4, None, 3), (1, None, 0), (0, None, 0), (6, 5, 5), (6, 0, 0)],
)
def test_the_default_limit_is_half_above_four_and_all_but_one_up_to_four(owned, max_removals, limit):
    assert removal_limit(owned, max_removals) == limit


def test_every_forward_going_needs_leave_whatever_the_limit():
    rows = [forward_row(f"svc{n}", row_id=f"*{n}") for n in range(6)]
    everything = removals(rows, [])
    assert mass_removal(everything, None, False) == "would remove every owned port forward of the router (6)"
    assert mass_removal(everything, 100, False) == "would remove every owned port forward of the router (6)"
    assert mass_removal(everything, None, True) is None
    # A router with no owned forward has none to lose.
    assert mass_removal(removals([], []), None, False) is None


def test_more_than_the_limit_needs_leave_and_fewer_do_not():
    rows = [forward_row(f"svc{n}", row_id=f"*{n}") for n in range(6)]
    one = removals(rows, rows[1:])
    four = removals(rows, rows[4:])
    assert mass_removal(one, None, False) is None
    assert mass_removal(four, None, False) == (
        "would remove 4 of the router's 6 owned port forwards, more than a run may remove (3, half of them)"
    )
    assert mass_removal(four, 2, False, "hairpin_max_removals") == (
        "would remove 4 of the router's 6 owned port forwards, more than a run may remove (hairpin_max_removals 2)"
    )
    assert mass_removal(four, 4, False) is None


# ---------------------------------------------------------------------------------------------
# Forwards to the router itself; hosts off the LAN


def test_a_forward_to_one_of_the_routers_own_addresses_is_refused():
    forwards = [
        PortForward(name="web", protocol="tcp", port="80", host="192.168.1.1", public_address="203.0.113.1"),
        PortForward(name="ok", protocol="tcp", port="81", host="192.168.1.2", public_address="203.0.113.1"),
        PortForward(name="wan", protocol="tcp", port="82", host="203.0.113.1", public_address="203.0.113.1"),
    ]
    addresses = {"bridge": ["192.168.1.1/24"], "ether1": ["203.0.113.1/24"]}
    assert [error.text for error in own_address_problems(forwards, addresses, "gw")] == [
        "host 'gw': service 'web': field 'host': 192.168.1.1 is the router's own address (on interface 'bridge'); "
        "a port forward must go to another host",
        "host 'gw': service 'wan': field 'host': 203.0.113.1 is the router's own address (on interface 'ether1'); "
        "a port forward must go to another host",
    ]


def view_with_lan(*addresses):
    networks = {"bridge": [address.rsplit(".", 1)[0] + ".0/24" for address in addresses]}
    facts = RouterFacts(interfaces=frozenset(("bridge", "ether1")))
    return RouterView([], facts, networks, {}, interface_addresses={"bridge": list(addresses)})


@pytest.mark.parametrize(("mode", "given"), [("per_service", ()), ("subnet", ()), ("per_service", ("192.168.1.0/24",))])
def test_a_host_off_the_lan_gets_a_note_saying_it_gets_no_hairpin_rule_and_why(mode, given):
    far = PortForward(name="game", protocol="tcp", port="27015", host="10.9.9.9", public_address="203.0.113.1")
    near = PortForward(name="web", protocol="tcp", port="80", host="192.168.1.2", public_address="203.0.113.1")
    desired = Desired(state="overridden", auto_hairpin=AutoHairpin(mode, lan_interface="bridge", lan_subnets=given))
    desired.port_forwards, desired.auto_hairpin_for = [far, near], [far, near]
    finish_hairpins(desired, view_with_lan("192.168.1.1/24"))
    source = "given" if given else "read from the router's addresses on the LAN"
    assert desired.notes == [
        f"service 'game': host 10.9.9.9 is on none of the LAN subnets (192.168.1.0/24, {source}), so it gets no "
        "hairpin rule: its replies to LAN clients go through the router, which needs none"
    ]
    if mode == "per_service":
        assert [hairpin.name for hairpin in desired.hairpins] == ["web"]
    assert desired.errors == []


# ---------------------------------------------------------------------------------------------
# File options


def test_a_file_option_is_checked_before_connecting_and_named(tmp_path):
    missing, folder = tmp_path / "ca.pem", tmp_path
    assert file_problems(dict(ca_path=str(missing)), "gw") == [f"host 'gw': option 'ca_path': {missing} does not exist"]
    assert file_problems(dict(ca_path=str(folder)), None) == [f"option 'ca_path': {folder} is not a file"]
    (tmp_path / "good.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    assert file_problems(dict(ca_path=str(tmp_path / "good.pem")), "gw") == []
    assert file_problems(dict(ca_path=None), "gw") == []


# ---------------------------------------------------------------------------------------------
# One report: the services call against a router read from a fake connection

SETTINGS = dict(
    hostname="192.0.2.10",
    inventory_hostname="gw",
    username="admin",
    password="pw",
    tls=True,
    validate_certs=True,
    public_address="203.0.113.1",
    mode="per_service",
    wan_interface="ether1",
    wan_interface_list=None,
    lan_interface="bridge",
    lan_interface_list=None,
    lan_subnets=[],
    masquerade="auto",
    purge=True,
    analyze=False,
    analyze_fail_on_findings=True,
    allow_mass_removal=False,
    max_removals=None,
    from_variables="hairpin",
    unknown_variables=[],
)
WEB = dict(name="web", protocol="tcp", port="80", host="192.168.1.2", host_port=None, dns_name=None, hairpin=None)


def service(**changes):
    return dict(WEB, state="present", **changes)


def Module(check_mode=False, **changes):  # noqa: N802 - stands for the class it makes
    return FakeModule(SETTINGS, check_mode=check_mode, **changes)


class Router:
    """A connection that answers the one read like the router of the hairpin NAT article, with
    `nat` as its NAT table; it records writes (a call that fails on problems makes none)."""

    def __init__(self, nat=(), fail=None):
        self.nat, self.fail = list(nat), fail
        self.round_trips, self.writes = 0, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self, commands, **_options):
        if self.fail:
            raise self.fail
        self.round_trips += 1
        answers = {
            "/ip/firewall/nat/print": self.nat,
            "/interface/print": [{"name": "ether1"}, {"name": "bridge"}],
            "/ip/address/print": [
                {"address": "192.168.1.1/24", "interface": "bridge", "disabled": "false"},
                {"address": "203.0.113.1/24", "interface": "ether1", "disabled": "false"},
            ],
        }
        return [list(answers.get(command.path, [])) for command in commands]

    def run(self, commands, **kwargs):
        self.writes.extend(commands)
        raise AssertionError("a call with problems must not write")


def call(monkeypatch, module, router):
    connections = []

    def connect(params):
        connections.append(router)
        return router

    monkeypatch.setattr(runner, "connect", connect)
    with pytest.raises(EndedError) as ended:
        runner.run_call(module, ServicesCall(module.params))
    return ended.value, connections


def test_inventory_and_router_problems_come_in_one_report(monkeypatch):
    module = Module(
        services=[service(port="0"), service(name="nas", port="445", host="192.168.1.1")],
        lan_interface="bridge-lan",
        unknown_variables=["hairpin_servics"],
    )
    router = Router()
    ended, connections = call(monkeypatch, module, router)
    assert ended.kind == "fail"
    assert ended.result["problems"] == [
        "host 'gw (192.0.2.10)': variable 'hairpin_servics' is not a variable of the hairpin role "
        "(did you mean hairpin_services?)",
        "host 'gw (192.0.2.10)': service 'web': field 'port': 0 is not a port (1-65535)",
        "host 'gw (192.0.2.10)': variable 'hairpin_lan_interface': interface 'bridge-lan' does not exist on the router",
        "host 'gw (192.0.2.10)': service 'nas': field 'host': 192.168.1.1 is the router's own address "
        "(on interface 'bridge'); a port forward must go to another host",
    ]
    assert ended.result["msg"].startswith("invalid services, nothing was written: ")
    assert (connections, router.round_trips, router.writes) == ([router], 1, [])


def test_an_unreachable_router_leaves_the_inventory_problems_and_says_its_checks_were_not_run(monkeypatch):
    module = Module(services=[service(port="0")])
    router = Router(fail=RouterError("router 192.0.2.10:8729 refused the connection."))
    ended, _connections = call(monkeypatch, module, router)
    assert ended.result["problems"] == [
        "host 'gw (192.0.2.10)': service 'web': field 'port': 0 is not a port (1-65535)"
    ]
    assert ended.result["msg"] == (
        "invalid services, nothing was written: host 'gw (192.0.2.10)': service 'web': field 'port': 0 is not a port "
        "(1-65535) (the checks that need the router were not run: host 'gw (192.0.2.10)': router 192.0.2.10:8729 "
        "refused the connection)"
    )


def test_a_missing_ca_file_is_named_with_the_variable_and_no_connection_is_tried(monkeypatch, tmp_path):
    missing = tmp_path / "ca.pem"
    module = Module(services=[service(port="0")], ca_path=str(missing))
    ended, connections = call(monkeypatch, module, Router())
    assert ended.result["problems"] == [
        "host 'gw (192.0.2.10)': service 'web': field 'port': 0 is not a port (1-65535)",
        f"host 'gw (192.0.2.10)': variable 'hairpin_api_ca_path': {missing} does not exist",
    ]
    assert ended.result["msg"].endswith(
        "(the checks that need the router were not run: the connection options above leave no way to reach the router)"
    )
    assert connections == []


def test_a_missing_ca_file_of_a_nat_module_is_named_before_connecting(monkeypatch, tmp_path):
    from ansible_collections.hairpin.routeros.plugins.module_utils.model import KIND_DSTNAT

    resource = runner.NatResource(
        frozenset((KIND_DSTNAT,)), lambda params: {"port_forwards": params["config"]}, lambda config: config
    )
    missing = tmp_path / "ca.pem"
    module = Module(state="merged", config=[], ca_path=str(missing))
    connections = []
    monkeypatch.setattr(runner, "connect", connections.append)
    with pytest.raises(EndedError) as ended:
        runner.run_call(module, runner.NatCall(module.params, resource))
    assert ended.value.result["problems"] == [f"host '192.0.2.10': option 'ca_path': {missing} does not exist"]
    assert connections == []


OWNED_SIX = [forward_row(f"svc{n}", port=str(1000 + n), row_id=f"*{n}") for n in range(6)]


def six_services(count):
    return [service(name=f"svc{n}", port=str(1000 + n)) for n in range(count)]


@pytest.mark.parametrize("check_mode", [False, True])
def test_an_empty_services_list_would_remove_every_forward_and_fails_before_writing(monkeypatch, check_mode):
    module = Module(check_mode=check_mode, services=[], masquerade=False, mode="none")
    router = Router(OWNED_SIX)
    ended, _connections = call(monkeypatch, module, router)
    assert ended.kind == "fail"
    assert ended.result["msg"] == (
        "host 'gw (192.0.2.10)': the run would remove every owned port forward of the router (6), of services svc0, "
        "svc1, svc2, svc3, svc4, svc5, so nothing was written: hairpin_services is empty (a misspelt variable leaves "
        "it so), and with hairpin_purge true the owned rules of every service not in it go. If that is meant, set "
        "hairpin_allow_mass_removal: true"
    )
    # What would have gone, for the reviewer: each remove after the line naming its rule.
    commands = ended.result["commands"]
    assert [line for line in commands if not line.startswith("#")] == [
        f"/ip firewall nat remove *{n}" for n in range(6)
    ]
    assert commands[0] == "# hairpin:dstnat:svc0:tcp"
    assert router.writes == [] and router.round_trips == 1


def test_more_than_half_going_names_the_missing_services_and_the_limit(monkeypatch):
    module = Module(services=six_services(2), masquerade=False, mode="none")
    ended, _connections = call(monkeypatch, module, Router(OWNED_SIX))
    assert ended.result["msg"] == (
        "host 'gw (192.0.2.10)': the run would remove 4 of the router's 6 owned port forwards, more than a run may "
        "remove (3, half of them), of services svc2, svc3, svc4, svc5, so nothing was written: services svc2, svc3, "
        "svc4, svc5 are missing from hairpin_services, and with hairpin_purge true the owned rules of services not "
        "in it go. If that is meant, set hairpin_allow_mass_removal: true (or raise hairpin_max_removals)"
    )


def test_a_removal_within_the_limit_or_allowed_goes_ahead(monkeypatch):
    class Writing(Router):
        def run(self, commands, **kwargs):
            self.writes.extend(commands)
            self.round_trips += 1
            return [[] for _command in commands]

    for module in (
        Module(check_mode=True, services=six_services(5), masquerade=False, mode="none"),
        Module(check_mode=True, services=[], masquerade=False, mode="none", allow_mass_removal=True),
        Module(check_mode=True, services=six_services(1), masquerade=False, mode="none", max_removals=5),
    ):
        ended, _connections = call(monkeypatch, module, Writing(OWNED_SIX))
        assert ended.kind == "exit", ended.result
        assert ended.result["changed"] is True

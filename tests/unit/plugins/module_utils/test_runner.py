# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one run loop (runner.run_call) and the options -> Desired builder (desired.py)."""

from __future__ import annotations

import pytest
from ansible_collections.hairpin.routeros.plugins.module_utils import runner
from ansible_collections.hairpin.routeros.plugins.module_utils.api import RouterError
from ansible_collections.hairpin.routeros.plugins.module_utils.desired import (
    AutoHairpin,
    CallError,
    desired_from_options,
)
from ansible_collections.hairpin.routeros.plugins.module_utils.entries import dns_entry
from ansible_collections.hairpin.routeros.plugins.module_utils.model import KIND_DSTNAT, TOP, Anchor, PortForward

from tests.support import fake_module
from tests.support.fake_module import EndedError

CONNECTION = dict(hostname="192.0.2.1", username="admin", password="pw", tls=True, validate_certs=True)


def FakeModule(**params):  # noqa: N802 - stands for the class it makes
    return fake_module.FakeModule(CONNECTION, **params)


class FakeConnection:
    """Answers every read with no rows; counts round trips as api.Connection does."""

    def __init__(self, fail=None):
        self.round_trips = 0
        self.reads = []
        self.fail = fail

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self, commands, **_options):
        if self.fail:
            raise self.fail
        self.round_trips += 1
        self.reads.append([command.path for command in commands])
        return [[] for _command in commands]


def run(module, call, connection=None, monkeypatch=None):
    connections = []

    def connect(params):
        connections.append(connection)
        return connection

    monkeypatch.setattr(runner, "connect", connect)
    with pytest.raises(EndedError) as ended:
        runner.run_call(module, call)
    return ended.value, connections


class Probe(runner.Call):
    def __init__(self, params, *, offline=None, problem=None):
        super().__init__(params)
        self._offline, self._problem = offline, problem

    def offline(self):
        return self._offline

    def check(self):
        if self._problem:
            raise CallError(self._problem, problems=[self._problem])

    def on_router(self, module, connection, view, result):
        result["rules"] = len(view.nat)


def test_an_offline_result_needs_no_connection(monkeypatch):
    ended, connections = run(FakeModule(), Probe({}, offline=dict(changed=False, rendered=[])), None, monkeypatch)
    assert (ended.kind, ended.result, connections) == ("exit", dict(changed=False, rendered=[]), [])


def test_problems_fail_before_connecting(monkeypatch):
    ended, connections = run(FakeModule(), Probe({}, problem="bad port"), FakeConnection(), monkeypatch)
    assert ended.kind == "fail" and ended.result == dict(msg="bad port", problems=["bad port"])
    assert connections == []


def test_one_connection_one_read(monkeypatch):
    connection = FakeConnection()
    ended, connections = run(FakeModule(), Probe({}), connection, monkeypatch)
    assert ended.kind == "exit" and ended.result == dict(changed=False, rules=0, round_trips=1)
    assert connections == [connection] and len(connection.reads) == 1


def test_a_failed_read_says_nothing_was_written(monkeypatch):
    connection = FakeConnection(fail=RouterError("192.0.2.1:8729: connection reset."))
    ended, _connections = run(FakeModule(), Probe({}), connection, monkeypatch)
    assert ended.kind == "fail"
    assert ended.result["msg"] == "192.0.2.1:8729: connection reset; nothing was written"


def test_a_missing_connection_option_is_named(monkeypatch):
    call = Probe({})
    call.missing_connection = "missing required arguments: %s"
    ended, connections = run(FakeModule(password=None), call, FakeConnection(), monkeypatch)
    assert (ended.kind, ended.result["msg"], connections) == ("fail", "missing required arguments: password", [])


def test_the_nat_call_renders_without_a_router(monkeypatch):
    resource = runner.NatResource(
        frozenset((KIND_DSTNAT,)), lambda params: {"port_forwards": params["config"]}, lambda config: config
    )
    forward = dict(name="web", protocol="tcp", port="80", host="192.168.1.2", public_address="203.0.113.1")
    module = FakeModule(state="rendered", config=[forward])
    ended, connections = run(module, runner.NatCall(module.params, resource), None, monkeypatch)
    assert connections == [] and ended.kind == "exit"
    assert ended.result["rendered"] == [
        "/ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-address=203.0.113.1 dst-port=80 "
        'to-addresses=192.168.1.2 to-ports=80 comment="hairpin:dstnat:web:tcp ~d3f262a8"'
    ]


# ---------------------------------------------------------------------------------------------
# Options -> Desired


def test_nat_options_become_typed_services():
    params = dict(
        auto_hairpin=dict(mode="per_service", lan_interface="bridge", lan_subnets=None),
        dns_static=[dict(name="www.example.net", address="192.168.1.2", comment=None)],
    )
    forward = dict(name="web", protocol="tcp", port="80", host="192.168.1.2", public_address="203.0.113.1")
    desired = desired_from_options(
        params, {"port_forwards": [forward, dict(forward, hairpin=False, name="b")]}, state="merged"
    )
    web = PortForward(
        name="web", protocol="tcp", port="80", host="192.168.1.2", public_address="203.0.113.1", anchor=TOP
    )
    assert desired.port_forwards[0] == web
    assert desired.auto_hairpin_for == [web]
    assert desired.auto_hairpin == AutoHairpin("per_service", lan_interface="bridge")
    assert desired.services == ["web", "b"]
    assert [(job.section.option, job.entries, job.state) for job in desired.entry_jobs] == [
        ("dns_static", [dns_entry("www.example.net", "192.168.1.2")], "merged")
    ]
    assert desired.errors == []


def test_option_problems_name_the_service_and_the_field():
    entries = [
        dict(name="web", port=None, host="192.168.1.2"),
        dict(name="b", port="81", host="192.168.1.3", position="before"),
        dict(name="c", port="82", host="192.168.1.4", position="after", anchor="x"),
    ]
    desired = desired_from_options(
        {"address_lists": [dict(list="bad list", address="x")]}, {"port_forwards": entries}, state="merged", host="gw"
    )
    assert [error.text for error in desired.errors] == [
        "host 'gw': service 'web': field 'port': is required for state merged",
        "host 'gw': service 'b': field 'anchor': position 'before' needs 'anchor', the comment of the foreign rule to "
        "stand before",
        "host 'gw': service 'bad list:x': field 'list': 'bad list' is not a list name hairpin can own (1-64 letters, "
        "digits, '_', '.', '-')",
    ]
    assert desired.port_forwards[0].anchor == Anchor("after", "x")
    # Deleted needs only the names.
    assert desired_from_options({}, {"port_forwards": entries[:1]}, state="deleted").errors == []

"""Sessions, tags, latency, faults, counters, fleets and the CLI, seen from a client's side."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import librouteros
import pytest
from librouteros.exceptions import ConnectionClosed, TrapError

from routeros_sim.certs import ensure_certs
from routeros_sim.protocol import encode_sentence
from routeros_sim.server import Fault, Stats

if TYPE_CHECKING:
    from conftest import RawClient, RunningSim

RawFactory = Callable[..., "RawClient"]

NAT_ADD = [
    "/ip/firewall/nat/add",
    "=chain=dstnat",
    "=action=dst-nat",
    "=protocol=tcp",
    "=dst-port=8080",
    "=to-addresses=192.168.88.10",
    "=to-ports=80",
]


def login_words(sim: RunningSim, password: str | None = None) -> list[str]:
    return ["/login", f"=name={sim.username}", f"=password={sim.password if password is None else password}"]


# --------------------------------------------------------------------------------------------
# Login and session rules


def test_commands_before_login_are_refused_and_the_connection_closed(sim: RunningSim, raw_client: RawFactory) -> None:
    client = raw_client(sim.port)
    client.send(["/ip/firewall/nat/print"])
    assert client.read_sentence() == ["!fatal", "not logged in"]
    assert client.is_closed()
    assert sim.stats.logins == 0


def test_a_failed_login_leaves_the_connection_open_for_another_try(sim: RunningSim, raw_client: RawFactory) -> None:
    client = raw_client(sim.port)
    client.send([*login_words(sim, "wrong"), ".tag=1"])
    assert client.read_until_done() == [
        ["!trap", ".tag=1", "=message=invalid user name or password (6)"],
        ["!done", ".tag=1"],
    ]
    client.send(login_words(sim))
    assert client.read_until_done() == [["!done"]]
    client.send(["/interface/print", "=.proplist=name"])
    assert client.read_until_done()[-1] == ["!done"]
    assert (sim.stats.logins, sim.stats.failed_logins) == (1, 1)


def test_quit_ends_the_session(sim: RunningSim, raw_client: RawFactory) -> None:
    client = raw_client(sim.port)
    client.login()
    client.send(["/quit"])
    assert client.read_sentence() == ["!fatal", "session terminated on request"]
    assert client.is_closed()


def test_librouteros_sees_quit_as_fatal(sim: RunningSim) -> None:
    api = sim.connect()
    with pytest.raises(librouteros.exceptions.FatalError, match="session terminated on request"):
        tuple(api("/quit"))


def test_empty_sentences_are_ignored(sim: RunningSim, raw_client: RawFactory) -> None:
    client = raw_client(sim.port)
    client.send_bytes(b"\x00\x00" + encode_sentence(login_words(sim)) + b"\x00")
    assert client.read_until_done() == [["!done"]]
    client.send(["/system/identity/print"])
    assert client.read_until_done()[-1] == ["!done"]


def test_a_sentence_that_is_not_a_command_gets_a_trap(sim: RunningSim, raw_client: RawFactory) -> None:
    client = raw_client(sim.port)
    client.login()
    client.send(["=name=x", ".tag=9"])
    replies = client.read_until_done()
    assert replies[0][:2] == ["!trap", ".tag=9"]
    assert replies[-1] == ["!done", ".tag=9"]


def test_framing_errors_close_only_that_connection(sim: RunningSim, raw_client: RawFactory) -> None:
    bystander = raw_client(sim.port)
    bystander.login()
    client = raw_client(sim.port)
    client.login()
    client.send_bytes(b"\xf8garbage")
    assert client.is_closed()
    bystander.send(["/system/identity/print"])
    assert bystander.read_until_done()[-1] == ["!done"]


def test_an_unauthenticated_peer_cannot_send_a_huge_sentence(sim: RunningSim, raw_client: RawFactory) -> None:
    client = raw_client(sim.port)
    client.send(["/login", "=name=" + "x" * 200_000])
    assert client.is_closed()


# --------------------------------------------------------------------------------------------
# Tags and pipelining


def test_tagged_commands_in_flight_are_answered_in_order_with_their_tags(
    sim: RunningSim, raw_client: RawFactory
) -> None:
    client = raw_client(sim.port)
    client.login()
    rounds_before = sim.stats.round_trips
    client.send(
        [*NAT_ADD, "=comment=a", ".tag=a"],
        ["/ip/firewall/nat/print", ".tag=b", "=.proplist=comment"],
        ["/no/such/menu/print", ".tag=c"],
        ["/ip/firewall/nat/print", "=.proplist=comment"],
    )
    replies = client.read_until_done(4)
    tags = [next((w for w in sentence if w.startswith(".tag=")), None) for sentence in replies]
    # Every reply sentence carries its command's tag; the untagged command's replies carry none.
    assert [t for t in tags if t is not None] == tags[: len(tags) - 2]
    done = [(s[0], t) for s, t in zip(replies, tags) if s[0] == "!done"]
    assert done == [("!done", ".tag=a"), ("!done", ".tag=b"), ("!done", ".tag=c"), ("!done", None)]
    assert replies[0][0] == "!done" and "=ret=" in replies[0][2]  # the add's id
    assert ["!re", ".tag=b", "=comment=a"] in replies
    assert any(s[0] == "!trap" and t == ".tag=c" for s, t in zip(replies, tags))
    assert replies[-2:] == [["!re", "=comment=a"], ["!done"]]
    # Sent together, answered together: one round trip.
    assert sim.stats.round_trips == rounds_before + 1


def test_login_and_commands_pipelined_together(sim: RunningSim, raw_client: RawFactory) -> None:
    client = raw_client(sim.port)
    client.send(login_words(sim), ["/system/identity/print", ".tag=x"])
    assert client.read_until_done(2)[-1] == ["!done", ".tag=x"]
    assert sim.stats.round_trips == 1


@pytest.mark.parametrize(("version", "empty"), [("7.20.6", True), ("6.49.18", False)])
def test_an_empty_print_carries_the_tag(
    start_sim: Callable[..., RunningSim], raw_client: RawFactory, version: str, empty: bool
) -> None:
    sim = start_sim(version=version)
    client = raw_client(sim.port)
    client.login()
    client.send(["/ip/firewall/nat/print", "?comment=none", ".tag=e"])
    # RouterOS 7.18 and later say !empty when a print matches nothing; older versions just !done.
    expected = [["!empty", ".tag=e"], ["!done", ".tag=e"]] if empty else [["!done", ".tag=e"]]
    assert client.read_until_done() == expected


# --------------------------------------------------------------------------------------------
# Latency


def test_latency_delays_each_answer_but_a_pipelined_batch_costs_one_delay(
    start_sim: Callable[..., RunningSim], raw_client: RawFactory
) -> None:
    latency = 0.25
    sim = start_sim(latency_ms=latency * 1000)
    client = raw_client(sim.port)
    client.login()

    started = time.monotonic()
    for _ in range(3):
        client.send(["/system/identity/print"])
        client.read_until_done()
    sequential = time.monotonic() - started
    assert sequential >= 3 * latency

    started = time.monotonic()
    client.send(*[["/system/identity/print", f".tag={i}"] for i in range(10)])
    client.read_until_done(10)
    batch = time.monotonic() - started
    assert latency <= batch < 2 * latency


# --------------------------------------------------------------------------------------------
# Faults


def test_stall_on_command_never_answers_but_keeps_the_connection(
    start_sim: Callable[..., RunningSim], raw_client: RawFactory
) -> None:
    sim = start_sim(faults=["stall-on-command:1"])
    client = raw_client(sim.port)
    client.login()
    client.send(["/ip/firewall/nat/print", ".tag=s"])
    client.send(["/system/identity/print", ".tag=t"])
    replies = client.read_until_done()
    assert replies[-1] == ["!done", ".tag=t"]
    assert all(".tag=s" not in sentence for sentence in replies)
    # /cancel interrupts the stalled command the way RouterOS interrupts a running one.
    client.send(["/cancel", "=tag=s", ".tag=c"])
    assert client.read_until_done(2) == [
        ["!trap", ".tag=s", "=category=2", "=message=interrupted"],
        ["!done", ".tag=c"],
        ["!done", ".tag=s"],
    ]


def test_a_stalled_librouteros_call_times_out(start_sim: Callable[..., RunningSim]) -> None:
    sim = start_sim(faults=["stall-on-command:1"])
    api = sim.connect(timeout=0.5)
    with pytest.raises(TimeoutError):
        tuple(api.path("ip", "firewall", "nat"))
    api.close()


def test_fault_specs() -> None:
    assert Fault.parse("drop-before-write:2") == Fault("drop-before-write", 2)
    assert str(Fault.parse("stall-on-command:7")) == "stall-on-command:7"
    for bad in ("drop-before-write", "explode:1", "trap-on-command:0", "trap-on-command:x"):
        with pytest.raises(ValueError):
            Fault.parse(bad)


def test_faults_count_commands_over_the_routers_life_across_connections(start_sim: Callable[..., RunningSim]) -> None:
    sim = start_sim(faults=["drop-before-write:2"])
    first = sim.connect()
    first.path("ip", "firewall", "nat").add(chain="srcnat", action="masquerade", **{"out-interface": "ether1"})
    first.close()
    second = sim.connect()
    with pytest.raises((ConnectionClosed, ConnectionError)):
        second.path("ip", "firewall", "nat").add(chain="srcnat", action="masquerade", **{"out-interface": "ether2"})
    assert [r["out-interface"] for r in sim.nat_rules_in_state()] == ["ether1"]


# --------------------------------------------------------------------------------------------
# Counters and the request log


def test_counters_are_written_to_the_stats_file_after_every_command(sim: RunningSim) -> None:
    stats_file = sim.state_path.with_name(sim.state_path.name + ".stats.json")
    api = sim.connect()
    api.path("ip", "firewall", "nat").add(chain="srcnat", action="masquerade", **{"out-interface": "ether1"})
    written = Stats.from_json(json.loads(stats_file.read_text()))
    assert written == sim.stats
    assert written.connections == 1
    assert written.logins == 1
    assert written.writes == 1
    assert written.commands == {"login": 1, "add": 1}
    with pytest.raises(TrapError):
        librouteros.connect("127.0.0.1", sim.username, "bad", port=sim.port, timeout=5)
    assert json.loads(stats_file.read_text())["failed_logins"] == 1
    api.close()


def test_request_log_has_every_command_without_passwords(start_sim: Callable[..., RunningSim]) -> None:
    sim = start_sim(request_log=True)
    api = sim.connect()
    tuple(api.path("system", "identity"))
    with pytest.raises(TrapError):
        librouteros.connect("127.0.0.1", sim.username, "wrong-password", port=sim.port, timeout=5)
    assert sim.request_log is not None
    text = sim.request_log.read_text()
    assert sim.password not in text and "wrong-password" not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert [e["words"][0] for e in entries] == ["/login", "/system/identity/print", "/login"]
    assert entries[0]["words"] == ["/login", f"=name={sim.username}", "=password=***"]
    assert entries[1]["replies"][-1] == "!done"
    assert entries[2]["trap"] == "invalid user name or password (6)"
    api.close()


def test_many_concurrent_connections(sim: RunningSim) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(40)

    def client() -> None:
        try:
            api = sim.connect()
            barrier.wait(timeout=10)  # all 40 logged in at the same time
            tuple(api.path("interface"))
            api.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sim.stats.connections == 40
    assert sim.stats.logins == 40


# --------------------------------------------------------------------------------------------
# Fleets


def test_a_fleet_has_one_port_state_and_counters_per_router(start_sim: Callable[..., RunningSim]) -> None:
    sim = start_sim(count=3, faults=[])
    sites = sim.simulator.sites
    assert len({s.port for s in sites}) == 3 and len({s.tls_port for s in sites}) == 3
    api = sim.connect(port=sites[1].port)
    api.path("ip", "firewall", "nat").add(chain="srcnat", action="masquerade", **{"out-interface": "ether1"})
    api.close()
    assert [len(sim.nat_rules_in_state(i)) for i in range(3)] == [0, 1, 0]
    assert [s.stats.writes for s in sites] == [0, 1, 0]


# --------------------------------------------------------------------------------------------
# Certificates


def test_certificates_are_reused_and_reissued_for_new_names(tmp_path: Path) -> None:
    first = ensure_certs(tmp_path)
    ca, cert = first.ca.read_bytes(), first.cert.read_bytes()
    again = ensure_certs(tmp_path)
    assert (again.ca.read_bytes(), again.cert.read_bytes()) == (ca, cert)
    wider = ensure_certs(tmp_path, ["router.test", "192.0.2.1"])
    assert wider.ca.read_bytes() == ca  # clients that trust ca.pem keep trusting the new cert
    assert wider.cert.read_bytes() != cert
    assert ensure_certs(tmp_path, ["router.test"]).cert.read_bytes() == wider.cert.read_bytes()
    assert os.stat(wider.key).st_mode & 0o077 == 0


# --------------------------------------------------------------------------------------------
# The command line


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "routeros_sim", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def wait_for_file(path: Path, process: subprocess.Popen[str], timeout: float = 20) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        if process.poll() is not None:
            raise AssertionError(f"routeros-sim exited early: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.05)  # polling a file another process writes; there is no event to wait on
    raise AssertionError(f"{path} did not appear")


@contextmanager
def serving(ready: Path, *options: str) -> Iterator[dict[str, Any]]:
    """`routeros-sim serve OPTIONS` in a process of its own, yielding its ready file once it is
    up; then stopped with SIGTERM, as a service manager stops it, after which it must exit 0."""
    command = [sys.executable, "-m", "routeros_sim", "serve", *options, f"--ready-file={ready}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield wait_for_file(ready, process)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr


def test_cli_serves_a_fleet_writes_a_ready_file_and_stops_on_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    state = tmp_path / "fleet.json"
    options = ["--port=0", "--tls-port=0", f"--cert-dir={tmp_path / 'certs'}", f"--state={state}"]
    options += ["--username=api", "--password=pw", "--count=2", "--fault=trap-on-command:1@2"]
    with serving(ready, *options) as info:
        routers = info["routers"]
        assert isinstance(routers, list) and len(routers) == 2
        api = librouteros.connect("127.0.0.1", "api", "pw", port=routers[0]["port"], timeout=5)
        assert tuple(api.path("ip", "firewall", "nat")) == ()
        api.close()
        api = librouteros.connect("127.0.0.1", "api", "pw", port=routers[1]["port"], timeout=5)
        with pytest.raises(TrapError):
            tuple(api.path("ip", "firewall", "nat"))
        api.close()
    assert not ready.exists()
    assert (tmp_path / "fleet-001.json").exists() and (tmp_path / "fleet-002.json").exists()

    shown = run_cli("stats", f"--state={state}", "--count=2", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    counters = json.loads(shown.stdout)
    assert counters[str(tmp_path / "fleet-002.json")]["logins"] == 1


def test_cli_import_then_export(tmp_path: Path) -> None:
    script = tmp_path / "nat.rsc"
    script.write_text("/ip firewall nat\nadd action=masquerade chain=srcnat comment=wan-masq out-interface=ether1\n")
    state = tmp_path / "state.json"
    imported = run_cli("import", f"--state={state}", str(script), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    exported = run_cli("export", f"--state={state}", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "comment=wan-masq" in exported.stdout
    assert "/ip firewall nat" in exported.stdout


def test_cli_certs(tmp_path: Path) -> None:
    made = run_cli("certs", f"--dir={tmp_path}", "--hostname=sim.test", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert {"ca.pem", "server.pem", "server.key"} <= {p.name for p in tmp_path.iterdir()}


def test_cli_rejects_bad_faults(tmp_path: Path) -> None:
    refused = run_cli("serve", f"--state={tmp_path / 's.json'}", "--fault=explode:1", cwd=tmp_path)
    assert refused.returncode == 2
    assert "unknown fault kind" in refused.stderr


def test_cli_serves_a_routeros6_router_without_its_ipv6_package(tmp_path: Path) -> None:
    options = ["--port=0", f"--state={tmp_path / 'router.json'}", "--seed=routeros6-defconf", "--disable-package=ipv6"]
    with serving(tmp_path / "ready.json", *options) as info:
        port = info["routers"][0]["port"]
        api = librouteros.connect("127.0.0.1", "admin", "", port=port, timeout=5)
        assert tuple(api.path("ip", "firewall", "filter"))
        with pytest.raises(TrapError, match="no such command prefix"):
            tuple(api.path("ipv6", "firewall", "filter"))
        api.close()
    refused = run_cli("serve", "--port=0", f"--state={tmp_path / 'seven.json'}", "--disable-package=ipv6", cwd=tmp_path)
    assert refused.returncode != 0 and "no ipv6 package" in refused.stderr

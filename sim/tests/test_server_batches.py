"""Pipelined batches: the writes of one batch are saved once, and before any of its replies is sent.

The simulators here are built the way ``routeros-sim serve`` builds them: each router's
``state.attach_persistence`` result is given to the ``Simulator``, which then saves the state (and
the counters) once per batch instead of once per command.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from routeros_sim import server, site, state
from routeros_sim.server import Simulator, SimulatorThread, Stats

if TYPE_CHECKING:
    from conftest import RawClient

RawFactory = Callable[..., "RawClient"]

USERNAME = "admin"
PASSWORD = "s3cret"


def nat_add(port: int, tag: str | None = None) -> list[str]:
    words = [
        "/ip/firewall/nat/add",
        "=chain=dstnat",
        "=action=dst-nat",
        "=protocol=tcp",
        f"=dst-port={port}",
        "=to-addresses=192.168.1.11",
        f"=comment=rule {port}",
    ]
    return [*words, f".tag={tag}"] if tag is not None else words


def saved_ports(path: Path) -> list[str]:
    """The dst-ports of the NAT rules the state file holds."""
    replies = state.load_router(path).execute("/ip/firewall/nat/print", [])
    return [attrs["dst-port"] for word, attrs in replies if word == "!re"]


@dataclass
class Served:
    """One router served in-process, its state saved per batch."""

    thread: SimulatorThread
    state_path: Path
    request_log: Path

    @property
    def port(self) -> int:
        port = self.thread.port
        assert port is not None
        return port

    def stats_in_file(self) -> Stats:
        return Stats.from_json(json.loads(server.stats_path_for(self.state_path).read_text(encoding="utf-8")))

    def log_entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.request_log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[SimulatorThread] = []

    def start(*, faults: Sequence[str] = (), latency_ms: float = 0, suffix: str = ".json") -> Served:
        path = tmp_path / f"router{suffix}"
        router = state.load_router(path)
        keeper = state.attach_persistence(router, path)
        log = tmp_path / "requests.jsonl"
        simulator = Simulator(
            [(router, path, keeper)],
            host="127.0.0.1",
            port=0,
            username=USERNAME,
            password=PASSWORD,
            faults=faults,
            latency_ms=latency_ms,
            request_log=log,
        )
        thread = SimulatorThread(simulator).start()
        started.append(thread)
        return Served(thread, path, log)

    yield start
    for thread in started:
        thread.stop()


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the simulator saves, in order: the state file's name, or ``stats``."""
    written: list[str] = []
    save_state, save_stats = state._atomic_write, site._write_json_atomic

    def state_saved(target: Path, text: str) -> None:
        save_state(target, text)
        written.append(target.name)

    def stats_saved(path: Path, data: Any) -> None:
        save_stats(path, data)
        written.append("stats")

    monkeypatch.setattr(state, "_atomic_write", state_saved)
    monkeypatch.setattr(site, "_write_json_atomic", stats_saved)
    return written


def logged_in(served: Served, raw_client: RawFactory) -> RawClient:
    client = raw_client(served.port)
    client.send(["/login", f"=name={USERNAME}", f"=password={PASSWORD}"])
    assert client.read_until_done() == [["!done"]]
    return client


# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".rsc"])
def test_a_batch_of_writes_is_saved_once_before_the_first_reply(
    serve: Callable[..., Served], raw_client: RawFactory, saves: list[str], suffix: str
) -> None:
    served = serve(suffix=suffix)
    client = logged_in(served, raw_client)
    saves.clear()
    ports = [str(10000 + n) for n in range(41)]
    client.send(*[nat_add(int(port), tag=port) for port in ports], ["/ip/firewall/nat/print", ".tag=p"])

    # Already at the first !done, every write of the batch is on disk, and so are the counters.
    assert client.read_sentence()[:2] == ["!done", ".tag=10000"]
    assert saved_ports(served.state_path) == ports
    counters = served.stats_in_file()
    assert (counters.writes, counters.commands) == (41, {"login": 1, "add": 41, "print": 1})

    replies = client.read_until_done(41)
    assert [s[1] for s in replies if s[0] == "!done"] == [*(f".tag={p}" for p in ports[1:]), ".tag=p"]
    assert saves == [served.state_path.name, "stats"]


def test_a_batch_without_writes_saves_only_the_counters(
    serve: Callable[..., Served], raw_client: RawFactory, saves: list[str]
) -> None:
    served = serve()
    client = logged_in(served, raw_client)
    client.send(nat_add(8080))
    client.read_until_done()
    saves.clear()
    client.send(*[["/ip/firewall/nat/print", f".tag={n}"] for n in range(5)])
    client.read_until_done(5)
    assert saves == ["stats"]
    assert served.stats_in_file().commands["print"] == 5


@pytest.mark.parametrize(("fault", "kept"), [("drop-after-write:3", 3), ("drop-before-write:3", 2)])
def test_a_drop_inside_a_batch_sends_the_earlier_replies_and_saves_what_was_executed(
    serve: Callable[..., Served], raw_client: RawFactory, fault: str, kept: int
) -> None:
    served = serve(faults=[fault])
    client = logged_in(served, raw_client)
    client.send(*[nat_add(9000 + n, tag=str(n)) for n in range(1, 6)])
    replies = client.read_until_done(2)
    assert [s[:2] for s in replies] == [["!done", ".tag=1"], ["!done", ".tag=2"]]
    assert client.is_closed()
    assert saved_ports(served.state_path) == [str(9000 + n) for n in range(1, kept + 1)]
    # The commands after the drop were never answered, nor counted.
    entries = served.log_entries()
    assert [e["words"][-1] for e in entries[1:]] == [".tag=1", ".tag=2", ".tag=3"]
    assert entries[-1]["closed"] is True and entries[-1]["note"] == fault
    assert served.stats_in_file().writes == 3


def test_quit_inside_a_batch_ends_it(serve: Callable[..., Served], raw_client: RawFactory) -> None:
    served = serve()
    client = logged_in(served, raw_client)
    client.send(nat_add(1, tag="a"), nat_add(2, tag="b"), ["/quit"], nat_add(3, tag="c"))
    assert [s[:2] for s in client.read_until_done(2)] == [["!done", ".tag=a"], ["!done", ".tag=b"]]
    assert client.read_sentence() == ["!fatal", "session terminated on request"]
    assert client.is_closed()
    assert saved_ports(served.state_path) == ["1", "2"]


def test_a_stalled_command_inside_a_batch_holds_up_nothing_else(
    serve: Callable[..., Served], raw_client: RawFactory
) -> None:
    served = serve(faults=["stall-on-command:2"])
    client = logged_in(served, raw_client)
    client.send(nat_add(1, tag="a"), nat_add(2, tag="b"), nat_add(3, tag="c"), ["/cancel", "=tag=b", ".tag=x"])
    assert client.read_until_done(4) == [
        ["!done", ".tag=a", "=ret=*1"],
        ["!done", ".tag=c", "=ret=*2"],
        ["!trap", ".tag=b", "=category=2", "=message=interrupted"],
        ["!done", ".tag=x"],
        ["!done", ".tag=b"],
    ]
    assert saved_ports(served.state_path) == ["1", "3"]


def test_writes_whose_save_failed_are_not_acknowledged(
    serve: Callable[..., Served], raw_client: RawFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = serve()
    client = logged_in(served, raw_client)
    before = served.state_path.read_bytes()
    real_fsync = state.os.fsync

    def disk_full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state.os, "fsync", disk_full)
    client.send(nat_add(1, tag="a"), ["/system/identity/print", ".tag=b"], nat_add(2, tag="c"))
    replies = client.read_until_done(3)
    # The writes get a trap (nothing a client could take for "saved"); the read is answered.
    assert ["!trap", ".tag=a", "=message=internal simulator error"] in replies
    assert ["!trap", ".tag=c", "=message=internal simulator error"] in replies
    assert ["!done", ".tag=b"] in replies
    assert served.state_path.read_bytes() == before
    notes = [e.get("note", "") for e in served.log_entries()]
    assert notes[1].startswith("state not saved") and notes[3].startswith("state not saved")

    # The connection stays usable; once the disk has room, the next save catches the file up with
    # the router (which kept the trapped writes, as a failed save always left them in memory).
    monkeypatch.setattr(state.os, "fsync", real_fsync)
    client.send(nat_add(3, tag="d"))
    assert client.read_until_done()[0][:2] == ["!done", ".tag=d"]
    assert saved_ports(served.state_path) == ["1", "2", "3"]


def test_two_sessions_pipelining_to_one_router_both_land(serve: Callable[..., Served], raw_client: RawFactory) -> None:
    served = serve()
    first, second = logged_in(served, raw_client), logged_in(served, raw_client)
    first.send(*[nat_add(1000 + n, tag=str(n)) for n in range(20)])
    second.send(*[nat_add(2000 + n, tag=str(n)) for n in range(20)])
    assert all(s[0] == "!done" for s in first.read_until_done(20))
    assert all(s[0] == "!done" for s in second.read_until_done(20))
    assert sorted(saved_ports(served.state_path)) == [str(1000 + n) for n in range(20)] + [
        str(2000 + n) for n in range(20)
    ]
    assert served.stats_in_file().writes == 40


def test_commands_arriving_after_the_batch_is_due_wait_for_their_own_latency(
    serve: Callable[..., Served], raw_client: RawFactory, saves: list[str]
) -> None:
    served = serve(latency_ms=150)
    client = logged_in(served, raw_client)
    saves.clear()
    client.send(nat_add(1, tag="a"))
    assert client.read_until_done()[0][:2] == ["!done", ".tag=a"]
    client.send(nat_add(2, tag="b"), nat_add(3, tag="c"))
    assert [s[:2] for s in client.read_until_done(2)] == [["!done", ".tag=b"], ["!done", ".tag=c"]]
    # Two round trips, two batches: each saved once.
    name = served.state_path.name
    assert saves == [name, "stats", name, "stats"]

"""state.py: a Router kept in a .json or .rsc file, rewritten atomically after every write
(or once per ``Persistence.deferred()`` block, which is how the server saves a pipelined batch)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from routeros_sim import state
from routeros_sim.router import Router
from routeros_sim.rsc import export, run_script
from routeros_sim.state import STOCK_SEED, StateFormatError, attach_persistence, load_router, save_router

HOME_ROUTER = Path(__file__).parent / "fixtures" / "home-router.rsc"

PORT_FORWARD = ["=chain=dstnat", "=action=dst-nat", "=protocol=tcp", "=dst-port=8080", "=to-addresses=192.168.1.10"]


def state_of(router: Router) -> dict[str, list[dict[str, str]]]:
    """Every table's items in order, without what a reload hands out afresh (ids, creation times)."""
    return {
        path: [{k: v for k, v in item.items() if k not in (".id", "creation-time")} for item in table.items]
        for path, table in router.tables.items()
    }


def nat_rules(router: Router) -> list[dict[str, str]]:
    return [attrs for kind, attrs in router.execute("/ip/firewall/nat/print", []) if kind == "!re"]


def leftovers(directory: Path, keep: str) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name != keep)


# ---------------------------------------------------------------------------------------------
# Loading


def test_rsc_state_file_loads_with_the_version_its_header_names() -> None:
    router = load_router(HOME_ROUTER)
    assert router.version == "7.16.1"
    assert [rule["comment"] for rule in nat_rules(router)][:2] == ["defconf: masquerade", "port forwards from WAN"]


def test_version_given_wins_over_the_header(tmp_path: Path) -> None:
    seed = tmp_path / "seed.rsc"
    seed.write_text(STOCK_SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_router(seed, version="6.49.18").version == "6.49.18"


def test_missing_state_file_starts_from_the_seed_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "router.json"
    router = load_router(path, seed=STOCK_SEED, version="6.49.18")
    assert router.version == "6.49.18"
    addresses = [(a["address"], a["interface"]) for k, a in router.execute("/ip/address/print", []) if k == "!re"]
    assert addresses == [("192.168.1.1/24", "bridge"), ("203.0.113.1/24", "ether1")]
    assert [rule["action"] for rule in nat_rules(router)] == ["masquerade"]
    assert not path.exists()


def test_missing_state_file_without_seed_is_a_stock_router(tmp_path: Path) -> None:
    router = load_router(tmp_path / "router.rsc", version="7.18")
    assert router.version == "7.18"
    assert state_of(router) == state_of(Router.empty("7.18"))


def test_json_seed(tmp_path: Path) -> None:
    source = load_router(STOCK_SEED)
    source.execute("/ip/firewall/nat/add", PORT_FORWARD)
    seed = tmp_path / "seed.json"
    save_router(source, seed)
    router = load_router(tmp_path / "new.rsc", seed=seed)
    assert router.to_json() == source.to_json()


def test_existing_json_keeps_ids_and_its_version(tmp_path: Path) -> None:
    path = tmp_path / "router.json"
    source = load_router(path, seed=STOCK_SEED, version="6.49.18")
    source.execute("/ip/firewall/nat/add", PORT_FORWARD)
    save_router(source, path)
    again = load_router(path, version="7.20.6")
    assert again.version == "6.49.18"
    assert nat_rules(again) == nat_rules(source)  # same .id values too


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("router.txt", "", "state files end in .json or .rsc"),
        ("router.json", "{not json", "not a routeros-sim state"),
        ("router.rsc", "/ip firewall nat\nadd chain=x action=bogus\n", "line 2"),
    ],
)
def test_unloadable_files_are_named(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StateFormatError) as caught:
        load_router(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_stock_seed_is_the_documented_scenario() -> None:
    router = load_router(STOCK_SEED)
    text = export(router)
    assert "add address=192.168.1.1/24 comment=defconf interface=bridge network=\\\n    192.168.1.0" in text
    assert "add address=203.0.113.1/24 comment=WAN interface=ether1 network=203.0.113.0" in text
    assert "add comment=defconf interface=ether1 list=WAN" in text
    ports = [a["interface"] for k, a in router.execute("/interface/bridge/port/print", []) if k == "!re"]
    assert ports == ["ether2", "ether3", "ether4", "ether5"]


# ---------------------------------------------------------------------------------------------
# Persistence


@pytest.mark.parametrize("suffix", [".json", ".rsc"])
def test_a_write_lands_in_the_file_before_execute_returns(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"router{suffix}"
    router = load_router(path, seed=STOCK_SEED)
    attach_persistence(router, path)
    assert path.exists()  # a new state file is written when persistence starts

    before = path.read_text(encoding="utf-8")
    replies = router.execute("/ip/firewall/nat/add", [*PORT_FORWARD, '=comment=web "8080"'])
    assert replies[-1][0] == "!done"
    after = path.read_text(encoding="utf-8")
    assert after != before
    assert 'web \\"8080\\"' in after if suffix == ".rsc" else '"comment": "web \\"8080\\""' in after

    reloaded = load_router(path)
    assert state_of(reloaded) == state_of(router)
    if suffix == ".json":
        assert reloaded.to_json() == router.to_json()
    assert leftovers(tmp_path, path.name) == []  # no temp files left behind


def test_the_file_is_replaced_not_rewritten_in_place(tmp_path: Path) -> None:
    path = tmp_path / "router.rsc"
    router = load_router(path, seed=STOCK_SEED)
    attach_persistence(router, path)
    before = path.read_text(encoding="utf-8")
    with path.open(encoding="utf-8") as reader:  # a reader that opened the old file...
        old_inode = os.fstat(reader.fileno()).st_ino
        router.execute("/ip/firewall/nat/add", PORT_FORWARD)
        assert reader.read() == before  # ...still reads the whole old state
    assert os.stat(path).st_ino != old_inode
    assert "dst-port=8080" in path.read_text(encoding="utf-8")


def test_a_refused_write_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "router.json"
    router = load_router(path, seed=STOCK_SEED)
    attach_persistence(router, path)
    before = path.read_bytes()
    replies = router.execute("/ip/firewall/nat/add", ["=chain=dstnat", "=action=dst-nat", "=dst-port=80"])
    assert replies[0][0] == "!trap"
    assert path.read_bytes() == before


def test_a_failed_save_keeps_the_old_file_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "router.rsc"
    router = load_router(path, seed=STOCK_SEED)
    save_router(router, path)
    before = path.read_bytes()
    router.execute("/ip/firewall/nat/add", PORT_FORWARD)

    def disk_full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_router(router, path)
    assert path.read_bytes() == before
    assert leftovers(tmp_path, path.name) == []


def test_existing_file_is_not_rewritten_until_a_change(tmp_path: Path) -> None:
    path = tmp_path / "router.rsc"
    hand_written = "# my notes\n/ip firewall nat\nadd chain=srcnat action=masquerade out-interface=ether1\n"
    path.write_text(hand_written, encoding="utf-8")
    router = load_router(path)
    attach_persistence(router, path)
    assert path.read_text(encoding="utf-8") == hand_written
    router.execute("/system/identity/set", ["=name=edge"])
    text = path.read_text(encoding="utf-8")
    assert "/system identity\nset name=edge\n" in text
    assert "add action=masquerade chain=srcnat out-interface=ether1\n" in text


def test_rewrites_keep_the_file_permissions(tmp_path: Path) -> None:
    path = tmp_path / "router.json"
    save_router(Router.empty(), path)
    path.chmod(0o640)
    save_router(Router.empty(), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_old_personality_survives_an_rsc_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "old.rsc"
    router = load_router(path, seed=STOCK_SEED, version="6.49.18")
    attach_persistence(router, path)
    router.execute("/ip/firewall/nat/add", PORT_FORWARD)
    assert path.read_text(encoding="utf-8").splitlines()[0].endswith("by RouterOS 6.49.18")
    reloaded = load_router(path)
    assert reloaded.version == "6.49.18"
    assert state_of(reloaded) == state_of(router)


def test_json_keeps_values_that_are_not_utf8(tmp_path: Path) -> None:
    router = Router.empty()
    run_script(router, '/ip firewall nat add chain=srcnat action=masquerade comment="caf\\E9"\n')
    path = tmp_path / "router.json"
    save_router(router, path)
    json.loads(path.read_text(encoding="ascii"))  # plain ASCII JSON
    reloaded = load_router(path)
    assert reloaded.to_json() == router.to_json()
    assert 'comment="caf\\E9"' in export(reloaded)


# ---------------------------------------------------------------------------------------------
# Deferred saves (one per pipelined batch)


def port_forward(port: int) -> list[str]:
    return ["=chain=dstnat", "=action=dst-nat", "=protocol=tcp", f"=dst-port={port}", "=to-addresses=192.168.1.10"]


def saved_ports(path: Path) -> list[str]:
    return [rule["dst-port"] for rule in nat_rules(load_router(path)) if "dst-port" in rule]


def count_saves(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    saved: list[Path] = []
    real = state._atomic_write

    def recording(target: Path, text: str) -> None:
        real(target, text)
        saved.append(target)

    monkeypatch.setattr(state, "_atomic_write", recording)
    return saved


@pytest.mark.parametrize("suffix", [".json", ".rsc"])
def test_writes_inside_deferred_are_saved_once_when_the_block_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    path = tmp_path / f"router{suffix}"
    router = load_router(path, seed=STOCK_SEED)
    persistence = attach_persistence(router, path)
    saved = count_saves(monkeypatch)
    before = path.read_bytes()
    with persistence.deferred():
        for port in range(8000, 8010):
            assert router.execute("/ip/firewall/nat/add", port_forward(port))[-1][0] == "!done"
        with persistence.deferred():  # nested: still one save, at the outer end
            router.execute("/system/identity/set", ["=name=edge"])
        assert path.read_bytes() == before and persistence.dirty
    assert saved == [path]
    assert not persistence.dirty
    assert state_of(load_router(path)) == state_of(router)
    assert leftovers(tmp_path, path.name) == []


def test_a_deferred_block_without_writes_saves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "router.json"
    router = load_router(path, seed=STOCK_SEED)
    persistence = attach_persistence(router, path)
    saved = count_saves(monkeypatch)
    with persistence.deferred():
        nat_rules(router)
        refused = router.execute("/ip/firewall/nat/add", ["=chain=dstnat", "=action=dst-nat", "=dst-port=80"])
        assert refused[0][0] == "!trap"  # a refused write changes nothing
    assert saved == []


def test_writes_on_another_thread_are_saved_at_once_while_one_thread_defers(tmp_path: Path) -> None:
    path = tmp_path / "router.json"
    router = load_router(path, seed=STOCK_SEED)
    persistence = attach_persistence(router, path)
    with persistence.deferred():
        worker = threading.Thread(target=router.execute, args=("/ip/firewall/nat/add", port_forward(9000)))
        worker.start()
        worker.join()
        assert saved_ports(path) == ["9000"]  # that thread's write did not wait for this block


def test_a_failed_deferred_save_raises_and_the_next_save_catches_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "router.json"
    router = load_router(path, seed=STOCK_SEED)
    persistence = attach_persistence(router, path)
    before = path.read_bytes()

    def disk_full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"), persistence.deferred():
        router.execute("/ip/firewall/nat/add", port_forward(8080))
    assert path.read_bytes() == before and persistence.dirty
    assert leftovers(tmp_path, path.name) == []
    monkeypatch.undo()
    persistence.flush()
    assert saved_ports(path) == ["8080"] and not persistence.dirty


def test_saves_racing_from_several_threads_end_with_the_newest_state(tmp_path: Path) -> None:
    path = tmp_path / "router.json"
    router = load_router(path, seed=STOCK_SEED)
    persistence = attach_persistence(router, path)

    def writer(first: int) -> None:
        for port in range(first, first + 15):
            router.execute("/ip/firewall/nat/add", port_forward(port))

    def deferring_writer(first: int) -> None:
        for port in range(first, first + 15, 3):
            with persistence.deferred():
                for offset in range(3):
                    router.execute("/ip/firewall/nat/add", port_forward(port + offset))

    threads = [threading.Thread(target=writer, args=(n * 100,)) for n in range(1, 4)]
    threads += [threading.Thread(target=deferring_writer, args=(n * 100,)) for n in range(5, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not persistence.dirty
    assert load_router(path).to_json() == router.to_json()
    assert len(saved_ports(path)) == 75


def test_an_older_snapshot_never_overwrites_a_newer_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "router.json"
    router = load_router(path, seed=STOCK_SEED)
    persistence = attach_persistence(router, path)
    snapshot_taken, newer_saved = threading.Event(), threading.Event()
    render = state._json_text

    def slow_render(snapshot: dict[str, object]) -> str:
        if threading.current_thread() is deferring and not snapshot_taken.is_set():
            snapshot_taken.set()
            assert newer_saved.wait(5)
        return render(snapshot)

    def deferred_write() -> None:
        with persistence.deferred():
            router.execute("/ip/firewall/nat/add", port_forward(1))

    monkeypatch.setattr(state, "_json_text", slow_render)
    deferring = threading.Thread(target=deferred_write)
    deferring.start()
    assert snapshot_taken.wait(5)  # the deferred save has its snapshot (rule 1) and is about to write
    router.execute("/ip/firewall/nat/add", port_forward(2))  # saved at once: rules 1 and 2
    newer_saved.set()
    deferring.join()
    assert saved_ports(path) == ["1", "2"]

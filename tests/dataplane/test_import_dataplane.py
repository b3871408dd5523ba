"""A router configured by hand, taken over through the import: `ansible-playbook
hairpin.routeros.import` writes its variables and the role applies them. Every connection
through the router's NAT table (from the internet and from the LAN to each forwarded port, and
out to the internet) ends the same before and after, on a real Linux dataplane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from lab import INTERNET_HOST, OUTBOUND_TCP, OUTBOUND_UDP, Lab, RouterSnapshot
from role_support import api_vars, run_hairpin, write_inventory
from support import REPO

HAND = REPO / "tests" / "fixtures" / "import" / "hand-forwards.rsc"
PUBLIC_ADDRESS = "203.0.113.1"
# The hosts the hand-made forwards send to: the NAS, the torrent client, the switched-off game server.
SERVERS = ["192.168.1.20", "192.168.1.30", "192.168.1.40"]
# Every forwarded port, SSH for the office's addresses (the internet host is not one) and the
# switched-off one too.
PORTS = [("tcp", 5001), ("tcp", 51413), ("udp", 51413), ("tcp", 2222), ("udp", 27015)]


def attempts() -> dict[tuple[str, ...], list[str]]:
    out: dict[tuple[str, ...], list[str]] = {}
    for protocol, port in PORTS:
        to_public = ["--protocol", protocol, "--to", PUBLIC_ADDRESS, "--port", str(port)]
        out[("internet", protocol, str(port))] = ["internet", *to_public, "--bind", INTERNET_HOST]
        out[("lan", protocol, str(port))] = ["client", *to_public]
    for protocol, port in (("tcp", OUTBOUND_TCP), ("udp", OUTBOUND_UDP)):
        out[("outbound", protocol, str(port))] = [
            "client",
            "--protocol",
            protocol,
            "--to",
            INTERNET_HOST,
            "--port",
            str(port),
        ]
    return out


def verdicts(snapshot: RouterSnapshot) -> dict[tuple[str, ...], tuple[Any, ...]]:
    """Where each connection ends: reached or not, the server that answered, the source it saw."""
    with Lab() as lab:
        lab.build(
            snapshot,
            wan_interface="ether1",
            lan_interface="bridge",
            servers=SERVERS,
            tcp_ports=sorted({port for protocol, port in PORTS if protocol == "tcp"} | {22}),
            udp_ports=sorted({port for protocol, port in PORTS if protocol == "udp"}),
        )
        probes = lab.connect_all(attempts())
    return {key: (probe.ok, probe.server, probe.seen) for key, probe in probes.items()}


def test_taking_a_hand_made_router_over_changes_no_connection(namespaces, start_router, tmp_path: Path) -> None:
    sim = start_router("import-hand", seed=HAND)
    before = RouterSnapshot.of(sim.router)
    inventory_dir = tmp_path / "inventory"
    (inventory_dir / "host_vars").mkdir(parents=True)
    inventory = write_inventory(inventory_dir / "hosts.yml", {"gw": api_vars(sim)})
    imported = run_hairpin(
        tmp_path,
        [inventory],
        playbook="hairpin.routeros.import",
        extra_args=["-e", f"hairpin_import_dir={inventory_dir / 'host_vars'}"],
    )
    assert imported.returncode == 0, imported.stdout[-4000:] + imported.stderr[-2000:]
    variables = yaml.safe_load((inventory_dir / "host_vars" / "gw.yml").read_text(encoding="utf-8"))
    names = [service["name"] for service in variables["hairpin_services"]]
    assert names == ["nas-dsm", "torrent", "ssh-for-the-office"]
    applied = run_hairpin(tmp_path, [inventory])
    assert applied.returncode == 0, applied.stdout[-4000:] + applied.stderr[-2000:]
    after = RouterSnapshot.of(sim.router)
    # The role owns the imported rules now, and only those.
    owned = [row["comment"].split(" ")[0] for row in after.nat if row.get("comment", "").startswith("hairpin:")]
    assert sorted(owned) == [
        "hairpin:dstnat:nas-dsm:tcp",
        "hairpin:dstnat:ssh-for-the-office:tcp",
        "hairpin:dstnat:torrent:tcp",
        "hairpin:dstnat:torrent:udp",
        "hairpin:hairpin:nas-dsm:tcp",
    ]
    old, new = verdicts(before), verdicts(after)
    # The forwards work (so the comparison compares something): the NAS from the internet, and
    # from the LAN through its hairpin rule, masqueraded to the router.
    assert old[("internet", "tcp", "5001")] == (True, "192.168.1.20:5001", INTERNET_HOST)
    assert old[("lan", "tcp", "5001")] == (True, "192.168.1.20:5001", "192.168.1.1")
    assert old[("internet", "udp", "27015")][0] is False
    assert old[("internet", "tcp", "2222")][0] is False  # not from the office
    assert new == old

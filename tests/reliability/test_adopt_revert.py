"""Safe apply of an adoption: a run that takes over a hand-made forward (a set of its comment and
a move to the place the inventory asks for) and loses its connection before the confirm is
undone by the router: the forward has its own comment back, in its old place, with its .id, and
the next run adopts it again and then changes nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from reliability_support import BROWNFIELD_ROUTER, Fleet, fresh_router, host_results, nat_task, table

from routeros_sim.certs import CertPaths
from routeros_sim.clock import ManualClock

CONFIRM_TIMEOUT = 120
START = datetime(2026, 12, 7, 12, 0, 0)
# The web server forwarded by hand after the jump to the brownfield router's own forwards (as
# `/export` prints it, without to-ports): an admin's rule, so the router is not as it ships.
HAND_MADE = (
    "/ip firewall nat\n"
    'add action=dst-nat chain=dstnat comment="web server (by hand)" dst-address=198.51.100.7 \\\n'
    "    dst-port=80 protocol=tcp to-addresses=192.168.88.2\n"
)
CONFIG: dict[str, Any] = {
    "port_forwards": [
        {"name": "web", "port": "80", "host": "192.168.88.2", "public_address": "198.51.100.7", "hairpin": False}
    ],
    "state": "merged",
    "confirm_timeout": CONFIRM_TIMEOUT,
}


def test_a_cut_adoption_is_undone_and_the_next_run_adopts_again(certs: CertPaths, tmp_path: Path, fleets: list) -> None:
    seed = tmp_path / "hand-made.rsc"
    seed.write_text(BROWNFIELD_ROUTER.read_text(encoding="utf-8") + HAND_MADE, encoding="utf-8")
    router = fresh_router(seed)
    clock = ManualClock(START)
    router.clock = clock
    router.booted = clock()
    before = table(router)
    web = next(row[".id"] for row in before if row.get("comment") == "web server (by hand)")

    fleet = Fleet.start({"router": router}, certs, tmp_path / "fleet")
    fleets.append(fleet)
    site = fleet["router"].site
    assert site is not None
    # The arm (2 writes), the set and the move (2): the confirm's connection never arrives.
    site.set_faults(["drop-before-write:5"])
    run = fleet.run([nat_task("cut", CONFIG, ignore_errors=True)])
    cut = host_results(run, "cut")["router"]
    assert cut["failed"] is True, cut
    assert f'# adopt foreign rule {web} "web server (by hand)" as web (hairpin:dstnat:web:tcp)' in cut["commands"]
    dstnat = [row for row in table(router) if row["chain"] == "dstnat"]
    assert dstnat[0][".id"] == web and dstnat[0]["comment"].startswith("hairpin:dstnat:web:tcp")
    (script,) = [row for row in router.execute("/system/script/print", []) if row[0] == "!re"]
    assert f'set {web} comment="web server (by hand)"' in script[1]["source"]

    clock.advance(CONFIRM_TIMEOUT)
    router.run_due()
    assert table(router) == before

    again = fleet.run([nat_task("again", CONFIG), nat_task("nothing left", CONFIG, check_mode=True)])
    assert [item["id"] for item in host_results(again, "again")["router"]["adopted"]] == [web]
    assert host_results(again, "nothing left")["router"]["changed"] is False
    after = table(router)
    assert [row[".id"] for row in after if row.get("comment", "").startswith("hairpin:")] == [web]
    assert len(after) == len(before)

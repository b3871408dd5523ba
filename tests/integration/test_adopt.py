"""Adoption in place on the simulator: a router whose forward and hairpin rule were made by hand,
as admins export them, is taken over with one comment set per rule: the same rows (ids,
order, every field but the comment), nothing added; --check --diff shows those sets; the next
run changes nothing; adopt off leaves them alone, reports them and adds the owned rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.role_support import (
    ROLE_TASK,
    SEED_RSC,
    SEED_VARS,
    converge,
    host_result,
    write_seed,
)
from tests.support.tables import owned

# The article's web server published by hand before the inventory existed (an admin's own
# rules, so the router is not as it ships, on purpose), as `/export` prints them: a masquerade
# out of the WAN, the forward without to-ports, the hairpin rule, and a disabled forward to the
# old web server.
HAND_MADE = SEED_RSC + (
    "/ip firewall nat\n"
    'add action=masquerade chain=srcnat comment="masquerade LAN to the internet" \\\n'
    "    out-interface=ether1\n"
    'add action=masquerade chain=srcnat comment="hairpin for the web server" \\\n'
    "    dst-address=192.168.1.2 dst-port=80 out-interface=bridge protocol=tcp \\\n"
    "    src-address=192.168.1.0/24\n"
    'add action=dst-nat chain=dstnat comment="web server" dst-address=203.0.113.1 \\\n'
    "    dst-port=80 protocol=tcp to-addresses=192.168.1.2\n"
    'add action=dst-nat chain=dstnat comment="old web server" disabled=yes \\\n'
    "    dst-address=203.0.113.1 dst-port=80 protocol=tcp to-addresses=192.168.1.2\n"
)


def without_comment(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{name: value for name, value in row.items() if name != "comment"} for row in rows]


def test_hand_made_rules_are_adopted_in_place_and_the_next_run_changes_nothing(start_router, tmp_path: Path) -> None:
    router = start_router(seed=write_seed(tmp_path, HAND_MADE, "hand-made.rsc"))
    before = router.nat()
    ids = {row["comment"]: row[".id"] for row in before}
    web, hairpin, old = ids["web server"], ids["hairpin for the web server"], ids["old web server"]

    check = converge(router, SEED_VARS, check=True, diff=True)
    assert check.returncode == 0, check.stdout[-3000:]
    result = host_result(check, ROLE_TASK)
    assert result["changed"] is True
    assert router.writes_logged() == []
    commands = [line for line in result["commands"] if not line.startswith("#")]
    assert [line.split(" comment=")[0] for line in commands] == [
        f"/ip firewall nat set {hairpin}",
        f"/ip firewall nat set {web}",
    ]
    diff = result["diff"]["prepared"].splitlines()
    assert f'# adopt foreign rule {web} "web server" as web (hairpin:dstnat:web:tcp)' in diff
    assert f'# adopt foreign rule {hairpin} "hairpin for the web server" as web (hairpin:hairpin:web:tcp)' in diff
    assert [item["id"] for item in result["adopted"]] == [hairpin, web]
    # The disabled copy is named and never adopted; the masquerade stays the WAN's own.
    assert [(item["id"], item["reason"]) for item in result["twins"]] == [(old, "disabled")]
    assert any(f'foreign rule {old} "old web server" is a disabled copy' in w for w in result["warnings"])

    applied = host_result(converge(router, SEED_VARS), ROLE_TASK)
    assert applied["changed"] is True
    after = router.nat()
    # The same rules in the same order with the same fields: only two comments changed.
    assert without_comment(after) == without_comment(before)
    assert [row[".id"] for row in owned(after)] == [hairpin, web]
    assert by_id(after)[old]["comment"] == "old web server"
    assert by_id(after)[ids["masquerade LAN to the internet"]]["comment"] == "masquerade LAN to the internet"

    again = host_result(converge(router, SEED_VARS), ROLE_TASK)
    assert again["changed"] is False
    assert again["drift"] == [] and "adopted" not in again
    assert router.nat() == after


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row[".id"]: row for row in rows}


def test_with_adopt_off_the_twins_are_reported_and_left_and_the_owned_rules_added(start_router, tmp_path: Path) -> None:
    router = start_router(seed=write_seed(tmp_path, HAND_MADE, "hand-made.rsc"))
    before = router.nat()
    web = next(row[".id"] for row in before if row.get("comment") == "web server")
    variables = dict(SEED_VARS, hairpin_adopt=False)

    result = host_result(converge(router, variables), ROLE_TASK)
    assert result["changed"] is True
    assert "adopted" not in result
    assert {(item["id"], item["reason"]) for item in result["twins"]} >= {(web, "adopt-off")}
    assert any(f'foreign rule {web} "web server" does exactly what' in w for w in result["warnings"])
    after = router.nat()
    assert [row for row in after if row[".id"] in by_id(before)] == [
        row for row in before if row[".id"] in by_id(after)
    ]
    assert len(owned(after)) == 2
    assert host_result(converge(router, variables), ROLE_TASK)["changed"] is False

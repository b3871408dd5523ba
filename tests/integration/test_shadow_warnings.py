"""A foreign forward for the port of a service is reported before anything is written, in check
mode as in apply mode, analysis on or off: a warning naming the service, the foreign rule and
what happens to the traffic, and the `shadowing` result list."""

from __future__ import annotations

from pathlib import Path

from tests.integration.role_support import (
    ROLE_TASK,
    SEED_RSC,
    SEED_VARS,
    converge,
    host_result,
    write_seed,
)

# The forward most people make by hand for the article's web server, on another host: an admin's
# own rule, so the router is not as it ships, on purpose.
HAND_MADE = SEED_RSC + (
    "/ip firewall nat\n"
    'add action=dst-nat chain=dstnat comment="old web" dst-port=80 protocol=tcp to-addresses=192.168.1.3\n'
)


def test_a_hand_made_forward_for_the_same_port_is_reported_in_check_mode_and_when_applied(
    start_router, tmp_path: Path
) -> None:
    router = start_router(seed=write_seed(tmp_path, HAND_MADE, "hand-made.rsc"))
    old = next(row[".id"] for row in router.nat() if row.get("comment") == "old web")
    expected = (
        f"the rule of service 'web' comes before foreign rule {old} \"old web\" (tcp/80 -> 192.168.1.3), "
        "which no longer gets traffic"
    )

    check = converge(router, SEED_VARS, check=True, diff=True)
    assert check.returncode == 0, check.stdout[-3000:]
    result = host_result(check, ROLE_TASK)
    assert expected in result["warnings"]
    assert [
        (item["service"], item["protocol"], item["first"], item["rule"]["id"], item["rule"]["comment"])
        for item in result["shadowing"]
    ] == [("web", "tcp", "service", old, "old web")]
    assert router.writes_logged() == []

    applied = converge(router, SEED_VARS)
    result = host_result(applied, ROLE_TASK)
    assert result["changed"] is True
    assert expected in result["warnings"]
    # Still true on the next run, which writes nothing: it keeps saying so.
    again = host_result(converge(router, SEED_VARS), ROLE_TASK)
    assert again["changed"] is False and expected in again["warnings"]


def test_no_warning_when_the_foreign_forward_is_on_another_port(start_router, tmp_path: Path) -> None:
    other = HAND_MADE.replace("dst-port=80", "dst-port=8080")
    router = start_router(seed=write_seed(tmp_path, other, "other-port.rsc"))
    result = host_result(converge(router, SEED_VARS, check=True), ROLE_TASK)
    assert "shadowing" not in result
    assert not [warning for warning in result.get("warnings", []) if "foreign rule" in warning]


def test_port_forward_placed_after_a_foreign_forward_is_told_it_gets_no_traffic(start_router, tmp_path: Path) -> None:
    router = start_router(seed=write_seed(tmp_path, HAND_MADE, "hand-made.rsc"))
    old = next(row[".id"] for row in router.nat() if row.get("comment") == "old web")
    forward = {
        "name": "web",
        "port": "80",
        "host": "192.168.1.2",
        "public_address": "203.0.113.1",
        "position": "after",
        "anchor": "old web",
    }
    task = {"name": "forward", "hairpin.routeros.port_forward": {"config": [forward]}}
    run = router.run_tasks([task], check=True)
    assert run.returncode == 0, run.stdout[-3000:]
    result = run.result("forward")
    # Beside WebFig's warning (tcp/80 on the public address), the foreign rule in the way.
    assert [warning for warning in result["warnings"] if "foreign rule" in warning] == [
        f'foreign rule {old} "old web" already forwards tcp/80 to 192.168.1.3 before the rule of service '
        "'web': it takes its traffic"
    ]
    assert [(item["first"], item["rule"]["id"]) for item in result["shadowing"]] == [("foreign", old)]

"""Secrets: the API password never appears in what a run prints or returns.

Real `ansible-playbook` runs, as a user (or a CI log) sees them: the default output at -vvv with
--diff, the same with --check, and the JSON of the returned data. Each run succeeds (a converge,
a second converge, gathered, nat_info, each result printed with debug) and fails in every way we
know (bad input, wrong password, an untrusted certificate, a vanished router, a stalled router,
a connection dropped in the middle of the writes). Then stdout, stderr and the returned data are
scanned for the password and the wrong password tried, in every form a leak could take (as is,
JSON- and Python-escaped, URL-encoded, base64). A canary printed on purpose proves the scan
sees what is there.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from guarantee_figures import Figures
from reliability_support import (
    PASSWORD,
    SEED_CONFIG,
    STOCK_ROUTER,
    Fleet,
    closed_port,
    fresh_router,
    nat_task,
    run_ansible,
)
from tls_certs import Authority

from routeros_sim.certs import CertPaths

WRONG_PASSWORD = 'Wr0ng "guess" \\ 5%=?/&\u00e9'
CANARY = 'Can4ry "seen" \\ 7%=?/&\u00fc'  # printed on purpose: the scan must find it


def leak_forms(secret: str) -> dict[str, str]:
    """The forms a secret can take in output (JSON, Python repr, URL, base64), by name."""
    forms = {
        "as is": secret,
        "JSON-escaped": json.dumps(secret)[1:-1],
        "JSON-escaped, UTF-8 kept": json.dumps(secret, ensure_ascii=False)[1:-1],
        "Python repr": repr(secret)[1:-1],
        "Python repr, ASCII": ascii(secret)[1:-1],
        "URL-encoded": quote(secret, safe=""),
        "form-encoded": quote_plus(secret),
        "base64": base64.b64encode(secret.encode()).decode(),
        "UTF-8 read as latin-1": secret.encode().decode("latin-1"),
    }
    unique: dict[str, str] = {}
    for name, form in forms.items():
        if form not in unique.values():
            unique[name] = form
    return unique


def find_leaks(text: str, secrets: dict[str, str]) -> list[str]:
    """'<secret>: <form>' for every form of every secret found in `text`."""
    return [
        f"{label}: {form_name}"
        for label, secret in secrets.items()
        for form_name, form in leak_forms(secret).items()
        if form in text
    ]


@dataclass(frozen=True)
class Mode:
    what: str
    callback: str
    verbosity: int
    check: bool
    diff: bool
    # hairpin.routeros.nat runs in Ansible's worker on the controller (plugins/action/nat.py);
    # a task environment makes it run as a module process instead: both paths are scanned.
    module_process: bool = False


MODES = [
    Mode("-vvv --diff, default output", "default", 3, False, True),
    Mode("-vvv --diff, default output, module process", "default", 3, False, True, module_process=True),
    Mode("-vvv --diff --check, default output", "default", 3, True, True),
    Mode("--diff, returned data as JSON", "ansible.posix.json", 0, False, True),
]

# Failures the runs go through, and words of their messages (each must show up, or that path
# was not tried). The dropped connection needs a write, so check mode has none.
FAILURES = {
    "bad input": "invalid NAT configuration",
    "wrong password": "refused the login",
    "untrusted certificate": "is not signed by a CA we trust",
    "router vanished": "refused the connection",
    "router stalled": "did not answer within 2s",
    "connection dropped half-way": "dropped the connection",
}


def _tasks(other_ca: Path) -> list[dict[str, Any]]:
    def failing(name: str, config: dict[str, Any], **connection: Any) -> dict[str, Any]:
        task = nat_task(name, config, ignore_errors=True)
        # A vanished or silent router is unreachable, which ignore_errors does not cover.
        task["ignore_unreachable"] = True
        task["hairpin.routeros.nat"].update(connection)
        return task

    bad = dict(SEED_CONFIG, port_forwards=[{"name": "web", "port": "70000", "host": "192.168.1.2"}])
    return [
        nat_task("converge", SEED_CONFIG, register="converged"),
        {"name": "show the result", "ansible.builtin.debug": {"var": "converged"}},
        nat_task("converge again", SEED_CONFIG),
        {"name": "gather", "hairpin.routeros.nat": {"state": "gathered"}, "register": "gathered"},
        {"name": "show what was gathered", "ansible.builtin.debug": {"var": "gathered"}},
        {"name": "info", "hairpin.routeros.nat_info": {}, "register": "info"},
        {"name": "show the info", "ansible.builtin.debug": {"var": "info"}},
        {
            "name": "one port forward",
            "hairpin.routeros.port_forward": {"config": SEED_CONFIG["port_forwards"]},
        },
        failing("bad input", bad),
        failing("wrong password", SEED_CONFIG, password="{{ wrong_password }}"),
        failing("untrusted certificate", SEED_CONFIG, ca_path=str(other_ca)),
        failing("router vanished", SEED_CONFIG, port="{{ gone_port }}"),
        failing("router stalled", SEED_CONFIG, port="{{ stalled_port }}", timeout=2),
        failing("connection dropped half-way", SEED_CONFIG, port="{{ dropping_port }}"),
        {"name": "canary", "ansible.builtin.debug": {"msg": CANARY}},
    ]


@pytest.mark.parametrize("mode", MODES, ids=[mode.what for mode in MODES])
def test_the_password_never_appears_in_output(
    mode: Mode, certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    routers = {name: fresh_router(STOCK_ROUTER) for name in ("router", "stalled", "dropping")}
    fleet = Fleet.start(routers, certs, tmp_path)
    fleets.append(fleet)
    stalled, dropping = fleet["stalled"].site, fleet["dropping"].site
    assert stalled is not None and dropping is not None
    stalled.set_faults(["stall-on-command:1"])
    dropping.set_faults(["drop-after-write:2"])
    # The passwords live in inventory variables, as they would in a vault: Ansible shows the
    # playbook lines around a failed task, so a password written into a playbook shows up there.
    fleet["router"].vars.update(
        gone_port=closed_port(),
        stalled_port=stalled.tls_port,
        dropping_port=dropping.tls_port,
        router_password=PASSWORD,
        wrong_password=WRONG_PASSWORD,
    )
    other_ca = Authority.create(tmp_path / "pki", "not the router's CA").path

    play = fleet.play(_tasks(other_ca), connection=fleet.connection(password="{{ router_password }}"))
    if mode.module_process:
        play[0]["environment"] = {"HAIRPIN_RELIABILITY": "module process"}
    run = run_ansible(
        play,
        fleet.inventory(["router"]),
        tmp_path / "ansible",
        callback=mode.callback,
        verbosity=mode.verbosity,
        check=mode.check,
        diff=mode.diff,
    )
    output = run.stdout + run.stderr
    returned = json.dumps(run.output, ensure_ascii=False)
    scanned = output + "\n" + returned
    secrets = {"password": PASSWORD, "wrong password": WRONG_PASSWORD}
    leaks = find_leaks(scanned, secrets)
    canary_seen = find_leaks(scanned, {"canary": CANARY})
    expected_failures = {name: words for name, words in FAILURES.items() if not (mode.check and "dropped" in words)}
    missing = [name for name, words in expected_failures.items() if words not in output]
    is_json = mode.callback.endswith("json")

    figures.record(
        "secrets",
        run=mode.what,
        bytes=len(output.encode()),
        returned_bytes=len(returned.encode()) if is_json else 0,
        secrets=len(secrets),
        forms=sum(len(leak_forms(secret)) for secret in secrets.values()),
        failures_tried=len(expected_failures) - len(missing),
        found=len(leaks),
        canary_found=bool(canary_seen),
        ok=not leaks and bool(canary_seen) and not missing,
    )
    assert not leaks, f"secret found in the output: {leaks}"
    assert canary_seen, "the scan did not find the canary printed on purpose: it scans the wrong thing"
    assert not missing, f"these failures did not happen, so their output was not scanned: {missing}"
    if is_json:
        assert run.output.get("plays"), "the JSON callback returned nothing to scan"
    if mode.verbosity:
        assert "config file =" in output, "the run was not verbose"
    # -vvv shows how the module ran: as a module process (AnsiballZ) or in the worker (no EXEC).
    assert ("AnsiballZ_nat.py" in output) == (mode.module_process and mode.verbosity > 0)


def test_the_scan_finds_every_form_of_a_leak() -> None:
    for name, form in leak_forms(PASSWORD).items():
        assert f"password: {name}" in find_leaks(f"before {form} after", {"password": PASSWORD})

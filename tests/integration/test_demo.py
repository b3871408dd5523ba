"""`make demo` (scripts/demo.py) works: the README's first command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_publishes_the_web_server_and_the_second_run_changes_nothing() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    first, second = proc.stdout.split("=== second run: nothing to change ===")
    assert "home-router                : ok=1    changed=1" in first
    assert "home-router                : ok=1    changed=0" in second
    # RouterOS ships WebFig on tcp/80: the forward takes that port on the public address, and says so.
    # (Ansible writes warnings to stderr.)
    assert "WebFig (www, tcp/80) is no longer reachable on 203.0.113.10; it still is on 192.168.88.1" in proc.stderr
    table = second.split("/ip firewall nat print")[1]
    for comment in ("hairpin:dstnat:web:tcp", "hairpin:hairpin:web:tcp", "defconf: masquerade"):
        assert comment in table
    # defconf's masquerade already covers the WAN: no second, owned one.
    assert "hairpin:masquerade" not in table

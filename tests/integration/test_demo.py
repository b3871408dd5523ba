"""`make demo` (scripts/demo.py) works: the README's first command, and the commands it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "scripts" / "demo.py"


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=REPO, env=env)


def _bare_shell_env() -> dict[str, str]:
    """A user's shell: no variable of the Makefile or of the test run, so only the checkout's
    ansible.cfg tells ansible-playbook where the collection is."""
    return {"HOME": os.environ.get("HOME", "/root"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def test_demo_publishes_the_web_server_and_leaves_the_router_running_for_the_printed_commands() -> None:
    proc = _run([sys.executable, str(DEMO)])
    try:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        first, second = proc.stdout.split("=== second run: nothing to change ===")
        assert "home-router                : ok=1    changed=1" in first
        assert "home-router                : ok=1    changed=0" in second
        # RouterOS ships WebFig on tcp/80: the forward takes that port on the public address, and says so.
        # (Ansible writes warnings to stderr.)
        assert "WebFig (www, tcp/80) is no longer reachable on 203.0.113.10; it still is on 192.168.88.1" in proc.stderr
        # Ansible's own warnings only: no Python library warns on the way.
        assert "DeprecationWarning" not in proc.stderr and "Warning:" not in proc.stderr, proc.stderr
        table = second.split("/ip firewall nat print")[1]
        for comment in ("hairpin:dstnat:web:tcp", "hairpin:hairpin:web:tcp", "defconf: masquerade"):
            assert comment in table
        # defconf's masquerade already covers the WAN: no second, owned one.
        assert "hairpin:masquerade" not in table

        # The commands the demo prints work as printed, from the checkout, in a plain shell.
        activate = re.search(r"^  (\. \S+/bin/activate)$", proc.stdout, re.MULTILINE)
        check = re.search(r"^  (ansible-playbook hairpin\.routeros\.hairpin -i \S+ --check --diff)$", proc.stdout, re.M)
        assert activate and check, proc.stdout[-1500:]
        tried = _run(["bash", "-c", f"{activate.group(1)} && {check.group(1)}"], env=_bare_shell_env())
        assert tried.returncode == 0, tried.stdout[-3000:] + tried.stderr[-3000:]
        assert re.search(r"home-router +: ok=1 +changed=0 +unreachable=0 +failed=0", tried.stdout), tried.stdout
        assert "DeprecationWarning" not in tried.stderr, tried.stderr
    finally:
        stopped = _run([sys.executable, str(DEMO), "stop"])
    assert stopped.stdout.strip() == "stopped the demo router", stopped.stdout + stopped.stderr
    assert _run([sys.executable, str(DEMO), "stop"]).stdout.strip() == "no demo router was running"

"""The analyzer's command line, as a CI job runs it, against a live simulated router: the
dataplane tests hold its verdicts against the traffic they send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from lab import INTERNET_HOST, LAN_CLIENT
from support import PASSWORD, USERNAME

COLLECTIONS = Path(__file__).resolve().parents[2] / "build" / "collections"
ANALYZE = "ansible_collections.hairpin.routeros.plugins.module_utils.analyze"
# The seed topology's router (lab.py): its WAN and LAN interfaces and public address.
WAN, LAN = "ether1", "bridge"
PUBLIC_ADDRESS = "203.0.113.1"


def run_analyzer(sim: Any, *, internet_client: str = INTERNET_HOST, findings_expected: bool = False) -> dict[str, Any]:
    """The JSON report for `sim`; exit 1 (the report has findings) only with `findings_expected`."""
    command = [
        sys.executable,
        "-m",
        ANALYZE,
        "--host",
        "127.0.0.1",
        "--port",
        str(sim.tls_port),
        "--ca-path",
        str(sim.certs.ca),
        "--username",
        USERNAME,
        "--wan-interface",
        WAN,
        "--lan-interface",
        LAN,
        "--public-address",
        PUBLIC_ADDRESS,
        "--internet-client",
        internet_client,
        "--lan-client",
        LAN_CLIENT,
        "--format",
        "json",
    ]
    env = dict(os.environ, PYTHONPATH=str(COLLECTIONS), HAIRPIN_API_PASSWORD=PASSWORD)
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    allowed = (0, 1) if findings_expected else (0,)
    assert proc.returncode in allowed, proc.stdout + proc.stderr
    return json.loads(proc.stdout)

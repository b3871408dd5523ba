"""`make demo`: start a simulated home router, run the main job against it, show the result.

The router is routeros-sim loaded with a stock home-router configuration (WAN ether1 with
203.0.113.1, LAN bridge 192.168.1.0/24). The main job is the collection's playbook
(`ansible-playbook hairpin.routeros.hairpin`) with an inventory that lists one service: it
publishes a web server (192.168.1.2:80) on the public address, masquerades the WAN and adds the
hairpin rule, over API-SSL with the certificate verified. Then it runs again to show that
nothing changes, and prints the NAT table through librouteros, as any API client sees it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import librouteros

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "build" / "demo"
BIN = Path(sys.executable).parent
STOCK = REPO / "sim" / "routeros_sim" / "data" / "stock-home-router.rsc"


def start_simulator(password: str) -> tuple[subprocess.Popen, dict]:
    ready = WORK / "ready.json"
    command = [
        str(BIN / "routeros-sim"), "serve",
        "--listen", "127.0.0.1", "--port", "0", "--tls-port", "0",
        "--cert-dir", str(WORK / "certs"),
        "--state", str(WORK / "router.json"), "--seed", str(STOCK),
        "--username", "admin", "--password", password,
        "--ready-file", str(ready),
    ]  # fmt: skip
    log = (WORK / "simulator.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"the simulator did not start; see {WORK / 'simulator.log'}")
        time.sleep(0.1)
    return process, json.loads(ready.read_text())


def tls_port_of(ready: dict) -> int:
    routers = ready.get("routers") or [ready]
    return int(routers[0]["tls_port"])


def print_nat_table(port: int, password: str) -> None:
    context = ssl.create_default_context(cafile=str(WORK / "certs" / "ca.pem"))
    api = librouteros.connect(
        "127.0.0.1", "admin", password, port=port,
        ssl_wrapper=lambda sock: context.wrap_socket(sock, server_hostname="127.0.0.1"),
    )  # fmt: skip
    try:
        rows = list(api.path("ip", "firewall", "nat"))
    finally:
        api.close()
    print("\n/ip firewall nat print (through librouteros, TLS verified):")
    columns = ("chain", "action", "protocol", "src-address", "dst-address", "dst-port", "to-addresses",
               "out-interface", "out-interface-list", "comment")  # fmt: skip
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns} if rows else {}
    print(" #  " + "  ".join(c.ljust(widths[c]) for c in columns))
    for index, row in enumerate(rows):
        flag = "X" if row.get("disabled") else " "
        print(f"{index:2d}{flag} " + "  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def run_playbook(inventory: Path, title: str) -> None:
    print(f"\n=== {title} ===", flush=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / "build" / "collections"), ANSIBLE_NOCOLOR="1")
    subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), "hairpin.routeros.hairpin", "--diff"],
        check=True,
        env=env,
        cwd=WORK,
    )


def main() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    password = secrets.token_urlsafe(16)
    process, ready = start_simulator(password)
    try:
        port = tls_port_of(ready)
        print(f"routeros-sim: a stock home router on 127.0.0.1:{port} (API-SSL), state in {WORK / 'router.json'}")
        inventory = WORK / "inventory.yml"
        # The inventory a user keeps in Git: how to reach the router, where WAN and LAN are,
        # the public address, and the services to publish.
        host_vars = {
            "ansible_host": "127.0.0.1",
            "ansible_python_interpreter": sys.executable,
            "hairpin_api_port": port,
            "hairpin_api_username": "admin",
            "hairpin_api_password": password,
            "hairpin_api_ca_path": str(WORK / "certs" / "ca.pem"),
            "hairpin_wan_interface": "ether1",
            "hairpin_lan_interface": "bridge",
            "hairpin_public_address": "203.0.113.1",
            "hairpin_services": [{"name": "web", "protocol": "tcp", "port": 80, "host": "192.168.1.2"}],
        }
        inventory.write_text(json.dumps({"routers": {"hosts": {"home-router": host_vars}}}, indent=2))
        run_playbook(inventory, "first run: the router gets its NAT rules")
        run_playbook(inventory, "second run: nothing to change")
        print_nat_table(port, password)
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()

"""`make demo`: start a simulated home router, run the main job against it, show the result.

The router is routeros-sim loaded with a stock home-router configuration (WAN ether1 with
203.0.113.1, LAN bridge 192.168.1.0/24). The main job publishes a web server (192.168.1.2:80) on
the public address, masquerades the WAN and adds the hairpin rule, over API-SSL with the
certificate verified. Then it runs again to show that nothing changes, and prints the NAT table
through librouteros, as any API client sees it.
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

PLAYBOOK = """\
- name: Publish the web server, masquerade the WAN, hairpin for the LAN
  hosts: routers
  gather_facts: false
  tasks:
    - name: NAT for {{ inventory_hostname }}
      hairpin.routeros.nat:
        hostname: "{{ ansible_host }}"
        port: "{{ router_api_port }}"
        username: admin
        password: "{{ router_api_password }}"
        ca_path: "{{ router_ca }}"
        port_forwards:
          - name: web
            port: "80"
            host: 192.168.1.2
            public_address: 203.0.113.1
        masquerades:
          - out_interface: ether1
        auto_hairpin:
          lan_interface: bridge
        state: overridden
"""


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


def run_playbook(inventory: Path, playbook: Path, title: str) -> None:
    print(f"\n=== {title} ===", flush=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / "build" / "collections"), ANSIBLE_NOCOLOR="1")
    subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), "--diff"], check=True, env=env)


def main() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    password = secrets.token_urlsafe(16)
    process, ready = start_simulator(password)
    try:
        port = tls_port_of(ready)
        print(f"routeros-sim: a stock home router on 127.0.0.1:{port} (API-SSL), state in {WORK / 'router.json'}")
        inventory = WORK / "inventory.yml"
        inventory.write_text(
            json.dumps(
                {
                    "routers": {
                        "hosts": {
                            "home-router": {
                                "ansible_host": "127.0.0.1",
                                "ansible_connection": "local",
                                "ansible_python_interpreter": sys.executable,
                                "router_api_port": port,
                                "router_api_password": password,
                                "router_ca": str(WORK / "certs" / "ca.pem"),
                            }
                        }
                    }
                },
                indent=2,
            )
        )
        playbook = WORK / "demo.yml"
        playbook.write_text(PLAYBOOK)
        run_playbook(inventory, playbook, "first run: the router gets its NAT rules")
        run_playbook(inventory, playbook, "second run: nothing to change")
        print_nat_table(port, password)
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()

"""`make demo`: start a simulated home router, run the main job against it, show the result.

The router is routeros-sim loaded with RouterOS 7's default configuration exactly as it ships
(hAP ax^2: WAN ether1 with a DHCP lease of 203.0.113.10, LAN bridge 192.168.88.0/24, the defconf
filter and masquerade, WebFig on tcp/80). The main job is the collection's playbook
(`ansible-playbook hairpin.routeros.hairpin`) with an inventory that lists one service: it
publishes a web server (192.168.88.2:80) on the public address, which takes tcp/80 on that
address from WebFig (a warning says so), keeps defconf's masquerade as the WAN's only one and
adds the hairpin rule, over API-SSL with the certificate verified. Then it runs again to show
that nothing changes, and prints the NAT table through librouteros, as any API client sees it.

The router keeps running afterwards, so the commands the demo prints can be tried on it;
`scripts/demo.py stop` (`make demo-stop`) stops it, and the next demo replaces it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import librouteros
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from routeros_sim.state import ROUTEROS7_DEFCONF_SEED  # noqa: E402
from tests.support.paths import use_checkout  # noqa: E402
from tests.support.playbook import ansible_env, playbook_command  # noqa: E402
from tests.support.simulator import USERNAME, start_process  # noqa: E402

WORK = REPO / "build" / "demo"
PID_FILE = WORK / "router.pid"


def print_nat_table(port: int, password: str) -> None:
    context = ssl.create_default_context(cafile=str(WORK / "certs" / "ca.pem"))
    api = librouteros.connect(
        "127.0.0.1", USERNAME, password, port=port,
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
    # Ansible's own output, as a user sees it (no JSON callback).
    command = playbook_command("hairpin.routeros.hairpin", [inventory], diff=True)
    subprocess.run(command, check=True, env=ansible_env(WORK, callback=None), cwd=WORK)


def stop() -> bool:
    """Stop the router an earlier demo left running; whether there was one."""
    try:
        pid = int(PID_FILE.read_text())
    except (OSError, ValueError):
        return False
    PID_FILE.unlink()
    try:
        # The simulator runs in a session of its own, started by the demo: its group is its own.
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    return True


def main() -> None:
    use_checkout()
    stop()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    password = secrets.token_urlsafe(16)
    simulator = start_process(
        WORK,
        state_path=WORK / "router.json",
        cert_dir=WORK / "certs",
        password=password,
        seed=ROUTEROS7_DEFCONF_SEED,
        start_timeout=30,
        detached=True,
    )
    PID_FILE.write_text(str(simulator.process.pid))
    port = simulator.tls_ports[0]
    print(f"routeros-sim: RouterOS 7 as it ships on 127.0.0.1:{port} (API-SSL), state in {WORK / 'router.json'}")
    inventory = WORK / "inventory.yml"
    # The inventory a user keeps in Git: how to reach the router, where WAN and LAN are,
    # the public address, and the services to publish.
    host_vars = {
        "ansible_host": "127.0.0.1",
        "ansible_python_interpreter": sys.executable,
        "hairpin_api_port": port,
        "hairpin_api_username": USERNAME,
        "hairpin_api_password": password,
        "hairpin_api_ca_path": str(WORK / "certs" / "ca.pem"),
        "hairpin_wan_interface": "ether1",
        "hairpin_lan_interface": "bridge",
        "hairpin_public_address": "203.0.113.10",
        "hairpin_services": [{"name": "web", "protocol": "tcp", "port": 80, "host": "192.168.88.2"}],
    }
    inventory.write_text(yaml.safe_dump({"routers": {"hosts": {"home-router": host_vars}}}, sort_keys=False))
    try:
        run_playbook(inventory, "first run: the router gets its NAT rules")
        run_playbook(inventory, "second run: nothing to change")
        print_nat_table(port, password)
    except BaseException:
        stop()
        raise
    here = Path.cwd().resolve()
    inventory_arg = os.path.relpath(inventory, here) if here == REPO else str(inventory)
    venv = os.path.relpath(REPO / ".venv", here) if here == REPO else str(REPO / ".venv")
    print(
        f"""
The simulated router keeps running (pid {simulator.process.pid}). Try a change on it: edit
{inventory_arg} (add a service), then, from {REPO}:

  . {venv}/bin/activate
  ansible-playbook hairpin.routeros.hairpin -i {inventory_arg} --check --diff
  ansible-playbook hairpin.routeros.hairpin -i {inventory_arg}

Stop it with `make demo-stop`; the next `make demo` starts a new one."""
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        print("stopped the demo router" if stop() else "no demo router was running")
    else:
        main()

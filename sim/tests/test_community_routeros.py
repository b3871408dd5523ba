"""Fidelity yardstick: community.routeros (the `ansible` package's bundled copy, pinned in
requirements/test.txt) runs unmodified against the simulator. Where it and the simulator
disagree, the simulator is wrong unless RouterOS's documentation says otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


def run_tasks(sim: Any, tmp_path: Path, tasks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run `tasks` against the simulator (API-SSL, certificate and hostname verified); return
    each task's result by name."""
    connection = dict(
        hostname="127.0.0.1",
        username=sim.username,
        password=sim.password,
        tls=True,
        port=sim.tls_port,
        validate_certs=True,
        validate_cert_hostname=True,
        ca_path=str(sim.ca_path),
    )
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/community.routeros.api": connection},
            "tasks": tasks,
        }
    ]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    env = dict(
        os.environ,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
    )
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}",
         str(playbook)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    output = json.loads(proc.stdout)
    results = {}
    for task in output["plays"][0]["tasks"]:
        results[task["task"]["name"]] = task["hosts"]["localhost"]
    failed = {name: r.get("msg") for name, r in results.items() if r.get("failed")}
    assert proc.returncode == 0 and not failed, f"{failed}\n{proc.stderr[-2000:]}"
    return results


def modify(name: str, path: str, data: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    body = {"path": path, "data": data, **options}
    return {"name": name, "community.routeros.api_modify": body}


NAT = [
    {"chain": "srcnat", "action": "masquerade", "out-interface": "ether1", "comment": "wan masquerade"},
    {
        "chain": "dstnat",
        "action": "dst-nat",
        "protocol": "tcp",
        "dst-address": "203.0.113.1",
        "dst-port": "80",
        "to-addresses": "192.168.88.2",
        "to-ports": "80",
        "comment": "web",
    },
]


def table(sim: Any, path: str) -> list[dict[str, str]]:
    return [attrs for word, attrs in sim.router.execute(f"/{path.replace(' ', '/')}/print", []) if word == "!re"]


def test_api_modify_nat_add_modify_remove_reorder_and_idempotence(sim: Any, tmp_path: Path) -> None:
    strict = dict(handle_absent_entries="remove", handle_entries_content="remove_as_much_as_possible")
    changed_port = [dict(NAT[0]), dict(NAT[1], **{"dst-port": "8080"})]
    reordered = [changed_port[1], changed_port[0]]
    results = run_tasks(
        sim,
        tmp_path,
        [
            modify("add", "ip firewall nat", NAT, **strict),
            modify("again", "ip firewall nat", NAT, **strict),
            modify("modify", "ip firewall nat", changed_port, **strict),
            modify("reorder", "ip firewall nat", reordered, ensure_order=True, **strict),
            modify("reorder again", "ip firewall nat", reordered, ensure_order=True, **strict),
            modify("remove", "ip firewall nat", [reordered[0]], **strict),
            {"name": "info", "community.routeros.api_info": {"path": "ip firewall nat"}},
        ],
    )
    assert results["add"]["changed"] is True
    assert results["again"]["changed"] is False
    assert results["modify"]["changed"] is True
    assert results["reorder"]["changed"] is True
    assert results["reorder again"]["changed"] is False
    assert results["remove"]["changed"] is True
    rows = table(sim, "ip firewall nat")
    assert [row["comment"] for row in rows] == ["web"]
    assert rows[0]["dst-port"] == "8080"
    info = results["info"]["result"]
    assert [(r["comment"], str(r["dst-port"]), r["to-addresses"]) for r in info] == [("web", "8080", "192.168.88.2")]


def test_api_modify_address_list_and_dns_static(sim: Any, tmp_path: Path) -> None:
    addresses = [
        {"list": "public", "address": "203.0.113.1", "comment": "wan"},
        {"list": "trusted", "address": "192.168.88.0/24"},
    ]
    static = [
        {"name": "web.example.net", "address": "192.168.88.2", "comment": "split dns"},
        {"name": "nas.example.net", "address": "192.168.88.3"},
    ]
    strict = dict(handle_absent_entries="remove", handle_entries_content="remove_as_much_as_possible")
    results = run_tasks(
        sim,
        tmp_path,
        [
            modify("lists", "ip firewall address-list", addresses, **strict),
            modify("lists again", "ip firewall address-list", addresses, **strict),
            modify("lists modify", "ip firewall address-list", [dict(addresses[0], address="203.0.113.9")], **strict),
            modify("dns", "ip dns static", static, **strict),
            modify("dns again", "ip dns static", static, **strict),
            modify("dns order", "ip dns static", static[::-1], ensure_order=True, **strict),
            modify("dns remove", "ip dns static", [static[1]], **strict),
            {"name": "dns info", "community.routeros.api_info": {"path": "ip dns static"}},
            {"name": "list info", "community.routeros.api_info": {"path": "ip firewall address-list"}},
        ],
    )
    assert [results[name]["changed"] for name in ("lists", "lists again", "lists modify")] == [True, False, True]
    assert [(r["list"], r["address"]) for r in table(sim, "ip firewall address-list")] == [("public", "203.0.113.9")]
    assert [results[name]["changed"] for name in ("dns", "dns again", "dns order", "dns remove")] == [
        True,
        False,
        True,
        True,
    ]
    assert [r["name"] for r in results["dns info"]["result"]] == ["nas.example.net"]
    assert [r["address"] for r in results["list info"]["result"]] == ["203.0.113.9"]


def test_api_modify_multi_wan_routing_and_ipv6_filter(sim: Any, tmp_path: Path) -> None:
    tables = [{"name": "via-isp1", "fib": ""}]
    routes = [
        {"dst-address": "0.0.0.0/0", "gateway": "198.51.100.1", "routing-table": "via-isp1", "comment": "isp1"},
    ]
    mangle = [
        {
            "chain": "prerouting",
            "action": "mark-connection",
            "connection-mark": "no-mark",
            "in-interface": "ether1",
            "new-connection-mark": "isp1-conn",
            "passthrough": True,
            "comment": "mark isp1",
        },
        {
            "chain": "prerouting",
            "action": "mark-routing",
            "connection-mark": "isp1-conn",
            "in-interface": "bridge",
            "new-routing-mark": "via-isp1",
            "passthrough": False,
            "comment": "route isp1",
        },
    ]
    pinhole = [
        {
            "chain": "forward",
            "action": "accept",
            "protocol": "tcp",
            "dst-address": "2001:db8:1::10/128",
            "dst-port": "443",
            "comment": "web6",
        }
    ]
    strict = dict(handle_absent_entries="remove", handle_entries_content="remove_as_much_as_possible")
    results = run_tasks(
        sim,
        tmp_path,
        [
            modify("lan", "ip address", [{"address": "192.168.88.1/24", "interface": "bridge"}]),
            modify("tables", "routing table", tables, **strict),
            modify("routes", "ip route", routes, **strict),
            modify("mangle", "ip firewall mangle", mangle, ensure_order=True, **strict),
            modify("pinhole", "ipv6 firewall filter", pinhole, **strict),
            modify("tables again", "routing table", tables, **strict),
            modify("routes again", "ip route", routes, **strict),
            modify("mangle again", "ip firewall mangle", mangle, ensure_order=True, **strict),
            modify("pinhole again", "ipv6 firewall filter", pinhole, **strict),
            modify("mangle reorder", "ip firewall mangle", mangle[::-1], ensure_order=True, **strict),
            {"name": "route info", "community.routeros.api_info": {"path": "ip route"}},
            {"name": "table info", "community.routeros.api_info": {"path": "routing table"}},
        ],
    )
    assert [results[name]["changed"] for name in ("tables", "routes", "mangle", "pinhole")] == [True] * 4
    again = ("tables again", "routes again", "mangle again", "pinhole again")
    assert [results[name]["changed"] for name in again] == [False] * 4
    assert results["mangle reorder"]["changed"] is True
    assert [row["comment"] for row in table(sim, "ip firewall mangle")] == ["route isp1", "mark isp1"]
    assert [row["dst-address"] for row in table(sim, "ipv6 firewall filter")] == ["2001:db8:1::10/128"]
    info = results["route info"]["result"]
    assert [(r["routing-table"], r["gateway"]) for r in info if not r.get("dynamic")] == [("via-isp1", "198.51.100.1")]
    assert [r["name"] for r in results["table info"]["result"]] == ["via-isp1"]
    # Removing absent routes leaves the router's own connected route alone.
    connected = [row for row in table(sim, "ip route") if row["dynamic"] == "true"]
    assert [(row["dst-address"], row["connect"]) for row in connected] == [("192.168.88.0/24", "true")]

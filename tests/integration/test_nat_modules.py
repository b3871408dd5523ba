"""The NAT modules, run by ansible-playbook against the simulator, as a user runs them."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
from support import BROWNFIELD_ROUTER, SimRouter, run_playbook

from tests.support import tables

SEED_TASK = {
    "name": "converge",
    "hairpin.routeros.nat": {
        "port_forwards": [{"name": "web", "port": "80", "host": "192.168.1.2", "public_address": "203.0.113.1"}],
        "masquerades": [{"out_interface": "ether1"}],
        "auto_hairpin": {"lan_interface": "bridge"},
        "state": "overridden",
    },
    "register": "result",
}


def task(name: str = "converge", **options) -> dict:
    body = copy.deepcopy(SEED_TASK["hairpin.routeros.nat"])
    body.update(options)
    return {"name": name, "hairpin.routeros.nat": body}


def owned(rows: list[dict]) -> list[dict]:
    return [row for row in rows if str(row.get("comment", "")).startswith("hairpin:")]


def foreign(rows: list[dict]) -> list[dict]:
    return [row for row in rows if not str(row.get("comment", "")).startswith("hairpin:")]


def by_comment(rows: list[dict]) -> dict[str, dict]:
    return tables.by_comment(rows)


def test_seed_scenario_creates_the_three_rules_of_the_wiki_article(stock_router: SimRouter) -> None:
    run = stock_router.run_tasks([task()])
    assert run.returncode == 0, run.stdout + run.stderr
    result = run.result("converge")
    assert result["changed"] is True
    rules = by_comment(stock_router.nat())
    dstnat = rules["hairpin:dstnat:web:tcp"]
    assert (dstnat["chain"], dstnat["action"], dstnat["protocol"]) == ("dstnat", "dst-nat", "tcp")
    assert (dstnat["dst-address"], dstnat["dst-port"], dstnat["to-addresses"]) == ("203.0.113.1", "80", "192.168.1.2")
    hairpin = rules["hairpin:hairpin:web:tcp"]
    assert (hairpin["chain"], hairpin["action"], hairpin["protocol"]) == ("srcnat", "masquerade", "tcp")
    assert (hairpin["src-address"], hairpin["dst-address"], hairpin["dst-port"]) == (
        "192.168.1.0/24",
        "192.168.1.2",
        "80",
    )
    assert hairpin["out-interface"] == "bridge"
    masquerade = rules["hairpin:masquerade:ether1"]
    assert (masquerade["chain"], masquerade["action"], masquerade["out-interface"]) == (
        "srcnat",
        "masquerade",
        "ether1",
    )
    # The hairpin srcnat must be matched before the WAN masquerade could ever see that traffic.
    order = [tables.user_comment(row["comment"]) for row in owned(stock_router.nat())]
    # Every rule written carries the fingerprint of what was written.
    assert all(tables.has_fingerprint(row) for row in owned(stock_router.nat()))
    assert order.index("hairpin:hairpin:web:tcp") < order.index("hairpin:masquerade:ether1")
    # The write's connection and the one that checks and confirms it: read, arm and write,
    # check, confirm.
    stats = stock_router.site.stats
    assert (stats.connections, stats.logins) == (2, 2)
    assert result["round_trips"] == 4


def test_second_run_reports_no_change_and_writes_nothing(stock_router: SimRouter) -> None:
    assert stock_router.run_tasks([task()]).returncode == 0
    writes_before = len(stock_router.writes_logged())
    table = stock_router.nat()
    run = stock_router.run_tasks([task(name="again")])
    result = run.result("again")
    assert result["changed"] is False
    assert result["commands"] == []
    assert len(stock_router.writes_logged()) == writes_before
    assert stock_router.nat() == table


def test_check_mode_with_diff_shows_commands_and_writes_nothing(stock_router: SimRouter) -> None:
    table = stock_router.nat()
    run = stock_router.run_tasks([task()], check=True, diff=True)
    assert run.returncode == 0, run.stdout + run.stderr
    result = run.result("converge")
    assert result["changed"] is True
    assert any(line.startswith("/ip firewall nat add chain=dstnat") for line in result["commands"])
    # The diff holds the same commands, grouped under a header per service.
    diff = result["diff"]["prepared"].splitlines()
    assert sorted(line for line in diff if not line.startswith("#")) == sorted(
        line for line in result["commands"] if not line.startswith("#")
    )
    web = diff.index("# service web (tcp/80 -> 192.168.1.2)")
    assert diff[web + 1] == '# hairpin:dstnat:web:tcp: new, before *1 (foreign: "defconf: masquerade")'
    assert diff[web + 2].startswith(
        "/ip firewall nat add chain=dstnat action=dst-nat protocol=tcp dst-address=203.0.113.1"
    )
    assert "# masquerade out of ether1" in diff
    assert stock_router.writes_logged() == []
    assert stock_router.nat() == table


def test_changed_port_is_edited_in_place(stock_router: SimRouter) -> None:
    assert stock_router.run_tasks([task()]).returncode == 0
    before = by_comment(stock_router.nat())
    forwards = [
        {"name": "web", "port": "8080", "host": "192.168.1.2", "host_port": "80", "public_address": "203.0.113.1"}
    ]
    run = stock_router.run_tasks([task(port_forwards=forwards)])
    result = run.result("converge")
    assert result["changed"] is True
    after = by_comment(stock_router.nat())
    assert len(owned(stock_router.nat())) == 3
    assert after["hairpin:dstnat:web:tcp"][".id"] == before["hairpin:dstnat:web:tcp"][".id"]
    assert after["hairpin:dstnat:web:tcp"]["dst-port"] == "8080"
    # The edit writes the comment with the fingerprint of the new fields.
    assert tables.has_fingerprint(after["hairpin:dstnat:web:tcp"])
    assert after["hairpin:dstnat:web:tcp"]["comment"] != before["hairpin:dstnat:web:tcp"]["comment"]
    assert result["commands"] == [
        "# hairpin:dstnat:web:tcp",
        '/ip firewall nat set {} dst-port=8080 comment="{}"'.format(
            before["hairpin:dstnat:web:tcp"][".id"], after["hairpin:dstnat:web:tcp"]["comment"]
        ),
    ]
    # An inventory change, not drift.
    assert result["drift"] == []


def test_overridden_removes_the_rules_of_a_removed_service(stock_router: SimRouter) -> None:
    forwards = [
        {"name": "web", "port": "80", "host": "192.168.1.2", "public_address": "203.0.113.1"},
        {"name": "dns", "protocol": "both", "port": "53", "host": "192.168.1.3", "public_address": "203.0.113.1"},
    ]
    assert stock_router.run_tasks([task(port_forwards=forwards)]).returncode == 0
    assert "hairpin:dstnat:dns:udp" in by_comment(stock_router.nat())
    assert stock_router.run_tasks([task()]).returncode == 0
    comments = set(by_comment(stock_router.nat()))
    assert comments == {"hairpin:dstnat:web:tcp", "hairpin:hairpin:web:tcp", "hairpin:masquerade:ether1"}


def test_merged_keeps_other_owned_rules_and_deleted_removes_named_ones(stock_router: SimRouter) -> None:
    assert stock_router.run_tasks([task()]).returncode == 0
    extra = [{"name": "ssh", "port": "2222", "host": "192.168.1.4", "host_port": "22", "public_address": "203.0.113.1"}]
    run = stock_router.run_tasks([task(port_forwards=extra, masquerades=[], state="merged")])
    assert run.returncode == 0
    comments = set(by_comment(stock_router.nat()))
    assert {"hairpin:dstnat:web:tcp", "hairpin:dstnat:ssh:tcp", "hairpin:hairpin:ssh:tcp"} <= comments
    deleted = {"name": "delete", "hairpin.routeros.nat": {"port_forwards": [{"name": "ssh"}], "state": "deleted"}}
    run = stock_router.run_tasks([deleted])
    assert run.returncode == 0, run.stdout
    comments = set(by_comment(stock_router.nat()))
    assert not {c for c in comments if ":ssh:" in c}
    assert "hairpin:dstnat:web:tcp" in comments


def test_brownfield_router_keeps_every_foreign_rule_unchanged_and_in_order(start_router) -> None:
    router = start_router(seed=BROWNFIELD_ROUTER)
    foreign_before = foreign(router.nat())
    assert foreign_before, "the brownfield fixture has foreign NAT rules"
    tasks = [
        task(
            port_forwards=[{"name": "web", "port": "80", "host": "192.168.88.2", "public_address": "198.51.100.7"}],
            masquerades=[{"out_interface_list": "WAN"}],
            auto_hairpin={"lan_interface": "bridge"},
        )
    ]
    run = router.run_tasks(tasks)
    assert run.returncode == 0, run.stdout + run.stderr
    assert foreign(router.nat()) == foreign_before
    run = router.run_tasks([dict(tasks[0], name="again")])
    assert run.result("again")["changed"] is False
    assert foreign(router.nat()) == foreign_before
    deleted = {"name": "delete all", "hairpin.routeros.nat": {"state": "deleted"}}
    assert router.run_tasks([deleted]).returncode == 0
    assert router.nat() == foreign_before


BAD_INPUTS = [
    (
        "bad host address",
        {"port_forwards": [{"name": "web", "port": "80", "host": "192.168.1.300", "public_address": "203.0.113.1"}]},
        "host",
    ),
    (
        "port zero",
        {"port_forwards": [{"name": "web", "port": "0", "host": "192.168.1.2", "public_address": "203.0.113.1"}]},
        "port",
    ),
    (
        "port too big",
        {"port_forwards": [{"name": "web", "port": "70000", "host": "192.168.1.2", "public_address": "203.0.113.1"}]},
        "port",
    ),
    (
        "duplicate service names",
        {
            "port_forwards": [
                {"name": "web", "port": "80", "host": "192.168.1.2", "public_address": "203.0.113.1"},
                {"name": "web", "port": "81", "host": "192.168.1.3", "public_address": "203.0.113.1"},
            ]
        },
        "name",
    ),
    (
        "two services on one public port",
        {
            "port_forwards": [
                {"name": "web", "port": "80", "host": "192.168.1.2", "public_address": "203.0.113.1"},
                {"name": "web2", "port": "80", "host": "192.168.1.3", "public_address": "203.0.113.1"},
            ]
        },
        "port",
    ),
    (
        "forward without a public side",
        {"port_forwards": [{"name": "web", "port": "80", "host": "192.168.1.2"}]},
        "public_address",
    ),
    ("missing LAN interface", {"auto_hairpin": {"lan_interface": "lan-missing"}}, "lan_interface"),
    ("missing WAN interface", {"masquerades": [{"out_interface": "ether9"}]}, "out_interface"),
    (
        "forward captures the router's API service",
        {"port_forwards": [{"name": "api", "port": "8729", "host": "192.168.1.2", "public_local": True}]},
        "port",
    ),
    (
        "bad service name",
        {
            "port_forwards": [
                {"name": "web server", "port": "80", "host": "192.168.1.2", "public_address": "203.0.113.1"}
            ]
        },
        "name",
    ),
    (
        "newline in a comment",
        {
            "port_forwards": [
                {"name": "web", "port": "80", "host": "192.168.1.2", "comment": "a\nb", "public_address": "203.0.113.1"}
            ]
        },
        "comment",
    ),
]


@pytest.mark.parametrize(("case", "options", "field"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_fails_before_any_write_naming_service_and_field(
    stock_router: SimRouter, case: str, options: dict, field: str
) -> None:
    table = stock_router.nat()
    run = stock_router.run_tasks([task(**options)])
    assert run.returncode != 0
    result = run.result("converge")
    assert result.get("failed") is True
    assert f"field '{field}'" in result["msg"], result["msg"]
    assert "service '" in result["msg"]
    assert stock_router.writes_logged() == []
    assert stock_router.nat() == table


def _import(state_file: Path, script: Path) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "routeros-sim"), "import", "--state", str(state_file), str(script)],
        check=True,
        capture_output=True,
        text=True,
    )


def _table_without_ids(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != ".id"} for row in rows]


@pytest.mark.parametrize("state", ["merged", "replaced", "overridden", "deleted"])
def test_returned_commands_replayed_by_import_give_the_same_table(start_router, tmp_path: Path, state: str) -> None:
    """What the diff shows is what happens: the commands, run as a script on a copy of the
    starting state, give the table the module made."""
    router = start_router(seed=BROWNFIELD_ROUTER)
    setup = task(
        name="setup",
        port_forwards=[
            {"name": "web", "port": "80", "host": "192.168.88.2", "public_address": "198.51.100.7"},
            {
                "name": "game",
                "protocol": "both",
                "port": "27015",
                "host": "192.168.88.3",
                "public_address": "198.51.100.7",
            },
        ],
        masquerades=[{"out_interface_list": "WAN"}],
        auto_hairpin={"lan_interface": "bridge"},
    )
    assert router.run_tasks([setup]).returncode == 0
    starting = tmp_path / "starting.json"
    starting.write_bytes(router.state_path.read_bytes())
    change = {
        "merged": {
            "port_forwards": [
                {
                    "name": "web",
                    "port": "8080",
                    "host": "192.168.88.2",
                    "host_port": "80",
                    "public_address": "198.51.100.7",
                    "position": "bottom",
                }
            ]
        },
        "replaced": {
            "port_forwards": [
                {
                    "name": "game",
                    "protocol": "udp",
                    "port": "27015",
                    "host": "192.168.88.3",
                    "public_address": "198.51.100.7",
                }
            ]
        },
        "overridden": {
            "port_forwards": [{"name": "web", "port": "443", "host": "192.168.88.2", "public_address": "198.51.100.7"}]
        },
        "deleted": {"port_forwards": [{"name": "game"}], "masquerades": [], "auto_hairpin": None},
    }[state]
    run = router.run_tasks([task(name="change", state=state, **change)])
    assert run.returncode == 0, run.stdout + run.stderr
    commands = run.result("change")["commands"]
    assert commands
    script = tmp_path / "commands.rsc"
    script.write_text("\n".join(commands) + "\n")
    _import(starting, script)
    from routeros_sim import state as sim_state

    replayed = sim_state.load_router(starting)
    replayed_rows = [
        {k: v for k, v in attrs.items() if k not in ("bytes", "packets")}
        for word, attrs in replayed.execute("/ip/firewall/nat/print", [])
        if word == "!re"
    ]
    assert _table_without_ids(replayed_rows) == _table_without_ids(router.nat())


def test_rendered_and_parsed_need_no_router(tmp_path: Path, stock_router: SimRouter) -> None:
    rendered = {
        "name": "render",
        "hairpin.routeros.nat": {
            **SEED_TASK["hairpin.routeros.nat"],
            "state": "rendered",
            "auto_hairpin": {"lan_interface": "bridge", "lan_subnets": ["192.168.1.0/24"]},
        },
    }
    play = [{"name": "offline", "hosts": "router", "gather_facts": False, "tasks": [rendered]}]
    run = run_playbook(play, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.result("render")["rendered"]
    assert len(lines) == 3
    parsed = {"name": "parse", "hairpin.routeros.nat": {"state": "parsed", "running_config": "\n".join(lines)}}
    run = run_playbook([{**play[0], "tasks": [parsed]}], tmp_path)
    config = run.result("parse")["parsed"]
    assert [f["name"] for f in config["port_forwards"]] == ["web"]
    assert config["hairpins"][0]["lan_subnet"] == "192.168.1.0/24"
    assert config["masquerades"][0]["out_interface"] == "ether1"


def test_gathered_output_feeds_back_as_options_with_no_change(stock_router: SimRouter) -> None:
    assert stock_router.run_tasks([task()]).returncode == 0
    gather = {"name": "gather", "hairpin.routeros.nat": {"state": "gathered"}, "register": "g"}
    reapply = {
        "name": "reapply",
        "hairpin.routeros.nat": {
            "port_forwards": "{{ g.gathered.port_forwards }}",
            "masquerades": "{{ g.gathered.masquerades }}",
            "hairpins": "{{ g.gathered.hairpins }}",
            "state": "overridden",
        },
    }
    run = stock_router.run_tasks([gather, reapply])
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.result("reapply")["changed"] is False


def test_per_kind_modules_and_info(stock_router: SimRouter) -> None:
    tasks = [
        {
            "name": "forward",
            "hairpin.routeros.port_forward": {
                "config": [{"name": "web", "port": "80", "host": "192.168.1.2", "public_address": "203.0.113.1"}]
            },
        },
        {"name": "masquerade", "hairpin.routeros.masquerade": {"config": [{"out_interface": "ether1"}]}},
        {
            "name": "hairpin",
            "hairpin.routeros.hairpin_nat": {
                "config": [{"name": "web", "host": "192.168.1.2", "host_port": "80", "lan_interface": "bridge"}]
            },
        },
        {"name": "info", "hairpin.routeros.nat_info": {}},
    ]
    run = stock_router.run_tasks(tasks)
    assert run.returncode == 0, run.stdout + run.stderr
    info = run.result("info")
    kinds = sorted(rule["owner"]["kind"] for rule in info["rules"] if rule["owned"])
    assert kinds == ["dstnat", "hairpin", "masquerade"]
    assert info["config"]["hairpins"][0]["lan_subnet"] == "192.168.1.0/24"
    again = stock_router.run_tasks([dict(t, name=t["name"]) for t in tasks[:3]])
    assert all(again.result(name)["changed"] is False for name in ("forward", "masquerade", "hairpin"))


def test_wrong_password_fails_clearly_without_leaking_it(stock_router: SimRouter) -> None:
    options = dict(SEED_TASK["hairpin.routeros.nat"], password="not-the-Password-42")
    run = stock_router.run_tasks([{"name": "converge", "hairpin.routeros.nat": options}])
    assert run.returncode != 0
    msg = run.result("converge")["msg"]
    assert "127.0.0.1" in msg and "login" in msg
    assert "not-the-Password-42" not in run.stdout + run.stderr


def test_ddns_address_list_rides_in_the_same_call(stock_router: SimRouter) -> None:
    stock_router.router.dns_resolver = {"home.example.net": ["203.0.113.77"]}
    options = {
        "port_forwards": [{"name": "web", "port": "80", "host": "192.168.1.2", "public_address_list": "wan-ddns"}],
        "address_lists": [{"list": "wan-ddns", "address": "home.example.net"}],
    }
    run = stock_router.run_tasks([task(**options)])
    assert run.returncode == 0, run.stdout + run.stderr
    result = run.result("converge")
    assert result["commands"][0].startswith("/ip firewall address-list add")
    # One read, one write (entry and rules together), then the check and the confirm.
    assert result["round_trips"] == 4
    entries = [
        attrs
        for word, attrs in stock_router.router.execute("/ip/firewall/address-list/print", ["?list=wan-ddns"])
        if word == "!re"
    ]
    # The owned static entry holds the name; RouterOS resolves it into a dynamic entry.
    assert {(e["address"], e.get("dynamic", "false")) for e in entries} == {
        ("home.example.net", "false"),
        ("203.0.113.77", "true"),
    }
    assert by_comment(stock_router.nat())["hairpin:dstnat:web:tcp"]["dst-address-list"] == "wan-ddns"
    again = stock_router.run_tasks([task(name="again", **options)])
    assert again.result("again")["changed"] is False
    gone = stock_router.run_tasks([task(name="purge", address_lists=[])])
    assert gone.returncode == 0, gone.stdout
    assert [e for w, e in stock_router.router.execute("/ip/firewall/address-list/print", []) if w == "!re"] == []

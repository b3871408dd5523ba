"""Real exports and stock routers: what a RouterOS export can hold loads, and comes back out the same.

The fixtures are exports as admins publish them (menus the simulator does not model, interface
kinds it keeps loosely, RouterOS 6 idioms); the seeds are RouterOS's default configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routeros_sim import cli, rsc, state
from routeros_sim.router import Router
from routeros_sim.rsc import ScriptError, load_export, parse_script

FIXTURES = Path(__file__).parent / "fixtures"
RB4011 = FIXTURES / "rb4011-pppoe-vlans.rsc"
HAP_AC2_ROS6 = FIXTURES / "hap-ac2-ros6.rsc"
SEEDS = [state.ROUTEROS7_DEFCONF_SEED, state.ROUTEROS6_DEFCONF_SEED]
# A few exports the corpus of real-world-shaped exports holds, when it is next to this tree.
CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "exports"


def body(text: str) -> list[str]:
    """An export without its header comments (date, software id)."""
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def printed(router: Router, path: str, *words: str) -> list[dict[str, str]]:
    return [attributes for kind, attributes in router.execute(f"{path}/print", list(words)) if kind == "!re"]


def loaded(path: Path) -> Router:
    router, _ = load_export(path.read_text(encoding="utf-8"))
    return router


# ---------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("path", [RB4011, HAP_AC2_ROS6, *SEEDS], ids=lambda path: path.stem)
def test_an_export_with_menus_the_model_lacks_loads_and_exports_back_the_same_lines(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    router, result = load_export(text)
    assert any("kept as written" in why for _, why in result.skipped)  # the file has unmodelled menus
    assert body(rsc.export(router)) == body(text)


def test_the_export_of_a_loaded_export_loads_again_to_the_same_router() -> None:
    first = loaded(RB4011)
    again, _ = load_export(rsc.export(first))
    for path in ("/interface", "/ip/address", "/ip/firewall/nat", "/interface/list/member", "/interface/vlan"):
        assert printed(again, path) == printed(first, path), path
    assert again.verbatim == first.verbatim


def test_a_menu_the_export_wrote_in_two_sections_stays_in_two() -> None:
    router = loaded(HAP_AC2_ROS6)  # the guest AP comes after the security profile it names
    router.execute("/interface/wireless/add", ["=name=wlan-extra", "=master-interface=wlan2"])
    lines = body(rsc.export(router))
    sections = [index for index, line in enumerate(lines) if line == "/interface wireless"]
    assert len(sections) == 2
    assert lines.index("/interface wireless security-profiles") < sections[1]
    assert lines.index("add master-interface=wlan2 name=wlan-extra") > sections[1]


def test_unmodelled_menus_survive_the_json_state(tmp_path: Path) -> None:
    router = loaded(RB4011)
    path = tmp_path / "router.json"
    state.save_router(router, path)
    assert body(rsc.export(state.load_router(path))) == body(RB4011.read_text(encoding="utf-8"))


def test_dotted_wifi_properties_keep_their_groups() -> None:
    router = loaded(state.ROUTEROS7_DEFCONF_SEED)
    wifi1 = printed(router, "/interface/wifi", "?default-name=wifi1")[0]
    assert wifi1["configuration.ssid"] == "MikroTik-5A0007"
    assert wifi1["security.ft-over-ds"] == "yes"
    assert wifi1["disabled"] == "false"


# ---------------------------------------------------------------------------------------------
# Interfaces from every menu, ports from the model


def test_interfaces_of_export_menus_are_interfaces_with_their_type() -> None:
    router = loaded(RB4011)
    types = {item["name"]: item["type"] for item in printed(router, "/interface")}
    assert types["pppoe-out1"] == "pppoe-out"
    assert types["wg-home"] == "wg"
    assert types["vlan20-guest"] == types["vlan30-iot"] == "vlan"
    assert types["bridge"] == "bridge"
    members = {(m["list"], m["interface"]) for m in printed(router, "/interface/list/member")}
    assert ("WAN", "pppoe-out1") in members and ("LAN", "vlan20-guest") in members
    nat = printed(router, "/ip/firewall/nat", "?action=dst-nat")[0]
    assert nat["in-interface"] == "pppoe-out1" and nat["invalid"] == "false"


MODELS = [
    ("RB4011iGS+", [*(f"ether{n}" for n in range(1, 11)), "sfp-sfpplus1"]),
    ("CCR2004-1G-12S+2XS", ["ether1", *(f"sfp-sfpplus{n}" for n in range(1, 13)), "sfp28-1", "sfp28-2"]),
    ("RBD52G-5HacD2HnD", ["ether1", "ether2", "ether3", "ether4", "ether5", "wlan1", "wlan2"]),
    ("C52iG-5HaxD2HaxD", ["ether1", "ether2", "ether3", "ether4", "ether5", "wifi1", "wifi2"]),
    ("PL7411-2nD", ["ether1", "pwr-line1", "wlan1"]),
    ("L009UiGS-2HaxD", [*(f"ether{n}" for n in range(1, 9)), "sfp1", "wifi1"]),
    ("CRS326-24G-2S+RM", [*(f"ether{n}" for n in range(1, 25)), "sfp-sfpplus1", "sfp-sfpplus2"]),
]


@pytest.mark.parametrize(("model", "ports"), MODELS)
def test_the_model_header_gives_the_built_in_ports(model: str, ports: list[str]) -> None:
    router, _ = load_export(f"# 2025-01-02 03:04:05 by RouterOS 7.16.1\n#\n# model = {model}\n")
    built_in = [item["name"] for item in printed(router, "/interface") if "default-name" in item]
    assert built_in == ports
    assert printed(router, "/system/routerboard")[0]["model"] == model


def test_an_unknown_model_has_the_ports_its_export_names() -> None:
    text = (
        "# 2025-01-02 03:04:05 by RouterOS 7.16.1\n# model = Some Board 9000\n"
        "/interface ethernet\nset [ find default-name=sfp-sfpplus2 ] comment=uplink\n"
        "/interface vlan\nadd interface=sfp-sfpplus2 name=ether-like-vlan vlan-id=7\n"
        "/ip address\nadd address=192.0.2.1/24 interface=ether7\n"
    )
    router, _ = load_export(text)
    built_in = [item["name"] for item in printed(router, "/interface") if "default-name" in item]
    assert built_in == ["ether7", "sfp-sfpplus2"]


def test_a_port_the_model_does_not_have_is_refused_naming_the_line() -> None:
    text = (
        "# 2025-01-02 03:04:05 by RouterOS 7.16.1\n# model = RB4011iGS+\n"
        "/ip address\nadd address=192.0.2.1/24 interface=ether11\n"
    )
    with pytest.raises(ScriptError) as caught:
        load_export(text)
    assert caught.value.line == 4
    assert "ether11" in caught.value.command


def test_ethernet_settings_the_model_does_not_know_are_kept_and_not_printed_as_interface_properties() -> None:
    router = loaded(RB4011)
    ether1 = printed(router, "/interface", "?name=ether1")[0]
    assert ether1["comment"] == "ISP"
    assert "rx-flow-control" not in ether1 and "disable-running-check" not in ether1
    assert "set [ find default-name=ether10 ] poe-out=off" in rsc.export(router)


def test_routeros6_master_port_and_wireless_load() -> None:
    router = loaded(HAP_AC2_ROS6)
    assert "set [ find default-name=ether3 ] master-port=ether2" in rsc.export(router)
    wlan2 = printed(router, "/interface/wireless", "?name=wlan2")[0]
    assert wlan2["ssid"] == "Zuhause-5G" and wlan2["disabled"] == "false"
    assert {item["name"]: item["type"] for item in printed(router, "/interface")}["wlan1"] == "wlan"


def test_routeros6_dns_static_without_type_is_an_a_record() -> None:
    router = loaded(HAP_AC2_ROS6)  # 6.45.9: before /ip dns static had a type
    assert router.resolve("drucker.lan") == ["192.168.88.30"]
    assert [(e["name"], e["address"]) for e in printed(router, "/ip/dns/static")][1] == ("drucker.lan", "192.168.88.30")


# ---------------------------------------------------------------------------------------------
# Lines that cannot be accepted


@pytest.mark.parametrize(
    ("script", "line", "message"),
    [
        ("/ip firewall nat\nadd action=masquerade chain=srcnat frobnicate=yes\n", 3, "unknown parameter frobnicate"),
        (
            "/interface bridge port\nadd bridge=bridge interface=vlan99\n",
            3,
            "input does not match any value of interface",
        ),
        ("/ip service\nset www port=99999\n", 3, "99999"),
    ],
)
def test_a_line_that_cannot_be_accepted_fails_naming_its_number_and_command(
    tmp_path: Path, script: str, line: int, message: str
) -> None:
    path = tmp_path / "export.rsc"
    path.write_text("# 2025-01-02 03:04:05 by RouterOS 7.16.1\n" + script, encoding="utf-8")
    with pytest.raises(state.StateFormatError) as caught:
        state.load_router(path)
    command = str(parse_script(script)[0])
    assert f"line {line} ({command})" in str(caught.value)
    assert message in str(caught.value)


# ---------------------------------------------------------------------------------------------
# Stock routers as RouterOS ships them

SHIPPED_SERVICES = [
    ("telnet", "23", "false"),
    ("ftp", "21", "false"),
    ("www", "80", "false"),
    ("ssh", "22", "false"),
    ("www-ssl", "443", "true"),
    ("api", "8728", "false"),
    ("winbox", "8291", "false"),
    ("api-ssl", "8729", "false"),
]
DEFCONF_FILTER = [
    ("input", "accept", "defconf: accept established,related,untracked"),
    ("input", "drop", "defconf: drop invalid"),
    ("input", "accept", "defconf: accept ICMP"),
    ("input", "accept", "defconf: accept to local loopback (for CAPsMAN)"),
    ("input", "drop", "defconf: drop all not coming from LAN"),
    ("forward", "accept", "defconf: accept in ipsec policy"),
    ("forward", "accept", "defconf: accept out ipsec policy"),
    ("forward", "fasttrack-connection", "defconf: fasttrack"),
    ("forward", "accept", "defconf: accept established,related, untracked"),
    ("forward", "drop", "defconf: drop invalid"),
    ("forward", "drop", "defconf: drop all from WAN not DSTNATed"),
]


@pytest.mark.parametrize(("seed", "version"), [(SEEDS[0], "7.20.4"), (SEEDS[1], "6.49.18")], ids=["ros7", "ros6"])
def test_a_stock_seed_is_routeros_defconf_with_services_as_shipped(seed: Path, version: str) -> None:
    router = state.load_router(Path("/nonexistent/router.json"), seed=seed)
    assert router.version == version
    services = [(s["name"], s["port"], s["disabled"]) for s in printed(router, "/ip/service")]
    assert services == SHIPPED_SERVICES
    rules = [(r["chain"], r["action"], r["comment"]) for r in printed(router, "/ip/firewall/filter")]
    assert rules == DEFCONF_FILTER
    [masquerade] = printed(router, "/ip/firewall/nat")
    assert (masquerade["action"], masquerade["comment"]) == ("masquerade", "defconf: masquerade")
    assert (masquerade["ipsec-policy"], masquerade["out-interface-list"]) == ("out,none", "WAN")
    members = {(m["list"], m["interface"]) for m in printed(router, "/interface/list/member")}
    assert members == {("LAN", "bridge"), ("WAN", "ether1")}
    assert printed(router, "/ip/dns")[0]["allow-remote-requests"] == "true"
    wan = printed(router, "/ip/address", "?interface=ether1")
    assert [(a["address"], a["dynamic"]) for a in wan] == [("203.0.113.10/24", "true")]
    [client] = printed(router, "/ip/dhcp-client")
    assert (client["interface"], client["status"], client["address"]) == ("ether1", "bound", "203.0.113.10/24")


def test_the_dhcp_lease_follows_its_client() -> None:
    router = loaded(state.ROUTEROS7_DEFCONF_SEED)
    client = printed(router, "/ip/dhcp-client")[0][".id"]

    def wan() -> list[str]:
        return [a["address"] for a in printed(router, "/ip/address", "?dynamic=true")]

    assert router.execute("/ip/dhcp-client/disable", [f"=.id={client}"])[-1][0] == "!done"
    assert wan() == []
    assert printed(router, "/ip/dhcp-client")[0]["status"] == "stopped"
    router.execute("/ip/dhcp-client/enable", [f"=.id={client}"])
    assert wan() == ["203.0.113.10/24"]
    lease = printed(router, "/ip/address", "?dynamic=true")[0][".id"]
    assert router.execute("/ip/address/remove", [f"=.id={lease}"])[0] == (
        "!trap",
        {"message": "failure: cannot remove dynamic"},
    )
    router.execute("/ip/dhcp-client/remove", [f"=.id={client}"])
    assert wan() == []
    assert "203.0.113" not in rsc.export(router)


def test_a_pppoe_client_gets_its_address_on_its_own_interface() -> None:
    router = loaded(RB4011)
    [lease] = printed(router, "/ip/address", "?dynamic=true")
    assert (lease["interface"], lease["address"], lease["network"]) == (
        "pppoe-out1",
        "198.51.100.10/32",
        "198.51.100.1",
    )


def test_a_stock_seed_is_chosen_by_name_on_the_command_line(tmp_path: Path) -> None:
    script = tmp_path / "empty.rsc"
    script.write_text("", encoding="utf-8")
    target = tmp_path / "router.json"
    assert cli.main(["import", "--state", str(target), "--seed", "routeros6-defconf", str(script)]) == 0
    router = state.load_router(target)
    assert router.version == "6.49.18"
    assert printed(router, "/system/routerboard")[0]["model"] == "RBD52G-5HacD2HnD"


def test_import_into_a_new_state_builds_the_exports_router(tmp_path: Path) -> None:
    target = tmp_path / "router.rsc"
    assert cli.main(["import", "--state", str(target), str(RB4011)]) == 0
    assert body(target.read_text(encoding="utf-8")) == body(RB4011.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Over the API


def test_new_interfaces_over_the_api(start_sim: Any) -> None:
    sim = start_sim(seed=RB4011)
    api = sim.connect()
    interfaces = {item["name"]: item["type"] for item in api.path("interface")}
    assert interfaces["pppoe-out1"] == "pppoe-out" and interfaces["wg-home"] == "wg"
    vlans = api.path("interface", "vlan")
    vlans.add(name="vlan40-cams", interface="bridge", **{"vlan-id": "40"})
    assert {item["name"]: item["type"] for item in api.path("interface")}["vlan40-cams"] == "vlan"
    [vlan] = [item for item in vlans if item["name"] == "vlan40-cams"]
    assert vlan["vlan-id"] == 40  # librouteros reads numbers as int
    members = api.path("interface", "list", "member")
    member = members.add(list="LAN", interface="vlan40-cams")
    vlans.update(**{".id": vlan[".id"], "name": "vlan40-cameras"})  # a rename reaches the list member
    assert [m["interface"] for m in members if m[".id"] == member] == ["vlan40-cameras"]
    members.remove(member)
    vlans.remove(vlan[".id"])
    assert "vlan40-cameras" not in {item["name"] for item in api.path("interface")}


def test_the_firewall_filter_is_readable_and_writable_over_the_api(start_sim: Any) -> None:
    sim = start_sim(seed="routeros7-defconf")
    api = sim.connect()
    rules = api.path("ip", "firewall", "filter")
    assert [rule["comment"] for rule in rules][-1] == "defconf: drop all from WAN not DSTNATed"
    first = next(iter(rules))[".id"]
    new = rules.add(chain="forward", action="drop", protocol="tcp", **{"dst-port": "8080", "in-interface-list": "WAN"})
    tuple(api("/ip/firewall/filter/move", **{"numbers": new, "destination": first}))
    assert next(iter(rules))[".id"] == new
    rules.update(**{".id": new, "comment": "block 8080"})
    assert [rule["comment"] for rule in rules if rule[".id"] == new] == ["block 8080"]
    rules.remove(new)
    assert len(list(rules)) == len(DEFCONF_FILTER)


def test_corpus_exports_load(tmp_path: Path) -> None:
    exports = sorted(CORPUS.glob("*.rsc"))
    if not exports:
        pytest.skip(f"no corpus of exports at {CORPUS}")
    for path in exports:
        router = state.load_router(tmp_path / f"{path.stem}.json", seed=path)
        assert printed(router, "/interface"), path.name

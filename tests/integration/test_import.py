"""Taking over routers configured by hand: every export of the corpus is loaded into the
simulator, `ansible-playbook hairpin.routeros.import` writes each router's variables, and the
role applied with the written files takes the hand-made rules over as they are.

Per export: the import writes DIR/<host>.yml (YAML with the role's variables and, as comments,
what it found and what it leaves), never replaces a file unless told to, and prints a table per
router. Applied, the role leaves every NAT rule's fields but the comment unchanged, in the same
order; --check --diff shows only comment changes; the next run changes nothing; editing one
service in the imported file changes exactly that service's rule.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.hairpin.routeros.plugins.module_utils.importing import import_router
from role_support import ROLE_TASK, run_hairpin, write_inventory
from support import PASSWORD, REPO, USERNAME, PlaybookRun

from routeros_sim import state
from routeros_sim.certs import CertPaths
from tests.support.router_view import router_view
from tests.support.simulator import memory_router, serve
from tests.support.tables import nat_rows

EXPORTS = REPO / "tests" / "fixtures" / "exports"
# Every export of the corpus, and a stock router with forwards, a hairpin rule and a DNS name
# made by hand that the import can take over (the corpus's brownfield forwards mostly cannot).
SOURCES = {
    path.name: path for path in [*EXPORTS.glob("*.rsc"), *(REPO / "tests" / "fixtures" / "import").glob("*.rsc")]
}
EXPORT_NAMES = sorted(SOURCES)
IMPORT = "hairpin.routeros.import"
IMPORT_TASK = "Read the NAT table as the role's variables"
REPORT_TASK = "Say what was found and what is left as it is"
# The comment is what taking a rule over changes; counters move on their own.
NOT_COMPARED = frozenset({"comment", "bytes", "packets"})
# A command that takes a rule over: its comment, nothing else.
TAKE_OVER = re.compile(r"/ip firewall nat set \*[0-9A-F]+ comment=\S.*")


def host_name(export: str) -> str:
    return export.removesuffix(".rsc")


@functools.cache
def imported(export: str) -> dict[str, Any]:
    """What the import finds on the export, read here as nat_info reads it (no network)."""
    return import_router(router_view(memory_router(SOURCES[export])))


def imported_services(export: str) -> list[dict[str, Any]]:
    return imported(export)["variables"]["hairpin_services"]


WITH_SERVICES = [export for export in EXPORT_NAMES if imported_services(export)]


def configuration(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k not in NOT_COMPARED} for row in rows]


@dataclass
class Router:
    export: str
    site: Any = None
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return host_name(self.export)


@dataclass
class Fleet:
    routers: dict[str, Router]
    import_dir: Path
    runs: dict[str, PlaybookRun] = field(default_factory=dict)
    files: dict[str, dict[str, str]] = field(default_factory=dict)


def task_result(run: PlaybookRun, task: str, host: str) -> dict[str, Any] | None:
    for play in run.output.get("plays", []):
        for entry in play["tasks"]:
            if entry["task"]["name"].endswith(task) and host in entry["hosts"]:
                return entry["hosts"][host]
    return None


def edited(variables: dict[str, Any]) -> dict[str, Any]:
    """The imported variables with the first service on the next public port (same host port)."""
    variables = copy.deepcopy(variables)
    service = variables["hairpin_services"][0]
    service.setdefault("host_port", service["port"])
    service["port"] = str(int(service["port"]) + 1)
    return variables


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, certs: CertPaths) -> Iterator[Fleet]:
    """Every export in one simulator; the import run three times (first, again, forced), then
    the role with the written files: --check --diff, the apply, the same again, and a run with
    one service edited in each file that has one."""
    tmp = tmp_path_factory.mktemp("import")
    routers = {export: Router(export) for export in EXPORT_NAMES}
    loaded = []
    for router in routers.values():
        path = tmp / f"{router.host}.json"
        sim = state.load_router(path, seed=SOURCES[router.export])
        loaded.append((router, sim, path, state.attach_persistence(sim, path)))
    thread = serve([(sim, path, keeper) for _r, sim, path, keeper in loaded], certs, password=PASSWORD)
    for router, site in zip(routers.values(), thread.simulator.sites):
        router.site = site
    inventory_dir = tmp / "inventory"
    import_dir = inventory_dir / "host_vars"
    import_dir.mkdir(parents=True)
    connection = {
        router.host: {
            "ansible_host": "127.0.0.1",
            "hairpin_api_port": router.site.tls_port,
            "hairpin_api_username": USERNAME,
            "hairpin_api_password": PASSWORD,
            "hairpin_api_ca_path": str(certs.ca),
        }
        for router in routers.values()
    }
    inventory = write_inventory(inventory_dir / "hosts.yml", connection)
    result = Fleet(routers, import_dir)

    def record(phase: str, run: PlaybookRun | None = None) -> None:
        for router in routers.values():
            router.tables[phase] = nat_rows(router.site.router)
        if run is not None:
            result.runs[phase] = run
        result.files[phase] = {path.name: path.read_text(encoding="utf-8") for path in sorted(import_dir.glob("*.yml"))}

    def run(phase: str, playbook: str, *extra: str, check: bool = False, diff: bool = False) -> None:
        record(phase, run_hairpin(tmp, [inventory], playbook=playbook, check=check, diff=diff, extra_args=extra))

    try:
        record("loaded")
        run("import", IMPORT, "-e", f"hairpin_import_dir={import_dir}")
        run("import-again", IMPORT, "-e", f"hairpin_import_dir={import_dir}")
        run("import-forced", IMPORT, "-e", f"hairpin_import_dir={import_dir}", "-e", "hairpin_import_force=true")
        run("check", "hairpin.routeros.hairpin", check=True, diff=True)
        run("apply", "hairpin.routeros.hairpin")
        run("second", "hairpin.routeros.hairpin")
        for export in WITH_SERVICES:
            path = import_dir / f"{host_name(export)}.yml"
            path.write_text(yaml.safe_dump(edited(yaml.safe_load(path.read_text(encoding="utf-8")))))
        run("edited", "hairpin.routeros.hairpin")
        yield result
    finally:
        thread.stop()


def describe(fleet: Fleet, phase: str) -> str:
    run = fleet.runs[phase]
    return f"{phase} run (rc {run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"


def role_result(fleet: Fleet, phase: str, host: str) -> dict[str, Any]:
    found = task_result(fleet.runs[phase], ROLE_TASK, host)
    assert found is not None, describe(fleet, phase)
    assert not found.get("failed"), f"{host}, {phase}: {found.get('msg')}"
    return found


@pytest.mark.parametrize("export", EXPORT_NAMES)
def test_the_import_writes_each_routers_variables_and_says_what_it_found(fleet: Fleet, export: str) -> None:
    host = host_name(export)
    name = f"{host}.yml"
    assert fleet.runs["import"].returncode == 0, describe(fleet, "import")
    info = task_result(fleet.runs["import"], IMPORT_TASK, host)
    assert info is not None and info.get("changed") is False, describe(fleet, "import")
    text = fleet.files["import"][name]
    variables = yaml.safe_load(text)
    assert variables == info["variables"]
    assert variables["hairpin_services"] == info["services"]
    # The human reviewing the file reads what was left, and why, next to the variables.
    for entry in info["unexpressed"]:
        assert entry["reason"] in text.replace("\n#     ", " ")
    report = task_result(fleet.runs["import"], REPORT_TASK, host)
    lines = report["msg"]
    assert lines[0].startswith(f"{host}: {len(info['services'])} service(s), {len(info['unexpressed'])} rule(s)")
    assert lines[0].endswith("written"), lines[0]
    for service in info["services"]:
        assert any(
            line.split()[:4] == [service["name"], service["protocol"], service["port"], service["host"]]
            for line in lines
        ), lines
    assert sum(line.startswith("left: ") for line in lines) == len(info["unexpressed"])
    # Nothing on the router changed.
    assert fleet.routers[export].tables["import"] == fleet.routers[export].tables["loaded"]


@pytest.mark.parametrize("export", EXPORT_NAMES)
def test_an_imported_file_is_replaced_only_when_forced_and_the_table_says_so(fleet: Fleet, export: str) -> None:
    host = host_name(export)
    again = task_result(fleet.runs["import-again"], REPORT_TASK, host)["msg"][0]
    assert "exists, not overwritten" in again and "hairpin_import_force=true" in again
    forced = task_result(fleet.runs["import-forced"], REPORT_TASK, host)["msg"][0]
    assert "overwritten (hairpin_import_force)" in forced
    assert fleet.files["import-forced"][f"{host}.yml"] == fleet.files["import"][f"{host}.yml"]


def test_an_existing_file_is_not_touched_without_force(fleet: Fleet) -> None:
    # The second import found every file in place: the write task was skipped for each router.
    for router in fleet.routers.values():
        write = task_result(fleet.runs["import-again"], "Write the router's variables", router.host)
        assert write is not None and write.get("skipped") is True, router.host


@pytest.mark.parametrize("export", EXPORT_NAMES)
def test_check_diff_of_the_imported_file_shows_only_comment_changes(fleet: Fleet, export: str) -> None:
    check = role_result(fleet, "check", host_name(export))
    for command in check.get("commands") or []:
        assert command.startswith("#") or TAKE_OVER.fullmatch(command), command
    assert fleet.routers[export].tables["check"] == fleet.routers[export].tables["loaded"]


@pytest.mark.parametrize("export", EXPORT_NAMES)
def test_applying_the_imported_file_keeps_every_rule_and_its_place(fleet: Fleet, export: str) -> None:
    router = fleet.routers[export]
    role_result(fleet, "apply", router.host)
    # The same rules, the same fields but the comment, in the same order.
    assert configuration(router.tables["apply"]) == configuration(router.tables["loaded"])


@pytest.mark.parametrize("export", EXPORT_NAMES)
def test_after_the_apply_the_imported_rules_are_owned_and_the_next_run_changes_nothing(
    fleet: Fleet, export: str
) -> None:
    router = fleet.routers[export]
    role_result(fleet, "apply", router.host)
    # Every claimed rule is the role's now, under its service's name, and no other is.
    owned = {
        row[".id"]: row["comment"].split(":")[2]
        for row in router.tables["apply"]
        if str(row.get("comment", "")).startswith("hairpin:")
    }
    assert owned == {entry[".id"]: entry["service"] for entry in imported(export)["expressed"]}
    second = role_result(fleet, "second", router.host)
    assert second["changed"] is False, second.get("commands")
    assert router.tables["second"] == router.tables["apply"]


@pytest.mark.parametrize("export", WITH_SERVICES)
def test_editing_one_imported_service_changes_exactly_its_rule(fleet: Fleet, export: str) -> None:
    router = fleet.routers[export]
    result = role_result(fleet, "edited", router.host)
    assert result["changed"] is True
    service = imported_services(export)[0]["name"]
    before, after = router.tables["second"], router.tables["edited"]
    assert [row[".id"] for row in after] == [row[".id"] for row in before]
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert changed, "the edit changed no rule"
    for old, new in changed:
        assert f":{service}:" in old["comment"], f"a rule of another service changed: {old} -> {new}"
        differs = {k for k in set(old) | set(new) if old.get(k) != new.get(k)} - {"comment", "bytes", "packets"}
        # A forward without to-ports kept its port; on the next public port it keeps the host port.
        assert differs in ({"dst-port"}, {"dst-port", "to-ports"}), (old, new)
        assert str(new.get("to-ports") or new["dst-port"]) == str(old.get("to-ports") or old["dst-port"]), (old, new)

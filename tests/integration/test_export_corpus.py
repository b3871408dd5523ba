"""The role on real-world-shaped routers: every export of tests/fixtures/exports is loaded into
the simulator as a router's state, and the role publishes the services that corpus.yml lists
for it, as a user's fleet run does (one simulator, one router per export, one playbook run for
all of them).

Per export: the first run succeeds (or fails only with the refusal corpus.yml documents, before
any write); every rule and entry the role does not own (NAT rules, the whole filter, every other
menu, and the export text of the menus the simulator keeps verbatim) is unchanged in content
and relative order; the second run changes nothing; and `--check` with one more service in the
inventory writes nothing.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from role_support import ROLE_TASK, run_hairpin, task_result, write_inventory
from support import PASSWORD, REPO, USERNAME, PlaybookRun

from routeros_sim import rsc, state
from routeros_sim.certs import CertPaths
from tests.support.simulator import serve

EXPORTS = REPO / "tests" / "fixtures" / "exports"
CORPUS: dict[str, dict[str, Any]] = yaml.safe_load((EXPORTS / "corpus.yml").read_text(encoding="utf-8"))
NAT = "/ip/firewall/nat"
FILTER = "/ip/firewall/filter"
ADDRESS_LIST = "/ip/firewall/address-list"
OWNED = "hairpin:"
# What the router counts or derives on its own; the rest of a row is configuration.
# Counters, and what the scheduler counts as time passes (an export's schedulers keep running).
COUNTERS = frozenset({"bytes", "packets", "run-count", "next-run", "last-started"})
# Menus that report the router's state (uptime, load, the clock, the log), not its configuration.
STATUS_MENUS = frozenset({"/system/resource", "/system/clock", "/log"})
WRITE_VERBS = frozenset({"add", "set", "unset", "remove", "move", "enable", "disable"})
# The change the --check run is given: one more service, on a port nothing in the corpus uses.
CHECK_SERVICE = {"name": "corpus-check", "protocol": "udp", "port": "41641"}


def host_name(export: str) -> str:
    return export.removesuffix(".rsc")


def is_owned(row: Mapping[str, str]) -> bool:
    return str(row.get("comment", "")).startswith(OWNED)


@dataclass
class Snapshot:
    """What a user could compare before and after a run: every menu as the router prints it,
    and the export text of everything outside the NAT table."""

    tables: dict[str, list[dict[str, str]]]
    export: list[str]

    def foreign(self) -> dict[str, list[dict[str, str]]]:
        """Every menu without the entries the role owns (and what the router derives from them:
        the dynamic entries an owned DNS name resolves into)."""
        owned_lists = {row.get("list") for row in self.tables.get(ADDRESS_LIST, []) if is_owned(row)}
        kept = {}
        for path, rows in self.tables.items():
            kept[path] = [
                row
                for row in rows
                if not is_owned(row)
                and not (path == ADDRESS_LIST and row.get("dynamic") == "true" and row.get("list") in owned_lists)
            ]
        return kept


def export_lines(router) -> list[str]:
    """The router's /export, one logical line per command, without the NAT section (its foreign
    rules are compared as rows) and without the role's own entries; comments (the header's date)
    left out. A section header left with no line (the role's first entry in a menu the export
    did not have) goes too."""
    text = rsc.export(router).replace("\\\n    ", "")
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("/"):
            sections.append((line, []))
            continue
        if not sections:
            sections.append(("", []))
        section, body = sections[-1]
        if section == "/ip firewall nat" or f"comment={OWNED}" in line or f'comment="{OWNED}' in line:
            continue
        body.append(line)
    return [line for section, body in sections if body or section == "/ip firewall nat" for line in [section, *body]]


def snapshot(router) -> Snapshot:
    tables = {}
    for path in sorted(set(router.tables) - STATUS_MENUS):
        replies = router.execute(path + "/print", [])
        tables[path] = [
            {k: v for k, v in attrs.items() if k not in COUNTERS} for word, attrs in replies if word == "!re"
        ]
    return Snapshot(tables, export_lines(router))


@dataclass
class Case:
    export: str
    spec: dict[str, Any]
    load_error: str | None = None
    site: Any = None
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    results: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    runs: dict[str, PlaybookRun] = field(default_factory=dict)
    writes: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return host_name(self.export)

    @property
    def refusal(self) -> dict[str, Any] | None:
        return self.spec.get("refusal")

    def inventory(self, *, changed: bool = False) -> dict[str, Any]:
        values = copy.deepcopy(self.spec["inventory"])
        if changed:
            services = values["hairpin_services"]
            extra = {**CHECK_SERVICE, "host": services[0]["host"]}
            if values.get("hairpin_mode") == "split_dns":
                extra["dns_name"] = "corpus-check.example.net"
            services.append(extra)
        return values


def logged_writes(request_log: Path, router_index: int) -> int:
    """Write commands the simulator's request log holds for one router."""
    if not request_log.exists():
        return 0
    count = 0
    for line in request_log.read_text().splitlines():
        entry = json.loads(line)
        words = entry.get("words") or []
        if entry.get("router") == router_index and words and words[0].rsplit("/", 1)[-1] in WRITE_VERBS:
            count += 1
    return count


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, certs: CertPaths) -> Iterator[dict[str, Case]]:
    """Every export loaded into one simulator (one router each) and the role run three times
    over all of them: the first run, the same again, and --check with one more service."""
    tmp = tmp_path_factory.mktemp("corpus")
    cases = {export: Case(export, spec) for export, spec in sorted(CORPUS.items())}
    routers = []
    for case in cases.values():
        path = tmp / f"{case.host}.json"
        try:
            router = state.load_router(path, seed=EXPORTS / case.export)
        except Exception as exc:  # the test reports it per export
            case.load_error = f"{type(exc).__name__}: {exc}"
            continue
        routers.append((case, router, path, state.attach_persistence(router, path)))
    loaded = [entry[0] for entry in routers]
    if not loaded:
        yield cases
        return
    request_log = tmp / "requests.jsonl"
    thread = serve(
        [(router, path, keeper) for _case, router, path, keeper in routers],
        certs,
        password=PASSWORD,
        request_log=request_log,
    )
    for case, site in zip(loaded, thread.simulator.sites):
        case.site = site

    def record(phase: str, run: PlaybookRun | None = None) -> None:
        for case in loaded:
            case.snapshots[phase] = snapshot(case.site.router)
            case.writes[phase] = (case.site.stats.writes, logged_writes(request_log, case.site.index))
            if run is not None:
                case.runs[phase] = run
                case.results[phase] = task_result(run, ROLE_TASK, case.host)

    def run(phase: str, *, changed: bool = False, check: bool = False) -> None:
        hosts = {}
        for case in loaded:
            hosts[case.host] = {
                "ansible_host": "127.0.0.1",
                "hairpin_api_port": case.site.tls_port,
                "hairpin_api_username": USERNAME,
                "hairpin_api_password": PASSWORD,
                "hairpin_api_ca_path": str(certs.ca),
                **case.inventory(changed=changed),
            }
        inventory = write_inventory(tmp / f"inventory-{phase}.yml", hosts)
        record(phase, run_hairpin(tmp, [inventory], check=check))

    try:
        record("loaded")
        run("first")
        run("second")
        run("check", changed=True, check=True)
        yield cases
    finally:
        thread.stop()


def describe(case: Case, phase: str) -> str:
    run = case.runs[phase]
    return f"{case.export}, {phase} run (rc {run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"


def assert_refused(case: Case, phase: str) -> None:
    result = case.results[phase]
    assert result is not None, describe(case, phase)
    assert result.get("failed") is True, f"{case.export}: expected the refusal ({case.refusal['reason']})"
    message = str(result.get("msg", ""))
    missing = [fragment for fragment in case.refusal["message"] if str(fragment) not in message]
    assert not missing, f"{case.export}: the refusal does not name {missing}: {message}"
    # In a fleet the user must see which router refused: by its inventory name.
    assert case.host in message, f"{case.export}: the refusal does not name the router {case.host!r}: {message}"
    assert case.writes[phase] == case.writes["loaded"], f"{case.export}: the refused run wrote to the router"


def assert_converged(case: Case, phase: str) -> dict[str, Any]:
    result = case.results[phase]
    assert result is not None, describe(case, phase)
    assert not result.get("failed"), f"{case.export}, {phase} run failed: {result.get('msg')}"
    return result


def assert_foreign_unchanged(case: Case, phase: str) -> None:
    before, after = case.snapshots["loaded"], case.snapshots[phase]
    assert after.tables[FILTER] == before.tables[FILTER], f"{case.export}: the filter changed in the {phase} run"
    old, new = before.foreign(), after.foreign()
    # Foreign NAT rules: the same rules, the same content, in the same relative order.
    assert new[NAT] == old[NAT], f"{case.export}: foreign NAT rules changed in the {phase} run"
    assert set(new) == set(old), f"{case.export}: menus appeared or vanished in the {phase} run"
    changed = [path for path in old if new[path] != old[path]]
    assert not changed, f"{case.export}: entries the role does not own changed in the {phase} run: {changed}"
    # The export text covers what the simulator keeps without modelling it.
    assert after.export == before.export, f"{case.export}: the export outside NAT changed in the {phase} run"


@pytest.mark.parametrize("export", sorted(CORPUS))
def test_role_publishes_services_on_the_export_and_leaves_everything_else_alone(
    corpus: dict[str, Case], export: str
) -> None:
    case = corpus[export]
    assert case.load_error is None, f"{export} does not load into the simulator: {case.load_error}"

    # The first run: the services are published, or the documented refusal before any write.
    if case.refusal:
        assert_refused(case, "first")
    else:
        first = assert_converged(case, "first")
        assert first["changed"] is True, f"{export}: the first run published nothing"
        assert any(is_owned(row) for row in case.snapshots["first"].tables[NAT]), f"{export}: no owned rule"
    assert_foreign_unchanged(case, "first")

    # The second run finds nothing to do and writes nothing.
    if case.refusal:
        assert_refused(case, "second")
    else:
        second = assert_converged(case, "second")
        assert second["changed"] is False, f"{export}: the second run changed {second.get('commands')}"
        assert second.get("commands") == [], export
        assert case.runs["second"].stats[case.host].get("changed", 0) == 0, export
    assert case.writes["second"] == case.writes["first"], f"{export}: the second run wrote to the router"
    assert case.snapshots["second"] == case.snapshots["first"], f"{export}: the second run changed the router"

    # --check with one more service: it would change the router, and writes nothing.
    if case.refusal:
        assert_refused(case, "check")
    else:
        check = assert_converged(case, "check")
        assert check["changed"] is True, f"{export}: --check did not see the new service"
    assert case.writes["check"] == case.writes["second"], f"{export}: --check wrote to the router"
    assert case.snapshots["check"] == case.snapshots["second"], f"{export}: --check changed the router"


# ---------------------------------------------------------------------------------------------
# The corpus itself: each file is an export as RouterOS prints it, and each is listed


HEADER = re.compile(
    r"# (?P<date>\S+ \S+) by RouterOS (?P<version>[67]\.\d+(?:\.\d+)?)\n"
    r"# software id = [0-9A-Z]{4}-[0-9A-Z]{4}\n#\n# model = \S+\n# serial number = [0-9A-Z]+\n"
)
# RouterOS 7.10 changed the date in the header from "jan/02/2024 10:00:00" to ISO 8601.
OLD_DATE = re.compile(r"[a-z]{3}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
IPV4 = re.compile(r"(?<![\w.:])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])")
DOCUMENTATION = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


def allowed_ipv4(text: str) -> bool:
    address = ipaddress.ip_address(text)
    return address.is_private or address.is_unspecified or any(address in net for net in DOCUMENTATION)


def test_every_export_is_in_the_corpus_and_described() -> None:
    files = {path.name for path in EXPORTS.glob("*.rsc")}
    assert files == set(CORPUS)
    assert len(files) >= 20
    readme = (EXPORTS / "README.md").read_text(encoding="utf-8")
    assert [name for name in sorted(files) if f"`{name}`" not in readme] == []
    for export, spec in CORPUS.items():
        assert spec["inventory"]["hairpin_services"], export
        if "refusal" in spec:
            assert spec["refusal"]["reason"] and spec["refusal"]["message"], export


@pytest.mark.parametrize("export", sorted(CORPUS))
def test_export_is_written_as_routeros_prints_it(export: str) -> None:
    raw = (EXPORTS / export).read_bytes()
    # /export writes every byte outside ASCII as a \XX escape.
    assert raw.isascii(), export
    text = raw.decode("ascii")
    header = HEADER.match(text)
    assert header, f"{export}: not an /export header"
    major, minor = (int(part) for part in header["version"].split(".")[:2])
    date_form = ISO_DATE if (major, minor) >= (7, 10) else OLD_DATE
    assert date_form.fullmatch(header["date"]), f"{export}: {header['date']} is not how {header['version']} dates"
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        assert len(line) <= 80, f"{export}:{number} is longer than /export wraps"
        if line.startswith("    "):
            assert lines[number - 2].endswith("\\"), f"{export}:{number} continues a line that did not end in \\"
        else:
            assert line.startswith(("#", "/", "add ", "set ")), f"{export}:{number}: {line!r}"
    public = [address for address in IPV4.findall(text) if not allowed_ipv4(address)]
    assert public == [], f"{export}: addresses outside the private and documentation ranges"

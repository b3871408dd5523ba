"""Bad input: hostile and malformed inventory is either rejected before any write, with a
message naming the field, or, where it is valid, stored and read back verbatim.

Every case runs on a router of its own (one simulator serves them all), in one playbook: apply
the case, read it back with state gathered, apply it again (nothing may change). Values that are
stored are also checked through the CLI the module shows in --diff: replayed as a RouterOS
script on a fresh router, they give the same comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guarantee_figures import Figures
from reliability_support import STOCK_ROUTER, Fleet, fresh_router, host_results, owned, table

from routeros_sim import rsc
from routeros_sim.certs import CertPaths
from tests.support.tables import user_comment

PUBLIC = "203.0.113.1"  # the stock router's WAN address


def forward(**fields: Any) -> dict[str, Any]:
    entry = {"name": "web", "port": "80", "host": "192.168.1.2", "public_address": PUBLIC}
    entry.update(fields)
    return entry


@dataclass(frozen=True)
class Case:
    what: str
    options: dict[str, Any]  # the nat module's options (top level)
    field: str  # the field the message must name (rejected), or whose text must survive (stored)
    stored: str | None = None  # for valid input: the free text that must come back verbatim
    by_ansible: bool = False  # rejected by Ansible's argument spec (before the module's own checks)
    # A known, reported bug this case shows: it is counted as such, and the test fails once the
    # case passes (so the note is removed when the bug is fixed).
    known_bug: str | None = None


def rejected(what: str, field: str, **options: Any) -> Case:
    return Case(what, options, field)


def refused_by_spec(what: str, field: str, **options: Any) -> Case:
    return Case(what, options, field, by_ansible=True)


def stored(what: str, comment: str, known_bug: str | None = None, **fields: Any) -> Case:
    options = {"port_forwards": [forward(comment=comment, **fields)]}
    return Case(what, options, "comment", stored=comment, known_bug=known_bug)


LONG_TEXT = ("long comment, " * 72)[:1000]
NON_ASCII = "Caf\u00e9 \u2615 \u65e5\u672c\u8a9e \u2014 \u00fcber \u0416"

CASES: list[Case] = [
    # Names become part of the ownership marker: only [A-Za-z0-9_.-], 1-64, are accepted.
    rejected('name with a double quote: web"', "name", port_forwards=[forward(name='web"')]),
    rejected("name with a backslash: web\\", "name", port_forwards=[forward(name="web\\")]),
    rejected("name with a newline", "name", port_forwards=[forward(name="web\n/system reboot")]),
    rejected("name with '=': a=b", "name", port_forwards=[forward(name="a=b")]),
    rejected("name with '?': web?", "name", port_forwards=[forward(name="web?")]),
    rejected("name with a space and a command", "name", port_forwards=[forward(name="web /system reboot")]),
    rejected("name with ';' and a command", "name", port_forwards=[forward(name="web;/system/reboot")]),
    rejected("name with ':' (a forged marker)", "name", port_forwards=[forward(name="web:tcp")]),
    rejected("name of 65 characters", "name", port_forwards=[forward(name="n" * 65)]),
    rejected("name of 10,000 characters", "name", port_forwards=[forward(name="n" * 10_000)]),
    rejected("non-ASCII name", "name", port_forwards=[forward(name="w\u00e9b")]),
    rejected("empty name", "name", port_forwards=[forward(name="")]),
    rejected("name starting with '-'", "name", port_forwards=[forward(name="-web")]),
    # Comments are one line of text: control characters cannot be stored.
    rejected("comment with a newline", "comment", port_forwards=[forward(comment="a\n/system reboot")]),
    rejected("comment with a carriage return", "comment", port_forwards=[forward(comment="a\rb")]),
    rejected("comment with a tab", "comment", port_forwards=[forward(comment="a\tb")]),
    rejected("comment with a terminal escape", "comment", port_forwards=[forward(comment="\x1b[2J\x1b[31mred")]),
    rejected("comment with a NUL", "comment", port_forwards=[forward(comment="a\x00b")]),
    # Addresses.
    rejected("host 192.168.1.256", "host", port_forwards=[forward(host="192.168.1.256")]),
    rejected("host with a command after it", "host", port_forwards=[forward(host="192.168.1.2; /system reboot")]),
    rejected("host ::1 (IPv6)", "host", port_forwards=[forward(host="::1")]),
    rejected("host 0.0.0.0", "host", port_forwards=[forward(host="0.0.0.0")]),
    rejected("host 255.255.255.255", "host", port_forwards=[forward(host="255.255.255.255")]),
    rejected("host 224.0.0.5 (multicast)", "host", port_forwards=[forward(host="224.0.0.5")]),
    rejected("host 127.0.0.1 (loopback)", "host", port_forwards=[forward(host="127.0.0.1")]),
    rejected("public address 300.1.1.1", "public_address", port_forwards=[forward(public_address="300.1.1.1")]),
    rejected(
        "hairpin LAN subnet /33",
        "lan_subnet",
        hairpins=[{"name": "web", "host": "192.168.1.2", "host_port": "80", "lan_subnet": "192.168.1.0/33"}],
    ),
    rejected("hairpin subnet with a quote", "subnet", hairpin_subnets=[{"subnet": '10.0.0.0/8"'}]),
    # Ports.
    rejected("port 0", "port", port_forwards=[forward(port="0")]),
    rejected("port 65536", "port", port_forwards=[forward(port="65536")]),
    rejected("port -1", "port", port_forwards=[forward(port="-1")]),
    rejected("port range 80-70", "port", port_forwards=[forward(port="80-70")]),
    rejected("port list 80,443", "port", port_forwards=[forward(port="80,443")]),
    rejected("port 'http'", "port", port_forwards=[forward(port="http")]),
    rejected("port 99999999999", "port", port_forwards=[forward(port="99999999999")]),
    rejected("host_port 99999", "host_port", port_forwards=[forward(host_port="99999")]),
    # Overlapping services.
    rejected(
        "two services on one public port",
        "port",
        port_forwards=[forward(), forward(name="web2", host="192.168.1.3")],
    ),
    rejected(
        "a port inside another service's range",
        "port",
        port_forwards=[forward(port="8000-8100"), forward(name="admin", port="8080", host="192.168.1.3")],
    ),
    rejected(
        "udp 53 under a tcp+udp service on 53",
        "port",
        port_forwards=[
            forward(name="dns", port="53", protocol="both"),
            forward(name="dns2", port="53", protocol="udp"),
        ],
    ),
    rejected("one name twice", "name", port_forwards=[forward(), forward(port="81", host="192.168.1.3")]),
    rejected(
        "a forward that hides the router's API-SSL service",
        "port",
        port_forwards=[{"name": "api", "port": "8729", "host": "192.168.1.2", "public_local": True}],
    ),
    # Router names that do not exist (and could not: quotes, newlines).
    rejected('out_interface ether1"', "out_interface", masquerades=[{"out_interface": 'ether1"'}]),
    rejected("in_interface with a newline", "in_interface", port_forwards=[forward(in_interface="ether1\nx")]),
    rejected("out_interface_list WAN\\", "out_interface_list", masquerades=[{"out_interface_list": "WAN\\"}]),
    # Address lists (the DDNS entries).
    rejected(
        "address-list name with a newline",
        "list",
        address_lists=[{"list": "wan\nddns", "address": "home.example.net"}],
    ),
    rejected("address-list address 1.2.3.4/33", "address", address_lists=[{"list": "wan", "address": "1.2.3.4/33"}]),
    # Types Ansible's argument spec refuses.
    refused_by_spec("protocol icmp", "protocol", port_forwards=[forward(protocol="icmp")]),
    refused_by_spec("disabled 'maybe'", "disabled", port_forwards=[forward(disabled="maybe")]),
    rejected("port given as a list", "port", port_forwards=[forward(port=["80", "443"])]),
    # Valid free text: stored exactly as given.
    stored("comment with double quotes", 'say "hello"'),
    stored("comment with backslashes", "C:\\new\\table \\"),
    stored("comment that looks like API words", "?comment=x =disabled=yes =.id=*1"),
    stored("comment that looks like a script", '"; /system reboot; :put "$(x) [/system reboot] ${y}'),
    stored("comment with non-ASCII text", NON_ASCII),
    stored("comment of 1,000 characters", LONG_TEXT),
    stored("comment that looks like another rule's marker", "hairpin:dstnat:other:udp"),
    stored("comment with leading and trailing spaces", "  padded  "),
    stored("name of 64 characters", "longest name", name="n" * 64),
    Case(
        "masquerade comment with quotes and a backslash",
        {"masquerades": [{"out_interface": "ether1", "comment": 'WAN "uplink" \\ main'}]},
        "comment",
        stored='WAN "uplink" \\ main',
    ),
]

SECTIONS = ("port_forwards", "masquerades", "hairpins", "hairpin_subnets", "address_lists")


def _task(name: str, state: str | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {section: f"{{{{ case.{section} | default(omit) }}}}" for section in SECTIONS}
    options["state"] = state or "merged"
    return {"name": name, "hairpin.routeros.nat": options}


def _stored_comment(case: Case, rows: list[dict[str, str]]) -> str | None:
    """The free text after the marker of the one owned rule, or None."""
    rules = owned(rows)
    if len(rules) != 1:
        return None
    marker, _space, text = user_comment(rules[0]["comment"]).partition(" ")
    return text if marker.startswith("hairpin:") else None


def _gathered_comment(result: dict[str, Any]) -> Any:
    gathered = result.get("gathered", {})
    for section in ("port_forwards", "masquerades"):
        for entry in gathered.get(section) or []:
            return entry.get("comment")
    return None


def _replayed_comment(commands: list[str]) -> str | None:
    """The comment the CLI lines of --diff give, run as a script on a fresh router."""
    router = fresh_router(STOCK_ROUTER)
    rsc.run_script(router, "\n".join(commands) + "\n")
    return _stored_comment(Case("", {}, ""), table(router))


def test_hostile_and_malformed_input_is_rejected_or_stored_verbatim(
    certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    names = [f"case-{index:02d}" for index in range(len(CASES))]
    fleet = Fleet.start({name: fresh_router(STOCK_ROUTER) for name in names}, certs, tmp_path)
    fleets.append(fleet)
    untouched = fleet[names[0]].nat()
    for name, case in zip(names, CASES):
        fleet[name].vars["case"] = case.options
    run = fleet.run([_task("apply"), _task("read back", "gathered"), _task("apply again")], forks=10)
    applied, gathered, again = (host_results(run, task) for task in ("apply", "read back", "apply again"))

    problems = []
    for name, case in zip(names, CASES):
        host = fleet[name]
        assert host.site is not None
        result = applied.get(name, {})
        message = str(result.get("msg", ""))
        rows = host.nat()
        if case.stored is None:
            named = case.field in message if case.by_ansible else f"field '{case.field}'" in message
            checks = {
                "rejected": result.get("failed") is True,
                "the message names the field": named,
                "nothing written": host.site.stats.writes == 0 and rows == untouched,
            }
            outcome = "rejected" if result.get("failed") else "accepted"
        else:
            checks = {
                "accepted": result.get("failed") is not True and result.get("changed") is True,
                "stored verbatim": _stored_comment(case, rows) == case.stored,
                "read back verbatim": _gathered_comment(gathered.get(name, {})) == case.stored,
                "a second run changes nothing": again.get(name, {}).get("changed") is False,
                "the --diff CLI gives the same text": _replayed_comment(result.get("commands", [])) == case.stored,
            }
            outcome = (
                "stored verbatim"
                if all(checks.values())
                else "not kept: " + ", ".join(check for check, ok in checks.items() if not ok)
            )
        failed = [check for check, ok in checks.items() if not ok]
        figures.record(
            "bad_input",
            case=case.what,
            field=case.field,
            expected="stored verbatim" if case.stored is not None else "rejected",
            outcome=outcome,
            ok=not failed,
            known_bug=case.known_bug if failed else None,
            message=message[:240],
        )
        if case.known_bug and not failed:
            problems.append(f"{case.what}: passes now; remove its known_bug note ({case.known_bug})")
        elif failed and not case.known_bug:
            problems.append(f"{case.what}: {', '.join(failed)}; msg={message[:300]!r}")
    assert not problems, "\n".join(problems) + "\n" + run.stderr[-2000:]

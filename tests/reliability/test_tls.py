"""TLS: certificates are verified by default; a certificate from another CA, for other names,
expired or not valid yet is refused before the password is sent, with a message that says which;
plaintext and unverified connections need an explicit option and warn."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guarantee_figures import Figures
from reliability_support import (
    ANSIBLE_BIN,
    PASSWORD,
    SEED_CONFIG,
    STOCK_ROUTER,
    USERNAME,
    Fleet,
    fresh_router,
    host_results,
    nat_task,
    owned,
    run_ansible,
)
from tls_certs import Authority

from routeros_sim.certs import CertPaths

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class TlsCase:
    what: str  # as the README lists it
    server: str  # which certificate the router serves (SERVERS)
    expect: str  # "refused" or "connected"
    words: tuple[str, ...]  # in the failure message (refused) or in a warning (connected)
    options: dict[str, Any] = field(default_factory=dict)  # connection options that differ from the default
    ca: str | None = "test"  # the CA given in ca_path: "test", "other" or None (the system's CAs)
    plain_port: bool = False  # point at the plain API port instead of API-SSL


# label -> (issuing CA, names in the certificate, valid from, valid until), relative to now
SERVERS: dict[str, tuple[str, tuple[str, ...], dt.timedelta, dt.timedelta]] = {
    "good": ("test", ("localhost", "127.0.0.1"), -DAY, 30 * DAY),
    "other-ca": ("other", ("localhost", "127.0.0.1"), -DAY, 30 * DAY),
    "other-names": ("test", ("router.example.net", "10.0.0.1"), -DAY, 30 * DAY),
    "ip-only": ("test", ("127.0.0.1",), -DAY, 30 * DAY),
    "expired": ("test", ("localhost", "127.0.0.1"), -30 * DAY, -DAY),
    "not-yet-valid": ("test", ("localhost", "127.0.0.1"), DAY, 30 * DAY),
}

CASES: dict[str, TlsCase] = {
    "verified": TlsCase("certificate from the CA in ca_path: connects, no warning", "good", "connected", ()),
    "system-cas": TlsCase(
        "no ca_path: checked against the system's CAs, refused",
        "good",
        "refused",
        ("is not signed by a CA we trust", "system's CAs"),
        ca=None,
    ),
    "another-ca": TlsCase(
        "certificate from another CA: refused", "other-ca", "refused", ("is not signed by a CA we trust", "ca_path")
    ),
    "wrong-address": TlsCase(
        "certificate for other names than the address connected to: refused",
        "other-names",
        "refused",
        ("is not valid for the name '127.0.0.1'",),
    ),
    "wrong-hostname": TlsCase(
        "certificate without the hostname connected to: refused",
        "ip-only",
        "refused",
        ("is not valid for the name 'localhost'",),
        options={"hostname": "localhost"},
    ),
    "expired": TlsCase("expired certificate: refused", "expired", "refused", ("has expired",)),
    "not-yet-valid": TlsCase("certificate not valid yet: refused", "not-yet-valid", "refused", ("is not valid yet",)),
    "tls-to-plain-port": TlsCase(
        "TLS (the default) to a plaintext API port: refused",
        "good",
        "refused",
        ("TLS handshake failed", "api-ssl port", "tls: false"),
        plain_port=True,
    ),
    "plaintext-opt-in": TlsCase(
        "plaintext only with tls: false, and it warns",
        "good",
        "connected",
        ("clear text",),
        options={"tls": False},
        plain_port=True,
    ),
    "unverified-opt-in": TlsCase(
        "no verification only with validate_certs: false, and it warns",
        "other-ca",
        "connected",
        ("any host can pose as",),
        options={"validate_certs": False},
    ),
}


def test_tls_is_verified_by_default_and_fails_closed(
    certs: CertPaths, tmp_path: Path, fleets: list, figures: Figures
) -> None:
    authorities = {
        "test": Authority.create(tmp_path / "pki", "hairpin test CA"),
        "other": Authority.create(tmp_path / "pki", "some other CA"),
    }
    contexts = {
        label: authorities[ca].server_context(tmp_path / "pki", label, names, not_before=start, not_after=end)
        for label, (ca, names, start, end) in SERVERS.items()
    }
    hosts: dict[str, dict[str, Any]] = {}
    for name, case in CASES.items():
        fleet = Fleet.start(
            {name: fresh_router(STOCK_ROUTER)}, certs, tmp_path / name, ssl_context=contexts[case.server]
        )
        fleets.append(fleet)
        site = fleet[name].site
        assert site is not None
        options = {"hostname": "127.0.0.1", "tls": True, "validate_certs": True, **case.options}
        hosts[name] = dict(
            ansible_connection="local",
            ansible_python_interpreter=str(ANSIBLE_BIN / "python"),
            router_port=site.port if case.plain_port else site.tls_port,
            router_hostname=options["hostname"],
            router_tls=options["tls"],
            router_validate=options["validate_certs"],
            **({"router_ca": str(authorities[case.ca].path)} if case.ca else {}),
        )
    connection = dict(
        hostname="{{ router_hostname }}",
        port="{{ router_port }}",
        username=USERNAME,
        password=PASSWORD,
        tls="{{ router_tls }}",
        validate_certs="{{ router_validate }}",
        ca_path="{{ router_ca | default(omit) }}",
        timeout=5,
    )
    play = [
        {
            "name": "TLS cases",
            "hosts": "all",
            "gather_facts": False,
            "module_defaults": {"group/hairpin.routeros.api": connection},
            "tasks": [nat_task("converge", SEED_CONFIG)],
        }
    ]
    run = run_ansible(play, {"all": {"hosts": hosts}}, tmp_path / "ansible", forks=len(hosts))
    results = host_results(run, "converge")

    problems = []
    for name, case in CASES.items():
        fleet = next(f for f in fleets if name in f.hosts)
        site = fleet[name].site
        assert site is not None
        result = results.get(name, {})
        message = str(result.get("msg", ""))
        warnings = " ".join(result.get("warnings", []))
        tls_warning = "clear text" in warnings or "any host can pose" in warnings
        if case.expect == "refused":
            # A rejected certificate fails the task; a failed handshake makes the host unreachable.
            outcome = "refused" if result.get("failed") or result.get("unreachable") else "connected"
            checks = {
                "refused": outcome == "refused",
                "the message says why": all(word in message for word in case.words),
                "the message names the router": f"127.0.0.1:{hosts[name]['router_port']}" in message
                or f"localhost:{hosts[name]['router_port']}" in message,
                "no traceback": "Traceback" not in message and "module_stderr" not in result,
                "the password was never sent": (site.stats.logins, site.stats.failed_logins) == (0, 0),
                "nothing written": site.stats.writes == 0 and owned(fleet[name].nat()) == [],
            }
        else:
            outcome = "connected" if not (result.get("failed") or result.get("unreachable")) else "refused"
            checks = {
                "connected": outcome == "connected" and len(owned(fleet[name].nat())) == 3,
                "the warning says why": all(word in warnings for word in case.words) if case.words else not tls_warning,
            }
        failed = [check for check, ok in checks.items() if not ok]
        figures.record("tls", case=case.what, expected=case.expect, outcome=outcome, ok=not failed, message=message)
        if failed:
            problems.append(f"{name}: {', '.join(failed)}; msg={message!r} warnings={warnings!r}")
    assert not problems, "\n".join(problems)


def test_without_ca_path_each_worker_checks_against_the_system_cas(
    certs: CertPaths, tmp_path: Path, fleets: list, monkeypatch: Any
) -> None:
    # The system's trust store is loaded once, in the controller's main process, and shared by
    # the forked workers: every router is still checked against it, and one whose CA it lacks
    # is refused. SSL_CERT_FILE makes the test's CA the system's for this run.
    system = Authority.create(tmp_path / "pki", "a CA the system trusts")
    other = Authority.create(tmp_path / "pki", "a CA the system does not trust")
    names = ("localhost", "127.0.0.1")
    contexts = {
        "trusted": system.server_context(tmp_path / "pki", "trusted", names, not_before=-DAY, not_after=30 * DAY),
        "untrusted": other.server_context(tmp_path / "pki", "untrusted", names, not_before=-DAY, not_after=30 * DAY),
    }
    routers = {"trusted-1": "trusted", "trusted-2": "trusted", "trusted-3": "trusted", "untrusted": "untrusted"}
    hosts: dict[str, dict[str, Any]] = {}
    for name, served in routers.items():
        fleet = Fleet.start({name: fresh_router(STOCK_ROUTER)}, certs, tmp_path / name, ssl_context=contexts[served])
        fleets.append(fleet)
        site = fleet[name].site
        assert site is not None
        hosts[name] = dict(
            ansible_connection="local",
            ansible_python_interpreter=str(ANSIBLE_BIN / "python"),
            router_port=site.tls_port,
        )
    connection = dict(hostname="127.0.0.1", port="{{ router_port }}", username=USERNAME, password=PASSWORD, timeout=5)
    task = {
        "name": "converge",
        "hairpin.routeros.services": {
            "services": [{"name": "web", "port": "80", "host": "192.168.88.10"}],
            "public_address": "203.0.113.1",
            "wan_interface": "ether1",
            "lan_interface": "bridge",
        },
        "ignore_errors": True,
        "ignore_unreachable": True,
    }
    play = [
        {
            "name": "system CAs",
            "hosts": "all",
            "gather_facts": False,
            "module_defaults": {"group/hairpin.routeros.api": connection},
            "tasks": [task],
        }
    ]
    monkeypatch.setenv("SSL_CERT_FILE", str(system.path))
    run = run_ansible(play, {"all": {"hosts": hosts}}, tmp_path / "ansible", forks=len(hosts))
    results = host_results(run, "converge")
    for name, served in routers.items():
        fleet = next(f for f in fleets if name in f.hosts)
        result = results[name]
        if served == "trusted":
            assert not (result.get("failed") or result.get("unreachable")), result.get("msg")
            assert owned(fleet[name].nat()), name
        else:
            assert "is not signed by a CA we trust" in str(result.get("msg")), result
            assert fleet[name].site.stats.logins == 0

"""hairpin.routeros.nat and hairpin.routeros.services on the controller run in Ansible's worker, and
return what the module returns.

The action plugin runs the module's engine in the worker when the task runs on the controller,
and runs the module as usual anywhere else. To compare the two paths on one machine, a test
connection plugin (`elsewhere`) behaves like `local` but does not call itself local, so the
action plugin treats its host as another host and runs the module there.

Whether a module process ran is observed through the interpreter: a host whose
ansible_python_interpreter does not exist can run no module, so a task that succeeds there ran in
the worker.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from typing import Any

import pytest
from support import PASSWORD, PlaybookRun, SimRouter, run_playbook

ELSEWHERE_CONNECTION = '''
from __future__ import annotations

DOCUMENTATION = """
    name: elsewhere
    short_description: the local connection, posing as a connection to another host (tests only)
    description: Runs commands on the controller like ansible.builtin.local.
    author: hairpin maintainers
    options:
        become_success_timeout:
            type: int
            default: 10
            description: As for ansible.builtin.local.
        become_strip_preamble:
            type: bool
            default: true
            description: As for ansible.builtin.local.
    extends_documentation_fragment:
        - connection_pipelining
"""

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    transport = "elsewhere"
'''

NO_INTERPRETER = "/nonexistent/hairpin-test/python"

CONVERGE = {
    "port_forwards": [{"name": "web", "port": "80", "host": "192.168.1.2", "public_address": "203.0.113.1"}],
    "masquerades": [{"out_interface": "ether1"}],
    "auto_hairpin": {"lan_interface": "bridge"},
    "state": "overridden",
}


def nat_task(name: str, **options: Any) -> dict[str, Any]:
    body = copy.deepcopy(CONVERGE)
    body.update(options)
    return {"name": name, "hairpin.routeros.nat": body, "ignore_errors": True}


SERVICES = {
    "services": [{"name": "web", "port": "8080", "host": "192.168.1.2", "host_port": "80"}],
    "public_address": "203.0.113.1",
    "wan_interface": "ether1",
    "lan_interface": "bridge",
}


def services_task(name: str, **options: Any) -> dict[str, Any]:
    return {"name": name, "hairpin.routeros.services": {**copy.deepcopy(SERVICES), **options}, "ignore_errors": True}


# The same calls on both paths: a change, a no-op, check mode with diff, bad options, a bad
# password; then the services module: a change, a no-op with the analysis, bad options.
TASKS = [
    nat_task("converge"),
    nat_task("again"),
    {**nat_task("check", port_forwards=[{**CONVERGE["port_forwards"][0], "port": "8080"}]), "check_mode": True},
    nat_task("unknown option", colour="blue"),
    nat_task("missing name", port_forwards=[{"port": "80", "host": "192.168.1.2"}]),
    nat_task("bad choice", state="sideways"),
    {**nat_task("wrong password"), "module_defaults": {"hairpin.routeros.nat": {"password": "not-" + PASSWORD}}},
    services_task("services converge"),
    services_task("services again", analyze=True),
    services_task("services problems", services=[{"name": "web", "port": "0", "host": "192.168.1.300"}]),
    services_task("services bad choice", mode="sideways"),
    # Every other module of the collection: its own action plugin, the same code path.
    {
        "name": "port_forward",
        "hairpin.routeros.port_forward": {
            "config": [
                {
                    "name": "ssh",
                    "port": "2222",
                    "host": "192.168.1.5",
                    "host_port": "22",
                    "public_address": "203.0.113.1",
                }
            ],
        },
        "ignore_errors": True,
    },
    {"name": "masquerade", "hairpin.routeros.masquerade": {"config": [{}]}, "ignore_errors": True},
    {
        "name": "hairpin_nat",
        "hairpin.routeros.hairpin_nat": {
            "config": [{"name": "ssh", "host": "192.168.1.5", "host_port": "22", "lan_interface": "bridge"}],
        },
        "ignore_errors": True,
    },
    {
        "name": "dns_static",
        "hairpin.routeros.dns_static": {"config": [{"name": "www.example.net", "address": "192.168.1.2"}]},
        "ignore_errors": True,
    },
    {"name": "nat_info", "hairpin.routeros.nat_info": {}, "ignore_errors": True},
    {"name": "nat_analyze", "hairpin.routeros.nat_analyze": {"public_address": "203.0.113.1"}, "ignore_errors": True},
]


def run(
    router: SimRouter, tasks: list[dict[str, Any]], connection: str, interpreter: str, **kwargs: Any
) -> PlaybookRun:
    plugins = router.tmp / "connection_plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "elsewhere.py").write_text(ELSEWHERE_CONNECTION)
    play = [
        {
            "name": "in worker or as a module",
            "hosts": "router",
            "gather_facts": False,
            "module_defaults": {"group/hairpin.routeros.api": router.connection_vars()},
            "tasks": tasks,
        }
    ]
    inventory = f"router ansible_connection={connection} ansible_python_interpreter={interpreter}\n"
    return run_playbook(play, router.tmp, inventory=inventory, **kwargs)


REVERT_NAME = re.compile(r"hairpin-revert-[0-9a-f]{8}")
REVERT_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def comparable(run: PlaybookRun, router: SimRouter) -> dict[str, Any]:
    """Each task's result as the user sees it, with what differs between two simulators (the port,
    the directory of the test, the armed revert's random name and router time) made equal."""

    def same(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: same(item) for key, item in value.items()}
        if isinstance(value, list):
            return [same(item) for item in value]
        if isinstance(value, str):
            value = REVERT_NAME.sub("hairpin-revert-NAME", REVERT_TIME.sub("DATE TIME", value))
            return value.replace(str(router.tmp), "TMP").replace(str(router.tls_port), "PORT")
        return "PORT" if value == router.tls_port and not isinstance(value, bool) else value

    return {task["name"]: same(run.result(task["name"])) for task in TASKS}


def test_in_worker_result_equals_the_module_result(start_router, monkeypatch: pytest.MonkeyPatch) -> None:
    # The invocation (the options, password masked) is compared too.
    monkeypatch.setenv("ANSIBLE_INJECT_INVOCATION", "1")
    worker_router, module_router = start_router(name="worker"), start_router(name="module")

    in_worker = run(worker_router, TASKS, "local", NO_INTERPRETER, diff=True)
    as_module = run(module_router, TASKS, "elsewhere", sys.executable, diff=True)

    assert in_worker.output and as_module.output, in_worker.stderr + as_module.stderr
    worker_results, module_results = comparable(in_worker, worker_router), comparable(as_module, module_router)
    assert worker_results == module_results
    # What the comparison covered: a change with diff, a no-op, check mode, three kinds of bad
    # options and a refused login, none of them leaking the password.
    assert worker_results["converge"]["changed"] is True
    assert "diff" in worker_results["converge"]
    assert worker_results["again"]["changed"] is False
    assert worker_results["check"]["changed"] is True
    assert "Unsupported parameters for (hairpin.routeros.nat) module: colour" in worker_results["unknown option"]["msg"]
    assert "missing required arguments: name found in port_forwards" in worker_results["missing name"]["msg"]
    assert "value of state must be one of" in worker_results["bad choice"]["msg"]
    assert "refused the login" in worker_results["wrong password"]["msg"]
    assert worker_results["services converge"]["changed"] is True
    assert worker_results["services again"]["changed"] is False
    assert worker_results["services again"]["analysis"]["findings"] == []
    assert worker_results["services problems"]["problems"] == [
        "host '127.0.0.1': service 'web': field 'port': 0 is not a port (1-65535)",
        "host '127.0.0.1': service 'web': field 'host': '192.168.1.300' is not an IPv4 address",
    ]
    assert "value of mode must be one of" in worker_results["services bad choice"]["msg"]
    assert worker_results["port_forward"]["changed"] is True, worker_results["port_forward"]
    assert "one of the following is required: out_interface, out_interface_list" in worker_results["masquerade"]["msg"]
    assert worker_results["hairpin_nat"]["changed"] is True
    assert worker_results["dns_static"]["changed"] is True
    assert any(rule["owned"] for rule in worker_results["nat_info"]["rules"])
    assert {service["name"] for service in worker_results["nat_analyze"]["services"]} >= {"web", "ssh"}
    invocation = worker_results["converge"]["invocation"]["module_args"]
    assert invocation["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert PASSWORD not in in_worker.stdout + in_worker.stderr
    # Both routers went through the same changes.
    assert worker_router.nat() == module_router.nat()


def test_on_the_controller_no_module_process_runs(stock_router: SimRouter) -> None:
    converged = run(stock_router, [nat_task("converge")], "local", NO_INTERPRETER)
    result = converged.result("converge")
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is True
    assert stock_router.site.stats.connections == 2  # the write's, and the check's


def test_elsewhere_the_module_runs_on_that_host(stock_router: SimRouter) -> None:
    # The same host without a Python: the module cannot run, and the task says why.
    elsewhere = run(stock_router, [nat_task("converge")], "elsewhere", NO_INTERPRETER)
    result = elsewhere.result("converge")
    assert result["failed"] is True
    assert NO_INTERPRETER in json.dumps(result)
    assert stock_router.site.stats.connections == 0


def test_a_task_environment_runs_the_module(stock_router: SimRouter) -> None:
    # The module process would see the environment (e.g. SSL_CERT_FILE); the worker would not.
    task = {**nat_task("converge"), "environment": {"SSL_CERT_FILE": "/nonexistent"}}
    result = run(stock_router, [task], "local", NO_INTERPRETER).result("converge")
    assert result["failed"] is True
    assert NO_INTERPRETER in json.dumps(result)


TASK_ARGS_CALLBACK = '''
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Writes the arguments of each result's task, as the main process holds them (tests only)."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_args"
    CALLBACK_NEEDS_ENABLED = True

    def v2_runner_on_ok(self, result):
        self._keep(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._keep(result)

    def _keep(self, result):
        with open(os.environ["TASK_ARGS_FILE"], "a", encoding="utf-8") as out:
            out.write(json.dumps(dict(result._task.args), default=str) + "\\n")
'''


@pytest.mark.parametrize("connection", ["local", "elsewhere"])
def test_options_read_from_variables_reach_the_engine_but_not_the_task_callbacks_see(
    stock_router: SimRouter, connection: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The role's task is `services: {from_variables: hairpin}`: the action plugin reads the
    # options from the host's variables. Callbacks (and AWX's job events) see the task's
    # arguments as the main process holds them after the result came back from the worker:
    # those must stay the task's own, without the password and the fleet's service lists.
    plugins = stock_router.tmp / "callback_plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "task_args.py").write_text(TASK_ARGS_CALLBACK)
    seen = stock_router.tmp / "task_args.jsonl"
    monkeypatch.setenv("ANSIBLE_CALLBACK_PLUGINS", str(plugins))
    monkeypatch.setenv("ANSIBLE_CALLBACKS_ENABLED", "task_args")
    monkeypatch.setenv("TASK_ARGS_FILE", str(seen))
    variables = {"hairpin_" + name: value for name, value in SERVICES.items()}
    connection_vars = stock_router.connection_vars()
    variables["ansible_host"] = connection_vars.pop("hostname")
    variables.update({"hairpin_api_" + name: value for name, value in connection_vars.items()})
    task = {"name": "role task", "hairpin.routeros.services": {"from_variables": "hairpin"}, "ignore_errors": True}
    play = [{"name": "the role's task", "hosts": "router", "gather_facts": False, "vars": variables, "tasks": [task]}]
    interpreter = NO_INTERPRETER if connection == "local" else sys.executable
    inventory = f"router ansible_connection={connection} ansible_python_interpreter={interpreter}\n"
    if connection == "elsewhere":
        connection_plugins = stock_router.tmp / "connection_plugins"
        connection_plugins.mkdir(exist_ok=True)
        (connection_plugins / "elsewhere.py").write_text(ELSEWHERE_CONNECTION)
    converged = run_playbook(play, stock_router.tmp, inventory=inventory)
    result = converged.result("role task")
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is True
    assert stock_router.site.stats.connections >= 1
    assert [json.loads(line) for line in seen.read_text().splitlines()] == [{"from_variables": "hairpin"}]

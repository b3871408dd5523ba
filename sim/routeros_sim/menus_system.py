"""The system menus a router runs things with: ``/system script``, ``/system scheduler``,
``/system clock`` and the ``/log`` they write to."""

from __future__ import annotations

from .menu_types import (
    ACTION_COMMANDS,
    LIST_COMMANDS,
    ORDERED_COMMANDS,
    READ_ONLY_COMMANDS,
    SHOW_ALWAYS,
    SINGLETON_COMMANDS,
    Menu,
    Prop,
    Unique,
    always,
    flag,
)

#: The policies a script or scheduler entry gets when none are given (RouterOS 7's list).
DEFAULT_POLICY = "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon"
POLICIES = (
    *("ftp", "reboot", "read", "write", "policy", "test"),
    *("password", "sniff", "sensitive", "romon", "api", "dude"),
)

SYSTEM_SCRIPT = Menu(
    "/system/script",
    commands=(LIST_COMMANDS - {"enable", "disable"}) | ACTION_COMMANDS,
    named=True,
    loose=True,
    unique=(Unique(("name",), "failure: already have script with such name"),),
    props=(
        Prop("name", "name"),
        Prop("owner", "name", default="admin", show=SHOW_ALWAYS),
        Prop("policy", "enum", default=DEFAULT_POLICY, show=SHOW_ALWAYS, choices=POLICIES, multi=True),
        always("dont-require-permissions", "bool", "false"),
        Prop("last-started", read_only=True),
        Prop("run-count", "int", default="0", show=SHOW_ALWAYS, read_only=True),
        always("source", "str", ""),
        flag("invalid", computed=True),
        Prop("comment", "str"),
    ),
)

SYSTEM_SCHEDULER = Menu(
    "/system/scheduler",
    commands=ORDERED_COMMANDS,
    ordered=True,
    named=True,
    loose=True,
    unique=(Unique(("name",), "failure: already have scheduler with such name"),),
    props=(
        Prop("name", "name"),
        # The date form follows the version (``jan/01/1970`` before 7.10); the router rewrites it.
        Prop("start-date", "str", default="1970-01-01", show=SHOW_ALWAYS),
        Prop("start-time", "str", default="startup", show=SHOW_ALWAYS),
        always("interval", "time", "0s"),
        Prop("owner", "name", default="admin", show=SHOW_ALWAYS, read_only=True),
        Prop("policy", "enum", default=DEFAULT_POLICY, show=SHOW_ALWAYS, choices=POLICIES, multi=True),
        Prop("run-count", "int", default="0", show=SHOW_ALWAYS, read_only=True),
        Prop("next-run", read_only=True),
        always("on-event", "str", ""),
        always("disabled", "bool", "false"),
        Prop("comment", "str"),
    ),
)

SYSTEM_CLOCK = Menu(
    "/system/clock",
    commands=SINGLETON_COMMANDS,
    singleton=True,
    loose=True,
    props=(
        Prop("time", read_only=True, computed=True),
        Prop("date", read_only=True, computed=True),
        always("time-zone-autodetect", "bool", "true"),
        always("time-zone-name", "str", "manual"),
    ),
)

LOG = Menu(
    "/log",
    commands=READ_ONLY_COMMANDS,
    props=(
        Prop("time", read_only=True),
        Prop("topics", read_only=True),
        Prop("message", read_only=True),
    ),
)

"""RouterOS script / ``/export`` text: parse it, run it against a Router, and render a Router as it.

One module per job: :mod:`.rsc_quote` (escapes, quoting, wrapped command lines), :mod:`.rsc_parse`
(tokenizer and parser), :mod:`.rsc_run` (running a script through ``Router.execute``) and
:mod:`.rsc_export` (``/export`` text). This module gathers their public names.
"""

from __future__ import annotations

from .rsc_export import export, header_version
from .rsc_parse import Command, Condition, Find, ScriptError, parse_script
from .rsc_quote import LINE_WIDTH, escape, quote, render_command
from .rsc_run import ScriptResult, load_export, run_script

__all__ = [
    "LINE_WIDTH",
    "Command",
    "Condition",
    "Find",
    "ScriptError",
    "ScriptResult",
    "escape",
    "export",
    "header_version",
    "load_export",
    "parse_script",
    "quote",
    "render_command",
    "run_script",
]

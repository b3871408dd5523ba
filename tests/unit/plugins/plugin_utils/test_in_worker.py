# Copyright (c) 2026, hairpin maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The in-worker module result hides the no_log values exactly as AnsibleModule does."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ansible.module_utils.common.parameters import remove_values
from ansible_collections.hairpin.routeros.plugins.plugin_utils.in_worker import masked, run_in_worker
from hypothesis import given, settings
from hypothesis import strategies as st

PASSWORD = "s3cret-Pa55"


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (True == 1 and [1] == [1.0] do not count)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


_SECRETS = st.lists(
    st.sampled_from([PASSWORD, "1", "2.5", "e", "None", "True", "a", "", "\u00e9t\u00e9", "Pa55"]), max_size=3
)
_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from([PASSWORD, "x" + PASSWORD + "y", "pass: " + PASSWORD, "Pa55", "true", "12"]),
)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 300), st.floats(allow_nan=False, width=32), _TEXT)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),  # other types go to remove_values itself
        st.dictionaries(st.text(max_size=6), inner, max_size=3).map(OrderedDict),
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(value=_VALUES, secrets=_SECRETS)
def test_masked_is_remove_values(value, secrets):
    assert same(masked(value, set(secrets)), remove_values(value, set(secrets)))


def test_masked_copies_the_containers_as_remove_values_does():
    rows = [{"comment": "web"}]
    result = {"before": rows}
    copy = masked(result, {PASSWORD})
    assert copy == result and copy is not result and copy["before"] is not rows and copy["before"][0] is not rows[0]


def test_the_password_never_reaches_the_result():
    spec = {
        "argument_spec": {
            "hostname": {"type": "str"},
            "password": {"type": "str", "no_log": True},
            "port_forwards": {"type": "list", "elements": "dict"},
        }
    }
    args = {"hostname": "192.0.2.1", "password": PASSWORD, "port_forwards": [{"name": "web", "comment": None}]}

    def run(module):
        module.warn("could not log in with " + PASSWORD)
        module.fail_json(msg=f"login of admin/{PASSWORD} refused", commands=["comment=" + PASSWORD], port=8729)

    result = run_in_worker("nat", spec, args, run, check_mode=False, diff=False, inject_invocation=True)
    assert PASSWORD not in repr(result)
    assert result["msg"] == "login of admin/******** refused"
    assert result["commands"] == ["comment=********"]
    assert result["warnings"] == ["could not log in with ********"]
    assert result["invocation"]["module_args"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert result["invocation"]["module_args"]["port_forwards"] == [{"name": "web", "comment": None}]
    assert result["port"] == 8729 and result["failed"] is True

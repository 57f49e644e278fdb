"""httpx as a process that imports helpers has it: without httpx's command-line client (helpers/__init__.py).

05's later session (notebooks/later_session.py) is such a process: a new Python that imports helpers first.
"""

from __future__ import annotations

import importlib.util

import pytest

from tests.processes import in_a_fresh_process


def test_importing_helpers_first_keeps_httpx_command_line_client_out_and_httpx_sends():
    code = (
        "import sys, helpers, httpx\n"
        "r = httpx.Client(transport=httpx.MockTransport(lambda q: httpx.Response(204))).get('http://x/')\n"
        "print(r.status_code, sorted(m for m in ('httpx._main', 'click', 'rich') if sys.modules.get(m)))"
    )
    assert in_a_fresh_process(code) == "204 []"


@pytest.mark.skipif(
    not all(importlib.util.find_spec(name) for name in ("rich", "click")), reason="httpx's client needs rich and click"
)
def test_where_httpx_was_imported_first_nothing_is_changed():
    code = "import httpx._main, helpers, sys\nprint(sys.modules['httpx._main'] is httpx._main)"
    assert in_a_fresh_process(code) == "True"

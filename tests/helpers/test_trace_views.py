"""The trace as a learner reads it: one line per exchange, the sequence diagram, and TraceViewer's output."""

from __future__ import annotations

import httpx
from IPython.core.formatters import DisplayFormatter

from helpers.trace import Trace, traced_client
from helpers.trace_views import TraceViewer, describe_exchanges, party_of
from tests.processes import in_a_fresh_process

from .fakes import ACCESS, BASE, CODE, KEY, VERIFIER, assert_no_secret


def traced_calls() -> Trace:
    trace = Trace()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/provider/token":
            return httpx.Response(200, json={"access_token": ACCESS, "token_type": "Bearer"})
        if request.url.path.endswith("/find"):
            return httpx.Response(404, json={"error": {"message": "No such secret"}})
        return httpx.Response(200, json={})

    with traced_client(trace, transport=httpx.MockTransport(answer)) as http:
        http.post(f"{BASE}/dashboard/api/oauth_state", json={"state": ""}, headers={"Authorization": f"Bearer {KEY}"})
        http.post(f"{BASE}/provider/token", data={"code": CODE, "code_verifier": VERIFIER})
        http.get(f"{BASE}/stripe/v1/apps/secrets/find?scope[type]=user&name=oauth_token")
        http.get("https://api.example.com/v1/me")
    return trace


def test_describe_exchanges_one_line_each():
    assert describe_exchanges(traced_calls().exchanges) == "\n".join(
        [
            "1. POST /dashboard/api/oauth_state → 200 (Dashboard)",
            "2. POST /provider/token → 200 (Provider)",
            "3. GET /stripe/v1/apps/secrets/find → 404 (Stripe API)",
            "4. GET /v1/me → 200 (Server)",
        ]
    )
    assert describe_exchanges(()) == "(none)"


def test_party_of():
    assert party_of(f"{BASE}/provider/token") == "Provider"
    assert party_of(f"{BASE}/.well-known/oauth-authorization-server/provider") == "Provider"
    assert party_of(f"{BASE}/providers/x") == "Server"
    assert party_of(f"{BASE}/stripe/v1/apps/secrets") == "Stripe API"
    assert party_of("https://elsewhere.example/x") == "Server"


def test_the_trace_viewer_shows_the_exchanges_redacted_as_the_cells_output():
    trace = traced_calls()
    # What IPython puts in the cell's output (and the saved notebook): HTML, and a short text form.
    data, _ = DisplayFormatter().format(TraceViewer(trace))
    assert data["text/plain"] == "TraceViewer(4 exchanges)"
    html = data["text/html"]
    assert "HTTP trace: 4 exchange(s)" in html and html.count("<details>") == 4
    assert "<summary>2. POST Provider → 200</summary>" in html
    assert "<code>https://api.example.com/v1/me</code>" in html and "scope[type]" not in html.split("<details>")[0]
    assert_no_secret(html)


def test_the_trace_viewer_shown_again_shows_the_trace_as_it_is_then():
    trace = traced_calls()
    viewer = TraceViewer(trace)
    trace.clear()
    assert "HTTP trace: 0 exchange(s)" in viewer._repr_html_() and repr(viewer) == "TraceViewer(0 exchanges)"


def test_a_notebook_that_shows_only_the_trace_loads_no_ipywidgets():
    """About 45 ms of each such kernel (01, 04, 07, 08), and its memory (issue 22)."""
    code = (
        "import sys, helpers.trace_views as t, helpers.secret_panel as s, helpers.trace as tr;"
        "t.TraceViewer(tr.Trace())._repr_html_(); s.SecretPanel([], 'x')._repr_html_();"
        "print('ipywidgets' in sys.modules)"
    )
    assert in_a_fresh_process(code).split() == ["False"]

"""DashboardClient: the two Dashboard calls over HTTP, and how their failures read."""

import json

import httpx
import pytest

from helpers.context import (
    OAuthContext,
    OAuthState,
)
from helpers.dashboard_client import DashboardClient
from helpers.errors import DashboardError

BASE = "http://127.0.0.1:9/dashboard"
KEY = "sk_test_51HxYzAbCdEfGhIjKlMnOpa1b2"
CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
GRANTED = {"code": CODE, "verifier": VERIFIER, "state": "my-state", "error": None}


def test_create_oauth_state(serve):
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    http, script = serve(httpx.Response(200, json={"state": "st_1", "challenge": challenge}))
    dashboard = DashboardClient(BASE + "/", KEY, http)
    assert dashboard.create_oauth_state() == OAuthState("st_1", challenge)
    request = script.last
    assert (request.method, str(request.url)) == ("POST", f"{BASE}/api/oauth_state")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"state": ""}


def test_create_oauth_state_with_custom_state(serve):
    http, script = serve(httpx.Response(200, json={"state": "st_2", "challenge": "c"}))
    DashboardClient(BASE, KEY, http).create_oauth_state("return-to=/settings")
    assert json.loads(script.last.content) == {"state": "return-to=/settings"}


def test_create_oauth_state_with_an_odd_answer(serve):
    http, _ = serve(httpx.Response(200, json={"state": "st_1"}))
    with pytest.raises(DashboardError, match="lacks state or challenge") as caught:
        DashboardClient(BASE, KEY, http).create_oauth_state()
    assert "Check base_url" in caught.value.hint


def test_take_oauth_context(serve):
    denied = {**GRANTED, "code": None, "verifier": None, "error": "access_denied"}
    http, script = serve(
        httpx.Response(200, json={"oauth_context": None}),
        httpx.Response(200, json={"oauth_context": GRANTED}),
        httpx.Response(200, json={"oauth_context": denied}),
    )
    dashboard = DashboardClient(BASE, KEY, http)
    assert dashboard.take_oauth_context() is None
    assert (script.last.method, str(script.last.url)) == ("GET", f"{BASE}/api/oauth_context")
    assert script.last.headers["authorization"] == f"Bearer {KEY}"
    granted = dashboard.take_oauth_context()
    assert granted == OAuthContext(CODE, VERIFIER, "my-state", None)
    assert granted.ok and granted.code_and_verifier() == (CODE, VERIFIER)
    refused = dashboard.take_oauth_context()
    assert refused == OAuthContext(None, None, "my-state", "access_denied")
    assert not refused.ok


def test_oauth_context_that_is_not_an_object(serve):
    http, _ = serve(httpx.Response(200, json={"oauth_context": "code=abc"}))
    with pytest.raises(DashboardError, match="oauth_context is not an object"):
        DashboardClient(BASE, KEY, http).take_oauth_context()


def test_dashboard_repr_hides_the_key(serve):
    http, _ = serve()
    assert repr(DashboardClient(BASE, KEY, http)) == f"DashboardClient('{BASE}')"


def test_dashboard_error_answer(serve):
    http, _ = serve(
        httpx.Response(401, json={"error": {"type": "authentication_error", "message": f"Unknown API key {KEY}"}})
    )
    with pytest.raises(DashboardError) as caught:
        DashboardClient(BASE, KEY, http).create_oauth_state()
    error = caught.value
    assert error.status_code == 401
    assert error.message == (
        "The Dashboard answered POST /api/oauth_state with HTTP 401: Unknown API key sk_test_…a1b2"
    )
    assert "world.install_app(...)" in error.hint


def test_dashboard_not_found_without_json(serve):
    http, _ = serve(httpx.Response(404, text="<h1>Not Found</h1>"))
    with pytest.raises(DashboardError, match="HTTP 404: no error message") as caught:
        DashboardClient(BASE, KEY, http).take_oauth_context()
    assert "/dashboard" in caught.value.hint


def test_dashboard_success_that_is_not_json(serve):
    http, _ = serve(httpx.Response(200, text="<html>Jupyter</html>"))
    with pytest.raises(DashboardError, match="something other than a JSON object"):
        DashboardClient(BASE, KEY, http).take_oauth_context()


def test_dashboard_unreachable(serve):
    http, _ = serve(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(DashboardError, match="Could not reach the Dashboard at .*ConnectError") as caught:
        DashboardClient(BASE, KEY, http).create_oauth_state()
    assert "sandbox.start()" in caught.value.hint
    assert caught.value.status_code is None

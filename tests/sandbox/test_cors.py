"""The provider's CORS for a Stripe App's `Origin: null`, as the Fetch standard's CORS protocol asks, and its switch.

The browser's side of the same check runs in tests/browser/test_dashboard_iframe.py.
"""

from __future__ import annotations

import contextlib

import pytest

from helpers.cors import CorsError, probe_cors

from .conftest import make_app

NULL = {"Origin": "null"}


def preflight(http, url: str, method: str = "POST", headers: str = "", origin: str = "null"):
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return http.options(url, headers=asked)


@contextlib.contextmanager
def cors_off(world):
    world.set_cors(False)
    try:
        yield
    finally:
        world.set_cors(True)


@pytest.mark.parametrize("path", ["/token", "/revoke"])
def test_a_preflight_to_the_token_and_revocation_endpoints_allows_origin_null(world, http, path):
    response = preflight(http, f"{world.provider_issuer}{path}", "POST", "content-type")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "null"
    assert "POST" in [m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")]
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers  # no cookies asked, none allowed


def test_the_apis_preflight_names_authorization_which_no_wildcard_would_cover(world, http):
    response = preflight(http, f"{world.provider_issuer}/api/me", "GET", "authorization")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"
    assert response.headers["Access-Control-Allow-Origin"] == "null"


def test_a_header_or_method_not_allowed_is_left_out_so_the_browser_refuses(world, http):
    response = preflight(http, f"{world.provider_issuer}/api/me", "DELETE", "authorization, x-debug")
    assert response.status_code == 204
    assert "Access-Control-Allow-Methods" not in response.headers
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"


def test_answers_to_the_app_are_readable_errors_included(world, http):
    app = make_app(world, http)
    context = app.approved_context(http)
    wrong = http.post(
        f"{world.provider_issuer}/token", data=app.token_form(context, code_verifier="x" * 43), headers=NULL
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert wrong.headers["Access-Control-Allow-Origin"] == "null"  # the app can read why
    token = http.post(f"{world.provider_issuer}/token", data=app.token_form(context), headers=NULL)
    assert token.status_code == 200
    assert token.headers["Access-Control-Allow-Origin"] == "null"
    assert "Origin" in token.headers["Vary"]
    me = http.get(
        f"{world.provider_issuer}/api/me",
        headers={**NULL, "Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert me.status_code == 200 and me.headers["Access-Control-Allow-Origin"] == "null"
    unauthorized = http.get(f"{world.provider_issuer}/api/me", headers={**NULL, "Authorization": "Bearer nope"})
    assert unauthorized.status_code == 401
    assert unauthorized.headers["Access-Control-Allow-Origin"] == "null"
    assert unauthorized.headers["Access-Control-Expose-Headers"] == "WWW-Authenticate"
    revoked = http.post(
        f"{world.provider_issuer}/revoke",
        data={"token": token.json()["refresh_token"], "client_id": app.client_id},
        headers=NULL,
    )
    assert revoked.status_code == 200 and revoked.headers["Access-Control-Allow-Origin"] == "null"


def test_only_origin_null_and_only_the_fetched_endpoints(world, http):
    other = preflight(http, f"{world.provider_issuer}/token", origin="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in other.headers
    authorize = preflight(http, f"{world.provider_issuer}/authorize", "GET")
    assert "Access-Control-Allow-Origin" not in authorize.headers
    metadata = http.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server", headers=NULL)
    assert "Access-Control-Allow-Origin" not in metadata.headers
    no_origin = http.post(f"{world.provider_issuer}/token", data={"grant_type": "refresh_token"})
    assert "Access-Control-Allow-Origin" not in no_origin.headers


def test_switched_off_the_provider_answers_as_one_that_knows_no_cors(world, http):
    with cors_off(world):
        answer = preflight(http, f"{world.provider_issuer}/token", "POST", "content-type")
        assert answer.status_code == 200  # Flask's own OPTIONS answer
        assert "POST" in answer.headers["Allow"]
        assert not [name for name in answer.headers if name.lower().startswith("access-control-")]
        post = http.post(f"{world.provider_issuer}/token", data={"grant_type": "refresh_token"}, headers=NULL)
        assert post.status_code == 400  # the request still reached the provider: only reading it is refused
        assert "Access-Control-Allow-Origin" not in post.headers
    assert preflight(http, f"{world.provider_issuer}/token").headers["Access-Control-Allow-Origin"] == "null"


def test_the_switch_takes_on_or_off_only(world, http):
    response = http.post(f"{world.provider_issuer}/sandbox/cors", data={"enabled": "maybe"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_the_kits_browser_check_agrees_with_the_provider_in_both_states(world, http):
    """helpers.cors does what Chromium does (tests/browser/test_dashboard_iframe.py sees Chromium's own words)."""
    token = probe_cors(f"{world.provider_issuer}/token", http=http)
    assert (token.preflighted, token.allow_origin) == (False, "null")  # a form POST with Accept is a simple request
    api = probe_cors(f"{world.provider_issuer}/api/me", method="GET", headers=["Authorization"], http=http)
    assert (api.preflighted, api.allow_origin) == (True, "null")
    with cors_off(world):
        with pytest.raises(CorsError) as refused:
            probe_cors(f"{world.provider_issuer}/token", http=http)
        assert "from origin 'null' has been blocked by CORS policy: No 'Access-Control-Allow-Origin'" in str(
            refused.value
        )
        assert "Access-Control-Allow-Origin: null" in refused.value.hint
        with pytest.raises(CorsError, match="preflight request doesn't pass access control check"):
            probe_cors(f"{world.provider_issuer}/api/me", method="GET", headers=["Authorization"], http=http)
    with pytest.raises(CorsError, match="Method DELETE is not allowed"):
        probe_cors(f"{world.provider_issuer}/api/me", method="DELETE", http=http)

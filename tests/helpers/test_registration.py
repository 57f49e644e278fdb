"""RFC 7591 registration: the request, the answer, each refusal with its hint, and no secret shown."""

from __future__ import annotations

import json

import httpx
import pytest

from helpers.errors import RegistrationError
from helpers.registration import app_registration_request, application_type, from_console, register
from helpers.trace import Trace

ENDPOINT = "https://login.example.com/register"
URIS = [
    "https://dashboard.stripe.com/test/apps-oauth/com.example.app",
    "https://dashboard.stripe.com/apps-oauth/com.example.app",
]
LOOPBACK = "http://127.0.0.1:50123/callback"
MANAGEMENT_TOKEN = "reg_Zx81kQ2mN4pL7vR0tY6wE3"
INITIAL_TOKEN = "iat_Hj5sD8fG1kL4zX7cV0bN2m"


def test_the_request_is_a_public_client_and_web_with_the_dashboards_urls():
    plain = app_registration_request("App", URIS, scope="files.read")
    assert plain["redirect_uris"] == URIS and plain["token_endpoint_auth_method"] == "none"
    assert "application_type" not in plain  # web, the default (OpenID Connect DCR §2)
    # The Dashboard's https URLs beside a loopback one: still a web client, whose URIs are matched exactly.
    mixed = app_registration_request("App", URIS, loopback_uri=LOOPBACK)
    assert mixed["redirect_uris"] == [*URIS, LOOPBACK] and "application_type" not in mixed


@pytest.mark.parametrize(
    "uris, kind",
    [
        ([LOOPBACK], "native"),
        (["http://localhost:8000/cb", "http://[::1]:9/cb"], "native"),
        (["com.example.app:/oauth2redirect"], "native"),
        ([LOOPBACK, "com.example.app:/cb"], "native"),
        ([LOOPBACK, URIS[0]], "web"),
        (["https://127.0.0.1/cb"], "web"),  # https on the loopback address is no loopback URL of §2
        (["http://example.com/cb"], "web"),
        ([], "web"),
    ],
)
def test_native_only_when_every_redirect_uri_is_loopback_or_custom_scheme(uris, kind):
    assert application_type(uris) == kind
    request = app_registration_request("App", uris)
    assert request.get("application_type", "web") == kind


def test_the_answer_gives_the_client_id_and_hides_the_management_token(serve):
    trace = Trace()
    answer = {"client_id": "client-1", "redirect_uris": URIS, "registration_access_token": MANAGEMENT_TOKEN}
    http, script = serve(httpx.Response(201, json=answer), trace=trace)
    registration = register(ENDPOINT, app_registration_request("App", URIS), http=http)
    assert json.loads(script.last.content)["redirect_uris"] == URIS
    assert registration.client_id == "client-1" and registration.redirect_uris == tuple(URIS)
    assert repr(registration).startswith("Registration(client_id=client-1, redirect_uris=[")
    assert MANAGEMENT_TOKEN not in repr(registration.shown())
    assert MANAGEMENT_TOKEN not in trace.render_text(headers=None)


def test_an_initial_access_token_is_sent_as_bearer_and_never_shown(serve):
    trace = Trace()
    http, script = serve(httpx.Response(201, json={"client_id": "c"}), trace=trace)
    register(ENDPOINT, app_registration_request("App", URIS), http=http, initial_access_token=INITIAL_TOKEN)
    assert script.last.headers["authorization"] == f"Bearer {INITIAL_TOKEN}"
    assert INITIAL_TOKEN not in trace.render_text(headers=None)


@pytest.mark.parametrize(
    "answer, says, hint",
    [
        (httpx.Response(401), "without authorization (HTTP 401)", "initial access token"),
        (
            httpx.Response(400, json={"error": "invalid_redirect_uri", "error_description": "http not allowed"}),
            "invalid_redirect_uri (http not allowed)",
            "Register exactly the Dashboard's two URLs",
        ),
        (httpx.Response(400, json={"error": "invalid_client_metadata"}), "invalid_client_metadata", "client secret"),
        (httpx.Response(404, text="Not Found"), "(HTTP 404)", "developer console"),
        (httpx.Response(201, json={"client_secret": "x"}), "without a client_id", "RFC 7591"),
        (httpx.Response(201, json={"client_id": "c", "redirect_uris": URIS[:1]}), URIS[1], "console"),
        (httpx.ConnectError("refused"), "Could not reach", "registration_endpoint"),
    ],
)
def test_each_refusal_says_what_to_do(serve, answer, says, hint):
    http, _ = serve(answer)
    with pytest.raises(RegistrationError) as raised:
        register(ENDPOINT, app_registration_request("App", URIS), http=http)
    assert says in raised.value.message and hint in raised.value.hint


def test_a_provider_without_a_registration_endpoint_points_to_its_console(serve):
    http, script = serve()
    with pytest.raises(RegistrationError) as raised:
        register(None, app_registration_request("App", URIS), http=http)
    assert "no registration endpoint" in raised.value.message and "console" in raised.value.hint
    assert script.requests == []


def test_a_refusal_in_no_rfc_7591_shape_shows_what_the_body_says(serve):
    http, _ = serve(httpx.Response(400, html="<html><title>Bad Request</title><p>redirect_uris rejected</p></html>"))
    with pytest.raises(RegistrationError) as refused:
        register(ENDPOINT, app_registration_request("App", URIS), http=http)
    assert "(HTTP 400), saying: Bad Request: redirect_uris rejected" in refused.value.message


def test_a_refused_initial_access_token_is_told_apart_from_none(serve):
    http, _ = serve(httpx.Response(401, json={"error": "invalid_token"}), httpx.Response(401))
    with pytest.raises(RegistrationError) as with_token:
        register(ENDPOINT, app_registration_request("App", URIS), http=http, initial_access_token=INITIAL_TOKEN)
    assert "refused the initial access token" in with_token.value.message and "fresh one" in with_token.value.hint
    assert INITIAL_TOKEN not in str(with_token.value)
    with pytest.raises(RegistrationError) as without:
        register(ENDPOINT, app_registration_request("App", URIS), http=http)
    assert "initial access token (RFC 7591 §3)" in without.value.hint


def test_a_console_registration_reads_like_an_rfc_7591_one():
    registration = from_console("  0oa1b2c3d4  ", [*URIS, LOOPBACK])
    assert registration.client_id == "0oa1b2c3d4" and registration.redirect_uris == (*URIS, LOOPBACK)
    assert repr(registration).startswith("Registration(client_id=0oa1b2c3d4, redirect_uris=[https://dashboard")
    with pytest.raises(RegistrationError, match="No client id was given") as refused:
        from_console(" ", URIS)
    assert "console" in refused.value.hint

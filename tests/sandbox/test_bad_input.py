"""Every failure a learner (or an attacker) can cause, with the exact error it gets and proof that nothing changed.

"Nothing changed" is checked on the sandbox's own SQLite file: the tables a
failed request must not touch are the same before and after.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import stripe

from tests.processes import sandbox_log

from .conftest import age, make_app, new_user, register_client


def snapshot(world, *tables: str) -> dict:
    db = sqlite3.connect(f"file:{world.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        return {t: sorted(tuple(r) for r in db.execute(f"SELECT * FROM {t}")) for t in tables}
    finally:
        db.close()


def oauth_error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]


# --- the token endpoint -----------------------------------------------------------------------


def test_wrong_verifier(app, http):
    context = app.approved_context(http)
    before = snapshot(app.world, "tokens", "auth_codes")
    wrong = context["verifier"][:-1] + ("A" if context["verifier"][-1] != "A" else "B")
    response = app.token_request(http, context, code_verifier=wrong)
    assert oauth_error(response) == (400, "invalid_grant")
    assert response.json()["error_description"] == "Code challenge failed."
    assert snapshot(app.world, "tokens", "auth_codes") == before
    assert app.token_request(http, context).status_code == 200  # the code was not spent


def test_missing_verifier(app, http):
    # A stolen code alone: the grant does not match (RFC 7636 4.6), so invalid_grant, not invalid_request.
    context = app.approved_context(http)
    before = snapshot(app.world, "tokens", "auth_codes")
    response = app.token_request(http, context, code_verifier=None)
    assert oauth_error(response) == (400, "invalid_grant")
    assert "Missing 'code_verifier'" in response.json()["error_description"]
    assert snapshot(app.world, "tokens", "auth_codes") == before
    assert app.token_request(http, context).status_code == 200  # the rightful app still can


def test_attackers_code_with_the_victims_verifier(app, http):
    # Login CSRF that got past the state check: the attacker's code is bound to the attacker's challenge.
    attacker, _ = app.link(http)
    stolen = app.world.consent(attacker, follow=False)
    assert stolen.outcome == "not_followed"
    code = parse_qs(urlsplit(stolen.redirect_url).query)["code"][0]
    victim = app.approved_context(http)
    before = snapshot(app.world, "tokens")
    response = app.token_request(http, {"code": code, "verifier": victim["verifier"]})
    assert oauth_error(response) == (400, "invalid_grant")
    assert response.json()["error_description"] == "Code challenge failed."
    assert snapshot(app.world, "tokens") == before


def test_replayed_code_is_refused_and_revokes_its_tokens(app, http):
    context = app.approved_context(http)
    token = app.token_request(http, context).json()
    me = f"{app.world.provider_issuer}/api/me"
    assert http.get(me, headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 200
    count = len(snapshot(app.world, "tokens")["tokens"])
    replay = app.token_request(http, context)
    assert oauth_error(replay) == (400, "invalid_grant")
    assert "already used" in replay.json()["error_description"]
    assert len(snapshot(app.world, "tokens")["tokens"]) == count  # nothing new issued
    assert http.get(me, headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 401


def test_expired_code(app, http):
    context = app.approved_context(http)
    age(app.world, "auth_codes", "auth_time", 601)
    before = snapshot(app.world, "tokens")
    response = app.token_request(http, context)
    assert oauth_error(response) == (400, "invalid_grant")
    assert "expired" in response.json()["error_description"]
    assert snapshot(app.world, "tokens") == before


def test_redirect_uri_mismatch_at_the_token_endpoint(app, http):
    context = app.approved_context(http)
    before = snapshot(app.world, "tokens", "auth_codes")
    response = app.token_request(http, context, redirect_uri=app.redirect_uri.replace("/test/", "/"))
    assert oauth_error(response) == (400, "invalid_grant")
    assert "redirect_uri" in response.json()["error_description"]
    assert snapshot(app.world, "tokens", "auth_codes") == before


def test_token_parameters_in_the_query_string(app, http):
    context = app.approved_context(http)
    before = snapshot(app.world, "tokens", "auth_codes")
    query = app.token_form(context)
    response = http.post(
        f"{app.world.provider_issuer}/token",
        params=query,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert oauth_error(response) == (400, "invalid_request")
    assert "request body" in response.json()["error_description"]
    assert snapshot(app.world, "tokens", "auth_codes") == before
    # The server's access log saw the URL, but with the secrets redacted.
    log = sandbox_log(app.world, re.escape("POST /provider/token?grant_type=authorization_code&code=…"))
    assert "POST /provider/token?grant_type=authorization_code&code=…" in log
    assert context["code"] not in log and context["verifier"] not in log


def test_reused_refresh_token_ends_the_whole_grant(app, http):
    first = app.token_request(http, app.approved_context(http)).json()
    second = app.refresh_request(http, first["refresh_token"]).json()
    assert app.api_status(http, second["access_token"]) == 200
    count = len(snapshot(app.world, "tokens")["tokens"])
    reuse = app.refresh_request(http, first["refresh_token"])
    assert oauth_error(reuse) == (400, "invalid_grant")
    assert "RFC 9700 4.14.2" in reuse.json()["error_description"]
    assert len(snapshot(app.world, "tokens")["tokens"]) == count  # nothing new issued
    # The thief's copy and the app's newer tokens die together.
    assert app.api_status(http, second["access_token"]) == 401
    assert oauth_error(app.refresh_request(http, second["refresh_token"])) == (400, "invalid_grant")


def test_concurrent_refreshes_with_one_refresh_token_give_one_token(app, http):
    token = app.token_request(http, app.approved_context(http)).json()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: app.refresh_request(http, token["refresh_token"]), range(8)))
    assert [a.status_code for a in answers].count(200) == 1
    assert all(oauth_error(a) == (400, "invalid_grant") for a in answers if a.status_code != 200)


def test_refresh_after_revocation_says_revoked(app, http):
    token = app.token_request(http, app.approved_context(http)).json()
    assert (
        http.post(
            f"{app.world.provider_issuer}/revoke", data={"token": token["refresh_token"], "client_id": app.client_id}
        ).status_code
        == 200
    )
    response = app.refresh_request(http, token["refresh_token"])
    assert oauth_error(response) == (400, "invalid_grant")
    assert "grant has ended" in response.json()["error_description"]


def test_expired_refresh_token(app, http):
    token = app.token_request(http, app.approved_context(http)).json()
    app.world.let_time_pass(token["refresh_token"], 30 * 24 * 3600 + 1)
    before = snapshot(app.world, "tokens")
    response = app.refresh_request(http, token["refresh_token"])
    assert oauth_error(response) == (400, "invalid_grant")
    assert "expired" in response.json()["error_description"]
    assert snapshot(app.world, "tokens") == before


def test_refresh_token_of_another_client(world, http):
    app, other = make_app(world, http), make_app(world, http)
    token = app.token_request(http, app.approved_context(http)).json()
    response = other.refresh_request(http, token["refresh_token"])
    assert oauth_error(response) == (400, "invalid_grant")
    assert app.api_status(http, token["access_token"]) == 200  # not a reuse: nothing is revoked


def test_expired_access_token_at_the_api(app, http):
    token = app.token_request(http, app.approved_context(http)).json()
    app.world.let_time_pass(token["access_token"], 3600)
    response = http.get(
        f"{app.world.provider_issuer}/api/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert app.refresh_request(http, token["refresh_token"]).status_code == 200  # refresh still works


@pytest.mark.parametrize(
    "form, status",
    [
        ({"token": "no-such-token", "seconds": "60"}, 404),
        ({"token": "no-such-token", "seconds": "an hour"}, 400),
    ],
)
def test_let_time_pass_bad_input(world, http, form, status):
    response = http.post(f"{world.provider_issuer}/sandbox/let-time-pass", data=form)
    assert response.status_code == status and response.json()["error"] == "invalid_request"


# --- the authorization endpoint ---------------------------------------------------------------


def test_plain_challenge_is_refused_at_the_authorization_endpoint(app, http):
    before = snapshot(app.world, "auth_codes")
    link, state = app.link(http)
    result = app.world.consent(link.replace("code_challenge_method=S256", "code_challenge_method=plain"))
    assert (result.outcome, result.error) == ("handed_over", "invalid_request")
    assert app.take_context(http) == {"code": None, "verifier": None, "state": None, "error": "invalid_request"}
    assert snapshot(app.world, "auth_codes") == before


def test_missing_challenge_is_refused_at_the_authorization_endpoint(app, http):
    before = snapshot(app.world, "auth_codes")
    link, _ = app.link(http)
    stripped = "&".join(p for p in link.split("&") if not p.startswith("code_challenge"))
    result = app.world.consent(stripped)
    assert (result.outcome, result.error) == ("handed_over", "invalid_request")
    assert snapshot(app.world, "auth_codes") == before


@pytest.mark.parametrize(
    "change",
    [
        # A missing method means plain (RFC 7636 4.3): the plain downgrade in disguise.
        lambda link: link.replace("&code_challenge_method=S256", ""),
        # A method without a challenge leaves nothing to check the verifier against.
        lambda link: "&".join(p for p in link.split("&") if not p.startswith("code_challenge=")),
    ],
    ids=["challenge without a method", "method without a challenge"],
)
def test_half_a_pkce_request_is_refused_at_the_authorization_endpoint(app, http, change):
    before = snapshot(app.world, "auth_codes")
    link, _ = app.link(http)
    result = app.world.consent(change(link))
    assert (result.outcome, result.error) == ("handed_over", "invalid_request")
    assert app.take_context(http)["code"] is None
    assert snapshot(app.world, "auth_codes") == before


def test_unregistered_redirect_uri_is_not_redirected_to(app, http):
    before = snapshot(app.world, "auth_codes", "oauth_contexts")
    link, _ = app.link(http, redirect_uri="https://attacker.example/steal")
    result = app.world.consent(link)
    assert (result.outcome, result.error) == ("provider_error", "invalid_request")
    assert snapshot(app.world, "auth_codes", "oauth_contexts") == before


def test_unknown_client(app, http):
    before = snapshot(app.world, "auth_codes", "oauth_contexts")
    link, _ = app.link(http, client_id="no-such-client")
    result = app.world.consent(link)
    assert (result.outcome, result.error) == ("provider_error", "invalid_client")
    assert snapshot(app.world, "auth_codes", "oauth_contexts") == before


def test_deny(app, http):
    before = snapshot(app.world, "auth_codes")
    link, _ = app.link(http)
    result = app.world.consent(link, approve=False)
    assert (result.outcome, result.error) == ("handed_over", "access_denied")
    assert app.take_context(http) == {"code": None, "verifier": None, "state": None, "error": "access_denied"}
    assert snapshot(app.world, "auth_codes") == before


# --- the Dashboard landing --------------------------------------------------------------------


def test_forged_redirect_with_an_attackers_code(app, http):
    # Login CSRF: the attacker approves on their own account, keeps the redirect, and sends the
    # victim to the app's redirect URL with that code and a state the Dashboard never made.
    link, _ = app.link(http)
    stolen = app.world.consent(link, follow=False)
    code = parse_qs(urlsplit(stolen.redirect_url).query)["code"][0]
    before = snapshot(app.world, "oauth_contexts", "oauth_states")
    forged = f"{app.redirect_uri}?{urlencode({'code': code, 'state': 'made-up-by-the-attacker'})}"
    result = app.world.visit(forged)
    assert (result.outcome, result.reason) == ("refused", "unknown_state")
    assert app.take_context(http) is None
    assert snapshot(app.world, "oauth_contexts", "oauth_states") == before


def test_state_mismatch(app, http):
    link, state = app.link(http)
    forged = link.replace(state["state"], "forged-by-an-attacker")
    before = snapshot(app.world, "oauth_contexts", "oauth_states")
    result = app.world.consent(forged)
    # The provider echoes any state; the Dashboard is the one that refuses it.
    assert (result.outcome, result.reason) == ("refused", "unknown_state")
    assert app.take_context(http) is None
    assert snapshot(app.world, "oauth_contexts", "oauth_states") == before


def test_replayed_state(app, http):
    link, _ = app.link(http)
    first = app.world.consent(link)
    assert first.outcome == "handed_over"
    assert app.take_context(http)["code"]
    before = snapshot(app.world, "oauth_contexts")
    again = http.get(first.redirect_url)
    assert again.status_code == 400 and 'data-reason="used_state"' in again.text
    assert app.take_context(http) is None
    assert snapshot(app.world, "oauth_contexts") == before


def test_expired_state(app, http):
    link, _ = app.link(http)
    age(app.world, "oauth_states", "created", 601)
    result = app.world.consent(link)
    assert (result.outcome, result.reason) == ("refused", "expired_state")
    assert app.take_context(http) is None


def test_state_of_another_mode(world, http):
    app = make_app(world, http)
    link, _ = app.link(http, redirect_uri=app.redirect_uri.replace("/test/apps-oauth/", "/apps-oauth/"))
    result = world.consent(link)
    assert (result.outcome, result.reason) == ("refused", "other_mode")
    assert app.take_context(http) is None


# --- the Secret Store -------------------------------------------------------------------------


def secrets_client(app_or_key, world) -> stripe.StripeClient:
    key = app_or_key if isinstance(app_or_key, str) else app_or_key.install.api_key
    return stripe.StripeClient(key, base_addresses={"api": world.stripe_api_base}, max_network_retries=0)


def user_scope(app) -> dict:
    return {"type": "user", "user": app.install.user_id}


def test_unknown_key(app, http):
    before = snapshot(app.world, "secrets")
    client = secrets_client("sk_test_" + "x" * 32, app.world)
    with pytest.raises(stripe.AuthenticationError) as caught:
        client.v1.apps.secrets.create({"name": "t", "payload": "p", "scope": {"type": "account"}})
    assert caught.value.http_status == 401
    assert caught.value.error.type == "invalid_request_error"
    assert "x" * 32 not in str(caught.value)  # the key is redacted in the message
    assert snapshot(app.world, "secrets") == before


def test_missing_secret_write(world, http):
    app = make_app(world, http, permissions=("user_email_read",))
    before = snapshot(world, "secrets")
    with pytest.raises(stripe.PermissionError) as caught:
        secrets_client(app, world).v1.apps.secrets.create({"name": "t", "payload": "p", "scope": user_scope(app)})
    assert caught.value.http_status == 403
    assert "stripe apps grant permission" in caught.value.user_message
    assert snapshot(world, "secrets") == before


def test_payload_of_5001_characters(app, http):
    before = snapshot(app.world, "secrets")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        secrets_client(app, app.world).v1.apps.secrets.create(
            {"name": "t", "payload": "x" * 5001, "scope": user_scope(app)}
        )
    assert (caught.value.http_status, caught.value.error.type, caught.value.param) == (
        400,
        "invalid_request_error",
        "payload",
    )
    assert snapshot(app.world, "secrets") == before
    # 5000 is allowed
    secrets_client(app, app.world).v1.apps.secrets.create(
        {"name": "t", "payload": "x" * 5000, "scope": user_scope(app)}
    )


def test_eleventh_secret(app, http):
    client = secrets_client(app, app.world)
    for i in range(10):
        client.v1.apps.secrets.create({"name": f"s{i}", "payload": "p", "scope": user_scope(app)})
    before = snapshot(app.world, "secrets")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.apps.secrets.create({"name": "s10", "payload": "p", "scope": user_scope(app)})
    assert (caught.value.http_status, caught.value.param) == (400, "name")
    assert "10 secrets" in caught.value.user_message
    assert snapshot(app.world, "secrets") == before
    # replacing one of the ten is still allowed
    client.v1.apps.secrets.create({"name": "s3", "payload": "new", "scope": user_scope(app)})


def test_expires_at_in_the_past(app, http):
    before = snapshot(app.world, "secrets")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        secrets_client(app, app.world).v1.apps.secrets.create(
            {"name": "t", "payload": "p", "scope": user_scope(app), "expires_at": int(time.time()) - 10}
        )
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (
        400,
        "parameter_invalid_integer",
        "expires_at",
    )
    assert snapshot(app.world, "secrets") == before


def test_find_of_a_missing_name(app, http):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        secrets_client(app, app.world).v1.apps.secrets.find({"name": "nope", "scope": user_scope(app)})
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (404, "resource_missing", "name")
    assert caught.value.user_message == "No such secret: 'nope'"


def test_another_users_scope(app, http):
    before = snapshot(app.world, "secrets")
    other = {"type": "user", "user": new_user()}
    with pytest.raises(stripe.PermissionError) as caught:
        secrets_client(app, app.world).v1.apps.secrets.create({"name": "t", "payload": "p", "scope": other})
    assert (caught.value.http_status, caught.value.error.param) == (403, "scope[user]")
    assert snapshot(app.world, "secrets") == before


def test_scope_user_with_account(app, http):
    before = snapshot(app.world, "secrets")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        secrets_client(app, app.world).v1.apps.secrets.create(
            {"name": "t", "payload": "p", "scope": {"type": "account", "user": app.install.user_id}}
        )
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (
        400,
        "parameter_unknown",
        "scope[user]",
    )
    assert snapshot(app.world, "secrets") == before


def test_state_of_another_app(world, http):
    app = make_app(world, http)
    other_app_url = app.redirect_uri.replace(app.install.app_id, "com.example.someone-else")
    client_id = register_client(world, http, [app.redirect_uri, other_app_url])
    link, _ = app.link(http, client_id=client_id, redirect_uri=other_app_url)
    before = snapshot(world, "oauth_contexts")
    result = world.consent(link)
    assert (result.outcome, result.reason) == ("refused", "other_app")
    assert snapshot(world, "oauth_contexts") == before


# --- what strict clients and fuzzers found (issue 11) -----------------------------------------


def test_metadata_at_the_rfc_8414_location_of_an_issuer_with_a_path(world, http):
    # RFC 8414 3.1: for the issuer http://host/provider, the metadata is at
    # http://host/.well-known/oauth-authorization-server/provider (and, as before, under /provider).
    rfc = http.get(f"{world.base_url}/.well-known/oauth-authorization-server/provider")
    assert rfc.status_code == 200 and rfc.headers["content-type"] == "application/json"
    assert rfc.json()["issuer"] == world.provider_issuer
    assert rfc.json() == http.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server").json()


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('"a JSON string"', "application/json"),
        ('{"redirect_uris": [1, 2]}', "application/json"),
        ('{"redirect_uris": "http://127.0.0.1/cb"}', "application/json"),
        ('{"redirect_uris": ["http://127.0.0.1/cb"], "scope": ["account.read"]}', "application/json"),
        ('{"redirect_uris": ["http://127.0.0.1/cb"], "scope": "account.read delete.everything"}', "application/json"),
        ('{"redirect_uris": ["http://127.0.0.1/cb#fragment"]}', "application/json"),
        ('{"redirect_uris": ["not a uri"]}', "application/json"),
        ('{"redirect_uris": ["http://127.0.0.1/cb"], "grant_types": ["password"]}', "application/json"),
        ('{"redirect_uris": ["http://127.0.0.1/cb"], "client_name": {"en": "x"}}', "application/json"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        ("{not json", "application/json"),
        ("redirect_uris=http://127.0.0.1/cb", "application/x-www-form-urlencoded"),
    ],
    ids=[
        "JSON string",
        "numbers as redirect URIs",
        "redirect_uris a string",
        "scope an array",
        "unknown scope",
        "redirect URI with a fragment",
        "redirect URI not a URI",
        "unsupported grant type",
        "client_name an object",
        "deep nesting",
        "not JSON",
        "form body",
    ],
)
def test_malformed_registration_is_invalid_client_metadata(world, http, body, content_type):
    before = snapshot(world, "clients")
    response = http.post(f"{world.provider_issuer}/register", content=body, headers={"Content-Type": content_type})
    assert oauth_error(response) == (400, "invalid_client_metadata")  # RFC 7591 3.2.2
    assert snapshot(world, "clients") == before


def test_registration_echoes_the_defaults_it_applied(world, http):
    # RFC 7591 3.2.1: the response holds all registered metadata, defaults included.
    response = http.post(f"{world.provider_issuer}/register", json={"redirect_uris": ["http://127.0.0.1/cb"]})
    assert response.status_code == 201
    body = response.json()
    assert body["token_endpoint_auth_method"] == "none"
    assert body["grant_types"] == ["authorization_code"] and body["response_types"] == ["code"]
    assert body["scope"] == "account.read files.read"


@pytest.mark.parametrize("repeated", ["client_id", "code", "grant_type", "code_verifier"])
def test_a_repeated_token_parameter_is_invalid_request(app, http, repeated):
    # RFC 6749 3.2: parameters MUST NOT be included more than once; even two different client_ids got a token.
    context = app.approved_context(http)
    form = [
        ("grant_type", "authorization_code"),
        ("code", context["code"]),
        ("code_verifier", context["verifier"]),
        ("client_id", app.client_id),
        ("redirect_uri", app.redirect_uri),
    ]
    other = {"client_id": "another-client", "code": "another-code"}
    form.append((repeated, other.get(repeated, dict(form)[repeated])))
    before = snapshot(app.world, "tokens", "auth_codes")
    response = http.post(
        f"{app.world.provider_issuer}/token",
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert oauth_error(response) == (400, "invalid_request")
    assert snapshot(app.world, "tokens", "auth_codes") == before


@pytest.mark.parametrize("scheme", ["Basic", "Bearer"])
def test_invalid_client_after_an_authorization_header_is_401_with_a_challenge(app, http, scheme):
    # RFC 6749 5.2: a client that tried the Authorization header gets 401 and WWW-Authenticate in its scheme.
    context = app.approved_context(http)
    response = http.post(
        f"{app.world.provider_issuer}/token",
        data={"grant_type": "authorization_code", "code": context["code"], "code_verifier": context["verifier"]},
        headers={"Authorization": f"{scheme} {base64.b64encode(b'someone:secret').decode()}"},
    )
    assert oauth_error(response) == (401, "invalid_client")
    assert response.headers["www-authenticate"] == f'{scheme} realm="provider"'


def test_revocation_ignores_an_unknown_token_type_hint(app, http):
    # RFC 7009 2.1: the hint is a hint; the server searches all its token types.
    token = app.token_request(http, app.approved_context(http)).json()
    response = http.post(
        f"{app.world.provider_issuer}/revoke",
        data={"token": token["access_token"], "token_type_hint": "id_token", "client_id": app.client_id},
    )
    assert response.status_code == 200 and response.json() == {}
    assert app.api_status(http, token["access_token"]) == 401


@pytest.mark.parametrize(
    "authorization, status, challenge",
    [
        (None, 401, 'Bearer realm="provider"'),
        ("Basic dXNlcjpwYXNz", 401, 'Bearer realm="provider"'),
        ("Bearer", 400, 'Bearer realm="provider", error="invalid_request"'),
        ("Bearer two tokens", 400, 'Bearer realm="provider", error="invalid_request"'),
        ("Bearer no-such-token", 401, 'Bearer error="invalid_token"'),
    ],
    ids=["no credentials", "another scheme", "no token", "two tokens", "unknown token"],
)
def test_protected_api_challenges(world, http, authorization, status, challenge):
    # RFC 6750 3.1: no error code without bearer credentials; else invalid_request or invalid_token.
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get(f"{world.provider_issuer}/api/me", headers=headers)
    assert response.status_code == status
    assert response.headers["www-authenticate"].startswith(challenge)


def test_a_proxy_forwarding_plain_http_from_another_host_gets_an_oauth_error(app, http):
    forwarded = {"X-Forwarded-Host": "hub.example.org", "X-Forwarded-Proto": "http"}
    metadata = http.get(f"{app.world.provider_issuer}/.well-known/oauth-authorization-server", headers=forwarded)
    token = app.token_request(http, app.approved_context(http))  # the real one works
    refused = http.post(f"{app.world.provider_issuer}/token", data={"grant_type": "refresh_token"}, headers=forwarded)
    assert token.status_code == 200
    assert oauth_error(metadata) == (400, "invalid_request") and oauth_error(refused) == (400, "invalid_request")
    assert "https" in refused.json()["error_description"]


def test_let_time_pass_refuses_a_number_out_of_range(world, http):
    response = http.post(f"{world.provider_issuer}/sandbox/let-time-pass", data={"token": "t", "seconds": "9" * 18})
    assert oauth_error(response) == (400, "invalid_request")


def test_ending_before_says_has_more_when_more_precede(app, http):
    client = secrets_client(app, app.world)
    for i in range(5):
        client.v1.apps.secrets.create({"name": f"n{i}", "payload": "v", "scope": user_scope(app)})
    everything = client.v1.apps.secrets.list({"scope": user_scope(app), "limit": 5}).data
    last_page = client.v1.apps.secrets.list({"scope": user_scope(app), "limit": 2, "ending_before": everything[-1].id})
    assert [s.id for s in last_page.data] == [s.id for s in everything[2:4]] and last_page.has_more
    first_page = client.v1.apps.secrets.list({"scope": user_scope(app), "limit": 2, "ending_before": everything[2].id})
    assert [s.id for s in first_page.data] == [s.id for s in everything[:2]] and not first_page.has_more


@pytest.mark.parametrize(
    "query, param, code",
    [
        ("limit=0", "limit", "parameter_invalid_integer"),
        ("limit=101", "limit", "parameter_invalid_integer"),
        ("limit=%205%20", "limit", "parameter_invalid_integer"),
        ("limit=1_0", "limit", "parameter_invalid_integer"),
        ("limit=%2B5", "limit", "parameter_invalid_integer"),
        ("limit=%D9%A5", "limit", "parameter_invalid_integer"),  # an Arabic-Indic five, which int() takes
        ("expand[]=data.everything", "expand", None),
        ("expand[]=payload", "expand", None),  # a list expands data.payload
    ],
)
def test_list_parameters_are_checked_as_stripe_does(app, http, query, param, code):
    response = http.get(f"{app.world.stripe_api_base}/v1/apps/secrets?scope[type]=account&{query}", headers=app.auth())
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"], error.get("code")) == ("invalid_request_error", param, code)


def test_unknown_expand_is_refused(app, http):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        secrets_client(app, app.world).v1.apps.secrets.create(
            {"name": "t", "payload": "p", "scope": user_scope(app), "expand": ["owner"]}
        )
    assert (caught.value.http_status, caught.value.param) == (400, "expand")


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/v1/apps/secret"), ("DELETE", "/v1/apps/secrets"), ("PUT", "/v1/apps/secrets/find"), ("GET", "/")],
)
def test_unknown_path_or_method_is_stripes_404(app, http, method, path):
    response = http.request(method, f"{app.world.stripe_api_base}{path}", headers=app.auth())
    assert response.status_code == 404 and "allow" not in response.headers
    assert response.json()["error"] == {
        "type": "invalid_request_error",
        "message": f"Unrecognized request URL ({method}: {path}).",
    }


def test_an_over_long_url_gets_the_envelope(app):
    # Longer than the HTTP server reads (64 KiB), so it answers before the app: httpx refuses to send one.
    with socket.create_connection(("127.0.0.1", app.world.port)) as connection:
        connection.sendall(b"GET /stripe/v1/apps/secrets?name=" + b"x" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414") and b"Content-Type: application/json" in head
    assert json.loads(body)["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/installs", [1, 2]),
        ("/api/installs", "a string"),
        ("/api/installs", 42),
        ("/api/installs", {"user_id": 42, "manifest": {}}),
        ("/api/installs", {"user_id": "usr_1", "mode": ["test"]}),
        ("/api/installs", {"user_id": "usr_1\n", "manifest": {}}),
        ("/api/installs", {"user_id": "usr_1", "manifest": [1]}),
        ("/api/oauth_state", [1]),
        ("/api/oauth_state", {"state": 5}),
    ],
)
def test_dashboard_api_refuses_json_of_the_wrong_shape(app, http, path, body):
    response = http.post(f"{app.world.dashboard_base}{path}", json=body, headers=app.auth())
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "method, path, status",
    [("GET", "/provider/token", 405), ("GET", "/provider/nope", 404), ("PUT", "/dashboard/api/installs", 405)],
)
def test_unknown_paths_and_methods_answer_in_the_stand_ins_json_shape(world, http, method, path, status):
    response = http.request(method, f"{world.base_url}{path}")
    assert response.status_code == status and response.headers["content-type"] == "application/json"
    if path.startswith("/provider"):  # an OAuth error object; a 405 names the methods it takes (RFC 9110 15.5.6)
        assert response.json()["error"] == "invalid_request"
        assert status == 404 or "POST" in response.headers["allow"]
    else:  # the Dashboard's API answers in Stripe's envelope
        assert response.json()["error"]["type"] == "invalid_request_error"

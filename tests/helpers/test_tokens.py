import json
from urllib.parse import parse_qs

import httpx
import pytest

from helpers.context import CheckedOAuthContext, OAuthContext
from helpers.errors import (
    GrantStillLiveWarning,
    OAuthError,
    PKCEError,
    ProviderError,
    TokenError,
    UncheckedContextError,
)
from helpers.pkce import make_verifier
from helpers.provider import Provider
from helpers.tokens import (
    TokenData,
    call_api,
    call_api_at,
    exchange_code,
    exchange_code_at,
    fresh_token,
    refresh,
    refresh_at,
    revoke,
    revoke_at,
    revoke_grants,
)

TOKEN_URL = "http://127.0.0.1:9/provider/oauth/token"
REVOKE_URL = "http://127.0.0.1:9/provider/oauth/revoke"
REDIRECT = "http://127.0.0.1:9/dashboard/test/apps-oauth/com.example.app"
CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"
VERIFIER = make_verifier()
NOW = 1_700_000_000.5
GRANTED = {
    "access_token": "at_Zx81kQ2mN4pL7vR0tY6wE3",
    "token_type": "Bearer",
    "expires_in": 3600,
    "refresh_token": "rt_Hj5sD8fG1kL4zX7cV0bN2m",
    "scope": "files.read",
}


PROVIDER = Provider(
    issuer="http://127.0.0.1:9/provider",
    authorization_endpoint="http://127.0.0.1:9/provider/authorize",
    token_endpoint=TOKEN_URL,
    client_id="kit-client",
    redirect_uri=REDIRECT,
    revocation_endpoint="http://127.0.0.1:9/provider/oauth/revoke",
    api_endpoint="http://127.0.0.1:9/provider/api/me",
)


def form_of(request: httpx.Request) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(request.content.decode()).items()}


def exchange(http, **overrides):
    arguments = dict(code=CODE, verifier=VERIFIER, client_id="kit-client", redirect_uri=REDIRECT, http=http, now=NOW)
    return exchange_code_at(TOKEN_URL, **{**arguments, **overrides})


def test_exchange_sends_a_form_body_and_no_query(serve):
    http, script = serve(httpx.Response(200, json=GRANTED))
    token = exchange(http)
    request = script.last
    assert request.method == "POST"
    assert request.url.query == b""
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["accept"] == "application/json"
    assert form_of(request) == {
        "grant_type": "authorization_code",
        "code": CODE,
        "redirect_uri": REDIRECT,
        "client_id": "kit-client",
        "code_verifier": VERIFIER,
    }
    assert token == TokenData(
        access_token=GRANTED["access_token"],
        token_type="Bearer",
        expires_at=1_700_003_600,
        refresh_token=GRANTED["refresh_token"],
        scope="files.read",
    )


def test_exchange_checks_the_verifier_before_sending(serve):
    http, script = serve()
    with pytest.raises(PKCEError, match="too short"):
        exchange(http, verifier="abc")
    assert script.requests == []


def test_provider_error_becomes_oauth_error_with_hint(serve):
    refusal = {"error": "invalid_grant", "error_description": "Code challenge failed."}
    http, _ = serve(httpx.Response(400, json=refusal))
    with pytest.raises(OAuthError) as caught:
        exchange(http)
    error = caught.value
    assert (error.error, error.error_description, error.status_code) == (
        "invalid_grant",
        "Code challenge failed.",
        400,
    )
    assert "fresh authorization link" in error.hint


def test_error_description_that_quotes_a_secret_is_redacted(serve):
    http, _ = serve(httpx.Response(400, json={"error": "invalid_grant", "error_description": f"Unknown code {CODE}"}))
    with pytest.raises(OAuthError) as caught:
        exchange(http)
    assert CODE not in str(caught.value)
    assert caught.value.error_description == f"Unknown code …{CODE[-4:]}"


def test_error_in_a_200_answer_is_still_an_error(serve):
    http, _ = serve(httpx.Response(200, json={"error": "bad_verification_code"}))
    with pytest.raises(OAuthError) as caught:
        exchange(http)
    assert (caught.value.error, caught.value.status_code) == ("bad_verification_code", 200)


def test_non_json_error_is_a_server_error(serve):
    http, _ = serve(httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}))
    with pytest.raises(OAuthError) as caught:
        exchange(http)
    assert (caught.value.error, caught.value.status_code) == ("server_error", 502)
    assert "without an OAuth error body (text/html), saying: Bad Gateway" in caught.value.message


def test_a_problem_details_answer_is_shown_not_dropped(serve):
    # RFC 9457 problem details, as a framework in front of the token endpoint answers; the code it quotes is hidden.
    problem = {"type": "about:blank", "title": "Forbidden", "detail": f"client blocked while redeeming {CODE}"}
    http, _ = serve(httpx.Response(403, json=problem, headers={"content-type": "application/problem+json"}))
    with pytest.raises(OAuthError) as caught:
        exchange(http)
    assert "saying: Forbidden: client blocked while redeeming …" in caught.value.message
    assert CODE not in str(caught.value)


def test_an_api_that_refuses_without_rfc_6750_says_what_its_body_says(serve):
    http, _ = serve(httpx.Response(500, json={"message": "database unavailable"}))
    with pytest.raises(OAuthError) as caught:
        call_api_at("http://127.0.0.1:9/api/me", access_token="at_Zx81kQ2mN4pL7vR0tY6wE3", http=http)
    assert caught.value.error == "server_error" and caught.value.error_description == "database unavailable"


def test_non_json_success_is_a_server_error(serve):
    http, _ = serve(httpx.Response(200, text="OK"))
    with pytest.raises(OAuthError, match="answered but not with a JSON object") as caught:
        exchange(http)
    assert caught.value.error == "server_error"


def test_connection_failure_says_so_and_names_the_sandbox_as_one_case(serve):
    http, _ = serve(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(OAuthError) as caught:
        exchange(http)
    error = caught.value
    assert error.error == "connection_error" and error.status_code is None
    assert f"could not reach {TOKEN_URL} (ConnectError" in error.message
    assert "If the provider is the kit's sandbox, sandbox.start()" in error.hint
    assert error.__suppress_context__


def test_token_response_without_access_token(serve):
    http, _ = serve(httpx.Response(200, json={"token_type": "Bearer"}))
    with pytest.raises(TokenError, match="The token response has no access_token"):
        exchange(http)


def test_refresh_sends_a_form_body_and_keeps_the_old_refresh_token(serve):
    answer = {key: value for key, value in GRANTED.items() if key != "refresh_token"}
    http, script = serve(httpx.Response(200, json=answer))
    token = refresh_at(TOKEN_URL, refresh_token="rt_old_0123456789abcdef", client_id="kit-client", http=http, now=NOW)
    assert form_of(script.last) == {
        "grant_type": "refresh_token",
        "refresh_token": "rt_old_0123456789abcdef",
        "client_id": "kit-client",
    }
    assert script.last.url.query == b""
    assert token.refresh_token == "rt_old_0123456789abcdef"
    assert token.expires_at == 1_700_003_600


def test_refresh_takes_a_rotated_refresh_token(serve):
    http, _ = serve(httpx.Response(200, json=GRANTED))
    token = refresh_at(TOKEN_URL, refresh_token="rt_old_0123456789abcdef", client_id="kit-client", http=http, now=NOW)
    assert token.refresh_token == GRANTED["refresh_token"]


def test_refresh_without_refresh_token(serve):
    http, script = serve()
    with pytest.raises(TokenError, match="no refresh token"):
        refresh_at(TOKEN_URL, refresh_token=None, client_id="kit-client", http=http)
    assert script.requests == []


def test_refresh_after_revocation_is_invalid_grant(serve):
    http, _ = serve(httpx.Response(400, json={"error": "invalid_grant"}))
    with pytest.raises(OAuthError, match="'invalid_grant' \\(HTTP 400\\)"):
        refresh_at(TOKEN_URL, refresh_token="rt_old_0123456789abcdef", client_id="kit-client", http=http)


def test_revoke(serve):
    http, script = serve(httpx.Response(200, json={}), httpx.Response(200))
    revoke_at(REVOKE_URL, token="rt_x", client_id="kit-client", token_type_hint="refresh_token", http=http)
    assert form_of(script.requests[0]) == {
        "token": "rt_x",
        "client_id": "kit-client",
        "token_type_hint": "refresh_token",
    }
    revoke_at(REVOKE_URL, token="at_x", client_id="kit-client", http=http)
    assert form_of(script.requests[1]) == {"token": "at_x", "client_id": "kit-client"}
    assert script.requests[1].headers["content-type"] == "application/x-www-form-urlencoded"


def test_revoke_error(serve):
    http, _ = serve(httpx.Response(400, json={"error": "unsupported_token_type"}))
    with pytest.raises(OAuthError) as caught:
        revoke_at(REVOKE_URL, token="at_x", client_id="kit-client", http=http)
    assert "token_type_hint" in caught.value.hint


def test_uses_the_clock_when_now_is_not_given(serve, monkeypatch):
    monkeypatch.setattr("helpers.tokens.time.time", lambda: 100.0)
    http, _ = serve(httpx.Response(200, json=GRANTED))
    assert exchange(http, now=None).expires_at == 3700


def test_from_response_without_expiry():
    token = TokenData.from_response({"access_token": "a" * 20, "token_type": "Bearer"}, NOW)
    assert (token.expires_at, token.refresh_token, token.scope) == (None, None, None)
    assert not token.is_expired(10**12)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"token_type": "Bearer"}, "has no access_token"),
        ({"access_token": "", "token_type": "Bearer"}, "has no access_token"),
        ({"access_token": "x"}, "has no token_type"),
        ({}, "has no access_token and no token_type"),
        ({"access_token": "x", "token_type": "Bearer", "expires_in": "3600"}, "expires_in is a str"),
        ({"access_token": "x", "token_type": "Bearer", "expires_in": True}, "expires_in is a bool"),
        ({"access_token": "x", "token_type": "Bearer", "scope": ["a"]}, "scope should be a string"),
    ],
)
def test_from_response_refuses_malformed_bodies(body, message):
    with pytest.raises(TokenError, match=message) as caught:
        TokenData.from_response(body, NOW)
    assert "token endpoint" in caught.value.hint


def test_json_round_trip():
    token = TokenData.from_response(GRANTED, NOW)
    text = token.to_json()
    assert TokenData.from_json(text) == token
    assert json.loads(text)["expires_at"] == 1_700_003_600
    assert " " not in text


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"access_token": "at_secret_value_1234", ', "not valid JSON: Expecting"),
        ("null", "JSON but not an object: NoneType"),
        ('{"token_type": "Bearer"}', "saved token has no access_token"),
        ('{"access_token": "a", "token_type": "b", "expires_at": 1.5}', "expires_at is not a whole number"),
    ],
)
def test_from_json_refuses_what_save_token_did_not_write(text, message):
    with pytest.raises(TokenError, match=message) as caught:
        TokenData.from_json(text)
    assert "at_secret_value_1234" not in str(caught.value)
    assert "save_token()" in caught.value.hint


def test_is_expired_with_leeway():
    token = TokenData("a" * 20, "Bearer", expires_at=1000)
    assert not token.is_expired(969)
    assert token.is_expired(970)
    assert token.is_expired(995, leeway=0) is False
    assert token.is_expired(1000, leeway=0)


def test_repr_and_str_hide_the_tokens():
    token = TokenData.from_response(GRANTED, NOW)
    for shown in (repr(token), str(token), f"{token}", repr([token])):
        assert GRANTED["access_token"] not in shown and GRANTED["refresh_token"] not in shown
    assert repr(token) == (
        "TokenData(access_token='…6wE3', token_type='Bearer', expires_at=1700003600, "
        "refresh_token='…bN2m', scope='files.read', refresh_expires_at=None)"
    )


API_URL = "http://127.0.0.1:9/provider/api/me"
ACCESS = "at_Zx81kQ2mN4pL7vR0tY6wE3"


def test_refresh_token_expiry_is_kept_and_gives_the_secrets_expiry():
    token = TokenData.from_response({**GRANTED, "refresh_token_expires_in": 86400}, NOW)
    assert token.refresh_expires_at == 1_700_086_400
    assert token.usable_until == token.refresh_expires_at  # a dead access token can still be refreshed
    assert TokenData.from_json(token.to_json()) == token
    assert TokenData.from_response(GRANTED, NOW).usable_until is None  # refresh token of unknown lifetime
    without_refresh = {key: value for key, value in GRANTED.items() if key != "refresh_token"}
    assert TokenData.from_response(without_refresh, NOW).usable_until == 1_700_003_600


def test_refresh_token_expiry_must_be_a_number():
    with pytest.raises(TokenError, match="refresh_token_expires_in is a str"):
        TokenData.from_response({**GRANTED, "refresh_token_expires_in": "soon"}, NOW)
    with pytest.raises(TokenError, match="refresh_expires_at is not a whole number"):
        TokenData.from_json('{"access_token": "a", "token_type": "b", "refresh_expires_at": "x"}')


def test_fresh_token_keeps_a_good_token_without_a_request(serve):
    http, script = serve()
    token = TokenData.from_response(GRANTED, NOW)
    assert fresh_token(PROVIDER, token, http=http, now=NOW + 60) is token
    assert script.requests == []


def test_fresh_token_refreshes_within_the_leeway(serve):
    rotated = {**GRANTED, "access_token": "at_new_0123456789abcdef", "refresh_token": "rt_new_0123456789abcdef"}
    http, script = serve(httpx.Response(200, json=rotated))
    token = TokenData.from_response(GRANTED, NOW)
    later = NOW + 3600 - 10  # 10 s left: less than the 30 s leeway
    new = fresh_token(PROVIDER, token, http=http, now=later)
    assert form_of(script.last)["refresh_token"] == GRANTED["refresh_token"]
    assert (new.access_token, new.refresh_token) == (rotated["access_token"], rotated["refresh_token"])
    assert new.expires_at == int(later + 3600)


def test_fresh_token_without_a_refresh_token_says_authorize_again(serve):
    http, _ = serve()
    token = TokenData("a" * 20, "Bearer", expires_at=1000)
    with pytest.raises(TokenError, match="no refresh token") as caught:
        fresh_token(PROVIDER, token, http=http, now=2000)
    assert "authorization flow again" in caught.value.hint


def test_call_api_sends_the_bearer_token(serve):
    http, script = serve(httpx.Response(200, json={"name": "Ada"}))
    assert call_api_at(API_URL, access_token=ACCESS, http=http) == {"name": "Ada"}
    assert script.last.headers["authorization"] == f"Bearer {ACCESS}"


def test_call_api_reads_the_error_from_www_authenticate(serve):
    header = f'Bearer realm="kit", error="invalid_token", error_description="token {ACCESS} is expired"'
    http, _ = serve(httpx.Response(401, headers={"WWW-Authenticate": header}))
    with pytest.raises(OAuthError) as caught:
        call_api_at(API_URL, access_token=ACCESS, http=http)
    error = caught.value
    assert (error.error, error.status_code) == ("invalid_token", 401)
    assert ACCESS not in str(error) and "is expired" in str(error)
    assert "refresh()" in error.hint


@pytest.mark.parametrize(
    "answer, error",
    [
        (httpx.Response(401), "invalid_token"),
        (httpx.Response(403, json={"error": "insufficient_scope"}), "insufficient_scope"),
        (httpx.Response(500, text="boom"), "server_error"),
        (httpx.Response(200, text="not json"), "server_error"),
        (httpx.ConnectError("refused"), "connection_error"),
    ],
)
def test_call_api_failures(serve, answer, error):
    http, _ = serve(answer)
    with pytest.raises(OAuthError) as caught:
        call_api_at(API_URL, access_token=ACCESS, http=http)
    assert caught.value.error == error


REVOKE_URL = "http://127.0.0.1:9/provider/oauth/revoke"
GRANTS = (
    TokenData("at_first_grant_0123456789", "Bearer", 1_900_000_000, "rt_first_grant_0123456789", None, 1_900_086_400),
    TokenData("at_second_grant_012345678", "Bearer", 1_900_000_000),
)


def provider_with(revocation_endpoint):
    return Provider(
        issuer="http://127.0.0.1:9/provider",
        authorization_endpoint="http://127.0.0.1:9/provider/authorize",
        token_endpoint=TOKEN_URL,
        client_id="client-1",
        redirect_uri="https://dashboard.stripe.com/test/apps-oauth/x",
        revocation_endpoint=revocation_endpoint,
    )


# The forms that take a Provider: the same requests, their parameters read from it --------------------


def test_exchange_code_takes_the_provider_and_a_checked_context(serve):
    http, script = serve(httpx.Response(200, json=GRANTED), httpx.Response(200, json=GRANTED))
    token = exchange_code(PROVIDER, OAuthContext(CODE, VERIFIER).checked(), http=http, now=NOW)
    assert token.access_token == GRANTED["access_token"]
    assert form_of(script.last) == {
        "grant_type": "authorization_code",
        "code": CODE,
        "redirect_uri": PROVIDER.redirect_uri,
        "client_id": PROVIDER.client_id,
        "code_verifier": VERIFIER,
    }
    exchange_code(PROVIDER, OAuthContext(CODE, VERIFIER).checked(), http=http, redirect_uri="http://127.0.0.1:5/cb")
    assert form_of(script.last)["redirect_uri"] == "http://127.0.0.1:5/cb"


@pytest.mark.parametrize("given", [OAuthContext(CODE, VERIFIER), (CODE, VERIFIER), None])
def test_exchange_code_refuses_what_was_not_checked(serve, given):
    http, script = serve()
    with pytest.raises(UncheckedContextError, match="checked oauthContext") as caught:
        exchange_code(PROVIDER, given, http=http)
    assert ".checked()" in caught.value.hint and script.requests == []


def test_only_checking_makes_a_checked_context():
    with pytest.raises(UncheckedContextError):
        CheckedOAuthContext(CODE, VERIFIER)
    with pytest.raises(OAuthError):
        OAuthContext(state="s", error="access_denied").checked()
    assert CODE not in repr(OAuthContext(CODE, VERIFIER).checked())


def test_refresh_revoke_and_call_api_take_the_provider(serve):
    token = TokenData.from_response(GRANTED, NOW)
    http, script = serve(httpx.Response(200, json=GRANTED), httpx.Response(200), httpx.Response(200, json={"n": 1}))
    refresh(PROVIDER, token, http=http, now=NOW)
    assert form_of(script.last)["refresh_token"] == GRANTED["refresh_token"]
    revoke(PROVIDER, token, http=http)
    assert str(script.last.url) == REVOKE_URL and form_of(script.last)["token_type_hint"] == "refresh_token"
    assert call_api(PROVIDER, token, http=http) == {"n": 1}
    assert script.last.headers["authorization"] == f"Bearer {GRANTED['access_token']}"


def test_revoke_and_call_api_say_what_the_provider_lacks(serve):
    http, _ = serve()
    bare = provider_with(None)
    with pytest.raises(ProviderError, match="no revocation endpoint"):
        revoke(bare, GRANTS[0], http=http)
    with pytest.raises(ProviderError, match="no api_endpoint"):
        call_api(bare, GRANTS[0], http=http)


def test_revoke_grants_revokes_each_grant_and_says_so(serve):
    http, script = serve(httpx.Response(200), httpx.Response(200))
    report = revoke_grants(provider_with(REVOKE_URL), GRANTS, http=http)
    sent = [parse_qs(r.content.decode()) for r in script.requests]
    assert [(f["token"][0], f["token_type_hint"][0]) for f in sent] == [
        (GRANTS[0].refresh_token, "refresh_token"),  # the refresh token ends the whole grant
        (GRANTS[1].access_token, "access_token"),
    ]
    assert (report.revoked, report.live) == (2, ())
    assert str(report) == "2 grants revoked at the provider (RFC 7009)"


def test_without_a_revocation_endpoint_log_out_says_loudly_the_grants_stay_live(serve):
    http, script = serve()
    with pytest.warns(GrantStillLiveWarning) as warned:
        report = revoke_grants(provider_with(None), GRANTS, http=http)
    assert script.requests == [] and report.revoked == 0 and len(report.live) == 2
    shown = str(report)
    assert shown.startswith("⚠ NOT ALL REVOKED: 0 grants revoked at the provider (RFC 7009); 2 still live")
    assert "a grant good until 2030-03-18 17:46 UTC" in shown  # the refresh token's expiry, not the access token's
    assert "a grant good until 2030-03-17 17:46 UTC" in shown
    assert "publishes no revocation endpoint, so the grant stays live there until it expires" in shown
    assert "console" in shown and "revocation_endpoint=" in shown
    assert str(warned[0].message) == shown
    assert all(secret not in shown for g in GRANTS for secret in (g.access_token, g.refresh_token) if secret)


def test_a_refusal_leaves_that_grant_live_and_the_others_are_still_revoked(serve):
    http, _ = serve(httpx.Response(400, json={"error": "unsupported_token_type"}), httpx.Response(200))
    with pytest.warns(GrantStillLiveWarning):
        report = revoke_grants(provider_with(REVOKE_URL), GRANTS, http=http)
    assert report.revoked == 1 and "the provider refused to revoke it (OAuth error 'unsupported_token_type'" in str(
        report
    )


@pytest.mark.parametrize(
    "header, expected",
    [
        ('Bearer realm="kit", error="invalid_token"', {"realm": "kit", "error": "invalid_token"}),
        ('bearer Error = "invalid_token" , scope="a b"', {"error": "invalid_token", "scope": "a b"}),
        (r'Bearer error_description="says \"no\", twice"', {"error_description": 'says "no", twice'}),
        ("Bearer error=invalid_token, broken", {"error": "invalid_token"}),
        ('Basic realm="kit"', {}),
        ("Bearer", {}),
        ("", {}),
    ],
)
def test_the_bearer_challenge_is_read_as_rfc_6750_writes_it(header, expected):
    from helpers.tokens import _bearer_challenge

    assert _bearer_challenge(header) == expected

"""Reading a redirect address: each check in order, each refusal with its cause and hint, no code shown."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from helpers.authorization_response import read_redirect
from helpers.errors import AuthorizeError, OAuthError, RedirectError

REDIRECT = "https://dashboard.stripe.com/test/apps-oauth/com.example.app"
AUTHORIZE = "https://login.example.com/oauth2/authorize"
ISSUER = "https://login.example.com"
STATE = "Gy_fJ8Vlnb_0PzuynbTl6UplUkO0iMN6"
CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"


def answer(base: str = REDIRECT, **params: str) -> str:
    return f"{base}?{urlencode(params)}"


def read(url: str, **overrides):
    arguments = dict(redirect_uri=REDIRECT, state=STATE, issuer=ISSUER, authorization_endpoint=AUTHORIZE)
    return read_redirect(url, **{**arguments, **overrides})


def test_the_code_comes_back_when_every_check_passes():
    response = read("  " + answer(code=CODE, state=STATE, iss=ISSUER) + "\n")
    assert (response.code, response.state, response.iss) == (CODE, STATE, ISSUER)
    assert CODE not in repr(response)


def test_host_and_scheme_case_do_not_matter_but_the_path_does():
    assert read(answer(REDIRECT.replace("dashboard.stripe.com", "Dashboard.Stripe.COM"), code=CODE, state=STATE))
    with pytest.raises(RedirectError) as raised:
        read(answer(REDIRECT.replace("/test/", "/"), code=CODE, state=STATE))
    assert raised.value.cause == "wrong_redirect"


@pytest.mark.parametrize(
    "url, cause, says",
    [
        ("", "empty", "Nothing was pasted"),
        ("code=abc&state=def", "not_a_url", "not a web address"),
        ("https://dashboard.stripe.com:x/test", "not_a_url", "not a web address"),
        (answer(AUTHORIZE, response_type="code", state=STATE), "the_link_itself", "the authorization link itself"),
        (answer("https://dashboard.stripe.com/apps-oauth/com.example.app", code=CODE, state=STATE),
         "wrong_redirect", "not to this link's redirect URI"),
        (answer(code=CODE), "state_missing", "has no state"),
        (answer(code=CODE, state="someone-elses"), "state_mismatch", "not the one the newest link carried"),
        (answer(code=CODE, state=STATE + "x"), "state_mismatch", "answers another attempt"),
        (answer(code=CODE, state=STATE, iss="https://attacker.example"), "wrong_issuer", "RFC 9207"),
        (answer(state=STATE), "no_code", "no code"),
        (answer(code="", state=STATE), "no_code", "no code"),
    ],
)  # fmt: skip
def test_each_refusal_names_its_cause(url, cause, says):
    with pytest.raises(RedirectError) as raised:
        read(url)
    assert raised.value.cause == cause and says in raised.value.message
    assert isinstance(raised.value, AuthorizeError) and raised.value.hint
    assert CODE not in str(raised.value)


def test_an_error_is_the_providers_refusal_with_the_kits_hint():
    with pytest.raises(OAuthError) as raised:
        read(answer(error="access_denied", error_description="The user said no", state=STATE))
    assert raised.value.error == "access_denied" and "The user said no" in raised.value.message
    assert "declined on the consent page" in raised.value.hint


def test_an_error_without_state_is_still_said_but_one_for_another_state_is_not_ours():
    with pytest.raises(OAuthError):
        read(answer(error="access_denied"))
    with pytest.raises(RedirectError) as raised:
        read(answer(error="access_denied", state="someone-elses"))
    assert raised.value.cause == "state_mismatch"


def test_a_repeated_parameter_is_refused():
    with pytest.raises(AuthorizeError, match="repeats"):
        read(f"{REDIRECT}?code={CODE}&state={STATE}&state=other")


def test_the_issuer_is_checked_only_when_the_provider_sends_one():
    assert read(answer(code=CODE, state=STATE), issuer=ISSUER).iss is None
    assert read(answer(code=CODE, state=STATE, iss="https://x.example"), issuer=None).code == CODE


def test_a_provider_that_promises_iss_must_send_it():
    # RFC 9207 §2.4: with authorization_response_iss_parameter_supported, an answer without iss is refused.
    assert read(answer(code=CODE, state=STATE, iss=ISSUER), iss_required=True).code == CODE
    with pytest.raises(RedirectError) as refused:
        read(answer(code=CODE, state=STATE), iss_required=True)
    assert refused.value.cause == "issuer_missing" and "authorization_response_iss_parameter_supported" in str(
        refused.value
    )


def test_an_error_must_name_the_issuer_too_when_the_provider_promises_it():
    # RFC 9207 §2: iss is in error responses too; one without it (or naming another issuer) may be a mix-up.
    with pytest.raises(OAuthError):
        read(answer(error="access_denied", state=STATE, iss=ISSUER), iss_required=True)
    with pytest.raises(RedirectError) as missing:
        read(answer(error="access_denied", state=STATE), iss_required=True)
    assert missing.value.cause == "issuer_missing" and "error=access_denied, but that cannot be trusted" in str(
        missing.value
    )
    with pytest.raises(RedirectError) as other:
        read(answer(error="access_denied", state=STATE, iss="https://attacker.example"))
    assert other.value.cause == "wrong_issuer"

"""03-token-exchange: the token request's form. The solution passes; each typical mistake gets its message."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
from exercises.token_exchange import check_token_form

from helpers.pkce import s256_challenge

from .test_exercises import PROVIDER, solution

CODE = "Qm9vZ2llV29vZ2llQ29kZUZyb21UaGVQcm92aWRlcjEyMzQ1Ng"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CLIENT = PROVIDER.client_id
TEST_URL = PROVIDER.redirect_uri
LIVE_URL = "http://127.0.0.1:9/dashboard/apps-oauth/com.example.pkce-kit"
VALUES = dict(provider=PROVIDER, code=CODE, verifier=VERIFIER)
RIGHT = {
    "grant_type": "authorization_code",
    "code": CODE,
    "code_verifier": VERIFIER,
    "client_id": CLIENT,
    "redirect_uri": TEST_URL,
}


def form(drop: tuple[str, ...] = (), **change) -> dict:
    """The right form, with some parameters dropped and some set (a value of None removes it too)."""
    result = {name: value for name, value in RIGHT.items() if name not in drop}
    result.update(change)
    return {name: value for name, value in result.items() if value is not None}


def renamed(old: str, new: str) -> dict:
    return {(new if name == old else name): value for name, value in RIGHT.items()}


def test_solution_passes():
    kit = SimpleNamespace(provider=PROVIDER)
    answer = solution("03-token-exchange.py", code=CODE, verifier=VERIFIER, kit=kit)
    assert check_token_form(answer["my_form"], **VALUES).passed


def test_the_right_form_in_another_order_passes():
    assert check_token_form(dict(reversed(list(RIGHT.items()))), **VALUES).passed


@pytest.mark.parametrize(
    "given, says",
    [
        (..., "Replace the ..."),
        # not a dict
        (f"http://127.0.0.1:9/provider/token?{urlencode(RIGHT)}", "query string"),
        ("?" + urlencode(RIGHT), "query string"),
        (urlencode(RIGHT), "already an encoded string"),
        (list(RIGHT.items()), "should be a dict"),
        # names
        (renamed("code_verifier", "code_verifer"), "spelled 'code_verifier'"),
        (renamed("code_verifier", "verifier"), "spelled 'code_verifier'"),
        (renamed("redirect_uri", "redirect_url"), "spelled 'redirect_uri'"),
        (renamed("grant_type", "grant-type"), "spelled 'grant_type'"),
        (renamed("client_id", "clientId"), "spelled 'client_id'"),
        (form(response_type="code"), "belongs in the authorization link"),
        (form(reponse_type="code"), "'reponse_type' belongs in the authorization link"),
        (form(state="st8"), "'state' belongs in the authorization link"),
        (form(code_challenge=s256_challenge(VERIFIER)), "wants the verifier"),
        (form(client_secret="s3cr3t"), "Leave out client_secret"),
        (form(foo="bar"), "does not expect these parameters: foo"),
        # missing
        (form(drop=("code_verifier",)), "no code_verifier"),
        (form(drop=("grant_type",)), "no grant_type"),
        (form(drop=("redirect_uri",)), "no redirect_uri"),
        (form(drop=("client_id",)), "no client_id"),
        (form(drop=("code",)), "no code."),
        # grant_type values
        (form(grant_type="code"), "not 'code'"),
        (form(grant_type="authorization-code"), "with an underscore"),
        (form(grant_type="refresh_token"), "for refreshing a token later"),
        (form(grant_type="Authorization_Code"), "exactly 'authorization_code'"),
        (form(grant_type="pkce"), "grant_type 'pkce' is not the one"),
        # values
        (form(code_verifier=s256_challenge(VERIFIER)), "holds the challenge"),
        (form(code_verifier="x" * 43), "not one you made"),
        (form(code_verifier=CODE), "code_verifier holds the code"),
        (form(code=VERIFIER), "code holds the verifier"),
        (form(code="another-code-entirely-1234"), "code should be the code from oauthContext"),
        (form(code=...), "The value of code should be a str, not ..."),
        (form(client_id="someone-else"), "client_id should be"),
        (form(redirect_uri=LIVE_URL), "the other mode"),
        (form(redirect_uri=TEST_URL + "/"), "trailing slash"),
        (form(redirect_uri=quote(TEST_URL, safe="")), "percent-encoded already"),
        (form(redirect_uri="https://dashboard.stripe.com/test/apps-oauth/com.example.pkce-kit"), "another host"),
    ],
)
def test_mistakes_are_named(given, says):
    feedback = check_token_form(given, **VALUES)
    assert not feedback.passed and says in repr(feedback), repr(feedback)


def test_a_misspelled_name_is_not_also_reported_missing():
    feedback = check_token_form(renamed("code_verifier", "code_verifer"), **VALUES)
    assert len(feedback.points) == 1


def test_the_live_mode_form_passes_with_the_live_url():
    live = dataclasses.replace(PROVIDER, redirect_uri=LIVE_URL)
    assert check_token_form(form(redirect_uri=LIVE_URL), **{**VALUES, "provider": live}).passed

"""The exercise checks: each solution passes, and typical mistakes get the targeted message."""

from __future__ import annotations

import runpy

import pytest
from exercises.authorization_link import check_challenge, check_link
from exercises.redirect_urls import check_redirect_urls

from helpers.authorize import authorization_url
from helpers.pkce import s256_challenge
from helpers.provider import Provider
from tools.run_notebooks import NOTEBOOKS

APP = "com.example.pkce-kit"
TEST = f"https://dashboard.stripe.com/test/apps-oauth/{APP}"
LIVE = f"https://dashboard.stripe.com/apps-oauth/{APP}"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 Appendix B


def solution(name: str, **notebook_variables) -> dict:
    """Run a solution file as `%load` would in its notebook, with the notebook's variables it uses."""
    return runpy.run_path(str(NOTEBOOKS / "solutions" / name), init_globals=notebook_variables)


def test_redirect_urls_solution_passes():
    answer = solution("01-redirect-urls.py")
    assert check_redirect_urls(answer["my_test_url"], answer["my_live_url"], APP).passed


@pytest.mark.parametrize(
    "test_url, live_url, says",
    [
        (..., ..., "Replace the ..."),
        (LIVE, LIVE, "needs /test/"),
        (TEST, TEST, "no /test/"),
        (TEST.replace("https", "http"), LIVE, "must use https"),
        (TEST + "/", LIVE, "should not end with a slash"),
        (TEST, LIVE.replace(APP, "com.example.other"), "should end with the app id"),
    ],
)
def test_redirect_url_mistakes_are_named(test_url, live_url, says):
    feedback = check_redirect_urls(test_url, live_url, APP)
    assert not feedback.passed and says in repr(feedback)


def test_challenge_solution_passes():
    answer = solution("02-authorization-link.py", verifier=VERIFIER)
    assert check_challenge(VERIFIER, answer["my_challenge"]).passed


@pytest.mark.parametrize(
    "wrong, says",
    [
        (VERIFIER, "'plain' method"),
        ("13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3", "in hex"),
        ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM=", "standard base64"),
        ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=", "padding"),
        (b"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "decode the bytes"),
    ],
)
def test_challenge_mistakes_are_named(wrong, says):
    feedback = check_challenge(VERIFIER, wrong)
    assert not feedback.passed and says in repr(feedback)


# The provider of the exercises' checks, shared by test_exercises_02 and _03.
PROVIDER = Provider(
    issuer="http://127.0.0.1:9/provider",
    authorization_endpoint="http://127.0.0.1:9/provider/authorize",
    token_endpoint="http://127.0.0.1:9/provider/token",
    client_id="client-1",
    redirect_uri="http://127.0.0.1:9/dashboard/test/apps-oauth/com.example.pkce-kit",
)
LINK_ARGS = dict(provider=PROVIDER, state="st8+/=&x#y", challenge=s256_challenge(VERIFIER))


def good_link() -> str:
    return authorization_url(
        PROVIDER.authorization_endpoint,
        client_id=PROVIDER.client_id,
        redirect_uri=PROVIDER.redirect_uri,
        state=LINK_ARGS["state"],
        code_challenge=LINK_ARGS["challenge"],
    )


def naive_link(**change) -> str:
    values = dict(
        response_type="code",
        client_id="client-1",
        redirect_uri=PROVIDER.redirect_uri,
        state=LINK_ARGS["state"],
        code_challenge=LINK_ARGS["challenge"],
        code_challenge_method="S256",
    )
    values.update(change)
    return PROVIDER.authorization_endpoint + "?" + "&".join(f"{k}={v}" for k, v in values.items() if v is not None)


def test_the_encoded_link_passes():
    assert check_link(good_link(), **LINK_ARGS).passed


@pytest.mark.parametrize(
    "link, says",
    [
        (..., "Replace the ..."),
        (naive_link(), "was not URL-encoded"),
        (good_link().replace("response_type", "reponse_type"), "Stripe's page has this typo"),
        (good_link().replace("&code_challenge_method=S256", ""), "no code_challenge_method"),
        (good_link().replace("S256", "plain"), "code_challenge_method should be"),
    ],
)
def test_link_mistakes_are_named(link, says):
    feedback = check_link(link, **LINK_ARGS)
    assert not feedback.passed and says in repr(feedback)

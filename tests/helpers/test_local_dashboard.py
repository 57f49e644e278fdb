"""The Dashboard's part played locally: state and challenge, the verifier kept, one hand-over per attempt."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from helpers.authorize import start_authorization
from helpers.errors import OAuthError, RedirectError
from helpers.local_dashboard import LocalDashboard
from helpers.pkce import challenge_matches
from helpers.provider import Provider

REDIRECT = "https://dashboard.stripe.com/test/apps-oauth/com.example.app"
AUTHORIZE = "https://login.example.com/oauth2/authorize"
CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"


def link_params(link: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}


def landing(state: str, **params: str) -> str:
    return f"{REDIRECT}?{urlencode({'state': state, **params})}"


def test_the_link_carries_state_and_challenge_and_the_context_the_matching_verifier():
    dashboard = LocalDashboard(REDIRECT)
    oauth_state, link = start_authorization(dashboard, AUTHORIZE, client_id="c", redirect_uri=REDIRECT)
    params = link_params(link)
    assert params["state"] == oauth_state.state and params["code_challenge"] == oauth_state.challenge
    context = dashboard.oauth_context(landing(oauth_state.state, code=CODE))
    assert context.code == CODE and challenge_matches(context.verifier, oauth_state.challenge)
    assert context.state is None


def test_a_custom_state_comes_back_in_the_context():
    dashboard = LocalDashboard(REDIRECT)
    oauth_state = dashboard.create_oauth_state("return_to=/settings")
    assert oauth_state.state.endswith(":return_to=/settings")
    assert dashboard.oauth_context(landing(oauth_state.state, code=CODE)).state == "return_to=/settings"


def test_only_the_newest_attempt_is_answered_and_only_once():
    dashboard = LocalDashboard(REDIRECT)
    older = dashboard.create_oauth_state()
    newer = dashboard.create_oauth_state()
    with pytest.raises(RedirectError) as raised:
        dashboard.oauth_context(landing(older.state, code=CODE))
    assert raised.value.cause == "state_mismatch"
    dashboard.oauth_context(landing(newer.state, code=CODE))
    with pytest.raises(RedirectError, match="already read"):
        dashboard.oauth_context(landing(newer.state, code=CODE))


def test_a_wrong_paste_keeps_the_attempt_but_a_refusal_ends_it():
    dashboard = LocalDashboard(REDIRECT, authorization_endpoint=AUTHORIZE)
    oauth_state = dashboard.create_oauth_state()
    with pytest.raises(RedirectError):
        dashboard.oauth_context("https://example.com/elsewhere")
    with pytest.raises(OAuthError):
        dashboard.oauth_context(landing(oauth_state.state, error="access_denied"))
    with pytest.raises(RedirectError, match="already read"):
        dashboard.oauth_context(landing(oauth_state.state, code=CODE))


def test_before_any_link_nothing_can_be_read():
    with pytest.raises(RedirectError, match="No authorization link was made yet"):
        LocalDashboard(REDIRECT).oauth_context(landing("s", code=CODE))


def test_the_verifier_is_never_shown():
    dashboard = LocalDashboard(REDIRECT)
    oauth_state = dashboard.create_oauth_state()
    context = dashboard.oauth_context(landing(oauth_state.state, code=CODE))
    assert context.verifier not in repr(context) and context.verifier not in repr(dashboard)


def test_an_older_link_and_an_unknown_one_are_told_apart():
    dashboard = LocalDashboard(REDIRECT)
    older = dashboard.create_oauth_state()
    dashboard.create_oauth_state()
    with pytest.raises(RedirectError, match="answers an older link"):
        dashboard.oauth_context(landing(older.state, code=CODE))
    with pytest.raises(RedirectError, match="a link this box does not know") as unknown:
        dashboard.oauth_context(landing(LocalDashboard(REDIRECT).create_oauth_state().state, code=CODE))
    assert "Run the cell that makes the paste box again" in unknown.value.hint


def test_a_box_made_once_follows_the_newest_link():
    # A learner runs the link cell again (a code that lived 60 seconds, say): the same box takes the new answer.
    dashboard = LocalDashboard(REDIRECT)
    read = dashboard.oauth_context  # what the paste box holds
    first = dashboard.create_oauth_state()
    read(landing(first.state, code=CODE))
    with pytest.raises(RedirectError, match="Run the cell that builds the link"):
        read(landing(first.state, code=CODE))
    second = dashboard.create_oauth_state()
    assert read(landing(second.state, code="another-code")).code == "another-code"


def test_for_a_provider_that_promises_iss_an_answer_without_it_is_refused():
    provider = Provider(
        issuer="https://login.example.com",
        authorization_endpoint=AUTHORIZE,
        token_endpoint="https://login.example.com/token",
        client_id="c",
        redirect_uri=REDIRECT,
        iss_parameter_supported=True,
    )
    dashboard = LocalDashboard.for_provider(provider)
    assert (dashboard.redirect_uri, dashboard.issuer, dashboard.iss_required) == (REDIRECT, provider.issuer, True)
    oauth_state = dashboard.create_oauth_state()
    with pytest.raises(RedirectError) as refused:
        dashboard.oauth_context(landing(oauth_state.state, code=CODE))
    assert refused.value.cause == "issuer_missing"
    context = dashboard.oauth_context(landing(oauth_state.state, code=CODE, iss=provider.issuer))
    assert context.code == CODE
    assert LocalDashboard.for_provider(provider, "http://127.0.0.1:9/callback").redirect_uri.endswith("/callback")

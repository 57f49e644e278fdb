"""The Dashboard's part played locally: state and challenge, the verifier kept, one hand-over per attempt."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from helpers.authorize import start_authorization
from helpers.errors import OAuthError, RedirectError
from helpers.local_dashboard import LocalDashboard
from helpers.pkce import challenge_matches

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

"""The Dashboard stand-in, driven with plain httpx: state, landing, oauthContext."""

from __future__ import annotations

from helpers.authorize import authorization_url
from helpers.pkce import challenge_matches
from sandbox.limits import STATE_LIFETIME

from .conftest import age


def test_the_verifier_handed_over_matches_the_challenge_in_the_link(app, http):
    link, state = app.link(http)
    assert len(state["challenge"]) == 43 and set(state) == {"state", "challenge"}
    assert app.world.consent(link).outcome == "handed_over"
    context = app.take_context(http)
    assert challenge_matches(context["verifier"], state["challenge"])


def test_custom_state_survives_the_trip_and_comes_back_in_the_context(app, http):
    custom = "return_to=/settings&tab=1 #top"
    state = app.create_state(http, custom=custom)
    assert state["state"].endswith(f":{custom}")
    link = authorization_url(
        f"{app.world.provider_issuer}/authorize",
        client_id=app.client_id,
        redirect_uri=app.redirect_uri,
        state=state["state"],
        code_challenge=state["challenge"],
    )
    assert app.world.consent(link).outcome == "handed_over"
    assert app.take_context(http)["state"] == custom


def test_the_context_is_handed_over_once(app, http):
    context = app.approved_context(http)
    assert context["code"] and context["state"] is None and context["error"] is None
    assert app.take_context(http) is None


def test_the_latest_authorization_replaces_one_nobody_picked_up(app, http):
    first, _ = app.link(http)
    assert app.world.consent(first, approve=False).error == "access_denied"
    second, _ = app.link(http)
    assert app.world.consent(second).outcome == "handed_over"
    context = app.take_context(http)
    assert context["error"] is None and context["code"]
    assert app.take_context(http) is None


def test_unknown_install_key_is_refused(world, http):
    response = http.post(
        f"{world.dashboard_base}/api/oauth_state",
        json={},
        headers={"Authorization": "Bearer sk_test_unknown0000000000"},
    )
    assert response.status_code == 401 and "install_app" in response.json()["error"]["message"]


def test_landing_page_tells_the_learner_to_go_back(app, http):
    link, _ = app.link(http)
    result = app.world.consent(link)
    page = http.get(result.redirect_url)  # a second visit: the state is used now
    assert "Go back to the notebook" in page.text


def test_a_spent_link_tells_the_learner_to_take_a_new_one(app, http):
    link, _ = app.link(http)
    assert app.world.consent(link).outcome == "handed_over"
    again = app.world.consent(link)  # the same link answered twice: its state is spent
    assert again.reason == "used_state" and "press New link" in again.message


def test_an_expired_link_says_it_expired_and_to_press_new_link(app, http):
    link, _ = app.link(http)
    age(app.world, "oauth_states", "created", STATE_LIFETIME)
    result = app.world.consent(link)
    assert (result.outcome, result.reason) == ("refused", "expired_state")
    assert "This link has expired" in result.message and "10 minutes" in result.message
    assert "press New link beside the Authorize button" in result.message
    assert app.take_context(http) is None

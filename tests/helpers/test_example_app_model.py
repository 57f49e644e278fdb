"""The example app's flow (``helpers.example_app_model.ExampleAppModel``) against fakes: no widgets involved.

A Dashboard object, and a Stripe API and a provider served by an httpx MockTransport
(tests/helpers/fakes.py). tests/sandbox/test_example_app.py runs the same flow against the sandbox.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from helpers.context import OAuthContext
from helpers.errors import (
    AuthorizeError,
    DashboardError,
    OAuthError,
    SecretAuthenticationError,
    SecretPermissionError,
    SecretStoreError,
)
from helpers.example_app_model import OncePerCode
from helpers.pkce import s256_challenge
from helpers.tokens import TokenData

from .fakes import (
    ACCESS,
    ACCESS_2,
    BASE,
    CODE,
    CODE_2,
    NOW,
    REFRESH,
    REFRESH_2,
    TOKEN,
    VERIFIER,
    Consent,
    assert_no_secret,
    save,
    verifier_of,
)

USER_SECRET = ("usr_1", "oauth_token")


def test_opens_signed_out_with_an_authorize_link(open_flow):
    flow = open_flow(scope="files.read")
    assert flow.status == "signed_out" and flow.token is None and flow.error is None
    query = parse_qs(urlsplit(flow.link).query)
    assert query["state"] == ["state-1"] and query["code_challenge"] == [s256_challenge(verifier_of(1))]
    assert query["response_type"] == ["code"] and query["scope"] == ["files.read"]
    assert "Not connected yet" in flow.message and repr(flow) == "ExampleAppModel(signed_out)"


def test_the_whole_flow(open_flow, world, dashboard):
    flow = open_flow()
    flow.answered(Consent("handed_over"), approve=True)
    assert flow.status == "waiting" and "approved" in flow.message
    flow.receive(OAuthContext(CODE, VERIFIER))
    assert flow.status == "signed_in" and flow.token.access_token == ACCESS and flow.error is None
    assert flow.token_requests == 1 and flow.link is None
    assert world.token_requests[0] == {
        "grant_type": "authorization_code",
        "code": CODE,
        "code_verifier": VERIFIER,
        "client_id": "client-1",
        "redirect_uri": f"{BASE}/dashboard/test/apps-oauth/app",
    }
    saved = world.secrets[USER_SECRET]
    assert TokenData.from_json(saved["payload"]) == flow.token
    # The secret lives as long as the token is worth anything: the refresh token's expiry (as 08 teaches).
    assert saved["expires_at"] == str(flow.token.usable_until) == str(NOW + 30 * 24 * 3600)
    assert "saved in the user scope of usr_1" in flow.message

    states_before = dashboard.states
    reopened = open_flow()
    assert reopened.status == "signed_in" and reopened.token == flow.token
    assert dashboard.states == states_before, "a found token needs no new authorization"
    assert "no new authorization" in reopened.message

    reopened.log_out()
    assert reopened.status == "signed_out" and reopened.token is None and reopened.link
    assert USER_SECRET not in world.secrets
    assert world.revoked == [{"token": REFRESH, "client_id": "client-1", "token_type_hint": "refresh_token"}]
    assert "revoked at the provider" in reopened.message
    assert open_flow().status == "signed_out"


def test_a_context_handed_twice_is_exchanged_once(open_flow, world):
    flow = open_flow()
    context = OAuthContext(CODE, VERIFIER)
    flow.receive(context)
    flow.receive(context)
    assert flow.token_requests == 1 and len(world.token_requests) == 1 and flow.status == "signed_in"
    flow.log_out()
    flow.receive(OAuthContext(CODE_2, VERIFIER))  # a new authorization after Log out
    assert flow.token_requests == 2 and flow.status == "signed_in"


def test_after_log_out_the_old_code_is_not_sent_again(open_flow, world):
    flow = open_flow()
    context = OAuthContext(CODE, VERIFIER)
    flow.receive(context)
    flow.log_out()
    flow.receive(context)
    assert flow.status == "signed_out" and flow.token_requests == 1 and flow.error is None
    assert "not sent again" in flow.message


def test_once_per_code_remembers_digests_only():
    guard = OncePerCode()
    assert guard.first_time(CODE) and not guard.first_time(CODE) and guard.first_time(CODE_2)
    assert_no_secret(repr(vars(guard)))


def test_denied(open_flow, dashboard):
    flow = open_flow()
    flow.answered(Consent("handed_over", error="access_denied"), approve=False)
    assert flow.status == "waiting" and "denied" in flow.message
    flow.receive(OAuthContext(error="access_denied"))
    assert flow.status == "signed_out" and isinstance(flow.error, OAuthError) and flow.error.error == "access_denied"
    assert "What to do: The user declined" in flow.message
    assert dashboard.states == 2 and "state=state-2" in flow.link, "a spent state needs a new link"


def test_a_refused_redirect_does_not_wait(open_flow):
    flow = open_flow()
    flow.answered(Consent("refused", reason="unknown_state"), approve=True)
    assert flow.status == "signed_out"


def test_a_failed_exchange_is_shown_and_offers_a_new_link(open_flow):
    flow = open_flow()
    flow.receive(OAuthContext("unknown-code-12345", VERIFIER))
    assert flow.status == "signed_out" and flow.error.error == "invalid_grant" and "state=state-2" in flow.link


def test_a_context_without_a_verifier(open_flow):
    flow = open_flow()
    flow.receive(OAuthContext(CODE, None))
    assert flow.status == "signed_out" and isinstance(flow.error, DashboardError) and flow.token_requests == 0


def test_a_context_while_signed_in_is_ignored(open_flow, world):
    save(world)
    flow = open_flow()  # opened again, with the old oauthContext still in the props (#649)
    flow.receive(OAuthContext(CODE, VERIFIER))
    flow.receive(OAuthContext(error="access_denied"))
    assert flow.status == "signed_in" and flow.token == TOKEN and flow.error is None
    assert flow.token_requests == 0 and world.token_requests == []


def test_a_failed_save_keeps_the_token_for_this_session(open_flow, world):
    world.fail["/stripe/v1/apps/secrets"] = httpx.Response(
        403, json={"error": {"type": "invalid_request_error", "message": "The app lacks secret_write."}}
    )
    flow = open_flow()
    flow.receive(OAuthContext(CODE, VERIFIER))
    assert flow.status == "signed_in" and isinstance(flow.error, SecretPermissionError)
    assert "secret_write" in flow.message


def test_find_errors_are_shown(open_flow, world):
    world.fail["/stripe/v1/apps/secrets/find"] = httpx.Response(
        401, json={"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
    )
    flow = open_flow()
    assert flow.status == "signed_out" and isinstance(flow.error, SecretAuthenticationError) and flow.link


def test_an_unreadable_saved_token_is_shown(open_flow, world):
    world.secrets[USER_SECRET] = {"payload": "not json", "expires_at": None}
    flow = open_flow()
    assert flow.status == "signed_out" and "not valid JSON" in flow.message and flow.link


def test_an_expired_token_is_refreshed_and_saved_over_the_old_one(open_flow, world):
    save(world, TokenData(ACCESS, "Bearer", NOW - 60, REFRESH, refresh_expires_at=NOW + 3600))
    flow = open_flow()
    assert flow.status == "signed_in" and flow.token.access_token == ACCESS_2 and flow.token_requests == 1
    assert world.token_requests == [{"grant_type": "refresh_token", "refresh_token": REFRESH, "client_id": "client-1"}]
    saved = TokenData.from_json(world.secrets[USER_SECRET]["payload"])
    assert saved.refresh_token == REFRESH_2, "rotation: the new refresh token is the one saved"
    assert "refreshed" in flow.message


def test_an_expired_token_whose_grant_ended_is_deleted(open_flow, world):
    world.refresh_tokens[REFRESH] = True  # already spent: the provider answers invalid_grant
    save(world, TokenData(ACCESS, "Bearer", NOW - 60, REFRESH))
    flow = open_flow()
    assert flow.status == "signed_out" and flow.link and USER_SECRET not in world.secrets
    assert "can no longer be refreshed" in flow.message and flow.error is None


def test_an_expired_token_is_kept_when_the_provider_is_down(open_flow, world):
    world.fail["/provider/token"] = httpx.Response(503, text="down")
    save(world, TokenData(ACCESS, "Bearer", NOW - 60, REFRESH))
    flow = open_flow()
    assert flow.status == "signed_out" and flow.error.error == "server_error"
    assert USER_SECRET in world.secrets, "the refresh token may still be good"


def test_an_expired_token_without_refresh_token_means_authorize_again(open_flow, world):
    save(world, TokenData(ACCESS, "Bearer", NOW - 60))
    flow = open_flow()
    assert flow.status == "signed_out" and "expired" in flow.message and flow.link
    assert USER_SECRET not in world.secrets


def test_create_oauth_state_failing_is_shown(open_flow, dashboard):
    dashboard.fail_state = DashboardError("Unknown install key.", "Use the install's api_key.")
    flow = open_flow()
    assert flow.status == "signed_out" and flow.link is None and "Unknown install key." in flow.message


def test_unexpected_failures_are_kept_not_raised(open_flow, dashboard):
    dashboard.fail_state = RuntimeError(f"bug near Bearer {ACCESS}")
    flow = open_flow()
    assert isinstance(flow.error, RuntimeError) and flow.message.startswith("RuntimeError: bug near Bearer …")
    assert_no_secret(flow.message)


def test_log_out_keeps_going_when_revoke_fails(open_flow, world):
    save(world)
    world.fail["/provider/revoke"] = httpx.Response(503, text="down")
    flow = open_flow()
    flow.log_out()
    assert flow.status == "signed_out" and flow.error.error == "server_error" and not world.secrets


def test_log_out_stays_signed_in_when_delete_fails(open_flow, world):
    save(world)
    world.fail["/stripe/v1/apps/secrets/delete"] = httpx.Response(
        500, json={"error": {"type": "api_error", "message": "try later"}}
    )
    flow = open_flow()
    flow.log_out()
    assert flow.status == "signed_in" and type(flow.error) is SecretStoreError and flow.token == TOKEN


def test_log_out_after_the_secret_expired_still_logs_out(open_flow, world):
    save(world)
    flow = open_flow()
    del world.secrets[USER_SECRET]  # Stripe deleted it at its expiry
    flow.log_out()
    assert flow.status == "signed_out" and flow.error is None and world.revoked


def test_log_out_without_revocation_endpoint(open_flow, world):
    save(world)
    flow = open_flow(revocation_endpoint=None)
    flow.log_out()
    assert flow.status == "signed_out" and world.revoked == [] and "revoked" not in flow.message
    # Not a silent gap: the user learns the grant is still live at the provider, and how to end it.
    assert "the grant stays live there until it expires" in flow.message and "console" in flow.message


def test_log_out_with_a_failing_dashboard_ends_signed_out(open_flow, world, dashboard):
    save(world)
    flow = open_flow()
    dashboard.fail_state = RuntimeError("the Dashboard stand-in broke")
    flow.log_out()
    assert flow.status == "signed_out" and flow.link is None and flow.token is None
    assert "RuntimeError: the Dashboard stand-in broke" in flow.message


def test_a_signed_in_flow_has_no_link_to_answer(open_flow):
    flow = open_flow()
    flow.receive(OAuthContext(CODE, VERIFIER))
    try:
        flow.require_link()
    except AuthorizeError as error:
        assert "no authorization link to answer" in str(error)
    else:
        raise AssertionError("require_link() should raise while signed in")


def test_observers_hear_each_change_once_it_is_whole(open_flow):
    flow = open_flow()
    heard = []
    # The message is set after the status; an observer of the status still hears the new message.
    flow.observe(lambda change: heard.append((change.new, flow.message[:9])), names="status")
    flow.receive(OAuthContext(CODE, VERIFIER))
    flow.log_out()
    assert heard == [("signed_in", "Connected"), ("signed_out", "Logged ou")]


def test_an_observer_never_sees_half_a_change(open_flow):
    flow = open_flow()
    seen = []
    flow.observe(lambda _: seen.append((flow.status, flow.token is None, flow.link is None)))
    flow.receive(OAuthContext(CODE, VERIFIER))
    flow.log_out()  # forgets the token before it revokes: no observer sees "signed in" without one
    assert seen and all(state in {("signed_in", False, True), ("signed_out", True, False)} for state in seen), seen


def test_nothing_the_flow_says_holds_a_secret(open_flow):
    flow = open_flow()
    flow.receive(OAuthContext(CODE, VERIFIER))
    assert_no_secret(flow.message + repr(flow.token) + repr(flow))


# New link, which link a context answers, and when a link expires ---------------------------


def test_new_link_starts_a_fresh_attempt(open_flow):
    flow = open_flow()
    first = flow.link
    fresh = flow.new_link()
    assert fresh == flow.link != first and "state=state-2" in fresh
    assert flow.status == "signed_out" and "A fresh link" in flow.message and flow.error is None


def test_new_link_is_refused_while_signed_in(open_flow):
    flow = open_flow()
    flow.receive(OAuthContext(CODE, VERIFIER))
    with pytest.raises(AuthorizeError, match="the app is signed in"):
        flow.new_link()
    assert flow.status == "signed_in" and flow.token is not None


def test_new_link_raises_what_stopped_it_and_the_flow_shows_it(open_flow, dashboard):
    flow = open_flow()
    dashboard.fail_state = DashboardError("The Dashboard is down.", "Start the sandbox again.")
    with pytest.raises(DashboardError) as raised:
        flow.new_link()
    assert flow.error is raised.value and flow.link is None and "The Dashboard is down." in flow.message


def test_answers_tells_which_link_a_context_answers(open_flow):
    flow = open_flow()  # its link carries the first state's challenge
    assert flow.answers(OAuthContext(CODE, verifier_of(1))) is True
    assert flow.answers(OAuthContext(CODE, verifier_of(2))) is False  # another attempt's
    assert flow.answers(OAuthContext(CODE, "not a verifier")) is False
    assert flow.answers(OAuthContext(error="access_denied")) is None  # no verifier: nobody can tell
    flow.new_link()
    assert flow.answers(OAuthContext(CODE, verifier_of(1))) is False
    assert flow.answers(OAuthContext(CODE, verifier_of(2))) is True
    flow.receive(OAuthContext(CODE, VERIFIER))
    assert flow.status == "signed_in"
    assert flow.answers(OAuthContext(CODE, verifier_of(2))) is False  # signed in: no link to answer


def test_a_link_expires_after_the_state_lifetime(open_flow):
    now = [NOW]
    flow = open_flow(clock=lambda: now[0], state_lifetime=600)
    now[0] += 599
    assert not flow.link_expired()
    now[0] += 1
    assert flow.link_expired()
    flow.new_link()
    assert not flow.link_expired()
    timeless = open_flow(clock=lambda: now[0])  # a Dashboard whose lifetime is not known: never said
    now[0] += 10**6
    assert not timeless.link_expired()

"""The example app (ExampleAppModel and its ExampleAppView) against the real sandbox: the kernel path of 06."""

from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

import helpers
from helpers.example_app_model import ExampleAppModel
from helpers.example_app_view import ExampleAppView
from helpers.trace_views import describe_exchanges
from helpers.widgets import AppView
from sandbox.limits import STATE_LIFETIME

from .conftest import App, age, make_app


def secrets_issued(world, app: App) -> list[str]:
    """What must never be shown: the install key, and every code, verifier and token of this test."""
    db = sqlite3.connect(world.data_dir / "sandbox.sqlite3")
    try:
        found = [app.install.api_key]
        found += [row[0] for row in db.execute("SELECT code FROM auth_codes WHERE client_id=?", (app.client_id,))]
        found += [
            row[0] for row in db.execute("SELECT verifier FROM oauth_states WHERE app_id=?", (app.install.app_id,))
        ]
        for access, refresh in db.execute(
            "SELECT access_token, refresh_token FROM tokens WHERE client_id=?", (app.client_id,)
        ):
            found += [access, refresh or ""]
    finally:
        db.close()
    return [value for value in found if len(value) >= 8]


def shown(widget) -> str:
    parts = [repr(widget)] + [
        getattr(widget, name) for name in ("value", "description") if isinstance(getattr(widget, name, None), str)
    ]
    return "\n".join(parts + [shown(child) for child in getattr(widget, "children", ())])


def provider_of(world, app: App, scope: str | None = None) -> helpers.Provider:
    metadata = http_get_json(world, "/provider/.well-known/oauth-authorization-server")
    return helpers.Provider.from_metadata(metadata, client_id=app.client_id, redirect_uri=app.redirect_uri, scope=scope)


def http_get_json(world, path: str) -> dict:
    return world.http.get(world.base_url + path).json()


def test_example_app_whole_flow(world, http):
    app = make_app(world, http)
    trace = helpers.Trace()
    traced = helpers.traced_client(trace, timeout=30)
    trace.remember(app.install.api_key)
    stripe_client = helpers.make_client(app.install.api_key, api_base=world.stripe_api_base, trace=trace)
    dashboard = helpers.DashboardClient(world.dashboard_base, app.install.api_key, traced)

    provider = provider_of(world, app, scope="files.read")
    scope = helpers.SecretScope.for_user(app.install.user_id)

    def open_app() -> ExampleAppView:
        flow = ExampleAppModel(dashboard, stripe_client, provider, scope, traced)
        return ExampleAppView(flow, consent=world.consent)

    def api_me(token: helpers.TokenData) -> int:
        return http.get(
            f"{world.provider_issuer}/api/me", headers={"Authorization": f"Bearer {token.access_token}"}
        ).status_code

    # first session: nothing saved, so Authorize; the user approves; Check exchanges and saves
    first = open_app()
    assert first.model.status == "signed_out" and first.model.link
    first.user_buttons.approve.click()
    assert first.model.status == "waiting", first.user_buttons.status.value
    first.check_button.click()
    assert first.model.status == "signed_in", first.model.message
    assert first.model.token_requests == 1 and api_me(first.model.token) == 200
    assert describe_exchanges(trace.exchanges) == "\n".join(
        [
            "1. GET /stripe/v1/apps/secrets/find → 404 (Stripe API)",
            "2. POST /dashboard/api/oauth_state → 200 (Dashboard)",
            "3. GET /dashboard/api/oauth_context → 200 (Dashboard)",
            "4. POST /provider/token → 200 (Provider)",
            "5. POST /stripe/v1/apps/secrets → 200 (Stripe API)",
        ]
    )
    token_request = trace.exchanges[3]
    assert "?" not in token_request.url and "grant_type=authorization_code" in token_request.request_body

    # a later session finds the token: no createOAuthState, nothing sent to the provider
    mark = len(trace.exchanges)
    later = open_app()
    assert later.model.status == "signed_in" and later.model.token == first.model.token
    assert describe_exchanges(trace.exchanges[mark:]) == "1. GET /stripe/v1/apps/secrets/find → 200 (Stripe API)"

    # Log out: the secret is deleted and the token revoked
    later.logout_button.click()
    assert later.model.status == "signed_out" and later.model.link, later.model.message
    assert api_me(first.model.token) == 401
    assert open_app().model.status == "signed_out"

    # Deny: access_denied shown, still signed out, with a fresh link
    denied = open_app()
    denied.user_buttons.deny.click()
    denied.check_button.click()
    assert denied.model.status == "signed_out" and denied.model.error.error == "access_denied" and denied.model.link

    # the context handed twice (as the real Dashboard does until a reload): one exchange
    twice = open_app()
    twice.user_buttons.approve.click()
    context = dashboard.take_oauth_context()
    twice.model.receive(context)
    twice.model.receive(context)
    assert twice.model.status == "signed_in" and twice.model.token_requests == 1 and api_me(twice.model.token) == 200
    # what the guard prevents: a second exchange fails, and the provider revokes the first token
    try:
        helpers.exchange_code_at(
            f"{world.provider_issuer}/token",
            code=context.code,
            verifier=context.verifier,
            client_id=app.client_id,
            redirect_uri=app.redirect_uri,
            http=traced,
        )
    except helpers.OAuthError as error:
        assert error.error == "invalid_grant"
    else:
        raise AssertionError("a code worked twice")
    assert api_me(twice.model.token) == 401
    twice.model.log_out()
    twice.model.receive(context)  # after Log out the old code is still in the props: not tried again
    assert twice.model.status == "signed_out" and twice.model.token_requests == 1 and twice.model.error is None

    # nothing any of these widgets showed, and nothing in the trace, holds a secret in clear
    everything = "\n".join(shown(w) for w in (first, later, denied, twice)) + trace.render_text(headers=None)
    leaks = [value for value in secrets_issued(world, app) if value in everything]
    assert leaks == []
    traced.close()


def test_example_app_without_secret_write_shows_why(world, http):
    app = make_app(world, http, permissions=())
    with httpx.Client(timeout=30) as client:
        example = open_example(world, app, client)
        assert example.model.status == "signed_out" and isinstance(example.model.error, helpers.SecretPermissionError)
        assert "secret_write" in example.model.message and example.model.link


def open_example(world, app: App, http: httpx.Client, **flow_options) -> ExampleAppView:
    """The example app of ``app``'s install, with Approve / Deny buttons: a cell that opens it."""
    flow = ExampleAppModel(
        helpers.DashboardClient(world.dashboard_base, app.install.api_key, http),
        helpers.make_client(app.install.api_key, api_base=world.stripe_api_base),
        provider_of(world, app),
        helpers.SecretScope.for_user(app.install.user_id),
        http,
        **flow_options,
    )
    return ExampleAppView(flow, consent=world.consent)


@pytest.fixture
def fresh_page(monkeypatch):
    """A fresh notebook page: no app view of an earlier test still waits for a context."""
    monkeypatch.setattr(AppView, "_waiting", [])


def test_the_context_reaches_your_turn_after_an_earlier_cell_ran_again(world, http, fresh_page):
    app = make_app(world, http)
    with httpx.Client(timeout=30) as client:
        yours = open_example(world, app, client)
        rerun = open_example(world, app, client)  # an earlier cell run again: the newest view, the one that asks
        assert world.consent(yours.model.link).outcome == "handed_over"  # the learner answers Your turn's link
        rerun.app_view.check()  # the newer view, the one waiting, hears of it and takes it
        assert yours.model.status == "signed_in", yours.model.message
        assert rerun.model.status == "signed_out" and rerun.model.token_requests == 0


def test_an_expired_link_says_so_and_new_link_gets_the_user_through(world, http, fresh_page):
    app = make_app(world, http)
    now = [time.time()]
    with httpx.Client(timeout=30) as client:
        example = open_example(world, app, client, clock=lambda: now[0], state_lifetime=STATE_LIFETIME)
        age(world, "oauth_states", "created", STATE_LIFETIME)  # ten minutes pass, for the Dashboard ...
        now[0] += STATE_LIFETIME  # ... and for the app
        example.user_buttons.approve.click()
        assert "expired_state" in example.user_buttons.status.value
        example.check_button.click()
        assert "This link has expired" in example.app_view.display.value
        example.authorize_link.new_link_button.click()
        example.user_buttons.approve.click()
        example.check_button.click()
        assert example.model.status == "signed_in", example.model.message

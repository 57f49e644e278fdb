"""ExampleApp through the whole flow against the real sandbox: the kernel path of 06-the-whole-app."""

from __future__ import annotations

import sqlite3

import httpx

import helpers
from helpers.example_app import ExampleApp
from helpers.widgets import describe_exchanges

from .conftest import App, make_app


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


def test_example_app_whole_flow(world, http):
    app = make_app(world, http)
    trace = helpers.Trace()
    traced = helpers.traced_client(trace, timeout=30)
    trace.remember(app.install.api_key)
    stripe_client = helpers.make_client(app.install.api_key, api_base=world.stripe_api_base, trace=trace)
    dashboard = helpers.Dashboard(world.dashboard_base, app.install.api_key, traced)

    def open_app() -> ExampleApp:
        return ExampleApp(
            dashboard,
            stripe_client,
            scope=helpers.Scope.for_user(app.install.user_id),
            authorize_endpoint=f"{world.provider_issuer}/authorize",
            token_endpoint=f"{world.provider_issuer}/token",
            revocation_endpoint=f"{world.provider_issuer}/revoke",
            client_id=app.client_id,
            redirect_uri=app.redirect_uri,
            http=traced,
            consent=world.consent,
            oauth_scope="files.read",
        )

    def api_me(token: helpers.TokenData) -> int:
        return http.get(
            f"{world.provider_issuer}/api/me", headers={"Authorization": f"Bearer {token.access_token}"}
        ).status_code

    # first session: nothing saved, so Authorize; the user approves; Check exchanges and saves
    first = open_app()
    assert first.state == "signed_out" and first.link
    first.user_buttons.approve.click()
    assert first.state == "waiting", first.user_buttons.status.value
    first.check_button.click()
    assert first.state == "signed_in", first.status
    assert first.token_requests == 1 and api_me(first.token) == 200
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
    assert later.state == "signed_in" and later.token == first.token
    assert describe_exchanges(trace.exchanges[mark:]) == "1. GET /stripe/v1/apps/secrets/find → 200 (Stripe API)"

    # Log out: the secret is deleted and the token revoked
    later.logout_button.click()
    assert later.state == "signed_out" and later.link, later.status
    assert api_me(first.token) == 401
    assert open_app().state == "signed_out"

    # Deny: access_denied shown, still signed out, with a fresh link
    denied = open_app()
    denied.user_buttons.deny.click()
    denied.check_button.click()
    assert denied.state == "signed_out" and denied.error.error == "access_denied" and denied.link

    # the context handed twice (as the real Dashboard does until a reload): one exchange
    twice = open_app()
    twice.user_buttons.approve.click()
    context = dashboard.take_oauth_context()
    twice.receive(context)
    twice.receive(context)
    assert twice.state == "signed_in" and twice.token_requests == 1 and api_me(twice.token) == 200
    # what the guard prevents: a second exchange fails, and the provider revokes the first token
    try:
        helpers.exchange_code(
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
    assert api_me(twice.token) == 401
    twice.log_out()
    twice.receive(context)  # after Log out the old code is still in the props: not tried again
    assert twice.state == "signed_out" and twice.token_requests == 1 and twice.error is None

    # nothing any of these widgets showed, and nothing in the trace, holds a secret in clear
    everything = "\n".join(shown(w) for w in (first, later, denied, twice)) + trace.render_text(headers=None)
    leaks = [value for value in secrets_issued(world, app) if value in everything]
    assert leaks == []
    traced.close()


def test_example_app_without_secret_write_shows_why(world, http):
    app = make_app(world, http, permissions=())
    with httpx.Client(timeout=30) as traced:
        example = ExampleApp(
            helpers.Dashboard(world.dashboard_base, app.install.api_key, traced),
            helpers.make_client(app.install.api_key, api_base=world.stripe_api_base),
            scope=helpers.Scope.for_user(app.install.user_id),
            authorize_endpoint=f"{world.provider_issuer}/authorize",
            token_endpoint=f"{world.provider_issuer}/token",
            client_id=app.client_id,
            redirect_uri=app.redirect_uri,
            http=traced,
            consent=world.consent,
        )
        assert example.state == "signed_out" and example.error.kind == "permission"
        assert "secret_write" in example.status and example.link

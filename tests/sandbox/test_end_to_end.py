"""The whole flow of Stripe's page, from Python, through `helpers` only, against the sandbox.

This is what the notebooks do, step by step; here it runs in one go, and the
token is found again from a separate Python process, as a later session would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import helpers
from helpers.manifest import load_manifest, redirect_urls

from .conftest import new_user

ROOT = Path(__file__).resolve().parents[2]

FIND_LATER = textwrap.dedent(
    """
    import sys
    from helpers import SecretScope, find_token, make_client
    client = make_client(sys.argv[1], api_base=sys.argv[2])
    token = find_token(client, SecretScope.for_user(sys.argv[3]))
    print(token.access_token == sys.argv[4], token.expires_at)
    """
)


def test_the_documented_flow_end_to_end(world):
    trace = helpers.Trace()
    http = helpers.traced_client(trace, timeout=30)

    # 1. redirect URLs from the app id (the sandbox's Dashboard stands in for dashboard.stripe.com)
    manifest = load_manifest(ROOT / "notebooks" / "stripe-app.json")
    urls = redirect_urls(manifest.app_id, world.dashboard_base)
    assert urls.test.endswith(f"/dashboard/test/apps-oauth/{manifest.app_id}")

    # 2. register them with the provider (RFC 8414 discovery, RFC 7591 registration)
    meta = http.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server").json()
    client_id = http.post(
        meta["registration_endpoint"],
        json={
            "client_name": manifest.name,
            "redirect_uris": [urls.test, urls.live],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        },
    ).json()["client_id"]

    # the app is installed for a user in test mode
    user_id = new_user()
    install = world.install_app(manifest, user_id, "test")
    trace.remember(install.api_key)
    context = helpers.ExtensionContext(helpers.Environment("test"), helpers.UserContext(user_id))

    # 3. state + challenge from the Dashboard, and the encoded authorization link
    dashboard = helpers.DashboardClient(world.dashboard_base, install.api_key, http)
    oauth_state = dashboard.create_oauth_state("return_to=/settings&tab=1")
    link = helpers.authorization_url(
        meta["authorization_endpoint"],
        client_id=client_id,
        redirect_uri=urls.test,
        state=oauth_state.state,
        code_challenge=oauth_state.challenge,
    )

    # 4. the user consents; the Dashboard checks state and hands over code + verifier once
    assert world.consent(link).outcome == "handed_over"
    oauth_context = dashboard.take_oauth_context()
    assert oauth_context.ok and oauth_context.state == "return_to=/settings&tab=1"
    assert helpers.challenge_matches(oauth_context.verifier, oauth_state.challenge)
    assert dashboard.take_oauth_context() is None
    trace.remember(oauth_context.code, oauth_context.verifier)

    # 5. the token exchange, in a form body
    token = helpers.exchange_code_at(
        meta["token_endpoint"],
        code=oauth_context.code,
        verifier=oauth_context.verifier,
        client_id=client_id,
        redirect_uri=urls.test,
        http=http,
    )
    trace.remember(token.access_token, token.refresh_token)
    assert token.token_type == "Bearer" and token.expires_at == pytest.approx(time.time() + 3600, abs=60)
    token_request = next(x for x in trace.exchanges if x.url.endswith("/provider/token"))
    assert "?" not in token_request.url and "grant_type=authorization_code" in token_request.request_body

    # 6. save it in the user's scope of the Secret Store, with the real stripe SDK
    stripe_client = helpers.make_client(install.api_key, api_base=world.stripe_api_base, trace=trace)
    scope = helpers.SecretScope.for_user(context.user_context.id)
    helpers.save_token(stripe_client, scope, token, expires_at=token.expires_at)

    # 7. a later session (another process) finds it
    found = subprocess.run(
        [sys.executable, "-c", FIND_LATER, install.api_key, world.stripe_api_base, user_id, token.access_token],
        capture_output=True,
        text=True,
        cwd=ROOT / "notebooks",
        check=True,
    )
    assert found.stdout.split() == ["True", str(token.expires_at)]

    # nothing secret in clear in what the trace would show a learner
    shown = trace.render_text()
    for secret in (
        install.api_key,
        oauth_context.code,
        oauth_context.verifier,
        token.access_token,
        token.refresh_token,
    ):
        assert secret not in shown
    assert "/stripe/v1/apps/secrets" in shown and "/provider/token" in shown
    http.close()


def install_manifest() -> dict:
    return json.loads((ROOT / "notebooks" / "stripe-app.json").read_text())


def test_errors_reach_the_learner_as_kit_errors(world):
    http = helpers.http_client(timeout=30)
    install = world.install_app(ROOT / "notebooks" / "stripe-app.json", new_user())
    client = helpers.make_client(install.api_key, api_base=world.stripe_api_base)
    with pytest.raises(helpers.SecretStoreError) as missing:
        helpers.find_token(client, helpers.SecretScope.for_user(install.user_id), name="never_saved")
    assert isinstance(missing.value, helpers.SecretNotFoundError) and "never_saved" in str(missing.value)

    with pytest.raises(helpers.SecretStoreError) as other_user:
        helpers.find_token(client, helpers.SecretScope.for_user("usr_someone_else"))
    assert (
        isinstance(other_user.value, helpers.SecretPermissionError) and "SecretScope.for_user" in other_user.value.hint
    )

    unpermitted = world.install_app({**install_manifest(), "permissions": []}, install.user_id)
    with pytest.raises(helpers.SecretStoreError) as no_permission:
        helpers.find_token(
            helpers.make_client(unpermitted.api_key, api_base=world.stripe_api_base),
            helpers.SecretScope.for_user(install.user_id),
        )
    # The message names the permission and the command that grants it; the hint says where to run it.
    assert isinstance(no_permission.value, helpers.SecretPermissionError)
    assert "secret_write" in str(no_permission.value) and "stripe apps grant permission" in str(no_permission.value)
    assert "stripe-app.json" in no_permission.value.hint

    with pytest.raises(helpers.OAuthError) as bad_code:
        helpers.exchange_code_at(
            f"{world.provider_issuer}/token",
            code="made-up",
            verifier="a" * 43,
            client_id="no-such-client",
            redirect_uri="http://x/y",
            http=http,
        )
    assert bad_code.value.error == "invalid_client"
    assert "What to do:" in str(bad_code.value)
    http.close()

"""The token's life after the exchange, through `helpers` against the sandbox: what 08-token-lifecycle does.

Expiry, refresh with rotation saved over the old secret, reuse of an old refresh token, and
log out (RFC 7009 revocation and deleting the secret), with the real stripe SDK and httpx.
"""

from __future__ import annotations

import time

import pytest

import helpers

from .conftest import make_app


@pytest.fixture
def connected(world, http):
    """An app with a fresh token saved in its user's scope, as 04 leaves it."""
    app = make_app(world, http)
    context = app.approved_context(http)
    token = helpers.exchange_code_at(
        f"{world.provider_issuer}/token",
        code=context["code"],
        verifier=context["verifier"],
        client_id=app.client_id,
        redirect_uri=app.redirect_uri,
        http=http,
    )
    client = helpers.make_client(app.install.api_key, api_base=world.stripe_api_base, http=http)
    scope = helpers.SecretScope.for_user(app.install.user_id)
    helpers.save_token(client, scope, token, expires_at=token.usable_until)
    return app, token, client, scope


def me(world) -> str:
    return f"{world.provider_issuer}/api/me"


def test_the_secret_lives_as_long_as_the_refresh_token(world, connected):
    app, token, client, scope = connected
    (secret,) = helpers.list_secrets(client, scope)
    assert secret.expires_at == token.refresh_expires_at == pytest.approx(time.time() + 30 * 24 * 3600, abs=60)
    assert token.expires_at == pytest.approx(time.time() + 3600, abs=60)


def test_expired_token_is_refreshed_and_saved_over_the_old_secret(world, http, connected):
    app, token, client, scope = connected
    assert helpers.call_api_at(me(world), access_token=token.access_token, http=http)["name"]
    world.let_time_pass(token.access_token, 3600)
    later = time.time() + 3600  # the app's clock, an hour on, like the provider's
    assert token.is_expired(later)
    with pytest.raises(helpers.OAuthError) as refused:
        helpers.call_api_at(me(world), access_token=token.access_token, http=http)
    assert (refused.value.error, refused.value.status_code) == ("invalid_token", 401)

    provider = helpers.Provider(world.provider_issuer, "", f"{world.provider_issuer}/token", app.client_id, "")
    new = helpers.fresh_token(provider, token, http=http, now=later)
    assert new.access_token != token.access_token and new.refresh_token != token.refresh_token
    assert not new.is_expired(later)
    assert helpers.call_api_at(me(world), access_token=new.access_token, http=http)["name"]

    (before,) = helpers.list_secrets(client, scope)
    helpers.save_token(client, scope, new, expires_at=new.usable_until)  # create-or-replace: same name
    (after,) = helpers.list_secrets(client, scope)
    assert after.id == before.id and after.expires_at == new.usable_until
    assert helpers.find_token(client, scope) == new


def test_an_old_refresh_token_used_again_ends_the_grant(world, http, connected):
    app, token, client, scope = connected
    new = helpers.refresh_at(
        f"{world.provider_issuer}/token", refresh_token=token.refresh_token, client_id=app.client_id, http=http
    )
    with pytest.raises(helpers.OAuthError) as reused:
        helpers.refresh_at(
            f"{world.provider_issuer}/token", refresh_token=token.refresh_token, client_id=app.client_id, http=http
        )
    assert reused.value.error == "invalid_grant" and "RFC 9700" in str(reused.value)
    with pytest.raises(helpers.OAuthError, match="invalid_token"):
        helpers.call_api_at(me(world), access_token=new.access_token, http=http)


def test_log_out_revokes_and_deletes(world, http, connected):
    app, token, client, scope = connected
    helpers.revoke_at(
        f"{world.provider_issuer}/revoke",
        token=token.refresh_token,
        token_type_hint="refresh_token",
        client_id=app.client_id,
        http=http,
    )
    helpers.delete_secret(client, scope, "oauth_token")
    with pytest.raises(helpers.OAuthError) as after:
        helpers.call_api_at(me(world), access_token=token.access_token, http=http)
    assert after.value.status_code == 401 and "authorization flow again" in after.value.hint
    with pytest.raises(helpers.SecretStoreError) as gone:
        helpers.find_token(client, scope)
    assert isinstance(gone.value, helpers.SecretNotFoundError)
    with pytest.raises(helpers.OAuthError, match="grant has ended"):
        helpers.refresh_at(
            f"{world.provider_issuer}/token", refresh_token=token.refresh_token, client_id=app.client_id, http=http
        )

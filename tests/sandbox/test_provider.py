"""The provider stand-in, driven by an Authlib OAuth 2 client and plain httpx."""

from __future__ import annotations

import warnings

import authlib.deprecate
import pytest

from helpers.manifest import redirect_url

from .conftest import make_manifest, new_user

with warnings.catch_warnings():
    # Authlib announces that its httpx integration moves to `httpx2` (same API), and
    # forces such warnings to "always" when authlib.deprecate is first imported (hence above).
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client


def test_metadata_names_the_endpoints_and_s256_only(world, http):
    response = http.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    meta = response.json()
    assert meta["issuer"] == world.provider_issuer
    assert meta["authorization_endpoint"] == f"{world.provider_issuer}/authorize"
    assert meta["token_endpoint"] == f"{world.provider_issuer}/token"
    assert meta["registration_endpoint"] == f"{world.provider_issuer}/register"
    assert meta["revocation_endpoint"] == f"{world.provider_issuer}/revoke"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["token_endpoint_auth_methods_supported"] == ["none"]


def test_registration_makes_a_public_client_without_secret(world, http):
    response = http.post(
        f"{world.provider_issuer}/register",
        json={"client_name": "Mine", "redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["client_id"] and "client_secret" not in body
    assert body["redirect_uris"] == ["http://127.0.0.1/cb"]


def test_registration_refuses_a_confidential_client(world, http):
    response = http.post(
        f"{world.provider_issuer}/register",
        json={"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "client_secret_basic"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


def test_authlib_client_discovery_registration_and_pkce_flow(world, http):
    """A third-party OAuth client library completes the whole flow against the sandbox."""
    meta = http.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server").json()
    manifest = make_manifest()
    install = world.install_app(manifest, new_user())
    redirect_uri = redirect_url(manifest["id"], "test", world.dashboard_base)
    registration = http.post(
        meta["registration_endpoint"],
        json={
            "redirect_uris": [redirect_uri],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        },
    ).json()
    auth = {"Authorization": f"Bearer {install.api_key}"}
    state = http.post(f"{world.dashboard_base}/api/oauth_state", json={}, headers=auth).json()

    client = OAuth2Client(
        client_id=registration["client_id"],
        redirect_uri=redirect_uri,
        token_endpoint_auth_method="none",
        code_challenge_method="S256",
    )
    # The Dashboard made the challenge; the client only carries it.
    link, _ = client.create_authorization_url(
        meta["authorization_endpoint"],
        state=state["state"],
        code_challenge=state["challenge"],
        code_challenge_method="S256",
    )
    assert world.consent(link).outcome == "handed_over"
    context = http.get(f"{world.dashboard_base}/api/oauth_context", headers=auth).json()["oauth_context"]

    token = client.fetch_token(meta["token_endpoint"], code=context["code"], code_verifier=context["verifier"])
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600 and token["refresh_token"]

    me = http.get(f"{world.provider_issuer}/api/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == "ada@example.com"

    refreshed = client.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    client.close()


def test_refresh_rotates_and_the_old_refresh_token_is_refused(app, http):
    token = app.token_request(http, app.approved_context(http)).json()
    first = app.refresh_request(http, token["refresh_token"])
    assert first.status_code == 200
    again = app.refresh_request(http, token["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # The rotated-away access token no longer works either.
    old = http.get(f"{app.world.provider_issuer}/api/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert old.status_code == 401


def test_revocation_ends_api_access(app, http):
    token = app.token_request(http, app.approved_context(http)).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert http.get(f"{app.world.provider_issuer}/api/me", headers=headers).status_code == 200
    revoked = http.post(
        f"{app.world.provider_issuer}/revoke", data={"token": token["access_token"], "client_id": app.client_id}
    )
    assert revoked.status_code == 200 and revoked.json() == {}
    after = http.get(f"{app.world.provider_issuer}/api/me", headers=headers)
    assert after.status_code == 401 and after.json()["error"] == "invalid_token"
    refresh = app.refresh_request(http, token["refresh_token"])
    assert refresh.json()["error"] == "invalid_grant"


def test_revoking_an_access_token_ends_its_refreshed_grant(app, http):
    first = app.token_request(http, app.approved_context(http)).json()
    second = app.refresh_request(http, first["refresh_token"]).json()
    http.post(f"{app.world.provider_issuer}/revoke", data={"token": second["access_token"], "client_id": app.client_id})
    refresh = app.refresh_request(http, second["refresh_token"])
    assert refresh.json()["error"] == "invalid_grant"


def test_token_response_says_when_the_refresh_token_expires(app, http):
    token = app.token_request(http, app.approved_context(http)).json()
    assert token["refresh_token_expires_in"] == 30 * 24 * 3600
    assert token["expires_in"] == 3600


def test_token_response_is_not_cached(app, http):
    response = app.token_request(http, app.approved_context(http))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_protected_api_without_token_is_401_with_a_bare_challenge(world, http):
    # RFC 6750 3.1: a request without credentials gets a challenge with no error code.
    response = http.get(f"{world.provider_issuer}/api/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="provider"'
    assert "error" not in response.json()


@pytest.mark.parametrize("prefix", ["/user/ada/proxy/8888"])
def test_pages_follow_the_forwarded_prefix(world, http, prefix):
    """Behind jupyter-server-proxy the metadata points back through the proxy."""
    meta = http.get(
        f"{world.provider_issuer}/.well-known/oauth-authorization-server",
        headers={"X-Forwarded-Prefix": prefix, "X-Forwarded-Host": "hub.example.org", "X-Forwarded-Proto": "https"},
    ).json()
    assert meta["issuer"] == f"https://hub.example.org{prefix}/provider"
    assert meta["token_endpoint"] == f"https://hub.example.org{prefix}/provider/token"


def test_redirect_to_the_dashboard_goes_back_through_the_proxy(app, http):
    """On JupyterHub the browser reaches the sandbox at {prefix}proxy/{port}/…; so must the provider's redirect."""
    prefix = f"/user/ada/proxy/{app.world.port}"
    link, _ = app.link(http)
    forwarded = {"X-Forwarded-Prefix": prefix, "X-Forwarded-Host": "hub.example.org", "X-Forwarded-Proto": "https"}
    page = http.get(link, headers=forwarded)
    assert page.status_code == 200 and 'id="consent-form"' in page.text
    decision = http.post(link, data={"decision": "approve"}, headers=forwarded)
    assert decision.status_code == 302
    location = decision.headers["location"]
    assert location.startswith(f"https://hub.example.org{prefix}/dashboard/test/apps-oauth/{app.install.app_id}?code=")
    # without a proxy, the redirect is the registered URI as it is
    link, _ = app.link(http)
    direct = http.post(link, data={"decision": "approve"})
    assert direct.headers["location"].startswith(f"{app.redirect_uri}?code=")

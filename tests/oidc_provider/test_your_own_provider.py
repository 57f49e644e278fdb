"""Notebook 10's path, step by step, against two providers the kit treats as someone else's:

- panva's oidc-provider (OpenID Certified), run with node: its issuer has a path and its
  metadata sits where OpenID Connect Discovery puts it, it requires PKCE, registers clients
  over RFC 7591, and lets a native client's loopback redirect use any port (RFC 8252 §7.3);
- the kit's own sandbox provider, with no sandbox shortcut: discovery by issuer, registration
  over RFC 7591, consent through its HTML page, the code by paste-back of the redirect address.

Both are driven by the same code, as a learner's real provider would be: only the issuer,
the scope and the API to call differ. A user played over HTTP (tests/oidc_provider/user.py)
signs in and approves at each provider's own pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from helpers import OAuthError, call_api, exchange_code, redirect_urls, refresh, revoke
from helpers.authorize import start_authorization
from helpers.discovery import Discovery, discover
from helpers.local_dashboard import LocalDashboard
from helpers.loopback import LoopbackCatcher
from helpers.paste_back import PasteBack
from helpers.provider import Provider
from helpers.registration import Registration, app_registration_request, register
from helpers.trace import Trace, traced_client

from . import user

APP_ID = "com.example.pkce-kit"
DASHBOARD = redirect_urls(APP_ID)  # the real Dashboard's URLs, as a learner registers them


@dataclass(frozen=True)
class Foreign:
    """What differs between the providers: all the rest is the same code."""

    name: str
    issuer: str
    scope: str
    found_at: str
    tried: int

    def api(self, found: Discovery) -> str:
        # OpenID Connect's userinfo endpoint is a protected API every such provider has;
        # the sandbox's provider has its own /api/me.
        return found.metadata.get("userinfo_endpoint") or f"{self.issuer}/api/me"


@pytest.fixture(params=[pytest.param("sandbox"), pytest.param("oidc-provider", marks=pytest.mark.slow)], scope="module")
def foreign(request) -> Foreign:
    if request.param == "sandbox":
        issuer = request.getfixturevalue("world").provider_issuer
        return Foreign("sandbox", issuer, "account.read", "oauth-authorization-server (RFC 8414 §3.1)", 1)
    issuer = request.getfixturevalue("oidc_issuer")
    found_at = "openid-configuration (OpenID Connect Discovery §4)"
    return Foreign("oidc-provider", issuer, "openid", found_at, 3)


@pytest.fixture(scope="module")
def http():
    trace = Trace()
    with traced_client(trace, timeout=10) as client:
        client.trace = trace
        yield client


@pytest.fixture(scope="module")
def catcher(foreign):
    with LoopbackCatcher() as catcher:
        yield catcher


@pytest.fixture(scope="module")
def found(foreign, http) -> Discovery:
    return discover(foreign.issuer, http=http)


@pytest.fixture(scope="module")
def registration(foreign, found, http, catcher) -> Registration:
    request = app_registration_request(
        "PKCE Kit", [DASHBOARD.test, DASHBOARD.live], scope=foreign.scope, loopback_uri=catcher.redirect_uri
    )
    return register(found.metadata["registration_endpoint"], request, http=http)


def provider_for(found: Discovery, registration: Registration, foreign: Foreign, redirect_uri: str) -> Provider:
    return found.provider(client_id=registration.client_id, redirect_uri=redirect_uri, scope=foreign.scope)


def authorize(provider: Provider) -> tuple[LocalDashboard, str]:
    dashboard = LocalDashboard(
        provider.redirect_uri, issuer=provider.issuer, authorization_endpoint=provider.authorization_endpoint
    )
    _, link = start_authorization(
        dashboard,
        provider.authorization_endpoint,
        client_id=provider.client_id,
        redirect_uri=provider.redirect_uri,
        scope=provider.scope,
    )
    return dashboard, link


def test_discovery_finds_the_metadata_where_the_provider_put_it(foreign, found):
    assert found.kind == foreign.found_at
    assert len(found.attempts) == foreign.tried and found.attempts[-1].used
    assert found.missing() == ()


def test_paste_back_exchange_refresh_and_the_same_hints(foreign, found, registration, http):
    provider = provider_for(found, registration, foreign, DASHBOARD.test)
    dashboard, link = authorize(provider)
    landed = user.act(link)  # the address bar after Approve: the real Dashboard, never visited
    assert landed.startswith(DASHBOARD.test + "?")
    paste = PasteBack(dashboard.oauth_context)
    context = paste.submit(landed)
    assert context is not None, paste.status.value
    code, verifier = context.code_and_verifier()
    token = exchange_code(
        provider.token_endpoint,
        code=code,
        verifier=verifier,
        client_id=provider.client_id,
        redirect_uri=provider.redirect_uri,
        http=http,
    )
    assert token.refresh_token and token.expires_at
    assert call_api(foreign.api(found), access_token=token.access_token, http=http)
    refreshed = refresh(
        provider.token_endpoint, refresh_token=token.refresh_token, client_id=provider.client_id, http=http
    )
    assert refreshed.access_token != token.access_token
    assert call_api(foreign.api(found), access_token=refreshed.access_token, http=http)
    with pytest.raises(OAuthError) as replayed:  # a code works once, at every provider (the grant ends)
        exchange_code(
            provider.token_endpoint,
            code=code,
            verifier=verifier,
            client_id=provider.client_id,
            redirect_uri=provider.redirect_uri,
            http=http,
        )
    assert replayed.value.error == "invalid_grant" and "start the flow again" in replayed.value.hint
    shown = http.trace.render_text(headers=None)
    assert code not in shown and verifier not in shown and token.access_token not in shown


def test_loopback_the_kernel_catches_the_code_itself(foreign, found, registration, http, catcher):
    provider = provider_for(found, registration, foreign, catcher.redirect_uri)
    dashboard, link = authorize(provider)
    landed = user.act(link)
    assert landed.startswith(catcher.redirect_uri + "?")
    browser_page = http.get(landed)  # the browser follows the redirect to the kernel's listener
    assert "close this tab" in browser_page.text
    context = dashboard.oauth_context(catcher.wait(timeout=5))
    token = exchange_code(
        provider.token_endpoint,
        code=context.code,
        verifier=context.verifier,
        client_id=provider.client_id,
        redirect_uri=catcher.redirect_uri,
        http=http,
    )
    revoke(
        found.metadata["revocation_endpoint"],
        token=token.refresh_token,
        token_type_hint="refresh_token",
        client_id=provider.client_id,
        http=http,
    )
    with pytest.raises(OAuthError) as revoked:
        refresh(provider.token_endpoint, refresh_token=token.refresh_token, client_id=provider.client_id, http=http)
    assert revoked.value.error == "invalid_grant"


def test_a_declined_consent_is_refused_with_the_kits_hint(foreign, found, registration):
    provider = provider_for(found, registration, foreign, DASHBOARD.test)
    dashboard, link = authorize(provider)
    paste = PasteBack(dashboard.oauth_context)
    assert paste.submit(user.act(link, approve=False)) is None
    assert repr(paste) == "PasteBack(refused: access_denied)"
    assert "declined on the consent page" in paste.status.value


def test_pkce_is_required_and_the_refusal_comes_back_with_the_kits_hint(foreign, found, registration):
    provider = provider_for(found, registration, foreign, DASHBOARD.test)
    dashboard, link = authorize(provider)
    parts = urlsplit(link)
    without = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("code_challenge", "code_challenge_method")]
    landed = user.act(parts._replace(query=urlencode(without)).geturl())
    with pytest.raises(OAuthError) as refused:
        dashboard.oauth_context(landed)
    assert refused.value.error == "invalid_request" and "code_verifier" in refused.value.hint

"""Notebook 10's path, step by step, against three providers the kit treats as someone else's:

- panva's oidc-provider (OpenID Certified), run with node: its issuer has a path and its
  metadata sits where OpenID Connect Discovery puts it, it requires PKCE, registers clients
  over RFC 7591, sends RFC 9207's iss, and lets a native client's loopback redirect use any
  port (RFC 8252 §7.3);
- Django OAuth Toolkit, from PyPI, mounted under /o/ as its tutorial does: its OpenID Connect
  document lacks the revocation and registration endpoints, which only its RFC 8414 document,
  appended to the issuer, has; it registers over RFC 7591 only with an initial access token,
  sends iss on success but not on errors, and answers introspection (RFC 7662);
- the kit's own sandbox provider, with no sandbox shortcut: discovery by issuer, registration
  over RFC 7591, consent through its HTML page, the code by paste-back of the redirect address.

All are driven by the same code, as a learner's real provider would be: only the issuer, the
scope and what each provider is known to do differ. A user played over HTTP
(tests/oidc_provider/user.py) signs in and approves at each provider's own pages. After log
out, each provider itself is asked whether the grant is over: its protected API refuses the
access token (and DOT's introspection says it is inactive).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from helpers import (
    OAuthError,
    RedirectError,
    RegistrationError,
    call_api_at,
    exchange_code_at,
    redirect_urls,
    refresh_at,
    revoke_at,
)
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
    missing: tuple[str, ...] = ()
    initial_access_token: str | None = None
    # RFC 9207 §2 asks for iss on error answers too; DOT sends it on codes only, so its errors are refused.
    errors_carry_iss: bool = True
    introspection: tuple[str, str] | None = None
    api_url: str | None = None

    def api(self, found: Discovery) -> str:
        # OpenID Connect's userinfo endpoint is a protected API every such provider has;
        # the sandbox's provider has its own /api/me, and the DOT project one beside DOT.
        return self.api_url or found.metadata.get("userinfo_endpoint") or f"{self.issuer}/api/me"


OPENID_APPENDED = "openid-configuration (OpenID Connect Discovery §4)"


@pytest.fixture(
    params=[
        pytest.param("sandbox"),
        pytest.param("oidc-provider", marks=pytest.mark.slow),
        pytest.param("django-oauth-toolkit", marks=pytest.mark.slow),
    ],
    scope="module",
)
def foreign(request) -> Foreign:
    if request.param == "sandbox":
        issuer = request.getfixturevalue("world").provider_issuer
        return Foreign("sandbox", issuer, "account.read", "oauth-authorization-server (RFC 8414 §3.1)", 1)
    if request.param == "oidc-provider":
        return Foreign("oidc-provider", request.getfixturevalue("oidc_issuer"), "openid", OPENID_APPENDED, 3)
    dot = request.getfixturevalue("dot")
    # DOT's metadata lists only client_secret_* methods, though its public clients use none: said, not hidden.
    # Scope read, not openid: DOT cannot sign an ID token for a client registered over RFC 7591 (it has no
    # algorithm), and answers its token request with a 500.
    return Foreign(
        "django-oauth-toolkit",
        dot.issuer,
        "read",
        OPENID_APPENDED,
        4,
        missing=("public clients",),
        initial_access_token=dot.initial_access_token,
        errors_carry_iss=False,
        introspection=dot.introspection,
        api_url=f"{dot.issuer.removesuffix('/o')}/api/me",
    )


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
    return register(
        found.metadata["registration_endpoint"], request, http=http, initial_access_token=foreign.initial_access_token
    )


def provider_for(found: Discovery, registration: Registration, foreign: Foreign, redirect_uri: str) -> Provider:
    return found.provider(client_id=registration.client_id, redirect_uri=redirect_uri, scope=foreign.scope)


def authorize(provider: Provider) -> tuple[LocalDashboard, str]:
    dashboard = LocalDashboard.for_provider(provider)
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
    assert found.missing() == foreign.missing
    assert found.origins["revocation_endpoint"] == found.documents[-1].url


def test_a_provider_mounted_under_a_path_gets_its_revocation_endpoint_from_its_rfc_8414_document(foreign, found):
    if foreign.name != "django-oauth-toolkit":
        pytest.skip("the layout of Django OAuth Toolkit under /o/")
    openid, oauth = found.documents
    assert openid.url == f"{foreign.issuer}/.well-known/openid-configuration"
    assert oauth.url == f"{foreign.issuer}/.well-known/oauth-authorization-server"
    assert found.origins["token_endpoint"] == openid.url
    assert found.origins["revocation_endpoint"] == found.origins["registration_endpoint"] == oauth.url
    assert "fills in revocation_endpoint, registration_endpoint" in found.report()
    assert found.metadata["authorization_response_iss_parameter_supported"] is True


def test_registration_without_the_initial_access_token_says_where_to_get_one(foreign, found, http):
    if foreign.initial_access_token is None:
        pytest.skip("this provider registers anyone")
    request = app_registration_request("PKCE Kit", [DASHBOARD.test], scope=foreign.scope)
    with pytest.raises(RegistrationError) as refused:
        register(found.metadata["registration_endpoint"], request, http=http)
    assert refused.value.status_code == 401 and "initial access token (RFC 7591 §3)" in refused.value.hint


def test_paste_back_exchange_refresh_and_the_same_hints(foreign, found, registration, http):
    provider = provider_for(found, registration, foreign, DASHBOARD.test)
    dashboard, link = authorize(provider)
    landed = user.act(link)  # the address bar after Approve: the real Dashboard, never visited
    assert landed.startswith(DASHBOARD.test + "?")
    paste = PasteBack(dashboard.oauth_context)
    context = paste.submit(landed)
    assert context is not None, paste.status.value
    code, verifier = context.code_and_verifier()
    token = exchange_code_at(
        provider.token_endpoint,
        code=code,
        verifier=verifier,
        client_id=provider.client_id,
        redirect_uri=provider.redirect_uri,
        http=http,
    )
    assert token.refresh_token and token.expires_at
    assert call_api_at(foreign.api(found), access_token=token.access_token, http=http)
    refreshed = refresh_at(
        provider.token_endpoint, refresh_token=token.refresh_token, client_id=provider.client_id, http=http
    )
    assert refreshed.access_token != token.access_token
    assert call_api_at(foreign.api(found), access_token=refreshed.access_token, http=http)
    with pytest.raises(OAuthError) as replayed:  # a code works once, at every provider (the grant ends)
        exchange_code_at(
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
    token = exchange_code_at(
        provider.token_endpoint,
        code=context.code,
        verifier=context.verifier,
        client_id=provider.client_id,
        redirect_uri=catcher.redirect_uri,
        http=http,
    )
    assert call_api_at(foreign.api(found), access_token=token.access_token, http=http)
    assert introspected(foreign, found, token.access_token) in (None, True)
    revoke_at(
        found.metadata["revocation_endpoint"],
        token=token.refresh_token,
        token_type_hint="refresh_token",
        client_id=provider.client_id,
        http=http,
    )
    with pytest.raises(OAuthError) as revoked:
        refresh_at(provider.token_endpoint, refresh_token=token.refresh_token, client_id=provider.client_id, http=http)
    assert revoked.value.error == "invalid_grant"
    # Asked at the provider itself: the access token of the revoked grant is dead too (RFC 7009 §2.1).
    with pytest.raises(OAuthError) as dead:
        call_api_at(foreign.api(found), access_token=token.access_token, http=http)
    assert dead.value.error == "invalid_token" and dead.value.status_code == 401
    assert introspected(foreign, found, token.access_token) in (None, False)


def introspected(foreign: Foreign, found: Discovery, token: str) -> bool | None:
    """RFC 7662's ``active`` for the token, asked by the provider's resource server; None where there is none."""
    if foreign.introspection is None:
        return None
    answer = httpx.post(found.metadata["introspection_endpoint"], data={"token": token}, auth=foreign.introspection)
    return answer.raise_for_status().json()["active"]


def test_a_declined_consent_is_refused_with_the_kits_hint(foreign, found, registration):
    provider = provider_for(found, registration, foreign, DASHBOARD.test)
    dashboard, link = authorize(provider)
    paste = PasteBack(dashboard.oauth_context)
    assert paste.submit(user.act(link, approve=False)) is None
    if foreign.errors_carry_iss:
        assert repr(paste) == "PasteBack(refused: access_denied)"
        assert "declined on the consent page" in paste.status.value
    else:  # RFC 9207 §2.4: an answer without the iss its provider promised is refused, errors too
        assert repr(paste) == "PasteBack(refused: issuer_missing)"
        assert "It says error=access_denied, but that cannot be trusted" in paste.status.value


def test_an_answer_without_the_promised_iss_is_refused(foreign, found, registration):
    provider = provider_for(found, registration, foreign, DASHBOARD.test)
    if not provider.iss_parameter_supported:
        pytest.skip("this provider does not promise iss (RFC 9207)")
    dashboard, link = authorize(provider)
    landed = urlsplit(user.act(link))
    assert ("iss", provider.issuer) in parse_qsl(landed.query)
    stripped = landed._replace(query=urlencode([(k, v) for k, v in parse_qsl(landed.query) if k != "iss"]))
    with pytest.raises(RedirectError) as refused:
        dashboard.oauth_context(stripped.geturl())
    assert refused.value.cause == "issuer_missing"


def test_pkce_is_required_and_the_refusal_comes_back_with_the_kits_hint(foreign, found, registration):
    provider = provider_for(found, registration, foreign, DASHBOARD.test)
    dashboard, link = authorize(provider)
    parts = urlsplit(link)
    without = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("code_challenge", "code_challenge_method")]
    landed = user.act(parts._replace(query=urlencode(without)).geturl())
    if not foreign.errors_carry_iss:
        assert "error=invalid_request" in landed
        with pytest.raises(RedirectError, match="It says error=invalid_request"):
            dashboard.oauth_context(landed)
        return
    with pytest.raises(OAuthError) as refused:
        dashboard.oauth_context(landed)
    assert refused.value.error == "invalid_request" and "code_verifier" in refused.value.hint

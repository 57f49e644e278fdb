"""Notebook 10's loopback path in a real browser: Chromium signs in and approves at the provider's own
pages, follows its redirect to http://127.0.0.1:<port>/callback, and the listener (the kernel's, here
this test process) catches the code by itself, with nothing pasted.

Against oidc-provider the redirect URI was registered without caring for the port (a native client,
RFC 8252 §7.3); against the sandbox's provider, which matches exactly, with the listener's own port.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from helpers import exchange_code_at, redirect_urls
from helpers.authorize import start_authorization
from helpers.discovery import discover
from helpers.local_dashboard import LocalDashboard
from helpers.loopback import LoopbackCatcher
from helpers.registration import app_registration_request, register
from tests.oidc_provider.running import oidc_issuer  # noqa: F401 (a fixture)
from tests.support.lab import screenshot

DASHBOARD = redirect_urls("com.example.pkce-kit")


def sign_in_and_approve_at_oidc_provider(page) -> None:
    page.locator("input[name=login]").fill("ada")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def approve_at_sandbox(page) -> None:
    page.get_by_role("button", name="Approve").click()


@pytest.mark.parametrize("provider_name", ["oidc-provider", "sandbox"])
def test_the_browser_lands_on_the_loopback_listener_and_the_code_arrives(page, request, provider_name):
    if provider_name == "oidc-provider":
        issuer, scope, approve = request.getfixturevalue("oidc_issuer"), "openid", sign_in_and_approve_at_oidc_provider
    else:
        issuer, scope, approve = request.getfixturevalue("world").provider_issuer, "account.read", approve_at_sandbox
    with httpx.Client(timeout=10) as http, LoopbackCatcher() as catcher:
        found = discover(issuer, http=http)
        registration = register(
            found.metadata["registration_endpoint"],
            app_registration_request(
                "PKCE Kit", [DASHBOARD.test, DASHBOARD.live], scope=scope, loopback_uri=catcher.redirect_uri
            ),
            http=http,
        )
        provider = found.provider(client_id=registration.client_id, redirect_uri=catcher.redirect_uri, scope=scope)
        dashboard = LocalDashboard(provider.redirect_uri, issuer=provider.issuer)
        _, link = start_authorization(
            dashboard,
            provider.authorization_endpoint,
            client_id=provider.client_id,
            redirect_uri=provider.redirect_uri,
            scope=scope,
        )

        page.goto(link)
        approve(page)
        expect(page.locator("body")).to_contain_text("You can close this tab")
        assert page.url.startswith(catcher.redirect_uri + "?")
        screenshot(page, f"loopback-{provider_name}")

        context = dashboard.oauth_context(catcher.wait(timeout=10))
        token = exchange_code_at(
            provider.token_endpoint,
            code=context.code,
            verifier=context.verifier,
            client_id=provider.client_id,
            redirect_uri=provider.redirect_uri,
            http=http,
        )
        assert token.access_token and token.refresh_token

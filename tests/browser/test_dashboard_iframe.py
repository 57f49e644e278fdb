"""The TypeScript app as the Dashboard runs it, in Chromium: its real view, its code in an iframe sandboxed with
allow-scripts only (origin null), under the CSP made from its manifest, every fetch subject to CORS.

The path: Authorize, consent in a new tab, back with oauthContext, the exchange (a CORS request from origin
null), the token saved, the provider's API (a preflighted request), a reopened view that finds the token,
refresh after an hour (the API's 401), log out. Then the two failures a learner meets in the real Dashboard:
the provider without CORS, and a connect-src without the token endpoint. The browser's own messages are read
from its console. The same flow runs faster in Node (tests/stripe_app/test_flow.py), where neither applies.
"""

from __future__ import annotations

import json
import re

import pytest
import stripe
from playwright.sync_api import expect

from helpers.manifest import load_manifest
from helpers.stripe_app import KIT_APP, generate_app
from tests.processes import sandbox_log
from tests.stripe_app.example import sandbox_provider
from tests.support.lab import screenshot

MANIFEST = load_manifest(KIT_APP.parent / "notebooks" / "stripe-app.json")


@pytest.fixture(scope="module")
def provider(world):
    return sandbox_provider(world)


@pytest.fixture(scope="module")
def app_folder(world, provider, tmp_path_factory):
    """The kit's app generated for the sandbox, as notebook 09 does; the kit's own packages, linked."""
    folder = tmp_path_factory.mktemp("iframe") / "my-stripe-app"
    generate_app(
        folder, MANIFEST, provider, template=KIT_APP, dashboard_base=world.dashboard_base, provider_name="the sandbox"
    )
    (folder / "node_modules").symlink_to(KIT_APP / "node_modules", target_is_directory=True)
    return folder


def console(page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


def drawer(page):
    return page.locator("#kit-drawer")


def authorize_and_approve(page):
    """Press the app's Authorize: the provider's consent page opens in a new tab; approve there."""
    authorize = drawer(page).get_by_role("link", name="Authorize at the sandbox")
    expect(authorize).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        authorize.click()
    consent = opened.value
    consent.get_by_role("button", name="Approve").click()
    expect(consent.locator("#landing")).to_have_attribute("data-result", "code")
    consent.close()


def test_the_whole_flow_in_the_sandboxed_iframe(world, app_folder, page):
    messages = console(page)
    user = "usr_iframe1"
    page.goto(world.open_app(app_folder, user))
    expect(drawer(page)).to_contain_text("Not connected yet")
    assert page.locator("iframe.extension-frame").get_attribute("sandbox") == "allow-scripts"
    screenshot(page, "dashboard-app-signed-out")

    authorize_and_approve(page)
    expect(drawer(page)).to_contain_text("Signed in as Ada Learner", timeout=60_000)
    expect(drawer(page)).to_contain_text("The token is saved in your user scope")
    screenshot(page, "dashboard-app-signed-in")

    install = world.install_app(app_folder / "stripe-app.json", user)
    client = stripe.StripeClient(install.api_key, base_addresses={"api": world.stripe_api_base})
    found = client.v1.apps.secrets.find(
        {"name": "oauth_token", "scope": {"type": "user", "user": user}, "expand": ["payload"]}
    )
    token = json.loads(found.payload)
    log = sandbox_log(world, r"OPTIONS /provider/api/me 204")
    # The exchange and the API call came from the iframe: origin null, the API's call preflighted.
    assert re.search(r"OPTIONS /provider/api/me 204", log)

    page.reload()  # the view opened again: it finds the saved token
    expect(drawer(page)).to_contain_text("Found your saved token", timeout=60_000)

    world.let_time_pass(token["access_token"], 3600)  # the provider's clock an hour on: the API answers 401
    page.reload()
    expect(drawer(page)).to_contain_text("Signed in as Ada Learner", timeout=60_000)
    refreshed = json.loads(
        client.v1.apps.secrets.find(
            {"name": "oauth_token", "scope": {"type": "user", "user": user}, "expand": ["payload"]}
        ).payload
    )
    assert refreshed["refresh_token"] != token["refresh_token"]  # refreshed on the 401, the rotated pair saved

    drawer(page).get_by_role("button", name="Log out of the sandbox").click()
    expect(drawer(page)).to_contain_text("The token is deleted and revoked", timeout=60_000)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.apps.secrets.find({"name": "oauth_token", "scope": {"type": "user", "user": user}})
    assert not [m for m in messages if "CORS" in m or "Content Security Policy" in m], messages


def test_without_cors_at_the_provider_the_browser_withholds_the_answer(world, app_folder, page):
    messages = console(page)
    page.goto(world.open_app(app_folder, "usr_iframe2"))
    world.set_cors(False)
    try:
        expect(drawer(page)).to_contain_text("Not connected yet")
        authorize_and_approve(page)
        expect(drawer(page)).to_contain_text("The browser refused the request to", timeout=60_000)
        expect(drawer(page)).to_contain_text("Access-Control-Allow-Origin: null")
        screenshot(page, "dashboard-app-no-cors")
    finally:
        world.set_cors(True)
    blocked = [m for m in messages if "has been blocked by CORS policy" in m]
    assert blocked and "from origin 'null'" in blocked[0] and "/provider/token" in blocked[0], messages
    assert "No 'Access-Control-Allow-Origin' header is present" in blocked[0]
    # A simple POST is sent before CORS is checked: the provider did exchange the code, the app never saw it.
    assert re.search(r"POST /provider/token 200", sandbox_log(world, r"POST /provider/token 200"))


def test_a_connect_src_without_the_token_endpoint_is_refused_by_the_csp(world, provider, app_folder, page, tmp_path):
    folder = tmp_path / "no-token-in-csp"
    generate_app(
        folder, MANIFEST, provider, template=KIT_APP, dashboard_base=world.dashboard_base, provider_name="the sandbox"
    )
    manifest_file = folder / "stripe-app.json"
    manifest = json.loads(manifest_file.read_text())
    policy = manifest["ui_extension"]["content_security_policy"]
    policy["connect-src"] = [entry for entry in policy["connect-src"] if not entry.endswith("/token")]
    manifest_file.write_text(json.dumps(manifest, indent=2))
    messages = console(page)
    page.goto(world.open_app(folder, "usr_iframe3"))  # its node_modules: the kit's, passed by open_app
    expect(drawer(page)).to_contain_text("Not connected yet")
    authorize_and_approve(page)
    expect(drawer(page)).to_contain_text("The browser refused the request to", timeout=60_000)
    expect(page.locator("#kit-refusals")).to_contain_text("connect-src refused")
    expect(page.locator("#kit-refusals")).to_contain_text("/provider/token")
    screenshot(page, "dashboard-app-no-connect-src")
    refused = [m for m in messages if "Refused to connect" in m]
    assert refused and "/provider/token" in refused[0] and "Content Security Policy" in refused[0], messages

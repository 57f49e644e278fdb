"""The JupyterLite edition (`make lite`), built here and served as a static host would, in headless Chromium.

The site is built once for the module (tools/lite_site.py, from the cached wheels and Pyodide), then:
its configuration names nothing outside it, and every wheel is the one Pyodide's lock names;
each notebook of the core path, run as a learner would (Run All), shows its widgets with no
"Error displaying widget", no error output and no console error, as in tests/browser; 06's app signs in
by itself once the user approves on the consent page the notebook shows (or says why not, on Deny); and
05's later session, a restarted kernel and then a reloaded page, finds the token saved before. No
request of any page, nor of its kernel's worker, leaves the site on 127.0.0.1.
"""

from __future__ import annotations

import json
from hashlib import sha256

import pytest
from playwright.sync_api import expect

from tests.support.lab import WIDGET_TIMEOUT, assert_clean, expect_its_widgets, run_all, run_cell_again, screenshot
from tests.support.lite import (
    BROWSER_ONLY_FOLDER,
    KERNEL_TIMEOUT,
    Requests,
    StaticSite,
    address_beside_loopback,
    kernel_idle,
    open_notebook,
)
from tools.learner_edition import broken_links
from tools.lite_site import KERNEL_PLUGIN, build, external_addresses
from tools.run_notebooks import notebook_paths

CORE = [path.name for path in notebook_paths() if path.name[:2] <= "06"]  # the core path, as tests/notebooks counts it


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = StaticSite(build(tmp_path_factory.mktemp("lite") / "site"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def requests(page, site):
    return Requests(page.context, site)


def test_every_link_in_the_sites_notebooks_leads_to_a_file_in_it(site):
    """09 and 10 are left out: 00 and 06 name them without a link that would lead nowhere."""
    assert broken_links(site.folder / "files") == []
    index = (site.folder / "files/notebooks/00-index.ipynb").read_text()
    assert "09-your-stripe-app.ipynb" not in index and "not in the browser edition" in index


def test_the_site_loads_pyodide_and_every_wheel_from_itself(site):
    folder = site.folder
    settings = json.loads((folder / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"]
    kernel = settings[KERNEL_PLUGIN]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
    assert external_addresses(folder) == []
    lock = json.loads((folder / "static/pyodide/pyodide-lock.json").read_text())["packages"]
    for name, package in lock.items():
        wheel = folder / "static/pyodide" / package["file_name"]
        assert sha256(wheel.read_bytes()).hexdigest() == package["sha256"], name
    assert {"micropip", "stripe-apps-pkce-kit", "markupsafe", "ipywidgets"} <= set(lock)
    assert set(kernel["loadPyodideOptions"]["packages"]) == set(lock) - {"micropip"}


@pytest.mark.parametrize("notebook", [name for name in CORE if name[:2] not in ("02", "05", "06")])
def test_each_core_notebook_runs_in_the_browser_alone(page, site, requests, notebook):
    """00, 01, 03, 04; 02, 05 and 06 run in their own tests below, which check these and their flows."""
    open_notebook(page, site, notebook)
    run_all(page, notebook, kernel_timeout=KERNEL_TIMEOUT)
    expect_its_widgets(page, notebook)
    screenshot(page, f"lite-{notebook.removesuffix('.ipynb')}")
    assert_ran_in_the_page_alone(page, requests)


def assert_ran_in_the_page_alone(page, requests) -> None:
    """The page is clean (tests/browser's checks) and nothing left the site, though the requests
    watched did include the kernel's worker fetching Pyodide and the wheels (so they were seen)."""
    assert_clean(page, BROWSER_ONLY_FOLDER)
    assert requests.outside == []
    assert any(url.endswith("pyodide.asm.wasm") for url in requests.inside)
    assert any(url.endswith(".whl") for url in requests.inside)


def test_02s_authorize_shows_the_consent_page_in_the_notebook(page, site, requests):
    """02's Authorize button (a link to a new tab on a laptop) shows the provider's page under it; Approve
    lands on the Dashboard's page, which says what it handed over."""
    open_notebook(page, site, "02-authorization-link.ipynb")
    run_all(page, "02-authorization-link.ipynb", kernel_timeout=KERNEL_TIMEOUT)
    expect_its_widgets(page, "02-authorization-link.ipynb")
    authorize = (
        page.locator(".jp-CodeCell").filter(has_text="authorize = kit.authorize_button()").locator(".jp-OutputArea")
    )
    authorize.get_by_role("button", name="Authorize PKCE Kit Example", exact=True).click()
    consent = authorize.frame_locator("iframe").first
    expect(consent.locator("#consent-title")).to_contain_text("PKCE Kit Example")
    authorize.get_by_role("button", name="Approve", exact=True).click()
    expect(consent.locator("#landing")).to_contain_text("You approved the app")
    screenshot(page, "lite-02-authorize")
    assert_ran_in_the_page_alone(page, requests)


def test_deny_then_approve_in_the_notebook_and_the_app_signs_in_by_itself(page, site, requests):
    """06's "Your turn" in the browser alone: Authorize shows the provider's consent page in the notebook
    (no server can serve it to a second tab). Deny lands on the Dashboard's page there and the app says
    why nothing arrived; on a new link, Approve, and the app picks up oauthContext by itself, as on a
    laptop (tests/browser)."""
    app = run_06(page, site)
    consent = app.frame_locator("iframe").first

    app.get_by_role("button", name="Authorize ExampleApp").click()
    expect(consent.locator("#consent-title")).to_contain_text("PKCE Kit Example")
    screenshot(page, "lite-consent")
    app.get_by_role("button", name="Deny", exact=True).click()
    expect(consent.locator("#landing")).to_contain_text("You did not approve the app")
    expect(app).to_contain_text("access_denied", timeout=WIDGET_TIMEOUT)
    expect(app).to_contain_text("not connected")
    screenshot(page, "lite-denied")

    app.get_by_role("button", name="New link").click()
    expect(app).to_contain_text("A fresh link")
    app.get_by_role("button", name="Authorize ExampleApp").click()
    app.get_by_role("button", name="Approve", exact=True).click()
    expect(consent.locator("#landing")).to_contain_text("You approved the app")
    expect(app).to_contain_text("connected: the token is saved", timeout=WIDGET_TIMEOUT, ignore_case=True)
    expect(app).to_contain_text("expires in about 60 min")
    screenshot(page, "lite-signed-in")
    app.get_by_role("button", name="Reopen (find the saved token)").click()  # a later session finds it
    expect(app).to_contain_text("found the saved token")
    assert_ran_in_the_page_alone(page, requests)


def test_a_fresh_kernel_finds_the_token_saved_before(page, site, requests):
    """05's later session in the browser: the secret outlives the kernel (restarted) and the page (reloaded).
    Run All ends by deleting the token (05's step 4), so first its first cell again saves one, as the
    notebook tells a learner who ran it all."""
    open_notebook(page, site, "05-find-secret.ipynb")
    run_all(page, "05-find-secret.ipynb", kernel_timeout=KERNEL_TIMEOUT)
    run_cell_again(page, page.locator(".jp-CodeCell").first)
    later = page.locator(".jp-CodeCell").filter(has_text="# A new session: this cell needs nothing")
    page.locator("#jp-MainMenu").get_by_text("Kernel", exact=True).click()
    page.get_by_text("Restart Kernel…", exact=True).click()
    page.locator(".jp-Dialog button.jp-mod-accept").click()
    kernel_idle(page)
    run_cell_again(page, later)
    expect(later.locator(".jp-OutputArea")).to_contain_text("found a token for usr_learner01")
    page.reload()
    kernel_idle(page)
    later = page.locator(".jp-CodeCell").filter(has_text="# A new session: this cell needs nothing")
    run_cell_again(page, later)
    expect(later.locator(".jp-OutputArea")).to_contain_text("found a token for usr_learner01")
    screenshot(page, "lite-later-session")
    assert_ran_in_the_page_alone(page, requests)


def run_06(page, site):
    """06 run as a learner runs it; the output of its "Your turn" cell, the app not yet signed in."""
    open_notebook(page, site, "06-the-whole-app.ipynb")
    run_all(page, "06-the-whole-app.ipynb", kernel_timeout=KERNEL_TIMEOUT)
    app = page.locator(".jp-Cell").filter(has_text="yours = kit.example_app(").locator(".jp-OutputArea")
    app.scroll_into_view_if_needed()
    expect(app).to_contain_text("not connected", timeout=WIDGET_TIMEOUT)
    return app


def test_served_on_plain_http_to_another_machine_the_notebook_says_why_kit_is_missing(page, site):
    """A laptop serving the site to a room on plain HTTP: the browser lends the site's files to the kernel
    only on a secure page, so the notebooks' kit.py is out of reach. The first cell says so and what to do
    (lite/kit-outside-its-folder), instead of "No module named 'kit'"."""
    address = address_beside_loopback()
    if address is None:
        pytest.skip("this machine has no network address but loopback to serve the site on")
    room = StaticSite(site.folder, host=address)
    try:
        page.goto(room.notebook_url("00-index.ipynb"))
        kernel_idle(page)
        first = page.locator(".jp-CodeCell").first
        run_cell_again(page, first)
        output = first.locator(".jp-OutputArea")
        expect(output).to_contain_text("This kernel cannot reach the notebooks' folder")
        expect(output).to_contain_text("What to do: Serve the site on your own machine and open it on localhost")
        expect(output).not_to_contain_text("ModuleNotFoundError")
        output.scroll_into_view_if_needed()
        screenshot(page, "lite-plain-http")
    finally:
        room.stop()

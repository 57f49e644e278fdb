"""The kit in a real browser: JupyterLab driven by headless Chromium.

Every notebook is opened and run as a learner would (Run All), and must show its widgets with
no "Error displaying widget", no error output and no console error. Then the browser path of
06-the-whole-app: Authorize opens the consent page in a new tab, Approve lands on the
Dashboard page, and the app in the notebook picks up oauthContext by itself. The browser
path runs twice: on a laptop's JupyterLab (`make lab`), and under a base URL, where every
sandbox page goes through jupyter-server-proxy as on JupyterHub and Binder.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.kernel_client import LAB_PAGE_REQUESTS
from tests.support.lab import (
    WIDGET_TIMEOUT,
    LabServer,
    assert_clean,
    expect_its_widgets,
    open_and_run,
    run_cell_again,
    screenshot,
    stop_sandbox,
    your_app,
)
from tools.run_notebooks import notebook_paths

BASE_URLS = {"laptop": "/", "proxied": "/user/alice/"}


@pytest.fixture(scope="module", params=list(BASE_URLS))
def lab(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    try:
        server = LabServer(tmp, base_url=BASE_URLS[request.param], name=request.param)
        try:
            yield server
        finally:
            server.stop()
    finally:
        stop_sandbox(tmp / "sandbox")


@pytest.mark.parametrize("lab", ["laptop"], indirect=True)  # once is enough; the proxied server runs the flow
@pytest.mark.parametrize("notebook", [p.name for p in notebook_paths()])
def test_each_notebook_runs_in_jupyterlab(page, lab, notebook):
    open_and_run(page, lab, notebook)
    expect_its_widgets(page, notebook)
    screenshot(page, f"laptop-{notebook.removesuffix('.ipynb')}")
    assert_clean(page)


@pytest.mark.parametrize("lab", ["laptop"], indirect=True)
def test_the_walk_asks_what_the_lab_page_asks(page, lab):
    """The benches' learners without a browser (tests/kernel_client.py) ask the server what a real Lab page
    asks as it opens a notebook, under the kit's settings: no more (a build check the page no longer makes
    would cost each server in the room a run of node; the list of nbconvert's formats, which would load
    nbconvert), no less (the settings, the translations)."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url.removeprefix(lab.url).split("?")[0]))
    notebook = "00-index.ipynb"
    # A fresh workspace, as a learner's first page has: without it, a notebook an earlier test left open
    # comes back beside this one, with its own idle indicator, hidden, that the wait below would find first.
    page.goto(f"{lab.url}lab/tree/notebooks/{notebook}?reset")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=WIDGET_TIMEOUT)
    page.wait_for_load_state("networkidle")
    # Static files aside (a kernel's logo among them, asked only when a launcher shows), and what opening
    # this notebook asks (Server.open_notebook makes those requests).
    own = re.compile(r"lab/tree/|api/contents/notebooks|api/sessions/|api/kernels/")
    page_requests = {
        url
        for url in asked
        if not url.startswith(("static/", "lab/extensions/", "kernelspecs/")) and not own.match(url)
    }
    assert page_requests == set(LAB_PAGE_REQUESTS), (
        f"the page asked, and LAB_PAGE_REQUESTS lacks: {sorted(page_requests - set(LAB_PAGE_REQUESTS))}; "
        f"LAB_PAGE_REQUESTS asks, and the page did not: {sorted(set(LAB_PAGE_REQUESTS) - page_requests)}"
    )


def first_app(page):
    """The output of 06's first app (step 1): signed in by the cells that follow it."""
    return page.locator(".jp-Cell").filter(has_text="app = kit.example_app()").first.locator(".jp-OutputArea")


def test_authorize_in_the_browser_and_the_app_signs_in_by_itself(page, lab):
    open_and_run(page, lab, "06-the-whole-app.ipynb")
    app = your_app(page, lab)
    earlier = first_app(page).inner_text()
    app.scroll_into_view_if_needed()
    expect(app).to_contain_text("not connected")
    with page.expect_popup() as opened:
        app.locator("a.kit-authorize").click()
    consent = opened.value
    consent.wait_for_load_state()
    expected_start = f"{lab.url}proxy/" if lab.name == "proxied" else "http://127.0.0.1:"
    assert consent.url.startswith(expected_start), consent.url
    expect(consent.locator("#consent-title")).to_contain_text("PKCE Kit Example")
    screenshot(consent, f"{lab.name}-consent")
    consent.get_by_role("button", name="Approve").click()
    expect(consent.locator("#landing")).to_contain_text("You approved the app")
    approved_at = time.monotonic()
    screenshot(consent, f"{lab.name}-landing")

    page.bring_to_front()
    expect(app).to_contain_text("connected: the token is saved", timeout=WIDGET_TIMEOUT, ignore_case=True)
    seconds = time.monotonic() - approved_at
    screenshot(page, f"{lab.name}-signed-in")
    assert seconds <= 2.5, f"the app took {seconds:.1f} s to pick up oauthContext"
    expect(app).to_contain_text("expires in about 60 min")
    # After Run All, only the newest app asks for oauthContext: no earlier app on the page took it.
    assert first_app(page).inner_text() == earlier
    app.get_by_role("button", name="Reopen (find the saved token)").click()  # a later session finds it
    expect(app).to_contain_text("found the saved token")
    assert_clean(page)


def test_deny_and_a_tampered_state_say_why_nothing_arrived(page, lab):
    open_and_run(page, lab, "06-the-whole-app.ipynb")
    app = your_app(page, lab)
    # The href is relative under a proxy (the browser supplies the host): resolve it as a click would.
    link = urljoin(page.url, app.locator("a.kit-authorize").get_attribute("href"))

    tampered = page.context.new_page()
    tampered.goto(link.replace("state=", "state=tampered"))
    tampered.get_by_role("button", name="Approve").click()
    expect(tampered.locator("#landing")).to_contain_text("Nothing was handed to the app")
    expect(tampered.locator("#landing")).to_contain_text("not one the Dashboard created")
    screenshot(tampered, f"{lab.name}-tampered-state")

    denied = page.context.new_page()
    denied.goto(link)
    denied.get_by_role("button", name="Deny").click()
    expect(denied.locator("#landing")).to_contain_text("You did not approve the app")
    page.bring_to_front()
    expect(app).to_contain_text("access_denied", timeout=WIDGET_TIMEOUT)
    expect(app).to_contain_text("not connected")
    screenshot(page, f"{lab.name}-denied")


@pytest.mark.parametrize("lab", ["laptop"], indirect=True)  # the routing is the kernel's: one server is enough
def test_your_turn_signs_in_after_an_earlier_app_cell_ran_again(page, lab):
    """Issue 17's traps: an earlier app cell run again must not take Your turn's oauthContext; New link works."""
    open_and_run(page, lab, "06-the-whole-app.ipynb")
    earlier = page.locator(".jp-Cell").filter(has_text="app = kit.example_app()").first
    run_cell_again(page, earlier)  # the learner runs the earlier cell again: its app is the newest now
    rerun = first_app(page)
    expect(rerun).to_contain_text("not connected")

    yours = your_app(page, lab)
    yours.scroll_into_view_if_needed()
    authorize_in_a_new_tab(page, yours)
    expect(yours).to_contain_text("connected: the token is saved", timeout=WIDGET_TIMEOUT, ignore_case=True)
    expect(rerun).to_contain_text("not connected")  # the newer view asked, and handed the context on
    screenshot(page, f"{lab.name}-your-turn-after-a-rerun")

    # The app's New link: a fresh link on its Authorize, which then signs it in.
    spent = rerun.locator("a.kit-authorize").get_attribute("href")
    rerun.get_by_role("button", name="New link").click()
    expect(rerun).to_contain_text("A fresh link")
    # The status line and the link are two widgets, each its own message: wait for the link's too.
    expect(rerun.locator("a.kit-authorize")).not_to_have_attribute("href", spent)
    authorize_in_a_new_tab(page, rerun)
    expect(rerun).to_contain_text("connected: the token is saved", timeout=WIDGET_TIMEOUT, ignore_case=True)
    assert_clean(page)


def authorize_in_a_new_tab(page, app) -> None:
    """Click the app's Authorize, approve on the consent page it opens, and come back to the notebook."""
    with page.expect_popup() as opened:
        app.locator("a.kit-authorize").click()
    consent = opened.value
    consent.get_by_role("button", name="Approve").click()
    expect(consent.locator("#landing")).to_contain_text("You approved the app")
    page.bring_to_front()

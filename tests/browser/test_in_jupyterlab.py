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

import nbformat
import pytest
from playwright.sync_api import expect

from tools.run_notebooks import NOTEBOOKS, notebook_paths

from .conftest import LabServer, screenshot, stop_sandbox

BASE_URLS = {"laptop": "/", "proxied": "/user/alice/"}
# Waits sized for a loaded 2-core machine (make test-under-load): a widget's view is drawn only
# once its kernel-side model has reached the page, seconds after the cell ran when the CPUs are busy.
WIDGET_TIMEOUT = 90_000


@pytest.fixture(scope="module", params=list(BASE_URLS))
def lab(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    try:
        server = LabServer(tmp, base_url=BASE_URLS[request.param])
        server.name = request.param
        try:
            yield server
        finally:
            server.stop()
    finally:
        stop_sandbox(tmp / "sandbox")


def open_and_run(page, lab, notebook: str) -> None:
    """Open a notebook, Run All as a learner would, and wait until every cell has run.

    Same steps as tests/hub/hub.py's Learner.open_and_run: the page can say "idle" before its
    kernel is attached, and a Run All sent then runs nothing (or asks "Select Kernel", which the
    page fixture answers). The notebook comes with its outputs, so they are cleared first: a
    number on the first cell then means it ran now.
    """
    page.goto(f"{lab.url}lab/tree/notebooks/{notebook}?reset")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    menu = page.locator("#jp-MainMenu")
    panel = page.locator(".jp-NotebookPanel:visible")
    first_prompt = panel.locator(".jp-CodeCell .jp-InputPrompt").first
    for command, menu_name, ran in (("Clear Outputs of All Cells", "Edit", False), ("Run All Cells", "Run", True)):
        for _ in range(6):
            menu.get_by_text(menu_name, exact=True).click()
            page.get_by_text(command, exact=True).click()
            try:
                if ran:  # queued ([*]) or done ([1]): a second Run All now would run the notebook twice
                    expect(first_prompt).to_have_text(re.compile(r"\[(\d+|\*)\]"), timeout=10_000)
                else:
                    expect(first_prompt).not_to_have_text(re.compile(r"\[\d+\]"), timeout=10_000)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError(f"{command} had no effect on {notebook}")
    # Run All is done when no cell waits or runs ([*]) and the kernel is idle again.
    for attempt in range(2):
        expect(panel.locator(".jp-InputPrompt", has_text="[*]")).to_have_count(0, timeout=90_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        prompts = panel.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        if all(re.search(r"\[\d+\]", prompt) for prompt in prompts):
            return
        # A cell that failed stops Run All: that is the notebook's fault, and the test says which.
        errors = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"{notebook} stopped on an error: {errors.first.inner_text()[:2000]}"
        # No error, yet cells left unrun: under load the page can drop part of a Run All. Once more.
        if attempt == 0:
            menu.get_by_text("Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
    raise AssertionError(f"{notebook}: cells left unrun after two Run All, with no error: {prompts}")


def assert_clean(page) -> None:
    assert page.locator("text=Error displaying widget").count() == 0
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()
    assert page.console_errors == []


@pytest.mark.parametrize("lab", ["laptop"], indirect=True)  # once is enough; the proxied server runs the flow
@pytest.mark.parametrize("notebook", [p.name for p in notebook_paths()])
def test_each_notebook_runs_in_jupyterlab(page, lab, notebook):
    open_and_run(page, lab, notebook)
    if shows_widgets(NOTEBOOKS / notebook):
        widgets = page.locator(".jp-OutputArea-output .widget-html, .jp-OutputArea-output .widget-button")
        expect(widgets.first).to_be_attached(timeout=WIDGET_TIMEOUT)
    screenshot(page, f"laptop-{notebook.removesuffix('.ipynb')}")
    assert_clean(page)


def shows_widgets(path) -> bool:
    """Whether the notebook, as committed, displays any widget (09 shows only text and code)."""
    return any(
        "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        for cell in nbformat.read(path, as_version=4).cells
        for output in cell.get("outputs", [])
    )


def your_app(page, lab):
    """The output of the "Your turn, in the browser" cell of 06: the app the learner authorizes.

    Under load the page may draw the output before the widget's model has reached it, and then
    shows the widget's text form for good; once the kernel was seen restarted after Run All. Then
    the notebook is opened and run again, as a learner would, on a fresh page.
    """
    app = page.locator(".jp-Cell").filter(has_text="yours = kit.example_app(").locator(".jp-OutputArea")
    try:
        expect(app.locator("a.kit-authorize")).to_have_count(1, timeout=WIDGET_TIMEOUT)
    except AssertionError:
        screenshot(page, f"{lab.name}-no-authorize-link-first-time")
        open_and_run(page, lab, "06-the-whole-app.ipynb")
        expect(app.locator("a.kit-authorize")).to_have_count(1, timeout=WIDGET_TIMEOUT)
    return app


def run_cell_again(page, cell) -> None:
    """Run one cell again (Shift+Enter in it) and wait until it has run."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    expect(prompt).not_to_have_text(before, timeout=WIDGET_TIMEOUT)
    expect(prompt).not_to_have_text(re.compile(r"\*"), timeout=WIDGET_TIMEOUT)


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
    assert rerun.locator("a.kit-authorize").get_attribute("href") != spent
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

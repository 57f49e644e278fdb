"""Fixtures shared by the test folders.

`browser` (Debian's headless Chromium, never a downloaded build) and `page` (a page in it, whose console
errors it keeps) serve the browser tests and the JupyterLite edition's (tests/browser, tests/lite). The
servers they drive and a learner's steps are plain code in tests/support/ (lab.py, lite.py), which bench/
uses too. A failed test leaves screenshots of its pages in tests/artifacts/.
"""

from __future__ import annotations

import pytest

import sandbox
from tests.processes import stop_sandbox
from tools.chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    """One real sandbox for the session (an xdist worker: its own), in a temporary folder; stopped however it ends."""
    data_dir = tmp_path_factory.mktemp("sandbox")
    try:
        yield sandbox.start(data_dir)
    finally:
        stop_sandbox(data_dir)


@pytest.fixture(scope="session")
def installed_kit(tmp_path_factory):
    """The kit installed as the hub recipes install it (tests/installed.py): slow, about a minute."""
    from tests.installed import install_kit

    return install_kit(tmp_path_factory.mktemp("installed"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, which the browser and hub tests drive (tools/chromium.py)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: `make test` installs Debian's chromium package "
            "(apt-get install chromium); elsewhere set KIT_CHROMIUM to a Chromium or Chrome binary."
        )
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.failed_call = outcome.get_result().failed


@pytest.fixture
def page(browser, request):
    from tests.support.lab import screenshot

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} ({message.location['url']})") if message.type == "error" else None
        ),
    )
    # A Run All that comes before the page has its kernel asks "Select Kernel": accept the
    # preferred one, as a learner would.
    page.add_locator_handler(
        page.locator(".jp-Dialog").filter(has_text="Select Kernel"),
        lambda dialog: dialog.locator("button.jp-mod-accept").click(),
    )
    page.console_errors = errors
    yield page
    if getattr(request.node, "failed_call", False):  # what the page showed when the test failed
        for number, open_page in enumerate(context.pages):
            screenshot(open_page, f"failed-{request.node.name}-{number}".replace("/", "_"))
    context.close()

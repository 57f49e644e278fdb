"""Fixtures of the browser tests: Debian's headless Chromium (never a downloaded build) and a page in it.

Where Chromium is (`chromium_path`) is a fixture of tests/conftest.py, which the hub tests use too.

The JupyterLab server they drive, and a learner's steps in it, are plain code in tests/support/lab.py,
which bench/browser.py uses too. A failed test leaves screenshots of its pages in tests/artifacts/.
"""

from __future__ import annotations

import pytest

from tests.support.lab import screenshot
from tools.chromium import CHROMIUM_ARGS


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
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
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

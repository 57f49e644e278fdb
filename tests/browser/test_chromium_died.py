"""tests/support/chromium.py: a script whose Chromium died runs once more in a new one; nothing else is retried."""

from __future__ import annotations

import psutil
import pytest

from tests.support.chromium import in_chromium
from tests.support.event_loop import in_a_thread

pytestmark = pytest.mark.browser

PAGE = "data:text/html,<title>here</title>"


def browsers_started_by_us() -> set[int]:
    """Chromium's live main processes under this test process (its helpers carry --type=)."""
    found = set()
    for process in psutil.Process().children(recursive=True):
        try:  # a Chromium an earlier test closed may linger as a zombie until its parent reaps it
            if "chrom" in process.name() and not any(word.startswith("--type=") for word in process.cmdline()):
                found.add(process.pid)
        except psutil.Error:
            continue
    return found


def test_a_script_whose_chromium_died_runs_again_in_a_new_one(chromium_path):
    before = browsers_started_by_us()
    attempts = []

    async def script(browser):
        page = await browser.new_page()
        attempts.append(browsers_started_by_us() - before)
        if len(attempts) == 1:
            for pid in attempts[0]:
                psutil.Process(pid).kill()
        await page.goto(PAGE)
        return await page.title()

    with pytest.warns(UserWarning, match="Chromium died under the script"):
        assert in_a_thread(in_chromium(chromium_path, script)) == "here"
    assert len(attempts) == 2 and attempts[0] and attempts[1] and not attempts[0] & attempts[1]


def test_a_script_that_fails_in_a_live_chromium_is_not_run_again(chromium_path):
    from playwright.async_api import Error

    attempts = []

    async def script(browser):
        attempts.append(1)
        page = await browser.new_page()
        await page.close()
        await page.goto(PAGE)  # a closed page, in a Chromium still alive: the script's own fault

    with pytest.raises(Error, match="closed"):
        in_a_thread(in_chromium(chromium_path, script))
    assert attempts == [1]

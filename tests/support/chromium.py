"""A Chromium of its own for an async Playwright script (the hub tests).

The hub tests drive their browsers with Playwright's async API, each script run in a thread with its own
event loop (tests/support/event_loop.py), so the session's sync Playwright (tests/conftest.py) is not in the way.

Chromium itself once died under a hub test in CI, right after it started: its first `goto` raised
"Target page, context or browser has been closed", with no step of the kit's in between, and the
same test passed seven times out of seven here. So a script whose Chromium disconnected is run once
more in a new one, with a warning that says so; any other failure (a page that closed, an
expectation not met) fails at once. A script that changed the hub before the crash meets that change
the second time and fails on it, as it should.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tools.chromium import CHROMIUM_ARGS

T = TypeVar("T")
ATTEMPTS = 2


async def in_chromium(chromium: str, script: Callable[..., Awaitable[T]], *args: Any) -> T:
    """`await script(browser, *args)` in a fresh headless Chromium; once more in a new one if Chromium died."""
    from playwright.async_api import Error, async_playwright

    for attempt in range(1, ATTEMPTS + 1):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                return await script(browser, *args)
            except Error as error:
                if browser.is_connected() or attempt == ATTEMPTS:
                    raise
                first_line = error.message.splitlines()[0]
                warnings.warn(f"Chromium died under the script ({first_line}): run again", stacklevel=1)
            finally:
                if browser.is_connected():
                    await browser.close()
    raise AssertionError("unreachable: the last attempt returns or raises")

"""Run a coroutine to its end from a test, in a thread of its own.

A test's Playwright (the session's sync one, tests/conftest.py) leaves an event loop in the main thread;
a coroutine run in a thread with its own loop (asyncio.run) never meets it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def in_a_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine in a thread of its own: no event loop of another Playwright in the way."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

"""Waiting for ``oauthContext`` on the kernel's event loop, so the app view shows it the moment it lands.

The real Stripe Dashboard pushes ``oauthContext`` into the app's props as the redirect lands.
Nothing can push into a kernel, so the kit's app view waits instead: an asyncio task on the
kernel's own running loop asks the sandbox's Dashboard stand-in with a long-poll (its own
endpoint, ``GET …/api/oauth_context/arrival?wait=S``, not a Stripe API), which answers the
moment the landing page accepts a redirect for the app. The view then takes the context with
the usual ``Dashboard.take_oauth_context`` call, on the loop, so a cell that checks at the same
time sees the same thing: the context is taken once, by whichever comes first.

While the task waits, the kernel runs no cell and sends no message: it stays idle, and the
kit's culler can still end it. With no running loop (plain Python, unit tests) nothing waits,
and the view checks only when asked, as before.

When the Dashboard runs in this very process (the browser edition: ``helpers.in_process``), no
request can wait, as the kernel has one thread: the Dashboard pushes instead (``push_arrival``,
called as its landing accepts a redirect), and the task, which asked once with ``wait=0`` through
the same endpoint, asks once more when pushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Sequence

import httpx

from helpers.errors import DashboardError
from helpers.in_process import served_here
from helpers.trace import http_client

# Seconds one long-poll waits: well under the usual proxies' idle timeouts (60 s and more).
LONG_POLL_SECONDS = 25
# After a failed ask (the sandbox asleep or restarting), wait this long before the next, doubling to the last.
RETRY_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0)

# The waits of this process for a Dashboard in it, each an event on its loop (see push_arrival).
_pushed_to: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def push_arrival() -> None:
    """A Dashboard in this process accepted a redirect: wake this process's waits, which each ask once.

    As the real Dashboard pushes ``oauthContext`` into the app's props. Safe from any thread: each
    event is set on its own loop.
    """
    for loop, event in list(_pushed_to):
        loop.call_soon_threadsafe(event.set)


async def oauth_context_arrived(
    base_url: str, api_key: str, wait: float = LONG_POLL_SECONDS, challenges: Sequence[str] = ()
) -> bool:
    """Whether the Dashboard at ``base_url`` holds the install's ``oauthContext``, waiting up to ``wait`` s for one.

    With ``challenges`` (the ``code_challenge`` of the links waited on), only a context that answers
    one of them counts, or one nobody can place (an error). Says only *that* one is there;
    ``Dashboard.take_oauth_context`` then takes it.

    The request waits in a daemon thread with the kit's plain httpx client, and the loop awaits its
    answer: ``httpx.AsyncClient`` would do the same but loads its asyncio backend (anyio) and a TLS
    context into the kernel, 2 MiB for one request to 127.0.0.1 (bench/notebooks.py). A daemon thread
    never holds up the kernel's shutdown; a cancelled wait leaves it to end with its request.
    A Dashboard in this process is not asked to wait but waited for (``push_arrival``).
    """
    if served_here(base_url):
        return await _pushed(base_url, api_key, wait, challenges)
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[bool] = loop.create_future()

    def settle(result: bool | None, error: BaseException | None) -> None:
        if answer.done():  # cancelled meanwhile: nobody waits for it any more
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(bool(result))

    def ask() -> None:
        try:
            arrived = _ask(base_url, api_key, wait, challenges)
        except Exception as error:
            loop.call_soon_threadsafe(settle, None, error)
        else:
            loop.call_soon_threadsafe(settle, arrived, None)

    threading.Thread(target=ask, name="oauth-context-long-poll", daemon=True).start()
    return await answer


async def _pushed(base_url: str, api_key: str, wait: float, challenges: Sequence[str]) -> bool:
    """``oauth_context_arrived`` for a Dashboard in this process: ask now, and once more if it pushes in time."""
    listener = (asyncio.get_running_loop(), asyncio.Event())
    _pushed_to.add(listener)  # before asking: a push between the answer and the wait is not lost
    try:
        if _ask(base_url, api_key, 0, challenges):
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener[1].wait(), wait)
        return _ask(base_url, api_key, 0, challenges)
    finally:
        _pushed_to.discard(listener)


def _ask(base_url: str, api_key: str, wait: float, challenges: Sequence[str]) -> bool:
    url = f"{base_url.rstrip('/')}/api/oauth_context/arrival"
    params = httpx.QueryParams({"wait": round(wait), "challenge": list(challenges)})
    with http_client(timeout=wait + 10) as http:
        response = http.get(url, params=params, headers={"Authorization": f"Bearer {api_key}"})
    if not response.is_success:
        raise DashboardError(
            f"The Dashboard answered GET {url} with HTTP {response.status_code}.",
            "Check for oauthContext with the button instead; restarting the sandbox (sandbox.start()) may help.",
            status_code=response.status_code,
        )
    return response.json().get("arrived") is True


class Waiter:
    """One task on the running loop: ``arrived(seconds)`` again and again while ``waiting()``; ``on_arrival()`` on yes.

    ``on_end()`` runs when it stops because ``waiting()`` turned false (not when stopped by ``stop()``).
    """

    def __init__(
        self,
        arrived: Callable[[float], Awaitable[bool]],
        on_arrival: Callable[[], object],
        waiting: Callable[[], bool],
        on_end: Callable[[], object] = lambda: None,
        seconds: float = LONG_POLL_SECONDS,
    ) -> None:
        self._arrived, self._on_arrival, self._waiting, self._on_end = arrived, on_arrival, waiting, on_end
        self._seconds = seconds
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> bool:
        """Start waiting on the running loop, unless already; False when there is no running loop."""
        if self.running:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not in a kernel: nobody would run the task
            return False
        self._task = loop.create_task(self._run())
        return True

    def stop(self) -> None:
        """Stop waiting now: the pending ask is dropped (the Dashboard's request simply times out)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while self._waiting():
            try:
                arrived = await self._arrived(self._seconds)
            except Exception:  # the sandbox asleep, restarting or gone: ask again a little later
                await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1
                continue
            failures = 0
            if arrived and self._waiting():
                self._on_arrival()
        self._task = None
        self._on_end()

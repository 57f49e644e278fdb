"""The Dashboard stand-in tells a waiting app that its ``oauthContext`` is there, the moment it is.

The real Dashboard pushes ``oauthContext`` into the app's props when the redirect lands. The
kit's app runs in a kernel, which the Dashboard cannot push to, so it asks, with a long-poll:

    GET /dashboard/api/oauth_context/arrival?wait=25     (Authorization: Bearer <install key>)

answers ``{"arrived": true}`` at once when the Dashboard holds a context for the calling
install (its app, user and mode), else as soon as the landing page accepts a redirect for it,
else ``{"arrived": false}`` after ``wait`` seconds (at most ``MAX_WAIT``). With one or more
``challenge=…`` (the ``code_challenge`` of the links the caller waits on: public, they were in
the links), only a context that answers one of those links counts (a code by its verifier, an
error such as ``access_denied`` by the link whose redirect brought it; one from before the sandbox
restarted cannot be told, and counts): so a kernel left open on an older notebook, waiting on its
own link, does not wake for, and take, the context of the notebook in use. It only says *that*
one is there: the app then takes it with ``GET /api/oauth_context``, as before. So the code and
verifier travel only in that one call, the one the app's trace records, and an app that asks
with a cell and waits on its event loop at the same time cannot lose a context between the two.

This is the sandbox's own endpoint, not Stripe's (Stripe documents no such call).

Each waiting request holds one of the server's threads (it serves a thread a request) and
nothing else. While one is under way the sandbox does not fall asleep (idle.py counts requests
under way): a waiting app view stops asking when its link expires (10 minutes), and the kit's
kernel culler ends a kernel left idle for 10 minutes, so a forgotten view keeps its sandbox
awake for at most as long as an unexpired link, plus one wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import Blueprint, current_app, jsonify, request

from .dashboard_store import DashboardStore
from .web import UNKNOWN_KEY, caller_install, parse_integer, storage, stripe_error

MAX_WAIT = 60
HANDOVER_EXTENSION = "sandbox.handover"
Key = tuple[str, str, str]  # app id, user id, mode: whose oauthContext


class Handover:
    """Wakes the requests waiting for an install's ``oauthContext`` when the landing accepts one.

    ``on_handed``, when given, is called too: a Dashboard running in the kernel itself (the browser
    edition, sandbox/in_process.py) pushes the news to the app's waiting view there, which no
    request could wait for in a kernel with one thread.
    """

    def __init__(self, on_handed: Callable[[], object] | None = None) -> None:
        self._on_handed = on_handed
        self._changed = threading.Condition()
        self._handed: dict[Key, int] = {}  # how many contexts the landing accepted for each key
        self._challenges: dict[Key, str | None] = {}

    def handed(self, key: Key, challenge: str | None = None) -> None:
        """The landing page accepted a redirect for `key` (its write committed), for the link of `challenge`."""
        with self._changed:
            self._handed[key] = self._handed.get(key, 0) + 1
            self._challenges[key] = challenge
            self._changed.notify_all()
        if self._on_handed is not None:
            self._on_handed()

    def last_challenge(self, key: Key) -> str | None:
        """The challenge of the link whose redirect the landing accepted last for `key` (None: not since the start).

        The context the Dashboard holds for `key` is that redirect's: a newer one replaces it.
        """
        with self._changed:
            return self._challenges.get(key)

    def _handed_since(self, key: Key, seen: int) -> bool:
        return self._handed.get(key, 0) != seen

    def wait(self, key: Key, seconds: float, present: Callable[[], bool]) -> bool:
        """True as soon as `present()` is; False if it still is not after `seconds`.

        The count is read before `present()` looks, so a context accepted in between is not missed.
        """
        deadline = time.monotonic() + seconds
        while True:
            with self._changed:
                seen = self._handed.get(key, 0)
            if present():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._changed:
                self._changed.wait_for(partial(self._handed_since, key, seen), timeout=remaining)


def handover() -> Handover:
    """The Handover of the Dashboard serving this request (one a sandbox: set by the app's factory)."""
    found: Handover = current_app.extensions[HANDOVER_EXTENSION]
    return found


arrival = Blueprint("arrival", __name__)


@arrival.get("/api/oauth_context/arrival")
def oauth_context_arrival() -> Any:
    """The long-poll above: the install the request's key names, waiting for its oauthContext."""
    install = caller_install()
    if install is None:
        return stripe_error(401, UNKNOWN_KEY)
    wait = parse_integer(request.args.get("wait", "0"))
    if wait is None or not 0 <= wait <= MAX_WAIT:
        return stripe_error(400, f"wait must be a whole number of seconds from 0 to {MAX_WAIT}.", param="wait")
    key: Key = (install.app_id, install.user_id, install.mode)
    present = partial(_answers, DashboardStore(storage()), handover(), key, set(request.args.getlist("challenge")))
    return jsonify(arrived=handover().wait(key, wait, present))


def _answers(store: DashboardStore, handover: Handover, key: Key, challenges: set[str]) -> bool:
    """Whether the context held for `key` answers one of the links of `challenges` (any link, if none)."""
    context = store.held_context(*key)
    if context is None:
        return False
    if not challenges:
        return True
    # A code's verifier names its link; an error (no verifier) is the last accepted redirect's.
    verifier = context.get("verifier")
    answers = create_s256_code_challenge(verifier) if verifier else handover.last_challenge(key)
    return answers is None or answers in challenges

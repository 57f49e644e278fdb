"""An idle sandbox gives its memory back, and answers again on the same port at the next request.

After `idle_exit` seconds without a request the sandbox stops serving and replaces its own
process (`os.execv`: same pid, same listening socket) with `keeper.py`, which imports only the
standard library and holds about 10 MiB instead of the sandbox's 50. The next connection to the
port waits in the socket's backlog while the keeper replaces itself with the sandbox again,
which then answers it. So:

- the port never closes, and nothing else (another learner's sandbox, a kernel) can take it
  meanwhile: every URL that holds it stays good, in a notebook's `World`, in the redirect URIs
  registered with the provider, in a link already open in the learner's browser;
- nothing has to restart it: a kernel's call, the browser through jupyter-server-proxy, or
  `sandbox.start()` all wake it alike, one to two seconds late;
- its data stays where it always is, in the SQLite file of its data folder.

A sandbox that did exit (stopped, or its hub server ended) is started again by the launcher,
on the port it last had when that port is free.

A world in the kernel itself (in_process.py, the browser edition) has no server and no process of
its own: nothing of this applies, and its memory is the kernel's, given back when the kernel ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from werkzeug.serving import BaseWSGIServer

ENV_IDLE_EXIT = "KIT_SANDBOX_IDLE_EXIT"
# The kit's Jupyter settings cull a kernel after 10 idle minutes (workshop/settings.py): the sandbox
# of a learner whose kernels are all gone then sleeps as well.
DEFAULT_IDLE_EXIT = 600.0
KEEPER = Path(__file__).resolve().with_name("keeper.py")


class Activity:
    """WSGI middleware that knows how long the sandbox has had no request under way."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._busy = 0
        self._last = time.monotonic()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        with self._lock:
            self._busy += 1
        result: Iterable[bytes] = ()
        try:
            result = self.app(environ, start_response)
            yield from result
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
            with self._lock:
                self._busy -= 1
                self._last = time.monotonic()

    def idle_for(self) -> float:
        """Seconds since the last request ended; 0 while one is under way."""
        with self._lock:
            return 0.0 if self._busy else time.monotonic() - self._last


def shut_down_when_idle(server: BaseWSGIServer, activity: Activity, seconds: float) -> None:
    """Stop `server.serve_forever()` once `activity` has been idle for `seconds`."""

    def watch() -> None:
        while (remaining := seconds - activity.idle_for()) > 0:
            time.sleep(remaining)
        server.shutdown()

    threading.Thread(target=watch, name="idle-watch", daemon=True).start()


def wait_for_requests_to_end(activity: Activity, timeout: float = 10) -> None:
    """The serving loop has stopped; let requests already accepted finish before the process goes."""
    deadline = time.monotonic() + timeout
    while activity.idle_for() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)


def hand_over_to_keeper(listening_fd: int, data_dir: Path, idle_exit: float) -> NoReturn:
    """Replace this process with keeper.py, holding `listening_fd`: the sandbox sleeps, and the next
    connection starts `python -m sandbox` on that socket again."""
    os.set_inheritable(listening_fd, True)
    wake = [sys.executable, "-m", "sandbox", "--data-dir", str(data_dir), "--idle-exit", str(idle_exit)]
    wake += ["--fd", str(listening_fd)]
    # -I -S: no site-packages and no environment variables: the keeper needs the standard library only.
    os.execv(sys.executable, [sys.executable, "-I", "-S", str(KEEPER), str(listening_fd), *wake])

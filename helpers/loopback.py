"""Catch the provider's redirect on a loopback port, so no address has to be pasted (RFC 8252 §7.3).

A program on the user's own machine can receive the redirect itself: it listens on
``http://127.0.0.1:<port>/<path>`` and registers that as a redirect URI. RFC 8252 §7.3 asks
providers to accept any port for such a URI, so the program can take whatever port is free;
§8.3 prefers the literal ``127.0.0.1`` to ``localhost``, which may resolve elsewhere.

This only works when the browser runs on the kernel's machine (a laptop): on JupyterHub or
Binder the browser cannot reach the kernel's 127.0.0.1, and paste-back is the way. A Stripe
App never uses it either: its redirect is always the Dashboard's. It is a notebook convenience
for trying your provider, with a development client you registered for it.
"""

from __future__ import annotations

import queue
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from helpers.errors import LoopbackError

_DONE_PAGE = (
    "<!doctype html><meta charset='utf-8'><title>Back to the notebook</title>"
    "<p>The notebook received the provider's answer. You can close this tab.</p>"
)


class LoopbackCatcher:
    """An HTTP listener on 127.0.0.1 that keeps each request to its path for ``wait`` to hand over.

    It listens from the moment it is made (port 0: a free port the system picks), so its
    ``redirect_uri`` can be registered and put in a link before anyone opens it, and a
    redirect that arrives before ``wait`` is called is kept until then.
    """

    def __init__(self, path: str = "/callback", *, port: int = 0, host: str = "127.0.0.1") -> None:
        if not path.startswith("/"):
            raise LoopbackError(f"The path {path!r} must start with '/'.", "Use a path such as '/callback'.")
        if sys.platform == "emscripten":  # the browser edition's kernel: no socket to listen on, no thread to serve
            raise LoopbackError(
                "A kernel that runs in the browser (JupyterLite) cannot listen on a port.",
                "Paste the address back instead: after approving, copy the address the browser shows and paste it.",
            )
        self.path = path
        self._arrived: queue.Queue[str] = queue.Queue()
        self.caught = 0
        try:
            self._server = ThreadingHTTPServer((host, port), self._handler())
        except OSError as e:
            raise LoopbackError(
                f"Could not listen on {host}:{port} ({e.strerror or e}).",
                "Pass port=0 to let the system pick a free port, and register the redirect_uri it gives.",
            ) from None
        self._server.daemon_threads = True
        self.host, self.port = host, self._server.server_address[1]
        # A short poll: close() waits up to one poll interval for the serving thread to notice.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="loopback-catcher", daemon=True
        )
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    def __repr__(self) -> str:
        return f"LoopbackCatcher({self.redirect_uri}, caught {self.caught})"

    def wait(self, timeout: float = 300) -> str:
        """The address of the next redirect not handed over yet, waiting up to ``timeout`` seconds for one."""
        try:
            return self._arrived.get(timeout=timeout)
        except queue.Empty:
            raise LoopbackError(
                f"No redirect reached {self.redirect_uri} within {timeout:g} s.",
                "Open the link in a browser on this machine and approve. On JupyterHub or Binder the browser "
                "cannot reach the kernel's 127.0.0.1: paste the address back instead.",
            ) from None

    def close(self) -> None:
        """Stop listening (addresses caught and not handed over yet stay available to ``wait``)."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackCatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if urlsplit(self.path).path != catcher.path:
                    self._answer(404, "<p>Not here.</p>")  # a favicon, a stray request
                    return
                catcher.caught += 1
                catcher._arrived.put(f"http://{catcher.host}:{catcher.port}{self.path}")
                self._answer(200, _DONE_PAGE)

            def _answer(self, status: int, page: str) -> None:
                body = page.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                # The address holds a code: no cache, and no Referer from this page.
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                # Silent: the default logs each request line, code included, to the notebook's stderr.
                pass

        return Handler

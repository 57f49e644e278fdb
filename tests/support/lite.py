"""The JupyterLite edition (`make lite`) as a static host serves it, and a learner's page on it.

`StaticSite` serves a built site's folder on 127.0.0.1 (any static host does the same: no server
code runs); `open_notebook` opens one of its notebooks in a Playwright page; `Requests` records
every request the page (and its kernel's web worker) makes; `kernel_idle` waits for the notebook's
Pyodide kernel to be ready.

Used by tests/lite and bench/lite.py.
"""

from __future__ import annotations

import functools
import re
import socket
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The status bar's kernel item once Pyodide has loaded every wheel and the kernel answers.
KERNEL_IDLE = "Python (Pyodide) | Idle"
# Loading Pyodide and every wheel of the site takes about 10 s on a quiet machine; a loaded 2-core
# one (make test-under-load) can take several times that.
KERNEL_TIMEOUT = 180_000


# JupyterLite asks the static site for the listing of every folder it shows or the kernel makes
# (``api/contents/<folder>/all.json``) and takes a 404 to mean the folder lives only in the browser's
# storage, as the sandbox's data folder does: Chromium logs each such 404 as a console error.
BROWSER_ONLY_FOLDER = re.compile(r"status of 404 .*\(http://127\.0\.0\.1:\d+/api/contents/.+/all\.json\)$")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


class StaticSite:
    """``folder`` served over HTTP on ``host`` (127.0.0.1 unless given; a free port), in a thread of this
    process, until ``stop``."""

    def __init__(self, folder: Path, host: str = "127.0.0.1") -> None:
        self.folder = folder
        self.server = ThreadingHTTPServer((host, 0), functools.partial(_Quiet, directory=str(folder)))
        self.url = f"http://{host}:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def notebook_url(self, notebook: str) -> str:
        return f"{self.url}lab/index.html?path=notebooks/{notebook}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Requests:
    """Every request of a browser context (its pages and their workers, the kernel's among them): ``outside``
    holds those to any address but the site's, ``inside`` the site's own."""

    def __init__(self, context, site: StaticSite) -> None:
        self.inside: list[str] = []
        self.outside: list[str] = []
        self.site = site
        context.on("request", self._seen)

    def _seen(self, request) -> None:
        # blob: and data: addresses are the page's own memory (the kernel's worker script, inline images).
        if request.url.startswith(self.site.url):
            self.inside.append(request.url)
        elif not request.url.startswith(("blob:", "data:")):
            self.outside.append(request.url)


def open_notebook(page, site: StaticSite, notebook: str) -> None:
    page.goto(site.notebook_url(notebook))


def kernel_idle(page, timeout: int = KERNEL_TIMEOUT) -> None:
    page.get_by_text(KERNEL_IDLE, exact=True).wait_for(timeout=timeout)


def address_beside_loopback() -> str | None:
    """This machine's own IPv4 address on its network, if it has one: what a room's learners would use to
    reach a laptop serving the site (a UDP socket's connect sends nothing; it only picks the route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): never answered, only routed
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address

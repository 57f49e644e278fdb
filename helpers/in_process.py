"""Servers that live in this Python process, reached by the kit's HTTP clients without a socket.

In the browser edition (JupyterLite: the kernel is Pyodide, with no sockets and no threads) the
stand-ins cannot listen on a port. They run in the kernel instead, as WSGI apps, and every client
the kit makes (``helpers.trace.http_client``, and through it the ``stripe`` SDK's) hands a request
for their origin to ``httpx.WSGITransport``: the same apps, the same URLs, the same answers, with
no network between. Nothing else is routed: any other address goes out as usual.

The sandbox mounts its world here (``sandbox.in_process``); ``helpers`` only keeps the table, so it
stays free of the sandbox and works the same against a real provider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

# origin ("http://127.0.0.1:8765") → the transport to the app serving it in this process
_SERVED: dict[str, httpx.WSGITransport] = {}


def origin_of(url: str | httpx.URL) -> str:
    """``scheme://host:port`` of a URL, the port always written (so one origin has one spelling)."""
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f"{parsed.scheme}://{parsed.host}:{port}"


def serve(origin: str, app: WSGIApplication) -> None:
    """Answer every request for ``origin`` with ``app``, in this process, from now on."""
    _SERVED[origin_of(origin)] = httpx.WSGITransport(app=app)


def unserve(origin: str) -> None:
    """Stop answering ``origin`` in this process (its requests go to the network again)."""
    _SERVED.pop(origin_of(origin), None)


def transport_for(url: str | httpx.URL) -> httpx.WSGITransport | None:
    """The in-process transport for ``url``'s origin, if an app of this process serves it."""
    return _SERVED.get(origin_of(url)) if _SERVED else None


def served_here(url: str | httpx.URL) -> bool:
    """Whether an app of this process answers ``url`` (no server elsewhere can be waited on)."""
    return transport_for(url) is not None

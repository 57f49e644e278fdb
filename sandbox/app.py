"""The whole stand-in world as one WSGI application.

`/provider`, `/dashboard` and `/stripe` are three separate Flask apps, as the
three parties are separate services; werkzeug's dispatcher sets each one's
script root so the links they build carry their own prefix. ProxyFix adds the
prefix jupyter-server-proxy forwards (`X-Forwarded-Prefix`), so pages and
redirects served through JupyterHub or Binder point back through the proxy.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from helpers.redact import redact_text

from .dashboard import create_dashboard_app
from .files import DATABASE_FILE
from .progress import RecordSteps
from .provider import WELL_KNOWN, create_provider_app
from .storage import Storage
from .stripe_api import create_stripe_app
from .urls import same_origin

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

access_log = logging.getLogger("sandbox.access")


def _root(data_dir: Path, provider: WSGIApplication) -> WSGIApplication:
    def root(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == f"{WELL_KNOWN}/provider":
            # RFC 8414 3.1: an issuer with a path (`…/provider`) publishes its metadata at the host's
            # root, with the issuer's path after the well-known part. The provider answers it as its own.
            script_name = environ.get("SCRIPT_NAME", "") + "/provider"
            return provider({**environ, "SCRIPT_NAME": script_name, "PATH_INFO": WELL_KNOWN}, start_response)
        if path == "/healthz":
            body = {"ok": True, "pid": os.getpid(), "data_dir": str(data_dir)}
            return Response(json.dumps(body), mimetype="application/json")(environ, start_response)
        return Response("Not found: the sandbox serves /provider, /dashboard and /stripe.", 404)(
            environ, start_response
        )

    return root


class AccessLog:
    """One line a request, secrets redacted: codes and tokens in a URL end up here, as in any server's log."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status_holder: list[str] = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_holder.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        result = self.app(environ, recording_start_response)
        query = environ.get("QUERY_STRING")
        target = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        access_log.info(
            "%s %s %s %.1fms",
            environ.get("REQUEST_METHOD"),
            redact_text(target),
            status_holder[0] if status_holder else "-",
            (time.perf_counter() - started) * 1000,
        )
        return result


class BrowserRedirects:
    """Send the browser's redirects within the sandbox back through the proxy it came by.

    Redirect URIs are registered as the sandbox's own address (`http://127.0.0.1:<port>/dashboard/…`),
    as a real app registers `https://dashboard.stripe.com/…`. On JupyterHub or Binder the
    browser cannot reach 127.0.0.1; it reached the provider through jupyter-server-proxy,
    which says so in `X-Forwarded-Prefix`. A redirect from the provider to the Dashboard then
    goes to the same place under that prefix, on the host and scheme the browser used (as
    ProxyFix read them from the forwarded headers): the stand-ins are one server, and the
    proxy says where it is. The Location is a full URL because jupyter-server-proxy 4.6
    prefixes path-only Locations a second time.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        prefix = str(environ.get("HTTP_X_FORWARDED_PREFIX") or "").rstrip("/")
        port = environ.get("werkzeug.proxy_fix.orig", {}).get("SERVER_PORT") or environ.get("SERVER_PORT")
        own = f"http://127.0.0.1:{port}"
        scheme, host = str(environ.get("wsgi.url_scheme", "http")), str(environ.get("HTTP_HOST", ""))

        def through_proxy(location: str) -> str:
            if not same_origin(location, own):
                return location
            parts = urlsplit(location)
            return urlunsplit((scheme, host, prefix + parts.path, parts.query, parts.fragment))

        def rewriting_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if prefix and status.startswith("3"):
                headers = [
                    (name, through_proxy(value) if name.lower() == "location" else value) for name, value in headers
                ]
            return start_response(status, headers, exc_info)

        return self.app(environ, rewriting_start_response)


def create_app(
    data_dir: Path | str, *, storage: Storage | None = None, on_handed: Callable[[], object] | None = None
) -> WSGIApplication:
    """The world serving `data_dir`; `storage` and `on_handed` for a world in the kernel (in_process.py)."""
    data_dir = Path(data_dir).resolve()
    storage = storage or Storage(data_dir / DATABASE_FILE)
    provider = create_provider_app(storage)
    world = DispatcherMiddleware(
        _root(data_dir, provider),
        {
            "/provider": provider,
            "/dashboard": create_dashboard_app(storage, on_handed),
            "/stripe": create_stripe_app(storage),
        },
    )
    recorded = RecordSteps(world, data_dir)
    return ProxyFix(BrowserRedirects(AccessLog(recorded)), x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)

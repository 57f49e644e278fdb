"""Record every HTTP exchange of the flow, redacted, so a learner can read what went over the wire.

A ``Trace`` hooks into an ``httpx.Client`` (event hooks), so it sees the kit's own calls
(Dashboard, provider) and, through ``secret_store.HttpxHTTPClient``, the Stripe SDK's calls too.
Each exchange is redacted as it is recorded: nothing secret is ever stored, so nothing
secret can be displayed, saved in a notebook, or logged by mistake. The secrets an exchange
carries in its fields (a code and verifier sent, tokens received) are remembered as it is
recorded, so they stay hidden wherever they turn up later, in any form.
"""

from __future__ import annotations

import functools
import json
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx

from helpers.in_process import transport_for
from helpers.redact import is_secret_field, redact_header, redact_text

Headers = tuple[tuple[str, str], ...]

# What render_text shows by default: the headers the lessons talk about. The others
# (user agents, idempotency keys, dates) change from run to run and would drown them.
SHOWN_HEADERS = frozenset({"authorization", "content-type", "location", "stripe-version"})


@dataclass(frozen=True)
class Exchange:
    """One request and its response, already redacted. Header names are lower case."""

    method: str
    url: str
    status: int
    request_headers: Headers
    request_body: str
    response_headers: Headers
    response_body: str
    elapsed_ms: float

    def render_text(self, headers: Collection[str] | None = SHOWN_HEADERS) -> str:
        """Return the exchange as text, like ``curl -v``: ``METHOD URL → STATUS``, then lines.

        Request lines start with ``>``, response lines with ``<``: the headers named in
        ``headers`` (all of them if None), then the body.
        """
        lines = [f"{self.method} {self.url} → {self.status}"]
        for marker, header_pairs, body in (
            (">", self.request_headers, self.request_body),
            ("<", self.response_headers, self.response_body),
        ):
            lines += [f"{marker} {name}: {value}" for name, value in header_pairs if headers is None or name in headers]
            lines += [f"{marker} {line}" for line in body.splitlines()]
        return "\n".join(lines)


class Trace:
    """A thread-safe record of HTTP exchanges, plus secret values to hide wherever they appear.

    Field rules already hide codes, verifiers, tokens and keys in URLs, forms, JSON and
    headers, and the values of those fields are remembered, to be hidden anywhere else they
    show up later; ``remember`` adds values the trace cannot see arrive. ``skip`` leaves out
    exchanges not worth showing (a view asking "anything yet?" every half second).
    """

    def __init__(self, skip: Callable[[Exchange], bool] | None = None) -> None:
        self._skip = skip
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._known: set[str] = set()
        # httpx sets response.elapsed only once the stream closes, which an already
        # read body (MockTransport, ASGI/WSGI transports) never does, so time it here.
        self._started: weakref.WeakKeyDictionary[httpx.Request, float] = weakref.WeakKeyDictionary()

    def remember(self, *values: str | None) -> None:
        """Hide these values wherever they appear in exchanges recorded from now on.

        Empty values and None are skipped, so optional values can be passed as they are.
        """
        with self._lock:
            self._known.update(value for value in values if value)

    def event_hooks(self) -> dict[str, list[Callable[[Any], None]]]:
        """Return the hooks to pass as ``httpx.Client(event_hooks=...)``."""
        return {"request": [self._start], "response": [self._record]}

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """The exchanges recorded so far, oldest first."""
        with self._lock:
            return tuple(self._exchanges)

    def clear(self) -> None:
        """Forget the exchanges recorded so far (the remembered secrets stay hidden)."""
        with self._lock:
            self._exchanges.clear()

    def render_text(self, headers: Collection[str] | None = SHOWN_HEADERS) -> str:
        """Return every exchange as text, one block each (see ``Exchange.render_text``)."""
        return "\n\n".join(exchange.render_text(headers) for exchange in self.exchanges)

    def _start(self, request: httpx.Request) -> None:
        with self._lock:
            self._started[request] = time.perf_counter()

    def _record(self, response: httpx.Response) -> None:
        # Reading here makes the body available to the trace and still to the caller.
        response.read()
        request = response.request
        self.remember(*_secrets_sent(request), *_secrets_received(response))
        with self._lock:
            known = tuple(self._known)
            started = self._started.pop(request, None)
        exchange = Exchange(
            method=request.method,
            url=redact_text(str(request.url), known),
            status=response.status_code,
            request_headers=_redact_headers(request.headers, known),
            request_body=redact_text(request.content.decode("utf-8", errors="replace"), known),
            response_headers=_redact_headers(response.headers, known),
            response_body=redact_text(response.text, known),
            elapsed_ms=0.0 if started is None else (time.perf_counter() - started) * 1000,
        )
        if self._skip is not None and self._skip(exchange):
            return
        with self._lock:
            self._exchanges.append(exchange)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for the process's clients (httpx's default: certifi's CA bundle, verified).

    httpx builds a new context for each client, and loading the CA bundle takes about 20 ms:
    a notebook's few clients paid it each time, for sandbox calls that never use TLS.
    """
    return httpx.create_ssl_context()


class TLSWhenNeeded(httpx.BaseTransport):
    """Plain HTTP at once; the verified TLS transport (``shared_ssl_context``) made at the first https URL.

    Loading the CA bundle costs about 20 ms and 1 MiB in each kernel, and a notebook that talks
    only to the sandbox (plain HTTP on 127.0.0.1) never uses it. The plain transport's own TLS
    context trusts no certificate, so nothing can reach it over TLS unverified.

    A request for an origin an app of this process serves (``helpers.in_process``: the stand-ins in
    the browser edition's kernel, which has no sockets) goes to that app, asked at each request, so
    a client made before the app was mounted reaches it too.
    """

    def __init__(self) -> None:
        self._plain = httpx.HTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
        self._tls: httpx.HTTPTransport | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        in_process = transport_for(request.url)
        if in_process is not None:
            return in_process.handle_request(request)
        if request.url.scheme != "https":
            return self._plain.handle_request(request)
        with self._lock:
            if self._tls is None:
                self._tls = httpx.HTTPTransport(verify=shared_ssl_context())
        return self._tls.handle_request(request)

    def close(self) -> None:
        self._plain.close()
        if self._tls is not None:
            self._tls.close()


# Client options that configure its transport: given any of them, httpx makes the transport as usual.
_TRANSPORT_OPTIONS = frozenset({"transport", "verify", "cert", "http1", "http2", "limits", "mounts", "proxy"})


def http_client(**kwargs: Any) -> httpx.Client:
    """Return a plain ``httpx.Client`` (nothing recorded) that loads TLS only when it meets an https URL."""
    if _TRANSPORT_OPTIONS.isdisjoint(kwargs):
        kwargs["transport"] = TLSWhenNeeded()
    else:
        kwargs.setdefault("verify", shared_ssl_context())
    return httpx.Client(**kwargs)


def traced_client(trace: Trace, **kwargs: Any) -> httpx.Client:
    """Return an ``httpx.Client`` whose exchanges ``trace`` records, redacted.

    ``kwargs`` go to ``httpx.Client``; event hooks given there run before the trace's.
    """
    given = kwargs.pop("event_hooks", None) or {}
    hooks: dict[str, list[Any]] = {name: list(fns) for name, fns in given.items()}
    for name, fns in trace.event_hooks().items():
        hooks.setdefault(name, []).extend(fns)
    return http_client(event_hooks=hooks, **kwargs)


def _secrets_sent(request: httpx.Request) -> list[str]:
    """The secret fields' values of a form body (a code and verifier, a refresh token to spend)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return []
    pairs = parse_qsl(request.content.decode("utf-8", errors="replace"), keep_blank_values=False)
    return [value for name, value in pairs if is_secret_field(name, value)]


def _secrets_received(response: httpx.Response) -> list[str]:
    """The secret fields' values of a JSON answer, at any depth (tokens; an ``oauthContext``'s code and verifier)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return []
    found: list[str] = []
    pending: list[Any] = [body]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            found += [value for name, value in item.items() if is_secret_field(str(name), value)]
            pending += item.values()
        elif isinstance(item, list):
            pending += item
    return found


def _redact_headers(headers: httpx.Headers, known: Iterable[str]) -> Headers:
    return tuple((name, redact_header(name, value, known)) for name, value in headers.multi_items())

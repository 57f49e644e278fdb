"""Would a browser let a Stripe App read this endpoint? The Fetch standard's CORS check, from Python.

A UI extension runs in an iframe sandboxed without ``allow-same-origin``: its origin is opaque and
every ``fetch`` it makes carries ``Origin: null``. Before the app may read an answer the browser
checks it (https://fetch.spec.whatwg.org/#cors-check):

- a request that is not *simple* (a method other than GET, HEAD, POST, or a header that is not
  CORS-safelisted, such as ``Authorization``) is preceded by a *preflight*, ``OPTIONS`` with
  ``Access-Control-Request-Method`` and ``-Headers``; its answer must be 2xx, allow the origin, the
  method and every such header by name;
- the answer itself must carry ``Access-Control-Allow-Origin: null`` (or ``*``: the app sends no
  credentials).

``probe_cors`` sends the same requests and applies the same checks, so you can try your provider's
endpoints before the Dashboard does. It sends a real request after the preflight (without a valid
code or token, so the provider refuses it): what matters is the headers of its answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from helpers.errors import KitError
from helpers.trace import http_client

ORIGIN = "null"  # the serialization of an opaque origin (an iframe sandboxed without allow-same-origin)
SIMPLE_METHODS = ("GET", "HEAD", "POST")
# CORS-safelisted request headers (https://fetch.spec.whatwg.org/#cors-safelisted-request-header), for
# the values an app sends: Accept, and Content-Type: application/x-www-form-urlencoded.
SAFELISTED_HEADERS = ("accept", "accept-language", "content-language", "content-type")


class CorsError(KitError):
    """The browser would not let the app read this endpoint's answer; the message is the browser's."""


@dataclass(frozen=True)
class CorsCheck:
    """What the browser would do: whether it sent a preflight, and the answer's Allow-Origin."""

    url: str
    preflighted: bool
    allow_origin: str


def _listed(header: str | None) -> set[str]:
    return {item.strip().lower() for item in (header or "").split(",") if item.strip()}


def probe_cors(
    url: str, *, method: str = "POST", headers: Iterable[str] = (), http: httpx.Client | None = None
) -> CorsCheck:
    """Send what a browser sends for a ``fetch`` from origin null to ``url``, and check the answers as it does.

    ``headers``: the names of the request headers the app sends (``Authorization`` for an API call).
    Raises CorsError with the browser's words and what to configure at the provider.
    """
    if http is None:
        # The kit's client: TLS loaded only for an https URL (not for the sandbox's), and in-process in Lite.
        with http_client(timeout=10) as client:
            return probe_cors(url, method=method, headers=headers, http=client)
    client = http
    names = [name.lower() for name in headers]
    unsafe = sorted(name for name in names if name not in SAFELISTED_HEADERS)
    preflighted = method not in SIMPLE_METHODS or bool(unsafe)
    blocked = f"Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by CORS policy: "
    fix = (
        "Allow the origin null at the provider for this endpoint (Access-Control-Allow-Origin: null), "
        "with the method and headers the app sends (09-your-stripe-app, Run it for real, step 5)."
    )
    if preflighted:
        asked = {"Origin": ORIGIN, "Access-Control-Request-Method": method}
        if unsafe:
            asked["Access-Control-Request-Headers"] = ",".join(unsafe)
        answer = client.request("OPTIONS", url, headers=asked)
        prefix = blocked + "Response to preflight request doesn't pass access control check: "
        if not answer.is_success:
            raise CorsError(prefix + "It does not have HTTP ok status.", fix)
        allow = answer.headers.get("Access-Control-Allow-Origin")
        if allow not in (ORIGIN, "*"):
            raise CorsError(
                prefix + "No 'Access-Control-Allow-Origin' header is present on the requested resource.", fix
            )
        if method not in SIMPLE_METHODS and method.lower() not in _listed(
            answer.headers.get("Access-Control-Allow-Methods")
        ):
            raise CorsError(blocked + f"Method {method} is not allowed by Access-Control-Allow-Methods.", fix)
        allowed = _listed(answer.headers.get("Access-Control-Allow-Headers"))
        for name in unsafe:
            # A wildcard covers every header but Authorization, which must be named.
            if name not in allowed and ("*" not in allowed or name == "authorization"):
                raise CorsError(
                    blocked + f"Request header field {name} is not allowed by Access-Control-Allow-Headers "
                    "in preflight response.",
                    fix,
                )
    actual = client.request(method, url, headers={"Origin": ORIGIN, **{name: "x" for name in unsafe}})
    allow = actual.headers.get("Access-Control-Allow-Origin")
    if allow not in (ORIGIN, "*"):
        raise CorsError(blocked + "No 'Access-Control-Allow-Origin' header is present on the requested resource.", fix)
    return CorsCheck(url=url, preflighted=preflighted, allow_origin=allow)

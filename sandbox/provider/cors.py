"""CORS for the endpoints a Stripe App fetches from its iframe (the Fetch standard's CORS protocol).

A UI extension runs in an iframe sandboxed without `allow-same-origin`: its origin is opaque, and
every `fetch` it makes says `Origin: null` (stripe/stripe-apps#87, #428). The browser hands the app
a cross-origin answer only if the answer says that origin may read it:

- a *simple* request (the token and revocation POSTs: a form body, `Accept` only) is sent as it
  is, and its answer must carry `Access-Control-Allow-Origin: null`;
- any other (the API call, whose `Authorization` header is not CORS-safelisted) is preceded by a
  *preflight*: `OPTIONS` with `Access-Control-Request-Method` and `-Headers`, whose 2xx answer must
  allow the origin, the method and each of those headers, by name.

A provider configured for Stripe Apps therefore allows the origin `null`. That admits every
opaque origin (any sandboxed iframe, a `data:` page, a file opened from disk), so it protects
nothing by origin: what protects the endpoints is what they always needed, PKCE and the tokens.
No credentials mode: the app sends no cookies, and the answers never allow them.

The switch (`set_enabled`, `python -m sandbox --no-cors`) turns all of it off: the provider then
answers as one that knows nothing of CORS (Flask's plain `OPTIONS` reply, no CORS headers), which
the browser refuses.
"""

from __future__ import annotations

from flask import Flask, Response, request

from ..storage import Storage
from ..web import storage as current_storage

# The endpoints an app fetches; the authorization endpoint is navigated to, never fetched.
CORS_PATHS = ("/token", "/revoke", "/api/me")
ALLOWED_ORIGINS = ("null",)
ALLOWED_METHODS = ("GET", "POST")
# Compared case-insensitively, as header names are (the browser sends them lowercased).
ALLOWED_HEADERS = ("authorization", "accept", "content-type")
# What the app may read of an answer beyond the safelisted headers: the API's 401 challenge.
EXPOSED_HEADERS = ("WWW-Authenticate",)
PREFLIGHT_MAX_AGE = 600
SETTING = "provider_cors"


def is_enabled(storage: Storage) -> bool:
    """Whether the provider answers CORS (the default) or was switched off."""
    with storage.read() as db:
        row = db.execute("SELECT value FROM settings WHERE name=?", (SETTING,)).fetchone()
    return row is None or row["value"] == "on"


def set_enabled(storage: Storage, enabled: bool) -> None:
    with storage.write() as db:
        db.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value=excluded.value",
            (SETTING, "on" if enabled else "off"),
        )


def install_cors(app: Flask) -> None:
    """Answer preflights and mark answers readable, on CORS_PATHS, for the allowed origins."""

    def applies() -> bool:
        return request.path in CORS_PATHS and request.headers.get("Origin") in ALLOWED_ORIGINS

    @app.before_request
    def preflight() -> Response | None:
        is_preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        if not (is_preflight and applies() and is_enabled(current_storage())):
            return None  # Flask's own OPTIONS answer: no CORS headers, so the browser refuses
        response = Response(status=204)
        method = request.headers["Access-Control-Request-Method"]
        asked = [name.strip().lower() for name in request.headers.get("Access-Control-Request-Headers", "").split(",")]
        asked = [name for name in asked if name]
        response.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
        # Only what is allowed is listed: a method or header left out fails the browser's check.
        if method in ALLOWED_METHODS:
            response.headers["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
        allowed = [name for name in asked if name in ALLOWED_HEADERS]
        if allowed:
            response.headers["Access-Control-Allow-Headers"] = ", ".join(allowed)
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        response.headers["Vary"] = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        return response

    @app.after_request
    def allow_reading(response: Response) -> Response:
        if request.method == "OPTIONS" or request.path not in CORS_PATHS or not is_enabled(current_storage()):
            return response
        response.vary.add("Origin")  # the answer differs by origin: a cache must not mix them up
        if applies():
            response.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
            response.headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
        return response

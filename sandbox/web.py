"""What the three stand-ins share about requests and answers: the body, the caller's key, the error shapes.

Two error shapes, as the specs require, each built in one place: Stripe's envelope
(`{"error": {type, message, code, param}}`) for the Dashboard and the Stripe API, and OAuth's error
object (`{"error", "error_description"}`, RFC 6749 5.2) for the provider.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from flask import Request, Response, current_app, jsonify, request

from .installs import Install, find_install

if TYPE_CHECKING:
    from .storage import Storage

# Where each stand-in's Flask app keeps the shared Storage, for its module-level views.
STORAGE_EXTENSION = "sandbox.storage"


def storage() -> Storage:
    """The Storage of the app serving this request (set by the app's factory)."""
    found: Storage = current_app.extensions[STORAGE_EXTENSION]
    return found


def stripe_error_body(
    message: str, *, type_: str = "invalid_request_error", code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """Stripe's error envelope; a `code` brings its `doc_url`, as Stripe's errors carry."""
    error: dict[str, Any] = {"type": type_, "message": message}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        error["param"] = param
    return {"error": error}


def stripe_error(
    status: int, message: str, *, code: str | None = None, param: str | None = None
) -> tuple[Response, int]:
    """An answer in Stripe's envelope, `invalid_request_error` as every refusal of the stand-ins is."""
    return jsonify(stripe_error_body(message, code=code, param=param)), status


def oauth_error_body(error: str, description: str) -> dict[str, str]:
    """OAuth's error object (RFC 6749 5.2)."""
    return {"error": error, "error_description": description}


def oauth_error(status: int, error: str, description: str) -> tuple[Response, int]:
    return jsonify(oauth_error_body(error, description)), status


class JSONBodyError(ValueError):
    """The request body is not the JSON document the endpoint needs; the message says what to send."""


def json_body(request: Request) -> object:
    """The request's JSON document; JSONBodyError for another content type or a body that is not JSON.

    Read with the standard parser rather than Flask's `get_json`: a deeply nested document
    makes the parser recurse past Python's limit, which must be the client's error, not a crash.
    """
    if not request.is_json:
        raise JSONBodyError("Send a JSON body, with Content-Type: application/json")
    try:
        return json.loads(request.get_data())
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise JSONBodyError("The body is not a JSON document") from None


def api_key(request: Request) -> str | None:
    """The key from `Bearer <key>` or from Basic auth with the key as user name (both work with Stripe)."""
    authorization = request.authorization  # werkzeug's parser: scheme, token, or Basic's user and password
    if authorization is None:
        return None
    if authorization.type == "bearer":
        return authorization.token or None
    if authorization.type == "basic":
        return authorization.username or None
    return None


UNKNOWN_KEY = "Unknown or missing install key: use the api_key from world.install_app(...)."


def caller_install() -> Install | None:
    """The app install whose key this request carries (the Dashboard's session, in the sandbox), if any."""
    key = api_key(request)
    return find_install(storage(), key) if key else None


_INTEGER = re.compile(r"-?[0-9]{1,18}")  # at most 18 digits: always within SQLite's 64-bit integers


def parse_integer(text: str) -> int | None:
    """A whole number written plainly (`42`, `-7`), else None.

    Stricter than `int()`, which also takes ` 5 `, `1_0`, `+5` and non-ASCII digits.
    """
    return int(text) if _INTEGER.fullmatch(text) else None

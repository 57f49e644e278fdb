"""The Stripe API stand-in: the Secret Store (`/v1/apps/secrets`).

Same paths, parameters, objects, limits and error envelope as Stripe's API
(reference/stripe-apps-secrets-openapi.json), so the real `stripe` SDK talks
to it unchanged through `base_addresses={"api": "<sandbox>/stripe"}`.

Where Stripe documents a behaviour (404 `resource_missing` for a missing
secret, 10 secrets a scope, 5000-character strings, `expires_at` within 100
years, payload only when expanded) the sandbox does the same. Where Stripe
documents the rule but not the exact error (too many secrets, an expiry out
of range, another user's scope, a missing permission), the sandbox answers
in Stripe's envelope with the status Stripe uses for that class of error and
a message that says what to do.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from helpers.redact import redact_value

from .dashboard_manifest import GRANT_SECRET_WRITE, SECRET_WRITE
from .installs import Install, find_install, random_id
from .secret_store import MAX_SECRETS_PER_SCOPE, Scope, ScopeFull, SecretStore, secret_json
from .storage import Storage
from .web import STORAGE_EXTENSION, api_key, parse_integer, storage, stripe_error_body

MAX_STRING = 5000
MAX_EXPIRY_SECONDS = 100 * 365 * 24 * 3600
# What `expand[]` may name: the spec's expandable field, and the payload Stripe returns only when asked.
SECRET_EXPANSIONS = ("payload", "scope")
LIST_EXPANSIONS = tuple(f"data.{field}" for field in SECRET_EXPANSIONS)

secrets_api = Blueprint("secrets", __name__)


@dataclass
class StripeAPIError(Exception):
    status: int
    message: str
    param: str | None = None
    code: str | None = None

    def body(self) -> dict[str, Any]:
        return stripe_error_body(self.message, code=self.code, param=self.param)


def parse_params(raw: str, allowed: set[str]) -> dict[str, Any]:
    """Stripe's form encoding: `scope[type]=user`, `expand[0]=payload` or `expand[]=payload`.

    `parse_qsl` decodes percent-encoded brackets too, so keys arrive the same
    whether a client sent them raw (httpx) or as `%5B…%5D` (requests).
    """
    params: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        if key.startswith("expand[") and key.endswith("]"):
            params.setdefault("expand", []).append(value)
            continue
        if key not in allowed:
            raise StripeAPIError(400, f"Received unknown parameter: {key}", param=key, code="parameter_unknown")
        params[key] = value
    return params


def _string(params: dict[str, Any], name: str) -> str:
    """A required string parameter, at most MAX_STRING characters."""
    value = params.get(name)
    if value is None or value == "":
        raise StripeAPIError(400, f"Missing required param: {name}.", param=name, code="parameter_missing")
    if len(value) > MAX_STRING:
        raise StripeAPIError(
            400,
            f"Invalid string: {name} is {len(value)} characters long; it must be at most {MAX_STRING} characters.",
            param=name,
        )
    return str(value)


def _integer(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    number = parse_integer(value)
    if number is None:
        raise StripeAPIError(400, f"Invalid integer: {value}", param=name, code="parameter_invalid_integer")
    return number


def _expand(params: dict[str, Any], expandable: tuple[str, ...]) -> set[str]:
    """The fields to expand; Stripe refuses a field it cannot expand."""
    for field in params.get("expand", []):
        if field not in expandable:
            raise StripeAPIError(400, f"This property cannot be expanded ({field}).", param="expand")
    return set(params.get("expand", []))


def _scope(params: dict[str, Any], install: Install) -> Scope:
    scope_type = params.get("scope[type]")
    user = params.get("scope[user]")
    if not scope_type:
        raise StripeAPIError(400, "Missing required param: scope[type].", param="scope[type]", code="parameter_missing")
    if scope_type not in ("account", "user"):
        raise StripeAPIError(
            400, f"Invalid scope[type]: must be one of account or user, got {scope_type!r}.", param="scope[type]"
        )
    if scope_type == "account":
        if user:
            raise StripeAPIError(
                400,
                "scope[user] should not be provided when scope[type] is account.",
                param="scope[user]",
                code="parameter_unknown",
            )
        return Scope("account", "")
    if not user:
        raise StripeAPIError(
            400, "scope[user] is required when scope[type] is user.", param="scope[user]", code="parameter_missing"
        )
    if user != install.user_id:
        raise StripeAPIError(
            403,
            f"Requests from this app's UI extension can reach only account-scoped secrets or secrets scoped to "
            f"their own user ({install.user_id}), not {user}.",
            param="scope[user]",
        )
    return Scope("user", user)


def _expires_at(params: dict[str, Any]) -> int | None:
    expires_at = _integer(params, "expires_at")
    now = int(time.time())
    if expires_at is not None and not now < expires_at <= now + MAX_EXPIRY_SECONDS:
        raise StripeAPIError(
            400,
            f"expires_at must be in the future and at most 100 years from now (got {expires_at}, now is {now}).",
            param="expires_at",
            code="parameter_invalid_integer",
        )
    return expires_at


def _authenticate() -> Install:
    """The install whose API key the request carries, allowed to use the Secret Store."""
    key = api_key(request)
    if not key:
        raise StripeAPIError(
            401,
            "You did not provide an API key. Send it in the Authorization header, using Bearer auth "
            "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        )
    install = find_install(storage(), key)
    if install is None:
        raise StripeAPIError(401, f"Invalid API Key provided: {redact_value(key)}")
    if SECRET_WRITE not in install.permissions:
        raise StripeAPIError(
            403,
            f"The app {install.app_id} does not have the secret_write permission, which the Secret Store "
            f"needs. Add it with: {GRANT_SECRET_WRITE}, then install the app again.",
        )
    return install


def _params(allowed: set[str]) -> dict[str, Any]:
    raw = request.get_data(as_text=True) if request.method == "POST" else request.query_string.decode()
    return parse_params(raw, allowed)


def _found(row: sqlite3.Row | None, name: str) -> sqlite3.Row:
    if row is None:
        raise StripeAPIError(404, f"No such secret: '{name}'", param="name", code="resource_missing")
    return row


def _scoped_request(allowed: set[str], expandable: tuple[str, ...]) -> tuple[Install, dict[str, Any], Scope, set[str]]:
    """Every Secret Store call's start, in Stripe's order: the caller, its parameters (a scope and `allowed`),
    the fields to expand, the scope."""
    install = _authenticate()
    p = _params({"scope[type]", "scope[user]", *allowed})
    expand = _expand(p, expandable)
    return install, p, _scope(p, install), expand


@secrets_api.post("/v1/apps/secrets")
def set_secret() -> Response:
    install, p, scope, expand = _scoped_request({"name", "payload", "expires_at"}, SECRET_EXPANSIONS)
    name, payload = _string(p, "name"), _string(p, "payload")
    try:
        row = SecretStore(storage()).save(install, scope, name, payload, _expires_at(p))
    except ScopeFull:
        raise StripeAPIError(
            400,
            f"This scope already holds {MAX_SECRETS_PER_SCOPE} secrets, the most it can. "
            "Delete one before adding another, or replace one by saving under its name.",
            param="name",
        ) from None
    return jsonify(secret_json(row, "payload" in expand))


def _named_secret() -> tuple[Install, Scope, str, bool]:
    """What find and delete take: the caller, the scope, the secret's name, and whether to show its payload."""
    install, p, scope, expand = _scoped_request({"name"}, SECRET_EXPANSIONS)
    return install, scope, _string(p, "name"), "payload" in expand


@secrets_api.get("/v1/apps/secrets/find")
def find_secret() -> Response:
    install, scope, name, payload = _named_secret()
    row = _found(SecretStore(storage()).find(install, scope, name), name)
    return jsonify(secret_json(row, payload))


@secrets_api.post("/v1/apps/secrets/delete")
def delete_secret() -> Response:
    install, scope, name, payload = _named_secret()
    row = _found(SecretStore(storage()).delete(install, scope, name), name)
    return jsonify({**secret_json(row, payload), "deleted": True})


def _page(rows: list[sqlite3.Row], p: dict[str, Any], limit: int) -> tuple[list[sqlite3.Row], bool]:
    """One page of `rows` by Stripe's cursors, and whether more lie beyond it in the page's direction."""
    ids = [row["id"] for row in rows]
    for cursor in ("starting_after", "ending_before"):
        if p.get(cursor) and p[cursor] not in ids:
            raise StripeAPIError(404, f"No such secret: '{p[cursor]}'", param=cursor, code="resource_missing")
    if p.get("ending_before"):
        # A page backwards: the `limit` secrets just before the cursor, in the list's order;
        # has_more says whether more come before them.
        before = rows[: ids.index(p["ending_before"])]
        return before[-limit:], len(before) > limit
    after = rows[ids.index(p["starting_after"]) + 1 :] if p.get("starting_after") else rows
    return after[:limit], len(after) > limit


@secrets_api.get("/v1/apps/secrets")
def list_secrets() -> Response:
    install, p, scope, expand = _scoped_request({"limit", "starting_after", "ending_before"}, LIST_EXPANSIONS)
    limit = _integer(p, "limit")
    limit = 10 if limit is None else limit
    if not 1 <= limit <= 100:
        raise StripeAPIError(400, "limit must be between 1 and 100.", param="limit", code="parameter_invalid_integer")
    page, has_more = _page(SecretStore(storage()).list(install, scope), p, limit)
    return jsonify(
        object="list",
        url="/v1/apps/secrets",
        has_more=has_more,
        data=[secret_json(row, "data.payload" in expand) for row in page],
    )


@secrets_api.errorhandler(StripeAPIError)
def stripe_api_error(error: StripeAPIError) -> tuple[Response, int]:
    return jsonify(error.body()), error.status


def request_id(response: Response) -> Response:
    response.headers["Request-Id"] = random_id("req_", 14)
    return response


def http_error(error: HTTPException) -> tuple[Response, int]:
    if error.code in (404, 405):
        # Stripe answers an unknown path or method alike: 404, "Unrecognized request URL".
        message = f"Unrecognized request URL ({request.method}: {request.path})."
        return jsonify(stripe_error_body(message)), 404
    status = error.code or 500
    return jsonify(stripe_error_body(f"{error.name}: {error.description}")), status


def create_stripe_app(storage: Storage) -> Flask:
    app = Flask(__name__)
    app.extensions[STORAGE_EXTENSION] = storage
    app.register_blueprint(secrets_api)
    # On the app, not the blueprint: an unknown path matches no blueprint.
    app.register_error_handler(HTTPException, http_error)
    app.after_request(request_id)
    return app

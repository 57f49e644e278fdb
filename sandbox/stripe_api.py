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

import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from helpers.manifest import GRANT_SECRET_WRITE
from helpers.redact import redact_value

from .installs import Install, api_key_from_header, find_install, random_id
from .storage import Storage
from .web import parse_integer

MAX_STRING = 5000
MAX_SECRETS_PER_SCOPE = 10
MAX_EXPIRY_SECONDS = 100 * 365 * 24 * 3600
# What `expand[]` may name: the spec's expandable field, and the payload Stripe returns only when asked.
SECRET_EXPANSIONS = ("payload", "scope")
LIST_EXPANSIONS = tuple(f"data.{field}" for field in SECRET_EXPANSIONS)


@dataclass
class StripeAPIError(Exception):
    status: int
    message: str
    param: str | None = None
    code: str | None = None
    type: str = "invalid_request_error"

    def body(self) -> dict:
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        return {"error": error}


@dataclass(frozen=True)
class Scope:
    type: str
    user: str  # "" for the account scope

    def as_json(self) -> dict:
        return {"type": self.type, "user": self.user} if self.type == "user" else {"type": "account"}


def parse_params(raw: str, allowed: set[str]) -> dict:
    """Stripe's form encoding: `scope[type]=user`, `expand[0]=payload` or `expand[]=payload`.

    `parse_qsl` decodes percent-encoded brackets too, so keys arrive the same
    whether a client sent them raw (httpx) or as `%5B…%5D` (requests).
    """
    params: dict = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        if key.startswith("expand[") and key.endswith("]"):
            params.setdefault("expand", []).append(value)
            continue
        if key not in allowed:
            raise StripeAPIError(400, f"Received unknown parameter: {key}", param=key, code="parameter_unknown")
        params[key] = value
    return params


def _string(params: dict, name: str) -> str:
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
    return value


def _integer(params: dict, name: str) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    number = parse_integer(value)
    if number is None:
        raise StripeAPIError(400, f"Invalid integer: {value}", param=name, code="parameter_invalid_integer")
    return number


def _expand(params: dict, expandable: tuple[str, ...]) -> set[str]:
    """The fields to expand; Stripe refuses a field it cannot expand."""
    for field in params.get("expand", []):
        if field not in expandable:
            raise StripeAPIError(400, f"This property cannot be expanded ({field}).", param="expand")
    return set(params.get("expand", []))


def _scope(params: dict, install: Install) -> Scope:
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


def _secret_json(row, expand_payload: bool) -> dict:
    secret = {
        "id": row["id"],
        "object": "apps.secret",
        "created": row["created"],
        "deleted": False,
        "expires_at": row["expires_at"],
        "livemode": bool(row["livemode"]),
        "name": row["name"],
        "scope": Scope(row["scope_type"], row["scope_user"]).as_json(),
    }
    if expand_payload:  # Stripe returns the payload only when asked for it
        secret["payload"] = row["payload"]
    return secret


_IN_SCOPE = "app_id=? AND livemode=? AND scope_type=? AND scope_user=?"
_LIVE = "(expires_at IS NULL OR expires_at > ?)"


def create_stripe_app(storage: Storage) -> Flask:
    app = Flask(__name__)

    @app.errorhandler(StripeAPIError)
    def stripe_error(error: StripeAPIError):
        return jsonify(error.body()), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (404, 405):
            # Stripe answers an unknown path or method alike: 404, "Unrecognized request URL".
            message = f"Unrecognized request URL ({request.method}: {request.path})."
            return jsonify(StripeAPIError(404, message).body()), 404
        return jsonify(StripeAPIError(error.code or 500, f"{error.name}: {error.description}").body()), error.code

    @app.after_request
    def request_id(response):
        response.headers["Request-Id"] = random_id("req_", 14)
        return response

    def authenticate() -> Install:
        """The install whose API key the request carries, allowed to use the Secret Store."""
        api_key = api_key_from_header(request.headers.get("Authorization"))
        if not api_key:
            raise StripeAPIError(
                401,
                "You did not provide an API key. Send it in the Authorization header, using Bearer auth "
                "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        install = find_install(storage, api_key)
        if install is None:
            raise StripeAPIError(401, f"Invalid API Key provided: {redact_value(api_key)}")
        if "secret_write" not in install.permissions:
            raise StripeAPIError(
                403,
                f"The app {install.app_id} does not have the secret_write permission, which the Secret Store "
                f"needs. Add it with: {GRANT_SECRET_WRITE}, then install the app again.",
            )
        return install

    def params(allowed: set[str]) -> dict:
        raw = request.get_data(as_text=True) if request.method == "POST" else request.query_string.decode()
        return parse_params(raw, allowed)

    def scope_key(install: Install, scope: Scope) -> tuple:
        return (install.app_id, int(install.livemode), scope.type, scope.user)

    @app.post("/v1/apps/secrets")
    def set_secret():
        install = authenticate()
        p = params({"name", "payload", "scope[type]", "scope[user]", "expires_at"})
        expand = _expand(p, SECRET_EXPANSIONS)
        scope = _scope(p, install)
        name, payload = _string(p, "name"), _string(p, "payload")
        expires_at = _integer(p, "expires_at")
        now = int(time.time())
        if expires_at is not None and not now < expires_at <= now + MAX_EXPIRY_SECONDS:
            raise StripeAPIError(
                400,
                f"expires_at must be in the future and at most 100 years from now (got {expires_at}, now is {now}).",
                param="expires_at",
                code="parameter_invalid_integer",
            )
        key = scope_key(install, scope)
        with storage.write() as db:
            # An expired secret is gone (Stripe deletes it after expires_at).
            db.execute("DELETE FROM secrets WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,))
            existing = db.execute(f"SELECT id FROM secrets WHERE {_IN_SCOPE} AND name=?", (*key, name)).fetchone()
            if existing:  # create-or-replace: same name in the same scope replaces
                db.execute(
                    "UPDATE secrets SET payload=?, expires_at=?, created=? WHERE id=?",
                    (payload, expires_at, now, existing["id"]),
                )
                secret_id = existing["id"]
            else:
                count = db.execute(f"SELECT COUNT(*) FROM secrets WHERE {_IN_SCOPE}", key).fetchone()[0]
                if count >= MAX_SECRETS_PER_SCOPE:
                    raise StripeAPIError(
                        400,
                        f"This scope already holds {MAX_SECRETS_PER_SCOPE} secrets, the most it can. "
                        "Delete one before adding another, or replace one by saving under its name.",
                        param="name",
                    )
                secret_id = random_id("appsecret_")
                db.execute(
                    "INSERT INTO secrets (id, app_id, livemode, scope_type, scope_user, name, payload, created,"
                    " expires_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (secret_id, *key, name, payload, now, expires_at),
                )
            row = db.execute("SELECT * FROM secrets WHERE id=?", (secret_id,)).fetchone()
        return jsonify(_secret_json(row, "payload" in expand))

    def lookup(db, install: Install, scope: Scope, name: str):
        row = db.execute(
            f"SELECT * FROM secrets WHERE {_IN_SCOPE} AND name=? AND {_LIVE}",
            (*scope_key(install, scope), name, int(time.time())),
        ).fetchone()
        if row is None:
            raise StripeAPIError(404, f"No such secret: '{name}'", param="name", code="resource_missing")
        return row

    @app.get("/v1/apps/secrets/find")
    def find_secret():
        install = authenticate()
        p = params({"name", "scope[type]", "scope[user]"})
        expand = _expand(p, SECRET_EXPANSIONS)
        scope, name = _scope(p, install), _string(p, "name")
        with storage.read() as db:
            row = lookup(db, install, scope, name)
        return jsonify(_secret_json(row, "payload" in expand))

    @app.post("/v1/apps/secrets/delete")
    def delete_secret():
        install = authenticate()
        p = params({"name", "scope[type]", "scope[user]"})
        expand = _expand(p, SECRET_EXPANSIONS)
        scope, name = _scope(p, install), _string(p, "name")
        with storage.write() as db:
            row = lookup(db, install, scope, name)
            db.execute("DELETE FROM secrets WHERE id=?", (row["id"],))
        return jsonify({**_secret_json(row, "payload" in expand), "deleted": True})

    @app.get("/v1/apps/secrets")
    def list_secrets():
        install = authenticate()
        p = params({"scope[type]", "scope[user]", "limit", "starting_after", "ending_before"})
        expand = _expand(p, LIST_EXPANSIONS)
        scope = _scope(p, install)
        limit = _integer(p, "limit")
        limit = 10 if limit is None else limit
        if not 1 <= limit <= 100:
            raise StripeAPIError(
                400, "limit must be between 1 and 100.", param="limit", code="parameter_invalid_integer"
            )
        with storage.read() as db:
            rows = db.execute(
                f"SELECT * FROM secrets WHERE {_IN_SCOPE} AND {_LIVE} ORDER BY created DESC, id DESC",
                (*scope_key(install, scope), int(time.time())),
            ).fetchall()
        ids = [row["id"] for row in rows]
        for cursor in ("starting_after", "ending_before"):
            if p.get(cursor) and p[cursor] not in ids:
                raise StripeAPIError(404, f"No such secret: '{p[cursor]}'", param=cursor, code="resource_missing")
        if p.get("ending_before"):
            # A page backwards: the `limit` secrets just before the cursor, in the list's order;
            # has_more says whether more come before them.
            before = rows[: ids.index(p["ending_before"])]
            page, has_more = before[-limit:], len(before) > limit
        else:
            after = rows[ids.index(p["starting_after"]) + 1 :] if p.get("starting_after") else rows
            page, has_more = after[:limit], len(after) > limit
        return jsonify(
            object="list",
            url="/v1/apps/secrets",
            has_more=has_more,
            data=[_secret_json(row, "data.payload" in expand) for row in page],
        )

    return app

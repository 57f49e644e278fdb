"""The Stripe Dashboard stand-in.

What the real Dashboard does for a UI extension in the PKCE flow:
- `createOAuthState()` makes `state`, a PKCE verifier and its S256 challenge,
  keeps the verifier, and returns only `state` and `challenge`;
- the provider sends the browser to `…/test/apps-oauth/<app-id>` (or
  `…/apps-oauth/<app-id>` in live mode); the Dashboard checks that `state` is
  one it created for that app and mode and not yet used;
- only then does the app see `oauthContext` = `{code, verifier, state}` (or
  `{error}`), once.

Installing an app (which issues the install's key) is the sandbox's stand-in
for uploading and installing the app in a Stripe account.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from helpers.errors import ManifestError
from helpers.manifest import parse_manifest
from helpers.pkce import make_verifier, s256_challenge
from helpers.state import make_state

from .app_page import add_app_page
from .handover import Handover, arrival_blueprint
from .installs import Install, api_key_from_header, find_install, install_app
from .limits import STATE_LIFETIME
from .storage import Storage
from .web import JSONBodyError, json_body

MAX_CUSTOM_STATE = 500
USER_ID_PATTERN = re.compile(r"^usr_[A-Za-z0-9]+$")
SANDBOX_ACCOUNT = "acct_1KitSandbox0000"

REFUSALS = {
    "missing_state": "The redirect carried no state, so the Dashboard cannot tell which authorization attempt it ends.",
    "unknown_state": (
        "The state in this redirect is not one the Dashboard created: it was forged, mistyped, or mangled "
        "by an authorization link that was not URL-encoded."
    ),
    "used_state": "This link was already used: each authorization attempt can be completed once.",
    "expired_state": (
        f"This link has expired: the Dashboard accepts an answer for {STATE_LIFETIME // 60} minutes after "
        "making the link."
    ),
    "other_app": "This state was created for a different app than the one in this redirect URL.",
    "other_mode": "This state was created in the other mode (test vs live) than this redirect URL.",
    "no_result": "The redirect carried neither a code nor an error.",
}


def _error(status: int, message: str, type_: str = "invalid_request_error"):
    return jsonify(error={"type": type_, "message": message}), status


class BadBody(ValueError):
    """The body of a Dashboard API call is not what the call takes; the message says what is wrong."""


def _body() -> dict[str, Any]:
    """The call's parameters: a JSON object, or a form; an empty body is no parameters."""
    if not request.get_data():
        return {}
    if request.mimetype == "application/x-www-form-urlencoded":
        return request.form.to_dict()
    try:
        body = json_body(request)
    except JSONBodyError as error:
        raise BadBody(f"{error}.") from None
    if not isinstance(body, dict):
        raise BadBody("Send the parameters as one JSON object.")
    return body


def _string(body: dict[str, Any], name: str, default: str = "") -> str:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadBody(f"{name} must be a string.")
    return value


def create_dashboard_app(storage: Storage) -> Flask:
    app = Flask(__name__)
    handover = Handover()

    def caller() -> Install | None:
        api_key = api_key_from_header(request.headers.get("Authorization"))
        return find_install(storage, api_key) if api_key else None

    @app.errorhandler(BadBody)
    def bad_body(error: BadBody):
        return _error(400, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _error(error.code or 500, f"{error.name}: {error.description}")

    @app.post("/api/installs")
    def create_install():
        body = _body()
        user_id, mode = _string(body, "user_id"), _string(body, "mode", "test")
        account_id = _string(body, "account_id") or SANDBOX_ACCOUNT
        if not USER_ID_PATTERN.fullmatch(user_id):
            return _error(400, f"user_id must look like usr_123, got {user_id!r}.")
        if mode not in ("test", "live"):
            return _error(400, f"mode must be 'test' or 'live', got {mode!r}.")
        try:
            manifest = parse_manifest(body.get("manifest") or {})
        except ManifestError as exc:
            return _error(400, str(exc))
        install = install_app(storage, manifest, user_id, mode, account_id)
        return jsonify(install.as_json())

    @app.post("/api/oauth_state")
    def create_oauth_state():
        install = caller()
        if install is None:
            return _error(401, "Unknown or missing install key: use the api_key from world.install_app(...).")
        custom = _string(_body(), "state")
        if len(custom) > MAX_CUSTOM_STATE:
            return _error(400, f"A custom state can be at most {MAX_CUSTOM_STATE} characters.")
        verifier = make_verifier()
        # The custom state rides inside `state`, as the app passed it, so it
        # must survive the trip through a URL: that is why links are encoded.
        state = make_state() + (f":{custom}" if custom else "")
        challenge = s256_challenge(verifier)
        with storage.write() as db:
            db.execute(
                "INSERT INTO oauth_states (state, app_id, user_id, mode, verifier, challenge, custom_state, created)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (state, install.app_id, install.user_id, install.mode, verifier, challenge, custom, int(time.time())),
            )
        return jsonify(state=state, challenge=challenge)

    @app.get("/api/oauth_context")
    def take_oauth_context():
        install = caller()
        if install is None:
            return _error(401, "Unknown or missing install key: use the api_key from world.install_app(...).")
        with storage.write() as db:
            row = db.execute(
                "SELECT seq, context FROM oauth_contexts WHERE app_id=? AND user_id=? AND mode=?",
                (install.app_id, install.user_id, install.mode),
            ).fetchone()
            if row:  # handed over once: the Dashboard forgets it as it hands it
                db.execute("DELETE FROM oauth_contexts WHERE seq=?", (row["seq"],))
        return jsonify(oauth_context=json.loads(row["context"]) if row else None)

    def landing(app_id: str, mode: str):
        state = request.args.get("state")
        code, error = request.args.get("code"), request.args.get("error")
        reason = None
        with storage.write() as db:
            row = db.execute("SELECT * FROM oauth_states WHERE state=?", (state,)).fetchone() if state else None
            if not state:
                reason = "missing_state"
            elif row is None:
                reason = "unknown_state"
            elif row["used"]:
                reason = "used_state"
            elif time.time() >= row["created"] + STATE_LIFETIME:
                reason = "expired_state"
            elif row["app_id"] != app_id:
                reason = "other_app"
            elif row["mode"] != mode:
                reason = "other_mode"
            elif not code and not error:
                reason = "no_result"
            else:
                context = {
                    "code": code if not error else None,
                    "verifier": row["verifier"] if not error else None,
                    "state": row["custom_state"] or None,
                    "error": error,
                }
                db.execute("UPDATE oauth_states SET used=1 WHERE state=?", (state,))
                # The app sees the outcome of the latest authorization: an older one
                # nobody picked up is replaced, as a new redirect replaces the page.
                db.execute(
                    "DELETE FROM oauth_contexts WHERE app_id=? AND user_id=? AND mode=?", (app_id, row["user_id"], mode)
                )
                db.execute(
                    "INSERT INTO oauth_contexts (app_id, user_id, mode, context, created) VALUES (?,?,?,?,?)",
                    (app_id, row["user_id"], mode, json.dumps(context), int(time.time())),
                )
        if reason:
            return (
                render_template("landing.html", ok=False, reason=reason, message=REFUSALS[reason]),
                400,
            )
        assert row is not None  # accepted: the state's row was read above
        handover.handed((app_id, row["user_id"], mode), row["challenge"])  # wakes the app's waiting request
        return render_template(
            "landing.html", ok=True, result="error" if error else "code", error=error, app_id=app_id, mode=mode
        )

    app.add_url_rule("/test/apps-oauth/<app_id>", "landing_test", lambda app_id: landing(app_id, "test"))
    app.add_url_rule("/apps-oauth/<app_id>", "landing_live", lambda app_id: landing(app_id, "live"))
    add_app_page(app, storage)
    app.register_blueprint(arrival_blueprint(storage, handover, caller))
    return app

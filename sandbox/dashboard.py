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

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from helpers.dashboard_refusals import DashboardRefusal

from .app_page import app_page
from .dashboard_manifest import ManifestRefused, check_manifest
from .dashboard_store import DashboardStore, Landed
from .handover import HANDOVER_EXTENSION, Handover, arrival, handover
from .installs import install_app
from .limits import STATE_LIFETIME
from .storage import Storage
from .web import STORAGE_EXTENSION, UNKNOWN_KEY, JSONBodyError, caller_install, json_body, storage, stripe_error

MAX_CUSTOM_STATE = 500
USER_ID_PATTERN = re.compile(r"^usr_[A-Za-z0-9]+$")
SANDBOX_ACCOUNT = "acct_1KitSandbox0000"

REFUSALS = {
    DashboardRefusal.STATE_MISSING: (
        "The redirect carried no state, so the Dashboard cannot tell which authorization attempt it ends."
    ),
    DashboardRefusal.UNKNOWN_STATE: (
        "The state in this redirect is not one the Dashboard created: it was forged, mistyped, or mangled "
        "by an authorization link that was not URL-encoded."
    ),
    DashboardRefusal.USED_STATE: "This link was already used: each authorization attempt can be completed once.",
    DashboardRefusal.EXPIRED_STATE: (
        f"This link has expired: the Dashboard accepts an answer for {STATE_LIFETIME // 60} minutes after "
        "making the link."
    ),
    DashboardRefusal.OTHER_APP: "This state was created for a different app than the one in this redirect URL.",
    DashboardRefusal.OTHER_MODE: "This state was created in the other mode (test vs live) than this redirect URL.",
    DashboardRefusal.NO_RESULT: "The redirect carried neither a code nor an error.",
}

dashboard = Blueprint("dashboard", __name__)


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


@dashboard.post("/api/installs")
def create_install() -> Any:
    body = _body()
    user_id, mode = _string(body, "user_id"), _string(body, "mode", "test")
    account_id = _string(body, "account_id") or SANDBOX_ACCOUNT
    if not USER_ID_PATTERN.fullmatch(user_id):
        return stripe_error(400, f"user_id must look like usr_123, got {user_id!r}.")
    if mode not in ("test", "live"):
        return stripe_error(400, f"mode must be 'test' or 'live', got {mode!r}.")
    try:
        manifest = check_manifest(body.get("manifest") or {})
    except ManifestRefused as refused:
        return stripe_error(400, str(refused))
    return jsonify(install_app(storage(), manifest, user_id, mode, account_id).as_json())


@dashboard.post("/api/oauth_state")
def create_oauth_state() -> Any:
    install = caller_install()
    if install is None:
        return stripe_error(401, UNKNOWN_KEY)
    custom = _string(_body(), "state")
    if len(custom) > MAX_CUSTOM_STATE:
        return stripe_error(400, f"A custom state can be at most {MAX_CUSTOM_STATE} characters.")
    state, challenge = DashboardStore(storage()).create_state(install, custom)
    return jsonify(state=state, challenge=challenge)


@dashboard.get("/api/oauth_context")
def take_oauth_context() -> Any:
    install = caller_install()
    if install is None:
        return stripe_error(401, UNKNOWN_KEY)
    return jsonify(oauth_context=DashboardStore(storage()).take_context(install))


def _landing(app_id: str, mode: str) -> tuple[str, int]:
    code, error = request.args.get("code"), request.args.get("error")
    landed = DashboardStore(storage()).land(app_id, mode, request.args.get("state"), code, error)
    if not isinstance(landed, Landed):
        return render_template("landing.html", ok=False, reason=landed, message=REFUSALS[landed]), 400
    handover().handed((landed.app_id, landed.user_id, landed.mode), landed.challenge)  # wakes the app's wait
    page = render_template(
        "landing.html", ok=True, result="error" if error else "code", error=error, app_id=app_id, mode=mode
    )
    return page, 200


@dashboard.get("/test/apps-oauth/<app_id>")
def landing_test(app_id: str) -> tuple[str, int]:
    return _landing(app_id, "test")


@dashboard.get("/apps-oauth/<app_id>")
def landing_live(app_id: str) -> tuple[str, int]:
    return _landing(app_id, "live")


@dashboard.errorhandler(BadBody)
def bad_body(error: BadBody) -> tuple[Response, int]:
    return stripe_error(400, str(error))


def http_error(error: HTTPException) -> tuple[Response, int]:
    return stripe_error(error.code or 500, f"{error.name}: {error.description}")


def create_dashboard_app(storage: Storage, on_handed: Callable[[], object] | None = None) -> Flask:
    """The Dashboard; ``on_handed`` is told each time the landing accepts a redirect (see Handover)."""
    app = Flask(__name__)
    app.extensions[STORAGE_EXTENSION] = storage
    app.extensions[HANDOVER_EXTENSION] = Handover(on_handed)
    app.register_blueprint(dashboard)
    app.register_blueprint(arrival)
    app.register_blueprint(app_page)
    # On the app, not a blueprint: an unknown path matches no blueprint.
    app.register_error_handler(HTTPException, http_error)
    return app

"""The provider's URLs: each route hands its request to the Authlib server or its endpoints."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..storage import Storage
from ..web import STORAGE_EXTENSION, oauth_error, oauth_error_body, parse_integer, storage
from . import cors
from .grants import AuthorizationCodeGrant, RefreshTokenGrant
from .models import USER
from .rfc6750 import BearerProtector, TokenValidator
from .rfc7009 import Revocation
from .rfc7636 import S256CodeChallenge
from .server import ProviderServer
from .store import ProviderStore

WELL_KNOWN = "/.well-known/oauth-authorization-server"
MAX_AGE_SECONDS = 100 * 365 * 24 * 3600
SERVER_EXTENSION = "sandbox.provider.server"

provider = Blueprint("provider", __name__, template_folder="../templates")
require_oauth = BearerProtector()
require_oauth.register_token_validator(TokenValidator())


def _server() -> ProviderServer:
    server: ProviderServer = current_app.extensions[SERVER_EXTENSION]
    return server


@provider.get(WELL_KNOWN)
def metadata() -> Response:
    return jsonify(_server().metadata())


@provider.post("/register")
def register() -> Any:
    return _server().create_registration_response()


@provider.route("/authorize", methods=["GET", "POST"])
def authorize() -> Any:
    server = _server()
    try:
        grant = server.get_consent_grant(end_user=USER)
    except OAuth2Error as error:
        if error.redirect_uri:  # the client is known: tell it, on its redirect URI
            return server.handle_error_response(None, error)
        # Unknown client or unregistered redirect URI: never redirect (RFC 6749 4.1.2.1).
        return render_template("provider_error.html", error=error), error.status_code
    if request.method == "GET":
        return render_template("consent.html", client=grant.client, scopes=grant.request.scope.split(), user=USER)
    approved = request.form.get("decision") == "approve"
    return server.create_authorization_response(grant_user=USER if approved else None, grant=grant)


@provider.post("/token")
def token() -> Any:
    return _server().create_token_response()


@provider.post("/revoke")
def revoke() -> Any:
    return _server().create_endpoint_response(Revocation.ENDPOINT_NAME)


@provider.post("/sandbox/let-time-pass")
def let_time_pass() -> Any:
    """Not OAuth: the sandbox's stand-in for waiting. Ages one grant's tokens by `seconds`.

    08-token-lifecycle uses it to let an access token expire without waiting an hour.
    """
    seconds = parse_integer(request.form.get("seconds", ""))
    if seconds is None or not 0 <= seconds <= MAX_AGE_SECONDS:
        return oauth_error(400, "invalid_request", "seconds must be a whole number of seconds, 0 to 100 years.")
    if not ProviderStore(storage()).age_grant(request.form.get("token", ""), seconds):
        return oauth_error(404, "invalid_request", "No such token.")
    return jsonify(ok=True, seconds=seconds)


@provider.post("/sandbox/cors")
def switch_cors() -> Any:
    """Not OAuth: the sandbox's switch for CORS on the endpoints an app fetches (cors.py).

    09-your-stripe-app turns it off to show what a browser does with a provider that has none.
    """
    enabled = request.form.get("enabled")
    if enabled not in ("on", "off"):
        return oauth_error(400, "invalid_request", "enabled must be 'on' or 'off'.")
    cors.set_enabled(storage(), enabled == "on")
    return jsonify(cors=enabled)


@provider.get("/api/me")
@require_oauth()
def me() -> Response:
    return jsonify(id=USER.id, name=USER.name, email=USER.email, scope=current_token.scope)


def handle_oauth_error(error: OAuth2Error) -> Any:
    return _server().handle_error_response(None, error)


def handle_http_error(error: HTTPException) -> tuple[Response, int, list[tuple[str, str]]]:
    # An unknown path, a wrong method, an oversized body: still an OAuth error object (RFC 6749 5.2).
    status = error.code or 500
    body = oauth_error_body(
        "server_error" if status >= 500 else "invalid_request", f"{error.name}: {error.description}"
    )
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return jsonify(body), status, headers  # e.g. a 405's Allow


def create_provider_app(storage: Storage) -> Flask:
    app = Flask(__name__, template_folder="../templates")
    app.extensions[STORAGE_EXTENSION] = storage
    server = ProviderServer(app, ProviderStore(storage))
    server.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(Revocation)
    app.extensions[SERVER_EXTENSION] = server
    app.register_blueprint(provider)
    cors.install_cors(app)
    # On the app, not the blueprint: an unknown path matches no blueprint.
    app.register_error_handler(OAuth2Error, handle_oauth_error)
    app.register_error_handler(HTTPException, handle_http_error)
    return app

"""The OAuth provider stand-in: a real authorization server built on Authlib.

It plays the part of a provider such as Dropbox: clients register (RFC 7591),
users consent on an HTML page, the authorization endpoint issues codes bound
to a PKCE challenge (RFC 7636, S256 only), the token endpoint exchanges and
refreshes (RFC 6749), tokens can be revoked (RFC 7009), the metadata is
published (RFC 8414), and `/api/me` is a protected resource.

Authlib does the protocol; this module supplies storage and the places where
the kit is stricter than Authlib's defaults (each marked with the RFC).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import ClientMixin, InvalidGrantError, InvalidRequestError, OAuth2Error, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint, InvalidClientMetadataError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from flask import Flask, jsonify, render_template, request

from .storage import Storage

CODE_LIFETIME = 600  # RFC 6749 4.1.2: "a maximum authorization code lifetime of 10 minutes is RECOMMENDED"
ACCESS_TOKEN_LIFETIME = 3600
# Refresh tokens die after 30 days (and at each use: they rotate). The token response says so in
# `refresh_token_expires_in`, an extension parameter (RFC 6749 5.1 allows them) that GitHub and
# others send, so an app can give the saved token's secret an expiry that matches it.
REFRESH_TOKEN_LIFETIME = 30 * 24 * 3600
SCOPES = ("account.read", "files.read")
TOKEN_PARAMETERS = ("grant_type", "code", "code_verifier", "client_id", "redirect_uri", "refresh_token")


@dataclass(frozen=True)
class User:
    """The one person signed in at the provider (the learner)."""

    id: str = "pu_learner"
    name: str = "Ada Learner"
    email: str = "ada@example.com"

    def get_user_id(self) -> str:
        return self.id


USER = User()


@dataclass(frozen=True)
class Client(ClientMixin):
    client_id: str
    metadata: dict

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.metadata.get("redirect_uris") or []
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = set((self.metadata.get("scope") or " ".join(SCOPES)).split())
        if not scope:
            return " ".join(sorted(allowed))
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string match: no prefix or pattern matching (RFC 9700 2.1).
        return redirect_uri in (self.metadata.get("redirect_uris") or [])

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # public clients only: they hold no secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type in (self.metadata.get("response_types") or ["code"])

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in (self.metadata.get("grant_types") or ["authorization_code"])


@dataclass(frozen=True)
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user_id: str
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(frozen=True)
class Token:
    access_token: str
    refresh_token: str | None
    client_id: str
    user_id: str
    scope: str
    issued_at: int
    expires_in: int
    from_code: str | None
    access_revoked: int
    refresh_revoked: int

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_refresh_token_expired(self) -> bool:
        return time.time() >= self.issued_at + REFRESH_TOKEN_LIFETIME

    def is_revoked(self) -> bool:
        return bool(self.access_revoked)

    def get_user(self) -> User:
        return USER

    def get_client(self) -> Client | None:
        return None


class S256Only(CodeChallenge):
    """PKCE, stricter than Authlib's default.

    Authlib accepts `plain` (and defaults to it) and lets an authorization
    request through without a challenge, failing only at the token step. A
    provider for public clients should refuse both at the authorization
    endpoint (RFC 7636 4.4.1, RFC 9700 2.1.1).
    """

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError(
                "Missing 'code_challenge': this provider requires PKCE with code_challenge_method=S256."
            )
        method = data.get("code_challenge_method")
        if method != "S256":
            raise InvalidRequestError(
                f"Unsupported code_challenge_method {method or '(missing, which means plain)'!r}: "
                "only S256 is accepted (RFC 7636 4.2)."
            )
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):
        # Authlib answers a missing verifier with invalid_request. But the request is complete
        # for a code issued without PKCE; what fails is the grant: this code is bound to a
        # challenge, and nothing proves the caller holds its verifier. So invalid_grant, as for a
        # wrong verifier (RFC 7636 4.6; RFC 6749 5.2: the grant "does not match").
        if not grant.request.form.get("code_verifier"):
            raise InvalidGrantError(
                "Missing 'code_verifier': this code was issued for a PKCE challenge, and only the "
                "verifier it was made from can redeem it."
            )
        super().validate_code_verifier(grant, result)


def _token_from_row(row) -> Token | None:
    return Token(**dict(row)) if row else None


def _revoke_grant(db, code: str) -> None:
    """End a whole grant: every token issued from one code, through all its refreshes.

    For a code used twice RFC 6749 4.1.2 asks for it; for a used refresh token, RFC 9700 4.14.2.
    """
    db.execute("UPDATE tokens SET access_revoked=1, refresh_revoked=1 WHERE from_code=?", (code,))


def _reused_refresh_token() -> InvalidGrantError:
    return InvalidGrantError(
        "This refresh token was already used (each works once: a refresh replaces it). A used one "
        "coming back means two parties hold it, so every token of this grant is now revoked "
        "(RFC 9700 4.14.2). Start again with a new authorization link."
    )


def _replayed_code() -> InvalidGrantError:
    return InvalidGrantError(
        "This authorization code was already used; the tokens issued from it are now revoked "
        "(RFC 6749 4.1.2). Start again with a new authorization link."
    )


def create_provider_app(storage: Storage) -> Flask:
    app = Flask(__name__)
    app.config.update(
        OAUTH2_REFRESH_TOKEN_GENERATOR=True,
        OAUTH2_TOKEN_EXPIRES_IN={"authorization_code": ACCESS_TOKEN_LIFETIME, "refresh_token": ACCESS_TOKEN_LIFETIME},
        OAUTH2_SCOPES_SUPPORTED=list(SCOPES),
    )

    def query_client(client_id: str) -> Client | None:
        with storage.read() as db:
            row = db.execute("SELECT client_id, metadata FROM clients WHERE client_id=?", (client_id,)).fetchone()
        return Client(row["client_id"], json.loads(row["metadata"])) if row else None

    def save_token(token: dict, req) -> None:
        grant_type = req.payload.grant_type
        # A refreshed token descends from the same code as the token it replaces.
        from_code = req.authorization_code.code if grant_type == "authorization_code" else req.refresh_token.from_code
        with storage.write() as db:
            # Spend the code (or the refresh token: rotation) and issue the new token in one
            # transaction: of two requests racing with one code or refresh token, exactly one
            # gets a token, and the loser revokes the grant as a replay would.
            if grant_type == "authorization_code":
                spent = db.execute("UPDATE auth_codes SET used=1 WHERE code=? AND used=0", (from_code,)).rowcount
            else:
                spent = db.execute(
                    "UPDATE tokens SET access_revoked=1, refresh_revoked=1 WHERE access_token=? AND refresh_revoked=0",
                    (req.refresh_token.access_token,),
                ).rowcount
            if not spent:
                _revoke_grant(db, from_code)
            else:
                db.execute(
                    "INSERT INTO tokens (access_token, refresh_token, client_id, user_id, scope, issued_at,"
                    " expires_in, from_code) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        token["access_token"],
                        token.get("refresh_token"),
                        req.client.get_client_id(),
                        req.user.get_user_id(),
                        token.get("scope", ""),
                        int(time.time()),
                        token["expires_in"],
                        from_code,
                    ),
                )
        if not spent:
            raise _replayed_code() if grant_type == "authorization_code" else _reused_refresh_token()

    class Server(AuthorizationServer):
        def generate_token(self, *args, **kwargs) -> dict:
            token = super().generate_token(*args, **kwargs)
            if token.get("refresh_token"):
                token["refresh_token_expires_in"] = REFRESH_TOKEN_LIFETIME
            return token

    server = Server(app, query_client=query_client, save_token=save_token)

    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

        def save_authorization_code(self, code: str, req) -> None:
            data = req.payload.data
            with storage.write() as db:
                db.execute(
                    "INSERT INTO auth_codes (code, client_id, redirect_uri, scope, user_id, code_challenge,"
                    " code_challenge_method, auth_time) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        code,
                        req.client.get_client_id(),
                        req.payload.redirect_uri or "",
                        req.scope or "",
                        req.user.get_user_id(),
                        data.get("code_challenge"),
                        data.get("code_challenge_method"),
                        int(time.time()),
                    ),
                )

        def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
            with storage.write() as db:
                row = db.execute("SELECT * FROM auth_codes WHERE code=?", (code,)).fetchone()
                if row is None or row["client_id"] != client.get_client_id():
                    return None
                if row["used"]:
                    _revoke_grant(db, code)
            if row["used"]:
                raise _replayed_code()
            if time.time() >= row["auth_time"] + CODE_LIFETIME:
                raise InvalidGrantError(
                    "This authorization code has expired (codes live 10 minutes). "
                    "Start again with a new authorization link."
                )
            fields = dict(row)
            del fields["used"]
            return AuthorizationCode(**fields)

        def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
            # Nothing to do: save_token marked the code used, and it is kept so
            # that a replay can be recognised and answered.
            pass

        def authenticate_user(self, authorization_code: AuthorizationCode) -> User:
            return USER

    class RefreshTokenGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["none"]
        INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: each refresh token works once

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            with storage.read() as db:
                row = db.execute("SELECT * FROM tokens WHERE refresh_token=?", (refresh_token,)).fetchone()
            token = _token_from_row(row)
            if token is None or token.client_id != self.request.client.get_client_id():
                return None  # Authlib answers invalid_grant
            if token.refresh_revoked:
                with storage.write() as db:
                    live = db.execute(
                        "SELECT COUNT(*) FROM tokens WHERE from_code=? AND refresh_revoked=0", (token.from_code,)
                    ).fetchone()[0]
                    # Rotation's point (RFC 9700 4.14.2): the provider cannot tell whether the app
                    # or a thief sent the used token, so it ends the grant for both.
                    _revoke_grant(db, token.from_code)
                if live:
                    raise _reused_refresh_token()
                raise InvalidGrantError(
                    "This refresh token's grant has ended: it was revoked, or a used refresh token of the "
                    "same grant came back. Start again with a new authorization link."
                )
            if token.is_refresh_token_expired():
                raise InvalidGrantError(
                    "This refresh token has expired (refresh tokens live 30 days). "
                    "Start again with a new authorization link."
                )
            return token

        def authenticate_user(self, refresh_token: Token) -> User:
            return USER

        def revoke_old_credential(self, refresh_token: Token) -> None:
            pass  # save_token already spent it, in the transaction that issued its successor

    class Revocation(RevocationEndpoint):
        CLIENT_AUTH_METHODS = ["none"]

        def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
            with storage.read() as db:
                row = db.execute(
                    "SELECT * FROM tokens WHERE access_token=? OR refresh_token=?", (token_string, token_string)
                ).fetchone()
            return _token_from_row(row)

        def revoke_token(self, token: Token, req) -> None:
            # Revoking either token ends the whole grant, refreshed tokens included
            # (RFC 7009 2.1: SHOULD for a refresh token, MAY for an access token).
            with storage.write() as db:
                _revoke_grant(db, token.from_code)

    class Registration(ClientRegistrationEndpoint):
        """Open dynamic registration of public clients (RFC 7591)."""

        def authenticate_token(self, req) -> bool:
            return True  # like a developer console: anyone may register an app

        def get_server_metadata(self) -> dict:
            return metadata()

        def generate_client_info(self, req) -> dict:
            info = super().generate_client_info(req)
            # A public client gets no secret: it could not keep one (RFC 6749 2.1).
            info.pop("client_secret")
            info.pop("client_secret_expires_at")
            return info

        def save_client(self, client_info: dict, client_metadata: dict, req) -> Client:
            client_metadata.setdefault("token_endpoint_auth_method", "none")
            if client_metadata["token_endpoint_auth_method"] != "none":
                raise InvalidClientMetadataError(
                    "This provider registers public clients only: use token_endpoint_auth_method 'none'."
                )
            if not client_metadata.get("redirect_uris"):
                raise InvalidClientMetadataError("Register at least one redirect URI (redirect_uris).")
            with storage.write() as db:
                db.execute(
                    "INSERT INTO clients (client_id, issued_at, metadata) VALUES (?,?,?)",
                    (client_info["client_id"], client_info["client_id_issued_at"], json.dumps(client_metadata)),
                )
            return Client(client_info["client_id"], client_metadata)

    server.register_grant(AuthorizationCodeGrant, [S256Only(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Registration)

    class Validator(BearerTokenValidator):
        def authenticate_token(self, token_string: str) -> Token | None:
            with storage.read() as db:
                row = db.execute("SELECT * FROM tokens WHERE access_token=?", (token_string,)).fetchone()
            return _token_from_row(row)

    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(Validator())

    def metadata() -> dict:
        issuer = request.url_root.rstrip("/")
        data = AuthorizationServerMetadata(
            issuer=issuer,
            authorization_endpoint=f"{issuer}/authorize",
            token_endpoint=f"{issuer}/token",
            registration_endpoint=f"{issuer}/register",
            revocation_endpoint=f"{issuer}/revoke",
            scopes_supported=list(SCOPES),
            response_types_supported=["code"],
            grant_types_supported=["authorization_code", "refresh_token"],
            token_endpoint_auth_methods_supported=["none"],
            revocation_endpoint_auth_methods_supported=["none"],
            code_challenge_methods_supported=["S256"],
        )
        data.validate()
        return dict(data)

    @app.get("/.well-known/oauth-authorization-server")
    def well_known():
        return jsonify(metadata())

    @app.post("/register")
    def register():
        return server.create_endpoint_response("client_registration")

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
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

    @app.post("/token")
    def token():
        in_query = [name for name in TOKEN_PARAMETERS if name in request.args]
        if in_query:
            # RFC 6749 4.1.3 / 3.2: the parameters belong in the form-encoded body.
            # In a URL they end up in access logs and proxies (see sandbox.log).
            return (
                jsonify(
                    error="invalid_request",
                    error_description=(
                        f"Token parameters were sent in the URL query string ({', '.join(in_query)}). "
                        "Send them in the form-encoded request body (RFC 6749 section 4.1.3)."
                    ),
                ),
                400,
                {"Cache-Control": "no-store"},
            )
        return server.create_token_response()

    @app.post("/revoke")
    def revoke():
        return server.create_endpoint_response(Revocation.ENDPOINT_NAME)

    @app.post("/sandbox/let-time-pass")
    def let_time_pass():
        """Not OAuth: the sandbox's stand-in for waiting. Ages one grant's tokens by `seconds`.

        08-token-lifecycle uses it to let an access token expire without waiting an hour.
        """
        token_string = request.form.get("token", "")
        try:
            seconds = int(request.form.get("seconds", ""))
        except ValueError:
            return jsonify(error="invalid_request", error_description="seconds must be a whole number."), 400
        with storage.write() as db:
            row = db.execute(
                "SELECT from_code FROM tokens WHERE access_token=? OR refresh_token=?", (token_string, token_string)
            ).fetchone()
            if row is None:
                return jsonify(error="invalid_request", error_description="No such token."), 404
            db.execute("UPDATE tokens SET issued_at = issued_at - ? WHERE from_code=?", (seconds, row["from_code"]))
        return jsonify(ok=True, seconds=seconds)

    @app.get("/api/me")
    @require_oauth()
    def me():
        return jsonify(id=USER.id, name=USER.name, email=USER.email, scope=current_token.scope)

    return app

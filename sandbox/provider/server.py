"""The provider's authorization server: Authlib's, holding the store that its grants reach as `server.store`."""

from __future__ import annotations

import re
import threading
from typing import Any

from authlib.common.security import is_secure_transport
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InsecureTransportError, InvalidClientError, InvalidRequestError, OAuth2Request
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from flask import Flask
from flask import request as flask_request

from .models import ACCESS_TOKEN_LIFETIME, REFRESH_TOKEN_LIFETIME, SCOPES, Client
from .rfc6749 import check_parameters, check_token_request
from .rfc6750 import REALM
from .store import ProviderStore

_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")  # an auth-scheme (RFC 9110 11.1)


class InvalidClientChallenge(InvalidClientError):
    """invalid_client for a client that tried the Authorization header: 401, with a challenge
    in the scheme the client used (RFC 6749 5.2)."""

    status_code = 401

    def __init__(self, description: str | None, scheme: str) -> None:
        super().__init__(description=description)
        self.scheme = scheme if _TOKEN.fullmatch(scheme) else "Basic"

    def get_headers(self) -> list[tuple[str, str]]:
        headers = [h for h in super().get_headers() if h[0] != "WWW-Authenticate"]
        return [*headers, ("WWW-Authenticate", f'{self.scheme} realm="{REALM}"')]


class ProviderServer(AuthorizationServer):
    def __init__(self, app: Flask, store: ProviderStore) -> None:
        app.config.update(
            OAUTH2_REFRESH_TOKEN_GENERATOR=True,
            OAUTH2_TOKEN_EXPIRES_IN={
                "authorization_code": ACCESS_TOKEN_LIFETIME,
                "refresh_token": ACCESS_TOKEN_LIFETIME,
            },
            OAUTH2_SCOPES_SUPPORTED=list(SCOPES),
        )
        super().__init__(app)
        self.store = store
        self._registration_lock = threading.Lock()
        self._registration_ready = False

    def query_client(self, client_id: str) -> Client | None:
        return self.store.query_client(client_id)

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        try:
            oauth_request = super().create_oauth2_request(request)
        except InsecureTransportError:
            raise insecure_transport() from None
        check_parameters(flask_request.values)
        return oauth_request

    def create_token_response(self, request: Any = None) -> Any:
        check_token_request(flask_request.args)
        return super().create_token_response(request)

    def authenticate_client(self, request: OAuth2Request, methods: list[str], endpoint: str = "token") -> Client:
        try:
            return super().authenticate_client(request, methods, endpoint)
        except InvalidClientError as error:
            # Authlib challenges only when it offers client_secret_basic itself.
            if "Authorization" in flask_request.headers:
                raise InvalidClientChallenge(error.description, _scheme_tried()) from None
            raise

    def generate_token(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        token = super().generate_token(*args, **kwargs)
        if token.get("refresh_token"):
            token["refresh_token_expires_in"] = REFRESH_TOKEN_LIFETIME
        return token

    def create_registration_response(self) -> Any:
        """Answer a registration request (RFC 7591) with Authlib's endpoint, registered at the first one.

        Authlib's RFC 7591 module imports joserfc, and with it cryptography, for software statements,
        which this provider never reads: 12 MiB and about 70 ms of every sandbox's start. Most sandbox
        processes never see a registration (a learner registers in 00 and 01, then the app keeps its
        client_id; a sandbox woken from its sleep serves the rest), so it is loaded when one comes.
        """
        from .rfc7591 import Registration

        with self._registration_lock:
            if not self._registration_ready:
                self.register_endpoint(Registration)
                self._registration_ready = True
        return self.create_endpoint_response(Registration.ENDPOINT_NAME)

    def metadata(self) -> dict[str, Any]:
        """This server's metadata (RFC 8414 2), for the issuer the request reached it at."""
        issuer = flask_request.url_root.rstrip("/")
        if not is_secure_transport(issuer):
            raise insecure_transport()
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


def _scheme_tried() -> str:
    """The auth-scheme of the request's Authorization header, as werkzeug parsed it, capitalised as
    RFC 9110's registry writes it (schemes compare case-insensitively); Basic if werkzeug could not parse it."""
    authorization = flask_request.authorization
    return authorization.type.capitalize() if authorization else "Basic"


def insecure_transport() -> InvalidRequestError:
    # Authlib allows plain http only to a loopback address (RFC 8252 7.3): reached by another
    # name (a proxy that forwards its own host over http), the provider refuses, as a real one would.
    return InvalidRequestError(
        "This provider must be reached over https, or over http at a loopback address such as 127.0.0.1 "
        "(RFC 6749 section 3.1, RFC 8252 section 7.3)."
    )

"""The protected API's side of bearer tokens (RFC 6750): which token a request carries, and the challenges it gets.

Authlib's protector answers a request without a token with an error code of its own
(`missing_authorization`, `unsupported_token_type`). RFC 6750 3.1 allows three codes,
and none at all for a request that carries no bearer credentials: it gets a bare challenge.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import request as flask_request

from ..web import storage
from .models import Token
from .store import ProviderStore

REALM = "provider"


class NoBearerToken(OAuth2Error):
    """No token was sent, or not as a bearer token: a challenge with no error code (RFC 6750 3.1)."""

    status_code = 401

    def get_body(self) -> list[tuple[str, Any]]:
        return []

    def get_headers(self) -> list[tuple[str, str]]:
        return [*super().get_headers(), ("WWW-Authenticate", f'Bearer realm="{REALM}"')]


class MalformedBearerToken(OAuth2Error):
    """`Authorization: Bearer` with no token, or more than one (RFC 6750 2.1: one b64token)."""

    error = "invalid_request"
    status_code = 400

    def get_headers(self) -> list[tuple[str, str]]:
        challenge = f'Bearer realm="{REALM}", error="{self.error}", error_description="{self.description}"'
        return [*super().get_headers(), ("WWW-Authenticate", challenge)]


class TokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> Token | None:
        return ProviderStore(storage()).query_token(token_string, refresh=False)


class BearerProtector(ResourceProtector):
    def raise_error_response(self, error: OAuth2Error) -> None:
        raise error  # answered by the app's OAuth error handler, as every other OAuth error is

    def parse_request_authorization(self, request: Any) -> tuple[Any, str]:
        authorization = flask_request.authorization  # werkzeug's parser: its scheme and token
        if authorization is None or authorization.type != "bearer":
            raise NoBearerToken()
        token = authorization.token or ""
        if not token or len(token.split()) > 1:
            raise MalformedBearerToken("Send one access token after 'Bearer ' in the Authorization header.")
        return self.get_token_validator("bearer"), token

"""Token revocation (RFC 7009), for public clients: revoking either token ends its whole grant."""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc7009 import RevocationEndpoint

from .models import Token


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["none"]

    def check_params(self, request: Any, client: Any) -> None:
        # Authlib refuses a token_type_hint it does not know (unsupported_token_type, 401). But a
        # hint is only a hint: the server "MAY ignore" it and must search all its token types when
        # the hint does not find the token (RFC 7009 2.1); unsupported_token_type is for a type of
        # token the server cannot revoke (2.2.1), and this one revokes both kinds.
        if not request.form.get("token"):
            raise InvalidRequestError("Missing 'token': send the access or refresh token to revoke.")

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.store.query_token(token_string)

    def revoke_token(self, token: Token, request: Any) -> None:
        # Either token ends the whole grant, refreshed tokens included
        # (RFC 7009 2.1: SHOULD for a refresh token, MAY for an access token).
        self.server.store.revoke_grant(token.from_code)

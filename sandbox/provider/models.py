"""The provider's objects as Authlib reads them: the user, clients, codes and tokens.

Authlib asks each for what it needs through small methods (`ClientMixin`,
`get_scope`, `is_expired`, ...); these frozen values answer them from a row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin

CODE_LIFETIME = 600  # RFC 6749 4.1.2: "a maximum authorization code lifetime of 10 minutes is RECOMMENDED"
ACCESS_TOKEN_LIFETIME = 3600
# Refresh tokens die after 30 days (and at each use: they rotate). The token response says so in
# `refresh_token_expires_in`, an extension parameter (RFC 6749 5.1 allows them) that GitHub and
# others send, so an app can give the saved token's secret an expiry that matches it.
REFRESH_TOKEN_LIFETIME = 30 * 24 * 3600
SCOPES = ("account.read", "files.read")


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
    """A registered public client; `metadata` is what registration stored (RFC 7591 2), defaults included."""

    client_id: str
    metadata: dict[str, Any] = field(hash=False)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.metadata["redirect_uris"]
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = set(self.metadata.get("scope", " ".join(SCOPES)).split())
        if not scope:
            return " ".join(sorted(allowed))
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string match: no prefix or pattern matching (RFC 9700 2.1).
        return redirect_uri in self.metadata["redirect_uris"]

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # public clients only: they hold no secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type in self.metadata.get("response_types", ["code"])

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.metadata.get("grant_types", ["authorization_code"])


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
    used: bool = False

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return time.time() >= self.auth_time + CODE_LIFETIME


@dataclass(frozen=True)
class Token:
    """An access token and the refresh token issued with it; `from_code` names the grant they belong to."""

    access_token: str
    refresh_token: str | None
    client_id: str
    user_id: str
    scope: str
    issued_at: int
    expires_in: int
    from_code: str
    access_revoked: bool = False
    refresh_revoked: bool = False

    def check_client(self, client: ClientMixin) -> bool:
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
        return self.access_revoked

    def get_user(self) -> User:
        return USER

    def get_client(self) -> Client | None:
        return None

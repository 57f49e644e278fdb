"""The provider's two grants (RFC 6749 4.1 and 6), for public clients; they reach the store as `self.server.store`.

Each grant spends what it redeems and issues the new token in one transaction
(`save_token`), so of two requests racing with one code or one refresh token
exactly one gets a token, and the loser is answered as a replay.
"""

from __future__ import annotations

import time
from typing import Any

from authlib.oauth2.rfc6749 import InvalidGrantError, grants

from .models import USER, AuthorizationCode, Client, Token, User


def replayed_code() -> InvalidGrantError:
    return InvalidGrantError(
        "This authorization code was already used; the tokens issued from it are now revoked "
        "(RFC 6749 4.1.2). Start again with a new authorization link."
    )


def reused_refresh_token() -> InvalidGrantError:
    return InvalidGrantError(
        "This refresh token was already used (each works once: a refresh replaces it). A used one "
        "coming back means two parties hold it, so every token of this grant is now revoked "
        "(RFC 9700 4.14.2). Start again with a new authorization link."
    )


def _new_token(token: dict[str, Any], request: Any, from_code: str) -> Token:
    return Token(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token"),
        client_id=request.client.get_client_id(),
        user_id=request.user.get_user_id(),
        scope=token.get("scope", ""),
        issued_at=int(time.time()),
        expires_in=token["expires_in"],
        from_code=from_code,
    )


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        self.server.store.save_code(
            AuthorizationCode(
                code=code,
                client_id=request.client.get_client_id(),
                redirect_uri=request.payload.redirect_uri or "",
                scope=request.scope or "",
                user_id=request.user.get_user_id(),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                auth_time=int(time.time()),
            )
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        found = self.server.store.query_code(code)
        if found is None or found.client_id != client.get_client_id():
            return None  # Authlib answers invalid_grant
        if found.used:
            self.server.store.revoke_grant(code)
            raise replayed_code()
        if found.is_expired():
            raise InvalidGrantError(
                "This authorization code has expired (codes live 10 minutes). "
                "Start again with a new authorization link."
            )
        return found

    def save_token(self, token: dict[str, Any]) -> None:
        code = self.request.authorization_code.code
        with self.server.store.write() as store:
            if store.spend_code(code):
                store.issue_token(_new_token(token, self.request, code))
                return
            store.revoke_grant(code)  # a concurrent request spent it first: a replay
        raise replayed_code()

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
        token = self.server.store.query_token(refresh_token, access=False)
        if token is None or token.client_id != self.request.client.get_client_id():
            return None  # Authlib answers invalid_grant
        if token.refresh_revoked:
            # Rotation's point (RFC 9700 4.14.2): the provider cannot tell whether the app
            # or a thief sent the used token, so it ends the grant for both.
            if self.server.store.revoke_grant(token.from_code):
                raise reused_refresh_token()
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

    def save_token(self, token: dict[str, Any]) -> None:
        old: Token = self.request.refresh_token
        with self.server.store.write() as store:
            if store.spend_refresh_token(old.access_token):
                store.issue_token(_new_token(token, self.request, old.from_code))
                return
            store.revoke_grant(old.from_code)  # a concurrent refresh spent it first: a reuse
        raise reused_refresh_token()

    def authenticate_user(self, refresh_token: Token) -> User:
        return USER

    def revoke_old_credential(self, refresh_token: Token) -> None:
        pass  # save_token already spent it, in the transaction that issued its successor

"""The provider's data in the sandbox's SQLite file, as named operations.

Reads take a snapshot; `write()` opens one transaction for operations that must
happen together (spend a code *and* issue its token), so that of two requests
racing with one code or refresh token exactly one wins.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from ..storage import Storage
from .models import AuthorizationCode, Client, Token


class ProviderStore:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def query_client(self, client_id: str) -> Client | None:
        with self._storage.read() as db:
            row = db.execute("SELECT client_id, metadata FROM clients WHERE client_id=?", (client_id,)).fetchone()
        return Client(row["client_id"], json.loads(row["metadata"])) if row else None

    def save_client(self, client: Client, issued_at: int) -> None:
        with self._storage.write() as db:
            db.execute(
                "INSERT INTO clients (client_id, issued_at, metadata) VALUES (?,?,?)",
                (client.client_id, issued_at, json.dumps(client.metadata)),
            )

    def save_code(self, code: AuthorizationCode) -> None:
        with self._storage.write() as db:
            db.execute(
                "INSERT INTO auth_codes (code, client_id, redirect_uri, scope, user_id, code_challenge,"
                " code_challenge_method, auth_time, used) VALUES (:code, :client_id, :redirect_uri, :scope,"
                " :user_id, :code_challenge, :code_challenge_method, :auth_time, :used)",
                asdict(code),
            )

    def query_code(self, code: str) -> AuthorizationCode | None:
        with self._storage.read() as db:
            row = db.execute("SELECT * FROM auth_codes WHERE code=?", (code,)).fetchone()
        return AuthorizationCode(**{**dict(row), "used": bool(row["used"])}) if row else None

    def query_token(self, token_string: str, *, access: bool = True, refresh: bool = True) -> Token | None:
        """The token whose access token (if `access`) or refresh token (if `refresh`) is `token_string`."""
        with self._storage.read() as db:
            row = db.execute(
                "SELECT * FROM tokens WHERE (? AND access_token=?) OR (? AND refresh_token=?)",
                (access, token_string, refresh, token_string),
            ).fetchone()
        return _token(row) if row else None

    @contextmanager
    def write(self) -> Iterator[GrantWriter]:
        with self._storage.write() as db:
            yield GrantWriter(db)

    def revoke_grant(self, from_code: str) -> bool:
        with self.write() as grants:
            return grants.revoke_grant(from_code)

    def age_grant(self, token_string: str, seconds: int) -> bool:
        """Make the tokens of the grant `token_string` belongs to `seconds` older; False if no such token."""
        with self.write() as grants:
            return grants.age_grant(token_string, seconds)


class GrantWriter:
    """The write operations on codes and tokens, inside one open transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def spend_code(self, code: str) -> bool:
        """Mark the code used; False if it was used already."""
        return bool(self._db.execute("UPDATE auth_codes SET used=1 WHERE code=? AND used=0", (code,)).rowcount)

    def spend_refresh_token(self, access_token: str) -> bool:
        """Retire a token and its refresh token (rotation); False if its refresh token was spent already."""
        return bool(
            self._db.execute(
                "UPDATE tokens SET access_revoked=1, refresh_revoked=1 WHERE access_token=? AND refresh_revoked=0",
                (access_token,),
            ).rowcount
        )

    def issue_token(self, token: Token) -> None:
        self._db.execute(
            "INSERT INTO tokens (access_token, refresh_token, client_id, user_id, scope, issued_at, expires_in,"
            " from_code, access_revoked, refresh_revoked) VALUES (:access_token, :refresh_token, :client_id,"
            " :user_id, :scope, :issued_at, :expires_in, :from_code, :access_revoked, :refresh_revoked)",
            asdict(token),
        )

    def revoke_grant(self, from_code: str) -> bool:
        """End a whole grant: every token issued from one code, through all its refreshes.

        True if the grant was live until now (one of its tokens could still be refreshed).
        """
        return bool(
            self._db.execute(
                "UPDATE tokens SET access_revoked=1, refresh_revoked=1 WHERE from_code=? AND refresh_revoked=0",
                (from_code,),
            ).rowcount
        )

    def age_grant(self, token_string: str, seconds: int) -> bool:
        row = self._db.execute(
            "SELECT from_code FROM tokens WHERE access_token=? OR refresh_token=?", (token_string, token_string)
        ).fetchone()
        if row is not None:
            self._db.execute(
                "UPDATE tokens SET issued_at = issued_at - ? WHERE from_code=?", (seconds, row["from_code"])
            )
        return row is not None


def _token(row: sqlite3.Row) -> Token:
    revoked = {"access_revoked": bool(row["access_revoked"]), "refresh_revoked": bool(row["refresh_revoked"])}
    return Token(**{**dict(row), **revoked})

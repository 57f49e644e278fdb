"""The Stripe API stand-in's Secret Store data in the sandbox's SQLite file, as named operations.

The routes (`stripe_api.py`) check the request; this class keeps the rules about the stored
secrets themselves: one name a scope, at most MAX_SECRETS_PER_SCOPE, gone after `expires_at`.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from .installs import Install, random_id
from .storage import Storage

MAX_SECRETS_PER_SCOPE = 10

_IN_SCOPE = "app_id=? AND livemode=? AND scope_type=? AND scope_user=?"
_LIVE = "(expires_at IS NULL OR expires_at > ?)"


@dataclass(frozen=True)
class Scope:
    type: str
    user: str  # "" for the account scope

    def as_json(self) -> dict[str, str]:
        return {"type": self.type, "user": self.user} if self.type == "user" else {"type": "account"}


class ScopeFull(Exception):
    """The scope already holds MAX_SECRETS_PER_SCOPE secrets."""


def _key(install: Install, scope: Scope) -> tuple[str, int, str, str]:
    return (install.app_id, int(install.livemode), scope.type, scope.user)


class SecretStore:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def save(self, install: Install, scope: Scope, name: str, payload: str, expires_at: int | None) -> sqlite3.Row:
        """Create the secret, or replace the one of that name in that scope; ScopeFull past the limit."""
        key, now = _key(install, scope), int(time.time())
        with self._storage.write() as db:
            # An expired secret is gone (Stripe deletes it after expires_at).
            db.execute("DELETE FROM secrets WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,))
            existing = db.execute(f"SELECT id FROM secrets WHERE {_IN_SCOPE} AND name=?", (*key, name)).fetchone()
            if existing:
                db.execute(
                    "UPDATE secrets SET payload=?, expires_at=?, created=? WHERE id=?",
                    (payload, expires_at, now, existing["id"]),
                )
                secret_id = existing["id"]
            else:
                if (
                    db.execute(f"SELECT COUNT(*) FROM secrets WHERE {_IN_SCOPE}", key).fetchone()[0]
                    >= MAX_SECRETS_PER_SCOPE
                ):
                    raise ScopeFull()
                secret_id = random_id("appsecret_")
                db.execute(
                    "INSERT INTO secrets (id, app_id, livemode, scope_type, scope_user, name, payload, created,"
                    " expires_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (secret_id, *key, name, payload, now, expires_at),
                )
            row: sqlite3.Row = db.execute("SELECT * FROM secrets WHERE id=?", (secret_id,)).fetchone()
        return row

    def find(self, install: Install, scope: Scope, name: str) -> sqlite3.Row | None:
        with self._storage.read() as db:
            return _live(db, install, scope, name)

    def delete(self, install: Install, scope: Scope, name: str) -> sqlite3.Row | None:
        """Delete the live secret of that name; the row it had, or None if there was none."""
        with self._storage.write() as db:
            row = _live(db, install, scope, name)
            if row is not None:
                db.execute("DELETE FROM secrets WHERE id=?", (row["id"],))
        return row

    def list(self, install: Install, scope: Scope) -> list[sqlite3.Row]:
        """The scope's live secrets, newest first."""
        with self._storage.read() as db:
            return db.execute(
                f"SELECT * FROM secrets WHERE {_IN_SCOPE} AND {_LIVE} ORDER BY created DESC, id DESC",
                (*_key(install, scope), int(time.time())),
            ).fetchall()


def _live(db: sqlite3.Connection, install: Install, scope: Scope, name: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"SELECT * FROM secrets WHERE {_IN_SCOPE} AND name=? AND {_LIVE}",
        (*_key(install, scope), name, int(time.time())),
    ).fetchone()
    return row


def secret_json(row: sqlite3.Row, expand_payload: bool) -> dict[str, Any]:
    """The `apps.secret` object, as Stripe returns it; the payload only when asked for."""
    secret = {
        "id": row["id"],
        "object": "apps.secret",
        "created": row["created"],
        "deleted": False,
        "expires_at": row["expires_at"],
        "livemode": bool(row["livemode"]),
        "name": row["name"],
        "scope": Scope(row["scope_type"], row["scope_user"]).as_json(),
    }
    if expand_payload:
        secret["payload"] = row["payload"]
    return secret

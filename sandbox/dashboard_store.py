"""The Dashboard stand-in's data in the sandbox's SQLite file, as named operations: the states it made
(`createOAuthState`), the answers it took at its landing, and the `oauthContext` it hands over once."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from helpers.dashboard_refusals import DashboardRefusal

from .installs import Install, find_install
from .limits import STATE_LIFETIME
from .storage import Storage

# The Dashboard's own random values, made here rather than with the kit's helpers it checks:
# a 43-character verifier from 32 octets (RFC 7636 4.1), and a state of 24 octets, unguessable (RFC 6749 10.10).
VERIFIER_OCTETS = 32
STATE_OCTETS = 24


@dataclass(frozen=True)
class Landed:
    """A redirect the landing accepted: whose oauthContext it made, and the challenge of the link it answers."""

    app_id: str
    user_id: str
    mode: str
    challenge: str


class DashboardStore:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def create_state(self, install: Install, custom: str) -> tuple[str, str]:
        """A new state and the challenge of the verifier the Dashboard keeps for it."""
        verifier = secrets.token_urlsafe(VERIFIER_OCTETS)
        # The custom state rides inside `state`, as the app passed it, so it
        # must survive the trip through a URL: that is why links are encoded.
        state = secrets.token_urlsafe(STATE_OCTETS) + (f":{custom}" if custom else "")
        challenge = create_s256_code_challenge(verifier)
        with self._storage.write() as db:
            db.execute(
                "INSERT INTO oauth_states (state, app_id, user_id, mode, verifier, challenge, custom_state, created)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (state, install.app_id, install.user_id, install.mode, verifier, challenge, custom, int(time.time())),
            )
        return state, challenge

    def take_context(self, install: Install) -> dict[str, Any] | None:
        """The install's waiting oauthContext, handed over once: the Dashboard forgets it as it hands it."""
        with self._storage.write() as db:
            row = db.execute(
                "SELECT seq, context FROM oauth_contexts WHERE app_id=? AND user_id=? AND mode=?",
                (install.app_id, install.user_id, install.mode),
            ).fetchone()
            if row:
                db.execute("DELETE FROM oauth_contexts WHERE seq=?", (row["seq"],))
        context: dict[str, Any] | None = json.loads(row["context"]) if row else None
        return context

    def land(
        self, app_id: str, mode: str, state: str | None, code: str | None, error: str | None
    ) -> DashboardRefusal | Landed:
        """Take the provider's answer at the landing for `app_id` in `mode`: the refusal, or what it handed over."""
        if not state:
            return DashboardRefusal.STATE_MISSING
        with self._storage.write() as db:
            row = db.execute("SELECT * FROM oauth_states WHERE state=?", (state,)).fetchone()
            refusal = _refusal(row, app_id, mode, code, error)
            if refusal:
                return refusal
            context = {
                "code": code if not error else None,
                "verifier": row["verifier"] if not error else None,
                "state": row["custom_state"] or None,
                "error": error,
            }
            db.execute("UPDATE oauth_states SET used=1 WHERE state=?", (state,))
            # The app sees the outcome of the latest authorization: an older one
            # nobody picked up is replaced, as a new redirect replaces the page.
            who = (app_id, row["user_id"], mode)
            db.execute("DELETE FROM oauth_contexts WHERE app_id=? AND user_id=? AND mode=?", who)
            db.execute(
                "INSERT INTO oauth_contexts (app_id, user_id, mode, context, created) VALUES (?,?,?,?,?)",
                (*who, json.dumps(context), int(time.time())),
            )
        return Landed(app_id, row["user_id"], mode, row["challenge"])

    def held_context(self, app_id: str, user_id: str, mode: str) -> dict[str, Any] | None:
        """The oauthContext waiting for the app's user in `mode`, left where it is (take_context hands it over)."""
        with self._storage.read() as db:
            row = db.execute(
                "SELECT context FROM oauth_contexts WHERE app_id=? AND user_id=? AND mode=?", (app_id, user_id, mode)
            ).fetchone()
        context: dict[str, Any] | None = json.loads(row["context"]) if row else None
        return context

    def install_of(self, app_id: str, user_id: str, mode: str) -> Install | None:
        with self._storage.read() as db:
            row = db.execute(
                "SELECT api_key FROM installs WHERE app_id=? AND user_id=? AND mode=?", (app_id, user_id, mode)
            ).fetchone()
        return find_install(self._storage, row["api_key"]) if row else None

    def manifest_of(self, install: Install) -> dict[str, Any]:
        with self._storage.read() as db:
            row = db.execute("SELECT manifest FROM installs WHERE api_key=?", (install.api_key,)).fetchone()
        manifest: dict[str, Any] = json.loads(row["manifest"])
        return manifest


def _refusal(row: Any, app_id: str, mode: str, code: str | None, error: str | None) -> DashboardRefusal | None:
    """Why the Dashboard refuses this answer to the state of `row` (None: no such state), if it does."""
    if row is None:
        return DashboardRefusal.UNKNOWN_STATE
    if row["used"]:
        return DashboardRefusal.USED_STATE
    if time.time() >= row["created"] + STATE_LIFETIME:
        return DashboardRefusal.EXPIRED_STATE
    if row["app_id"] != app_id:
        return DashboardRefusal.OTHER_APP
    if row["mode"] != mode:
        return DashboardRefusal.OTHER_MODE
    if not code and not error:
        return DashboardRefusal.NO_RESULT
    return None

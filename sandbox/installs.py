"""App installs: which app, for which user and mode, with which permissions.

In the real Dashboard a UI extension never holds an API key: the Dashboard
session tells Stripe which app, user and mode a call comes from. The sandbox
stands that identity in for a per-install API key, so both the Dashboard and
the Stripe API stand-ins can tell who is calling, and accept only keys they
issued.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpers.redact import redact_value

if TYPE_CHECKING:  # the kernel imports Install through the launcher; it needs no SQLite nor a schema check
    import sqlite3

    from .dashboard_manifest import AppManifest
    from .storage import Storage

_ALPHANUMERIC = string.ascii_letters + string.digits


def random_id(prefix: str, length: int = 24) -> str:
    """Stripe-style object ids and keys: a prefix and random alphanumerics.

    One draw from the system's random source for the whole id (a draw per
    character was a measurable share of a request's time).
    """
    number = secrets.randbits(6 * length)
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(_ALPHANUMERIC))
        chars.append(_ALPHANUMERIC[digit])
    return prefix + "".join(chars)


@dataclass(frozen=True)
class Install:
    """An app installed for one user in one mode; `api_key` stands for that install's identity."""

    api_key: str
    install_id: str
    app_id: str
    user_id: str
    account_id: str
    mode: str
    permissions: tuple[str, ...]

    @property
    def livemode(self) -> bool:
        return self.mode == "live"

    def __repr__(self) -> str:
        return (
            f"Install(app_id={self.app_id!r}, user_id={self.user_id!r}, mode={self.mode!r}, "
            f"permissions={self.permissions!r}, api_key={redact_value(self.api_key)!r})"
        )

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Install:
        return cls(
            api_key=body["api_key"],
            install_id=body["id"],
            app_id=body["app_id"],
            user_id=body["user_id"],
            account_id=body["account_id"],
            mode=body["mode"],
            permissions=tuple(body["permissions"]),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.install_id,
            "object": "apps.install",
            "app_id": self.app_id,
            "user_id": self.user_id,
            "account_id": self.account_id,
            "mode": self.mode,
            "permissions": list(self.permissions),
            "api_key": self.api_key,
        }


def _from_row(row: sqlite3.Row) -> Install:
    return Install.from_json({**dict(row), "id": row["install_id"], "permissions": json.loads(row["permissions"])})


def install_app(storage: Storage, manifest: AppManifest, user_id: str, mode: str, account_id: str) -> Install:
    """Install (or re-install) an app for a user in a mode.

    Re-installing keeps the install's key and takes the manifest's current
    permissions, as approving an app's new permissions does in Stripe.
    """
    permissions = json.dumps(list(manifest.permissions))
    with storage.write() as db:
        row = db.execute(
            "SELECT * FROM installs WHERE app_id=? AND user_id=? AND mode=?", (manifest.app_id, user_id, mode)
        ).fetchone()
        if row:
            db.execute(
                "UPDATE installs SET permissions=?, manifest=? WHERE api_key=?",
                (permissions, json.dumps(dict(manifest.raw)), row["api_key"]),
            )
            api_key = row["api_key"]
        else:
            api_key = random_id(f"sk_{mode}_", 32)
            db.execute(
                "INSERT INTO installs (api_key, install_id, app_id, user_id, account_id, mode, permissions,"
                " manifest, created) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    api_key,
                    random_id("appinst_"),
                    manifest.app_id,
                    user_id,
                    account_id,
                    mode,
                    permissions,
                    json.dumps(dict(manifest.raw)),
                    int(time.time()),
                ),
            )
        row = db.execute("SELECT * FROM installs WHERE api_key=?", (api_key,)).fetchone()
    return _from_row(row)


def find_install(storage: Storage, api_key: str) -> Install | None:
    with storage.read() as db:
        row = db.execute("SELECT * FROM installs WHERE api_key=?", (api_key,)).fetchone()
    return _from_row(row) if row else None

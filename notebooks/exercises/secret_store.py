"""04-set-secret: the parameters of the Secret Store call that saves the token (the notebook asks for two).

The check needs no network: it compares what the learner chose with what Stripe's API
accepts (names and payloads of at most 5000 characters, a scope the UI extension may
reach, an absolute expiry in the next 100 years) and with what the next notebook needs
(the name it looks for, the token as JSON, the expiry of what the token can still do).
"""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

from helpers.secret_store import TOKEN_SECRET_NAME, SecretScope
from helpers.tokens import TokenData

from .feedback import Feedback, check, not_started, records_pass

MAX_STRING = 5000
MAX_EXPIRY_SECONDS = 100 * 365 * 24 * 3600
# Below this, an "expires_at" is a duration (like expires_in), not a date: 10**9 is the year 2001.
SMALLEST_DATE = 10**9
# Above this, it is in milliseconds (JavaScript's Date.now()), not seconds.
LARGEST_SECONDS = 10**11


@records_pass("04")
def check_secret_params(
    name: Any,
    scope: Any,
    payload: Any,
    expires_at: Any,
    *,
    user_id: str,
    token: TokenData,
    now: float | None = None,
) -> Feedback:
    """Would ``apps.secrets.create(name=…, scope=…, payload=…, expires_at=…)`` save ``token`` right?"""
    if any(value is ... for value in (name, scope, payload, expires_at)):
        return not_started("your choices for my_scope and my_expires_at")
    now = time.time() if now is None else now
    points = [
        *_name_points(name),
        *_scope_points(scope, user_id),
        *_payload_points(payload, token),
        *_expiry_points(expires_at, token, now),
    ]
    return check(
        points,
        "These are the parameters save_token sends: the token, as JSON, in the current user's scope, "
        "under the name a later session looks for, gone once the token is worth nothing.",
    )


def _name_points(name: Any) -> list[str]:
    if not isinstance(name, str):
        return [f"The name should be a string such as {TOKEN_SECRET_NAME!r}, not {type(name).__name__}."]
    if not name:
        return ["The name is empty: Stripe requires one (it is how the secret is found again)."]
    if len(name) > MAX_STRING:
        return [f"The name is {len(name)} characters long; Stripe allows at most {MAX_STRING}."]
    if name != TOKEN_SECRET_NAME:
        return [
            f"Stripe would accept {name!r}, but a later session finds the secret by its name: "
            f"use {TOKEN_SECRET_NAME!r}, the name 05-find-secret looks for."
        ]
    return []


def _scope_points(scope: Any, user_id: str) -> list[str]:
    right = {"type": "user", "user": user_id}
    if isinstance(scope, SecretScope):
        return [
            f"That is the kit's SecretScope object; the API call takes a plain dict: {right!r} "
            "(kit.secret_scope.to_params() gives it)."
        ]
    if not isinstance(scope, dict):
        return [f"The scope should be a dict such as {right!r}, not {type(scope).__name__}."]
    extra = sorted(set(scope) - {"type", "user"}, key=str)
    if extra:
        return [f"A scope has only 'type' and 'user'; remove {', '.join(map(repr, extra))}."]
    kind, user = scope.get("type"), scope.get("user")
    if kind is None:
        return ["The scope needs a 'type': 'user' for one user's secrets, 'account' for the whole account's."]
    if kind not in ("user", "account"):
        return [f"The scope's type must be 'user' or 'account', not {kind!r}."]
    if kind == "account" and user is not None:
        return [
            "An account scope takes no 'user': Stripe refuses scope[user] when scope[type] is 'account'. "
            f"The token belongs to one user, so use type 'user': {right!r}."
        ]
    if kind == "account":
        return [
            "The account scope is shared by every user of the account, but this token is one user's "
            f"consent: keep it in their own scope, {right!r}."
        ]
    if not user:
        return [f"A user scope needs the user's id: add 'user': user_context.id ({user_id!r})."]
    if user != user_id:
        return [
            f"{user!r} is not the current user ({user_id!r}). A UI extension reaches only its own user's "
            "scope and the account's; Stripe answers 403 for anyone else's."
        ]
    return []


def _payload_points(payload: Any, token: TokenData) -> list[str]:
    if isinstance(payload, TokenData):
        return ["That is the TokenData object; the payload must be a string: token.to_json()."]
    if isinstance(payload, dict):
        return [
            "The payload is a dict, but the Secret Store keeps text: turn it into a JSON string "
            "with json.dumps(...), or use token.to_json()."
        ]
    if isinstance(payload, bytes):
        return ["The payload is bytes; it should be a str: token.to_json() gives one."]
    if not isinstance(payload, str):
        return [f"The payload should be a string (the token as JSON), not {type(payload).__name__}."]
    if len(payload) > MAX_STRING:
        return [f"The payload is {len(payload)} characters long; Stripe allows at most {MAX_STRING}."]
    if payload == token.access_token:
        return [
            "That is the access token alone. Save the whole token as JSON (token.to_json()): a later "
            "session also needs its expiry, and the refresh token to get a new one."
        ]
    if payload == str(token) or payload == repr(token):
        return ["That is the token's repr (redacted, and not JSON): use token.to_json()."]
    try:
        data = json.loads(payload)
    except ValueError:
        return ["The payload is not JSON, so a later session cannot read it back with json.loads: use token.to_json()."]
    if not isinstance(data, dict):
        return ["The payload is JSON but not an object: save the token's fields, token.to_json()."]
    if data.get("access_token") != token.access_token:
        return ["The payload's access_token is not this token's: save token.to_json()."]
    if "expires_in" in data and data.get("expires_at") is None:
        return [
            "The payload keeps expires_in, seconds counted from when the token was issued, which a later "
            "session cannot use. Keep the absolute expires_at instead (token.to_json() does)."
        ]
    missing = [
        field
        for field in ("token_type", "expires_at", "refresh_token")
        if getattr(token, field) is not None and data.get(field) != getattr(token, field)
    ]
    if missing:
        return [f"The payload lacks the token's {', '.join(missing)}: use token.to_json(), which keeps them all."]
    return []


def _expiry_points(expires_at: Any, token: TokenData, now: float) -> list[str]:
    want = token.usable_until
    if expires_at is None:
        if want is None:
            return []
        return [
            "Stripe accepts no expiry, but then a dead token stays behind: give token.usable_until, "
            "and Stripe deletes the secret once the token in it is worth nothing."
        ]
    if isinstance(expires_at, datetime.datetime):
        return [
            "expires_at is a Unix time, a whole number of seconds: int(your_datetime.timestamp()), "
            "or simply token.usable_until."
        ]
    if isinstance(expires_at, bool) or not isinstance(expires_at, (int, float)):
        return [f"expires_at should be an int (Unix seconds), not {type(expires_at).__name__}: token.usable_until."]
    if isinstance(expires_at, float):
        return ["expires_at should be a whole number of seconds, an int: token.usable_until is one."]
    if expires_at < SMALLEST_DATE:
        return [
            f"{expires_at} looks like a duration (expires_in, seconds from now), but expires_at is an "
            "absolute Unix time, such as token.usable_until."
        ]
    if expires_at > LARGEST_SECONDS:
        return [
            "expires_at looks like milliseconds (as JavaScript's Date.now() gives); Stripe wants seconds: "
            "token.usable_until."
        ]
    if expires_at <= now:
        return ["expires_at is in the past, which Stripe refuses: use token.usable_until of a fresh token."]
    if expires_at > now + MAX_EXPIRY_SECONDS:
        return ["expires_at is more than 100 years away, which Stripe refuses: use token.usable_until."]
    if expires_at == token.expires_at and want != token.expires_at:
        return [
            "That is the access token's expiry: the secret would go within the hour, and with it the "
            "refresh token, which could get new access tokens until later. Use token.usable_until."
        ]
    if expires_at != want:
        return [
            "Stripe would accept that time, but it is not when the saved token stops being worth "
            "anything: use token.usable_until."
        ]
    return []

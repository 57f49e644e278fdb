"""The ``state`` parameter (RFC 6749 §10.12): it ties a redirect to the request that caused it.

In a Stripe App the Dashboard makes it in ``createOAuthState``; the kit makes one here for
the sandbox's Dashboard and for notebook 10, which plays the Dashboard's part itself.
"""

from __future__ import annotations

import secrets

from helpers.errors import StateError

# 128 bits, so nobody can guess a state and forge a redirect (RFC 6749 §10.10).
MIN_STATE_BYTES = 16


def make_state(n_bytes: int = 24) -> str:
    """Return a new random, URL-safe ``state`` of ``n_bytes`` random octets."""
    if n_bytes < MIN_STATE_BYTES:
        raise StateError(
            f"n_bytes={n_bytes} is too few: a state needs at least {MIN_STATE_BYTES} random octets to be unguessable.",
            "Call make_state() with no argument.",
        )
    return secrets.token_urlsafe(n_bytes)

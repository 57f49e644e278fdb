"""PKCE (RFC 7636): the code verifier and its S256 challenge.

In a Stripe App the Dashboard makes these (``createOAuthState``) and keeps the verifier;
the kit makes them here too, so a learner can see every step, the sandbox's Dashboard
stand-in can use them, and real mode can play the Dashboard's part. Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from helpers.errors import PKCEError

# RFC 7636 §4.1: code-verifier = 43*128unreserved
VERIFIER_PATTERN = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
MIN_VERIFIER_LENGTH = 43
MAX_VERIFIER_LENGTH = 128
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# 32 octets give the 43 characters §4.1 recommends; 96 give the 128-character maximum.
MIN_VERIFIER_BYTES = 32
MAX_VERIFIER_BYTES = 96

_VERIFIER_HINT = (
    "A verifier is 43 to 128 characters from A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1). Make one with make_verifier()."
)


def _base64url(data: bytes) -> str:
    """BASE64URL-ENCODE of RFC 7636 Appendix A: URL-safe alphabet, no '=' padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_verifier(n_bytes: int = MIN_VERIFIER_BYTES) -> str:
    """Return a new random code verifier: ``n_bytes`` random octets, base64url-encoded."""
    if not MIN_VERIFIER_BYTES <= n_bytes <= MAX_VERIFIER_BYTES:
        raise PKCEError(
            f"n_bytes={n_bytes} is out of range: it must be from {MIN_VERIFIER_BYTES} to "
            f"{MAX_VERIFIER_BYTES}, which gives a verifier of 43 to 128 characters.",
            "Call make_verifier() with no argument to get the recommended 32 octets.",
        )
    return _base64url(secrets.token_bytes(n_bytes))


def require_verifier(verifier: object) -> str:
    """Return ``verifier`` if it follows RFC 7636 §4.1, else raise PKCEError naming the rule broken.

    The message never quotes the verifier: it is a secret.
    """
    if isinstance(verifier, str) and VERIFIER_PATTERN.fullmatch(verifier):
        return verifier
    # The pattern says whether; the checks below say which rule, for the learner's sake.
    if not isinstance(verifier, str):
        raise PKCEError(f"The verifier must be a str, not {type(verifier).__name__}.", _VERIFIER_HINT)
    if len(verifier) < MIN_VERIFIER_LENGTH:
        raise PKCEError(
            f"The verifier is too short: length {len(verifier)} < {MIN_VERIFIER_LENGTH}.",
            _VERIFIER_HINT,
        )
    if len(verifier) > MAX_VERIFIER_LENGTH:
        raise PKCEError(
            f"The verifier is too long: length {len(verifier)} > {MAX_VERIFIER_LENGTH}.",
            _VERIFIER_HINT,
        )
    position, character = next((i, c) for i, c in enumerate(verifier) if c not in UNRESERVED)
    raise PKCEError(
        f"The verifier holds a character that is not allowed: {character!r} at position {position} (counting from 0).",
        _VERIFIER_HINT,
    )


def s256_challenge(verifier: str) -> str:
    """Return the S256 code challenge of ``verifier`` (RFC 7636 §4.2).

    ``code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))``; the verifier is
    checked first, so a malformed one fails here rather than at the provider.
    """
    digest = hashlib.sha256(require_verifier(verifier).encode("ascii")).digest()
    return _base64url(digest)


def challenge_matches(verifier: str, challenge: str) -> bool:
    """Tell whether ``challenge`` is the S256 challenge of ``verifier`` (the server's §4.6 check).

    The comparison takes the same time wherever the strings differ, so timing reveals nothing.
    """
    return hmac.compare_digest(s256_challenge(verifier).encode("ascii"), challenge.encode("utf-8"))

"""PKCE (RFC 7636), stricter than Authlib's default: S256 only, and required at the authorization endpoint."""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge


class S256CodeChallenge(CodeChallenge):
    """Authlib accepts `plain` (and defaults to it) and lets an authorization request through
    without a challenge, failing only at the token step. A provider for public clients should
    refuse both at the authorization endpoint (RFC 7636 4.4.1, RFC 9700 2.1.1).
    """

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError(
                "Missing 'code_challenge': this provider requires PKCE with code_challenge_method=S256."
            )
        method = data.get("code_challenge_method")
        if method != "S256":
            raise InvalidRequestError(
                f"Unsupported code_challenge_method {method or '(missing, which means plain)'!r}: "
                "only S256 is accepted (RFC 7636 4.2)."
            )
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        # Authlib answers a missing verifier with invalid_request. But the request is complete
        # for a code issued without PKCE; what fails is the grant: this code is bound to a
        # challenge, and nothing proves the caller holds its verifier. So invalid_grant, as for a
        # wrong verifier (RFC 7636 4.6; RFC 6749 5.2: the grant "does not match").
        if not grant.request.form.get("code_verifier"):
            raise InvalidGrantError(
                "Missing 'code_verifier': this code was issued for a PKCE challenge, and only the "
                "verifier it was made from can redeem it."
            )
        super().validate_code_verifier(grant, result)

"""The kit's exception types.

Every failure a learner can cause ends in one of these. Each carries two parts:
``message`` says what went wrong, ``hint`` says what to do about it, and ``str(e)``
shows both, so a traceback in a notebook is already a set of instructions.

No message ever holds a secret in clear: the code that raises these redacts
tokens, codes, verifiers and keys first (see ``helpers.redact``).
"""

from __future__ import annotations

from typing import Literal

from helpers.dashboard_refusals import DashboardRefusal


class KitError(Exception):
    """Base of the kit's errors: a message (what went wrong) and a hint (what to do)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\nWhat to do: {self.hint}"


class PKCEError(KitError):
    """A code verifier or challenge breaks RFC 7636."""


class StateError(KitError):
    """A ``state`` cannot be made as asked: too few random octets to be unguessable (RFC 6749 §10.10)."""


class ModeError(KitError):
    """A mode that is neither the Dashboard's ``"test"`` nor its ``"live"``."""


class ProviderError(KitError):
    """The provider's metadata or settings lack something the flow needs."""


class DiscoveryError(ProviderError):
    """No metadata could be found or used for the issuer given."""


class RegistrationError(KitError):
    """The provider did not register the app; ``error`` is its RFC 7591 error code when it gave one."""

    def __init__(self, message: str, hint: str, *, error: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message, hint)
        self.error = error
        self.status_code = status_code


class LoopbackError(KitError):
    """The loopback listener could not start, or no redirect reached it in time."""


class ManifestError(KitError):
    """``stripe-app.json`` is missing, unreadable, or breaks Stripe's manifest schema."""


class AuthorizeError(KitError):
    """The authorization link cannot be built, or a redirect URL cannot be read."""


# Which check of a pasted redirect address failed (helpers.authorization_response.read_redirect).
RedirectCause = Literal[
    "empty",
    "not_a_url",
    "the_link_itself",
    "wrong_redirect",
    DashboardRefusal.STATE_MISSING,
    "state_mismatch",
    "wrong_issuer",
    "issuer_missing",
    "no_code",
    "repeated_parameter",
]


class RedirectError(AuthorizeError):
    """A redirect address the app must not take a code from; ``cause`` says which check failed."""

    def __init__(self, message: str, hint: str, *, cause: RedirectCause) -> None:
        super().__init__(message, hint)
        self.cause = cause


class GrantStillLiveWarning(UserWarning):
    """Logging out left a grant live at the provider: it has no revocation endpoint, or refused to revoke.

    A warning, not an error: the app did forget the token, which is what the user asked for; but
    anyone holding a copy can still use it until it expires, and the user should know.
    """


class TokenError(KitError):
    """Token data is malformed: a token response or a saved token lacks a required field."""


class UncheckedContextError(KitError, TypeError):
    """The code exchange was handed something other than a checked ``oauthContext`` (``.checked()``)."""


# Why each OAuth error happens in this flow, and the way out. Keys are the error codes of
# RFC 6749 §4.1.2.1 (authorization endpoint, seen as oauthContext.error) and §5.2 (token
# endpoint), RFC 7009 §2.2.1 (revocation), plus two the kit raises itself for transport failures.
OAUTH_HINTS: dict[str, str] = {
    "invalid_grant": (
        "The code (or refresh token) has expired, was already used or revoked, or does not "
        "match the verifier or the redirect_uri it was issued for. A code works once: start "
        "the flow again with a fresh authorization link."
    ),
    "invalid_request": (
        "A required parameter is missing or malformed. Send grant_type, code, redirect_uri, "
        "client_id and code_verifier in a form-encoded body, with the redirect_uri exactly as "
        "in the authorization link."
    ),
    "invalid_client": (
        "The provider does not know this client_id, or wants the client to authenticate with a secret. "
        "Check the client_id you registered, and that the client is a public one (in a console: 'public', "
        "'native', 'single-page' or 'no client secret'; over RFC 7591: token_endpoint_auth_method none), "
        "not a confidential one: a Stripe App cannot keep a secret, so PKCE stands in for it."
    ),
    "unauthorized_client": (
        "This client may not use this grant type. Register the client for the "
        "authorization_code (and refresh_token) grants."
    ),
    "unsupported_grant_type": (
        "The provider does not support this grant_type. Use 'authorization_code' for the "
        "exchange and 'refresh_token' to refresh."
    ),
    "unsupported_response_type": (
        "The provider does not issue codes for this client. The link needs "
        "response_type=code (Stripe's page misspells it 'reponse_type')."
    ),
    "invalid_scope": (
        "The scope asked for is unknown to the provider or not allowed for this client. Ask only for scopes "
        "the provider lists in its metadata's scopes_supported (notebook 10: "
        "found.metadata.get('scopes_supported')) and the client was registered with: change SCOPE, then build "
        "a fresh link."
    ),
    "access_denied": (
        "The user declined on the consent page, so there is no code. Open the authorization link again and approve."
    ),
    "unsupported_token_type": (
        "The provider cannot revoke this kind of token. Revoke the refresh token, or drop the token_type_hint."
    ),
    "invalid_token": (
        "The provider no longer accepts this access token: it expired or was revoked. Refresh it "
        "with refresh() if you hold a refresh token; otherwise run the authorization flow again."
    ),
    "insufficient_scope": (
        "The token is valid but was not granted the scope this API needs. Ask for that scope in "
        "the authorization link, and have the user approve again."
    ),
    "temporarily_unavailable": "The provider is overloaded or down for maintenance. Try again shortly.",
    "server_error": (
        "The provider failed, or the URL is not its OAuth endpoint. Compare the URL with the provider's "
        "metadata or documentation, and read what it answered above; if it is down, try again later (its "
        "status page says). If the provider is the kit's sandbox, read .sandbox/sandbox.log, and "
        "sandbox.start() starts it again."
    ),
    "connection_error": (
        "Nothing answered at that URL. Compare it with the provider's metadata or documentation, and check "
        "this machine's network (a proxy or firewall may stop it). If the provider is the kit's sandbox, "
        "sandbox.start() starts it and gives its endpoint URLs."
    ),
}
DEFAULT_OAUTH_HINT = (
    "Read error_description above; if it does not help, start the flow again with a fresh authorization link."
)


class OAuthError(KitError):
    """An OAuth error: from the provider (RFC 6749 §5.2), from the redirect, or a transport failure.

    ``error`` is the OAuth error code, ``error_description`` the provider's text (already
    redacted), ``status_code`` the HTTP status when there was a response. The hint comes
    from ``OAUTH_HINTS``.
    """

    def __init__(
        self,
        error: str,
        error_description: str | None = None,
        status_code: int | None = None,
    ) -> None:
        status = f" (HTTP {status_code})" if status_code is not None else ""
        description = f": {error_description}" if error_description else ""
        super().__init__(
            f"OAuth error {error!r}{status}{description}",
            OAUTH_HINTS.get(error, DEFAULT_OAUTH_HINT),
        )
        self.error = error
        self.error_description = error_description
        self.status_code = status_code


class SecretStoreError(KitError):
    """A Secret Store call failed; ``status_code`` is what Stripe answered (None: no answer).

    Each cause has its own class below, so code says ``except SecretNotFoundError:`` for the
    one failure an app expects (no token saved yet) and lets the others through.
    """

    def __init__(self, message: str, hint: str, *, status_code: int | None = None) -> None:
        super().__init__(message, hint)
        self.status_code = status_code


class SecretNotFoundError(SecretStoreError):
    """No secret of that name in that scope (HTTP 404): nothing saved yet, deleted, or expired."""


class SecretPermissionError(SecretStoreError):
    """Stripe refused the call (HTTP 403): no ``secret_write`` permission, or another user's scope."""


class SecretAuthenticationError(SecretStoreError):
    """Stripe did not accept the API key (HTTP 401)."""


class SecretRequestError(SecretStoreError):
    """Stripe rejected a parameter (HTTP 400), or the kit refused one before sending it."""


class DashboardError(KitError):
    """A call to the Dashboard (``createOAuthState``, ``oauthContext``) failed."""

    def __init__(self, message: str, hint: str, *, status_code: int | None = None) -> None:
        super().__init__(message, hint)
        self.status_code = status_code

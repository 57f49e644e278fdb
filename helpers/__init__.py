"""What a Stripe App's own code does in the PKCE OAuth flow, in Python: one module a step.

- ``manifest``: read ``stripe-app.json``; the test and live redirect URLs (step 1)
- ``mode``: the Dashboard's test and live modes
- ``provider``: the provider's endpoints and the app's registration there, as one value
- ``state``: the ``state`` parameter (RFC 6749)
- ``pkce``: verifier, S256 challenge (RFC 7636)
- ``context``: the extension context and the Dashboard calls (steps 3 and 4)
- ``authorize``: the authorization link, properly encoded (step 3)
- ``tokens``: code exchange, refresh, revocation, expiry, calling the provider's API (step 5 and after)
- ``secret_store``: save and find the token in Stripe's Secret Store (steps 6 and 7)
- ``trace``: what went over the wire, redacted; ``redact``: how secrets are hidden
- ``errors``: the kit's exceptions, each with a hint

``helpers`` never imports ``sandbox``: the same code runs against a real provider and Stripe.
"""

from helpers.authorize import authorization_url
from helpers.context import (
    Dashboard,
    Environment,
    ExtensionContext,
    OAuthContext,
    OAuthState,
    UserContext,
)
from helpers.errors import (
    AuthorizeError,
    DashboardError,
    DiscoveryError,
    GrantStillLive,
    KitError,
    LoopbackError,
    ManifestError,
    ModeError,
    OAuthError,
    PKCEError,
    ProviderError,
    RedirectError,
    RegistrationError,
    SecretAuthenticationError,
    SecretNotFound,
    SecretPermissionError,
    SecretRequestError,
    SecretStoreError,
    StateError,
    TokenError,
)
from helpers.manifest import (
    Manifest,
    RedirectURLs,
    check_ready,
    connect_src_allows,
    load_manifest,
    parse_manifest,
    redirect_url,
    redirect_urls,
)
from helpers.mode import Mode, check_mode
from helpers.pkce import challenge_matches, check_verifier, make_verifier, s256_challenge
from helpers.provider import Provider, registration_request
from helpers.redact import redact_mapping, redact_text, redact_value
from helpers.state import make_state
from helpers.tokens import (
    GrantsRevoked,
    TokenData,
    call_api,
    exchange_code,
    fresh_token,
    refresh,
    revoke,
    revoke_grants,
)
from helpers.trace import Exchange, Trace, http_client, traced_client

# The Secret Store step needs the `stripe` SDK, a large import (it also loads `requests`).
# Its names are imported on first use, so the notebooks before step 4 start faster and smaller.
_SECRET_STORE_NAMES = frozenset(
    {
        "SecretScope",
        "HttpxHTTPClient",
        "delete_secret",
        "find_secret",
        "find_token",
        "list_secrets",
        "make_client",
        "save_secret",
        "save_token",
    }
)


def __getattr__(name: str) -> object:
    if name in _SECRET_STORE_NAMES:
        from helpers import secret_store

        return getattr(secret_store, name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


__all__ = [
    "AuthorizeError",
    "Dashboard",
    "DashboardError",
    "Environment",
    "Exchange",
    "GrantsRevoked",
    "ExtensionContext",
    "HttpxHTTPClient",
    "KitError",
    "Manifest",
    "ManifestError",
    "Mode",
    "ModeError",
    "OAuthContext",
    "OAuthError",
    "OAuthState",
    "PKCEError",
    "DiscoveryError",
    "GrantStillLive",
    "LoopbackError",
    "RedirectError",
    "RegistrationError",
    "Provider",
    "ProviderError",
    "RedirectURLs",
    "SecretAuthenticationError",
    "SecretNotFound",
    "SecretPermissionError",
    "SecretRequestError",
    "SecretScope",
    "SecretStoreError",
    "StateError",
    "TokenData",
    "TokenError",
    "Trace",
    "UserContext",
    "authorization_url",
    "call_api",
    "challenge_matches",
    "check_mode",
    "check_ready",
    "check_verifier",
    "connect_src_allows",
    "delete_secret",
    "exchange_code",
    "find_secret",
    "find_token",
    "fresh_token",
    "http_client",
    "list_secrets",
    "load_manifest",
    "make_client",
    "make_state",
    "make_verifier",
    "parse_manifest",
    "redact_mapping",
    "redact_text",
    "redact_value",
    "redirect_url",
    "redirect_urls",
    "refresh",
    "registration_request",
    "revoke",
    "revoke_grants",
    "s256_challenge",
    "save_secret",
    "save_token",
    "traced_client",
]

"""What a Stripe App's own code does in the PKCE OAuth flow, in Python: one module a step.

- ``manifest``: read ``stripe-app.json``; the test and live redirect URLs (step 1)
- ``mode``: the Dashboard's test and live modes
- ``provider``: the provider's endpoints and the app's registration there, as one value
- ``state``: the ``state`` parameter (RFC 6749)
- ``pkce``: verifier, S256 challenge (RFC 7636)
- ``context``: the extension context's values (steps 3 and 4); ``dashboard_client``: the Dashboard calls
- ``authorize``: the authorization link, properly encoded (step 3)
- ``tokens``: code exchange, refresh, revocation, expiry, calling the provider's API (step 5 and after)
- ``secret_store``: save and find the token in Stripe's Secret Store (steps 6 and 7)
- ``trace``: what went over the wire, redacted; ``redact``: how secrets are hidden
- ``errors``: the kit's exceptions, each with a hint

``helpers`` never imports ``sandbox``: the same code runs against a real provider and Stripe.
"""

import sys
from importlib import import_module
from typing import TYPE_CHECKING

# httpx's command-line client loads with every `import httpx` wherever click is installed (and rich with it
# in the kit's test tools): 1.9 MiB and 10 ms of 05's later session (`python later_session.py`, a process
# of its own), up to 5 MiB and 34 ms with rich. Nothing that imports helpers runs httpx's command line; with
# the client absent, httpx offers a `main` that asks for `httpx[cli]`. The learners' kernel leaves it out
# before any cell (workshop/kernel.py); a process that imported httpx before helpers keeps what it has.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # how Python marks a module as absent

from helpers.authorize import authorization_url
from helpers.context import (
    CheckedOAuthContext,
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
    GrantStillLiveWarning,
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
    SecretNotFoundError,
    SecretPermissionError,
    SecretRequestError,
    SecretStoreError,
    StateError,
    TokenError,
    UncheckedContextError,
)
from helpers.manifest import (
    Manifest,
    RedirectURLs,
    connect_src_allows,
    load_manifest,
    manifest_problems,
    parse_manifest,
    redirect_url,
    redirect_urls,
)
from helpers.mode import Mode, require_mode
from helpers.pkce import challenge_matches, make_verifier, require_verifier, s256_challenge
from helpers.provider import Provider, registration_request
from helpers.redact import redact_mapping, redact_text, redact_value
from helpers.state import make_state

# Loaded when first used (PEP 562), not as `helpers` is imported: these need httpx, and the `stripe`
# SDK for the Secret Store. The sandbox's process imports `helpers.redact` and
# `helpers.dashboard_refusals`, which runs this file first; with these eager it held httpx for nothing
# (2.3 MiB of every learner's sandbox), and a kernel that never saves a token never loads `stripe`.
if TYPE_CHECKING:
    from helpers.dashboard_client import DashboardClient
    from helpers.secret_store import (
        HttpxHTTPClient,
        SecretScope,
        delete_secret,
        find_secret,
        find_token,
        list_secrets,
        make_client,
        save_secret,
        save_token,
    )
    from helpers.tokens import (
        GrantsRevoked,
        TokenData,
        call_api,
        call_api_at,
        exchange_code,
        exchange_code_at,
        fresh_token,
        refresh,
        refresh_at,
        revoke,
        revoke_at,
        revoke_grants,
    )
    from helpers.trace import Exchange, Trace, http_client, traced_client

LATER = {
    "helpers.dashboard_client": ("DashboardClient",),
    "helpers.secret_store": (
        "HttpxHTTPClient",
        "SecretScope",
        "delete_secret",
        "find_secret",
        "find_token",
        "list_secrets",
        "make_client",
        "save_secret",
        "save_token",
    ),
    "helpers.tokens": (
        "GrantsRevoked",
        "TokenData",
        "call_api",
        "call_api_at",
        "exchange_code",
        "exchange_code_at",
        "fresh_token",
        "refresh",
        "refresh_at",
        "revoke",
        "revoke_at",
        "revoke_grants",
    ),
    "helpers.trace": ("Exchange", "Trace", "http_client", "traced_client"),
}
_MODULE_OF = {name: module for module, names in LATER.items() for name in names}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value


__all__ = [
    "AuthorizeError",
    "CheckedOAuthContext",
    "DashboardClient",
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
    "GrantStillLiveWarning",
    "LoopbackError",
    "RedirectError",
    "RegistrationError",
    "Provider",
    "ProviderError",
    "RedirectURLs",
    "SecretAuthenticationError",
    "SecretNotFoundError",
    "SecretPermissionError",
    "SecretRequestError",
    "SecretScope",
    "SecretStoreError",
    "StateError",
    "TokenData",
    "TokenError",
    "UncheckedContextError",
    "Trace",
    "UserContext",
    "authorization_url",
    "call_api",
    "call_api_at",
    "challenge_matches",
    "require_mode",
    "manifest_problems",
    "require_verifier",
    "connect_src_allows",
    "delete_secret",
    "exchange_code",
    "exchange_code_at",
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
    "refresh_at",
    "registration_request",
    "revoke",
    "revoke_at",
    "revoke_grants",
    "s256_challenge",
    "save_secret",
    "save_token",
    "traced_client",
]

"""The Dashboard's part of the flow, played in the kernel, for a provider of your own.

In a Stripe App the Dashboard does two things the app cannot see: ``createOAuthState`` makes
``state`` and a PKCE verifier, keeps the verifier and returns only ``state`` and the S256
challenge; and when the provider redirects the browser to ``…/apps-oauth/<app-id>``, it checks
``state`` and only then hands the app ``oauthContext`` with the code and the verifier.

A notebook talking to a real provider has no Dashboard behind it: the redirect lands on the
real dashboard.stripe.com, which knows nothing of the notebook's state. So ``LocalDashboard``
does both jobs here, with the kit's own ``helpers.pkce``. It has the same
``create_oauth_state`` as ``helpers.context.Dashboard``, so ``start_authorization`` builds the
link the same way; ``oauth_context`` takes the address the browser landed on (pasted back, or
caught on a loopback port) where the real Dashboard would read it itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from helpers.authorization_response import read_redirect
from helpers.context import OAuthContext, OAuthState
from helpers.errors import OAuthError, RedirectError
from helpers.pkce import make_verifier, s256_challenge
from helpers.state import make_state


@dataclass(frozen=True, repr=False)
class _Attempt:
    state: str
    verifier: str
    custom_state: str
    handed_over: bool = False


class LocalDashboard:
    """``createOAuthState`` and the redirect check for one redirect URI, done in this process.

    Like the Dashboard, it keeps one attempt, the newest link's, and hands its answer over once.
    """

    def __init__(self, redirect_uri: str, *, issuer: str | None = None, authorization_endpoint: str | None = None):
        self.redirect_uri = redirect_uri
        self.issuer = issuer
        self.authorization_endpoint = authorization_endpoint
        self._attempt: _Attempt | None = None

    def __repr__(self) -> str:
        return f"LocalDashboard({self.redirect_uri!r})"

    def create_oauth_state(self, state: str = "") -> OAuthState:
        """A new ``state`` and S256 challenge; the verifier stays here, as the Dashboard keeps it.

        A custom ``state`` rides after the random part, as in the sandbox's Dashboard, and comes
        back as ``oauthContext.state``.
        """
        verifier = make_verifier()
        full_state = make_state() + (f":{state}" if state else "")
        self._attempt = _Attempt(full_state, verifier, state)
        return OAuthState(full_state, s256_challenge(verifier))

    def oauth_context(self, redirect_url: str) -> OAuthContext:
        """Check the address the browser landed on; return ``oauthContext`` with the code and verifier.

        Raises ``RedirectError`` when the address is not this attempt's answer, and the provider's
        ``OAuthError`` when it refused (``error=access_denied`` and the like).
        """
        attempt = self._attempt
        if attempt is None:
            raise RedirectError(
                "No authorization link was made yet, so no address can answer one.",
                "Run the cell that builds the link (start_authorization) first, open it, and approve.",
                cause="state_mismatch",
            )
        if attempt.handed_over:
            raise RedirectError(
                "This link's answer was already read: each attempt is handed over once, and a code works once.",
                "Build a fresh link (start_authorization), open it, approve, and paste the new address.",
                cause="state_mismatch",
            )
        try:
            answer = read_redirect(
                redirect_url,
                redirect_uri=self.redirect_uri,
                state=attempt.state,
                issuer=self.issuer,
                authorization_endpoint=self.authorization_endpoint,
            )
        except OAuthError:
            # The provider ended this attempt with a refusal: as the Dashboard does, it is spent.
            self._attempt = replace(attempt, handed_over=True)
            raise
        self._attempt = replace(attempt, handed_over=True)
        return OAuthContext(code=answer.code, verifier=attempt.verifier, state=attempt.custom_state or None)

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

Make one ``LocalDashboard`` for a redirect URI and keep it: each link built on it replaces the
attempt it answers, so a paste box made on it follows the newest link, however often the cell
that builds the link is run again.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from helpers.authorization_response import parse_redirect, read_redirect
from helpers.context import OAuthContext, OAuthState
from helpers.errors import AuthorizeError, OAuthError, RedirectError
from helpers.pkce import make_verifier, s256_challenge
from helpers.provider import Provider
from helpers.state import make_state

_LINK_CELL = "the cell that builds the link (start_authorization)"
# Enough older states to recognise a link a learner made a few runs ago; states are not secrets.
_OLDER_KEPT = 20


@dataclass(frozen=True, repr=False)
class _Attempt:
    state: str
    verifier: str
    custom_state: str
    handed_over: bool = False


class LocalDashboard:
    """``createOAuthState`` and the redirect check for one redirect URI, done in this process.

    Like the Dashboard, it keeps one attempt, the newest link's, and hands its answer over once.
    ``iss_required``: the provider's metadata says it sends ``iss`` (RFC 9207), so an answer
    without one is refused.
    """

    def __init__(
        self,
        redirect_uri: str,
        *,
        issuer: str | None = None,
        iss_required: bool = False,
        authorization_endpoint: str | None = None,
    ):
        self.redirect_uri = redirect_uri
        self.issuer = issuer
        self.iss_required = iss_required
        self.authorization_endpoint = authorization_endpoint
        self._attempt: _Attempt | None = None
        self._older: deque[str] = deque(maxlen=_OLDER_KEPT)

    @classmethod
    def for_provider(cls, provider: Provider, redirect_uri: str | None = None) -> LocalDashboard:
        """The Dashboard's part for ``provider``'s links to ``redirect_uri`` (by default, the provider's)."""
        return cls(
            redirect_uri or provider.redirect_uri,
            issuer=provider.issuer or None,
            iss_required=provider.iss_parameter_supported,
            authorization_endpoint=provider.authorization_endpoint,
        )

    def __repr__(self) -> str:
        return f"LocalDashboard({self.redirect_uri!r})"

    def create_oauth_state(self, state: str = "") -> OAuthState:
        """A new ``state`` and S256 challenge; the verifier stays here, as the Dashboard keeps it.

        A custom ``state`` rides after the random part, as in the sandbox's Dashboard, and comes
        back as ``oauthContext.state``.
        """
        verifier = make_verifier()
        full_state = make_state() + (f":{state}" if state else "")
        if self._attempt is not None:
            self._older.append(self._attempt.state)
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
                f"Run {_LINK_CELL} first, open the link, and approve.",
                cause="state_mismatch",
            )
        if attempt.handed_over:
            raise RedirectError(
                "The newest link's answer was already read: each attempt is handed over once, and a code works once.",
                f"Run {_LINK_CELL} again, open the new link, approve, and paste the new address here.",
                cause="state_mismatch",
            )
        try:
            answer = read_redirect(
                redirect_url,
                redirect_uri=self.redirect_uri,
                state=attempt.state,
                issuer=self.issuer,
                iss_required=self.iss_required,
                authorization_endpoint=self.authorization_endpoint,
            )
        except OAuthError:
            # The provider ended this attempt with a refusal: as the Dashboard does, it is spent.
            self._attempt = replace(attempt, handed_over=True)
            raise
        except RedirectError as refused:
            raise self._sharper(refused, redirect_url) from None
        self._attempt = replace(attempt, handed_over=True)
        return OAuthContext(code=answer.code, verifier=attempt.verifier, state=attempt.custom_state or None)

    def _sharper(self, refused: RedirectError, redirect_url: str) -> RedirectError:
        """A state mismatch, told apart: an older link of this dashboard's, or a link it never made."""
        if refused.cause != "state_mismatch":
            return refused
        try:
            state = parse_redirect(redirect_url.strip()).get("state")
        except AuthorizeError:
            return refused
        if state in self._older:
            return RedirectError(
                "That address answers an older link: each run of the link cell makes a new one, and only the "
                "newest is answered.",
                "Open the newest link (from the last run of the link cell), approve, and paste that address.",
                cause="state_mismatch",
            )
        return RedirectError(
            "That address answers a link this box does not know: one made by another LocalDashboard (a cell "
            "that makes one was run again after this box was made), or someone else's.",
            "Run the cell that makes the paste box again, so it follows the newest link, and paste there. "
            "If you did not open any other link, start again: someone may have sent you theirs.",
            cause="state_mismatch",
        )

"""The example app of Stripe's page without its view: the model its view renders.

Stripe's page shows the app in three pieces (the Authorize link, the token exchange,
saving and finding the token). ``ExampleAppModel`` is the whole of it, the way a real app puts
the pieces together, with no ipywidgets: ``helpers.example_app_view.ExampleAppView`` observes its
traits, renders them and forwards clicks, as the ipywidgets tutorial keeps a ``HasTraits`` model
apart from its GUI.

- ``load()`` on open: find the saved token; a live one signs in, an expired one is
  refreshed (with rotation, saved over the secret), none shows **Authorize**;
- ``receive(context)`` when ``oauthContext`` arrives: exchange the code, once, save the
  token with the secret's expiry (``TokenData.usable_until``, as notebook 08 teaches);
- ``log_out()``: delete the saved token, then revoke the grant at the provider;
- ``new_link()`` (**New link**): a fresh attempt when the last link was spent or expired.

Everything it needs comes in as arguments (the Dashboard calls, a Stripe client, the
provider), so it runs against the sandbox or the real world alike. A failure sets
``error`` (the kit's message says what to do); nothing is raised to the caller.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Literal, Protocol

import httpx
import traitlets

from helpers.authorize import start_authorization
from helpers.context import ConsentAnswer, OAuthContext, OAuthState
from helpers.errors import AuthorizeError, KitError, OAuthError, PKCEError, SecretNotFoundError
from helpers.pkce import challenge_matches
from helpers.provider import Provider
from helpers.redact import redact_text
from helpers.secret_store import TOKEN_SECRET_NAME, SecretScope, delete_secret, find_token, save_token
from helpers.stripe_sdk import stripe
from helpers.tokens import TokenData, exchange_code, grant_stays_live, refresh, revoke

Status = Literal["signed_out", "waiting", "signed_in"]


class DashboardCalls(Protocol):
    """The two Dashboard calls the app makes (``helpers.context.Dashboard`` has them)."""

    def create_oauth_state(self, state: str = "") -> OAuthState: ...

    def take_oauth_context(self) -> OAuthContext | None: ...


class OncePerCode:
    """The React ref of the page's effect: the codes already sent to the token endpoint.

    The Dashboard keeps handing the same ``oauthContext`` until the page reloads
    (stripe/stripe-apps#649), and a code works once: a second exchange fails and makes the
    provider revoke the first token (RFC 6749 §4.1.2). Codes are kept as digests, so the
    guard holds no secret.
    """

    def __init__(self) -> None:
        self._sent: set[str] = set()

    def first_time(self, code: str) -> bool:
        """True the first time ``code`` is seen (and from then on remember it), False after."""
        digest = hashlib.sha256(code.encode()).hexdigest()
        if digest in self._sent:
            return False
        self._sent.add(digest)
        return True


class ExampleAppModel(traitlets.HasTraits):
    """The page's ExampleApp as a model: the traits ``status``, ``token``, ``link``, ``message``, ``error``.

    ``status`` is ``signed_out`` (``link`` is the Authorize link), ``waiting`` (the user
    answered the consent page; ``oauthContext`` is on its way) or ``signed_in`` (``token``).
    ``token_requests`` counts the POSTs to the token endpoint (exchanges and refreshes).
    A view watches the traits with ``observe``; a change of state notifies once it is whole.
    ``state_lifetime``, when known, is how many seconds the Dashboard accepts an answer to a
    link after making its state (``link_expired()``).
    """

    status = traitlets.Enum(("signed_out", "waiting", "signed_in"), "signed_out")
    token = traitlets.Instance(TokenData, allow_none=True)
    link = traitlets.Unicode(None, allow_none=True)
    message = traitlets.Unicode("")
    error = traitlets.Instance(Exception, allow_none=True)
    token_requests = traitlets.Int(0)

    def __init__(
        self,
        dashboard: DashboardCalls,
        stripe_client: stripe.StripeClient,
        provider: Provider,
        scope: SecretScope,
        http: httpx.Client,
        *,
        secret_name: str = TOKEN_SECRET_NAME,
        clock: Callable[[], float] = time.time,
        state_lifetime: float | None = None,
    ) -> None:
        super().__init__()
        self.dashboard = dashboard
        self.provider = provider
        self.scope = scope
        self.secret_name = secret_name
        self._stripe = stripe_client
        self._http = http
        self._clock = clock
        self.state_lifetime = state_lifetime
        self._codes = OncePerCode()
        # The current link's state and challenge, and when it was made (by the model's clock).
        self._attempt: OAuthState | None = None
        self._attempt_made = 0.0

    # What the app does -------------------------------------------------------------------

    def load(self) -> None:
        """On open: find the saved token (a later session); refresh it if it expired; else Authorize."""
        self._reported(self._load)

    def receive(self, context: OAuthContext) -> None:
        """The page's effect on ``oauthContext``: exchange the code once, save the token.

        Only while signed out: an app opened again finds its saved token, and the old
        context still in its props must not be sent again. The code counts as sent before
        the exchange: even a failed exchange may have spent it.
        """
        self._reported(lambda: self._receive(context))

    def answered(self, answer: ConsentAnswer, approve: bool) -> None:
        """The user answered the consent page (the kernel path); ``oauthContext`` is on its way."""
        if answer.outcome == "handed_over":
            said = "approved" if approve else "denied"
            self._set(
                "waiting",
                f"The user {said} at the consent page; the Dashboard holds oauthContext for the app. Press Check.",
            )

    def log_out(self) -> None:
        """Delete the saved token, then revoke the grant at the provider, and offer Authorize again."""
        self._reported(self._log_out)

    def new_link(self) -> str:
        """**New link**: a fresh state and link, for when the last one was spent or expired; returns it.

        Raises what prevented one (a failing Dashboard, also shown in ``error``), or an
        AuthorizeError when the app is signed in and there is nothing to authorize.
        """
        if self.token is not None:
            raise _signed_in_already()
        self._start_authorization("A fresh link: press Authorize and approve at the provider.")
        if self.error is not None:  # no link: the Dashboard failed, as the flow now shows too
            raise self.error
        return self.require_link()

    def require_link(self) -> str:
        """The current Authorize link, or an error saying why there is none (the app is signed in)."""
        if self.link is None:
            raise _signed_in_already()
        return self.link

    def answers(self, context: OAuthContext) -> bool | None:
        """Whether ``context`` answers the current link: its verifier is the one behind the link's challenge.

        A real app has one view; a notebook keeps a view of the same app in each cell that made
        one, and the Dashboard hands a context to whichever asks first: this tells them apart.
        None when nobody can tell: an error such as ``access_denied`` carries no verifier.
        """
        if not context.verifier:
            return None
        if self._attempt is None:
            return False
        try:
            return challenge_matches(context.verifier, self._attempt.challenge)
        except PKCEError:  # not a verifier at all: it answers no link
            return False

    def link_expired(self) -> bool:
        """Whether the current link is older than the Dashboard accepts an answer to it (``state_lifetime``)."""
        if self.link is None or self.state_lifetime is None:
            return False
        return self._clock() - self._attempt_made >= self.state_lifetime

    # How it gets there -------------------------------------------------------------------

    def _load(self) -> None:
        try:
            token = find_token(self._stripe, self.scope, name=self.secret_name)
        except SecretNotFoundError:
            self._start_authorization("Not connected yet: press Authorize and approve at the provider.")
            return
        except KitError as error:  # no access, or a saved secret that holds no token
            self._start_authorization(error=error)
            return
        if not token.is_expired(self._clock()):
            self._signed_in(token, f"Connected: found the saved token in the {self.scope}, no new authorization.")
            return
        self._refresh(token)

    def _refresh(self, token: TokenData) -> None:
        """An expired access token: refresh it (rotation: save the new pair over the old one at once)."""
        if not token.refresh_token:
            self._forget("The saved token has expired and cannot be refreshed: press Authorize to connect again.")
            return
        self.token_requests += 1
        try:
            fresh = refresh(self.provider, token, http=self._http, now=self._clock())
        except OAuthError as error:
            if error.error == "invalid_grant":  # the grant is over: a dead secret would fail every session
                self._forget("The saved token can no longer be refreshed: press Authorize to connect again.")
            else:  # the provider is down: the refresh token may still be good, so it stays saved
                self._start_authorization(error=error)
            return
        except KitError as error:
            self._start_authorization(error=error)
            return
        self._save(fresh, "Connected: the saved token had expired, so the app refreshed it and saved the new one.")

    def _forget(self, message: str) -> None:
        delete_secret(self._stripe, self.scope, self.secret_name, missing_ok=True)
        self._start_authorization(message)

    def _receive(self, context: OAuthContext) -> None:
        if self.token is not None:
            return
        try:
            checked = context.checked()
        except KitError as error:  # access_denied, or no verifier: this state is spent, so a new link
            self._start_authorization(error=error)
            return
        if not self._codes.first_time(checked.code):
            self._set(message="This code was sent to the token endpoint before: it is not sent again.")
            return
        self.token_requests += 1
        try:
            token = exchange_code(self.provider, checked, http=self._http, now=self._clock())
        except KitError as error:
            self._start_authorization(error=error)
            return
        self._save(token, f"Connected: the token is saved in the {self.scope}.")

    def _save(self, token: TokenData, message: str) -> None:
        try:
            save_token(self._stripe, self.scope, token, name=self.secret_name, expires_at=token.usable_until)
        except KitError as error:  # not saved: usable in this session only, and the error says why
            self._signed_in(token, error=error)
            return
        self._signed_in(token, message)

    def _log_out(self) -> None:
        token = self.token
        try:
            delete_secret(self._stripe, self.scope, self.secret_name, missing_ok=True)
        except KitError as error:
            self._set(error=error)  # still saved: still signed in
            return
        self.token = None
        if token is None:
            self._start_authorization("Logged out: the token is deleted from the Secret Store. Press Authorize.")
            return
        if self.provider.revocation_endpoint is None:
            self._start_authorization(
                "Logged out here: the token is deleted from the Secret Store, but "
                f"{grant_stays_live(self.provider.issuer)}. Press Authorize."
            )
            return
        try:
            revoke(self.provider, token, http=self._http)
        except KitError as error:
            self._start_authorization(error=error)
            return
        self._start_authorization(
            "Logged out: the token is deleted from the Secret Store and revoked at the provider. Press Authorize."
        )

    def _start_authorization(self, message: str = "", *, error: Exception | None = None) -> None:
        """``createOAuthState`` and a fresh link: each authorization attempt needs its own state."""
        with self.hold_trait_notifications():
            self.token, self.link, self._attempt = None, None, None
            try:
                self._attempt, self.link = start_authorization(
                    self.dashboard,
                    self.provider.authorization_endpoint,
                    client_id=self.provider.client_id,
                    redirect_uri=self.provider.redirect_uri,
                    scope=self.provider.scope,
                )
                self._attempt_made = self._clock()
            except Exception as failure:  # the kit's DashboardError, or any failure of a stand-in Dashboard
                error = error or failure
            self._set("signed_out", message, error=error)

    def _signed_in(self, token: TokenData, message: str = "", *, error: Exception | None = None) -> None:
        with self.hold_trait_notifications():
            self.token, self.link, self._attempt = token, None, None
            self._set("signed_in", message, error=error)

    def _reported(self, action: Callable[[], None]) -> None:
        """Run an action; an unexpected failure is kept in ``error`` and shown, never raised.

        Notifications are held until the action is done, so an observer sees where it ended (a
        log-out forgets the token before it revokes: nobody should see "signed in" without one).
        Nothing escapes the hold, so traitlets never rolls a change back.
        """
        with self.hold_trait_notifications():
            try:
                action()
            except Exception as error:  # the kit's own errors are handled where they happen; this is the rest
                self._set("signed_out" if self.token is None else None, error=error)

    def _set(self, status: Status | None = None, message: str = "", *, error: Exception | None = None) -> None:
        # Held (again, when a caller holds already), so an observer hears of a change once all of it is set.
        with self.hold_trait_notifications():
            self.status = status or self.status
            self.error = error
            if error is None:
                self.message = message
            elif isinstance(error, KitError):
                self.message = str(error)
            else:  # not written with secrets in mind: redacted
                self.message = f"{type(error).__name__}: {redact_text(str(error))}"

    def __repr__(self) -> str:
        return f"ExampleAppModel({self.status})"


def _signed_in_already() -> AuthorizeError:
    return AuthorizeError(
        "There is no authorization link to answer: the app is signed in.",
        "Log out first to authorize again.",
    )

"""The example app of Stripe's page as one widget: what its React component does, start to finish.

Stripe's page shows the app in three pieces (the Authorize link, the token exchange,
saving and finding the token). ``ExampleApp`` is the whole of it, the way a real app
would put the pieces together:

- on open it looks for the saved token in the Secret Store; found, it shows it;
  not found, it asks the Dashboard for ``state`` and a challenge and shows **Authorize**;
- when ``oauthContext`` arrives (the **Check** button) it exchanges the code, once,
  saves the token with its expiry, and shows it;
- **Log out** deletes the saved token, revokes it at the provider, and offers
  **Authorize** again.

Everything it needs comes in as arguments (the Dashboard calls, a Stripe client, the
provider's endpoints), so it runs against the sandbox or the real world alike. Errors
are shown in the widget as the kit's messages, never raised into the widget machinery.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal, Protocol

import httpx
import ipywidgets as widgets
import stripe

from helpers.authorize import start_authorization
from helpers.context import OAuthContext, OAuthState
from helpers.errors import AuthorizeError, KitError, SecretStoreError
from helpers.redact import redact_text
from helpers.secret_store import (
    TOKEN_SECRET_NAME,
    Scope,
    delete_secret,
    find_token,
    save_token,
)
from helpers.tokens import TokenData, exchange_code, revoke
from helpers.widgets import (
    AppView,
    AuthorizeButton,
    TokenCard,
    UserButtons,
    code_fingerprint,
    status_html,
)

AppState = Literal["signed_out", "waiting", "signed_in"]
_LABELS = {"signed_out": "not connected", "waiting": "waiting for oauthContext", "signed_in": "connected"}


class DashboardCalls(Protocol):
    """The two Dashboard calls the app makes (``helpers.context.Dashboard`` has them)."""

    def create_oauth_state(self, state: str = "") -> OAuthState: ...

    def take_oauth_context(self) -> OAuthContext | None: ...


class ExampleApp(widgets.VBox):
    """The page's ``ExampleApp`` in one widget. ``state`` is ``signed_out``, ``waiting`` or ``signed_in``.

    ``scope`` is the Secret Store scope of the token (the user's: ``Scope.for_user``).
    ``consent(link, approve)``, when given, plays the user at the consent page (the kernel
    path: the sandbox's ``world.consent``); the app then shows Approve / Deny buttons.
    ``browser_link`` turns the link into the one a browser opens (through a hub's proxy).
    With ``revocation_endpoint``, Log out also revokes the token at the provider.

    What it shows can also be read as values: ``state``, ``token``, ``link`` (the current
    authorization link), ``status`` (the status line as text), ``error`` (the last failure,
    or None) and ``token_requests`` (how many codes it exchanged).
    """

    def __init__(
        self,
        dashboard: DashboardCalls,
        stripe_client: stripe.StripeClient,
        *,
        scope: Scope,
        authorize_endpoint: str,
        token_endpoint: str,
        client_id: str,
        redirect_uri: str,
        http: httpx.Client,
        oauth_scope: str | None = None,
        revocation_endpoint: str | None = None,
        consent: Callable[[str, bool], Any] | None = None,
        browser_link: Callable[[str], str] | None = None,
        secret_name: str = TOKEN_SECRET_NAME,
        title: str = "Example",
    ) -> None:
        self._dashboard = dashboard
        self._stripe = stripe_client
        self.scope = scope
        self._authorize_endpoint = authorize_endpoint
        self._token_endpoint = token_endpoint
        self._client_id = client_id
        self._redirect_uri = redirect_uri
        self._http = http
        self._oauth_scope = oauth_scope
        self._revocation_endpoint = revocation_endpoint
        self._consent = consent
        self._browser_link = browser_link or (lambda link: link)
        self.secret_name = secret_name
        self.title = title

        self.state: AppState = "signed_out"
        self.token: TokenData | None = None
        self.link: str | None = None
        self.status = ""
        self.error: Exception | None = None
        self.token_requests = 0  # one per code, never two
        # The React ref of the page's effect: the codes already exchanged (as digests).
        self._used_codes: set[str] = set()

        self.header = widgets.HTML()
        self.app_view = AppView(dashboard.take_oauth_context)
        self.app_view.on_context(lambda context: self._safely(lambda: self.receive(context)))
        self.authorize_button: AuthorizeButton | None = None
        self.user_buttons: UserButtons | None = None
        self.token_card: TokenCard | None = None
        self.logout_button: widgets.Button | None = None
        self.reopen_button: widgets.Button | None = None
        super().__init__([self.header])
        self._safely(self.load)

    @property
    def check_button(self) -> widgets.Button:
        """The **Check** button: asks the Dashboard for ``oauthContext`` (polling will press it)."""
        return self.app_view.check_button

    # What the app does -------------------------------------------------------------------

    def load(self) -> None:
        """On open: find the saved token (a later session); without one, prepare Authorize."""
        try:
            token = find_token(self._stripe, self.scope, name=self.secret_name)
        except SecretStoreError as error:
            if error.kind == "not_found":
                self._start_authorization("Not connected yet: press Authorize and approve at the provider.")
            else:
                self._start_authorization(error=error)
            return
        except KitError as error:  # a saved secret that holds no token
            self._start_authorization(error=error)
            return
        if token.is_expired(time.time()):
            self._start_authorization("The saved token has expired: press Authorize to connect again.")
            return
        self._signed_in(token, f"Connected: found the saved token in the {self.scope}, no new authorization needed.")

    def check(self) -> OAuthContext | None:
        """Ask the Dashboard for ``oauthContext`` once (what the Check button does)."""
        return self.app_view.check()

    def receive(self, context: OAuthContext) -> None:
        """The page's effect on ``oauthContext``: exchange the code once, save the token, show it.

        The Dashboard keeps handing the same context until the page reloads
        (stripe/stripe-apps#649), and a code works once. So the app exchanges only while
        signed out (an app opened again finds its saved token and ignores the old code),
        and never a code it used before (after Log out the old code is still there). The
        code counts as used before the exchange: even a failed exchange may have spent it.
        """
        if self.token is not None:
            return
        if context.error is not None or not (context.code and context.verifier):
            try:
                context.code_and_verifier()  # raises the kit's error that says what went wrong
            except KitError as error:
                self._start_authorization(error=error)  # the old state is spent: a new link
            return
        fingerprint = code_fingerprint(context)
        if fingerprint in self._used_codes:
            return
        self._used_codes.add(fingerprint)
        self.token_requests += 1
        try:
            token = exchange_code(
                self._token_endpoint,
                code=context.code,
                verifier=context.verifier,
                client_id=self._client_id,
                redirect_uri=self._redirect_uri,
                http=self._http,
            )
        except KitError as error:
            self._start_authorization(error=error)  # the old state is spent: a new link
            return
        try:
            # No refresh in this app (nor on Stripe's page): the secret dies with the token,
            # so a later session finds either a live token or none, never a dead one.
            save_token(self._stripe, self.scope, token, name=self.secret_name, expires_at=token.expires_at)
        except KitError as error:
            self._signed_in(token, error=error)
            return
        self._signed_in(token, f"Connected: the token is saved in the {self.scope}.")

    def log_out(self) -> None:
        """Delete the saved token, revoke it at the provider, and offer Authorize again."""
        token = self.token
        try:
            delete_secret(self._stripe, self.scope, self.secret_name)
        except SecretStoreError as error:
            if error.kind != "not_found":
                self._show(error=error)  # still saved: still signed in
                return
        self.token = None
        if self._revocation_endpoint and token is not None:
            try:
                # Revoking the refresh token ends the whole grant; without one, the access token.
                revoke(
                    self._revocation_endpoint,
                    token=token.refresh_token or token.access_token,
                    token_type_hint="refresh_token" if token.refresh_token else "access_token",
                    client_id=self._client_id,
                    http=self._http,
                )
            except KitError as error:
                self._start_authorization(error=error)
                return
            self._start_authorization(
                "Logged out: the token is deleted from the Secret Store and revoked "
                "at the provider. Press Authorize to connect again."
            )
        else:
            self._start_authorization(
                "Logged out: the token is deleted from the Secret Store. Press Authorize to connect again."
            )

    # How it gets there -------------------------------------------------------------------

    def _safely(self, action: Callable[[], None]) -> None:
        """Run an action of the app; an unexpected failure is shown, not raised into the widget machinery."""
        try:
            action()
        except Exception as error:  # the kit's own errors are handled where they happen; this is the rest
            self._show("signed_out" if self.token is None else None, error=error)

    def _start_authorization(self, message: str = "", *, error: Exception | None = None) -> None:
        """``createOAuthState`` and a fresh link: each authorization attempt needs its own state."""
        self.token, self.link = None, None
        try:
            _, self.link = start_authorization(
                self._dashboard,
                self._authorize_endpoint,
                client_id=self._client_id,
                redirect_uri=self._redirect_uri,
                scope=self._oauth_scope,
            )
        except Exception as failure:  # the kit's DashboardError, or any failure of a stand-in Dashboard
            error = error or failure
        self.app_view.reset()
        if self.link:
            # Made once and pointed at each new link: a notebook keeps every widget it ever made.
            shown_link = self._browser_link(self.link)
            if self.authorize_button is None:
                self.authorize_button = AuthorizeButton(shown_link, "Authorize ExampleApp")
            else:
                self.authorize_button.show(shown_link)
            if self._consent and self.user_buttons is None:
                self.user_buttons = UserButtons(self._answer, "the consent page")
            elif self.user_buttons is not None:
                self.user_buttons.reset()
        self._show("signed_out", message, error=error)

    def _answer(self, approve: bool) -> Any:
        """The user at the consent page (kernel path); the app then waits for ``oauthContext``."""
        if self.link is None or self._consent is None:
            raise AuthorizeError(
                "There is no authorization link to answer: the app is signed in.",
                "Log out first to authorize again.",
            )
        result = self._consent(self.link, approve)
        if getattr(result, "outcome", None) == "handed_over":
            said = "approved" if approve else "denied"
            self._show(
                "waiting",
                f"The user {said} at the consent page; the Dashboard holds oauthContext for the app. Press Check.",
            )
        return result

    def _signed_in(self, token: TokenData, message: str = "", *, error: Exception | None = None) -> None:
        self.token, self.link = token, None
        self.app_view.pause()  # signed in: no oauthContext to wait for, so no asking (and an idle kernel)
        if self.token_card is None:
            self.token_card = TokenCard(token)
        else:
            self.token_card.show(token)
        if self.logout_button is None:
            self.logout_button = widgets.Button(description="Log out", icon="sign-out")
            self.logout_button.on_click(lambda _: self._safely(self.log_out))
            # What a later session does on open: find the saved token again (no authorization).
            self.reopen_button = widgets.Button(
                description="Reopen (find the saved token)", icon="refresh", layout=widgets.Layout(width="auto")
            )
            self.reopen_button.on_click(lambda _: self._safely(self.load))
        self._show("signed_in", message, error=error)

    def _show(self, state: AppState | None = None, message: str = "", *, error: Exception | None = None) -> None:
        """Set the state and what the widget shows: a status line (or the error) and the state's parts."""
        self.state = state or self.state
        self.error = error
        if error is None:
            self.status = message
        elif isinstance(error, KitError):
            self.status = str(error)
        else:  # not written with secrets in mind: redacted, as the widget shows it
            self.status = f"{type(error).__name__}: {redact_text(str(error))}"
        self.header.value = status_html(
            f"{self.title} · {_LABELS[self.state]}", message, error=error, ok=self.state == "signed_in"
        )
        if self.state == "signed_in" and self.token is not None:
            parts: list[widgets.Widget | None] = [self.token_card, self.reopen_button, self.logout_button]
        else:
            parts = [self.authorize_button, self.user_buttons] if self.link else []
            parts.append(self.app_view)
        self.children = [self.header, *(part for part in parts if part is not None)]

    def __repr__(self) -> str:
        return f"ExampleApp({self.state})"

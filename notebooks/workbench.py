"""The learner's workbench: what every notebook needs, in one call.

    from workbench import setup
    kit = setup()

starts (or finds) the sandbox, installs the sample app for the learner, registers it with
the provider once (as 01-redirect-urls does, so each later notebook also runs on its own),
and drops any ``oauthContext`` an earlier run left waiting, so every notebook starts clean.

``kit`` holds two kinds of things, kept apart on purpose:

- **the app's side**, what a real Stripe App has: ``kit.manifest``, ``kit.context`` (mode
  and user), ``kit.dashboard`` (``createOAuthState``, ``oauthContext``), ``kit.provider``
  (the provider's endpoints and the app's ``client_id``), ``kit.http`` (its HTTP client,
  traced in ``kit.trace``), ``kit.stripe_client()`` and ``kit.secret_scope``;
- **the stand-in world**, which a real app never touches: ``kit.world`` (the sandbox: playing
  the user at the consent page, letting time pass, installing the app).

Everything the app itself does lives in ``helpers``; this module only wires the sandbox to
it, the way the Stripe Dashboard wires a real app to Stripe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

import sandbox
from helpers import (
    Dashboard,
    Environment,
    Exchange,
    ExtensionContext,
    Manifest,
    OAuthContext,
    OAuthState,
    Provider,
    RedirectURLs,
    TokenData,
    Trace,
    UserContext,
    exchange_code,
    load_manifest,
    redirect_urls,
    registration_request,
    traced_client,
)
from helpers.authorize import start_authorization
from helpers.context import no_oauth_context
from helpers.registration import register
from helpers.widgets import AuthorizeLink
from sandbox.limits import STATE_LIFETIME

if TYPE_CHECKING:
    import stripe

    from helpers.example_app import ExampleApp
    from helpers.secret_store import SecretScope

HERE = Path(__file__).resolve().parent
MANIFEST_PATH = HERE / "stripe-app.json"
LEARNER = "usr_learner01"
REGISTRATION_FILE = "learner-registration.json"
# What the sample app asks of the provider: its OAuth scopes (what the token may do).
OAUTH_SCOPE = "account.read files.read"


def _empty_poll(exchange: Exchange) -> bool:
    """A check for oauthContext that heard no (a Check button pressed, or a cell's check after the view took it)."""
    return exchange.url.endswith("/api/oauth_context") and '"oauth_context":null' in exchange.response_body.replace(
        " ", ""
    )


@dataclass
class Workbench:
    world: sandbox.World
    manifest: Manifest
    install: sandbox.Install
    context: ExtensionContext
    # Empty checks are left out, so a trace reads the same whether the waiting view or a cell took the context.
    trace: Trace = field(default_factory=lambda: Trace(skip=_empty_poll))
    _props_context: OAuthContext | None = field(default=None, repr=False)

    @cached_property
    def http(self) -> httpx.Client:
        """The app's HTTP client: every exchange is recorded, redacted, in ``trace``."""
        return traced_client(self.trace, timeout=30)

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """The provider's RFC 8414 metadata: where its endpoints are."""
        url = f"{self.world.provider_issuer}/.well-known/oauth-authorization-server"
        metadata: dict[str, Any] = self.world.http.get(url).json()
        return metadata

    @property
    def provider(self) -> Provider:
        """The provider's endpoints and the app's registration there, in the current mode."""
        return Provider.from_metadata(
            self.metadata,
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            api_endpoint=f"{self.world.provider_issuer}/api/me",
        )

    @property
    def urls(self) -> RedirectURLs:
        """The app's redirect URLs on the sandbox's Dashboard (in production: dashboard.stripe.com)."""
        return redirect_urls(self.manifest.app_id, self.world.dashboard_base)

    @property
    def mode(self) -> str:
        return self.context.environment.mode

    @property
    def redirect_uri(self) -> str:
        return self.urls.test if self.mode == "test" else self.urls.live

    @property
    def dashboard(self) -> Dashboard:
        return Dashboard(self.world.dashboard_base, self.install.api_key, self.http)

    @property
    def secret_scope(self) -> SecretScope:
        """The Secret Store scope the page keeps the token in: the current user's."""
        from helpers.secret_store import SecretScope  # imports stripe: only the notebooks that save need it

        return SecretScope.for_user(self.context.user_context.id)

    def stripe_client(self) -> stripe.StripeClient:
        """A ``stripe.StripeClient`` aimed at the sandbox's Stripe API, its calls recorded in ``trace``."""
        from helpers.secret_store import make_client

        return make_client(self.install.api_key, api_base=self.world.stripe_api_base, http=self.http)

    def save_registration(self, registration: dict[str, Any]) -> None:
        (self.world.data_dir / REGISTRATION_FILE).write_text(json.dumps(registration))

    def registration_request(self) -> dict[str, Any]:
        """What the app asks the provider to register (RFC 7591): both redirect URLs, a public client."""
        return registration_request(self.manifest.name, [self.urls.test, self.urls.live], scope=OAUTH_SCOPE)

    @property
    def registration(self) -> dict[str, Any]:
        """The provider's answer to the app's registration, made once per sandbox (see 01-redirect-urls).

        Made again when the saved one does not register this sandbox's redirect URLs: a sandbox
        restarted on another port has its Dashboard at another address, and the provider sends
        the user only to a registered URL, so every authorization would end at its error page.
        """
        saved = self.world.data_dir / REGISTRATION_FILE
        if saved.exists():
            registration: dict[str, Any] = json.loads(saved.read_text())
            if set(registration.get("redirect_uris", ())) >= {self.urls.test, self.urls.live}:
                return registration
        # A refusal is the kit's RegistrationError, with what to do, as 01's registration cell gives it.
        answer = register(self.metadata["registration_endpoint"], self.registration_request(), http=self.world.http)
        self.save_registration(dict(answer.metadata))
        return dict(answer.metadata)

    @property
    def client_id(self) -> str:
        return str(self.registration["client_id"])

    def start_authorization(self, custom_state: str = "") -> tuple[OAuthState, str]:
        """``createOAuthState``, then the encoded authorization link: step 3 in one call."""
        provider = self.provider
        return start_authorization(
            self.dashboard,
            provider.authorization_endpoint,
            client_id=provider.client_id,
            redirect_uri=provider.redirect_uri,
            custom_state=custom_state,
        )

    def authorize_button(self, label: str = "Authorize PKCE Kit Example") -> AuthorizeLink:
        """The app's **Authorize** button on a fresh link, with **New link** beside it."""
        return AuthorizeLink(lambda: self.start_authorization()[1], label, browser_link=self.browser_link)

    def oauth_context(self) -> OAuthContext:
        """What the extension's props hold: the newest ``oauthContext`` the Dashboard handed over.

        As in a real Stripe App the props keep it after it was read (stripe/stripe-apps#649), so
        running this again gives the same context, until a newer one arrives.
        """
        arrived = self.dashboard.take_oauth_context()
        if arrived is not None:
            self._props_context = arrived
        if self._props_context is None:
            raise no_oauth_context()
        return self._props_context

    def connect(self) -> TokenData:
        """Steps 3 to 5 in one go: a link, the user approves (played in the kernel), the exchange.

        For notebooks that start from a token: 02 and 03 show each of these steps.
        """
        _, link = self.start_authorization()
        self.world.consent(link)
        code, verifier = self.oauth_context().code_and_verifier()
        provider = self.provider
        token = exchange_code(
            provider.token_endpoint,
            code=code,
            verifier=verifier,
            client_id=provider.client_id,
            redirect_uri=provider.redirect_uri,
            http=self.http,
        )
        self.trace.remember(token.access_token, token.refresh_token)  # hidden wherever a trace might show them
        return token

    def start_clean(self) -> None:
        """Drop any ``oauthContext`` left waiting (by an earlier notebook or run) and forget the calls so far."""
        while self.dashboard.take_oauth_context() is not None:
            pass
        self._props_context = None
        self.trace.clear()

    def example_app(
        self, *, title: str = "Example", secret_name: str | None = None, consent: bool = True
    ) -> ExampleApp:
        """The page's whole app as one widget, wired to the sandbox (``consent``: with Approve / Deny buttons)."""
        from helpers.app_flow import AppFlow
        from helpers.example_app import ExampleApp

        options = {"secret_name": secret_name} if secret_name else {}
        flow = AppFlow(
            self.dashboard,
            self.stripe_client(),
            self.provider,
            self.secret_scope,
            self.http,
            state_lifetime=STATE_LIFETIME,
            **options,
        )
        return ExampleApp(
            flow,
            consent=self.world.consent if consent else None,
            browser_link=self.browser_link,
            title=title,
        )

    def browser_link(self, link: str) -> str:
        """The same link as the learner's browser must open it (through the hub's proxy on JupyterHub)."""
        return self.world.browser_url(link[len(self.world.base_url) :])

    def summary(self) -> str:
        return (
            f"sandbox: {self.world.base_url} (data in {self.world.data_dir.name}/)\n"
            f"app:     {self.manifest.app_id}, installed in {self.mode} mode "
            f"for the user {self.context.user_context.id}\n"
            f"         permissions: {', '.join(self.install.permissions) or 'none'} (what they are: notebook 01)"
        )


def setup(user_id: str = LEARNER, mode: str = "test", manifest: Manifest | None = None) -> Workbench:
    """Start or find the sandbox, install the app for ``user_id`` in ``mode``, and return the workbench, clean."""
    world = sandbox.start()
    manifest = manifest or load_manifest(MANIFEST_PATH)
    install = world.install_app(manifest, user_id, mode)
    context = ExtensionContext(Environment(mode), UserContext(user_id, install.account_id))
    bench = Workbench(world, manifest, install, context)
    bench.trace.remember(install.api_key)
    bench.start_clean()
    return bench

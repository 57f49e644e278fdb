"""The learner's kit: what every notebook needs, made in one call.

    from kit import setup
    kit = setup()

starts (or finds) the sandbox, installs the sample app for the learner, finds the provider's
endpoints (``discover``), registers the app with the provider once (``register``, as
01-redirect-urls does, so each later notebook also runs on its own), and drops any
``oauthContext`` an earlier run left waiting, so every notebook starts clean. All of that
happens in ``setup()``: reading an attribute of ``kit`` afterwards sends nothing.

``kit`` holds two kinds of things, kept apart on purpose:

- **the app's side**, what a real Stripe App has: ``kit.manifest``, ``kit.context`` (mode
  and user), ``kit.dashboard`` (``createOAuthState``, ``oauthContext``), ``kit.provider``
  (the provider's endpoints and the app's ``client_id``), ``kit.http`` (its HTTP client,
  traced in ``kit.trace``, which hides every token it sees), ``kit.stripe_client()`` and
  ``kit.secret_scope``;
- **the stand-in world**, which a real app never touches: ``kit.world`` (the sandbox: playing
  the user at the consent page, letting time pass, installing the app).

Everything the app itself does lives in ``helpers``; this module only wires the sandbox to
it, the way the Stripe Dashboard wires a real app to Stripe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

import sandbox
from helpers import (
    DashboardClient,
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
from helpers.discovery import discover
from helpers.registration import register
from sandbox.limits import STATE_LIFETIME

if TYPE_CHECKING:
    import stripe

    from helpers.consent_in_notebook import ConsentInNotebook
    from helpers.example_app_view import ExampleAppView
    from helpers.secret_store import SecretScope
    from helpers.widgets import AuthorizeLink

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
class _Props:
    """The extension's props: they keep the newest ``oauthContext`` after it was read (stripe/stripe-apps#649)."""

    oauth_context: OAuthContext | None = None


@dataclass(frozen=True)
class Kit:
    """The app installed for one learner in one mode, wired to the sandbox: made by ``setup()``."""

    world: sandbox.World
    manifest: Manifest
    install: sandbox.Install
    context: ExtensionContext
    # The provider's RFC 8414 metadata (where its endpoints are), as discover() found it.
    metadata: Mapping[str, Any]
    # The app's redirect URLs on the sandbox's Dashboard (in production: dashboard.stripe.com).
    urls: RedirectURLs
    # The provider's endpoints and the app's registration there, in the current mode.
    provider: Provider
    trace: Trace
    # The app's HTTP client: every exchange is recorded, redacted, in ``trace``.
    http: httpx.Client
    dashboard: DashboardClient
    _props: _Props = field(default_factory=_Props, repr=False)

    @property
    def mode(self) -> str:
        return self.context.environment.mode

    @property
    def secret_scope(self) -> SecretScope:
        """The Secret Store scope the page keeps the token in: the current user's."""
        from helpers.secret_store import SecretScope  # imports stripe: only the notebooks that save need it

        return SecretScope.for_user(self.context.user_context.id)

    def stripe_client(self) -> stripe.StripeClient:
        """A ``stripe.StripeClient`` aimed at the sandbox's Stripe API, its calls recorded in ``trace``."""
        from helpers.secret_store import make_client

        return make_client(self.install.api_key, api_base=self.world.stripe_api_base, http=self.http)

    def registration_request(self) -> dict[str, Any]:
        """What the app asks the provider to register (RFC 7591): both redirect URLs, a public client."""
        return _registration_request(self.manifest, self.urls)

    def save_registration(self, registration: Mapping[str, Any]) -> None:
        """Keep the provider's answer in the sandbox's folder: the next notebooks' ``setup()`` use its client_id."""
        _save_registration(self.world, registration)

    def start_authorization(self, custom_state: str = "") -> tuple[OAuthState, str]:
        """``createOAuthState``, then the encoded authorization link: step 3 in one call."""
        return start_authorization(
            self.dashboard,
            self.provider.authorization_endpoint,
            client_id=self.provider.client_id,
            redirect_uri=self.provider.redirect_uri,
            custom_state=custom_state,
        )

    def authorize_button(self, label: str = "Authorize PKCE Kit Example") -> AuthorizeLink:
        """The app's **Authorize** button on a fresh link, with **New link** beside it."""
        from helpers.widgets import AuthorizeLink  # ipywidgets: only the notebooks that show a widget load it

        return AuthorizeLink(
            lambda: self.start_authorization()[1],
            label,
            browser_link=self.browser_link,
            open_in_notebook=self.page_opener(),
        )

    def page_opener(self) -> Callable[[str], ConsentInNotebook] | None:
        """Where no tab can open a link (the world runs in the kernel: the browser edition), what shows its
        page in the notebook instead: the provider's consent page, its choices, then the Dashboard's landing."""
        if not self.world.in_process:
            return None
        from helpers.consent_in_notebook import ConsentInNotebook

        return lambda link: ConsentInNotebook(link, self.world.open_consent, self.world.answer_consent)

    def oauth_context(self) -> OAuthContext:
        """What the extension's props hold: the newest ``oauthContext`` the Dashboard handed over.

        As in a real Stripe App the props keep it after it was read (stripe/stripe-apps#649), so
        running this again gives the same context, until a newer one arrives.
        """
        arrived = self.dashboard.take_oauth_context()
        if arrived is not None:
            self._props.oauth_context = arrived
        if self._props.oauth_context is None:
            raise no_oauth_context()
        return self._props.oauth_context

    def connect(self) -> TokenData:
        """Steps 3 to 5 in one go: a link, the user approves (played in the kernel), the exchange.

        For notebooks that start from a token: 02 and 03 show each of these steps.
        """
        _, link = self.start_authorization()
        self.world.consent(link)
        return exchange_code(self.provider, self.oauth_context().checked(), http=self.http)

    def start_clean(self) -> None:
        """Drop any ``oauthContext`` left waiting (by an earlier notebook or run) and forget the calls so far."""
        while self.dashboard.take_oauth_context() is not None:
            pass
        self._props.oauth_context = None
        self.trace.clear()

    def example_app(
        self, *, title: str = "Example", secret_name: str | None = None, consent: bool = True
    ) -> ExampleAppView:
        """The page's whole app as one widget, wired to the sandbox (``consent``: with Approve / Deny buttons)."""
        from helpers.example_app_model import ExampleAppModel
        from helpers.example_app_view import ExampleAppView

        options = {"secret_name": secret_name} if secret_name else {}
        model = ExampleAppModel(
            self.dashboard,
            self.stripe_client(),
            self.provider,
            self.secret_scope,
            self.http,
            state_lifetime=STATE_LIFETIME,
            **options,
        )
        return ExampleAppView(
            model,
            consent=self.world.consent if consent else None,
            browser_link=self.browser_link,
            open_in_notebook=self.page_opener(),
            title=title,
        )

    def browser_link(self, link: str) -> str:
        """The same link as the learner's browser must open it (through the hub's proxy on JupyterHub)."""
        return self.world.browser_url(link[len(self.world.base_url) :])

    def summary(self) -> str:
        # In the browser edition nothing listens at that address: the kit's clients reach the world in the kernel.
        where = ", inside this kernel" if self.world.in_process else ""
        return (
            f"sandbox: {self.world.base_url}{where} (data in {shown_folder(self.world.data_dir)})\n"
            f"app:     {self.manifest.app_id}, installed in {self.mode} mode "
            f"for the user {self.context.user_context.id}\n"
            f"         permissions: {', '.join(self.install.permissions) or 'none'} (what they are: notebook 01)"
        )


def setup(user_id: str = LEARNER, mode: str = "test", manifest: Manifest | None = None) -> Kit:
    """Start or find the sandbox, install the app for ``user_id`` in ``mode``, and return the kit, clean."""
    return open_kit(sandbox.start(), user_id=user_id, mode=mode, manifest=manifest)


def shown_folder(folder: Path) -> str:
    """The sandbox's folder as a learner finds it: ``~/.kit-sandbox/`` under their home (a hub, the learner
    edition), else its name (a checkout's ``.sandbox/``, beside notebooks/; a test's temporary one)."""
    try:
        return f"~/{folder.resolve().relative_to(Path.home().resolve())}/"
    except ValueError:
        return f"{folder.name}/"


def open_kit(
    world: sandbox.World, *, user_id: str = LEARNER, mode: str = "test", manifest: Manifest | None = None
) -> Kit:
    """The kit on a running sandbox: the app installed, the provider discovered, the app registered there."""
    manifest = manifest or load_manifest(MANIFEST_PATH)
    install = world.install_app(manifest, user_id, mode)
    trace = Trace(skip=_empty_poll)
    trace.remember(install.api_key)  # the trace learns what answers carry; this key is only ever sent
    http = traced_client(trace, timeout=30)
    urls = redirect_urls(manifest.app_id, world.dashboard_base)
    # The sandbox's own calls (world.http) stay out of the trace: they are the kit's set-up, not the app's.
    found = discover(world.provider_issuer, http=world.http)
    client_id = _registered_client_id(world, manifest, urls, found.metadata)
    provider = found.provider(
        client_id=client_id,
        redirect_uri=urls.test if mode == "test" else urls.live,
        api_endpoint=f"{world.provider_issuer}/api/me",
    )
    kit = Kit(
        world=world,
        manifest=manifest,
        install=install,
        context=ExtensionContext(Environment(mode), UserContext(user_id, install.account_id)),
        metadata=found.metadata,
        urls=urls,
        provider=provider,
        trace=trace,
        http=http,
        dashboard=DashboardClient(world.dashboard_base, install.api_key, http),
    )
    kit.start_clean()
    return kit


def _registration_request(manifest: Manifest, urls: RedirectURLs) -> dict[str, Any]:
    return registration_request(manifest.name, [urls.test, urls.live], scope=OAUTH_SCOPE)


def _save_registration(world: sandbox.World, registration: Mapping[str, Any]) -> None:
    (world.data_dir / REGISTRATION_FILE).write_text(json.dumps(dict(registration)))


def _registered_client_id(
    world: sandbox.World, manifest: Manifest, urls: RedirectURLs, metadata: Mapping[str, Any]
) -> str:
    """The app's client_id at the provider, registered once per sandbox (see 01-redirect-urls).

    Registered again when the saved registration does not name this sandbox's redirect URLs: a
    sandbox restarted on another port has its Dashboard at another address, and the provider
    sends the user only to a registered URL, so every authorization would end at its error page.
    """
    saved = world.data_dir / REGISTRATION_FILE
    if saved.exists():
        registration: dict[str, Any] = json.loads(saved.read_text())
        if set(registration.get("redirect_uris", ())) >= {urls.test, urls.live}:
            return str(registration["client_id"])
    # A refusal is the kit's RegistrationError, with what to do, as 01's registration cell gives it.
    answer = register(metadata.get("registration_endpoint"), _registration_request(manifest, urls), http=world.http)
    _save_registration(world, answer.metadata)
    return answer.client_id

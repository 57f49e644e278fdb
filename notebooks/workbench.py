"""The learner's workbench: what every notebook needs, in one call.

    from workbench import setup
    kit = setup()

starts (or finds) the sandbox, installs the sample app for the learner, and
gives the notebook a traced HTTP client, the Dashboard calls and a Stripe
client. It also remembers the provider registration made in
01-redirect-urls, so each later notebook can run on its own: if that
notebook was skipped, the registration is made here.

Everything the app itself does lives in `helpers`; this module only wires the
sandbox to it, the way the Stripe Dashboard wires a real app to Stripe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

import sandbox
from helpers import (
    Dashboard,
    Environment,
    ExtensionContext,
    Manifest,
    OAuthState,
    RedirectURLs,
    Trace,
    UserContext,
    load_manifest,
    redirect_urls,
    traced_client,
)
from helpers.authorize import start_authorization

if TYPE_CHECKING:
    import stripe

    from helpers.secret_store import Scope

HERE = Path(__file__).resolve().parent
MANIFEST_PATH = HERE / "stripe-app.json"
LEARNER = "usr_learner01"
REGISTRATION_FILE = "learner-registration.json"


def registration_request(manifest: Manifest, urls: RedirectURLs) -> dict:
    """What the app asks the provider to register (RFC 7591): both redirect URLs, a public client."""
    return {
        "client_name": manifest.name,
        "redirect_uris": [urls.test, urls.live],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "account.read files.read",
    }


@dataclass
class Workbench:
    world: sandbox.World
    manifest: Manifest
    install: sandbox.Install
    context: ExtensionContext
    trace: Trace = field(default_factory=Trace)

    @cached_property
    def http(self) -> httpx.Client:
        """The app's HTTP client: every exchange is recorded, redacted, in `trace`."""
        return traced_client(self.trace, timeout=30)

    @cached_property
    def metadata(self) -> dict:
        """The provider's RFC 8414 metadata: where its endpoints are."""
        return self.world.http.get(f"{self.world.provider_issuer}/.well-known/oauth-authorization-server").json()

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
    def scope(self) -> Scope:
        """The Secret Store scope the page uses for the token: the current user's."""
        from helpers.secret_store import (
            Scope,  # imports stripe: only the notebooks that save tokens need it
        )

        return Scope.for_user(self.context.user_context.id)

    def stripe_client(self) -> stripe.StripeClient:
        """A `stripe.StripeClient` aimed at the sandbox's Stripe API, its calls recorded in `trace`."""
        from helpers.secret_store import make_client

        return make_client(self.install.api_key, api_base=self.world.stripe_api_base, http=self.http)

    def save_registration(self, registration: dict) -> None:
        (self.world.data_dir / REGISTRATION_FILE).write_text(json.dumps(registration))

    @property
    def registration(self) -> dict:
        """The provider's answer to the app's registration, made once per sandbox (see 01-redirect-urls)."""
        saved = self.world.data_dir / REGISTRATION_FILE
        if saved.exists():
            return json.loads(saved.read_text())
        response = self.world.http.post(
            self.metadata["registration_endpoint"], json=registration_request(self.manifest, self.urls)
        )
        response.raise_for_status()
        self.save_registration(response.json())
        return response.json()

    @property
    def client_id(self) -> str:
        return self.registration["client_id"]

    def start_authorization(self, custom_state: str = "") -> tuple[OAuthState, str]:
        """createOAuthState, then the encoded authorization link: step 3 in one call, for later notebooks."""
        return start_authorization(
            self.dashboard,
            self.metadata["authorization_endpoint"],
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            custom_state=custom_state,
        )

    def browser_link(self, link: str) -> str:
        """The same link as the learner's browser must open it (through the hub's proxy on JupyterHub)."""
        return self.world.browser_url(link[len(self.world.base_url) :])

    def summary(self) -> str:
        return (
            f"sandbox: {self.world.base_url} (data in {self.world.data_dir.name}/)\n"
            f"app:     {self.manifest.app_id}, installed for {self.context.user_context.id} "
            f"in {self.mode} mode with {', '.join(self.install.permissions) or 'no permissions'}"
        )


def setup(user_id: str = LEARNER, mode: str = "test", manifest: Manifest | None = None) -> Workbench:
    """Start or find the sandbox, install the app for `user_id` in `mode`, and return the workbench."""
    world = sandbox.start()
    manifest = manifest or load_manifest(MANIFEST_PATH)
    install = world.install_app(manifest, user_id, mode)
    context = ExtensionContext(Environment(mode), UserContext(user_id, install.account_id))
    bench = Workbench(world, manifest, install, context)
    bench.trace.remember(install.api_key)
    return bench

"""The facilitator's pre-flight: the hub checked as a learner meets it, in one command.

Log in to the hub as a test learner (not an admin), open File → New → Terminal, and run

    python -m workshop.preflight

It checks, in that learner's own server:

1. the installed kit imports (the wheel carried all of it: helpers, sandbox, the app template);
2. the sandbox starts in the learner's home folder;
3. the consent page is reachable through the Jupyter server's proxy at the learner's base URL, as
   the learner's browser reaches it;
4. a whole flow completes: state and challenge, consent (through that proxy), the Dashboard's
   hand-over, the code exchange, the token saved in the Secret Store and found again;
5. the memory limit and the kernel culler are what docs/workshop.md's Sizing asks for.

Each check prints a line; then one verdict line, and for each failure what to fix. The exit
status is 0 when every check passed. Nothing it prints holds a token, code or key.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .settings import KERNEL_CULLING, MEMORY_LIMIT_BYTES, MEMORY_LIMIT_TEXT

PREFLIGHT_USER = "usr_preflight01"  # not the notebooks' user: the check leaves the learner's own flow alone


class CheckFailed(Exception):
    """A check found something wrong: `args[0]` says what, `fix` what to do."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.fix = fix


@dataclass
class Result:
    name: str
    passed: bool
    detail: str
    fix: str = ""


@dataclass
class Preflight:
    """The checks, in order; later ones use what earlier ones found (`found`)."""

    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    transport: Any = None  # how requests to the learner's server go: httpx's default (tests give another)
    found: dict[str, Any] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)

    def run(self, name: str, check: Callable[[], str]) -> bool:
        try:
            self.results.append(Result(name, True, check()))
        except CheckFailed as failed:
            self.results.append(Result(name, False, str(failed), failed.fix))
        except Exception as error:  # an unexpected failure is a failed check, reported as such
            where = traceback.extract_tb(error.__traceback__)[-1]
            self.results.append(
                Result(
                    name,
                    False,
                    f"{type(error).__name__}: {error} (at {Path(where.filename).name}:{where.lineno})",
                    "Read the line above; if it names the kit, reinstall it as docs/workshop.md's recipe says.",
                )
            )
        return self.results[-1].passed

    # ------------------------------------------------------------------ the hub's side of things

    @property
    def server_url(self) -> str:
        """This learner's Jupyter server, as the machine reaches it (JUPYTERHUB_SERVICE_URL)."""
        url = self.environ.get("JUPYTERHUB_SERVICE_URL", "")
        if not url:
            raise CheckFailed(
                "this is not a learner's server on JupyterHub (no JUPYTERHUB_SERVICE_URL).",
                "Log in to the hub as a test learner, open File → New → Terminal there, and run this again.",
            )
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host in ("", "0.0.0.0", "::"):  # a server listening on every interface: reach it on this machine
            parts = parts._replace(netloc=f"127.0.0.1:{parts.port}")
        return urlunsplit(parts).rstrip("/") + "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.server_url)
        return f"{parts.scheme}://{parts.netloc}"

    def server_client(self) -> Any:
        import httpx

        token = self.environ.get("JUPYTERHUB_API_TOKEN", "")
        return httpx.Client(
            headers={"Authorization": f"token {token}"}, timeout=30, follow_redirects=False, transport=self.transport
        )

    # ------------------------------------------------------------------ the checks

    def imports(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        import helpers  # noqa: F401
        import sandbox  # noqa: F401
        from helpers.stripe_app import KIT_APP, MANIFEST_FILE

        try:
            installed = version("stripe-apps-pkce-kit")
        except PackageNotFoundError:
            raise CheckFailed(
                "the kit's packages import, but no installed kit is found (stripe-apps-pkce-kit).",
                "Install it into the user environment: sudo /opt/tljh/user/bin/pip install /opt/pkce-kit",
            ) from None
        if not (KIT_APP / MANIFEST_FILE).is_file():
            raise CheckFailed(
                f"the Stripe App template is missing ({KIT_APP}); notebook 09 would fail.",
                "Reinstall the kit from its checkout (pip install /opt/pkce-kit), not from a copy of helpers/.",
            )
        self.found["template"] = KIT_APP / MANIFEST_FILE
        return f"stripe-apps-pkce-kit {installed}, from {Path(helpers.__file__).parent.parent}"

    def sandbox_starts(self) -> str:
        import sandbox
        from sandbox.files import default_data_dir

        folder = default_data_dir().expanduser().resolve()
        home = Path.home().resolve()
        if home not in (folder, *folder.parents):
            raise CheckFailed(
                f"the sandbox's folder is {folder}, outside the learner's home ({home}): learners would share it.",
                "Unset KIT_SANDBOX_DIR in the hub's config, or point it at ~/.kit-sandbox.",
            )
        try:
            world = sandbox.start()
        except sandbox.SandboxError as error:
            raise CheckFailed(f"the sandbox did not start: {error}", getattr(error, "hint", "") or "") from None
        self.found["world"] = world
        return f"port {world.port}, data in {world.data_dir}"

    def consent_page_through_proxy(self) -> str:
        from helpers.manifest import load_manifest, redirect_urls
        from helpers.provider import Provider, registration_request

        world = self.found["world"]
        manifest = load_manifest(self.found["template"])
        install = world.install_app(manifest, PREFLIGHT_USER, "test")
        urls = redirect_urls(manifest.app_id, world.dashboard_base)
        metadata = world.http.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server").json()
        answer = world.http.post(
            metadata["registration_endpoint"], json=registration_request("Pre-flight", [urls.test])
        )
        answer.raise_for_status()
        provider = Provider.from_metadata(metadata, client_id=answer.json()["client_id"], redirect_uri=urls.test)
        self.found.update(install=install, provider=provider)
        link = self.new_link()
        proxied = self.through_proxy(link)
        with self.server_client() as client:
            page = client.get(proxied)
        if page.status_code != 200 or 'id="consent-title"' not in page.text:
            raise CheckFailed(
                f"{self.proxy_path(link).split('?')[0]} answered {page.status_code}, not the consent page.",
                "jupyter-server-proxy must be enabled in the user environment "
                "(`jupyter server extension list` there shows jupyter_server_proxy enabled): "
                "install the kit with the user environment's pip, then restart the learners' servers.",
            )
        return f"{self.proxy_path(link).split('?')[0]} answers with the consent page"

    def whole_flow(self) -> str:
        from helpers.dashboard_client import DashboardClient
        from helpers.secret_store import SecretScope, find_token, make_client, save_token
        from helpers.tokens import exchange_code_at
        from sandbox.user_agent import consent

        world, install, provider = self.found["world"], self.found["install"], self.found["provider"]
        link = self.new_link()
        with self.server_client() as client:
            result = consent(self.through_proxy(link), approve=True, sandbox_base=self.origin, http=client)
        if result.outcome != "handed_over":
            raise CheckFailed(
                f"approving on the consent page, through the proxy, ended in {result.outcome}: {result.message}",
                "The redirect back to the Dashboard must go through the same proxy: check that nothing between "
                "the hub's proxy and the learner's server rewrites X-Forwarded-* headers.",
            )
        dashboard = DashboardClient(world.dashboard_base, install.api_key, world.http)
        context = dashboard.take_oauth_context()
        if context is None:
            raise CheckFailed("the Dashboard handed no oauthContext over after the approval.", "Raise an issue.")
        code, verifier = context.code_and_verifier()
        token = exchange_code_at(
            provider.token_endpoint,
            code=code,
            verifier=verifier,
            client_id=provider.client_id,
            redirect_uri=provider.redirect_uri,
            http=world.http,
        )
        stripe = make_client(install.api_key, api_base=world.stripe_api_base)
        scope = SecretScope.for_user(PREFLIGHT_USER)
        save_token(stripe, scope, token)
        found = find_token(stripe, scope)
        if found.access_token != token.access_token:
            raise CheckFailed("the token found again is not the token saved.", "Raise an issue.")
        return "state, consent through the proxy, hand-over, exchange, save, find"

    def sizing(self) -> str:
        with self.server_client() as client:
            answer = client.get(f"{self.server_url}kit/progress")
        if answer.status_code != 200:
            raise CheckFailed(
                f"the learner's server did not answer kit/progress ({answer.status_code}): "
                "the kit's server extension is not running there.",
                "Install the kit into the user environment with its pip (not editable), then restart the servers.",
            )
        settings = answer.json()
        problems, fixes = [], []
        limit = settings.get("memory_limit")
        if limit is None:
            problems.append("no memory limit is set")
            fixes.append(
                f"set one: sudo tljh-config set limits.memory {MEMORY_LIMIT_TEXT} (Z2JH: singleuser.memory.limit)"
            )
        elif limit < MEMORY_LIMIT_BYTES:
            problems.append(f"the memory limit is {limit // 2**20} MiB, below {MEMORY_LIMIT_TEXT}")
            fixes.append(
                f"a learner's worst case needs {MEMORY_LIMIT_TEXT} (docs/workshop.md, Sizing): "
                f"sudo tljh-config set limits.memory {MEMORY_LIMIT_TEXT}"
            )
        culling = settings.get("culling", {})
        if not culling.get("cull_idle_timeout") or not culling.get("cull_connected"):
            problems.append(f"kernels left idle are not culled ({culling})")
            fixes.append(
                "remove the MappingKernelManager.cull_* settings that override the kit's from the hub's config"
            )
        if problems:
            raise CheckFailed("; ".join(problems) + ".", "; ".join(fixes) + ".")
        shown_limit = f"{limit // 2**20} MiB" if limit else "none"
        minutes = culling["cull_idle_timeout"] / 60
        expected = KERNEL_CULLING["cull_idle_timeout"] / 60
        note = "" if minutes == expected else f" (the kit ships {expected:g}; your config chose this)"
        return f"memory limit {shown_limit}; idle kernels culled after {minutes:g} minutes{note}"

    # ------------------------------------------------------------------ links, as the browser has them

    def new_link(self) -> str:
        from helpers.authorize import start_authorization
        from helpers.dashboard_client import DashboardClient

        world, install, provider = self.found["world"], self.found["install"], self.found["provider"]
        dashboard = DashboardClient(world.dashboard_base, install.api_key, world.http)
        _, link = start_authorization(
            dashboard,
            provider.authorization_endpoint,
            client_id=provider.client_id,
            redirect_uri=provider.redirect_uri,
        )
        return link

    def proxy_path(self, link: str) -> str:
        world = self.found["world"]
        return str(world.browser_url(link[len(world.base_url) :]))

    def through_proxy(self, link: str) -> str:
        path = self.proxy_path(link)
        if not path.startswith("/"):
            raise CheckFailed(
                "the kit gives the browser 127.0.0.1 links here: it does not see the hub's prefix.",
                "Run this in a terminal of the learner's server on the hub (JUPYTERHUB_SERVICE_PREFIX must be set).",
            )
        return self.origin + path

    # ------------------------------------------------------------------ all of it

    def check_all(self) -> list[Result]:
        self.server_url  # noqa: B018 (raises, with what to do, when this is no hub server)
        if self.run("the installed kit imports", self.imports) and self.run(
            "the sandbox starts in the learner's home", self.sandbox_starts
        ):
            if self.run("the consent page answers through the server's proxy", self.consent_page_through_proxy):
                self.run("a whole flow completes", self.whole_flow)
        self.run("memory limit and culler as Sizing asks", self.sizing)
        return self.results


def main() -> int:
    preflight = Preflight()
    try:
        results = preflight.check_all()
    except CheckFailed as refused:
        print(f"PRE-FLIGHT FAILED: {refused}\n  fix: {refused.fix}")
        return 1
    for result in results:
        print(f"{'✓' if result.passed else '✗'} {result.name}: {result.detail}")
    failed = [result for result in results if not result.passed]
    if not failed:
        print(f"PRE-FLIGHT PASSED: {len(results)} of {len(results)} checks; the hub is ready for the room.")
        return 0
    print(f"PRE-FLIGHT FAILED: {len(failed)} of {len(results)} checks. What to fix:")
    for result in failed:
        print(f"  - {result.name}: {result.fix}")
    return 1


if __name__ == "__main__":
    sys.exit(main())

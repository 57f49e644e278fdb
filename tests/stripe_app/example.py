"""The placeholder provider the kit's own stripe-app/ is filled with (api.example.com, as in
notebooks/stripe-app.json), so that its committed manifest can be checked against the generator."""

from __future__ import annotations

from pathlib import Path

from helpers.manifest import load_manifest, redirect_url, redirect_urls
from helpers.provider import Provider, registration_request

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "stripe-app"
KIT_MANIFEST = load_manifest(ROOT / "notebooks" / "stripe-app.json")

EXAMPLE_PROVIDER = Provider(
    issuer="https://api.example.com",
    authorization_endpoint="https://api.example.com/oauth2/authorize",
    token_endpoint="https://api.example.com/oauth2/token",
    revocation_endpoint="https://api.example.com/oauth2/revoke",
    client_id="your_client_id",
    redirect_uri=redirect_url(KIT_MANIFEST.app_id, "test"),
    scope="account.read files.read",
)

SANDBOX_SCOPE = "account.read files.read"


def sandbox_provider(world) -> Provider:
    """The kit's app registered with the sandbox's provider (both redirect URLs), with its API: as 01 and 09 do."""
    metadata = world.http.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server").json()
    urls = redirect_urls(KIT_MANIFEST.app_id, world.dashboard_base)
    request = registration_request(KIT_MANIFEST.name, [urls.test, urls.live], SANDBOX_SCOPE)
    response = world.http.post(metadata["registration_endpoint"], json=request)
    response.raise_for_status()
    return Provider.from_metadata(
        metadata,
        client_id=response.json()["client_id"],
        redirect_uri=urls.test,
        scope=SANDBOX_SCOPE,
        api_endpoint=f"{world.provider_issuer}/api/me",
    )

"""The placeholder provider the kit's own stripe-app/ is filled with (api.example.com, as in
notebooks/stripe-app.json), so that its committed manifest can be checked against the generator."""

from __future__ import annotations

from pathlib import Path

from helpers.manifest import load_manifest, redirect_url
from helpers.provider import Provider

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

"""Fixtures that drive a real sandbox process with real clients.

One sandbox serves the whole test session (the `world` fixture of tests/conftest.py);
tests that kill or restart it start their own.
"""

from __future__ import annotations

import copy
import json
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import sandbox
from helpers.authorize import authorization_url
from helpers.manifest import redirect_url
from helpers.provider import registration_request
from tests.processes import stop_sandbox

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_MANIFEST = json.loads((ROOT / "notebooks" / "stripe-app.json").read_text())


@pytest.fixture
def own_data_dir(tmp_path):
    """A data folder for a test that starts (kills, restarts) a sandbox of its own; whatever runs there is
    stopped after the test, failed or not, so no sandbox outlives the session."""
    try:
        yield tmp_path
    finally:
        stop_sandbox(tmp_path)


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


def make_manifest(app_id: str | None = None, permissions=("secret_write",)) -> dict:
    manifest = copy.deepcopy(SAMPLE_MANIFEST)
    manifest["id"] = app_id or f"com.example.test-{secrets.token_hex(4)}"
    manifest["permissions"] = [{"permission": p, "purpose": "tests"} for p in permissions]
    return manifest


def new_user() -> str:
    return f"usr_{secrets.token_hex(6)}"


@dataclass(frozen=True)
class App:
    """An app installed for a user, registered with the provider: ready to start flows."""

    world: sandbox.World
    install: sandbox.Install
    client_id: str
    redirect_uri: str

    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.install.api_key}"}

    def create_state(self, http: httpx.Client, custom: str = "") -> dict:
        response = http.post(
            f"{self.world.dashboard_base}/api/oauth_state", json={"state": custom}, headers=self.auth()
        )
        assert response.status_code == 200, response.text
        return response.json()

    def link(self, http: httpx.Client, **overrides) -> tuple[str, dict]:
        state = self.create_state(http)
        params = dict(
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            state=state["state"],
            code_challenge=state["challenge"],
        )
        params.update(overrides)
        return authorization_url(f"{self.world.provider_issuer}/authorize", **params), state

    def take_context(self, http: httpx.Client) -> dict | None:
        response = http.get(f"{self.world.dashboard_base}/api/oauth_context", headers=self.auth())
        assert response.status_code == 200, response.text
        return response.json()["oauth_context"]

    def approved_context(self, http: httpx.Client) -> dict:
        link, _ = self.link(http)
        result = self.world.consent(link, approve=True)
        assert result.outcome == "handed_over", result
        context = self.take_context(http)
        assert context and context["code"] and context["verifier"], context
        return context

    def token_form(self, context: dict, **overrides) -> dict:
        """The token request's parameters for ``context`` (an override of None leaves one out)."""
        form = dict(
            grant_type="authorization_code",
            code=context["code"],
            code_verifier=context["verifier"],
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
        )
        form.update(overrides)
        return {k: v for k, v in form.items() if v is not None}

    def token_request(self, http: httpx.Client, context: dict, **overrides) -> httpx.Response:
        return http.post(f"{self.world.provider_issuer}/token", data=self.token_form(context, **overrides))

    def refresh_request(self, http: httpx.Client, refresh_token: str) -> httpx.Response:
        return http.post(
            f"{self.world.provider_issuer}/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id},
        )

    def api_status(self, http: httpx.Client, access_token: str) -> int:
        """The status the provider's protected API answers for this access token."""
        return http.get(
            f"{self.world.provider_issuer}/api/me", headers={"Authorization": f"Bearer {access_token}"}
        ).status_code


def age(world: sandbox.World, table: str, column: str, seconds: int) -> None:
    """Make ``seconds`` pass for every row of ``table`` (its time ``column``): no waiting, no clock to set."""
    db = sqlite3.connect(world.data_dir / "sandbox.sqlite3")
    with db:
        db.execute(f"UPDATE {table} SET {column} = {column} - ?", (seconds,))
    db.close()


def register_client(world: sandbox.World, http: httpx.Client, redirect_uris: list[str], **metadata) -> str:
    body = {**registration_request("Kit test app", redirect_uris), **metadata}
    response = http.post(f"{world.provider_issuer}/register", json=body)
    assert response.status_code == 201, response.text
    return response.json()["client_id"]


def make_app(
    world: sandbox.World,
    http: httpx.Client,
    permissions=("secret_write",),
    user_id: str | None = None,
    mode: str = "test",
) -> App:
    manifest = make_manifest(permissions=permissions)
    install = world.install_app(manifest, user_id or new_user(), mode)
    uris = [redirect_url(manifest["id"], m, world.dashboard_base) for m in ("test", "live")]
    client_id = register_client(world, http, uris)
    return App(world, install, client_id, redirect_url(manifest["id"], mode, world.dashboard_base))


@pytest.fixture
def app(world, http) -> App:
    return make_app(world, http)

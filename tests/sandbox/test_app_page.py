"""The Dashboard's app page where it cannot build: a refusal with what to do, never a server error."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from sandbox import app_page
from sandbox.app import create_app

from .conftest import make_manifest


@pytest.mark.parametrize("missing", ["the checkout's scripts", "Node.js"])
def test_a_sandbox_that_cannot_build_refuses_with_409_and_says_what_to_do(tmp_path, monkeypatch, missing):
    if missing == "Node.js":
        monkeypatch.setattr(app_page.shutil, "which", lambda name: None)
    else:  # an installed kit: the wheel carries no sandbox/dashboard_js/
        monkeypatch.setattr(app_page, "JS", tmp_path / "site-packages" / "sandbox" / "dashboard_js")
    client = Client(create_app(tmp_path / "data"))
    installed = client.post("/dashboard/api/installs", json={"manifest": make_manifest(), "user_id": "usr_page1"})
    key = installed.get_json()["api_key"]
    answer = client.post(
        "/dashboard/api/apps",
        json={"folder": str(tmp_path / "app"), "packages": None},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 409, answer.get_data(as_text=True)
    message = answer.get_json()["error"]["message"]
    assert ("npm ci" in message) if missing == "Node.js" else ("make lab" in message), message

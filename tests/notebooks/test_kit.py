"""The kit (notebooks/kit.py) through what a room does to it: a sandbox that comes back on another port."""

from __future__ import annotations

import json

import pytest
from kit import REGISTRATION_FILE, setup

import sandbox
from tests.support.ports import free_port


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A learner's own sandbox folder, as KIT_SANDBOX_DIR names it for setup(); its sandbox stopped after."""
    folder = tmp_path / ".sandbox"
    monkeypatch.setenv("KIT_SANDBOX_DIR", str(folder))
    yield folder
    sandbox.stop(folder)


def test_a_sandbox_back_on_another_port_registers_the_app_again(data_dir):
    before = setup()
    old_client = before.provider.client_id  # registered, and saved in the data folder (as 01 does)
    before.world.stop()
    sandbox.start(data_dir, port=free_port())  # the old port was taken: the Dashboard has a new address

    kit = setup()
    assert kit.world.port != before.world.port
    assert kit.provider.client_id != old_client
    saved = json.loads((data_dir / REGISTRATION_FILE).read_text())
    assert saved["client_id"] == kit.provider.client_id
    assert sorted(saved["redirect_uris"]) == sorted([kit.urls.test, kit.urls.live])
    assert kit.connect().access_token  # the user is sent back to the Dashboard, and the exchange works

    app = kit.example_app()  # 06's app too: approved, then signed in (not left signed out at provider_error)
    app.user_buttons.approve.click()
    assert app.user_buttons.results[-1].outcome == "handed_over"
    app.check_button.click()
    assert app.model.status == "signed_in", app.model.message


def test_a_registration_that_still_fits_is_kept(data_dir):
    first = setup().provider.client_id
    assert setup().provider.client_id == first

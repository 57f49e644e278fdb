"""What the kit records of a learner's progress, and the sandbox recording the flow's steps as it serves them."""

from __future__ import annotations

import json

import pytest

from helpers import exchange_code_at, find_token, make_client, save_token
from helpers.secret_store import SecretScope
from workshop.progress import PROGRESS_FILE, reached, record, report


def test_each_step_counts_from_the_first_time_and_a_broken_line_is_skipped(tmp_path):
    record(tmp_path, "registered")
    record(tmp_path, "exercise 01")
    record(tmp_path, "registered")
    with open(tmp_path / PROGRESS_FILE, "a") as file:
        file.write('{"step": "link", "at": \n')  # cut short by a crash
    times = reached(tmp_path)
    assert set(times) == {"registered", "exercise 01"}
    lines = [json.loads(line) for line in (tmp_path / PROGRESS_FILE).read_text().splitlines()[:3]]
    assert times["registered"] == lines[0]["at"] < lines[2]["at"] or times["registered"] == lines[2]["at"]
    assert all(set(line) == {"step", "at"} for line in lines)


def test_an_unknown_step_is_refused_and_nothing_recorded_is_nothing_reached(tmp_path):
    with pytest.raises(ValueError, match="unknown step"):
        record(tmp_path, "token: abc")
    assert reached(tmp_path) == {} and report(tmp_path)["furthest"] is None


def test_the_report_names_the_furthest_step_of_the_flow(tmp_path):
    for step in ("registered", "link", "approved", "exercise 02"):
        record(tmp_path, step)
    summary = report(tmp_path)
    assert summary["furthest"] == "approved"
    assert [row["name"] for row in summary["steps"] if row["at"]] == ["registered", "link", "approved"]
    assert [row["notebook"] for row in summary["exercises"] if row["at"]] == ["02"]


def test_the_sandbox_records_each_step_of_the_flow_as_it_serves_it(tmp_path):
    from kit import MANIFEST_PATH

    import sandbox
    from helpers.authorize import start_authorization
    from helpers.dashboard_client import DashboardClient
    from helpers.manifest import redirect_urls
    from helpers.provider import Provider, registration_request

    world = sandbox.start(tmp_path / "data")
    try:
        install = world.install_app(MANIFEST_PATH, "usr_progress1")
        urls = redirect_urls("com.example.pkce-kit", world.dashboard_base)
        metadata = world.http.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server").json()
        assert reached(world.data_dir) == {}
        registered = world.http.post(metadata["registration_endpoint"], json=registration_request("t", [urls.test]))
        provider = Provider.from_metadata(metadata, client_id=registered.json()["client_id"], redirect_uri=urls.test)
        assert set(reached(world.data_dir)) == {"registered"}
        dashboard = DashboardClient(world.dashboard_base, install.api_key, world.http)
        _, link = start_authorization(
            dashboard, provider.authorization_endpoint, client_id=provider.client_id, redirect_uri=urls.test
        )
        denied = world.consent(link, approve=False)
        assert denied.outcome == "handed_over" and "approved" not in reached(world.data_dir)  # a denial is no step
        dashboard.take_oauth_context()
        _, link = start_authorization(
            dashboard, provider.authorization_endpoint, client_id=provider.client_id, redirect_uri=urls.test
        )
        world.consent(link)
        code, verifier = dashboard.take_oauth_context().code_and_verifier()
        token = exchange_code_at(
            provider.token_endpoint,
            code=code,
            verifier=verifier,
            client_id=provider.client_id,
            redirect_uri=urls.test,
            http=world.http,
        )
        assert set(reached(world.data_dir)) == {"registered", "link", "approved", "exchanged"}
        stripe = make_client(install.api_key, api_base=world.stripe_api_base)
        save_token(stripe, SecretScope.for_user("usr_progress1"), token)
        find_token(stripe, SecretScope.for_user("usr_progress1"))
        assert report(world.data_dir)["furthest"] == "found"
        # Each step once, however often it happens; and never a value of the flow in the file.
        world.consent(
            start_authorization(
                dashboard, provider.authorization_endpoint, client_id=provider.client_id, redirect_uri=urls.test
            )[1]
        )
        text = (world.data_dir / PROGRESS_FILE).read_text()
        assert len(text.splitlines()) == 6
        for secret in (code, verifier, token.access_token, token.refresh_token, install.api_key):
            assert secret and secret not in text
    finally:
        world.stop()

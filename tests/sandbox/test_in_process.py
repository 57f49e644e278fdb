"""The stand-in world in the kernel, as the browser edition (Pyodide) runs it: the API tests again.

The tests of a learner's mistakes and of each stand-in's answers (test_bad_input, test_provider,
test_dashboard, test_stripe_api) run here once more, unchanged, against a world started in this
process (sandbox/in_process.py) instead of a sandbox process, reached through the kit's own HTTP
client (helpers.trace.http_client: the in-process routing) and the `stripe` SDK through it
(helpers.make_client), while threads, sockets and subprocesses refuse to start and `cryptography`,
`joserfc` and `jsonschema` cannot be imported, as in Pyodide. Same tests, same answers: the
in-process path is no stub.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading

import httpx
import pytest
import stripe._stripe_client

import helpers
import sandbox
from helpers.consent_in_notebook import ConsentInNotebook
from helpers.secret_store import HttpxHTTPClient
from helpers.trace import http_client
from sandbox import in_process
from sandbox.storage import Storage

from .conftest import make_app
from .test_bad_input import *  # noqa: F403  (the tests, collected here again)
from .test_dashboard import *  # noqa: F403
from .test_provider import *  # noqa: F403
from .test_stripe_api import *  # noqa: F403

# What these tests cannot mean in a kernel with no sockets: the global `stripe` module's own HTTP
# client (requests), not the kit's; and pages behind jupyter-server-proxy, which Lite does not have.
NOT_IN_PROCESS = {
    "test_legacy_global_style": "the global stripe module talks through requests, not the kit's client",
    "test_an_over_long_url_gets_the_envelope": "about the HTTP server's own limit: no server listens in-process",
    "test_concurrent_refreshes_with_one_refresh_token_give_one_token": "two threads at once: Pyodide has one",
    "test_authlib_client_discovery_registration_and_pkce_flow": (
        "Authlib's client makes its own httpx client, and needs cryptography: a third party's, not the kit's"
    ),
}


class NotInPyodide(OSError):
    """What Pyodide's kernel does not have, refused here as it is refused there (an OSError, as there)."""


def _refuse(what: str):
    def refuse(*args, **kwargs):
        raise NotInPyodide(f"{what} is not available in Pyodide")

    return refuse


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A world in this process, on its own data folder; unmounted after the module."""
    started = in_process.start(tmp_path_factory.mktemp("in-process"))
    assert started.in_process
    yield started
    started.stop()


@pytest.fixture
def http():
    with http_client(timeout=30) as client:
        yield client


@pytest.fixture
def client(app):
    """The `stripe` SDK as the kit makes it: through its httpx client, so in-process too."""
    return helpers.make_client(app.install.api_key, api_base=app.world.stripe_api_base)


@pytest.fixture(autouse=True)
def as_in_pyodide(request, monkeypatch):
    name = request.node.originalname
    if name in NOT_IN_PROCESS:
        pytest.skip(NOT_IN_PROCESS[name])
    # A StripeClient made without an HTTP client gets the kit's, as helpers.make_client gives it.
    monkeypatch.setattr(stripe._stripe_client, "new_default_http_client", lambda **_: HttpxHTTPClient(http_client()))
    monkeypatch.setattr(threading.Thread, "start", _refuse("a thread"))
    monkeypatch.setattr(socket.socket, "__init__", _refuse("a socket"))
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("a subprocess"))
    for native in ("cryptography", "joserfc", "jsonschema", "rpds"):
        monkeypatch.setitem(sys.modules, native, None)


# What only the in-process world does ------------------------------------------------------------


@pytest.fixture(scope="module")
def loop():
    """The kernel's event loop (made before sockets are refused: CPython's needs a socket pair, Pyodide's none)."""
    made = asyncio.new_event_loop()
    yield made
    made.close()


def test_sandbox_start_runs_the_world_in_the_kernel_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv(in_process.ENV_IN_PROCESS, "1")
    world = sandbox.start(tmp_path)
    try:
        # The module's world has port 8765 in this process: this one takes the next, as a process takes a free port.
        assert world.in_process and world.pid == os.getpid() and world.base_url == "http://127.0.0.1:8766"
        assert sandbox.running(tmp_path) is world and sandbox.start(tmp_path) is world
        assert world.is_healthy()
    finally:
        assert sandbox.stop(tmp_path)
    assert sandbox.running(tmp_path) is None
    with pytest.raises(httpx.HTTPError):  # unmounted: its address leads nowhere (here: no socket)
        http_client().get(f"{world.base_url}/healthz")


def test_a_fresh_kernel_finds_what_an_earlier_one_saved(tmp_path):
    """05's later session in the browser edition: the data folder's copy outlives the kernel's world."""
    first = in_process.start(tmp_path)
    app = make_app(first, http_client())
    token = "at-" + "x" * 20
    helpers.save_secret(
        helpers.make_client(app.install.api_key, api_base=first.stripe_api_base),
        helpers.SecretScope.for_user(app.install.user_id),
        "oauth_token",
        token,
    )
    first.stop()  # the kernel ends: its memory file system (the working database) is gone
    later = in_process.start(tmp_path)
    try:
        client = helpers.make_client(app.install.api_key, api_base=later.stripe_api_base)
        found = client.v1.apps.secrets.find(
            {"scope": {"type": "user", "user": app.install.user_id}, "name": "oauth_token", "expand": ["payload"]}
        )
        assert found.payload == token and later.port == first.port  # the port it had: registrations stay good
    finally:
        later.stop()


def test_a_kernel_reads_what_another_kernel_wrote_to_the_shared_copy(tmp_path):
    """Two notebooks open, two kernels, one data folder: each reads the other's writes before its next transaction."""
    mirror = tmp_path / "data" / "sandbox.sqlite3"
    one, other = Storage(tmp_path / "one" / "db", mirror=mirror), Storage(tmp_path / "other" / "db", mirror=mirror)
    with one.write() as db:
        db.execute("INSERT INTO settings VALUES ('written_by', 'one')")
    with other.read() as db:
        assert db.execute("SELECT value FROM settings WHERE name = 'written_by'").fetchone()[0] == "one"
    with other.write() as db:
        db.execute("UPDATE settings SET value = 'other' WHERE name = 'written_by'")
    with one.read() as db:
        assert db.execute("SELECT value FROM settings WHERE name = 'written_by'").fetchone()[0] == "other"


def test_the_landing_pushes_to_the_waiting_view_without_a_long_poll(app, http, loop):
    """No thread can hold a long-poll: the wait is woken by the landing itself, in the same kernel."""
    dashboard = helpers.DashboardClient(app.world.dashboard_base, app.install.api_key, http)
    link, _ = app.link(http)

    async def scenario():
        waiting = asyncio.ensure_future(dashboard.oauth_context_arrived(wait=600))
        await asyncio.sleep(0)  # it asked once (nothing yet) and now waits for a push
        assert not waiting.done()
        app.world.consent(link)  # the landing accepts the redirect
        for _ in range(20):  # a few turns of the loop, not 600 seconds: the push woke it
            if waiting.done():
                return waiting.result()
            await asyncio.sleep(0)
        waiting.cancel()
        return "still waiting"

    assert loop.run_until_complete(scenario()) is True
    assert app.take_context(http)["code"]


def test_the_consent_page_in_the_notebook_offers_the_pages_choices_and_shows_the_landing(app, http):
    link, _ = app.link(http)
    page = ConsentInNotebook(link, app.world.open_consent, app.world.answer_consent)
    assert list(page.page.choices) == [("approve", "Approve"), ("deny", "Deny")]
    assert "consent-form" not in page.page.shown_html and "Allow <strong>" in page.page.shown_html
    assert [button.description for button in page.buttons.values()] == ["Approve", "Deny"]
    page.buttons["approve"].click()
    assert page.results[-1].outcome == "handed_over" and "You approved the app" in page.frame.value
    assert all(button.disabled for button in page.buttons.values())
    assert app.take_context(http)["code"]


def test_the_consent_page_in_the_notebook_says_what_the_laptops_browser_would(app, http):
    """Deny, then the same link again: the same outcomes and the same messages as world.consent gives."""
    link, _ = app.link(http)
    denied = ConsentInNotebook(link, app.world.open_consent, app.world.answer_consent).choose("deny")
    assert denied.outcome == "handed_over" and denied.error == "access_denied"
    again = ConsentInNotebook(link, app.world.open_consent, app.world.answer_consent)
    spent = again.choose("approve")
    assert spent.outcome == "refused" and spent.reason == "used_state"
    assert spent.message == app.world.consent(link).message and "already used" in again.frame.value


def test_the_log_is_kept_redacted_in_the_kernel(app, http):
    app.approved_context(http)
    log = app.world.log_file.read_text()
    assert app.world.log_file.parent == app.world.work_dir and "GET /dashboard/test/apps-oauth/" in log
    assert "code=…" in log


def _example_app_in_notebook(app, http):
    """06's app view as the browser edition makes it: Authorize shows the provider's page in the notebook."""
    from helpers.example_app_model import ExampleAppModel
    from helpers.example_app_view import ExampleAppView
    from helpers.secret_store import SecretScope

    model = ExampleAppModel(
        helpers.DashboardClient(app.world.dashboard_base, app.install.api_key, http),
        helpers.make_client(app.install.api_key, api_base=app.world.stripe_api_base),
        helpers.Provider.from_metadata(
            http.get(f"{app.world.provider_issuer}/.well-known/oauth-authorization-server").json(),
            client_id=app.client_id,
            redirect_uri=app.redirect_uri,
        ),
        SecretScope.for_user(app.install.user_id),
        http,
    )
    pages = lambda link: ConsentInNotebook(link, app.world.open_consent, app.world.answer_consent)  # noqa: E731
    return ExampleAppView(model, consent=app.world.consent, open_in_notebook=pages)


def test_the_example_app_in_the_notebook_shows_the_pages_buttons_only(app, http):
    """One Approve and one Deny in sight (the page's); the kernel path's buttons stay for cells to press."""
    view = _example_app_in_notebook(app, http)
    assert view.user_buttons is not None and view.user_buttons not in view.children
    assert view.authorize_link in view.children
    view.authorize_link.button.click()
    assert [b.description for b in view.authorize_link.page.buttons.values()] == ["Approve", "Deny"]
    view.user_buttons.approve.click()  # as 06's cells do: still there, out of sight
    assert view.user_buttons.results[-1].outcome == "handed_over"


def test_the_page_answered_in_the_notebook_stays_while_the_app_reacts(app, http):
    """The Dashboard's landing is what the learner just reached: the app's own reaction (a new attempt after
    Deny, the signed-in view after Approve) leaves it on screen, as a browser tab stays open; pressing
    New link or Authorize replaces it."""
    view = _example_app_in_notebook(app, http)
    authorize, first_link = view.authorize_link, view.model.link
    authorize.button.click()
    denied = authorize.page
    denied.buttons["deny"].click()
    view.check_button.click()  # the view's wait, once (in the kernel the landing's push does it)
    assert view.model.status != "signed_in" and "access_denied" in view.header.value
    assert view.model.link != first_link and authorize.link == view.model.link  # the app's new attempt
    assert authorize.page is denied and authorize.children[-1] is denied and authorize in view.children
    assert "You did not approve the app" in denied.frame.value

    authorize.new_link_button.click()  # the learner's new attempt: the old page goes
    assert authorize.page is None and authorize.children == (authorize._row,)
    authorize.button.click()
    approved = authorize.page
    approved.buttons["approve"].click()
    view.check_button.click()
    assert view.model.status == "signed_in" and view.children[-1] is approved
    assert "You approved the app" in approved.frame.value

"""A workshop room in miniature: a real JupyterHub, three learners at once, each in their own browser.

Every learner logs in on the hub's login page. The hub starts their own JupyterLab, and the learner
opens their own copy of 06-the-whole-app, runs it, and authorizes the app in the browser:
Authorize, then the consent page in a new tab (through the learner's own
/user/<name>/proxy/<port>/), then Approve. The app in the notebook then signs in by itself. All
three do this at the same time (asyncio, one Chromium, one browser context per learner).

Then the test checks that the learners are kept apart. There are three sandboxes (three pids,
three ports, three data folders), each started from that learner's own server. Each sandbox
holds only its own learner's token. An install key does not open another learner's Secret
Store, and a token is refused by another learner's provider. A learner's browser cannot reach
another learner's server or sandbox through the hub.

Every learner uses the notebooks' user id (usr_learner01), so "another learner's user scope" is
the same user id in another sandbox. The only way to it is the other sandbox with the other
learner's install key, which this learner never gets.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import httpx
import psutil
import pytest

import sandbox
from helpers import SecretScope, SecretStoreError, find_token, make_client
from tests.support.chromium import in_chromium
from tests.support.event_loop import in_a_thread
from tests.support.hub import ARTIFACTS, NOTEBOOKS_IN_HOME, Hub, Learner

from .conftest import LEARNERS

NOTEBOOK = "06-the-whole-app.ipynb"
USER_ID = "usr_learner01"  # notebooks/kit.py: the user every notebook installs the app for


async def one_learner(learner: Learner) -> dict:
    (ARTIFACTS / f"hub-{learner.name}-failed.png").unlink(missing_ok=True)  # from an earlier run
    await learner.start()
    started = time.monotonic()
    try:
        await learner.log_in(NOTEBOOK)
        logged_in = time.monotonic()
        await learner.open_and_run(NOTEBOOK, navigate=False)
        ran = time.monotonic()
        result = await learner.authorize_in_the_browser()
        await learner.assert_clean()
    except BaseException:
        await learner.screenshot(learner.page, "failed")
        prompts = await learner.page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        errors = await learner.page.locator(
            ".jp-OutputArea-output[data-mime-type*='error'], .jp-OutputArea-output[data-mime-type*='stderr']"
        ).all_inner_texts()
        print(
            f"\n{learner.name} failed at {learner.page.url}\nprompts: {prompts}\nerrors: {errors}"
            f"\nconsole: {learner.console_errors}"
        )
        raise
    return {
        **result,
        "login_and_spawn": logged_in - started,
        "run_all": ran - logged_in,
        "browser_flow": time.monotonic() - ran,
    }


async def foreign_status(learner: Learner, url: str) -> tuple[int, str]:
    """What this learner's browser session gets at `url` (cookies and all, redirects followed)."""
    response = await learner.context.request.get(url, max_redirects=10)
    return response.status, (await response.text())[:300]


async def the_room(browser, hub: Hub) -> dict:
    learners = [Learner(hub, browser, name) for name in LEARNERS]
    results = dict(zip(LEARNERS, await asyncio.gather(*(one_learner(learner) for learner in learners)), strict=True))
    # Each browser session, at every other learner's server and sandbox.
    worlds = {name: sandbox.running(hub.sandbox_dir(name)) for name in LEARNERS}
    foreign = {}
    for learner in learners:
        for other in LEARNERS:
            if other != learner.name and worlds[other]:
                base = f"{hub.url}/user/{other}/"
                foreign[(learner.name, other, "lab")] = await foreign_status(learner, f"{base}lab")
                foreign[(learner.name, other, "sandbox")] = await foreign_status(
                    learner, f"{base}proxy/{worlds[other].port}/healthz"
                )
    for learner in learners:
        await learner.close()
    return {"results": results, "foreign": foreign}


def stored_token(data_dir: Path) -> str:
    """The access token saved in a sandbox's Secret Store, read from its SQLite file."""
    db = sqlite3.connect(f"file:{data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        (payload,) = db.execute(
            "SELECT payload FROM secrets WHERE scope_type='user' AND scope_user=? AND name='oauth_token'", (USER_ID,)
        ).fetchone()
    finally:
        db.close()
    return json.loads(payload)["access_token"]


def install_key(data_dir: Path) -> str:
    db = sqlite3.connect(f"file:{data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        (key,) = db.execute("SELECT api_key FROM installs WHERE user_id=? AND mode='test'", (USER_ID,)).fetchone()
    finally:
        db.close()
    return key


def everything_stored(data_dir: Path) -> bytes:
    """Every byte the sandbox keeps: the SQLite file with its WAL, the log, the registration."""
    return b"".join(path.read_bytes() for path in sorted(data_dir.iterdir()) if path.is_file())


def test_three_learners_at_once_each_with_their_own_sandbox(hub, chromium_path):
    started = time.monotonic()
    room = in_a_thread(in_chromium(chromium_path, the_room, hub))
    browser_seconds = time.monotonic() - started
    hub.remember_processes()

    # --- the browser path, for each learner, through their own proxy prefix
    worlds = {}
    for name, result in room["results"].items():
        world = sandbox.running(hub.sandbox_dir(name))
        assert world is not None, f"{name}'s sandbox is not running in {hub.sandbox_dir(name)}"
        worlds[name] = world
        own = f"{hub.url}/user/{name}/proxy/{world.port}/"
        assert result["consent_url"].startswith(f"{own}provider/"), result["consent_url"]
        assert result["landing_url"].startswith(f"{own}dashboard/"), result["landing_url"]
        assert (hub.home(name) / NOTEBOOKS_IN_HOME / NOTEBOOK).exists()

    # --- three sandboxes: three pids, three ports, three data folders, each from its learner's server
    assert len({w.pid for w in worlds.values()}) == 3, worlds
    assert len({w.port for w in worlds.values()}) == 3, worlds
    assert len({w.data_dir for w in worlds.values()}) == 3, worlds
    for name, world in worlds.items():
        assert world.data_dir == hub.sandbox_dir(name).resolve()
        server = hub.server_process(name)
        # The recipe's Spawner.cmd: JupyterHub's server as the kit starts it (workshop/server.py), from the user env.
        assert Path(server.cmdline()[1]).name == "pkce-kit-singleuser", server.cmdline()
        descendants = {p.pid for p in server.children(recursive=True)}
        assert world.pid in descendants, f"{name}'s sandbox (pid {world.pid}) was not started by their server"
        assert psutil.Process(world.pid).environ().get("JUPYTERHUB_USER") == name

    # --- each sandbox holds its own learner's token, and nobody else's
    tokens = {name: stored_token(world.data_dir) for name, world in worlds.items()}
    keys = {name: install_key(world.data_dir) for name, world in worlds.items()}
    assert len(set(tokens.values())) == 3 and len(set(keys.values())) == 3
    for name, world in worlds.items():
        own_client = make_client(keys[name], api_base=world.stripe_api_base)
        assert find_token(own_client, SecretScope.for_user(USER_ID)).access_token == tokens[name]
        stored = everything_stored(world.data_dir)
        for other in LEARNERS:
            if other == name:
                continue
            assert tokens[other].encode() not in stored, f"{other}'s token is in {name}'s sandbox"
            assert keys[other].encode() not in stored, f"{other}'s install key is in {name}'s sandbox"
            # Knowing the other sandbox's port is not enough: this learner's key does not open it.
            foreign_client = make_client(keys[name], api_base=worlds[other].stripe_api_base)
            with pytest.raises(SecretStoreError) as refused:
                find_token(foreign_client, SecretScope.for_user(USER_ID))
            assert "Invalid API Key" in str(refused.value), str(refused.value)
            # And the other learner's token opens nothing at this learner's provider.
            me = httpx.get(f"{world.provider_issuer}/api/me", headers={"Authorization": f"Bearer {tokens[other]}"})
            assert me.status_code == 401, me.text

    # --- through the hub, a learner's browser reaches no other learner's server or sandbox
    for (name, other, what), (status, body) in room["foreign"].items():
        assert status == 403 and "<title>JupyterHub</title>" in body, (
            f"{name}'s browser got {status} at {other}'s {what}: {body}"
        )
    assert len(room["foreign"]) == 2 * 3 * 2

    timings = {
        name: {k: round(v, 1) for k, v in r.items() if isinstance(v, float)} for name, r in room["results"].items()
    }
    print(f"\nbrowser part: {browser_seconds:.1f} s; per learner: {timings}")

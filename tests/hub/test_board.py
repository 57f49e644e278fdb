"""The facilitator's board on the real hub: three learners at different steps, seen, then one reset.

The board is the recipe's own managed service (docs/workshop.md's TLJH snippet, loaded by the test
hub as TLJH loads it). Three learners walk the notebooks through their own servers, as their
kernels run cells (tests/support/walk.py), each stopping at another notebook; two do the exercises.
The facilitator, an admin, logs in with a browser, opens the board from the hub, and sees each
learner's furthest step and the exercises they passed; the page's screenshot goes to
tests/artifacts/board.png. A learner is refused the board. Then **Reset** on one learner: their
kernels and sandbox stop, their work moves aside (kept) and a fresh learner edition takes its place,
and the board shows them at the start. Nothing the board got holds a token, code or key.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3

import httpx
import nbformat
import pytest

import sandbox
from tests.kernel_client import Server
from tests.support.chromium import in_chromium
from tests.support.event_loop import in_a_thread
from tests.support.hub import ADMIN, ADMIN_PASSWORD, ARTIFACTS, NOTEBOOKS_IN_HOME, PASSWORD, Hub
from tests.support.walk import Pace, walk
from tools.run_notebooks import notebook_paths

# Who walks how far, and whether they do the exercises.
WALKS = {"lin": ("01", True), "mae": ("03", False), "kai": ("05", True)}
FURTHEST = {"lin": "registered", "mae": "exchanged", "kai": "found"}
REACHED = {
    "lin": {"registered", "exercise 01"},
    "mae": {"registered", "link", "approved", "exchanged"},
    "kai": {"registered", "link", "approved", "exchanged", "saved", "found", *(f"exercise 0{n}" for n in range(1, 6))},
}
ALL_STEPS = {"registered", "link", "approved", "exchanged", "saved", "found", *(f"exercise 0{n}" for n in range(1, 7))}


def notebooks_to(last: str):
    return [path for path in notebook_paths() if path.name[:2] <= last]


async def the_learners(hub: Hub) -> list:
    return await asyncio.gather(
        *(
            walk(hub, name, notebooks_to(last), Pace(seconds=0, jitter=0), solve=solve)
            for name, (last, solve) in WALKS.items()
        )
    )


def stored_secrets(hub: Hub, name: str) -> list[str]:
    """Every token and key in a learner's sandbox: none may reach the board."""
    db = sqlite3.connect(f"file:{hub.sandbox_dir(name) / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        keys = [row[0] for row in db.execute("SELECT api_key FROM installs")]
        tokens = []
        for (payload,) in db.execute("SELECT payload FROM secrets"):
            stored = json.loads(payload)
            tokens += [stored.get("access_token"), stored.get("refresh_token")]
    finally:
        db.close()
    return [value for value in (*keys, *tokens) if value]


async def the_facilitator(browser, hub: Hub) -> dict:
    from playwright.async_api import expect

    seen: dict = {"api": []}  # every answer the page got from the board's API
    page = await (await browser.new_context(viewport={"width": 1500, "height": 700})).new_page()
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    page.on(
        "response",
        lambda response: seen["api"].append(response) if "/api/learners" in response.url else None,
    )
    await page.goto(f"{hub.url}/hub/login?next={'/services/kit-board/'}")
    await page.fill("#username_input", ADMIN)
    await page.fill("#password_input", ADMIN_PASSWORD)
    await page.click("#login_submit")
    await expect(page).to_have_url(re.compile(re.escape(f"{hub.url}/services/kit-board/")), timeout=60_000)
    for name in WALKS:
        row = page.locator(f"tr[data-learner='{name}']")
        await expect(row.locator("td.furthest")).to_have_text(FURTHEST[name], timeout=30_000)
    seen["rows"] = {
        name: {
            "reached": set(
                await page.locator(f"tr[data-learner='{name}'] td.yes").evaluate_all(
                    "cells => cells.map(cell => cell.dataset.step)"
                )
            ),
            "text": await page.locator(f"tr[data-learner='{name}']").inner_text(),
        }
        for name in WALKS
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "board.png"), full_page=True)
    seen["api_bodies"] = [await response.text() for response in list(seen["api"]) if response.ok]
    # Reset kai, as the facilitator would: the button, then OK in the browser's confirm dialog.
    await page.locator("tr[data-learner='kai'] button", has_text="Reset").click()
    await expect(page.locator("#action")).to_contain_text("kai was reset", timeout=60_000)
    await expect(page.locator("tr[data-learner='kai'] td.furthest")).to_have_text("not started", timeout=30_000)
    await page.screenshot(path=str(ARTIFACTS / "board-after-reset.png"), full_page=True)
    del seen["api"]
    return seen


async def a_learner_at_the_board(hub: Hub) -> httpx.Response:
    server = await Server.log_in_through_hub(hub.url, "lin", PASSWORD)
    try:
        return await server.http.get(f"{hub.url}/services/kit-board/", follow_redirects=True)
    finally:
        await server.aclose()


@pytest.fixture(scope="module")
def walked(hub):
    walks = in_a_thread(the_learners(hub))
    errors = [error for walked in walks for error in walked.errors]
    assert errors == [], errors
    return walks


def test_the_board_shows_each_learner_at_their_step_and_a_reset_gives_a_clean_slate(hub, walked, chromium_path):
    secrets = {name: stored_secrets(hub, name) for name in WALKS}
    assert secrets["kai"], "kai saved a token: the board must not have it"
    seen = in_a_thread(in_chromium(chromium_path, the_facilitator, hub))

    for name, row in seen["rows"].items():
        assert row["reached"] == REACHED[name], (name, row)
    # What the board got: step names and times, never a value from a sandbox.
    everything = "\n".join(seen["api_bodies"])
    assert seen["api_bodies"] and all(secret not in everything for values in secrets.values() for secret in values)
    for learner in json.loads(seen["api_bodies"][-1])["learners"]:
        assert set(learner) <= {"name", "admin", "last_activity", "server", "progress", "kernels", "problem"}
        for step in [*learner.get("progress", {}).get("steps", []), *learner.get("progress", {}).get("exercises", [])]:
            assert set(step) == {"name", "label", "notebook", "at"} and step["name"] in ALL_STEPS

    # The reset: kai's work moved aside, kept; a fresh learner edition; their sandbox stopped.
    home = hub.home("kai")
    (old_copy,) = home.glob("pkce-kit.reset-*")
    (old_data,) = home.glob(".kit-sandbox.reset-*")
    assert (old_copy / "notebooks" / "05-find-secret.ipynb").is_file() and (old_data / "sandbox.sqlite3").is_file()
    assert not (home / ".kit-sandbox").exists() and sandbox.running(home / ".kit-sandbox") is None
    fresh = nbformat.read(home / NOTEBOOKS_IN_HOME / "00-index.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in fresh.cells if cell.cell_type == "code")
    # The others were left as they were.
    assert sandbox.running(hub.sandbox_dir("lin")) is not None and not list(hub.home("lin").glob("*.reset-*"))


def test_a_learner_is_refused_the_board(hub, walked):
    refused = in_a_thread(a_learner_at_the_board(hub))
    assert refused.status_code == 403, (refused.status_code, refused.url, refused.text[:300])

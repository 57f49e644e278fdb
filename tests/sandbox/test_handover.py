"""The Dashboard's long-poll for oauthContext (sandbox/handover.py), against the running sandbox."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from sandbox.handover import MAX_WAIT, Handover

from .conftest import make_app


def arrival(app, wait: float, http: httpx.Client | None = None) -> tuple[bool, float]:
    """Ask whether the app's oauthContext is there, waiting up to `wait` s: (arrived, seconds it took)."""
    started = time.monotonic()
    with httpx.Client(timeout=wait + 10) as client:
        response = (http or client).get(
            f"{app.world.dashboard_base}/api/oauth_context/arrival", params={"wait": wait}, headers=app.auth()
        )
    assert response.status_code == 200, response.text
    return response.json()["arrived"], time.monotonic() - started


def test_it_answers_at_once_when_a_context_is_there_and_does_not_take_it(app, http):
    link, _ = app.link(http)
    assert app.world.consent(link).outcome == "handed_over"
    arrived, seconds = arrival(app, wait=20)
    assert arrived and seconds < 5
    assert app.take_context(http)["code"]  # still there: only the take hands it over


def test_it_waits_and_answers_when_the_landing_accepts_a_redirect(app, http):
    link, _ = app.link(http)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(arrival, app, 20)
        time.sleep(0.5)
        assert not waiting.done()
        approved = time.monotonic()
        assert app.world.consent(link).outcome == "handed_over"
        arrived, _ = waiting.result(timeout=15)
        assert arrived and time.monotonic() - approved < 5  # woken, not at the end of its 20 s
    assert app.take_context(http)["code"]


def test_it_times_out_with_nothing(app):
    arrived, seconds = arrival(app, wait=1)
    assert arrived is False and 0.9 <= seconds < 10


def test_a_refused_redirect_wakes_nobody(app, http):
    link, state = app.link(http)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(arrival, app, 2)
        time.sleep(0.3)
        forged = app.world.consent(link.replace(state["state"], "forged"))
        assert forged.outcome != "handed_over"
        assert waiting.result(timeout=15)[0] is False


def test_concurrent_waiters_each_get_their_own(world, http):
    apps = [make_app(world, http) for _ in range(4)]
    links = [app.link(http)[0] for app in apps]
    with ThreadPoolExecutor(len(apps)) as pool:
        waiting = [pool.submit(arrival, app, 6) for app in apps]
        time.sleep(0.5)
        assert world.consent(links[1]).outcome == "handed_over"
        assert world.consent(links[3]).outcome == "handed_over"
        answers = [future.result(timeout=20) for future in waiting]
    assert [arrived for arrived, _ in answers] == [False, True, False, True]
    assert answers[1][1] < 5 and answers[3][1] < 5  # the two answered at their landing, in parallel
    assert apps[1].take_context(http)["code"] and apps[0].take_context(http) is None


def test_it_refuses_an_unknown_key_and_a_bad_wait(app, http):
    url = f"{app.world.dashboard_base}/api/oauth_context/arrival"
    assert http.get(url, headers={"Authorization": "Bearer sk_test_nobody00000000"}).status_code == 401
    for wait in ("-1", str(MAX_WAIT + 1), "soon"):
        response = http.get(url, params={"wait": wait}, headers=app.auth())
        assert response.status_code == 400 and "wait" in response.json()["error"]["message"]


def test_handover_misses_no_context_accepted_while_it_looks():
    handover, key = Handover(), ("com.example.app", "usr_1", "test")
    present = [False]

    def look() -> bool:
        if not present[0]:  # the landing accepts one just after this look, before the wait begins
            present[0] = True
            handover.handed(key)
            return False
        return True

    started = time.monotonic()
    assert handover.wait(key, 5, look) is True and time.monotonic() - started < 1


def test_handover_wakes_only_the_key_handed():
    handover = Handover()
    mine, other = ("a", "usr_1", "test"), ("a", "usr_2", "test")
    results: dict[str, bool] = {}
    threads = [
        threading.Thread(target=lambda: results.__setitem__("mine", handover.wait(mine, 3, lambda: "mine" in flags))),
        threading.Thread(target=lambda: results.__setitem__("other", handover.wait(other, 0.5, lambda: False))),
    ]
    flags: set[str] = set()
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    flags.add("mine")
    handover.handed(mine)
    for thread in threads:
        thread.join(5)
    assert results == {"mine": True, "other": False}


def test_the_kernels_waiting_call_hears_the_landing(app, http):
    """helpers.waiting's call, on an event loop as in a kernel, against the sandbox."""
    from helpers.dashboard_client import DashboardClient

    dashboard = DashboardClient(app.world.dashboard_base, app.install.api_key, http)
    link, _ = app.link(http)

    async def scenario() -> tuple[bool, bool, float]:
        empty = await dashboard.oauth_context_arrived(wait=1)
        waiting = asyncio.ensure_future(dashboard.oauth_context_arrived(wait=20))
        await asyncio.sleep(0.3)
        approved = time.monotonic()
        await asyncio.to_thread(app.world.consent, link)
        return empty, await waiting, time.monotonic() - approved

    empty, arrived, seconds = asyncio.run(scenario())
    assert empty is False and arrived is True and seconds < 5
    assert dashboard.take_oauth_context() is not None


def test_a_waiter_for_its_own_links_does_not_wake_for_another_links_context(app, http):
    """A kernel left open on an older notebook waits on its own link; the context of the notebook in use is not its."""
    older, older_state = app.link(http)
    newer, newer_state = app.link(http)
    url = f"{app.world.dashboard_base}/api/oauth_context/arrival"

    def waiting_on(state: dict, wait: int) -> bool:
        with httpx.Client(timeout=wait + 10) as client:
            params = {"wait": wait, "challenge": state["challenge"]}
            return client.get(url, params=params, headers=app.auth()).json()["arrived"]

    with ThreadPoolExecutor(2) as pool:
        stale = pool.submit(waiting_on, older_state, 2)
        current = pool.submit(waiting_on, newer_state, 10)
        time.sleep(0.3)
        assert app.world.consent(newer).outcome == "handed_over"
        assert current.result(timeout=15) is True and stale.result(timeout=15) is False
    assert app.take_context(http)["code"]
    assert app.world.consent(older, approve=False).error == "access_denied"  # an error, placed by its link
    assert waiting_on(newer_state, 1) is False and waiting_on(older_state, 1) is True

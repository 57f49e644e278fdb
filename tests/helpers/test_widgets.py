"""The widgets: what each shows (redacted), what a click does, errors shown rather than raised, reprs.

``ExampleAppView`` (the view of ``ExampleAppModel``) renders here over fakes (tests/helpers/fakes.py);
test_example_app_model.py tests what the flow does, tests/sandbox/test_example_app.py both against the sandbox.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from helpers.context import OAuthContext
from helpers.errors import DashboardError, OAuthError
from helpers.tokens import TokenData
from helpers.widgets import (
    AppView,
    AuthorizeButton,
    AuthorizeLink,
    TokenCard,
    UserButtons,
    describe_context,
    status_html,
)

from .fakes import (
    ACCESS,
    BASE,
    CODE,
    CODE_2,
    NOW,
    TOKEN,
    VERIFIER,
    Consent,
    FakeDashboard,
    assert_no_secret,
    save,
    shown,
)

# AuthorizeButton, TokenCard ---------------------------------------


def test_authorize_button_is_a_link_to_a_new_tab():
    link = f"{BASE}/provider/authorize?response_type=code&state=a'b&client_id=c"
    button = AuthorizeButton(link, "Authorize ExampleApp")
    assert "target='_blank'" in button.value and "rel='noopener'" in button.value
    assert "href='http://127.0.0.1:9/provider/authorize?response_type=code&amp;state=a&#39;b" in button.value
    assert repr(button) == "AuthorizeButton('Authorize ExampleApp')"


def test_token_card_is_redacted_and_says_the_expiry():
    card = TokenCard(TOKEN, now=NOW)
    assert_no_secret(shown(card))
    assert "…wE3" not in card.value and f"…{ACCESS[-4:]}" in card.value
    assert card.expiry == "expires in about 60 min"
    assert repr(card) == "TokenCard(Bearer, expires in about 60 min)"
    assert TokenCard(TOKEN, now=NOW + 4000).expiry == "expired"
    assert TokenCard(TokenData(ACCESS, "Bearer"), now=NOW).expiry == "no expiry given"


# UserButtons --------------------------------------------------------------------------------


def test_user_buttons_play_the_user():
    answers = []
    buttons = UserButtons(lambda approve: answers.append(approve) or Consent("handed_over"))
    assert "Nobody has answered" in buttons.status.value
    buttons.approve.click()
    assert answers == [True] and "approved" in buttons.status.value and "handed_over" in buttons.status.value
    buttons.deny.click()
    assert answers == [True, False] and "denied" in buttons.status.value
    assert repr(buttons) == "UserButtons(answers=2)"


def test_user_buttons_show_what_the_dashboard_said():
    buttons = UserButtons(lambda approve: Consent("refused", reason="unknown_state"))
    buttons.approve.click()
    assert "refused" in buttons.status.value and "unknown_state" in buttons.status.value
    buttons = UserButtons(lambda approve: Consent("handed_over", error="access_denied"))
    buttons.deny.click()
    assert "access_denied" in buttons.status.value


def test_user_buttons_show_errors_as_the_kits_message():
    def fails(approve):
        raise DashboardError("The Dashboard is unreachable.", "Start the sandbox.")

    buttons = UserButtons(fails)
    buttons.approve.click()  # does not raise
    assert "The Dashboard is unreachable." in buttons.status.value
    assert "What to do: Start the sandbox." in buttons.status.value
    assert repr(buttons) == "UserButtons(answers=0)"


def test_user_buttons_redact_other_errors():
    def crashes(approve):
        raise RuntimeError(f"boom with Bearer {ACCESS}")

    buttons = UserButtons(crashes)
    buttons.deny.click()
    assert "RuntimeError: boom" in buttons.status.value
    assert_no_secret(buttons.status.value)


# AppView ----------------------------------------------------------------------------------


class Handing:
    """A take_context that hands the given contexts (or raises the given errors) in order."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def __call__(self):
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_app_view_waits_then_shows_the_context_redacted():
    context = OAuthContext(CODE, VERIFIER, "custom-state")
    view = AppView(Handing(None, context))
    assert "Waiting for" in view.display.value and repr(view) == "AppView(context=waiting)"
    assert view.check() is None and "No <code>oauthContext</code> yet" in view.display.value
    assert view.check() == context and view.context == context
    assert "oauthContext arrived" in view.display.value and "custom-state" in view.display.value
    assert_no_secret(shown(view))
    assert repr(view) == "AppView(context=arrived)"


def test_app_view_check_button_asks_the_dashboard():
    view = AppView(Handing(OAuthContext(CODE, VERIFIER)))
    view.check_button.click()
    assert view.context is not None


def test_app_view_hands_on_every_context_that_arrives():
    first, again, second = OAuthContext(CODE, VERIFIER), OAuthContext(CODE, VERIFIER), OAuthContext(CODE_2, VERIFIER)
    view = AppView(Handing(first, None, again, second))
    seen = []
    view.on_context(seen.append)
    for _ in range(4):
        view.check()
    # The same code again is the app's to refuse (ExampleAppModel's OncePerCode), not the view's.
    assert seen == [first, again, second]


def test_app_view_passes_every_error_context():
    denied = OAuthContext(error="access_denied")
    view = AppView(Handing(denied, denied))
    seen = []
    view.on_context(seen.append)
    view.check()
    view.check()
    assert seen == [denied, denied]
    assert "with an error" in view.display.value and "access_denied" in view.display.value


def test_app_view_shows_errors_instead_of_raising():
    view = AppView(Handing(DashboardError("Unknown install key.", "Use the install's api_key.")))
    view.check_button.click()
    assert "Unknown install key." in view.display.value and "What to do" in view.display.value

    def callback_fails(context):
        raise OAuthError("invalid_grant", "code already used")

    view = AppView(Handing(OAuthContext(CODE, VERIFIER)))
    view.on_context(callback_fails)
    view.check()
    assert "invalid_grant" in view.display.value and "A code works once" in view.display.value


def test_app_view_reset_waits_again():
    view = AppView(Handing(OAuthContext(CODE, VERIFIER)))
    view.check()
    view.reset()
    assert view.context is None and "Waiting for" in view.display.value


def test_describe_context_is_redacted():
    assert_no_secret(describe_context(OAuthContext(CODE, VERIFIER)))


def test_status_html():
    assert "#09825d" in status_html("App", "ok", ok=True)
    failed = status_html("App", "ignored", error=OAuthError("access_denied"))
    assert "access_denied" in failed and "ignored" not in failed and "What to do" in failed


# ExampleAppView against fakes -------------------------------------------------------------------


# ExampleAppView: the view of ExampleAppModel -------------------------------------------------------------


def test_the_app_renders_each_status_with_its_parts(open_app, dashboard, consent, world):
    app = open_app()
    assert repr(app) == "ExampleAppView(signed_out)" and "not connected" in app.header.value
    assert app.children == (app.header, app.authorize_link, app.user_buttons, app.app_view)
    assert app.check_button is app.app_view.check_button
    app.user_buttons.approve.click()
    assert consent.answers == [(app.model.link, True)] and app.model.status == "waiting"
    assert "waiting for oauthContext" in app.header.value
    dashboard.pending.append(OAuthContext(CODE, VERIFIER))
    app.check_button.click()
    assert app.model.status == "signed_in" and "connected" in app.header.value
    assert app.children == (app.header, app.token_card, app.reopen_button, app.logout_button)
    assert app.app_view.waiter is not None and not app.app_view.waiter.running, "signed in: no asking"
    assert_no_secret(shown(app))
    app.reopen_button.click()
    assert "found the saved token" in app.header.value
    app.logout_button.click()
    assert app.model.status == "signed_out" and app.authorize_link in app.children
    assert ("usr_1", "oauth_token") not in world.secrets


def test_without_consent_there_are_no_user_buttons(open_app):
    app = open_app(consent=None, browser_link=lambda link: "/hub/proxy" + urlsplit(link).path)
    assert app.user_buttons is None and "href='/hub/proxy/provider/authorize'" in app.authorize_link.button.value


def test_errors_show_as_the_kits_message(open_app, dashboard):
    app = open_app()
    app.user_buttons.deny.click()
    dashboard.pending.append(OAuthContext(error="access_denied"))
    app.check_button.click()
    assert "access_denied" in app.header.value and "What to do" in app.header.value
    dashboard.fail_state = RuntimeError(f"bug near Bearer {ACCESS}")
    broken = open_app()
    assert "RuntimeError: bug near" in broken.header.value
    assert_no_secret(broken.header.value)


def test_user_buttons_of_a_signed_in_app_say_why_not(open_app):
    app = open_app()
    buttons = app.user_buttons
    app.model.receive(OAuthContext(CODE, VERIFIER))
    buttons.approve.click()
    assert "no authorization link to answer" in buttons.status.value and app.model.status == "signed_in"


def test_the_parts_are_made_once_and_reused(open_app):
    app = open_app()
    button, users = app.authorize_link, app.user_buttons
    users.approve.click()
    app.model.receive(OAuthContext(CODE, VERIFIER))
    card, logout = app.token_card, app.logout_button
    app.model.log_out()
    assert app.authorize_link is button and app.user_buttons is users
    assert "Nobody has answered" in users.status.value and "state=state-2" in button.link
    app.model.receive(OAuthContext(CODE_2, VERIFIER))
    assert app.token_card is card and app.logout_button is logout and card.token == app.model.token


def test_an_app_opened_signed_in_shows_the_token(open_app, world):
    save(world)
    app = open_app()
    assert app.model.status == "signed_in" and app.token_card.token == TOKEN and app.authorize_link is None


def test_authorize_button_and_token_card_show_new_values():
    button = AuthorizeButton("http://a.example/x?state=1", "Go")
    button.show("http://a.example/x?state=2")
    assert button.link.endswith("state=2") and "state=2" in button.value and "state=1" not in button.value
    card = TokenCard(TokenData(ACCESS, "Bearer"), now=NOW)
    card.show(TOKEN, now=NOW)
    assert card.token == TOKEN and card.expiry == "expires in about 60 min"


def run_on_a_loop(scenario):
    """Run ``scenario()`` (async) as cells run in a kernel: with an event loop running."""
    return asyncio.run(asyncio.wait_for(scenario(), timeout=10))


async def until(condition, seconds: float = 5) -> None:
    """Let the loop run (as a kernel does between cells) until ``condition()`` holds."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.005)


def test_app_view_waits_on_the_loop_and_takes_the_context_the_moment_it_is_there():
    dashboard = FakeDashboard()

    async def scenario():
        view = AppView(dashboard.take_oauth_context, arrived=dashboard.oauth_context_arrived)
        await asyncio.sleep(0.05)
        assert view.waiter.running and view.context is None and dashboard.asks == 1  # one long-poll, pending
        dashboard.approve(1)
        await until(lambda: view.context is not None)
        assert not view.waiter.running and "oauthContext arrived" in view.display.value
        view.reset()
        await until(lambda: dashboard.asks == 2)  # waiting again, for the new attempt

    run_on_a_loop(scenario)


def test_app_view_with_no_running_loop_or_no_waiting_asks_only_when_told():
    dashboard = FakeDashboard()
    view = AppView(dashboard.take_oauth_context, arrived=dashboard.oauth_context_arrived)
    assert not view.waiter.running and dashboard.asks == 0  # plain Python: nothing would run a task
    dashboard.approve(1)
    assert view.check() is not None

    async def not_waiting():
        view = AppView(dashboard.take_oauth_context)  # a view given nothing to wait with
        await asyncio.sleep(0.05)
        assert view.waiter is None and dashboard.asks == 0

    run_on_a_loop(not_waiting)


def test_a_cell_that_checks_first_takes_it_and_the_waiting_view_does_not_take_again():
    dashboard = FakeDashboard()
    taken = []

    def take():
        context = dashboard.take_oauth_context()
        taken.append(context)
        return context

    async def scenario():
        view = AppView(take, arrived=dashboard.oauth_context_arrived)
        await asyncio.sleep(0.02)
        dashboard.approve(1)
        assert view.check() is not None  # the cell, before the loop runs again
        await asyncio.sleep(0.05)
        assert [c is not None for c in taken] == [True] and not view.waiter.running

    run_on_a_loop(scenario)


def test_only_the_newest_app_view_waits():
    dashboard = FakeDashboard()

    async def scenario():
        old = AppView(dashboard.take_oauth_context, arrived=dashboard.oauth_context_arrived)
        new = AppView(dashboard.take_oauth_context, arrived=dashboard.oauth_context_arrived)
        await asyncio.sleep(0.05)
        assert new.waiter.running and not old.waiter.running and dashboard.asks == 1
        old.reset()  # reopening the old one makes it the one that waits
        await asyncio.sleep(0.05)
        assert old.waiter.running and not new.waiter.running
        old.pause()
        await asyncio.sleep(0.05)
        assert new.waiter.running and not old.waiter.running  # the newest still waiting takes over
        new.pause()
        assert not new.waiter.running

    run_on_a_loop(scenario)


def test_a_waiting_view_stops_and_says_so_when_its_link_expires():
    dashboard = FakeDashboard()

    class Expiring:
        expired = False

        def answers(self, context):
            return None

        def link_expired(self):
            return self.expired

    attempt = Expiring()

    async def scenario():
        view = AppView(
            dashboard.take_oauth_context,
            attempt=attempt,
            arrived=lambda wait, challenges: dashboard.oauth_context_arrived(0.05),
        )
        await asyncio.sleep(0.02)
        attempt.expired = True
        await until(lambda: not view.waiter.running)
        assert "expired" in view.display.value

    run_on_a_loop(scenario)


def test_the_waiting_view_asks_only_for_the_links_this_kernel_waits_on(open_app, dashboard):
    def challenge(app):
        return parse_qs(urlsplit(app.model.link).query)["code_challenge"][0]

    async def scenario():
        yours = open_app()
        await until(lambda: dashboard.asks == 1)
        assert dashboard.challenges_asked == [challenge(yours)]
        rerun = open_app()  # an earlier cell run again: the newest view waits now, for both links
        await until(lambda: dashboard.asks == 2)
        assert sorted(dashboard.challenges_asked) == sorted([challenge(yours), challenge(rerun)])
        rerun.model.new_link()  # New link: the wait under way asked for the old link, so it asks again
        await until(lambda: dashboard.asks == 3)
        assert challenge(rerun) in dashboard.challenges_asked

    run_on_a_loop(scenario)


def test_a_failing_ask_is_retried_not_raised(monkeypatch):
    monkeypatch.setattr("helpers.waiting.RETRY_SECONDS", (0.01,))
    dashboard = FakeDashboard()
    failures = [httpx.ConnectError("asleep"), httpx.ConnectError("waking")]

    async def arrived(wait, challenges):
        if failures:
            raise failures.pop(0)
        return await dashboard.oauth_context_arrived(wait)

    async def scenario():
        view = AppView(dashboard.take_oauth_context, arrived=arrived)
        await asyncio.sleep(0.05)
        dashboard.approve(1)
        await until(lambda: view.context is not None)

    run_on_a_loop(scenario)


# Views of one app in several cells; New link; an expired link -------------------------------


def test_a_context_goes_to_the_view_whose_link_it_answers(open_app, dashboard):
    """Trap: "Your turn" waits on its link; re-running an earlier cell makes a newer view, the one that asks."""
    yours = open_app()  # state-1
    rerun = open_app()  # state-2, the newest: in a browser, its timer asks for both
    assert rerun.app_view._is_watching() and not yours.app_view._is_watching()
    dashboard.approve(1)  # the learner answered "Your turn"'s link in the browser
    rerun.app_view.check()  # the newer view, the one waiting, hears of it and takes it
    assert yours.model.status == "signed_in" and "connected" in yours.header.value
    assert rerun.model.status == "signed_out" and rerun.model.token_requests == 0
    assert "went there" in rerun.app_view.display.value
    assert rerun.app_view._is_watching()  # still waiting on its own link: it asks on


def test_a_context_nobody_can_place_goes_to_the_view_that_asked(open_app, dashboard):
    older, newer = open_app(), open_app()
    dashboard.pending.append(OAuthContext(error="access_denied"))  # no verifier to tell by
    newer.check_button.click()
    assert "access_denied" in newer.header.value and "access_denied" not in older.header.value


def test_when_the_asking_view_stops_waiting_the_newest_waiting_one_asks(open_app, dashboard, world):
    waiting = open_app()
    signed_in = open_app()
    dashboard.approve(2)
    signed_in.check_button.click()
    assert signed_in.model.status == "signed_in" and not signed_in.app_view.waiter.running
    assert waiting.app_view._is_watching()
    save(world)
    open_app()  # opens signed in (a saved token): it never takes the asking from a waiting view
    assert waiting.app_view._is_watching()


def test_new_link_beside_authorize_makes_a_fresh_attempt(open_app, consent):
    app = open_app()
    first = app.authorize_link.link
    app.user_buttons.approve.click()
    app.authorize_link.new_link_button.click()
    assert app.model.link == app.authorize_link.link != first and "state=state-2" in app.model.link
    assert "state=state-2" in app.authorize_link.button.value and "A fresh link" in app.authorize_link.status.value
    assert app.model.status == "signed_out" and "Nobody has answered" in app.user_buttons.status.value
    assert "Waiting for" in app.app_view.display.value and app.app_view._is_watching()


def test_an_expired_link_says_so_and_what_to_press(open_app):
    now = [NOW]
    app = open_app(clock=lambda: now[0], state_lifetime=600)
    app.check_button.click()
    assert "answer the consent page first" in app.app_view.display.value
    now[0] += 600
    app.check_button.click()
    shown_now = app.app_view.display.value
    assert "This link has expired" in shown_now and "<b>New link</b>" in shown_now
    app.authorize_link.new_link_button.click()
    app.check_button.click()
    assert "expired" not in app.app_view.display.value


def test_app_view_oauth_context_says_what_to_do_when_none_arrived():
    view = AppView(Handing(None, OAuthContext(CODE, VERIFIER)))
    with pytest.raises(DashboardError) as raised:
        view.oauth_context()
    assert "No oauthContext has arrived" in raised.value.message
    assert "Run All Above Selected Cell" in raised.value.hint
    assert view.oauth_context().code == CODE and view.oauth_context() is view.context  # asks once, then keeps it


def test_authorize_link_shows_a_given_link_without_making_one():
    made = []
    link = AuthorizeLink(lambda: made.append(1) or "http://a.example/x?state=new", link="http://a.example/x?state=1")
    assert link.link.endswith("state=1") and not made
    assert link.renew().endswith("state=new") and made == [1]


def test_authorize_in_the_notebook_shows_the_page_under_its_buttons_until_a_new_link():
    """The browser edition's Authorize: no tab; the page for the current link, under the row of buttons."""
    import ipywidgets as widgets

    from helpers.widgets import PageButton

    links = iter(["http://a.example/x?state=1", "http://a.example/x?state=2"])
    opened: list[str] = []

    def open_in_notebook(link: str) -> widgets.Widget:
        opened.append(link)
        return widgets.HTML(f"page for {link}")

    authorize = AuthorizeLink(lambda: next(links), "Authorize", open_in_notebook=open_in_notebook)
    assert isinstance(authorize.button, PageButton) and "href" not in str(authorize.button.description)
    assert authorize.children == (authorize._row,)
    authorize.button.click()
    assert opened == ["http://a.example/x?state=1"] and authorize.children == (authorize._row, authorize.page)
    authorize.new_link_button.click()  # a new attempt: the old page goes, the next press opens the new link
    assert authorize.children == (authorize._row,) and authorize.page is None
    authorize.button.click()
    assert opened[-1].endswith("state=2") and repr(authorize.button) == "PageButton('Authorize')"
    page = authorize.page
    authorize.show("http://a.example/x?state=3", keep_page=True)  # the app's own new attempt: the page stays
    assert authorize.page is page and authorize.children == (authorize._row, page)
    assert authorize.link.endswith("state=3") and opened[-1].endswith("state=2")


def test_without_open_in_notebook_authorize_stays_a_link_to_a_new_tab():
    authorize = AuthorizeLink(lambda: "http://a.example/x?state=1", "Authorize")
    assert isinstance(authorize.button, AuthorizeButton) and "target='_blank'" in authorize.button.value
    assert authorize.open_page() is None and authorize.children == (authorize._row,)

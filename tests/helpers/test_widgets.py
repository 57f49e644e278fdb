"""The widgets: what each shows (redacted), what a click does, errors shown rather than raised, reprs.

``ExampleApp`` runs here against fakes: a Dashboard object, and a Stripe API and a provider
served by an httpx MockTransport. tests/sandbox/test_example_app.py runs it against the sandbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import ipywidgets as widgets
import pytest

from helpers.context import OAuthContext, OAuthState
from helpers.errors import DashboardError, OAuthError, SecretStoreError
from helpers.example_app import ExampleApp
from helpers.secret_store import Scope, make_client
from helpers.tokens import TokenData
from helpers.trace import Trace, traced_client
from helpers.widgets import (
    AppView,
    AuthorizeButton,
    SecretPanel,
    StepPanel,
    TokenCard,
    TraceViewer,
    UserButtons,
    code_fingerprint,
    describe_context,
    describe_exchanges,
    party_of,
    sequence_diagram,
    status_html,
)

KEY = "sk_test_51HxYzAbCdEfGhIjKlMnOpa1b2"
CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"
CODE_2 = "U2Vjb25kQ29kZUZvclRoZVVzZXI"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
ACCESS = "at_Zx81kQ2mN4pL7vR0tY6wE3"
REFRESH = "rt_Hj5sD8fG1kL4zX7cV0bN2m"
SECRETS = (KEY, CODE, CODE_2, VERIFIER, ACCESS, REFRESH)
BASE = "http://127.0.0.1:9"
NOW = 1_900_000_000
TOKEN = TokenData(ACCESS, "Bearer", NOW + 3600, REFRESH, "files.read")


def shown(widget: widgets.Widget) -> str:
    """Everything a widget and its children show (HTML values, labels, descriptions) and their reprs."""
    parts = [repr(widget)]
    for name in ("value", "description", "tooltip"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            parts.append(value)
    for child in getattr(widget, "children", ()):
        parts.append(shown(child))
    return "\n".join(parts)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# StepPanel, AuthorizeButton, TokenCard, SecretPanel ---------------------------------------


def test_step_panel_ticks_steps():
    panel = StepPanel("06 · The whole app", ["Open the app", "Sign in"])
    assert panel.value.count("○") == 2 and "Open the app" in panel.value
    panel.done(1)
    assert panel.value.count("✓") == 1 and panel.value.count("○") == 1
    assert repr(panel) == "StepPanel('06 · The whole app', done 1 of 2)"


def test_step_panel_escapes_html():
    assert "<script>" not in StepPanel("<script>", ["a & b"]).value


def test_authorize_button_is_a_link_to_a_new_tab():
    link = f"{BASE}/provider/authorize?response_type=code&state=a'b&client_id=c"
    button = AuthorizeButton(link, "Authorize ExampleApp")
    assert "target='_blank'" in button.value and "rel='noopener'" in button.value
    assert "href='http://127.0.0.1:9/provider/authorize?response_type=code&amp;state=a&#x27;b" in button.value
    assert repr(button) == "AuthorizeButton('Authorize ExampleApp')"


def test_token_card_is_redacted_and_says_the_expiry():
    card = TokenCard(TOKEN, now=NOW)
    assert_no_secret(shown(card))
    assert "…wE3" not in card.value and f"…{ACCESS[-4:]}" in card.value
    assert card.expiry == "expires in about 60 min"
    assert repr(card) == "TokenCard(Bearer, expires in about 60 min)"
    assert TokenCard(TOKEN, now=NOW + 4000).expiry == "expired"
    assert TokenCard(TokenData(ACCESS, "Bearer"), now=NOW).expiry == "no expiry given"


@dataclass
class FakeSecret:
    name: str
    expires_at: int | None
    payload: str | None = None


def test_secret_panel_lists_names_never_payloads():
    panel = SecretPanel(
        [FakeSecret("oauth_token", NOW, ACCESS), FakeSecret("other", None, REFRESH)], Scope.for_user("usr_1")
    )
    assert_no_secret(shown(panel))
    assert "user scope of usr_1" in panel.value and "expires 2030-03-17" in panel.value
    assert "expires never" in panel.value
    assert repr(panel) == "SecretPanel(['oauth_token', 'other'])"
    assert "none" in SecretPanel([], Scope.account()).value


# UserButtons --------------------------------------------------------------------------------


@dataclass
class Consent:
    outcome: str
    error: str | None = None
    reason: str | None = None


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


def test_app_view_calls_on_context_once_per_context():
    first, again, second = OAuthContext(CODE, VERIFIER), OAuthContext(CODE, VERIFIER), OAuthContext(CODE_2, VERIFIER)
    view = AppView(Handing(first, None, again, second))
    seen = []
    view.on_context(seen.append)
    for _ in range(4):
        view.check()
    # the real Dashboard hands the same context again until a reload (stripe/stripe-apps#649)
    assert seen == [first, second]


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


def test_describe_context_and_fingerprint():
    assert_no_secret(describe_context(OAuthContext(CODE, VERIFIER)))
    assert code_fingerprint(OAuthContext(CODE, VERIFIER)) == code_fingerprint(OAuthContext(CODE, "other"))
    assert code_fingerprint(OAuthContext(CODE, VERIFIER)) != code_fingerprint(OAuthContext(CODE_2, VERIFIER))
    assert code_fingerprint(OAuthContext(error="access_denied")) is None
    assert CODE not in code_fingerprint(OAuthContext(CODE, VERIFIER))


def test_status_html():
    assert "#09825d" in status_html("App", "ok", ok=True)
    failed = status_html("App", "ignored", error=OAuthError("access_denied"))
    assert "access_denied" in failed and "ignored" not in failed and "What to do" in failed


# Trace views: describe_exchanges, sequence_diagram, TraceViewer ------------------------------


def traced_calls() -> Trace:
    trace = Trace()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/provider/token":
            return httpx.Response(200, json={"access_token": ACCESS, "token_type": "Bearer"})
        if request.url.path.endswith("/find"):
            return httpx.Response(404, json={"error": {"message": "No such secret"}})
        return httpx.Response(200, json={})

    with traced_client(trace, transport=httpx.MockTransport(answer)) as http:
        http.post(f"{BASE}/dashboard/api/oauth_state", json={"state": ""}, headers={"Authorization": f"Bearer {KEY}"})
        http.post(f"{BASE}/provider/token", data={"code": CODE, "code_verifier": VERIFIER})
        http.get(f"{BASE}/stripe/v1/apps/secrets/find?scope[type]=user&name=oauth_token")
        http.get("https://api.example.com/v1/me")
    return trace


def test_describe_exchanges_one_line_each():
    assert describe_exchanges(traced_calls().exchanges) == "\n".join(
        [
            "1. POST /dashboard/api/oauth_state → 200 (Dashboard)",
            "2. POST /provider/token → 200 (Provider)",
            "3. GET /stripe/v1/apps/secrets/find → 404 (Stripe API)",
            "4. GET /v1/me → 200 (Server)",
        ]
    )
    assert describe_exchanges(()) == "(none)"


def test_sequence_diagram():
    diagram = sequence_diagram(traced_calls().exchanges[:3])
    assert diagram == "\n".join(
        [
            "sequenceDiagram",
            "    participant App",
            "    participant Provider as Provider",
            "    participant Dashboard as Dashboard",
            "    participant Stripe_API as Stripe API",
            "    App->>Dashboard: POST /dashboard/api/oauth_state",
            "    Dashboard-->>App: 200",
            "    App->>Provider: POST /provider/token",
            "    Provider-->>App: 200",
            "    App->>Stripe_API: GET /stripe/v1/apps/secrets/find",
            "    Stripe_API-->>App: 404",
        ]
    )
    assert sequence_diagram((), caller="Kernel").splitlines()[1] == "    participant Kernel"


def test_party_of():
    assert party_of(f"{BASE}/provider/token") == "Provider"
    assert party_of(f"{BASE}/stripe/v1/apps/secrets") == "Stripe API"
    assert party_of("https://elsewhere.example/x") == "Server"


def test_trace_viewer_lists_exchanges_redacted():
    trace = traced_calls()
    viewer = TraceViewer(trace)
    assert "HTTP trace: 4 exchange(s)" in viewer.table.value
    assert viewer.details.value.count("<details>") == 4
    assert "<summary>2. POST Provider → 200</summary>" in viewer.details.value
    assert_no_secret(shown(viewer))
    assert repr(viewer) == "TraceViewer(4 exchanges)"
    trace.clear()
    viewer.refresh_button.click()
    assert "0 exchange(s)" in viewer.table.value and repr(viewer) == "TraceViewer(0 exchanges)"


# ExampleApp against fakes -------------------------------------------------------------------


class FakeDashboard:
    """createOAuthState and oauthContext, as the Dashboard answers them."""

    def __init__(self):
        self.states = 0
        self.pending: list[OAuthContext] = []
        self.fail_state: Exception | None = None

    def create_oauth_state(self, state: str = "") -> OAuthState:
        if self.fail_state:
            raise self.fail_state
        self.states += 1
        return OAuthState(f"state-{self.states}", f"challenge-{self.states}")

    def take_oauth_context(self) -> OAuthContext | None:
        return self.pending.pop(0) if self.pending else None


class FakeWorld:
    """A Stripe API (the Secret Store) and a provider (token, revoke), in memory, for a MockTransport."""

    def __init__(self):
        self.secrets: dict[tuple[str, str], dict] = {}
        self.codes = {CODE: False, CODE_2: False}  # code → spent
        self.token_requests: list[dict] = []
        self.revoked: list[dict] = []
        self.fail: dict[str, httpx.Response] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in self.fail:
            return self.fail[path]
        form = dict(parse_qsl(request.content.decode())) if request.method == "POST" else {}
        query = dict(parse_qsl(request.url.query.decode()))
        if path == "/provider/token":
            self.token_requests.append(form)
            if self.codes.get(form.get("code")) is not False or form.get("code_verifier") != VERIFIER:
                return httpx.Response(400, json={"error": "invalid_grant", "error_description": "bad code"})
            self.codes[form["code"]] = True
            return httpx.Response(
                200,
                json={
                    "access_token": ACCESS,
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "refresh_token": REFRESH,
                    "scope": "files.read",
                },
            )
        if path == "/provider/revoke":
            self.revoked.append(form)
            return httpx.Response(200)
        params = form or query
        key = (params.get("scope[user]", ""), params.get("name", ""))
        if path == "/stripe/v1/apps/secrets" and request.method == "POST":
            self.secrets[key] = {"payload": params["payload"], "expires_at": params.get("expires_at")}
            return httpx.Response(200, json=self.secret_json(key))
        if path in ("/stripe/v1/apps/secrets/find", "/stripe/v1/apps/secrets/delete"):
            if key not in self.secrets:
                return httpx.Response(
                    404,
                    json={
                        "error": {
                            "type": "invalid_request_error",
                            "code": "resource_missing",
                            "message": f"No such secret: '{key[1]}'",
                            "param": "name",
                        }
                    },
                )
            body = self.secret_json(key)
            if path.endswith("/delete"):
                del self.secrets[key]
                body["deleted"] = True
            return httpx.Response(200, json=body)
        return httpx.Response(404, json={"error": {"type": "invalid_request_error", "message": "no route"}})

    def secret_json(self, key):
        saved = self.secrets[key]
        return {
            "id": "appsecret_1",
            "object": "apps.secret",
            "created": NOW,
            "livemode": False,
            "name": key[1],
            "scope": {"type": "user", "user": key[0]},
            "payload": saved["payload"],
            "expires_at": int(saved["expires_at"]) if saved["expires_at"] else None,
        }


@pytest.fixture
def world():
    return FakeWorld()


@pytest.fixture
def dashboard():
    return FakeDashboard()


@pytest.fixture
def consent():
    answers = []

    def answer(link: str, approve: bool):
        answers.append((link, approve))
        return Consent("handed_over", error=None if approve else "access_denied")

    answer.answers = answers
    return answer


@pytest.fixture
def open_app(world, dashboard, consent):
    clients = []

    def make(**options) -> ExampleApp:
        http = httpx.Client(transport=httpx.MockTransport(world))
        stripe_client = make_client(KEY, api_base=f"{BASE}/stripe", transport=httpx.MockTransport(world))
        clients.append(http)
        arguments = dict(
            scope=Scope.for_user("usr_1"),
            authorize_endpoint=f"{BASE}/provider/authorize",
            token_endpoint=f"{BASE}/provider/token",
            revocation_endpoint=f"{BASE}/provider/revoke",
            client_id="client-1",
            redirect_uri=f"{BASE}/dashboard/test/apps-oauth/app",
            http=http,
            consent=consent,
        )
        arguments.update(options)
        return ExampleApp(dashboard, stripe_client, **arguments)

    yield make
    for client in clients:
        client.close()


def save(world: FakeWorld, token: TokenData = TOKEN, user: str = "usr_1") -> None:
    world.secrets[(user, "oauth_token")] = {"payload": token.to_json(), "expires_at": token.expires_at}


def test_opens_signed_out_with_an_authorize_link(open_app, dashboard):
    app = open_app(oauth_scope="files.read")
    assert app.state == "signed_out" and app.token is None and app.error is None
    query = parse_qs(urlsplit(app.link).query)
    assert query["state"] == ["state-1"] and query["code_challenge"] == ["challenge-1"]
    assert query["response_type"] == ["code"] and query["scope"] == ["files.read"]
    assert app.authorize_button in app.children and app.user_buttons in app.children
    assert app.app_view in app.children and app.check_button is app.app_view.check_button
    assert "Not connected yet" in app.status and repr(app) == "ExampleApp(signed_out)"


def test_without_consent_there_are_no_user_buttons(open_app):
    app = open_app(consent=None, browser_link=lambda link: "/hub/proxy" + urlsplit(link).path)
    assert app.user_buttons is None and "href='/hub/proxy/provider/authorize'" in app.authorize_button.value


def test_the_whole_flow(open_app, world, dashboard, consent):
    app = open_app()
    app.user_buttons.approve.click()
    assert consent.answers == [(app.link, True)] and app.state == "waiting"
    dashboard.pending.append(OAuthContext(CODE, VERIFIER))
    app.check_button.click()
    assert app.state == "signed_in" and app.token.access_token == ACCESS and app.error is None
    assert app.token_requests == 1 and app.token_card in app.children and app.logout_button in app.children
    assert world.token_requests[0] == {
        "grant_type": "authorization_code",
        "code": CODE,
        "code_verifier": VERIFIER,
        "client_id": "client-1",
        "redirect_uri": f"{BASE}/dashboard/test/apps-oauth/app",
    }
    saved = world.secrets[("usr_1", "oauth_token")]
    assert TokenData.from_json(saved["payload"]) == app.token and saved["expires_at"] == str(app.token.expires_at)
    assert "saved in the user scope of usr_1" in app.status
    assert_no_secret(shown(app))

    states_before = dashboard.states
    reopened = open_app()
    assert reopened.state == "signed_in" and reopened.token == app.token
    assert not app.app_view.ticker.playing and not reopened.app_view.ticker.playing, "signed in: no asking"
    app.reopen_button.click()  # the same, from the app's own button
    assert app.state == "signed_in" and "found the saved token" in app.status
    assert dashboard.states == states_before, "a found token needs no new authorization"
    assert "no new authorization needed" in reopened.status

    reopened.logout_button.click()
    assert reopened.state == "signed_out" and reopened.token is None and reopened.link
    assert ("usr_1", "oauth_token") not in world.secrets
    assert world.revoked == [{"token": REFRESH, "client_id": "client-1", "token_type_hint": "refresh_token"}]
    assert "revoked at the provider" in reopened.status
    assert open_app().state == "signed_out"


def test_a_context_handed_twice_is_exchanged_once(open_app, world):
    app = open_app()
    context = OAuthContext(CODE, VERIFIER)
    app.receive(context)
    app.receive(context)
    assert app.token_requests == 1 and len(world.token_requests) == 1 and app.state == "signed_in"
    app.log_out()
    app.receive(OAuthContext(CODE_2, VERIFIER))  # a new authorization after Log out
    assert app.token_requests == 2 and app.state == "signed_in"


def test_denied(open_app, dashboard):
    app = open_app()
    app.user_buttons.deny.click()
    assert app.state == "waiting"
    dashboard.pending.append(OAuthContext(error="access_denied"))
    app.check_button.click()
    assert app.state == "signed_out" and isinstance(app.error, OAuthError) and app.error.error == "access_denied"
    assert "What to do: The user declined" in app.status and "access_denied" in app.header.value
    assert dashboard.states == 2 and "state=state-2" in app.link, "a spent state needs a new link"


def test_a_failed_exchange_is_shown_and_offers_a_new_link(open_app, world):
    app = open_app()
    app.receive(OAuthContext("unknown-code-12345", VERIFIER))
    assert app.state == "signed_out" and app.error.error == "invalid_grant" and "state=state-2" in app.link


def test_a_context_without_a_verifier(open_app):
    app = open_app()
    app.receive(OAuthContext(CODE, None))
    assert app.state == "signed_out" and isinstance(app.error, DashboardError) and app.token_requests == 0


def test_a_context_while_signed_in_is_ignored(open_app, world):
    save(world)
    app = open_app()  # opened again, with the old oauthContext still in the props (#649)
    app.receive(OAuthContext(CODE, VERIFIER))
    app.receive(OAuthContext(error="access_denied"))
    assert app.state == "signed_in" and app.token == TOKEN and app.error is None
    assert app.token_requests == 0 and world.token_requests == []


def test_after_log_out_the_old_code_is_not_tried_again(open_app, world):
    app = open_app()
    context = OAuthContext(CODE, VERIFIER)
    app.receive(context)
    app.log_out()
    app.receive(context)
    assert app.state == "signed_out" and app.token_requests == 1 and app.error is None


def test_a_failed_save_keeps_the_token_for_this_session(open_app, world):
    world.fail["/stripe/v1/apps/secrets"] = httpx.Response(
        403, json={"error": {"type": "invalid_request_error", "message": "The app lacks secret_write."}}
    )
    app = open_app()
    app.receive(OAuthContext(CODE, VERIFIER))
    assert app.state == "signed_in" and isinstance(app.error, SecretStoreError) and app.error.kind == "permission"
    assert "secret_write" in app.status


def test_find_errors_are_shown(open_app, world):
    world.fail["/stripe/v1/apps/secrets/find"] = httpx.Response(
        401, json={"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
    )
    app = open_app()
    assert app.state == "signed_out" and app.error.kind == "authentication" and app.link


def test_an_unreadable_saved_token_is_shown(open_app, world):
    world.secrets[("usr_1", "oauth_token")] = {"payload": "not json", "expires_at": None}
    app = open_app()
    assert app.state == "signed_out" and "not valid JSON" in app.status and app.link


def test_an_expired_saved_token_means_authorize_again(open_app, world):
    save(world, TokenData(ACCESS, "Bearer", 1_700_000_000))
    app = open_app()
    assert app.state == "signed_out" and "expired" in app.status and app.link


def test_create_oauth_state_failing_is_shown(open_app, dashboard):
    dashboard.fail_state = DashboardError("Unknown install key.", "Use the install's api_key.")
    app = open_app()
    assert app.state == "signed_out" and app.link is None and app.authorize_button is None
    assert "Unknown install key." in app.header.value


def test_unexpected_failures_are_shown_not_raised(open_app, dashboard):
    dashboard.fail_state = RuntimeError(f"bug near Bearer {ACCESS}")
    app = open_app()
    assert isinstance(app.error, RuntimeError) and "RuntimeError: bug near" in app.header.value
    assert app.status.startswith("RuntimeError: bug near Bearer …")
    assert_no_secret(app.header.value + app.status)


def test_log_out_keeps_going_when_revoke_fails(open_app, world):
    save(world)
    world.fail["/provider/revoke"] = httpx.Response(503, text="down")
    app = open_app()
    app.logout_button.click()
    assert app.state == "signed_out" and app.error.error == "server_error" and not world.secrets


def test_log_out_stays_signed_in_when_delete_fails(open_app, world):
    save(world)
    world.fail["/stripe/v1/apps/secrets/delete"] = httpx.Response(
        500, json={"error": {"type": "api_error", "message": "try later"}}
    )
    app = open_app()
    app.logout_button.click()
    assert app.state == "signed_in" and app.error.kind == "api" and app.token == TOKEN


def test_log_out_without_revocation_endpoint(open_app, world):
    save(world)
    app = open_app(revocation_endpoint=None)
    app.log_out()
    assert app.state == "signed_out" and world.revoked == [] and "revoked" not in app.status


def test_user_buttons_of_a_signed_in_app_say_why_not(open_app, dashboard):
    app = open_app()
    buttons = app.user_buttons
    app.receive(OAuthContext(CODE, VERIFIER))
    buttons.approve.click()
    assert "no authorization link to answer" in buttons.status.value and app.state == "signed_in"


def test_nothing_shown_holds_a_secret(open_app, world):
    app = open_app()
    app.receive(OAuthContext(CODE, VERIFIER))
    text = shown(app) + repr(app.token) + json.dumps(app.header.value)
    assert_no_secret(text)


def test_log_out_with_a_failing_dashboard_ends_signed_out(open_app, world, dashboard):
    save(world)
    app = open_app()
    dashboard.fail_state = RuntimeError("the Dashboard stand-in broke")
    app.logout_button.click()
    assert app.state == "signed_out" and app.link is None and app.token is None
    assert "RuntimeError: the Dashboard stand-in broke" in app.status and app.app_view in app.children


def test_the_parts_are_made_once_and_reused(open_app, world):
    app = open_app()
    button, users = app.authorize_button, app.user_buttons
    users.approve.click()
    app.receive(OAuthContext(CODE, VERIFIER))
    card, logout = app.token_card, app.logout_button
    app.log_out()
    assert app.authorize_button is button and app.user_buttons is users
    assert "Nobody has answered" in users.status.value and "state=state-2" in button.link
    app.receive(OAuthContext(CODE_2, VERIFIER))
    assert app.token_card is card and app.logout_button is logout and card.token == app.token


def test_authorize_button_and_token_card_show_new_values():
    button = AuthorizeButton("http://a.example/x?state=1", "Go")
    button.show("http://a.example/x?state=2")
    assert button.link.endswith("state=2") and "state=2" in button.value and "state=1" not in button.value
    card = TokenCard(TokenData(ACCESS, "Bearer"), now=NOW)
    card.show(TOKEN, now=NOW)
    assert card.token == TOKEN and card.expiry == "expires in about 60 min"


def test_app_view_asks_on_each_browser_tick_until_the_context_arrives():
    """The hidden Play widget ticks only in a browser; here its value is advanced by hand."""
    arriving = [None, None, OAuthContext(code="c" * 30, verifier="v" * 43)]
    asked = []

    def take():
        asked.append(1)
        return arriving.pop(0) if arriving else None

    view = AppView(take)
    assert view.ticker.playing and view.ticker.layout.display == "none"
    for tick in range(1, 6):
        view.ticker.value = tick
    assert view.context is not None and len(asked) == 3  # no asking once it arrived
    assert view.ticker.playing is False
    view.reset()
    assert view.ticker.playing is True


def test_only_the_newest_app_view_asks():
    asked = {"old": 0, "new": 0}

    def taker(name):
        def take():
            asked[name] += 1
            return None

        return take

    old = AppView(taker("old"))
    new = AppView(taker("new"))
    old.ticker.value, new.ticker.value = 1, 1
    assert asked == {"old": 0, "new": 1}
    old.reset()  # reopening the old one makes it the one that asks
    old.ticker.value, new.ticker.value = 2, 2
    assert asked == {"old": 1, "new": 1}


def test_an_older_app_views_timer_stops_and_pause_stops_asking():
    old = AppView(lambda: None)
    new = AppView(lambda: None)
    old.ticker.value = 1
    assert old.ticker.playing is False and new.ticker.playing is True
    new.pause()
    assert new.ticker.playing is False
    new.reset()
    assert new.ticker.playing is True

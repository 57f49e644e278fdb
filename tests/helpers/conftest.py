"""Fixtures for the helpers' unit tests: httpx clients served by a scripted MockTransport."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from helpers.example_app_model import ExampleAppModel
from helpers.example_app_view import ExampleAppView
from helpers.secret_store import SecretScope, make_client
from helpers.trace import Trace, http_client, traced_client
from helpers.widgets import AppView

from .fakes import BASE, KEY, NOW, Consent, FakeDashboard, FakeWorld, provider


class Script:
    """A MockTransport handler: answers with the given responses in order, keeps the requests."""

    def __init__(self, answers: tuple[httpx.Response | Exception, ...]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


Serve = Callable[..., tuple[httpx.Client, Script]]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """``serve(*answers, trace=None)`` → an httpx.Client whose requests get ``answers``, and the script."""
    clients: list[httpx.Client] = []

    def make(*answers: httpx.Response | Exception, trace: Trace | None = None) -> tuple[httpx.Client, Script]:
        script = Script(answers)
        transport = httpx.MockTransport(script)
        client = traced_client(trace, transport=transport) if trace else http_client(transport=transport)
        clients.append(client)
        return client, script

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
def dashboard() -> FakeDashboard:
    return FakeDashboard()


@pytest.fixture
def consent():
    """Plays the user at the consent page: records (link, approve), answers as the Dashboard would."""
    answers = []

    def answer(link: str, approve: bool) -> Consent:
        answers.append((link, approve))
        return Consent("handed_over", error=None if approve else "access_denied")

    answer.answers = answers
    return answer


@pytest.fixture
def new_flow(world, dashboard):
    """``new_flow(clock, state_lifetime, **provider changes)`` → an ExampleAppModel on the fakes, not yet loaded."""
    clients: list[httpx.Client] = []

    def make(clock=lambda: NOW, state_lifetime=None, **changes) -> ExampleAppModel:
        http = httpx.Client(transport=httpx.MockTransport(world))
        stripe_client = make_client(KEY, api_base=f"{BASE}/stripe", transport=httpx.MockTransport(world))
        clients.append(http)
        scope = SecretScope.for_user("usr_1")
        return ExampleAppModel(
            dashboard, stripe_client, provider(**changes), scope, http, clock=clock, state_lifetime=state_lifetime
        )

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def open_flow(new_flow):
    """``open_flow(clock=…, state_lifetime=…, **provider changes)`` → an ExampleAppModel, loaded as the app opens."""

    def make(clock=lambda: NOW, state_lifetime=None, **changes) -> ExampleAppModel:
        flow = new_flow(clock, state_lifetime, **changes)
        flow.load()
        return flow

    return make


@pytest.fixture
def open_app(new_flow, consent):
    """``open_app(consent=…, browser_link=…, clock=…, state_lifetime=…, **provider changes)`` → an ExampleAppView."""

    def make(consent=consent, browser_link=None, clock=lambda: NOW, state_lifetime=None, **changes) -> ExampleAppView:
        return ExampleAppView(new_flow(clock, state_lifetime, **changes), consent=consent, browser_link=browser_link)

    return make


@pytest.fixture(autouse=True)
def fresh_page(monkeypatch):
    """Each test a fresh notebook page: no app view of an earlier test is still waiting for a context."""
    monkeypatch.setattr(AppView, "_waiting", [])

"""Fixtures for the helpers' unit tests: httpx clients served by a scripted MockTransport."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from helpers.trace import Trace, traced_client


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
        client = traced_client(trace, transport=httpx.MockTransport(script))
        clients.append(client)
        return client, script

    yield make
    for client in clients:
        client.close()

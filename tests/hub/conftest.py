"""A real JupyterHub in a temporary folder, shared by the hub tests, stopped at the end with every learner's sandbox.

Each test module logs in learners of its own names, so they meet on one hub as a room does.
"""

from __future__ import annotations

import pytest

import sandbox
from tests.support.hub import Hub, ProxyUnavailable, configurable_http_proxy

LEARNERS = ("ada", "grace", "alan")


@pytest.fixture(scope="session")
def hub(tmp_path_factory, installed_kit):
    """The hub, its learners' servers run from the kit as the recipes install it (tests/installed.py)."""
    try:
        configurable_http_proxy()  # from npm into .cache/chp/, the first time
    except ProxyUnavailable as missing:
        pytest.skip(str(missing))
    hub = Hub(tmp_path_factory.mktemp("hub"), installed_kit)
    try:
        yield hub
    finally:
        hub.stop()  # SIGTERM: the hub stops CHP and the learners' servers
        for home in hub.homes():  # the sandboxes run detached from the kernels that started them
            sandbox.stop(home / ".kit-sandbox")

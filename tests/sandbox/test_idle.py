"""An idle sandbox sleeps (sandbox/idle.py) and wakes at the next call on its own port, its data intact."""

from __future__ import annotations

import os
import signal
import time

import httpx
import psutil
import pytest
import stripe

import sandbox
from sandbox.idle import ENV_IDLE_EXIT

from .conftest import make_manifest, new_user

# Each test starts a sandbox, waits for it to fall asleep and wakes it: about 5 s of processes
# starting a piece, on a 2-core machine. make test runs them; make check leaves them out.
pytestmark = pytest.mark.slow

SECRET = {"name": "kept", "payload": "across a sleep", "scope": {"type": "account"}}


def wait_until(check, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def asleep(pid: int) -> bool:
    """The sandbox's process is the keeper now (the same pid, a stdlib-only program)."""
    return any(part.endswith("keeper.py") for part in psutil.Process(pid).cmdline())


def find_secret(api_key: str, world: sandbox.World) -> str:
    client = stripe.StripeClient(api_key, base_addresses={"api": world.stripe_api_base})
    found = client.v1.apps.secrets.find({"name": SECRET["name"], "scope": SECRET["scope"], "expand": ["payload"]})
    return found.payload


@pytest.fixture
def sleepy(own_data_dir, monkeypatch):
    """A sandbox of its own that sleeps after 1 s without a request, with an app installed and a secret saved."""
    monkeypatch.setenv(ENV_IDLE_EXIT, "1")  # the launcher's sandbox inherits it
    world = sandbox.start(own_data_dir)
    manifest, user = make_manifest(), new_user()
    install = world.install_app(manifest, user)
    client = stripe.StripeClient(install.api_key, base_addresses={"api": world.stripe_api_base})
    client.v1.apps.secrets.create(SECRET)
    return world, manifest, install


def test_an_idle_sandbox_sleeps_small_and_the_next_call_wakes_it_on_its_port_with_its_data(sleepy):
    world, manifest, install = sleepy
    awake_rss = psutil.Process(world.pid).memory_info().rss
    wait_until(lambda: asleep(world.pid), "the sandbox did not go to sleep")
    assert psutil.Process(world.pid).memory_info().rss < awake_rss / 2

    # The World a notebook holds, from before the sleep: same key, same secret, same process and port.
    again = world.install_app(manifest, install.user_id)
    assert again.api_key == install.api_key
    assert find_secret(install.api_key, world) == SECRET["payload"]
    assert not asleep(world.pid)
    assert sandbox.running(world.data_dir) == world
    assert "asleep until the next one" in world.log_file.read_text()


def test_a_plain_request_wakes_it_too_as_the_browser_does_through_the_proxy(sleepy):
    world, _, _ = sleepy
    wait_until(lambda: asleep(world.pid), "the sandbox did not go to sleep")
    response = httpx.get(f"{world.provider_issuer}/.well-known/oauth-authorization-server", timeout=30)
    assert response.status_code == 200 and response.json()["issuer"] == world.provider_issuer


def test_start_finds_a_sleeping_sandbox_instead_of_starting_another(sleepy):
    world, _, _ = sleepy
    wait_until(lambda: asleep(world.pid), "the sandbox did not go to sleep")
    assert sandbox.start(world.data_dir) == world


def test_a_sandbox_that_exited_comes_back_on_its_last_port_with_its_data(sleepy):
    world, _, install = sleepy
    os.kill(world.pid, signal.SIGKILL)  # gone for good, as when a hub stops the learner's server
    wait_until(lambda: sandbox.running(world.data_dir) is None, "the sandbox did not die")
    again = sandbox.start(world.data_dir)
    assert again.pid != world.pid and again.port == world.port
    assert find_secret(install.api_key, again) == SECRET["payload"]

"""What the sandbox acknowledged, it keeps: across SIGKILL, restarts, and concurrent writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import stripe

import sandbox

from .conftest import make_app

ROOT = Path(__file__).resolve().parents[2]


def wait_dead(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"process {pid} did not die")


def test_everything_survives_sigkill_and_restart(own_data_dir):
    tmp_path = own_data_dir
    world = sandbox.start(tmp_path)
    with httpx.Client(timeout=30) as http:
        app = make_app(world, http)
        context = app.approved_context(http)
        token = app.token_request(http, context).json()
        pending_link, pending_state = app.link(http)  # a state created but not yet used
        client = stripe.StripeClient(
            app.install.api_key, base_addresses={"api": world.stripe_api_base}, max_network_retries=0
        )
        scope = {"type": "user", "user": app.install.user_id}
        client.v1.apps.secrets.create({"name": "oauth_token", "payload": "kept", "scope": scope})

        os.kill(world.pid, signal.SIGKILL)
        wait_dead(world.pid)
        assert sandbox.running(tmp_path) is None

        again = sandbox.start(tmp_path)
        assert again.pid != world.pid
        client = stripe.StripeClient(
            app.install.api_key, base_addresses={"api": again.stripe_api_base}, max_network_retries=0
        )
        found = client.v1.apps.secrets.find({"name": "oauth_token", "scope": scope, "expand": ["payload"]})
        assert found.payload == "kept"
        # the provider's client, tokens and the Dashboard's state survived too
        me = http.get(f"{again.provider_issuer}/api/me", headers={"Authorization": f"Bearer {token['access_token']}"})
        assert me.status_code == 200
        # same port again, so the registered redirect URIs and the pending attempt still work
        assert again.base_url == world.base_url
        assert again.consent(pending_link).outcome == "handed_over"
        assert app.take_context(http)["code"]


WRITER = textwrap.dedent(
    """
    import sys, stripe
    key, base, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=0)
    for i in range(count):
        client.v1.apps.secrets.create({"name": f"{prefix}{i}", "payload": f"{prefix}-{i}",
                                       "scope": {"type": "account"}})
    """
)


def test_concurrent_writers_lose_nothing(world, http):
    """Threads and two processes write at once; every acknowledged write is there afterwards.

    Each writer has its own app (a scope holds at most 10 secrets), so 8
    threads and 2 processes each write 10 secrets at the same time.
    """
    apps = [make_app(world, http) for _ in range(10)]

    def write(app, prefix: str) -> list[str]:
        client = stripe.StripeClient(
            app.install.api_key, base_addresses={"api": world.stripe_api_base}, max_network_retries=0
        )
        for i in range(10):
            client.v1.apps.secrets.create(
                {"name": f"{prefix}{i}", "payload": f"{prefix}-{i}", "scope": {"type": "account"}}
            )
        return [f"{prefix}{i}" for i in range(10)]

    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, app.install.api_key, world.stripe_api_base, f"p{n}-", "10"], cwd=ROOT
        )
        for n, app in enumerate(apps[:2])
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, apps[2:], [f"t{n}-" for n in range(8)]))
    assert [p.wait(timeout=60) for p in processes] == [0, 0]

    for n, app in enumerate(apps):
        prefix = f"p{n}-" if n < 2 else f"t{n - 2}-"
        client = stripe.StripeClient(app.install.api_key, base_addresses={"api": world.stripe_api_base})
        listed = client.v1.apps.secrets.list({"scope": {"type": "account"}, "limit": 100, "expand": ["data.payload"]})
        assert sorted((s.name, s.payload) for s in listed.data) == sorted(
            (f"{prefix}{i}", f"{prefix}-{i}") for i in range(10)
        )


def test_concurrent_redemption_of_one_code_issues_one_token(app, http):
    context = app.approved_context(http)
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: app.token_request(httpx.Client(timeout=30), context), range(6)))
    assert sorted(r.status_code for r in responses) == [200] + [400] * 5

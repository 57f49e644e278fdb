"""Third-party clients the kit does not use drive the stand-ins: oauth4webapi and stripe-node (tests/clients).

A learner who points a real, standards-following library at the sandbox must not hit a wall.
Each Node script prints `ok - <step>` a step and exits non-zero at the first failed check.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import stripe

from .conftest import ROOT, make_app, new_user

CLIENTS = ROOT / "tests" / "clients"


def run_node(script: str, *args: str) -> list[str]:
    node = shutil.which("node")
    if node is None or not (CLIENTS / "node_modules" / ".installed").exists():
        pytest.fail("Node 20+ and tests/clients/node_modules are needed: run `make check` (it runs npm ci there).")
    done = subprocess.run(
        [node, str(Path(CLIENTS, script)), *args], cwd=CLIENTS, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.splitlines()


def test_oauth4webapi_completes_every_step_against_the_provider(world):
    steps = run_node("oauth_flow.mjs", world.provider_issuer)
    assert steps == [
        "ok - discovery by issuer",
        "ok - registration",
        "ok - deny, with state",
        "ok - PKCE with state, code exchange",
        "ok - protected API",
        "ok - refresh with rotation",
        "ok - reuse of an old refresh token ends the grant",
        "ok - revocation",
    ]


def test_stripe_node_round_trips_the_secret_store_beside_stripe_python(world, http):
    app = make_app(world, http)
    python = stripe.StripeClient(app.install.api_key, base_addresses={"api": world.stripe_api_base})
    scope = {"type": "user", "user": app.install.user_id}
    python.v1.apps.secrets.create({"name": "from_python", "payload": "saved by stripe-python", "scope": scope})
    steps = run_node("secret_store.mjs", world.stripe_api_base, app.install.api_key, app.install.user_id, new_user())
    assert steps == [
        "ok - find with expand, a secret stripe-python saved",
        "ok - create",
        "ok - list with auto-pagination forwards",
        "ok - list with auto-pagination backwards",
        "ok - deleteWhere",
        "ok - each error class",
    ]
    found = python.v1.apps.secrets.find({"name": "from_node", "scope": scope, "expand": ["payload"]})
    assert found.payload == "saved by stripe-node"
    assert sorted(s.name for s in python.v1.apps.secrets.list({"scope": scope}).data) == ["from_node", "from_python"]

"""Run panva's oidc-provider (server.mjs) with node for the tests, and stop it afterwards.

`make test` installs it first (`npm ci` in this folder, from the committed lockfile).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import announced

HERE = Path(__file__).resolve().parent


@contextmanager
def oidc_provider() -> Iterator[str]:
    """Start the server on a free port of 127.0.0.1; yield its issuer; stop it."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "oidc-provider is not installed: run `make test` (it runs `npm ci` in tests/oidc_provider), "
            "or `cd tests/oidc_provider && npm ci`. Node.js must be on PATH."
        )
    with announced([node, "server.mjs"], cwd=HERE, name="oidc-provider") as line:
        yield line["issuer"]


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    """The issuer of one oidc-provider for the test session."""
    with oidc_provider() as issuer:
        yield issuer

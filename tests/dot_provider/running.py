"""Run Django OAuth Toolkit (server.py) for the tests, and stop it afterwards.

`make test` installs it with the kit's test dependencies (pyproject.toml's `test` extra).
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import announced

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DOT:
    """A running DOT: its issuer, and what its administrator made (a user, an introspecting client, a token)."""

    issuer: str
    user: dict[str, str]
    introspection: tuple[str, str]
    initial_access_token: str


@pytest.fixture(scope="session")
def dot() -> Iterator[DOT]:
    """One Django OAuth Toolkit for the test session, on a fresh database."""
    if importlib.util.find_spec("oauth2_provider") is None:
        pytest.fail("django-oauth-toolkit is not installed: run `make test` (the kit's `test` extra installs it).")
    with tempfile.TemporaryDirectory() as folder:
        argv = [sys.executable, "-m", "tests.dot_provider.server", str(Path(folder) / "dot.sqlite3")]
        with announced(argv, cwd=ROOT, name="Django OAuth Toolkit") as line:
            credentials = line["introspection"]
            yield DOT(
                line["issuer"],
                line["user"],
                (credentials["client_id"], credentials["client_secret"]),
                line["initial_access_token"],
            )

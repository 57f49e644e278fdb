"""No output of any notebook holds a token, code, verifier or key in clear.

The notebooks run in a fresh sandbox; then every secret that sandbox issued during the
run (install keys, codes, verifiers, access and refresh tokens, secret payloads) is
looked for in the executed notebooks (outputs and widget state) and in the sandbox's log.
"""

from __future__ import annotations

import json
import re
import sqlite3

import nbformat
import pytest

from tools.run_notebooks import execute, fresh_sandbox, notebook_paths

# Every notebook runs once, in a fresh sandbox, for these tests.
pytestmark = pytest.mark.slow

QUERIES = {
    "install key": "SELECT api_key FROM installs",
    "authorization code": "SELECT code FROM auth_codes",
    "PKCE verifier": "SELECT verifier FROM oauth_states",
    "access token": "SELECT access_token FROM tokens",
    "refresh token": "SELECT refresh_token FROM tokens WHERE refresh_token IS NOT NULL",
    "secret payload": "SELECT payload FROM secrets",
}


@pytest.fixture(scope="module")
def run():
    with fresh_sandbox() as folder:
        executed = {path.name: nbformat.writes(execute(path)[0]) for path in notebook_paths()}
        db = sqlite3.connect(folder / "sandbox.sqlite3")
        issued = {kind: [row[0] for row in db.execute(query)] for kind, query in QUERIES.items()}
        db.close()
        log = (folder / "sandbox.log").read_text()
    return executed, issued, log


def test_the_run_issued_secrets_to_look_for(run):
    _, issued, _ = run
    assert issued["install key"] and issued["authorization code"] and issued["PKCE verifier"]


def test_no_issued_secret_appears_in_any_output(run):
    executed, issued, _ = run
    leaks = [
        f"{kind} in {name}"
        for kind, values in issued.items()
        for value in values
        if len(value) >= 8
        for name, text in executed.items()
        if value in text or json.dumps(value)[1:-1] in text
    ]
    assert leaks == []


def test_no_issued_secret_appears_in_the_sandbox_log(run):
    _, issued, log = run
    assert [kind for kind, values in issued.items() for value in values if len(value) >= 8 and value in log] == []


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_committed_notebooks_hold_no_key(path):
    assert not re.search(r"(sk|rk)_(test|live)_[A-Za-z0-9]{8,}", path.read_text())

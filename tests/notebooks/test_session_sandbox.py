"""The root conftest.py: a pytest session that checks the kit's notebooks starts their sandbox as it starts,
as a learner's Jupyter server does, so that 00's first cell finds it (or waits for it) as learners' does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import sandbox
from conftest import runs_the_notebooks
from sandbox.spawn import announced

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def not_a_worker(monkeypatch):
    """As `make test` runs the notebooks: in one process (these tests themselves may run on an xdist worker)."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def session_config(*args: str, nbval: bool = True, cwd: Path = ROOT) -> SimpleNamespace:
    """As much of pytest's config as runs_the_notebooks reads."""
    return SimpleNamespace(
        args=list(args), invocation_params=SimpleNamespace(dir=cwd), getoption=lambda name, default=None: nbval
    )


@pytest.mark.parametrize(
    ("args", "cwd"),
    [
        (("notebooks",), ROOT),  # make test
        (("notebooks/00-index.ipynb::Cell 0",), ROOT),
        (("00-index.ipynb", "02-authorization-link.ipynb"), ROOT / "notebooks"),
        ((str(ROOT / "notebooks" / "07-security-lab.ipynb"),), Path("/")),
    ],
)
def test_a_session_over_the_notebooks_starts_their_sandbox(args, cwd):
    assert runs_the_notebooks(session_config(*args, cwd=cwd))


@pytest.mark.parametrize("args", [("tests",), ("tests/notebooks",), ("notebooks_elsewhere",), ()])
def test_other_sessions_leave_it_to_their_tests(args):
    assert not runs_the_notebooks(session_config(*args))


def test_without_nbval_nothing_runs_the_notebooks():
    assert not runs_the_notebooks(session_config("notebooks", nbval=False))


def test_an_xdist_worker_leaves_it_to_its_tests(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert not runs_the_notebooks(session_config("notebooks"))


@pytest.mark.slow
def test_notebook_00_is_checked_with_the_sandbox_the_session_started(tmp_path):
    """00 under nbval, as `make test` runs it: the session says it started the sandbox, and 00 passes with it."""
    folder = tmp_path / ".sandbox"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "log_cli=true"]
    command += ["--log-cli-level=INFO", "notebooks/00-index.ipynb"]
    try:
        run = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "KIT_SANDBOX_DIR": str(folder)},
        )
        assert run.returncode == 0, run.stdout[-3000:]
        assert f"pkce-kit: started the sandbox in {folder.resolve()}" in run.stdout, run.stdout[-3000:]
        # Given its folder, the session leaves the sandbox to whoever gave it (as the bench's fresh_sandbox).
        assert announced(folder.resolve()) is not None
    finally:
        sandbox.stop(folder)

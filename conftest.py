"""Session-wide test setup shared by tests/ and the notebook run (nbval).

The notebooks run in order, 00 to 10, against one fresh sandbox in a temporary
folder: the kernels nbval starts inherit KIT_SANDBOX_DIR from this process. Under
pytest-xdist each worker has a folder of its own inside it, so two workers never share a
sandbox (nor its learner's oauthContext). A session that runs the kit's notebooks starts that
sandbox in the background as it starts, as a learner's Jupyter server does (workshop/extension.py),
so that 00's first cell is checked as learners meet it: finding the sandbox there, or waiting for it.

At the end of the session, the logs of every sandbox the tests started (in pytest's
temporary folders, and the notebooks' one) must hold no traceback and no 5xx answer:
whatever a test sent, the sandbox answered it as its specs say.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

import pytest

import sandbox
from sandbox.files import LOG_FILE, STDERR_FILE
from sandbox.spawn import start_in_background

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"

# nbval runs the notebooks in the learners' kernel, and its debug log costs nothing unless shown. Named here,
# in the root conftest, rather than with -p: this file puts the checkout on sys.path, so `.venv/bin/pytest`
# finds it as `python -m pytest` does.
pytest_plugins = ["tests.notebooks.nbval_plugin"]

_fresh_dir: tempfile.TemporaryDirectory | None = None
# The folder this session made for its sandboxes, which xdist's workers inherit in their environment.
_SESSION_FOLDER = "KIT_TESTS_SANDBOX_FOLDER"
_own_sandbox = False


def pytest_configure(config):
    global _fresh_dir, _own_sandbox
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get(_SESSION_FOLDER):
        # Named .sandbox as on a learner's machine, so what the notebooks print about it reads the same.
        os.environ["KIT_SANDBOX_DIR"] = str(Path(os.environ[_SESSION_FOLDER]) / worker / ".sandbox")
        _own_sandbox = True
    elif "KIT_SANDBOX_DIR" not in os.environ:
        _fresh_dir = tempfile.TemporaryDirectory(prefix="kit-")
        os.environ[_SESSION_FOLDER] = _fresh_dir.name
        os.environ["KIT_SANDBOX_DIR"] = str(Path(_fresh_dir.name) / ".sandbox")
        _own_sandbox = True


# Folders whose tests all carry a marker, so `make check` can leave them out by name.
_FOLDER_MARKERS = {"browser": "browser", "hub": "hub", "lite": "lite"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = item.path.parts
        if "tests" in parts:
            folder = parts[parts.index("tests") + 1] if parts.index("tests") + 1 < len(parts) else ""
            if folder in _FOLDER_MARKERS:
                item.add_marker(_FOLDER_MARKERS[folder])


_TEMP_ROOT = pytest.StashKey[Path]()
_FINDINGS = pytest.StashKey[list[str]]()
# An access-log line ends in the status and the time taken: "POST /provider/token 400 2.1ms".
_SERVER_ERROR = re.compile(r" 5\d\d [\d.]+ms$", re.MULTILINE)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    """Where this session's tests create their sandboxes' data folders, for the session-end check.
    And the notebooks' sandbox, starting in the background while pytest collects them.

    Under xdist the workers' temporary folders are inside the controller's, so its check reads all.
    """
    session.config.stash[_TEMP_ROOT] = session.config._tmp_path_factory.getbasetemp()
    if runs_the_notebooks(session.config):
        start_in_background(logging.getLogger("pkce-kit"), os.environ["KIT_SANDBOX_DIR"])


def runs_the_notebooks(config) -> bool:
    """Whether this session checks the kit's notebooks (nbval, and a path among its arguments in notebooks/)."""
    if not config.getoption("nbval", False) or os.environ.get("PYTEST_XDIST_WORKER"):
        return False
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == NOTEBOOKS or NOTEBOOKS in path.parents:
            return True
    return False


def _sandbox_logs(config) -> list[Path]:
    folders = [config.stash[_TEMP_ROOT]] if _TEMP_ROOT in config.stash else []
    if _fresh_dir is not None:
        folders.append(Path(_fresh_dir.name))
    return sorted({log for folder in folders for name in (LOG_FILE, STDERR_FILE) for log in folder.rglob(name)})


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    findings = []
    for log in _sandbox_logs(session.config):
        text = log.read_text(errors="replace")
        if "Traceback (most recent call last)" in text:
            findings.append(f"{log}: a traceback")
        findings += [f"{log}: answered{line}" for line in _SERVER_ERROR.findall(text)]
    session.config.stash[_FINDINGS] = findings
    if findings and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    findings = config.stash.get(_FINDINGS, [])
    if findings:
        terminalreporter.section("the sandbox logs hold server errors", red=True)
        for finding in findings:
            terminalreporter.line(finding)


def pytest_unconfigure(config):
    if _own_sandbox:
        sandbox.stop(os.environ["KIT_SANDBOX_DIR"])
    if _fresh_dir is not None:
        _fresh_dir.cleanup()

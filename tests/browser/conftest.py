"""A real JupyterLab server and headless Chromium (Debian's, never a downloaded build).

The server runs from the repository with token auth off, on 127.0.0.1, in a throwaway
workspace folder so no earlier session's tabs come back; the kernels it starts use a
fresh sandbox folder. Screenshots go to tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.processes import stop_process
from tools.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
# Playwright's expect waits 5 s by default; a page on a loaded 2-core machine (make test-under-load)
# can take longer to draw what a cell just did. A check that passes returns as soon as it holds.
expect.set_options(timeout=30_000)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    def __init__(self, tmp: Path, base_url: str = "/") -> None:
        self.port = free_port()
        self.base_url = base_url
        self.url = f"http://127.0.0.1:{self.port}{base_url}"
        settings = tmp / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        # No "get notified about news?" toast over the screenshots; every cell in the page
        # (JupyterLab otherwise renders only the cells near the view, and a test could not find the rest);
        # no autosave: the server's root is the checkout, and a test that ran a notebook for more than
        # autosave's two minutes (a loaded machine) wrote its outputs over the committed notebook.
        (settings / "overrides.json").write_text(
            json.dumps(
                {
                    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
                    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
                    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
                }
            )
        )
        env = {
            **os.environ,
            "KIT_SANDBOX_DIR": str(tmp / "sandbox"),
            "JUPYTERLAB_SETTINGS_DIR": str(tmp / "user-settings"),
        }
        env.pop("JUPYTERHUB_SERVICE_PREFIX", None)
        self.log = open(tmp / "lab.log", "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                "--allow-root",
                f"--port={self.port}",
                "--ServerApp.ip=127.0.0.1",
                "--IdentityProvider.token=",
                f"--ServerApp.base_url={base_url}",
                f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
                f"--LabServerApp.app_settings_dir={settings}",
                f"--ServerApp.root_dir={ROOT}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}api/status", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()  # a server that did not answer in time must not outlive the test either
        raise RuntimeError(f"JupyterLab did not start; see {tmp / 'lab.log'}")

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: `make test` installs Debian's chromium package "
            "(apt-get install chromium); elsewhere set KIT_CHROMIUM to a Chromium or Chrome binary."
        )
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.failed_call = outcome.get_result().failed


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    # A Run All that comes before the page has its kernel asks "Select Kernel": accept the
    # preferred one, as a learner would.
    page.add_locator_handler(
        page.locator(".jp-Dialog").filter(has_text="Select Kernel"),
        lambda dialog: dialog.locator("button.jp-mod-accept").click(),
    )
    page.console_errors = errors
    yield page
    if getattr(request.node, "failed_call", False):  # what the page showed when the test failed
        for number, open_page in enumerate(context.pages):
            screenshot(open_page, f"failed-{request.node.name}-{number}".replace("/", "_"))
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def stop_sandbox(folder: Path) -> None:
    from tests.processes import stop_sandbox as stop

    stop(folder)
    shutil.rmtree(folder, ignore_errors=True)

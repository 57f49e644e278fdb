"""A JupyterLab server as a learner's laptop runs it, and what a learner does in it with a browser.

`LabServer` runs JupyterLab from the repository as `make lab` does (`pkce-kit-lab`, the kit's Jupyter
settings on the config path), with token auth off, on 127.0.0.1, in a
throwaway workspace folder so no earlier session's tabs come back; the kernels it starts use a
fresh sandbox folder. `open_and_run` is a learner's Run All in a Playwright page, and `your_app`
the app they authorize in 06. Screenshots go to tests/artifacts/ (ignored by git).

Used by tests/browser (its fixtures are in its conftest.py) and bench/browser.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
from playwright.sync_api import expect

from tests.processes import stop_process
from tests.processes import stop_sandbox as stop_sandbox_process
from tests.support.ports import jupyter_options, start_jupyter
from tools.run_notebooks import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[2]
# The kit's Jupyter settings (its server extension, the page config), which an editable install leaves to
# JUPYTER_CONFIG_PATH: the Makefile's KIT_JUPYTER_CONFIG.
KIT_JUPYTER_CONFIG = ROOT / "jupyter-config"
ARTIFACTS = ROOT / "tests" / "artifacts"
# Playwright's expect waits 5 s by default; a page on a loaded 2-core machine (make test-under-load)
# can take longer to draw what a cell just did. A check that passes returns as soon as it holds.
# Set here, where the learner's steps are, so the tests and the browser bench wait alike.
expect.set_options(timeout=30_000)
# Waits sized for a loaded 2-core machine (make test-under-load): a widget's view is drawn only
# once its kernel-side model has reached the page, seconds after the cell ran when the CPUs are busy.
WIDGET_TIMEOUT = 90_000


def counting_node(folder: Path, run_it: bool) -> tuple[Path, Path]:
    """A `bin` folder in ``folder`` whose `node` records each run (its arguments, a line each) in a file, then
    runs the real node (``run_it``) or fails; (that bin folder, that file). Put first on a server's PATH."""
    bin_dir, runs = folder / "bin", folder / "node-runs"
    bin_dir.mkdir()
    then = "exit 1"
    if run_it:
        real = shutil.which("node")
        if real is None:
            raise RuntimeError("node is not installed: `make test` installs it")
        then = f'exec "{real}" "$@"'
    node = bin_dir / "node"
    node.write_text(f'#!/bin/sh\necho "$*" >> "{runs}"\n{then}\n')
    node.chmod(0o755)
    return bin_dir, runs


class LabServer:
    """JupyterLab on a free port, its files, logs and sandbox in ``tmp``; ``name`` labels its screenshots."""

    def __init__(self, tmp: Path, base_url: str = "/", name: str = "laptop") -> None:
        self.name = name
        self.base_url = base_url
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
            # As `make lab` runs it: the kit's Jupyter settings on the config path.
            "JUPYTER_CONFIG_PATH": os.pathsep.join(
                filter(None, [os.environ.get("JUPYTER_CONFIG_PATH"), str(KIT_JUPYTER_CONFIG)])
            ),
        }
        env.pop("JUPYTERHUB_SERVICE_PREFIX", None)
        self.port, self.process, ready = start_jupyter(
            lambda port: [
                # `make lab`'s command: JupyterLab without the imports it never uses (workshop/server.py).
                str(Path(sys.executable).with_name("pkce-kit-lab")),
                *jupyter_options(port),
                f"--ServerApp.base_url={base_url}",
                f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
                f"--LabServerApp.app_settings_dir={settings}",
                f"--ServerApp.root_dir={ROOT}",
            ],
            lambda port: f"http://127.0.0.1:{port}{base_url}api/status",
            tmp / "lab.log",
            cwd=ROOT,
            env=env,
        )
        self.url = f"http://127.0.0.1:{self.port}{base_url}"
        if ready:
            return
        self.stop()  # a server that did not answer in time must not outlive the test either
        raise RuntimeError(f"JupyterLab did not start; see {tmp / 'lab.log'}")

    def stop(self) -> None:
        stop_process(self.process)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def stop_sandbox(folder: Path) -> None:
    """Stop the sandbox of ``folder``, then remove the folder (each server's sandbox is its own)."""
    stop_sandbox_process(folder)
    shutil.rmtree(folder, ignore_errors=True)


def open_and_run(page, lab, notebook: str) -> None:
    """Open a notebook, Run All as a learner would, and wait until every cell has run.

    Same steps as tests/support/hub.py's Learner.open_and_run: the page can say "idle" before its
    kernel is attached, and a Run All sent then runs nothing (or asks "Select Kernel", which the
    page fixture answers). The notebook comes with its outputs, so they are cleared first: a
    number on the first cell then means it ran now.
    """
    page.goto(f"{lab.url}lab/tree/notebooks/{notebook}?reset")
    run_all(page, notebook)


def run_all(page, notebook: str, kernel_timeout: int = 60_000) -> None:
    """Run All in the notebook open in ``page`` and wait until every cell has run (open_and_run's steps
    once the notebook is open; the JupyterLite edition's test opens it at its own address)."""
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=kernel_timeout)
    menu = page.locator("#jp-MainMenu")
    panel = page.locator(".jp-NotebookPanel:visible")
    first_prompt = panel.locator(".jp-CodeCell .jp-InputPrompt").first
    for command, menu_name, ran in (("Clear Outputs of All Cells", "Edit", False), ("Run All Cells", "Run", True)):
        for _ in range(6):
            menu.get_by_text(menu_name, exact=True).click()
            page.get_by_text(command, exact=True).click()
            try:
                if ran:  # queued ([*]) or done ([1]): a second Run All now would run the notebook twice
                    expect(first_prompt).to_have_text(re.compile(r"\[(\d+|\*)\]"), timeout=10_000)
                else:
                    expect(first_prompt).not_to_have_text(re.compile(r"\[\d+\]"), timeout=10_000)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError(f"{command} had no effect on {notebook}")
    # Run All is done when no cell waits or runs ([*]) and the kernel is idle again.
    for attempt in range(2):
        expect(panel.locator(".jp-InputPrompt", has_text="[*]")).to_have_count(0, timeout=90_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        # The input areas' prompts: a cell whose input is folded (the learner edition's optional parts)
        # shows a placeholder with an empty prompt instead, though it ran.
        prompts = panel.locator(".jp-CodeCell .jp-InputArea .jp-InputPrompt:visible").all_inner_texts()
        if all(re.search(r"\[\d+\]", prompt) for prompt in prompts):
            return
        # A cell that failed stops Run All: that is the notebook's fault, and the test says which.
        errors = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"{notebook} stopped on an error: {errors.first.inner_text()[:2000]}"
        # No error, yet cells left unrun: under load the page can drop part of a Run All. Once more.
        if attempt == 0:
            menu.get_by_text("Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
    raise AssertionError(f"{notebook}: cells left unrun after two Run All, with no error: {prompts}")


def expect_its_widgets(page, notebook: str) -> None:
    """The notebook's widgets are drawn, if its committed outputs show any (09 shows only text and code)."""
    committed = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    if any(
        "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        for cell in committed.cells
        for output in cell.get("outputs", [])
    ):
        widgets = page.locator(".jp-OutputArea-output .widget-html, .jp-OutputArea-output .widget-button")
        expect(widgets.first).to_be_attached(timeout=WIDGET_TIMEOUT)


def assert_clean(page, expected: re.Pattern[str] | None = None) -> None:
    """No widget failed to draw, no cell wrote to stderr, the page logged no error (but those ``expected``
    matches: what the page logs by design, named where it is passed)."""
    assert page.locator("text=Error displaying widget").count() == 0
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()
    logged = [error for error in page.console_errors if not (expected and expected.search(error))]
    assert logged == [], logged


def run_cell_again(page, cell) -> None:
    """Run one cell again (Shift+Enter in it) and wait until it has run."""
    prompt = cell.locator(".jp-InputArea .jp-InputPrompt")
    before = prompt.inner_text()
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    expect(prompt).not_to_have_text(before, timeout=WIDGET_TIMEOUT)
    expect(prompt).not_to_have_text(re.compile(r"\*"), timeout=WIDGET_TIMEOUT)


def your_app(page, lab):
    """The output of the "Your turn, in the browser" cell of 06: the app the learner authorizes.

    Under load the page may draw the output before the widget's model has reached it, and then
    shows the widget's text form for good; once the kernel was seen restarted after Run All. Then
    the notebook is opened and run again, as a learner would, on a fresh page.
    """
    app = page.locator(".jp-Cell").filter(has_text="yours = kit.example_app(").locator(".jp-OutputArea")
    try:
        expect(app.locator("a.kit-authorize")).to_have_count(1, timeout=WIDGET_TIMEOUT)
    except AssertionError:
        screenshot(page, f"{lab.name}-no-authorize-link-first-time")
        open_and_run(page, lab, "06-the-whole-app.ipynb")
        expect(app.locator("a.kit-authorize")).to_have_count(1, timeout=WIDGET_TIMEOUT)
    return app

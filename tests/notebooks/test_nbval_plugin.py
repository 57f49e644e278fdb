"""tests/notebooks/nbval_plugin.py: nbval runs the learners' kernel, and its debug log is formatted when shown."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.nbval_plugin import FormattedWhenShown

ROOT = Path(__file__).resolve().parents[2]


def test_a_message_is_formatted_only_when_the_line_is_emitted(caplog):
    formatted = []

    class Watched(dict):
        def __repr__(self) -> str:
            formatted.append(1)
            return dict.__repr__(self)

    logger = logging.getLogger("nbval")
    message = Watched(msg_type="stream", content={"text": "hello"})
    with caplog.at_level(logging.INFO, logger="nbval"):
        logger.debug("Kernel message (%s):\n%s", "iopub", FormattedWhenShown(message))
    assert formatted == [] and caplog.records == []
    with caplog.at_level(logging.DEBUG, logger="nbval"):
        logger.debug("Kernel message (%s):\n%s", "iopub", FormattedWhenShown(message))
    assert formatted and "'content': {'text': 'hello'}" in caplog.text


@pytest.mark.slow
def test_nbval_checks_a_notebook_in_the_learners_kernel(tmp_path):
    """The committed output says LeanKernel: it passes with the plugin, as `make test` loads it, and not without."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    which = "import sys\nprint(type(get_ipython().kernel).__name__, sys.modules.get('debugpy'))"
    cell = nbformat.v4.new_code_cell(which)
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="LeanKernel None\n")]
    notebook.cells = [cell]
    path = tmp_path / "which-kernel.ipynb"
    nbformat.write(notebook, path)

    def nbval(*plugin: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts="]
        command += [*plugin, "--nbval", "--nbval-current-env", str(path)]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)

    with_plugin = nbval("-p", "tests.notebooks.nbval_plugin")
    assert with_plugin.returncode == 0, with_plugin.stdout[-3000:]
    without = nbval()
    assert without.returncode != 0 and "IPythonKernel" in without.stdout, without.stdout[-3000:]


@pytest.mark.slow
def test_pytest_run_by_its_own_script_has_the_plugin_too():
    """The root conftest.py names the plugin, so `.venv/bin/pytest notebooks` checks them as `make test` does."""
    script = Path(sys.executable).parent / "pytest"
    command = [str(script), "--co", "-q", "--trace-config", "-p", "no:cacheprovider", "notebooks/00-index.ipynb"]
    listed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "registered: <module 'tests.notebooks.nbval_plugin'" in listed.stdout, listed.stdout[-3000:] + listed.stderr

"""Notebooks 00-08 as the browser edition runs them: the stand-ins in the kernel, no thread, socket or process.

Each notebook runs top to bottom in a kernel of its own (as JupyterLite gives each notebook one) with
KIT_IN_PROCESS=1, after a first cell that makes the kernel refuse what Pyodide's refuses: starting a
thread, opening a socket or a process (each an OSError, as there), and importing the native packages
it lacks (cryptography, joserfc, jsonschema, rpds). Every code cell's outputs must be the committed
ones, which nbval checks on the laptop path, once the same sanitizers (tests/notebooks/sanitize.cfg)
have normalised both; the cells of LITE_REWORDS and LITE_SAYS say something else there by design,
and are checked for that instead. No sandbox process starts: the data folder never holds one's announcement.
"""

from __future__ import annotations

import configparser
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from sandbox.files import ANNOUNCE_FILE
from sandbox.in_process import ENV_IN_PROCESS
from tools.run_notebooks import NOTEBOOKS, ROOT, fresh_sandbox, notebook_paths

pytestmark = pytest.mark.slow  # nine kernels, nine notebook runs: about half a minute

# The core path and the second session: what the browser edition ships (09 needs Node.js, 10 a network).
LITE = [path for path in notebook_paths() if path.name[:2] <= "08"]

AS_IN_PYODIDE = """
import socket, subprocess, sys, threading

def _refuse(what):
    def refuse(*args, **kwargs):
        raise OSError(f"{what} is not available in Pyodide")
    return refuse

threading.Thread.start = _refuse("a thread")
socket.socket.__init__ = _refuse("a socket")
subprocess.Popen.__init__ = _refuse("a process")
sys.modules.update(cryptography=None, joserfc=None, jsonschema=None, rpds=None)
"""

# (notebook, a fragment of the cell's code) → what that cell's output says instead in the browser edition,
# as (the laptop's words, sanitized; the browser edition's).
LITE_REWORDS = {
    ("00-index.ipynb", "print(kit.summary())"): (
        "sandbox: http://127.0.0.1:PORT (data in DIR)",
        "sandbox: http://127.0.0.1:PORT, inside this kernel (data in DIR)",
    ),
}
# (notebook, a fragment of the cell's code) → how that cell's output starts in the browser edition instead.
LITE_SAYS = {
    ("05-find-secret.ipynb", "run_later_session(kit, token)"): (
        "In the browser edition the kernel cannot start another Python process.\n"
        "What to do: Restart the kernel (Kernel → Restart Kernel…) and run the next step's cell"
    ),
}


def sanitizers() -> list[tuple[re.Pattern[str], str]]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tests" / "notebooks" / "sanitize.cfg")
    return [(re.compile(config[name]["regex"]), config[name]["replace"]) for name in config.sections()]


SANITIZERS = sanitizers()


def shown(outputs: list[dict]) -> list[tuple[str, str]]:
    """What a cell showed, as nbval compares it: streams joined by name, results' text/plain, error names."""
    seen: list[tuple[str, str]] = []
    for output in outputs:
        if output["output_type"] == "stream":
            kind, text = output["name"], output["text"]
            if seen and seen[-1][0] == kind:
                kind, text = kind, seen.pop()[1] + text
        elif output["output_type"] == "error":
            kind, text = "error", output["ename"]
        else:
            kind, text = "result", output.get("data", {}).get("text/plain", "")
        seen.append((kind, text))
    for pattern, replacement in SANITIZERS:
        seen = [(kind, pattern.sub(replacement, text)) for kind, text in seen]
    return seen


@pytest.fixture(scope="module")
def runs():
    """Each of them run in order, each in a fresh kernel of its own, on one in-process data folder."""
    with fresh_sandbox() as folder:
        os.environ[ENV_IN_PROCESS] = "1"
        try:
            ran = {}
            for path in LITE:
                notebook = nbformat.read(path, as_version=4)
                notebook.cells.insert(0, nbformat.v4.new_code_cell(AS_IN_PYODIDE))
                NotebookClient(
                    notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
                ).execute()
                ran[path.name] = notebook.cells[1:]
            yield ran, folder
        finally:
            os.environ.pop(ENV_IN_PROCESS, None)


@pytest.mark.parametrize("path", LITE, ids=lambda path: path.name)
def test_each_cell_shows_what_it_shows_on_a_laptop(runs, path):
    ran, _ = runs
    committed = nbformat.read(path, as_version=4).cells
    for index, (cell, expected) in enumerate(zip(ran[path.name], committed, strict=True)):
        if cell.cell_type != "code":
            continue
        here = [(name, fragment) for name, fragment in {*LITE_SAYS, *LITE_REWORDS} if name == path.name]
        here = [key for key in here if key[1] in cell.source]
        if here and here[0] in LITE_SAYS:
            printed = "".join(text for _, text in shown(cell.outputs))
            assert printed.startswith(LITE_SAYS[here[0]]), (index, cell.outputs)
            continue
        laptop = shown(expected.outputs)
        if here:
            old, new = LITE_REWORDS[here[0]]
            assert any(old in text for _, text in laptop), (index, old)
            laptop = [(kind, text.replace(old, new)) for kind, text in laptop]
        assert shown(cell.outputs) == laptop, f"{path.name}, cell {index}:\n{cell.source}"


def test_no_sandbox_process_was_started(runs):
    _, folder = runs
    assert folder.is_dir() and not (folder / ANNOUNCE_FILE).exists()
    assert (folder / "sandbox.sqlite3").exists()  # the data folder's copy of the in-kernel database

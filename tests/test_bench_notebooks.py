"""bench/notebooks.py: how it reads a cell's time from its kernel's stamps, names what the cell does, and runs nbval."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from bench.notebooks import kernel_seconds, nbval_command, what_it_does


def ran(source: str, started: str, replied: str) -> nbformat.NotebookNode:
    """A code cell as nbclient leaves it: the kernel's timestamps of its messages in `metadata.execution`."""
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["execution"] = {
        "iopub.status.busy": "2026-12-04T23:00:00.000100Z",
        "iopub.execute_input": started,
        "shell.execute_reply": replied,
        "iopub.status.idle": "2026-12-04T23:00:09.000000Z",
    }
    return cell


def test_a_cells_time_runs_from_its_execute_input_to_its_execute_reply():
    cell = ran("1 + 1", "2026-12-04T23:00:00.250000Z", "2026-12-04T23:00:00.437500Z")
    assert kernel_seconds(cell) == pytest.approx(0.1875)


def test_the_time_crosses_a_second_and_a_minute():
    cell = ran("1 + 1", "2026-12-04T23:00:59.990000Z", "2026-12-04T23:01:00.010000Z")
    assert kernel_seconds(cell) == pytest.approx(0.02)


def test_a_cell_the_kernel_did_not_run_says_so():
    with pytest.raises(KeyError):
        kernel_seconds(nbformat.v4.new_code_cell("1 + 1"))


@pytest.mark.parametrize(
    ("source", "named"),
    [
        (
            "from later_session import run_later_session\n\nfrom helpers import KitError\n\ntry:\n"
            "    print(run_later_session(kit, token))  # a new process\nexcept KitError as error:\n    print(error)",
            "print(run_later_session(kit, token))  # a new process",
        ),
        ("# %load solutions/02.py\nmy_challenge = ...", "my_challenge = ..."),
        ("import ipywidgets", "import ipywidgets"),
        ("", ""),
    ],
)
def test_a_cell_is_named_by_its_first_line_that_does_something(source, named):
    assert what_it_does(nbformat.v4.new_code_cell(source)) == named


def test_each_nbval_session_keeps_its_files_in_its_own_folder(tmp_path):
    # Not in pytest's shared /tmp/pytest-of-<user>, whose oldest folder a session deletes as it ends.
    command = nbval_command([Path("notebooks/00-index.ipynb")], sanitize=True, basetemp=tmp_path)
    assert command[command.index("--basetemp") + 1] == str(tmp_path)
    assert command[-1] == "notebooks/00-index.ipynb" and "--nbval-sanitize-with" in command
    assert "--nbval-sanitize-with" not in nbval_command([Path("a.ipynb")], sanitize=False, basetemp=tmp_path)

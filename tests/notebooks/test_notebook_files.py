"""The notebooks as files: kernelspec, structure, links, exercises and solutions.

nbval checks what the notebooks print; these check what a learner reads around it.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools.learner_time import is_core
from tools.run_notebooks import NOTEBOOKS, notebook_paths

STEPS = [p for p in notebook_paths() if not p.name.startswith("00-")]
SECTIONS = ("**What you will do:**", "**Prerequisites:**", "## What can go wrong", "## Exercise", "## Recap")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def markdown(path: Path) -> str:
    return "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")


def code(path: Path) -> str:
    return "\n".join(c.source for c in read(path).cells if c.cell_type == "code")


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_kernelspec_is_python3(path):
    # A notebook saved with a personal kernel name fails with NoSuchKernel elsewhere.
    assert read(path).metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_every_cell_was_run_in_order(path):
    counts = [c.execution_count for c in read(path).cells if c.cell_type == "code"]
    # nbval compares only cells that were run: an unrun cell would escape the check.
    assert None not in counts and counts == sorted(counts)


def test_the_index_links_every_step():
    index = markdown(NOTEBOOKS / "00-index.ipynb")
    for path in STEPS:
        assert f"]({path.name})" in index, path.name


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.name)
def test_step_notebook_has_the_sections(path):
    text = markdown(path)
    for section in SECTIONS:
        assert section in text, f"{path.name} lacks {section}"


# A culled kernel ("No Kernel"; the next cell starts a fresh one, where the names made above are
# gone) is the most common way a live room gets stuck: every step says the way back, the same way.
BACK_AFTER_A_FRESH_KERNEL = "**No Kernel, or a `NameError`?** Run → Run All Above Selected Cell."


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.name)
def test_the_first_cell_says_how_to_get_back_after_a_fresh_kernel(path):
    assert BACK_AFTER_A_FRESH_KERNEL in read(path).cells[0].source.splitlines()


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.name)
def test_prev_and_next_links(path):
    # The navigation closes the core path of the notebook; a "Going further" section may follow it.
    cells = [c for c in read(path).cells if c.cell_type == "markdown" and is_core(c)]
    top, end = cells[0].source.splitlines()[0], cells[-1].source.splitlines()[-1]
    assert top == end, f"{path.name} should open and close with the same '[← prev] | [next →]' line"
    previous, following = re.findall(r"\]\(([^)#]+\.ipynb)\)", top)
    position = notebook_paths().index(path)
    assert previous == notebook_paths()[position - 1].name or previous == "00-index.ipynb"
    # A notebook that ends a path (08 the second hour, 09 your app) leads back to the index.
    if position + 1 < len(notebook_paths()):
        assert following in (notebook_paths()[position + 1].name, "00-index.ipynb")
    else:
        assert following == "00-index.ipynb"


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.name)
def test_exercise_has_a_solution_and_a_check(path):
    source = code(path)
    loads = re.findall(r"^# %load (solutions/\S+)$", source, flags=re.M)
    assert loads, f"{path.name} has no '# %load solutions/…' cell"
    for target in loads:
        assert (NOTEBOOKS / target).exists(), target
    assert "from exercises." in source, f"{path.name} does not check its exercise"


def test_links_between_notebooks_point_to_files():
    for path in notebook_paths():
        for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", markdown(path)):
            assert (NOTEBOOKS / target).exists(), f"{path.name} links to missing {target}"

"""The notebooks stay short, and the times they state stay true (issue 9).

Budgets: at most 700 words of prose a notebook and 4500 for the core path (00-06), where
prose is Markdown outside fenced code, outside folded ``<details>`` blocks and outside cells
tagged ``deeper``/``optional`` (a "Going further" section); no code cell over 15 lines; one
required exercise a notebook at most. Times: each notebook states "About N minutes", which
must be tools.learner_time's estimate; 00-index and the README give the same figures.
Every failure message prints the counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools.learner_time import estimate, is_core, prose_words, stated_minutes
from tools.run_notebooks import NOTEBOOKS, ROOT, notebook_paths

PROSE_PER_NOTEBOOK = 700
PROSE_CORE_PATH = 4500
CORE_PATH_MINUTES = 60
CODE_CELL_LINES = 15
CORE = [path for path in notebook_paths() if path.name[:2] <= "06"]


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def core_prose(path: Path) -> int:
    return sum(prose_words(c.source) for c in read(path).cells if c.cell_type == "markdown" and is_core(c))


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_prose_fits_the_budget(path):
    words = core_prose(path)
    assert words <= PROSE_PER_NOTEBOOK, f"{path.name}: {words} words of prose (budget {PROSE_PER_NOTEBOOK})"


def test_the_core_path_fits_its_budget():
    counts = {path.name: core_prose(path) for path in CORE}
    total = sum(counts.values())
    assert total <= PROSE_CORE_PATH, f"00-06: {total} words of prose (budget {PROSE_CORE_PATH}): {counts}"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_no_code_cell_is_long(path):
    long = {
        index: len(cell.source.splitlines())
        for index, cell in enumerate(read(path).cells)
        if cell.cell_type == "code" and len(cell.source.splitlines()) > CODE_CELL_LINES
    }
    assert not long, f"{path.name}: code cells over {CODE_CELL_LINES} lines (cell: lines): {long}"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_the_stated_time_is_the_estimate(path):
    found = estimate(path)
    stated = stated_minutes(path)
    assert stated == found.minutes, (
        f"{path.name} states {stated} minutes; the estimate is {found.minutes} "
        f"({found.prose_words} words of prose, {found.code_words} of code, {found.code_cells} cells, "
        f"{found.run_seconds:.1f} s run, exercise: {found.exercise}). Run `python -m tools.learner_time`."
    )


def test_the_core_path_fits_an_hour_and_the_index_and_readme_say_so():
    minutes = {path.name: stated_minutes(path) for path in CORE}
    total = sum(minutes.values())
    assert total <= CORE_PATH_MINUTES, f"00-06 take {total} minutes: {minutes}"
    index = "\n".join(c.source for c in read(NOTEBOOKS / "00-index.ipynb").cells if c.cell_type == "markdown")
    readme = (ROOT / "README.md").read_text()
    assert f"about {total} minutes for notebooks 00 to 06" in " ".join(index.split())
    assert f"about {total} minutes" in readme, f"README.md should give the core path's {total} minutes"


@pytest.mark.parametrize("path", [p for p in notebook_paths() if not p.name.startswith("00-")], ids=lambda p: p.name)
def test_the_index_lists_each_notebooks_time(path):
    index = "\n".join(c.source for c in read(NOTEBOOKS / "00-index.ipynb").cells if c.cell_type == "markdown")
    line = next((line for line in index.splitlines() if f"]({path.name})" in line), "")
    listed = re.search(r"about (\d+) minutes", line)
    assert listed and int(listed.group(1)) == stated_minutes(path), (
        f"00-index says {line!r}; {path.name} states {stated_minutes(path)} minutes"
    )


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_at_most_one_required_exercise(path):
    required = [
        c.source.splitlines()[0]
        for c in read(path).cells
        if c.cell_type == "markdown" and is_core(c) and re.search(r"^#+ Exercise(?! \(optional\))", c.source, re.M)
    ]
    assert len(required) <= 1, f"{path.name}: more than one required exercise: {required}"


@pytest.mark.parametrize("path", [p for p in notebook_paths() if p.name[:2] >= "03"], ids=lambda p: p.name)
def test_a_learner_who_is_behind_can_start_here(path):
    assert "Behind? This notebook sets itself up" in " ".join(read(path).cells[0].source.split())


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_the_end_says_the_kernel_can_be_shut_down(path):
    core_markdown = [c.source for c in read(path).cells if c.cell_type == "markdown" and is_core(c)]
    assert "Shut Down Kernel" in core_markdown[-1], f"{path.name}'s last core cell should say so"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_every_cell_is_tagged_core_optional_or_deeper(path):
    untagged = [
        index
        for index, cell in enumerate(read(path).cells)
        if len(set(cell.metadata.get("tags", [])) & {"core", "optional", "deeper"}) != 1
    ]
    assert not untagged, f"{path.name}: cells without exactly one of core/optional/deeper: {untagged}"

"""The notebooks stay short, and the times they state stay true (issue 9).

Budgets: at most 700 words of prose a notebook and 4500 for the core path (00-06), where
prose is Markdown outside fenced code, outside folded ``<details>`` blocks and outside cells
tagged ``deeper``/``optional`` (a "Going further" section); no code cell over 15 lines; one
required exercise a notebook at most. Times (issue 18): each notebook states "About N minutes
(slowest quarter: M)", which must be tools.learner_time's calibrated estimate; the core path
takes at most an hour for the median learner; 00-index, the README and docs/workshop.md give
the same figures. Every failure message prints the counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools.learner_time import core, estimates, is_core, prose_words, stated_times
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


ESTIMATES = {found.name: found for found in estimates()}


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_the_stated_times_are_the_estimate(path):
    found = ESTIMATES[path.name]
    stated = stated_times(path)
    assert stated == (found.minutes, found.slowest_quarter), (
        f"{path.name} states {stated}; the model gives About {found.minutes} minutes (slowest quarter: "
        f"{found.slowest_quarter}) from {found.new_prose_words} + {found.recap_prose_words} words of new and recap "
        f"prose, {found.code_words} of code, {found.output_words} printed, {found.code_cells} cells, "
        f"{found.widgets} widgets, {found.run_seconds:.1f} s run, exercise of {found.exercise_statements} "
        f"statements, {found.authorize_detours} Authorize detours. Run `python -m tools.learner_time`."
    )


def core_path_times() -> tuple[int, int]:
    """The core path's two figures: the sums of what 00 to 06 state (median, slowest quarter)."""
    rows = core(list(ESTIMATES.values()))
    return sum(row.minutes for row in rows), sum(row.slowest_quarter for row in rows)


def test_the_core_path_fits_an_hour_for_the_median_learner():
    minutes = {row.name: row.minutes for row in core(list(ESTIMATES.values()))}
    assert sum(minutes.values()) <= CORE_PATH_MINUTES, f"00-06 take {sum(minutes.values())} minutes: {minutes}"


def test_the_index_readme_and_workshop_page_give_the_core_paths_times():
    median, slowest = core_path_times()
    said = f"about {median} minutes for notebooks 00 to 06 (slowest quarter: {slowest})"
    index = "\n".join(c.source for c in read(NOTEBOOKS / "00-index.ipynb").cells if c.cell_type == "markdown")
    pages = {
        "00-index": index,
        "README.md": (ROOT / "README.md").read_text(encoding="utf-8"),
        "docs/workshop.md": (ROOT / "docs" / "workshop.md").read_text(encoding="utf-8"),
    }
    for name, text in pages.items():
        assert said in " ".join(text.split()), f"{name} should say {said!r}"
        for other in re.findall(r"about (\d+) minutes for notebooks 00 to 06", " ".join(text.split())):
            assert int(other) == median, f"{name} also gives {other} minutes for 00 to 06"


@pytest.mark.parametrize("path", [p for p in notebook_paths() if not p.name.startswith("00-")], ids=lambda p: p.name)
def test_the_index_lists_each_notebooks_time(path):
    index = "\n".join(c.source for c in read(NOTEBOOKS / "00-index.ipynb").cells if c.cell_type == "markdown")
    line = next((line for line in index.splitlines() if f"]({path.name})" in line), "")
    found = ESTIMATES[path.name]
    listed = re.search(r"about (\d+) minutes(?: \(slowest quarter: (\d+)\))?", line)
    assert listed and int(listed.group(1)) == found.minutes, f"00-index says {line!r}; {path.name}: {found.minutes}"
    if path in CORE:  # the core path's steps give both figures, as the notebooks do
        assert listed.group(2) and int(listed.group(2)) == found.slowest_quarter, line


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


def test_the_readme_gives_the_second_sessions_time():
    second = sum(ESTIMATES[path.name].minutes for path in notebook_paths() if path.name[:2] in ("07", "08"))
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"a second session (about {second} minutes" in readme, f"07 and 08 take {second} minutes"

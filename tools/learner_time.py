"""How long a notebook takes a learner, estimated from what can be counted and measured.

    .venv/bin/python -m tools.learner_time        # a table: each notebook's parts and its estimate

The estimate is a model, stated here once and quoted in docs/workshop.md:

- prose (Markdown outside fenced code and outside folded ``<details>`` blocks) read at
  200 words a minute: Brysbaert (2019, "How many words do we read per minute?") puts silent
  reading of English non-fiction at 238; technical prose read to learn is slower;
- code (code cells, and fenced code in the prose that is not folded) read at half that rate;
- each code cell: 5 seconds to run it and look at what it printed, plus its run time as
  measured when the notebook was last executed (nbclient records it in each cell's metadata);
- the notebook's first exercise, if it has one: 4 minutes. Optional exercises, folded
  material and cells tagged ``optional`` or ``deeper`` (a "Going further" section) are not
  counted: the stated time is the core path.

Each notebook states its estimate near the top ("About N minutes"); the budget tests fail
when the statement and this estimate disagree, so the figure is redone whenever the
notebook changes (``make notebooks`` re-measures the run times).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat

from tools.run_notebooks import notebook_paths

PROSE_WORDS_PER_MINUTE = 200
CODE_WORDS_PER_MINUTE = 100
SECONDS_PER_CELL = 5
EXERCISE_MINUTES = 4

_FENCE = re.compile(r"```.*?```", re.S)
_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\S*\w\S*")
STATED = re.compile(r"About (\d+) minutes")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def unfolded(markdown: str) -> str:
    """Markdown without its folded ``<details>`` blocks: what a learner sees before clicking."""
    return _DETAILS.sub("", markdown)


def prose_words(markdown: str) -> int:
    """Words of prose: outside fenced code, outside ``<details>``, link targets and HTML tags left out."""
    text = _FENCE.sub("", unfolded(markdown))
    return _words(_TAG.sub("", _LINK_TARGET.sub("]", text)))


def fenced_code_words(markdown: str) -> int:
    return sum(_words(block) for block in _FENCE.findall(unfolded(markdown)))


def run_seconds(cell: nbformat.NotebookNode) -> float:
    """The cell's run time as nbclient recorded it (0 when it was never run by nbclient)."""
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        started = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        ended = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, (ended - started).total_seconds())


def has_required_exercise(notebook: nbformat.NotebookNode) -> bool:
    return any(
        cell.cell_type == "markdown" and re.search(r"^## Exercise(?! \(optional\))", cell.source, re.M)
        for cell in notebook.cells
    )


@dataclass(frozen=True)
class Estimate:
    name: str
    prose_words: int
    code_words: int
    code_cells: int
    run_seconds: float
    exercise: bool

    @property
    def minutes(self) -> int:
        seconds = (
            self.prose_words / PROSE_WORDS_PER_MINUTE * 60
            + self.code_words / CODE_WORDS_PER_MINUTE * 60
            + self.code_cells * SECONDS_PER_CELL
            + self.run_seconds
            + (EXERCISE_MINUTES * 60 if self.exercise else 0)
        )
        return math.floor(seconds / 60 + 0.5)  # to the nearest minute


# Cells a learner may skip: optional exercises and "Going further" material (see tools/learner_edition.py).
SKIPPABLE = frozenset({"optional", "deeper"})


def is_core(cell: nbformat.NotebookNode) -> bool:
    return not SKIPPABLE & set(cell.get("metadata", {}).get("tags", []))


def estimate(path: Path) -> Estimate:
    notebook = nbformat.read(path, as_version=4)
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown" and is_core(cell)]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    core_code = [cell for cell in code if is_core(cell)]
    return Estimate(
        name=path.name,
        prose_words=sum(prose_words(text) for text in markdown),
        code_words=sum(fenced_code_words(text) for text in markdown) + sum(_words(c.source) for c in core_code),
        code_cells=len(core_code),
        run_seconds=sum(run_seconds(cell) for cell in code),
        exercise=has_required_exercise(notebook),
    )


def stated_minutes(path: Path) -> int | None:
    """The time a notebook states for itself, near its top: "About N minutes"."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells[:2]:
        found = STATED.search(cell.source)
        if found:
            return int(found.group(1))
    return None


def main() -> int:
    rows = [estimate(path) for path in notebook_paths()]
    print(f"{'notebook':34} {'prose':>6} {'code':>6} {'cells':>6} {'run s':>6} {'ex.':>4} {'min':>4} {'stated':>7}")
    for row, path in zip(rows, notebook_paths(), strict=True):
        stated = stated_minutes(path)
        print(
            f"{row.name:34} {row.prose_words:6} {row.code_words:6} {row.code_cells:6} {row.run_seconds:6.1f} "
            f"{'yes' if row.exercise else 'no':>4} {row.minutes:4} {stated if stated is not None else '-':>7}"
        )
    core = [row for row in rows if row.name[:2] <= "06"]
    print(f"core path 00-06: {sum(r.prose_words for r in core)} words of prose, {sum(r.minutes for r in core)} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

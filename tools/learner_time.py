"""How long a notebook takes a learner: a model calibrated on measured newcomers.

    .venv/bin/python -m tools.learner_time                # each notebook's parts, its median and slowest quarter
    .venv/bin/python -m tools.learner_time --calibration  # the model against the readers' mean, and each reader
    .venv/bin/python -m tools.learner_time --fit          # the rates that fit the calibration data best
    .venv/bin/python -m tools.learner_time --restate      # after editing notebooks: each one's stated times,
                                                          # and 00-index's, rewritten to the model's

The model counts what a learner meets in a notebook's core (cells tagged ``optional`` or
``deeper``, folded ``<details>`` blocks and optional exercises are left out) and gives each a
cost. Its rates were fitted to the measurements in ``tools/learner_time_calibration.json``, four
fresh readers so far (each for the notebooks as they were at the commit recorded with it), with
the published reading rate for recaps and 5 seconds a cell held fixed:

- prose that brings something new (a section naming a `term` or **term** not met earlier on
  the path) at 105 words a minute; prose that only goes over what was met (every term already
  named, and every "Recap" section) at 238, Brysbaert's (2019) silent reading rate for English
  non-fiction;
- code (code cells, and fenced code in the prose) at 124 words a minute, and what the cells print
  at 70: a long printed output costs more a word than the code that printed it;
- each code cell 5 seconds to run and glance at, plus its run time as measured when the notebook
  was last executed (nbclient records it), and each widget it shows 30 seconds;
- the exercise by its size: 2.3 minutes, plus 0.5 for each statement of its solution
  (``solutions/…``, the file its ``%load`` line names; imports and docstrings left out);
- the Authorize detour, 1.9 minutes each time the prose asks the learner to click and approve in
  the browser ("Click … approve"): a new tab, the consent page, back, and the app catching up.

Fitted to the readers' mean: four readers of one kind disagree by up to 42 points of the model's
time on one notebook (05), so no set of rates keeps the model within 10% of each reader on every
notebook. The fit keeps each notebook's mean error over the readers who timed it, and each set of
exercises' mean over its readers, within 11.1% (9.9% with three readers; no rates do better with
four); rounded, the rates below keep it within 11.3%, tested at 12%. Each reader stays within 37%,
the mean's 12% plus the readers' own spread (one reader is at most 25 points from their mean: see
``Figure`` and the tests).

The slowest quarter of learners: the median times 110/78, the ratio of a facilitator's estimate
for a live room (median 78 minutes for 00-06, slowest quarter about 110). It stays: four readers
of one kind (helpers who know Python, reading alone) give no upper quartile of a room, whose
spread also holds people new to Python, logins and a facilitator's pace; their own spread sits
inside it (their totals for 00-06 are 0.90 to 1.20 times the model's, an upper quartile near 1.09
for readers like them, and their ranges' high ends 1.26 times their figures on average).

Each notebook states both near its top ("About N minutes (slowest quarter: M)"); the budget
tests fail when a statement and the model disagree, and the calibration test when the model
leaves the readers' mean by more than 12%, or a reader by more than 37%.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat

from tools.run_notebooks import NOTEBOOKS, ROOT, notebook_paths

CALIBRATION = Path(__file__).with_name("learner_time_calibration.json")

NEW_PROSE_WORDS_PER_MINUTE = 105
RECAP_PROSE_WORDS_PER_MINUTE = 238
CODE_WORDS_PER_MINUTE = 124
OUTPUT_WORDS_PER_MINUTE = 70
SECONDS_PER_CELL = 5
SECONDS_PER_WIDGET = 30
EXERCISE_MINUTES = 2.3
EXERCISE_MINUTES_PER_STATEMENT = 0.5
AUTHORIZE_MINUTES = 1.9
# The facilitator's estimate for 00-06 in a live room (issue 18): median 78, slowest quarter about 110. Kept with
# four readers measured: they give no room's upper quartile (see the module's docstring).
SLOWEST_QUARTER_RATIO = 110 / 78

_FENCE = re.compile(r"```.*?```", re.S)
_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\S*\w\S*")
_HEADING = re.compile(r"^#{1,6} (.*)", re.M)
_TERM = re.compile(r"`([^`\n]+)`|\*\*([^*\n]+)\*\*")
_AUTHORIZE = re.compile(r"\bClick\b[^.]*?\bapprove\b")
_LOAD = re.compile(r"%load (solutions/\S+\.py)")
_WIDGET = "application/vnd.jupyter.widget-view+json"
_REQUIRED_EXERCISE = re.compile(r"^## Exercise(?! \(optional\))", re.M)
STATED = re.compile(r"About (\d+) minutes \(slowest quarter: (\d+)\)")


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


def terms(markdown: str) -> set[str]:
    """What the prose names as a term: `code` and **bold**, outside fenced code and folds."""
    text = _FENCE.sub("", unfolded(markdown))
    return {(code or bold).strip().lower() for code, bold in _TERM.findall(text)}


def sections(markdown: str) -> list[str]:
    """The cell cut before each heading: a section's heading says whether it is a recap."""
    return [part for part in re.split(r"(?m)^(?=#{1,6} )", markdown) if part.strip()]


def kernel_seconds(cell: nbformat.NotebookNode) -> float:
    """How long the kernel took over a cell nbclient ran: from its execute_input to its execute_reply, both
    stamped by the kernel. KeyError for a cell nbclient did not run."""
    stamps = cell["metadata"]["execution"]
    # nbclient writes UTC as "...Z", which fromisoformat reads only from Python 3.11; the kit runs on 3.10 too.
    started, replied = (
        datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
        for key in ("iopub.execute_input", "shell.execute_reply")
    )
    return (replied - started).total_seconds()


def run_seconds(cell: nbformat.NotebookNode) -> float:
    """The cell's run time as nbclient recorded it (0 when it was never run by nbclient)."""
    try:
        return max(0.0, kernel_seconds(cell))
    except (KeyError, ValueError):
        return 0.0


def output_words_and_widgets(cell: nbformat.NotebookNode) -> tuple[int, int]:
    """What the cell printed, in words, and how many widgets it shows (as committed)."""
    words = widgets = 0
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            words += _words(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            if _WIDGET in data:
                widgets += 1
            elif "text/markdown" in data:
                words += _words(data["text/markdown"])
            elif "text/plain" in data:
                words += _words(data["text/plain"])
    return words, widgets


def statements(solution: str) -> int:
    """The size of an exercise: its solution's statements (and ``except`` clauses), without imports or docstrings."""
    count = 0
    for node in ast.walk(ast.parse(solution)):
        if isinstance(node, ast.ExceptHandler):
            count += 1
        elif isinstance(node, ast.stmt) and not isinstance(node, ast.Import | ast.ImportFrom):
            docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            count += not docstring
    return count


def has_required_exercise(notebook: nbformat.NotebookNode) -> bool:
    return any(
        cell.cell_type == "markdown" and is_core(cell) and _REQUIRED_EXERCISE.search(cell.source)
        for cell in notebook.cells
    )


# Cells a learner may skip: optional exercises and "Going further" material (see tools/learner_edition.py).
SKIPPABLE = frozenset({"optional", "deeper"})


def is_core(cell: nbformat.NotebookNode) -> bool:
    return not SKIPPABLE & set(cell.get("metadata", {}).get("tags", []))


@dataclass(frozen=True)
class Estimate:
    """What a notebook's core holds, counted, and the minutes the model gives it."""

    name: str
    new_prose_words: int
    recap_prose_words: int
    code_words: int
    output_words: int
    code_cells: int
    widgets: int
    run_seconds: float
    exercise_statements: int | None  # None: no required exercise
    authorize_detours: int

    @property
    def prose_words(self) -> int:
        return self.new_prose_words + self.recap_prose_words

    @property
    def exercise_minutes(self) -> float:
        if self.exercise_statements is None:
            return 0.0
        return EXERCISE_MINUTES + EXERCISE_MINUTES_PER_STATEMENT * self.exercise_statements

    @property
    def exact_minutes(self) -> float:
        """The median learner's minutes, unrounded."""
        return _fixed_minutes(self) + sum(rate * term for rate, term in zip(RATES, _free_terms(self), strict=True))

    @property
    def minutes(self) -> int:
        """The median learner's time, to the nearest minute: what the notebook states first."""
        return _nearest(self.exact_minutes)

    @property
    def minutes_without_exercise(self) -> int:
        """The median learner's time when the exercise is left for later (homework, in an agenda)."""
        return _nearest(self.exact_minutes - self.exercise_minutes)

    @property
    def slowest_quarter(self) -> int:
        """The slowest quarter's time (the facilitator's ratio), to the nearest minute."""
        return _nearest(self.exact_minutes * SLOWEST_QUARTER_RATIO)


def _nearest(minutes: float) -> int:
    return math.floor(minutes + 0.5)


def estimate_notebook(
    name: str, notebook: nbformat.NotebookNode, met: set[str], read_solution: Callable[[str], str]
) -> Estimate:
    """Count one notebook; ``met`` holds the terms named earlier on the path, and gains this notebook's."""
    new = recap = code_words = output = cells = widgets = detours = 0
    seconds = 0.0
    exercise: int | None = None
    required = has_required_exercise(notebook)
    heading = ""
    for cell in notebook.cells:
        if not is_core(cell):
            continue
        if cell.cell_type == "markdown":
            code_words += fenced_code_words(cell.source)
            detours += len(_AUTHORIZE.findall(_FENCE.sub("", unfolded(cell.source))))
            for part in sections(cell.source):
                found = _HEADING.match(part)
                heading = found.group(1) if found else heading
                named = terms(part)
                if named - met and not heading.startswith("Recap"):
                    new += prose_words(part)
                else:
                    recap += prose_words(part)
                met |= named
        elif cell.cell_type == "code":
            cells += 1
            code_words += _words(cell.source)
            seconds += run_seconds(cell)
            printed, shown = output_words_and_widgets(cell)
            output += printed
            widgets += shown
            load = _LOAD.search(cell.source)
            if required and exercise is None and load:
                exercise = statements(read_solution(load.group(1)))
    return Estimate(name, new, recap, code_words, output, cells, widgets, seconds, exercise, detours)


def estimate_path(
    notebooks: Iterable[tuple[str, nbformat.NotebookNode]], read_solution: Callable[[str], str]
) -> list[Estimate]:
    """Every notebook in order: what counts as new depends on what the notebooks before it named."""
    met: set[str] = set()
    return [estimate_notebook(name, notebook, met, read_solution) for name, notebook in notebooks]


def estimates() -> list[Estimate]:
    """The notebooks as they are in the working tree."""
    return estimate_path(
        ((path.name, nbformat.read(path, as_version=4)) for path in notebook_paths()),
        lambda relative: (NOTEBOOKS / relative).read_text(encoding="utf-8"),
    )


def estimate(path: Path) -> Estimate:
    """One notebook of the working tree (the notebooks before it decide what is new)."""
    return next(found for found in estimates() if found.name == path.name)


def _git(*args: str) -> str:
    found = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if found.returncode:
        raise RuntimeError(
            f"git {' '.join(args)}: {found.stderr.strip()} (a measurement's commit must be in this clone: "
            "`git fetch --unshallow` brings a shallow clone's history)"
        )
    return found.stdout


def _git_show(commit: str, path: str) -> str:
    return _git("show", f"{commit}:{path}")


def estimates_at(commit: str) -> list[Estimate]:
    """The notebooks as they were at a commit, read from git: what a measurement measured."""
    listing = _git("ls-tree", "--name-only", commit, "notebooks/").split()
    names = sorted(Path(path).name for path in listing if re.fullmatch(r"notebooks/\d\d-[^/]+\.ipynb", path))
    return estimate_path(
        ((name, nbformat.reads(_git_show(commit, f"notebooks/{name}"), as_version=4)) for name in names),
        lambda relative: _git_show(commit, f"notebooks/{relative}"),
    )


def stated_times(path: Path) -> tuple[int, int] | None:
    """The times a notebook states near its top: (median, slowest quarter)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells[:2]:
        found = STATED.search(cell.source)
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def stated_minutes(path: Path) -> int | None:
    """The median time a notebook states for itself."""
    stated = stated_times(path)
    return stated[0] if stated else None


# 00-index's line for a notebook: its link, then "about N minutes", with the slowest quarter for the core's.
_INDEX_LINE = re.compile(r"\]\((\d\d-[^)]+\.ipynb)\)([^\n\"\]]*?), about (\d+) minutes( \(slowest quarter: (\d+)\))?")
_CORE_TOTAL = re.compile(r"about (\d+) minutes for notebooks 00 to 06 \(slowest quarter: (\d+)\)")


def _index_line(found: re.Match[str], row: Estimate) -> str:
    slowest = f" (slowest quarter: {row.slowest_quarter})" if found.group(4) else ""
    return f"]({found.group(1)}){found.group(2)}, about {row.minutes} minutes{slowest}"


def restate() -> list[str]:
    """Rewrite the times the notebooks state to the model's: each notebook's own (the first statement in its
    file, near its top) and 00-index's line for each notebook and for the core path. The files are edited as
    text, so nothing else in them moves. README.md and docs/workshop.md are prose: the tests name what to
    change there. Returns the files changed."""
    rows = {row.name: row for row in estimates()}
    path = core(list(rows.values()))
    changed = []
    for name, row in rows.items():
        file = NOTEBOOKS / name
        text = file.read_text(encoding="utf-8")
        new = STATED.sub(f"About {row.minutes} minutes (slowest quarter: {row.slowest_quarter})", text, count=1)
        if name.startswith("00-"):
            new = _INDEX_LINE.sub(lambda found: _index_line(found, rows[found.group(1)]), new)
            new = _CORE_TOTAL.sub(
                f"about {sum(r.minutes for r in path)} minutes for notebooks 00 to 06 "
                f"(slowest quarter: {sum(r.slowest_quarter for r in path)})",
                new,
            )
        if new != text:
            file.write_text(new, encoding="utf-8")
            changed.append(name)
    return changed


def measurements() -> list[dict]:
    """The calibration data: every measurement, oldest first, each with its source, date and commit."""
    return json.loads(CALIBRATION.read_text(encoding="utf-8"))["measurements"]


@dataclass(frozen=True)
class Comparison:
    """One figure one reader measured, beside the model: fixed minutes plus the fitted rates times its terms."""

    notebook: str
    measured: float
    fixed: float
    terms: tuple[float, ...]  # what the rates of FITTED multiply, in FITTED's order

    @property
    def model(self) -> float:
        return self.fixed + sum(rate * term for rate, term in zip(RATES, self.terms, strict=True))

    @property
    def error(self) -> float:
        return self.model / self.measured - 1


def compare(measurement: dict) -> list[Comparison]:
    """The model on the notebooks the measurement timed (at its commit), beside the measured minutes."""
    found = {row.name[:2]: row for row in estimates_at(measurement["commit"])}
    timed = measurement["minutes"].items()
    rows = [
        Comparison(number, measured, _fixed_minutes(found[number]), tuple(_free_terms(found[number])))
        for number, measured in timed
    ]
    for number, measured in measurement.get("exercise_minutes", {}).items():
        rows.append(Comparison(f"{number} exercise", measured, 0.0, tuple(_free_terms(found[number], True))))
    return rows


@dataclass(frozen=True)
class Figure:
    """What the model is fitted to, and tested on, within 12%: the readers' mean.

    A notebook's figure is the mean of the model's relative errors against each reader who timed it (each
    on the notebook as it was at that reader's commit). A reader's exercises count as one figure, their
    minutes together: one exercise of two minutes, given to the half minute, is too coarse a figure alone
    (two of 01 to 04's took 2 minutes and 5 for the same size), while the sum still weighs small exercises
    against large ones. Readers who timed the same exercises (the second, third and fifth, 01 to 04) make one
    figure, their mean, as readers of the same notebook do.
    """

    name: str
    readers: tuple[Comparison, ...]  # one each, for the readers who timed it

    @property
    def error(self) -> float:
        return sum(reader.error for reader in self.readers) / len(self.readers)

    def linear(self) -> tuple[list[float], float]:
        """The error as (row, target): error == rates . row - target, a linear problem for the fit."""
        count = len(self.readers)
        row = [sum(r.terms[i] / r.measured for r in self.readers) / count for i in range(len(FITTED))]
        target = sum((r.measured - r.fixed) / r.measured for r in self.readers) / count
        return row, target


def figures(entries: list[dict], each_reader: bool = False) -> list[Figure]:
    """Every notebook any reader timed, then every set of exercises: the readers' mean of each, or with
    ``each_reader`` one figure for each reader. A reader's exercises are one figure, named by the notebooks
    whose exercises it timed ("exercises 01 02 03 04")."""
    notebooks: dict[str, list[Comparison]] = {}
    exercises: dict[str, list[Comparison]] = {}
    for entry in entries:
        rows = compare(entry)
        for row in rows:
            if not row.notebook.endswith("exercise"):
                notebooks.setdefault(row.notebook, []).append(row)
        alone = [row for row in rows if row.notebook.endswith("exercise")]
        if alone:
            terms = tuple(sum(row.terms[i] for row in alone) for i in range(len(FITTED)))
            measured = sum(row.measured for row in alone)
            name = "exercises " + " ".join(sorted(row.notebook[:2] for row in alone))
            exercises.setdefault(name, []).append(Comparison(name, measured, 0.0, terms))
    grouped = sorted(notebooks.items()) + list(exercises.items())
    if each_reader:
        return [Figure(name, (row,)) for name, rows in grouped for row in rows]
    return [Figure(name, tuple(rows)) for name, rows in grouped]


# Refitting ------------------------------------------------------------------------------------------
# The rates above are what these terms are multiplied by, fitted so that the largest relative error over every
# measured figure is as small as it can be (Lawson's iteratively reweighted least squares), then
# rounded. The recap rate (Brysbaert's) and the 5 seconds a cell are held fixed.
FITTED = (
    "min/new word",
    "min/code word",
    "min/printed word",
    "min/widget",
    "exercise min",
    "min/statement",
    "min/Authorize",
)
RATES = (
    1 / NEW_PROSE_WORDS_PER_MINUTE,
    1 / CODE_WORDS_PER_MINUTE,
    1 / OUTPUT_WORDS_PER_MINUTE,
    SECONDS_PER_WIDGET / 60,
    EXERCISE_MINUTES,
    EXERCISE_MINUTES_PER_STATEMENT,
    AUTHORIZE_MINUTES,
)


def _free_terms(row: Estimate, exercise_alone: bool = False) -> list[float]:
    """What the fitted rates multiply, in FITTED's order (the exercise alone, for an exercise's own time)."""
    if exercise_alone:
        return [0, 0, 0, 0, 1, row.exercise_statements or 0, 0]
    exercise = row.exercise_statements is not None
    return [
        row.new_prose_words,
        row.code_words,
        row.output_words,
        row.widgets,
        float(exercise),
        row.exercise_statements or 0,
        row.authorize_detours,
    ]


def _fixed_minutes(row: Estimate) -> float:
    """What the fixed rates give: recaps read at Brysbaert's rate, and the cells run."""
    seconds = row.code_cells * SECONDS_PER_CELL + row.run_seconds
    return row.recap_prose_words / RECAP_PROSE_WORDS_PER_MINUTE + seconds / 60


def _solve(rows: list[list[float]], targets: list[float]) -> list[float]:
    """Least squares by the normal equations (a handful of unknowns), Gauss-Jordan with pivoting."""
    size = len(rows[0])
    system = [
        [sum(r[i] * r[j] for r in rows) for j in range(size)]
        + [sum(r[i] * t for r, t in zip(rows, targets, strict=True))]
        for i in range(size)
    ]
    for i in range(size):
        pivot = max(range(i, size), key=lambda k: abs(system[k][i]))
        system[i], system[pivot] = system[pivot], system[i]
        for k in range(size):
            if k != i:
                factor = system[k][i] / system[i][i]
                system[k] = [a - factor * b for a, b in zip(system[k], system[i], strict=True)]
    return [system[i][size] / system[i][i] for i in range(size)]


def fit(entries: list[dict], rounds: int = 500, each_reader: bool = False) -> list[float]:
    """The rates of FITTED that keep the largest relative error over the figures of ``entries`` smallest
    (the readers' mean on each notebook, or with ``each_reader`` each reader's own figure)."""
    rows: list[list[float]] = []
    targets: list[float] = []
    for figure in figures(entries, each_reader):
        row, target = figure.linear()
        rows.append(row)
        targets.append(target)
    emphasis = [1.0] * len(rows)  # each figure's weight in the least squares, moved toward the worst fitted
    for _ in range(rounds):
        root = [e**0.5 for e in emphasis]
        rates = _solve(
            [[x * r for x in row] for row, r in zip(rows, root, strict=True)],
            [t * r for t, r in zip(targets, root, strict=True)],
        )
        errors = [
            abs(sum(rate * x for rate, x in zip(rates, row, strict=True)) - t)
            for row, t in zip(rows, targets, strict=True)
        ]
        total = sum(e * error for e, error in zip(emphasis, errors, strict=True)) or 1.0
        emphasis = [max(e * error / total, 1e-9) for e, error in zip(emphasis, errors, strict=True)]
    return rates


def core(rows: list[Estimate]) -> list[Estimate]:
    return [row for row in rows if row.name[:2] <= "06"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.learner_time", description=__doc__.splitlines()[0])
    parser.add_argument("--calibration", action="store_true", help="the model against each measurement")
    parser.add_argument("--fit", action="store_true", help="the weights that fit every measurement best, unrounded")
    parser.add_argument("--restate", action="store_true", help="rewrite the notebooks' stated times to the model's")
    arguments = parser.parse_args(argv)
    if arguments.restate:
        changed = restate()
        print("restated: " + (", ".join(changed) or "nothing (every notebook already states the model's times)"))
        return 0
    if arguments.fit:
        for name, weight in zip(FITTED, fit(measurements()), strict=True):
            per = f"  ({1 / weight:.0f} words a minute)" if "word" in name and weight > 0 else ""
            print(f"{name:18} {weight:8.4f}{per}")
        return 0
    if arguments.calibration:
        entries = measurements()
        for number, measurement in enumerate(entries, 1):
            print(
                f"reader {number}: {measurement['date']}  {measurement['source']}  (notebooks at "
                f"{measurement['commit'][:10]})"
            )
            for row in compare(measurement):
                print(f"  {row.notebook:12} measured {row.measured:5.1f}  model {row.model:5.1f}  {row.error:+6.1%}")
        print("the figures fitted (within 12%): each notebook's and each set of exercises' mean error over its readers")
        for figure in figures(entries):
            each = "  ".join(f"{row.error:+6.1%}" for row in figure.readers)
            print(f"  {figure.name:30} {figure.error:+6.1%}   (each: {each})")
        return 0
    rows = estimates()
    print(
        f"{'notebook':30} {'new':>5} {'recap':>5} {'code':>5} {'out':>5} {'cells':>5} {'wid.':>4} {'run s':>5} "
        f"{'ex.':>4} {'auth':>4} {'min':>5} {'slow':>4} {'stated':>7}"
    )
    for row in rows:
        stated = stated_times(NOTEBOOKS / row.name)
        print(
            f"{row.name:30} {row.new_prose_words:5} {row.recap_prose_words:5} {row.code_words:5} {row.output_words:5} "
            f"{row.code_cells:5} {row.widgets:4} {row.run_seconds:5.1f} "
            f"{'-' if row.exercise_statements is None else row.exercise_statements:>4} {row.authorize_detours:4} "
            f"{row.exact_minutes:5.1f} {row.slowest_quarter:4} {'/'.join(map(str, stated)) if stated else '-':>7}"
        )
    path = core(rows)
    print(
        f"core path 00-06: {sum(r.prose_words for r in path)} words of prose, "
        f"{sum(r.minutes for r in path)} min (slowest quarter {sum(r.slowest_quarter for r in path)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

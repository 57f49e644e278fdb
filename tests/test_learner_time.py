"""tools/learner_time.py, the model behind every time the kit states, against what was measured (issue 18).

The calibration data are kept with their source, date and the commit whose notebooks they timed;
the model is compared with each measurement on the notebooks as they were at that commit (read
from git), so cutting today's notebooks does not move the goalposts.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from tools import learner_time
from tools.learner_time import (
    SLOWEST_QUARTER_RATIO,
    Estimate,
    compare,
    estimate_path,
    measurements,
    statements,
)

TOLERANCE = 0.10
FIRST_READER = "fresh-reader-1"
# Issue 18's table, as the issue gives it: the first measurement must keep these figures. A new
# measurement is a new entry in the file; it never replaces one.
ISSUE_18 = {
    "commit": "fc02f82888a2be1c5facb260d3c111a3b3a29a61",
    "minutes": {
        **{"00": 6, "01": 10, "02": 13, "03": 12, "04": 12, "05": 11, "06": 16},
        **{"07": 16, "08": 20, "09": 14, "10": 20},
    },
    "exercise_minutes": {"06": 7, "08": 12},
}


def test_every_measurement_says_where_it_comes_from():
    entries = measurements()
    assert len({entry["id"] for entry in entries}) == len(entries)
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["date"]), entry["id"]
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"]), entry["id"]
        assert entry["source"] and entry["who"], entry["id"]
        assert all(re.fullmatch(r"\d\d", number) for number in entry["minutes"]), entry["id"]


def test_the_first_measurement_is_kept_as_issue_18_gave_it():
    (first,) = [entry for entry in measurements() if entry["id"] == FIRST_READER]
    assert {key: first[key] for key in ISSUE_18} == ISSUE_18


@pytest.mark.parametrize("measurement", measurements(), ids=lambda entry: entry["id"])
def test_the_model_reproduces_each_measured_notebook_within_10_percent(measurement):
    rows = compare(measurement)
    assert len(rows) == len(measurement["minutes"]) + len(measurement.get("exercise_minutes", {}))
    off = {row.notebook: f"{row.model:.1f} min for {row.measured:g} ({row.error:+.0%})" for row in rows}
    assert all(abs(row.error) <= TOLERANCE for row in rows), (
        f"notebooks at {measurement['commit'][:10]}: {off}. Refit (python -m tools.learner_time --calibration)"
    )


def test_the_slowest_quarter_is_the_facilitators_ratio():
    calibration = learner_time.json.loads(learner_time.CALIBRATION.read_text(encoding="utf-8"))
    (estimate,) = [entry for entry in calibration["estimates"] if entry["id"] == "facilitator-live-room-1"]
    assert SLOWEST_QUARTER_RATIO == estimate["slowest_quarter_minutes"] / estimate["median_minutes"]
    row = Estimate("x", 0, 0, 0, 0, 0, 0, 600.0, None, 0)  # ten minutes of running cells, nothing else
    assert (row.minutes, row.slowest_quarter) == (10, 14)


def test_new_concepts_read_slower_than_recaps():
    assert learner_time.NEW_PROSE_WORDS_PER_MINUTE < learner_time.RECAP_PROSE_WORDS_PER_MINUTE
    assert learner_time.RECAP_PROSE_WORDS_PER_MINUTE == 238  # Brysbaert (2019), the one rate not fitted


# What the model counts, on small notebooks ----------------------------------------------------------


def notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    made = nbformat.v4.new_notebook()
    made.cells = list(cells)
    return made


def md(source: str, tag: str = "core") -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": [tag]})


def code(source: str, tag: str = "core", outputs: list | None = None) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": [tag]}, outputs=outputs or [])


SOLUTION = '''"""A docstring is no statement."""
import base64


def first_time(code, used):
    try:
        used.add(code)
    except TypeError:
        return False
    return True
'''


def test_an_exercise_weighs_by_its_solutions_statements():
    assert statements(SOLUTION) == 6  # def, try, the call, the except clause, two returns
    assert statements("my_url = 'https://x'\n") == 1


def test_prose_naming_a_new_term_is_new_and_the_rest_is_recap():
    first = notebook(md("## Step\n\nThe `state` names an attempt."))
    second = notebook(
        md("## Step\n\nThe `state` again, known words."),
        md("## Step two\n\nA new `verifier` here."),
        md("## Recap\n\nThe `challenge` is new, yet a recap."),
    )
    one, two = estimate_path([("00-a.ipynb", first), ("01-b.ipynb", second)], lambda name: "")
    assert (one.new_prose_words, one.recap_prose_words) == (6, 0)
    assert (two.new_prose_words, two.recap_prose_words) == (6, 14)


def test_the_core_exercise_outputs_widgets_and_the_authorize_detour_are_counted():
    widget = nbformat.v4.new_output(
        "display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "Button()"}
    )
    printed = nbformat.v4.new_output("stream", name="stdout", text="handed_over used_state\n")
    found = estimate_path(
        [
            (
                "02-x.ipynb",
                notebook(
                    md("Click it and\napprove in the new tab."),
                    code("button", outputs=[widget]),
                    code("print(answer)", outputs=[printed]),
                    md("## Exercise · by hand"),
                    code("# %load solutions/02-x.py\nmy_value = ..."),
                    md("### Exercise (optional) · more"),
                    code("# %load solutions/02-more.py", tag="optional"),
                ),
            )
        ],
        lambda name: {"solutions/02-x.py": SOLUTION}[name],
    )[0]
    assert (found.widgets, found.output_words, found.authorize_detours) == (1, 2, 1)
    assert found.code_cells == 3 and found.exercise_statements == 6
    assert found.exercise_minutes == learner_time.EXERCISE_MINUTES + 6 * learner_time.EXERCISE_MINUTES_PER_STATEMENT


def test_a_notebook_without_a_required_exercise_spends_no_exercise_time():
    found = estimate_path([("05-x.ipynb", notebook(md("### Exercise (optional) · later")))], lambda name: "")[0]
    assert found.exercise_statements is None and found.exercise_minutes == 0


def test_the_rates_are_the_fit_rounded():
    fitted = dict(zip(learner_time.FITTED, learner_time.fit(measurements()), strict=True))
    used = {
        "min/new word": 1 / learner_time.NEW_PROSE_WORDS_PER_MINUTE,
        "min/code word": 1 / learner_time.CODE_WORDS_PER_MINUTE,
        "min/printed word": 1 / learner_time.OUTPUT_WORDS_PER_MINUTE,
        "min/widget": learner_time.SECONDS_PER_WIDGET / 60,
        "exercise min": learner_time.EXERCISE_MINUTES,
        "min/statement": learner_time.EXERCISE_MINUTES_PER_STATEMENT,
        "min/Authorize": learner_time.AUTHORIZE_MINUTES,
    }
    off = {
        name: f"{used[name]:.4f} for {fitted[name]:.4f}" for name in used if abs(used[name] / fitted[name] - 1) > 0.05
    }
    assert not off, f"rates more than 5% from the fit (python -m tools.learner_time --fit): {off}"

"""tools/learner_time.py, the model behind every time the kit states, against what was measured (issue 18).

The calibration data are kept with their source, date and the commit whose notebooks they timed;
the model is compared with each measurement on the notebooks as they were at that commit (read
from git), so cutting today's notebooks does not move the goalposts.

Two readers now, and no rates keep the model within 10% of both on every notebook (the test below
says so, and should fail the day some do: then fit each reader again). So the model is fitted to,
and held within 10% of, the readers' mean: for each notebook, the mean of its relative errors over
the readers who timed it, and each reader's exercises taken together. Each reader alone is held
within 20% on every notebook: the two readers themselves are up to 25 points of the model's time
apart on one notebook (06), so a single reader's figure is no closer a target than that. Single
exercises are printed by ``--calibration`` but held to no bound: the second reader's 01 and 02
exercises have the same size (two statements) and took 2 and 5 minutes (one try, three tries).
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
    figures,
    fit,
    measurements,
    statements,
)

MEAN_TOLERANCE = 0.10
EACH_READER_TOLERANCE = 0.20
FIRST_READER = "fresh-reader-1"
SECOND_READER = "fresh-reader-2"
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
# The second fresh reader's report, on the learner edition of 00-06 (05: 6, or 7 with later_session.py opened).
SECOND = {
    "date": "2026-12-02",
    "source": "second fresh reader, helper reading the learner edition as a newcomer, estimates per notebook",
    "commit": "36ec5930a430e04c57d7838c9f919bc84e71a618",
    "minutes": {"00": 6, "01": 8, "02": 13, "03": 11, "04": 10, "05": 6, "06": 10},
    "exercise_minutes": {"01": 2, "02": 5, "03": 2, "04": 2.5},
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
    assert measurements()[0]["id"] == FIRST_READER, "added after it, never in its place"


def test_the_second_reader_is_added_with_its_method():
    (second,) = [entry for entry in measurements() if entry["id"] == SECOND_READER]
    assert {key: second[key] for key in SECOND} == SECOND
    assert "estimate" in second["method"] and "learner edition" in second["method"]


def describe(rows) -> dict[str, str]:
    return {row.notebook: f"{row.model:.1f} min for {row.measured:g} ({row.error:+.0%})" for row in rows}


def test_the_model_fits_the_readers_mean_within_10_percent():
    found = figures(measurements())
    off = {figure.name: f"{figure.error:+.1%}" for figure in found if abs(figure.error) > MEAN_TOLERANCE}
    assert not off, f"the readers' mean, off by more than 10%: {off}. Refit (python -m tools.learner_time --fit)"
    numbers = {figure.name for figure in found}
    assert {f"{n:02}" for n in range(11)} <= numbers and {f"exercises of {FIRST_READER}"} <= numbers


@pytest.mark.parametrize("measurement", measurements(), ids=lambda entry: entry["id"])
def test_each_reader_is_within_20_percent_on_every_notebook(measurement):
    rows = [row for row in compare(measurement) if not row.notebook.endswith("exercise")]
    assert len(rows) == len(measurement["minutes"])
    assert all(abs(row.error) <= EACH_READER_TOLERANCE for row in rows), (
        f"notebooks at {measurement['commit'][:10]}: {describe(rows)} (python -m tools.learner_time --calibration)"
    )


def test_no_rates_fit_every_reader_within_10_percent():
    """Why the fit is to the mean: the best rates for each reader alone still miss one by more than 10%."""
    entries = measurements()
    saved = learner_time.RATES
    try:
        learner_time.RATES = tuple(fit(entries, each_reader=True))
        worst = max(abs(figure.error) for figure in figures(entries, each_reader=True))
    finally:
        learner_time.RATES = saved
    assert worst > MEAN_TOLERANCE, (
        f"rates now fit every reader within {worst:.1%}: fit each reader again instead of their mean"
    )


def test_the_slowest_quarter_is_the_facilitators_ratio():
    calibration = learner_time.json.loads(learner_time.CALIBRATION.read_text(encoding="utf-8"))
    (estimate,) = [entry for entry in calibration["estimates"] if entry["id"] == "facilitator-live-room-1"]
    assert SLOWEST_QUARTER_RATIO == estimate["slowest_quarter_minutes"] / estimate["median_minutes"]
    row = Estimate("x", 0, 0, 0, 0, 0, 0, 600.0, None, 0)  # ten minutes of running cells, nothing else
    assert (row.minutes, row.slowest_quarter) == (10, 14)


def test_the_two_readers_spread_sits_inside_the_slowest_quarters_ratio():
    """Kept with two readers: they are of one kind and give no room's upper quartile; their spread does not contradict
    the ratio (each reader's 00-06 within it of the model, and the second reader's own range too)."""
    for measurement in measurements():
        rows = [row for row in compare(measurement) if row.notebook <= "06" and not row.notebook.endswith("exercise")]
        ratio = sum(row.measured for row in rows) / sum(row.model for row in rows)
        assert 1 / SLOWEST_QUARTER_RATIO < ratio < SLOWEST_QUARTER_RATIO, (measurement["id"], ratio)
    (second,) = [entry for entry in measurements() if entry["id"] == SECOND_READER]
    assert second["total"]["high"] / second["total"]["about"] < SLOWEST_QUARTER_RATIO
    decision = learner_time.json.loads(learner_time.CALIBRATION.read_text(encoding="utf-8"))["slowest_quarter"]
    assert "110/78" in decision and "kept" in decision


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

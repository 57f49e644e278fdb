"""tools/learner_time.py, the model behind every time the kit states, against what was measured (issue 18).

The calibration data are kept with their source, date and the commit whose notebooks they timed;
the model is compared with each measurement on the notebooks as they were at that commit (read
from git), so cutting today's notebooks does not move the goalposts.

Four readers recorded now, all of one kind (helpers who know Python, new to OAuth, reading alone), and
they disagree: on 05 the model is 14% over the first and 28% under the third. No rates keep the model
within 10% of each reader on every notebook (the test below says so, and should fail the day some do).
So the model is fitted to the readers' mean: for each notebook, the mean of its relative errors over
the readers who timed it, and for each set of exercises (the second, third and fifth readers timed the
same four) the mean over its readers. With three readers the best rates held that mean within 9.9%,
issue 18's 10%; the fifth reader (after the cut to 52 minutes) took the best to 11.1%, and no set of
rates does better: a fixed minutes-a-notebook term would reach 9.2% only with a negative prose rate,
which is no model of reading. Rounded (whole words a minute, whole seconds, exercise minutes to a
twentieth), the rates the kit uses hold the mean within 11.3%, tested at 12%.

Each reader alone is held to a bound derived from the readers' own spread: the farthest one reader
sits from the readers' mean on one notebook is 25 points of the model's time (the first on 05), a
spread as wide as one reader's own range (the fifth put 05 at 4-9 minutes for 6, 02 at 8-16 for 11).
A reader is therefore held within the mean's 12% plus that spread, 25 points: 37%. The spread is
tested too, both ways: a new reader farther from the others fails it (revisit the bound), and so
does one that brings them closer (tighten it). Single exercises are printed by ``--calibration`` but
held to no bound: the second reader's 01 and 02 exercises have the same size (two statements) and
took 2 and 5 minutes (one try, three tries).
"""

from __future__ import annotations

import math
import re
import statistics

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

BEST_FIT_TOLERANCE = 0.115  # the best rates on four readers' mean: 11.1% (issue 18 asked 10%; three readers gave 9.9%)
MEAN_TOLERANCE = 0.12  # the rounded rates on the readers' mean: four readers' best fit misses by 11.1%, rounded 11.3%
READER_SPREAD = 0.25  # the farthest a reader sits from the readers' mean on one notebook (24.7 points), rounded up
EACH_READER_TOLERANCE = MEAN_TOLERANCE + READER_SPREAD
FIRST_READER = "fresh-reader-1"
SECOND_READER = "fresh-reader-2"
THIRD_READER = "fresh-reader-3"
FIFTH_READER = "fresh-reader-5"  # a fourth was taken but its record lost: see its entry's source
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
# The third fresh reader's report, on the learner edition of 00-06 after the cut to 59 minutes (issue 18, part 3).
THIRD = {
    "commit": "a11b6176d0be3b95ce7ee0aff620fbe96bfd76d9",
    "minutes": {"00": 6, "01": 10, "02": 13, "03": 15, "04": 13, "05": 8, "06": 12},
    "exercise_minutes": {"01": 2, "02": 4, "03": 3, "04": 3},
    "total": {"about": 77, "low": 65, "high": 95},
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


def test_the_third_reader_is_added_after_the_others():
    entries = measurements()
    assert [entry["id"] for entry in entries[:3]] == [FIRST_READER, SECOND_READER, THIRD_READER]
    third = entries[2]
    assert {key: third[key] for key in THIRD} == THIRD
    assert set(third["ranges"]) == set(third["minutes"])
    assert all(low <= third["minutes"][n] <= high for n, (low, high) in third["ranges"].items())


def describe(rows) -> dict[str, str]:
    return {row.notebook: f"{row.model:.1f} min for {row.measured:g} ({row.error:+.0%})" for row in rows}


def test_the_model_fits_the_readers_mean_within_12_percent():
    found = figures(measurements())
    off = {figure.name: f"{figure.error:+.1%}" for figure in found if abs(figure.error) > MEAN_TOLERANCE}
    assert not off, f"the readers' mean, off by more than 12%: {off}. Refit (python -m tools.learner_time --fit)"
    numbers = {figure.name for figure in found}
    assert {f"{n:02}" for n in range(11)} <= numbers
    assert {"exercises 06 08", "exercises 01 02 03 04"} <= numbers
    (shared,) = [figure for figure in found if figure.name == "exercises 01 02 03 04"]
    assert len(shared.readers) == 3, "the second, third and fifth readers timed the same exercises: one figure"


def test_the_best_rates_fit_the_readers_mean_as_closely_as_the_readers_allow():
    """The fit itself, unrounded: 9.9% with three readers, 11.1% with the fifth (no rates do better)."""
    entries = measurements()
    saved = learner_time.RATES
    try:
        learner_time.RATES = tuple(fit(entries))
        worst = max(abs(figure.error) for figure in figures(entries))
    finally:
        learner_time.RATES = saved
    assert worst <= BEST_FIT_TOLERANCE, f"the best rates miss the readers' mean by {worst:.1%}"


def test_the_readers_spread_is_what_the_bound_says():
    """The readers' own spread: the farthest one sits from their mean on a notebook (or a set of exercises)."""
    deviations = {
        f"{figure.name}, reader {number}": row.error - figure.error
        for figure in figures(measurements())
        if len(figure.readers) > 1
        for number, row in enumerate(figure.readers, 1)
    }
    farthest = max(deviations, key=lambda name: abs(deviations[name]))
    spread = abs(deviations[farthest])
    assert spread <= READER_SPREAD, f"{farthest}: {spread:.1%} from the readers' mean; revisit READER_SPREAD"
    assert spread > READER_SPREAD - 0.03, f"the readers now agree within {spread:.1%}: tighten READER_SPREAD"


@pytest.mark.parametrize("measurement", measurements(), ids=lambda entry: entry["id"])
def test_each_reader_is_within_the_mean_plus_the_readers_spread(measurement):
    rows = [row for row in compare(measurement) if not row.notebook.endswith("exercise")]
    assert len(rows) == len(measurement["minutes"])
    exercises = [figure for figure in figures([measurement], each_reader=True) if figure.name.startswith("exercises")]
    assert all(abs(row.error) <= EACH_READER_TOLERANCE for row in rows + [f.readers[0] for f in exercises]), (
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
    assert worst > BEST_FIT_TOLERANCE, (
        f"rates now fit every reader within {worst:.1%}: fit each reader again instead of their mean"
    )


def test_the_slowest_quarter_is_the_facilitators_ratio():
    calibration = learner_time.json.loads(learner_time.CALIBRATION.read_text(encoding="utf-8"))
    (estimate,) = [entry for entry in calibration["estimates"] if entry["id"] == "facilitator-live-room-1"]
    assert SLOWEST_QUARTER_RATIO == estimate["slowest_quarter_minutes"] / estimate["median_minutes"]
    row = Estimate("x", 0, 0, 0, 0, 0, 0, 600.0, None, 0)  # ten minutes of running cells, nothing else
    assert (row.minutes, row.slowest_quarter) == (10, 14)


def test_the_readers_spread_sits_inside_the_slowest_quarters_ratio():
    """Kept with four readers: they are of one kind and give no room's upper quartile, and their spread does not
    contradict the ratio: each reader's 00-06 within it of the model, the upper quartile their spread implies
    (the median times exp(0.674 sd) of their totals' logs, about 1.09), and their own ranges' high ends on
    average (72 for 64, 95 for 77, 89 for 62: 1.26). One reader's high end passes it (the fifth's 89 for 62,
    1.44): one reader's upper guess, not a quartile."""
    ratios = []
    highs = []
    for measurement in measurements():
        rows = [row for row in compare(measurement) if row.notebook <= "06" and not row.notebook.endswith("exercise")]
        ratio = sum(row.measured for row in rows) / sum(row.model for row in rows)
        assert 1 / SLOWEST_QUARTER_RATIO < ratio < SLOWEST_QUARTER_RATIO, (measurement["id"], ratio)
        ratios.append(ratio)
        if "total" in measurement:
            highs.append(measurement["total"]["high"] / measurement["total"]["about"])
    assert len(ratios) >= 4
    implied = math.exp(0.674 * statistics.stdev(math.log(ratio) for ratio in ratios))
    assert implied < SLOWEST_QUARTER_RATIO, f"the readers' spread implies an upper quartile of {implied:.2f}"
    average = statistics.mean(highs)
    assert average < SLOWEST_QUARTER_RATIO, f"the readers' high ends average {average:.2f} of their figures"
    decision = learner_time.json.loads(learner_time.CALIBRATION.read_text(encoding="utf-8"))["slowest_quarter"]
    assert "110/78" in decision and "kept" in decision and FIFTH_READER in decision


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

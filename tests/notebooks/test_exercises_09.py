"""09-your-stripe-app: the solution passes; each wrong choice is named with its reason."""

from __future__ import annotations

import runpy

from exercises.stripe_app import check_connect_src

from tools.run_notebooks import NOTEBOOKS


def test_the_solution_passes():
    solution = runpy.run_path(str(NOTEBOOKS / "solutions" / "09-your-stripe-app.py"))
    feedback = check_connect_src(solution["my_connect_src"])
    assert feedback.passed, feedback


def test_not_started():
    assert "Replace the ..." in repr(check_connect_src(...))


def test_a_missing_fetch_and_a_navigation_are_each_named():
    said = repr(check_connect_src({"the code exchange", "the refresh", "the authorization link"}))
    assert "Missing: Log out's revocation" in said
    assert "Not needed: The authorization link is not fetched" in said


def test_the_secret_store_needs_no_entry():
    said = repr(
        check_connect_src(
            {"the code exchange", "the refresh", "log out's revocation", "saving the token in the Secret Store"}
        )
    )
    assert "createHttpClient()" in said


def test_a_misspelt_name_is_named():
    said = repr(check_connect_src({"code exchange"}))
    assert "'code exchange' is not one of the names" in said


def test_not_a_set():
    assert "not str" in repr(check_connect_src("the code exchange"))

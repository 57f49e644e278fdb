"""06-the-whole-app: the fixed effect passes; each bug of the page's effect gets its own message."""

from __future__ import annotations

import runpy

import pytest
from exercises.whole_app import check_handle_context

from helpers.secret_store import SecretScope
from tools.run_notebooks import NOTEBOOKS


def solution() -> dict:
    return runpy.run_path(str(NOTEBOOKS / "solutions" / "06-the-whole-app.py"))


def test_the_solution_passes():
    feedback = check_handle_context(solution()["my_handle_context"])
    assert feedback.passed, feedback


def page_effect(context, used_codes, user_id, exchange, save):
    """The page's effect as the notebook shows it: three bugs."""
    if context.code and context.verifier:
        token = exchange(context.code, context.verifier)
        save({"type": "account"}, token)
        return token
    return None


def test_the_page_effect_gets_all_three_messages():
    said = repr(check_handle_context(page_effect))
    assert "exchanged its code twice" in said
    assert "account scope" in said
    assert "without expires_at" in said


def fixed(*, guard="codes", scope="user", expires="token", order="code-first", skip_errors=True, returns=True):
    """The solution with one thing changed, to check that each change is named."""

    def handle(context, used_codes, user_id, exchange, save):
        if skip_errors and (context.error or not context.code):
            return None
        if guard == "codes" and context.code in used_codes:
            return None
        if guard == "flag" and used_codes:
            return None
        used_codes.add(context.code)
        arguments = (context.code, context.verifier) if order == "code-first" else (context.verifier, context.code)
        token = exchange(*arguments)
        where = {
            "user": {"type": "user", "user": user_id},
            "other": {"type": "user", "user": "usr_other"},
            "account": {"type": "account"},
            "id": user_id,
            "object": SecretScope.for_user(user_id),
        }[scope]
        at = {"token": token.usable_until, "access": token.expires_at, "relative": 3600, "none": None}[expires]
        save(where, token, expires_at=at)
        return token if returns else None

    return handle


@pytest.mark.parametrize(
    "handle, says",
    [
        (..., "Replace the ..."),
        ("not a function", "should be a function"),
        (lambda context: None, "takes the five arguments"),
        (fixed(guard="none"), "exchanged its code twice"),
        (fixed(guard="flag"), "A new code (after Log out"),
        (fixed(scope="account"), "account scope"),
        (fixed(scope="other"), "not the one of the user"),
        (fixed(scope="id"), "not str"),
        (fixed(scope="object"), "a dict"),
        (fixed(expires="access"), "the access token's expiry"),
        (fixed(expires="none"), "without expires_at"),
        (fixed(expires="relative"), "not a number of seconds"),
        (fixed(order="verifier-first"), "code first, then the verifier"),
        (fixed(skip_errors=False), "error='access_denied'"),
        (fixed(returns=False), "Return the token"),
    ],
)
def test_each_mistake_is_named(handle, says):
    feedback = check_handle_context(handle)
    assert not feedback.passed and says in repr(feedback), repr(feedback)


def test_a_crash_is_reported_not_raised():
    def crashes(context, used_codes, user_id, exchange, save):
        return context.cod

    feedback = check_handle_context(crashes)
    assert not feedback.passed and "raised AttributeError" in repr(feedback)


def test_raising_the_kits_error_for_a_denied_context_is_fine():
    fixed_solution = solution()["my_handle_context"]

    def strict(context, used_codes, user_id, exchange, save):
        context.code_and_verifier()  # raises OAuthError('access_denied') for a denied context
        return fixed_solution(context, used_codes, user_id, exchange, save)

    assert check_handle_context(strict).passed

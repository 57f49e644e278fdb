"""06-the-whole-app: fix the app's effect on oauthContext (exchange once, save in the user's scope, with expiry).

The learner's function is run against a fake provider and a fake Secret Store that
record what it does, in the situations a real app meets: an oauthContext, the same one
handed again (stripe/stripe-apps#649), a denied one, and a new one after Log out.
"""

from __future__ import annotations

from typing import Any

from helpers.context import OAuthContext
from helpers.errors import KitError, OAuthError
from helpers.secret_store import SecretScope
from helpers.tokens import TokenData

from .feedback import Feedback, check, not_a_function, not_started, records_pass

USER = "usr_learner01"
NOW = 1_900_000_000
LIFETIME = 3600
REFRESH_LIFETIME = 30 * 24 * 3600
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
FIRST = OAuthContext(code="first-code-Qm9vZ2llV29vZ2ll", verifier=VERIFIER)
SECOND = OAuthContext(code="second-code-Q29kZTEyMzQ1Njc", verifier=VERIFIER)
DENIED = OAuthContext(error="access_denied")
PARAMETERS = ("context", "used_codes", "user_id", "exchange", "save")


def _token(code: str) -> TokenData:
    return TokenData(
        f"access-for-{code}", "Bearer", NOW + LIFETIME, f"refresh-for-{code}", "files.read", NOW + REFRESH_LIFETIME
    )


class _Provider:
    """Issues one token per code; a code used twice is refused, as a real provider does."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any]] = []
        self.spent: set[str] = set()

    def exchange(self, code: str, verifier: str) -> TokenData:
        self.calls.append((code, verifier))
        if not code or not verifier:
            raise OAuthError("invalid_request", "code and code_verifier are required")
        if verifier != VERIFIER or code not in (FIRST.code, SECOND.code):
            raise OAuthError("invalid_grant", "the code and the verifier do not match")
        if code in self.spent:
            raise OAuthError("invalid_grant", "this authorization code was already used")
        self.spent.add(code)
        return _token(code)


class _SecretStore:
    def __init__(self) -> None:
        self.saves: list[tuple[Any, Any, Any]] = []

    def save(self, scope: Any = None, token: Any = None, expires_at: Any = None) -> None:
        self.saves.append((scope, token, expires_at))


@records_pass("06")
def check_handle_context(handle: object, user_id: str = USER) -> Feedback:
    """Run ``handle(context, used_codes, user_id, exchange, save)`` through a whole session and say what to fix."""
    if handle is ...:
        return not_started("your fixed function (def my_handle_context(...): ...)")
    problem = not_a_function(
        handle,
        "my_handle_context should be a function",
        call=(PARAMETERS, {}),
        wrong_signature=f"The function takes the five arguments {', '.join(PARAMETERS)}, in that order.",
    )
    if problem is not None:
        return problem

    provider, store, used_codes = _Provider(), _SecretStore(), set()
    points: list[str] = []

    def run(context: OAuthContext) -> tuple[Any, Exception | None]:
        try:
            return handle(context, used_codes, user_id, provider.exchange, store.save), None
        except Exception as error:  # what the learner's code raised, named in the feedback
            return None, error

    # 1. The first oauthContext: exchange its code, save the token, return it.
    result, error = run(FIRST)
    first_calls = list(provider.calls)
    if first_calls == [(FIRST.verifier, FIRST.code)]:
        points.append("exchange takes the code first, then the verifier: exchange(context.code, context.verifier).")
    elif not first_calls:
        points.append("The first oauthContext was not exchanged: call exchange(context.code, context.verifier).")
    if error is not None and not isinstance(error, KitError):
        points.append(f"On the first oauthContext your function raised {type(error).__name__}: {error}")
    token = _token(FIRST.code)
    if first_calls == [(FIRST.code, FIRST.verifier)]:
        points += _save_problems(store.saves, token, user_id)
        if result != token:
            points.append("Return the token that exchange gave you, so the app can show it.")

    # 2. The same oauthContext again, as the Dashboard hands it until the page reloads.
    before = len(provider.calls)
    _, error = run(FIRST)
    if len(provider.calls) > before:
        points.append(
            "The same oauthContext came twice and your function exchanged its code twice. The "
            "Dashboard keeps handing it until the page reloads (stripe/stripe-apps#649) and a code "
            "works once: the provider refuses the second exchange and may revoke the first token. "
            "Skip codes already in used_codes."
        )
    elif error is not None and not isinstance(error, KitError):
        points.append(f"On the repeated oauthContext your function raised {type(error).__name__}: {error}")

    # 3. The user denied: an error and no code.
    before = len(provider.calls)
    _, error = run(DENIED)
    if len(provider.calls) > before:
        points.append(
            "The oauthContext with error='access_denied' has no code, yet your function called "
            "exchange: check context.error (or context.ok) first."
        )
    elif error is not None and not isinstance(error, KitError):
        points.append(
            f"On the denied oauthContext your function raised {type(error).__name__}: {error}. "
            "Return None (or raise the kit's OAuthError, as context.code_and_verifier() does)."
        )

    # 4. Log out, authorize again: a new code must be exchanged.
    before = len(provider.calls)
    run(SECOND)
    if first_calls and len(provider.calls) == before:
        points.append(
            "A new code (after Log out and a new authorization) was not exchanged: remember which "
            "codes you used (used_codes.add(code)), not merely that you used one."
        )
    return check(
        points,
        "The app exchanges each code once, and saves the token in the user's scope with "
        "its expiry: the bugs of the page's effect are fixed.",
    )


def _save_problems(saves: list[tuple[Any, Any, Any]], token: TokenData, user_id: str) -> list[str]:
    if not saves:
        return ["The token was not saved: call save(scope, token, expires_at=...) so a later session finds it."]
    scope, saved, expires_at = saves[0]
    right = {"type": "user", "user": user_id}
    points = []
    if isinstance(scope, SecretScope):
        points.append(f"save takes the scope as the Secret Store API does, a dict: {right!r}.")
    elif not isinstance(scope, dict):
        points.append(
            f"save's first argument is the Secret Store scope, a dict such as {right!r}, not {type(scope).__name__}."
        )
    elif scope.get("type") == "account":
        points.append(
            "The token was saved in the account scope: every user of the account would share it, and "
            f"each new sign-in would overwrite the last. Use the user's scope, {right!r}."
        )
    elif scope != right:
        points.append(
            f"The token was saved in the scope {scope!r}, not the one of the user the app runs for: {right!r}."
        )
    if saved != token:
        points.append("Save the TokenData that exchange returned (save(scope, token, ...)).")
    if expires_at is None:
        points.append(
            "The token was saved without expires_at: the secret would outlive the token. Pass "
            "expires_at=token.usable_until, so the Secret Store deletes it once the token is worth nothing."
        )
    elif expires_at == LIFETIME:
        points.append("expires_at is a Unix time, not a number of seconds (that is expires_in): token.usable_until.")
    elif expires_at == token.expires_at:
        points.append(
            "That is the access token's expiry: the secret, and the refresh token in it, would go within "
            "the hour. Use token.usable_until, the refresh token's expiry (notebook 04)."
        )
    elif expires_at != token.usable_until:
        points.append("expires_at should be when the saved token is worth nothing: token.usable_until.")
    return points

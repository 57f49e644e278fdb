"""05-find-secret: a ``token_or_none(client, scope)`` that tells "no token yet" from a real failure.

The check runs the learner's function three times against the Secret Store it is given:
with a token saved, with none saved, and on another user's scope (which Stripe refuses
with 403). It leaves the scope as it found it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import stripe

from helpers.errors import SecretNotFoundError, SecretPermissionError, SecretStoreError
from helpers.redact import redact_text
from helpers.secret_store import TOKEN_SECRET_NAME, SecretScope, delete_secret, save_secret, save_token
from helpers.tokens import TokenData

from .feedback import Feedback, check, not_a_function, not_started, records_pass

OTHER_USER = "usr_someoneelse05"


@records_pass("05")
def check_token_or_none(
    token_or_none: Any,
    *,
    client: stripe.StripeClient,
    scope: SecretScope,
    token: TokenData,
    other_user: str = OTHER_USER,
) -> Feedback:
    """Does ``token_or_none`` return the token, None when there is none, and raise any other failure?"""
    if token_or_none is ...:
        return not_started("a function: def my_token_or_none(client, scope): ...")
    problem = not_a_function(
        token_or_none, "my_token_or_none should be a function (def my_token_or_none(client, scope): ...)"
    )
    if problem is not None:
        return problem
    before = _saved(client, scope)
    try:
        save_token(client, scope, token)
        points = _with_a_token(token_or_none, client, scope, token)
        delete_secret(client, scope, TOKEN_SECRET_NAME)
        points += _without_a_token(token_or_none, client, scope)
        points += _when_refused(token_or_none, client, SecretScope.for_user(other_user))
    finally:
        _restore(client, scope, before)
    return check(
        points,
        "It returns the token, None when there is none yet, and lets every other failure "
        "through: the app shows Authorize only when the user really has to authorize.",
    )


def _saved(client: stripe.StripeClient, scope: SecretScope) -> stripe.apps.Secret | None:
    """The secret as it is before the check (with its payload), to put it back afterwards."""
    params = {"scope": scope.to_params(), "name": TOKEN_SECRET_NAME, "expand": ["payload"]}
    try:
        return client.v1.apps.secrets.find(params)
    except stripe.InvalidRequestError as error:
        if error.http_status == 404:
            return None
        raise


def _restore(client: stripe.StripeClient, scope: SecretScope, before: stripe.apps.Secret | None) -> None:
    alive = (
        before is not None
        and before.payload is not None
        and (before.expires_at is None or before.expires_at > time.time())
    )
    if alive:
        save_secret(client, scope, TOKEN_SECRET_NAME, before.payload, expires_at=before.expires_at)
        return
    delete_secret(client, scope, TOKEN_SECRET_NAME, missing_ok=True)


def _what(error: BaseException) -> str:
    first = str(error).splitlines()[0] if str(error) else ""
    return redact_text(f"{type(error).__name__}: {first}" if first else type(error).__name__)


def _with_a_token(
    token_or_none: Callable, client: stripe.StripeClient, scope: SecretScope, token: TokenData
) -> list[str]:
    try:
        got = token_or_none(client, scope)
    except Exception as error:  # the learner's code: any exception is feedback
        return [
            f"With a token saved, your function raised {_what(error)}. It should return the token, "
            "as find_token(client, scope) does."
        ]
    if got is None:
        return ["With a token saved, it returned None: return what find_token(client, scope) gives."]
    if isinstance(got, str):
        return [
            "It returned a string (the raw payload?): return a TokenData, as find_token(client, scope) "
            "does, so the app can use got.access_token and got.expires_at."
        ]
    if isinstance(got, stripe.StripeObject):
        return [
            "It returned Stripe's Secret object: return the token inside it, as find_token(client, scope) "
            "does (it asks for the payload with expand=['payload'] and reads the JSON)."
        ]
    if not isinstance(got, TokenData):
        return [f"It returned a {type(got).__name__}; return the TokenData that find_token(client, scope) gives."]
    if got.access_token != token.access_token:
        return [
            f"It returned a different token: find the secret named {TOKEN_SECRET_NAME!r} in the scope "
            "your function was given."
        ]
    return []


def _without_a_token(token_or_none: Callable, client: stripe.StripeClient, scope: SecretScope) -> list[str]:
    try:
        got = token_or_none(client, scope)
    except SecretNotFoundError:
        return [
            "When no token is saved, it raised SecretNotFoundError. Catch SecretNotFoundError and return None: "
            "'no token yet' is a normal state, in which the app shows the Authorize button."
        ]
    except SecretStoreError as error:
        return [f"When no token is saved, it raised {_what(error)}; Stripe answered 404, which should give None."]
    except stripe.StripeError as error:
        return [
            f"When no token is saved, it raised Stripe's {type(error).__name__} (HTTP {error.http_status}). "
            "Return None for a 404: use find_token, and catch SecretNotFoundError."
        ]
    except Exception as error:  # the learner's code
        return [f"When no token is saved, it raised {_what(error)}; it should return None."]
    if got is not None:
        return [f"When no token is saved, it returned a {type(got).__name__}; it should return None."]
    return []


def _when_refused(token_or_none: Callable, client: stripe.StripeClient, other: SecretScope) -> list[str]:
    try:
        got = token_or_none(client, other)
    except SecretPermissionError:
        return []
    except SecretStoreError as error:
        return [
            f"On another user's scope Stripe answers 403, yet your function raised {_what(error)}. "
            "Re-raise the error you caught, unchanged, with a bare `raise`."
        ]
    except stripe.PermissionError:
        return []
    except Exception as error:  # the learner's code
        return [
            f"On another user's scope (Stripe answers 403) it raised {_what(error)} instead of the "
            "SecretStoreError: re-raise the error you caught, unchanged, with a bare `raise`, so its "
            "message and hint reach whoever reads it."
        ]
    return [
        f"On another user's scope Stripe refuses (403), yet it returned "
        f"{'None' if got is None else 'a ' + type(got).__name__}. Only a missing secret (SecretNotFoundError) "
        "means 'no token': re-raise every other error with a bare `raise`, or the app would ask the user "
        "to authorize again when the real problem (a permission, a wrong scope, Stripe down) is elsewhere."
    ]

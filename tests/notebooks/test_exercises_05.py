"""05-find-secret's exercise: the solution passes, and each typical mistake gets its message.

The check calls the learner's function against a real Secret Store, so these tests run
it against a sandbox of their own (in a temporary folder).
"""

from __future__ import annotations

import json
import runpy
import secrets
import time

import pytest
import stripe
from exercises.find_secret import check_token_or_none

from helpers import (
    SecretNotFoundError,
    SecretScope,
    SecretStoreError,
    TokenData,
    find_token,
    load_manifest,
    make_client,
    save_secret,
)
from helpers.secret_store import TOKEN_SECRET_NAME
from tools.run_notebooks import NOTEBOOKS


@pytest.fixture
def store(world):
    """A client for the app installed for a new user, that user's scope, and a token to save."""
    install = world.install_app(load_manifest(NOTEBOOKS / "stripe-app.json"), f"usr_{secrets.token_hex(6)}")
    client = make_client(install.api_key, api_base=world.stripe_api_base)
    token = TokenData(
        access_token=secrets.token_urlsafe(32),
        token_type="Bearer",
        expires_at=int(time.time()) + 3600,
        refresh_token=secrets.token_urlsafe(32),
    )
    return client, SecretScope.for_user(install.user_id), token


def run_check(function, store):
    client, scope, token = store
    return check_token_or_none(function, client=client, scope=scope, token=token)


def solution():
    return runpy.run_path(str(NOTEBOOKS / "solutions" / "05-find-secret.py"))["my_token_or_none"]


def test_the_solution_passes(store):
    result = run_check(solution(), store)
    assert result.passed, result


def test_a_raw_sdk_solution_passes_too(store):
    def with_the_sdk(client, scope):
        try:
            secret = client.v1.apps.secrets.find(
                {"scope": scope.to_params(), "name": "oauth_token", "expand": ["payload"]}
            )
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise
        return TokenData.from_json(secret.payload)

    assert run_check(with_the_sdk, store).passed


def test_not_started(store):
    result = run_check(..., store)
    assert not result.passed and "Replace the ..." in repr(result)


def swallows_everything(client, scope):
    try:
        return find_token(client, scope)
    except Exception:
        return None


def swallows_every_store_error(client, scope):
    try:
        return find_token(client, scope)
    except SecretStoreError:
        return None


def catches_nothing(client, scope):
    return find_token(client, scope)


def wraps_the_error(client, scope):
    try:
        return find_token(client, scope)
    except SecretNotFoundError:
        return None
    except SecretStoreError as error:
        raise RuntimeError("could not read the token") from error


def returns_the_payload(client, scope):
    try:
        return client.v1.apps.secrets.find(
            {"scope": scope.to_params(), "name": "oauth_token", "expand": ["payload"]}
        ).payload
    except stripe.InvalidRequestError:
        return None


def returns_the_secret(client, scope):
    try:
        return client.v1.apps.secrets.find({"scope": scope.to_params(), "name": "oauth_token"})
    except stripe.InvalidRequestError:
        return None


def always_none(client, scope):
    return None


def wrong_name(client, scope):
    try:
        return find_token(client, scope, name="token")
    except SecretNotFoundError:
        return None


def raw_sdk_without_catching(client, scope):
    secret = client.v1.apps.secrets.find({"scope": scope.to_params(), "name": "oauth_token", "expand": ["payload"]})
    return TokenData.from_json(secret.payload)


@pytest.mark.parametrize(
    "function, says",
    [
        (swallows_everything, "re-raise every other error"),
        (swallows_every_store_error, "Only a missing secret (SecretNotFoundError)"),
        (catches_nothing, "it raised SecretNotFoundError"),
        (wraps_the_error, "re-raise the error you caught, unchanged"),
        (returns_the_payload, "It returned a string"),
        (returns_the_secret, "Stripe's Secret object"),
        (always_none, "With a token saved, it returned None"),
        (wrong_name, "With a token saved, it returned None"),
        (raw_sdk_without_catching, "Return None for a 404"),
        ("find_token", "should be a function"),
    ],
)
def test_each_mistake_gets_its_message(function, says, store):
    result = run_check(function, store)
    assert not result.passed
    assert says in repr(result), repr(result)


def test_the_check_leaves_a_saved_token_in_place(store):
    client, scope, token = store
    kept = TokenData(access_token=secrets.token_urlsafe(32), token_type="Bearer")
    save_secret(client, scope, TOKEN_SECRET_NAME, kept.to_json(), expires_at=int(time.time()) + 600)
    run_check(swallows_everything, store)
    assert find_token(client, scope).access_token == kept.access_token


def test_the_check_leaves_an_empty_scope_empty(store):
    client, scope, _ = store
    run_check(solution(), store)
    with pytest.raises(SecretStoreError) as raised:
        find_token(client, scope)
    assert isinstance(raised.value, SecretNotFoundError)


def test_no_message_quotes_the_token(store):
    _, _, token = store
    for function in (returns_the_payload, catches_nothing, swallows_everything):
        text = repr(run_check(function, store))
        assert token.access_token not in text and json.dumps(token.access_token)[1:-1] not in text

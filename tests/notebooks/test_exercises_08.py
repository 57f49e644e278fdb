"""08-token-lifecycle's exercise: the solution passes, and each typical mistake gets its message.

The check builds every situation for real (authorizations, tokens aged at the provider,
secrets), so these tests run it against a sandbox of their own (in a temporary folder).
"""

from __future__ import annotations

import json
import runpy
import secrets
import time

import pytest
from exercises.token_lifecycle import check_get_access_token
from kit import open_kit

from helpers import (
    OAuthError,
    SecretNotFoundError,
    SecretScope,
    SecretStoreError,
    TokenData,
    delete_secret,
    find_token,
    fresh_token,
    make_client,
    refresh,
    save_secret,
    save_token,
)
from tools.run_notebooks import NOTEBOOKS


@pytest.fixture
def kit(world):
    """The notebook's kit, for a new learner, on the test sandbox."""
    kit = open_kit(world, user_id=f"usr_{secrets.token_hex(6)}")
    yield kit
    kit.http.close()


def run_check(function, kit):
    # A user of its own for each test, so no test sees another's secret.
    return check_get_access_token(function, kit=kit, user=f"usr_{secrets.token_hex(6)}")


def solution():
    return runpy.run_path(str(NOTEBOOKS / "solutions" / "08-token-lifecycle.py"))["get_access_token"]


def test_the_solution_passes(kit):
    result = run_check(solution(), kit)
    assert result.passed, result


def test_a_solution_with_fresh_token_passes_too(kit):
    def with_fresh_token(client, scope, *, provider, http, now):
        try:
            token = find_token(client, scope)
        except SecretNotFoundError:
            return None
        try:
            new = fresh_token(provider, token, http=http, now=now)
        except OAuthError as error:
            if error.error == "invalid_grant":
                delete_secret(client, scope, "oauth_token")
                return None
            raise
        if new is not token:
            save_token(client, scope, new, expires_at=new.usable_until)
        return new.access_token

    assert run_check(with_fresh_token, kit).passed


def test_not_started(kit):
    result = run_check(..., kit)
    assert not result.passed and "Replace the ..." in repr(result)


def lifecycle(
    *,
    clock="given",
    refreshes="when_expired",
    saves=True,
    expiry="usable_until",
    returns="new",
    on_missing="none",
    on_invalid_grant="delete",
    on_other="raise",
    on_store_error="raise",
):
    """The solution with one thing changed, to check that each change is named."""

    def get_access_token(client, scope, *, provider, http, now):
        try:
            token = find_token(client, scope)
        except SecretStoreError as error:
            missing = isinstance(error, SecretNotFoundError)
            if missing and on_missing == "none":
                return None
            if not missing and on_store_error == "none":
                return None
            raise
        at = now if clock == "given" else time.time()
        if refreshes == "never" or (refreshes == "when_expired" and not token.is_expired(at)):
            return token if returns == "token_data" else token.access_token
        try:
            new = refresh(provider, token, http=http, now=now)
        except OAuthError as error:
            if error.error == "invalid_grant":
                if on_invalid_grant == "raise":
                    raise
                if on_invalid_grant == "delete":
                    delete_secret(client, scope, "oauth_token")
                return None
            if on_other == "swallow":
                delete_secret(client, scope, "oauth_token")
                return None
            if on_other == "delete_and_raise":
                delete_secret(client, scope, "oauth_token")
                raise
            if on_other == "wrap":
                raise RuntimeError("could not refresh") from error
            raise
        if saves:
            when = {
                "usable_until": new.usable_until,
                "access": new.expires_at,
                "none": None,
                "old": token.usable_until,
            }[expiry]
            save_token(client, scope, new, expires_at=when)
        return {"new": new.access_token, "old": token.access_token, "token_data": new}[returns]

    return get_access_token


def swallows_everything(client, scope, *, provider, http, now):
    try:
        return solution()(client, scope, provider=provider, http=http, now=now)
    except Exception:
        return None


def saves_the_raw_response(client, scope, *, provider, http, now):
    token = find_token(client, scope)
    if not token.is_expired(now):
        return token.access_token
    response = http.post(
        provider.token_endpoint,
        data={"grant_type": "refresh_token", "refresh_token": token.refresh_token, "client_id": provider.client_id},
    )
    save_secret(client, scope, "oauth_token", response.text)  # the provider's JSON, with expires_in only
    return response.json()["access_token"]


@pytest.mark.parametrize(
    "function, says",
    [
        ("get_access_token", "should be a function"),
        (lambda client, scope: None, "define it as def get_access_token(client, scope, *, provider"),
        (lifecycle(refreshes="never"), "returned the expired access token without refreshing"),
        (lifecycle(clock="wall"), "with the `now` your function is given"),
        (lifecycle(refreshes="always"), "refreshed a token that was still good"),
        (lifecycle(saves=False), "refreshed but did not save the new token"),
        (lifecycle(expiry="access"), "with the access token's expiry"),
        (lifecycle(expiry="none"), "without expires_at"),
        (lifecycle(expiry="old"), "not the new token's usable_until"),
        (lifecycle(returns="old"), "returned the old, expired access token"),
        (lifecycle(returns="token_data"), "It returned a TokenData"),
        (lifecycle(on_missing="raise"), "it raised SecretNotFoundError"),
        (lifecycle(on_invalid_grant="raise"), "it let the error through"),
        (lifecycle(on_invalid_grant="keep"), "returned None without deleting the dead secret"),
        (lifecycle(on_other="swallow"), "swallowed an error that is not invalid_grant"),
        (lifecycle(on_other="swallow"), "Delete it only on invalid_grant"),
        (lifecycle(on_other="delete_and_raise"), "Delete it only on invalid_grant"),
        (lifecycle(on_other="wrap"), "re-raise the error you caught, unchanged"),
        (lifecycle(on_store_error="none"), "Only a missing secret (SecretNotFoundError)"),
        (swallows_everything, "swallowed an error that is not invalid_grant"),
        (swallows_everything, "Only a missing secret (SecretNotFoundError)"),
        (saves_the_raw_response, "has no expires_at of its own"),
    ],
)
def test_each_mistake_gets_its_message(function, says, kit):
    result = run_check(function, kit)
    assert not result.passed
    assert says in repr(result), repr(result)


@pytest.mark.parametrize(
    "function, only",
    [
        (lifecycle(saves=False), "did not save"),
        (lifecycle(on_invalid_grant="keep"), "without deleting the dead secret"),
        (lifecycle(refreshes="always"), "refreshed a token that was still good"),
    ],
)
def test_one_mistake_one_message(function, only, kit):
    result = run_check(function, kit)
    assert len(result.points) == 1 and only in result.points[0], repr(result)


def test_the_check_leaves_the_learners_token_alone(kit):
    client = make_client(kit.install.api_key, api_base=kit.world.stripe_api_base)
    scope = SecretScope.for_user(kit.context.user_context.id)
    kept = TokenData(access_token=secrets.token_urlsafe(32), token_type="Bearer", expires_at=int(time.time()) + 600)
    save_token(client, scope, kept, expires_at=kept.expires_at)
    run_check(lifecycle(on_other="swallow"), kit)
    assert find_token(client, scope) == kept


def test_the_check_leaves_its_own_scope_empty(kit):
    user = f"usr_{secrets.token_hex(6)}"
    check_get_access_token(solution(), kit=kit, user=user)
    install = kit.world.install_app(kit.manifest, user)
    client = make_client(install.api_key, api_base=kit.world.stripe_api_base)
    with pytest.raises(SecretStoreError) as raised:
        find_token(client, SecretScope.for_user(user))
    assert isinstance(raised.value, SecretNotFoundError)


def test_no_message_quotes_a_secret(kit):
    seen = []

    def leaky(client, scope, *, provider, http, now):
        token = find_token(client, scope)
        seen.append(token)
        raise ValueError(f"cannot use {token.access_token} or {token.refresh_token}")

    text = repr(run_check(leaky, kit))
    assert "cannot use …" in text
    for token in seen:
        for value in (token.access_token, token.refresh_token):
            assert value not in text and json.dumps(value)[1:-1] not in text

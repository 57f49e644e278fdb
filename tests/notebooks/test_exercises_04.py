"""04-set-secret's exercise: the solution passes, and each typical mistake gets its message."""

from __future__ import annotations

import datetime
import json
import runpy
from dataclasses import asdict
from types import SimpleNamespace

import pytest
from exercises.secret_store import check_secret_params

from helpers.secret_store import SecretScope
from helpers.tokens import TokenData
from tools.run_notebooks import NOTEBOOKS

NOW = 1_800_000_000
USER = "usr_learner01"
TOKEN = TokenData(
    access_token="at_" + "a" * 40,
    token_type="Bearer",
    expires_at=NOW + 3600,
    refresh_token="rt_" + "b" * 40,
    scope="account.read files.read",
    refresh_expires_at=NOW + 30 * 24 * 3600,
)
RIGHT = dict(
    name="oauth_token", scope={"type": "user", "user": USER}, payload=TOKEN.to_json(), expires_at=TOKEN.usable_until
)


def feedback(**change):
    values = {**RIGHT, **change}
    return check_secret_params(
        values["name"], values["scope"], values["payload"], values["expires_at"], user_id=USER, token=TOKEN, now=NOW
    )


def test_the_solution_passes():
    kit = SimpleNamespace(context=SimpleNamespace(user_context=SimpleNamespace(id=USER)))
    answer = runpy.run_path(
        str(NOTEBOOKS / "solutions" / "04-set-secret.py"), init_globals={"kit": kit, "token": TOKEN}
    )
    # The notebook's check cell gives the name and the payload; the learner chooses the other two.
    result = check_secret_params(
        "oauth_token", answer["my_scope"], TOKEN.to_json(), answer["my_expires_at"], user_id=USER, token=TOKEN, now=NOW
    )
    assert result.passed, result
    assert set(answer) >= {"my_scope", "my_expires_at"} and not {"my_name", "my_payload"} & set(answer)


def test_the_right_values_pass():
    assert feedback().passed


def test_json_dumps_of_the_fields_passes_too():
    assert feedback(payload=json.dumps(asdict(TOKEN))).passed


def test_not_started():
    result = check_secret_params(..., ..., ..., ..., user_id=USER, token=TOKEN, now=NOW)
    assert not result.passed and "Replace the ..." in repr(result)


@pytest.mark.parametrize(
    "change, says",
    [
        # the scope
        ({"scope": {"type": "account", "user": USER}}, "An account scope takes no 'user'"),
        ({"scope": {"type": "user"}}, "A user scope needs the user's id"),
        ({"scope": {"type": "account"}}, "shared by every user of the account"),
        ({"scope": {"type": "user", "user": "usr_someoneelse"}}, "is not the current user"),
        ({"scope": {"type": "users", "user": USER}}, "must be 'user' or 'account'"),
        ({"scope": SecretScope.for_user(USER)}, "takes a plain dict"),
        ({"scope": "user"}, "should be a dict"),
        ({"scope": {"type": "user", "user": USER, "name": "x"}}, "only 'type' and 'user'"),
        # the payload
        ({"payload": asdict(TOKEN)}, "The payload is a dict"),
        ({"payload": TOKEN}, "That is the TokenData object"),
        ({"payload": TOKEN.access_token}, "the access token alone"),
        ({"payload": "x" * 5001}, "at most 5000"),
        ({"payload": "access_token=abc"}, "not JSON"),
        ({"payload": json.dumps({**asdict(TOKEN), "expires_at": None, "expires_in": 3600})}, "keeps expires_in"),
        ({"payload": json.dumps({"access_token": TOKEN.access_token, "token_type": "Bearer"})}, "lacks the token's"),
        ({"payload": json.dumps({**asdict(TOKEN), "access_token": "another"})}, "not this token's"),
        # expires_at
        ({"expires_at": 3600}, "looks like a duration (expires_in"),
        ({"expires_at": None}, "give token.usable_until"),
        ({"expires_at": TOKEN.expires_at}, "the access token's expiry"),
        ({"expires_at": NOW - 60}, "in the past"),
        ({"expires_at": NOW + 101 * 365 * 24 * 3600}, "more than 100 years"),
        ({"expires_at": (NOW + 3600) * 1000}, "milliseconds"),
        ({"expires_at": float(NOW + 3600)}, "whole number of seconds"),
        ({"expires_at": str(NOW + 3600)}, "should be an int"),
        ({"expires_at": datetime.datetime.fromtimestamp(NOW + 3600)}, "timestamp()"),
        ({"expires_at": NOW + 7200}, "not when the saved token stops"),
        # the name
        ({"name": "n" * 5001}, "at most 5000"),
        ({"name": "token"}, "use 'oauth_token'"),
        ({"name": ""}, "empty"),
        ({"name": 42}, "should be a string"),
    ],
)
def test_each_mistake_gets_its_message(change, says):
    result = feedback(**change)
    assert not result.passed
    assert says in repr(result), repr(result)


def test_several_mistakes_are_all_named():
    result = feedback(scope={"type": "account"}, payload=asdict(TOKEN), expires_at=3600)
    assert len(result.points) == 3


def test_no_message_quotes_the_token():
    for change in ({"payload": TOKEN.access_token}, {"payload": json.dumps({"access_token": "x"})}):
        assert TOKEN.access_token not in repr(feedback(**change))


def test_a_token_whose_refresh_expiry_is_unknown_saves_without_expiry():
    unknown = TokenData("at_" + "a" * 40, "Bearer", NOW + 3600, "rt_" + "b" * 40)
    values = {**RIGHT, "payload": unknown.to_json()}
    result = check_secret_params(
        values["name"], values["scope"], values["payload"], None, user_id=USER, token=unknown, now=NOW
    )
    assert result.passed, result

"""The extension context's values: environment, user, oauthContext (checked or not)."""

import pytest

from helpers.context import (
    Environment,
    ExtensionContext,
    OAuthContext,
    UserContext,
)
from helpers.errors import DashboardError, ModeError, OAuthError

CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
GRANTED = {"code": CODE, "verifier": VERIFIER, "state": "my-state", "error": None}


def test_denied_context_raises_access_denied():
    with pytest.raises(OAuthError) as caught:
        OAuthContext(state="s", error="access_denied").code_and_verifier()
    assert caught.value.error == "access_denied"
    assert "declined" in caught.value.hint


def test_context_without_code():
    context = OAuthContext(verifier=VERIFIER)
    assert not context.ok
    with pytest.raises(DashboardError, match="no code or no verifier"):
        context.code_and_verifier()


def test_oauth_context_repr_hides_code_and_verifier():
    context = OAuthContext(**GRANTED)
    extension = ExtensionContext(Environment("test"), UserContext("usr_1"), context)
    for shown in (repr(context), str(context), repr(extension)):
        assert CODE not in shown and VERIFIER not in shown
    assert repr(context) == "OAuthContext(code='…EyMw', verifier='…EjXk', state='my-state', error=None)"


def test_environment_mode():
    assert Environment("live").mode == "live"
    with pytest.raises(ModeError, match="mode must be 'test' or 'live', not 'prod'"):
        Environment("prod")  # type: ignore[arg-type]


def test_extension_context_defaults():
    context = ExtensionContext(Environment("test"), UserContext("usr_1", account_id="acct_1"))
    assert context.oauth_context is None
    assert context.user_context.id == "usr_1"

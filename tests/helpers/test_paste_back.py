"""The paste-back widget: it takes the newest link's answer, refuses the rest with the kit's message, and keeps
no secret in its value, its status or its repr. The SecretBox gives its value once."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from helpers.errors import RedirectError
from helpers.local_dashboard import LocalDashboard
from helpers.paste_back import PasteBack, SecretBox

REDIRECT = "https://dashboard.stripe.com/test/apps-oauth/com.example.app"
AUTHORIZE = "https://login.example.com/oauth2/authorize"
CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"


@pytest.fixture
def attempt():
    dashboard = LocalDashboard(REDIRECT, authorization_endpoint=AUTHORIZE)
    return dashboard, dashboard.create_oauth_state()


def landing(base: str = REDIRECT, **params: str) -> str:
    return f"{base}?{urlencode(params)}"


def everything_shown(paste: PasteBack) -> str:
    return "\n".join([repr(paste), paste.status.value, paste.url.value])


def test_the_pasted_address_gives_the_context_and_leaves_no_code_behind(attempt):
    dashboard, oauth_state = attempt
    paste = PasteBack(dashboard.oauth_context)
    paste.url.value = landing(code=CODE, state=oauth_state.state)
    paste.read_button.click()
    assert paste.context is not None and paste.context.code == CODE
    assert repr(paste) == "PasteBack(code received)"
    assert paste.url.value == "" and "Taken" in paste.status.value
    assert CODE not in everything_shown(paste) and paste.context.verifier not in everything_shown(paste)


@pytest.mark.parametrize(
    "make_url, refused, says",
    [
        (lambda s: landing(code=CODE, state="tampered"), "state_mismatch", "a link this box does not know"),
        (lambda s: landing(code=CODE), "state_missing", "has no state"),
        (lambda s: landing(error="access_denied", state=s), "access_denied", "declined on the consent page"),
        (lambda s: landing("https://dashboard.stripe.com/apps-oauth/com.example.app", code=CODE, state=s),
         "wrong_redirect", "not to this link&#39;s redirect URI"),
        (lambda s: landing(AUTHORIZE, state=s), "the_link_itself", "the authorization link itself"),
        (lambda s: "", "empty", "Nothing was pasted"),
    ],
)  # fmt: skip
def test_a_wrong_address_is_refused_with_a_clear_message(attempt, make_url, refused, says):
    dashboard, oauth_state = attempt
    paste = PasteBack(dashboard.oauth_context)
    paste.submit(make_url(oauth_state.state))
    assert paste.context is None and repr(paste) == f"PasteBack(refused: {refused})"
    assert says in paste.status.value and "What to do:" in paste.status.value
    assert CODE not in everything_shown(paste)


def test_the_code_is_asked_for_before_anything_was_read(attempt):
    dashboard, _ = attempt
    paste = PasteBack(dashboard.oauth_context)
    with pytest.raises(RedirectError, match="No address was read yet"):
        paste.checked()


def test_after_a_wrong_address_the_right_one_still_works(attempt):
    dashboard, oauth_state = attempt
    paste = PasteBack(dashboard.oauth_context)
    paste.submit(landing(code=CODE, state="tampered"))
    assert paste.submit(landing(code=CODE, state=oauth_state.state)) is not None
    assert paste.checked().code == CODE
    paste.submit(landing(code=CODE, state=oauth_state.state))  # pasted twice: refused, the first code stays
    assert repr(paste) == "PasteBack(refused: state_mismatch, the code taken before is kept)"
    assert paste.context is not None


def test_an_unexpected_failure_is_shown_not_raised():
    def broken(url: str):
        raise RuntimeError(f"boom at {url}")

    paste = PasteBack(broken)
    paste.submit(landing(code=CODE, state="s"))
    assert "RuntimeError" in paste.status.value and CODE not in everything_shown(paste)


def test_the_secret_box_gives_its_value_once():
    box = SecretBox("Initial access token:")
    box.value = "  iat_Hj5sD8fG1kL4zX7cV0bN2m "
    assert box.take() == "iat_Hj5sD8fG1kL4zX7cV0bN2m"
    assert box.value == "" and box.take() is None
    assert repr(box) == "SecretBox('Initial access token:')"

"""02-authorization-link, second exercise: the link built by hand passes check_link.

The challenge exercise and check_link's messages are tested in test_exercises.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from exercises.authorization_link import check_link

from helpers.pkce import s256_challenge

from .test_exercises import PROVIDER, solution

ENDPOINT = PROVIDER.authorization_endpoint
REDIRECT = PROVIDER.redirect_uri
# As the sandbox's Dashboard makes it for the custom state of the notebook: random part, ':', custom value.
STATE = "Gy_fJ8Vlnb_0PzuynbTl6UplUkO0iMN6:return_to=/settings&tab=billing"
CHALLENGE = s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
EXPECTED = dict(provider=PROVIDER, state=STATE, challenge=CHALLENGE)


def notebook_variables() -> dict:
    """The variables of 02-authorization-link that the solution uses."""
    return {
        "kit": SimpleNamespace(provider=PROVIDER),
        "oauth_state": SimpleNamespace(state=STATE, challenge=CHALLENGE),
    }


def test_link_solution_passes():
    answer = solution("02-authorization-link-by-hand.py", **notebook_variables())
    assert check_link(answer["my_link"], **EXPECTED).passed


def concatenated(state: str = STATE) -> str:
    return (
        f"{ENDPOINT}?response_type=code&client_id=client-1&redirect_uri={REDIRECT}&state={state}"
        f"&code_challenge={CHALLENGE}&code_challenge_method=S256"
    )


@pytest.mark.parametrize(
    "link, says",
    [
        (concatenated(), "was not URL-encoded"),
        (concatenated().replace("response_type", "reponse_type"), "Stripe's page has this typo"),
    ],
)
def test_the_notebooks_custom_state_mistakes_are_named(link, says):
    feedback = check_link(link, **EXPECTED)
    assert not feedback.passed and says in repr(feedback)

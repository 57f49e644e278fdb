"""10-your-own-provider's exercise: the solution passes, and typical mistakes get the targeted message."""

from __future__ import annotations

import pytest
from exercises.your_provider import check_well_known_urls

from .test_exercises import solution


def test_the_solution_passes():
    assert check_well_known_urls(solution("10-your-own-provider.py")["well_known_urls"]).passed


def appended(issuer):
    return [f"{issuer}/.well-known/oauth-authorization-server", f"{issuer}/.well-known/openid-configuration"]


def slash_kept(issuer):
    origin, _, path = issuer.partition("://")[2].partition("/")
    base = f"https://{origin}"
    path = f"/{path}" if path else ""
    urls = [f"{base}/.well-known/oauth-authorization-server{path}", f"{base}/.well-known/openid-configuration{path}"]
    urls.append(f"{issuer}/.well-known/openid-configuration")
    return list(dict.fromkeys(urls))


def reordered(issuer):
    urls = solution("10-your-own-provider.py")["well_known_urls"](issuer)
    return urls[::-1]


def oauth_only(issuer):
    return solution("10-your-own-provider.py")["well_known_urls"](issuer)[:1]


def with_duplicate(issuer):
    urls = solution("10-your-own-provider.py")["well_known_urls"](issuer)
    return urls if len(urls) == 4 else [*urls, urls[-1]]


@pytest.mark.parametrize(
    "answer, says",
    [
        (..., "Replace the ..."),
        ("https://login.example.com/.well-known/oauth-authorization-server", "should be a function"),
        (lambda: [], "take one argument"),
        (lambda issuer: "one url", "return a list of URLs"),
        (lambda issuer: 1 / 0, "raised ZeroDivisionError"),
        (appended, "RFC 8414 §3.1 inserts it"),
        (slash_kept, "terminating '/'"),
        (reordered, "not their order"),
        (oauth_only, "try openid-configuration too"),
        (with_duplicate, "try it once"),
    ],
)
def test_mistakes_are_named(answer, says):
    feedback = check_well_known_urls(answer)
    assert not feedback.passed and says in repr(feedback), repr(feedback)

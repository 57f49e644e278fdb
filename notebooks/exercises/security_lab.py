"""07-security-lab: one check a section, each naming the exact mistake and why it matters.

Three checks run the learner's function on the cases an attacker would try (the Dashboard's
state check, the provider's S256 check, redirect URI matching, scrubbing a logged URL);
three compare a prediction with what the sandbox did, and explain each wrong answer.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .feedback import Feedback, check, not_a_function, not_started

# --- 1 · the state check ----------------------------------------------------------------------

ISSUED = ("q8Hn2vR4tY6wE0pL7mK1xZ3cV5bN9aS2", "Wd4fG6hJ8kL0zX2cV4bN6mQ8wE0rT2yU")


def check_accept_state(accept: object) -> Feedback:
    """Run ``accept(returned_state, issued)`` as the Dashboard's landing would, on honest and forged redirects."""
    if accept is ...:
        return not_started("your function (def accept_state(returned_state, issued): ...)")
    problem = _not_a_function(accept, "accept_state", ("returned_state", "issued"))
    if problem is not None:
        return problem
    issued = set(ISSUED)
    first, second = ISSUED
    points: list[str] = []
    attempts = [
        ("made-up-by-the-attacker", "a state the Dashboard never made: that is the forged redirect itself."),
        (second[:16], "the first half of a real state: compare whole strings (==), not startswith or in."),
        (second + "x", "a real state with a character added: compare whole strings (==), not startswith or in."),
        (
            second.swapcase(),
            "a real state in other letter case: states are random strings, and case is part of them. Do not normalise.",
        ),
        ("", "an empty state: a redirect without state must be refused."),
        (None, "no state at all (None): a redirect without state must be refused."),
        (
            " ".join(ISSUED),
            "all the issued states joined in one string: look the state up in the set, do not "
            "search a string made of them.",
        ),
    ]
    for returned, why in attempts:
        answer, error = _call(accept, returned, issued)
        if error:
            points.append(
                f"For {_shown(returned)} your function raised {error}: a bad redirect must be refused "
                "(return False), not crash the landing page."
            )
        elif answer:
            points.append(f"It accepted {why}")
    answer, error = _call(accept, first, issued)
    if error or not answer:
        points.append(
            f"It refused a state the Dashboard made and never used{_raised(error)}: the user's honest "
            "redirect must get True."
        )
    elif first in issued:
        points.append(
            "It accepted a real state but left it in issued: the same redirect could be replayed "
            "(RFC 6749 10.12: a state is for one attempt). Remove it when you accept it."
        )
    else:
        again, error = _call(accept, first, issued)
        if again:
            points.append("The same state was accepted twice: once accepted, it must be spent.")
    if not points and not _call(accept, second, issued)[0]:
        points.append("It refused the second real state: accept every state in issued, once.")
    return check(points, "That is the Dashboard's check: only a state it made, whole and exact, and only once.")


# --- 2 · the provider's S256 check -------------------------------------------------------------

RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 Appendix B
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
OTHER_VERIFIER = "Zm9vYmFyYmF6cXV4cXV1eHF1dXpjb3JnZWdyYXVsdHdhbGRv"


def check_provider_accepts(accepts: object) -> Feedback:
    """Run ``accepts(verifier, challenge)``, the provider's check at the token endpoint (RFC 7636 4.6)."""
    if accepts is ...:
        return not_started("your function (def provider_accepts(verifier, challenge): ...)")
    problem = _not_a_function(accepts, "provider_accepts", ("verifier", "challenge"))
    if problem is not None:
        return problem
    digest = hashlib.sha256(RFC_VERIFIER.encode("ascii")).digest()
    wrong_encodings = {
        base64.b64encode(digest).decode().rstrip("="): "standard base64 ('+' and '/'): PKCE uses base64url "
        "('-' and '_'), RFC 7636 Appendix A.",
        base64.urlsafe_b64encode(digest).decode(): "base64url with '=' padding: the challenge has none "
        "(RFC 7636 Appendix A strips it).",
        hashlib.sha256(RFC_VERIFIER.encode()).hexdigest(): "the hex digest: the challenge is the base64url of the "
        "digest's bytes, not hex.",
    }
    points: list[str] = []
    answer, error = _call(accepts, RFC_VERIFIER, RFC_CHALLENGE)
    if error or not answer:
        matched = [why for challenge, why in wrong_encodings.items() if _call(accepts, RFC_VERIFIER, challenge)[0]]
        points.append(
            "It refused the RFC 7636 Appendix B example, a verifier and its true challenge"
            f"{_raised(error)}. "
            + (
                f"It computes {matched[0]}"
                if matched
                else "The challenge is BASE64URL(SHA256(ASCII(verifier))), without '=' padding."
            )
        )
    if _call(accepts, RFC_CHALLENGE, RFC_CHALLENGE)[0]:
        points.append(
            "It accepted the challenge itself as the verifier. That is the 'plain' method: anyone who "
            "saw the link (which carries the challenge) could redeem a stolen code with it."
        )
    answer, error = _call(accepts, OTHER_VERIFIER, RFC_CHALLENGE)
    if answer:
        points.append(
            "It accepted a verifier that is not the one the challenge was made from: a thief's guess "
            "must get invalid_grant."
        )
    for verifier, challenge, what in (
        ("", RFC_CHALLENGE, "an empty verifier"),
        (None, RFC_CHALLENGE, "no verifier"),
        (RFC_VERIFIER, "", "an empty challenge"),
    ):
        answer, error = _call(accepts, verifier, challenge)
        if answer:
            points.append(f"It accepted {what}: a stolen code with nothing to prove must be refused.")
        elif error:
            points.append(f"For {what} it raised {error}: refuse it (return False) instead.")
    return check(
        points,
        "That is the provider's check: the verifier hashes to the challenge, or no token "
        "(tip: hmac.compare_digest compares in constant time).",
    )


# --- 3 · downgrades -------------------------------------------------------------------------

REQUESTS = {
    "S256 challenge": (False, "This is the request PKCE asks for: a strict provider accepts it."),
    "plain challenge": (
        True,
        "With 'plain' the challenge IS the verifier, and the link carries it: whoever sees "
        "the link can redeem a stolen code. RFC 7636 4.2 allows plain only to clients that "
        "cannot compute S256, and every client can; RFC 9700 2.1.1 says use S256.",
    ),
    "challenge without a method": (
        True,
        "A missing code_challenge_method means 'plain' (RFC 7636 4.3), so it is the plain downgrade in disguise.",
    ),
    "no challenge at all": (
        True,
        "Without a challenge there is no PKCE: a stolen code would work alone. A "
        "provider that requires PKCE answers invalid_request (RFC 7636 4.4.1).",
    ),
    "method S256 but no challenge": (
        True,
        "The method alone proves nothing: there is no challenge to check the verifier against later (RFC 7636 4.4.1).",
    ),
}


def check_refused(answers: object) -> Feedback:
    """``answers``: for each request of REQUESTS, True if a strict provider refuses it."""
    return _check_predictions(
        answers,
        REQUESTS,
        "a dict: each request's name → True if a strict provider refuses it",
        "That is what an S256-only provider does, and why.",
    )


# --- 4 · a replayed code ----------------------------------------------------------------------

AFTER_REPLAY = {
    "the replay gets a token": (False, "A code works once (RFC 6749 4.1.2): the second request gets invalid_grant."),
    "the first access token still works": (
        False,
        "RFC 6749 4.1.2 asks the provider to revoke the tokens "
        "already issued from a code used twice, when it can: it cannot "
        "tell the app from a thief, so both lose.",
    ),
    "the first refresh token still works": (
        False,
        "The refresh token came from the same code: it is revoked with the access token, or the thief could refresh.",
    ),
    "a token from another authorization still works": (
        True,
        "Only the grant of the replayed code ends; another authorization is another grant.",
    ),
}


def check_after_replay(answers: object) -> Feedback:
    """``answers``: for each statement of AFTER_REPLAY, True or False after the replay."""
    return _check_predictions(
        answers, AFTER_REPLAY, "a dict: each statement → True or False", "That is what a code used twice costs."
    )


# --- 5 · redirect URI matching ----------------------------------------------------------------

REGISTERED = (
    "https://dashboard.stripe.com/test/apps-oauth/com.example.pkce-kit",
    "https://dashboard.stripe.com/apps-oauth/com.example.pkce-kit",
)


def check_redirect_uri_allowed(allowed: object) -> Feedback:
    """Run ``allowed(redirect_uri, registered)``, the provider's check at the authorization endpoint."""
    if allowed is ...:
        return not_started("your function (def redirect_uri_allowed(redirect_uri, registered): ...)")
    problem = _not_a_function(allowed, "redirect_uri_allowed", ("redirect_uri", "registered"))
    if problem is not None:
        return problem
    test, live = REGISTERED
    registered = list(REGISTERED)
    points: list[str] = []
    for uri in REGISTERED:
        answer, error = _call(allowed, uri, registered)
        if error or not answer:
            points.append(
                f"It refused a registered redirect URI{_raised(error)} ({uri}): the honest request must pass."
            )
    attacks = [
        (
            test + "-attacker",
            "a registered URI with characters added (another app's path): prefix matching lets "
            "an attacker pick a URI that starts like yours.",
        ),
        (test + "/", "a registered URI with a trailing slash: no normalising, exact string match (RFC 9700 4.1.3)."),
        (
            test + "?next=https://attacker.example/",
            "a registered URI with a query added: an open redirector on that page could forward the code on "
            "(RFC 9700 warns of open redirectors).",
        ),
        (
            "https://dashboard.stripe.com.attacker.example/test/apps-oauth/com.example.pkce-kit",
            "a host that starts with dashboard.stripe.com but is the attacker's: compare whole strings.",
        ),
        (f"https://attacker.example/collect?from={test}", "a URL that merely contains a registered one."),
        (
            test.upper().replace("/TEST/APPS-OAUTH/COM.EXAMPLE.PKCE-KIT", "/test/apps-oauth/com.example.pkce-kit"),
            "a registered URI in upper case: exact string matching normalises nothing, since normalising is where "
            "checks get fooled.",
        ),
        (test.replace("https://", "http://"), "the http:// form of a registered URI: the code would travel in clear."),
        ("https://dashboard.stripe.com/test/apps-oauth/", "a prefix of a registered URI."),
        ("", "an empty redirect URI."),
    ]
    for uri, why in attacks:
        answer, error = _call(allowed, uri, registered)
        if answer:
            points.append(f"It allowed {why}")
        elif error:
            points.append(f"For {uri!r} it raised {error}: refuse it (return False) instead.")
    return check(points, "Exact string matching: the provider sends codes only to URIs it knows, to the character.")


# --- 6 · scrubbing a logged URL ---------------------------------------------------------------

SECRET_PARAMETERS = ("code", "code_verifier", "refresh_token", "access_token")
PUBLIC_VALUES = {"grant_type": "authorization_code", "client_id": "4QRKHOHP2MiWBw9AqrGgaZpHr94rj8oacZKciunEjx"}
CODE = "KQ3yZbN6wX9sT2vR5uP8oL1kJ4hG7fD0"
VERIFIER = "Yx7Wq2Lp9Ns4Kd8Rt3Mv6Bh1Zc5Gf0Jk2Ua8Ee4Oi6Sw"
REFRESH = "rT5nB8mV2cX6zL9kJ3hG7fD1sA4qW0eR"


def check_scrub(scrub: object) -> Feedback:
    """Run ``scrub(url)`` on token requests that put their parameters in the URL; secrets must go, the rest stay."""
    if scrub is ...:
        return not_started("your function (def scrub(url): ...)")
    problem = _not_a_function(scrub, "scrub", ("url",))
    if problem is not None:
        return problem
    redirect = "https://dashboard.stripe.com/test/apps-oauth/com.example.pkce-kit"
    client_id = PUBLIC_VALUES["client_id"]
    urls = [
        f"/oauth2/token?code={CODE}&grant_type=authorization_code&code_verifier={VERIFIER}&client_id={client_id}"
        f"&redirect_uri={redirect}",
        f"/oauth2/token?code_verifier={VERIFIER}&code={CODE}&client_id={client_id}&grant_type=authorization_code",
        f"/oauth2/token?grant_type=refresh_token&refresh_token={REFRESH}&client_id={client_id}",
        f"/api/me?access_token={REFRESH[::-1]}",
    ]
    points: list[str] = []
    for url in urls:
        shown, error = _call(scrub, url)
        if error or not isinstance(shown, str):
            points.append(f"For {_path(url)}?… it {'raised ' + error if error else 'did not return a str'}.")
            continue
        found = dict(parse_qsl(urlsplit(url).query))
        leaked = [name for name in SECRET_PARAMETERS if name in found and found[name] in shown]
        if leaked:
            points.append(
                f"{' and '.join(leaked)} still show in clear in the scrubbed URL. Replace the value of "
                f"every secret parameter ({', '.join(SECRET_PARAMETERS)})."
            )
        lost = [name for name in ("grant_type", "client_id") if name in found and found[name] not in shown]
        if lost:
            points.append(
                f"The value of {' and '.join(lost)} is gone too: it is no secret (the client_id is in "
                "every link), and a log that hides everything helps no one. Hide only the secrets."
            )
        if not shown.startswith(_path(url)):
            points.append("Keep the path: the log line must still say which endpoint was called.")
    quiet = "/oauth2/token"
    shown, error = _call(scrub, quiet)
    if error or shown != quiet:
        points.append("A URL without a query should come back unchanged.")
    return check(
        sorted(set(points), key=points.index),
        "The log line keeps what it is for and loses the secrets. Better still: send them in the body, "
        "where no log looks.",
    )


# --- 7 · oauthContext handed over twice -------------------------------------------------------

NAIVE_EFFECT = {
    "token requests sent": (2, "The naive effect sends one per run: it ran twice, with the same code."),
    "the second exchange succeeds": (False, "A code works once: the second exchange gets invalid_grant."),
    "the first token still works": (
        False,
        "The provider saw the code twice and revoked the token it had issued from it (RFC 6749 4.1.2).",
    ),
    "the app is connected": (
        False,
        "The app's only token is revoked: the user must authorize again, though they did nothing wrong.",
    ),
}


def check_naive_effect(answers: object) -> Feedback:
    """``answers``: what the naive effect leaves behind after oauthContext arrived twice."""
    return _check_predictions(
        answers,
        NAIVE_EFFECT,
        "a dict: each statement → your prediction",
        "That is why the app must exchange each code once.",
    )


# --- shared -------------------------------------------------------------------------------------


def _check_predictions(answers: object, truth: Mapping[str, tuple[Any, str]], what: str, praise: str) -> Feedback:
    if answers is ...:
        return not_started(what)
    if not isinstance(answers, Mapping):
        return Feedback(False, (f"The answer should be {what}, not {type(answers).__name__}.",))
    points = []
    for name, (right, why) in truth.items():
        if name not in answers or answers[name] is ...:
            points.append(f"Answer {name!r} (replace its ...).")
        elif answers[name] != right or type(answers[name]) is not type(right):
            points.append(f"{name!r}: {right!r}, not {answers[name]!r}. {why}")
    unknown = [name for name in answers if name not in truth]
    if unknown:
        points.append(f"Unknown keys: {', '.join(map(repr, unknown))}. Use the names given.")
    return check(points, praise)


def _not_a_function(value: object, name: str, parameters: tuple[str, ...]) -> Feedback | None:
    return not_a_function(
        value,
        f"{name} should be a function",
        call=(parameters, {}),
        wrong_signature=f"{name} takes {len(parameters)} argument(s): {', '.join(parameters)}.",
    )


def _call(function: Callable[..., Any], *arguments: Any) -> tuple[Any, str | None]:
    try:
        return function(*arguments), None
    except Exception as error:  # the learner's bug, named in the feedback
        return None, f"{type(error).__name__}: {error}"


def _raised(error: str | None) -> str:
    return f" (it raised {error})" if error else ""


def _shown(value: object) -> str:
    return repr(value) if value in ("", None) else f"{str(value)[:12]!r}…"


def _path(url: str) -> str:
    """The URL without its query: what a log line must keep."""
    return urlsplit(url)._replace(query="", fragment="").geturl()

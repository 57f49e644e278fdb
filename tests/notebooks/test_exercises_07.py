"""07-security-lab's seven checks: each solution passes, and each typical mistake gets its own message."""

from __future__ import annotations

import base64
import hashlib
import runpy

import pytest
from exercises import security_lab as lab

from tools.run_notebooks import NOTEBOOKS


def solution(number: int, name: str):
    return runpy.run_path(str(NOTEBOOKS / "solutions" / f"07-security-lab-{number}.py"))[name]


def says(feedback, text: str) -> bool:
    return not feedback.passed and any(text in point for point in feedback.points)


@pytest.mark.parametrize(
    "number, name, check",
    [
        (1, "accept_state", lab.check_accept_state),
        (2, "provider_accepts", lab.check_provider_accepts),
        (3, "my_answers", lab.check_refused),
        (4, "my_answers", lab.check_after_replay),
        (5, "redirect_uri_allowed", lab.check_redirect_uri_allowed),
        (6, "scrub", lab.check_scrub),
        (7, "my_answers", lab.check_naive_effect),
    ],
)
def test_each_solution_passes_and_nothing_is_not_started(number, name, check):
    assert check(solution(number, name)).passed, check(solution(number, name))
    assert says(check(...), "Replace the ...")


# --- 1 · the state check -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mistake, message",
    [
        (lambda returned, issued: True, "a state the Dashboard never made"),
        (lambda returned, issued: any(s.startswith(returned) for s in issued) if returned else False, "first half"),
        (
            lambda returned, issued: any(returned.startswith(s) for s in issued) if returned else False,
            "character added",
        ),
        (lambda returned, issued: returned.lower() in {s.lower() for s in issued}, "raised AttributeError"),
        (
            lambda returned, issued: bool(returned) and returned.lower() in {s.lower() for s in issued},
            "other letter case",
        ),
        (lambda returned, issued: returned in issued, "left it in issued"),
        (lambda returned, issued: bool(returned) and returned in " ".join(issued), "first half"),
        (lambda returned, issued: False, "refused a state the Dashboard made"),
        (lambda returned: True, "takes 2 argument(s)"),
        ("accept", "should be a function"),
    ],
)
def test_state_check_mistakes(mistake, message):
    assert says(lab.check_accept_state(mistake), message), lab.check_accept_state(mistake)


# --- 2 · the provider's S256 check ---------------------------------------------------------------


def digest(verifier):
    return hashlib.sha256(verifier.encode()).digest()


@pytest.mark.parametrize(
    "mistake, message",
    [
        (lambda v, c: bool(v) and base64.b64encode(digest(v)).decode().rstrip("=") == c, "standard base64"),
        (lambda v, c: bool(v) and base64.urlsafe_b64encode(digest(v)).decode() == c, "with '=' padding"),
        (lambda v, c: bool(v) and hashlib.sha256(v.encode()).hexdigest() == c, "the hex digest"),
        (lambda v, c: v == c, "challenge itself as the verifier"),
        (lambda v, c: True, "not the one the challenge was made from"),
        (lambda v, c: base64.urlsafe_b64encode(digest(v)).decode().rstrip("=") == c, "For no verifier it raised"),
    ],
)
def test_s256_check_mistakes(mistake, message):
    assert says(lab.check_provider_accepts(mistake), message), lab.check_provider_accepts(mistake)


# --- 3, 4, 7 · predictions ------------------------------------------------------------------------


def test_a_wrong_prediction_is_explained():
    answers = {**solution(3, "my_answers"), "challenge without a method": False}
    assert says(lab.check_refused(answers), "means 'plain' (RFC 7636 4.3)")
    answers = {**solution(4, "my_answers"), "the first access token still works": True}
    assert says(lab.check_after_replay(answers), "RFC 6749 4.1.2")
    answers = {**solution(7, "my_answers"), "token requests sent": 1}
    assert says(lab.check_naive_effect(answers), "2, not 1")


def test_predictions_left_open_unknown_or_of_the_wrong_type():
    answers = {**solution(4, "my_answers"), "the replay gets a token": ...}
    assert says(lab.check_after_replay(answers), "Answer 'the replay gets a token'")
    assert says(lab.check_refused({**solution(3, "my_answers"), "S265": True}), "Unknown keys: 'S265'")
    assert says(lab.check_naive_effect({**solution(7, "my_answers"), "the app is connected": 0}), "False, not 0")
    assert says(lab.check_refused(["S256"]), "not list")


# --- 5 · redirect URI matching -------------------------------------------------------------------


@pytest.mark.parametrize(
    "mistake, message",
    [
        (lambda uri, registered: any(uri.startswith(r) for r in registered), "characters added"),
        (lambda uri, registered: uri.rstrip("/") in registered, "trailing slash"),
        (lambda uri, registered: uri.split("?")[0] in registered, "query added"),
        (lambda uri, registered: uri.lower() in [r.lower() for r in registered], "upper case"),
        (lambda uri, registered: any(r in uri for r in registered), "merely contains"),
        (lambda uri, registered: uri.replace("http://", "https://") in registered, "http://"),
        (lambda uri, registered: any(r.startswith(uri) for r in registered), "prefix of a registered URI"),
        (lambda uri, registered: uri == registered[0], "refused a registered redirect URI"),
    ],
)
def test_redirect_uri_mistakes(mistake, message):
    assert says(lab.check_redirect_uri_allowed(mistake), message), lab.check_redirect_uri_allowed(mistake)


# --- 6 · scrubbing -------------------------------------------------------------------------------


def test_scrub_mistakes():
    keeps_everything = lambda url: url  # noqa: E731
    assert says(lab.check_scrub(keeps_everything), "code and code_verifier still show")
    hides_everything = lambda url: url.split("?")[0] + ("?…" if "?" in url else "")  # noqa: E731
    assert says(lab.check_scrub(hides_everything), "client_id is gone too")
    drops_the_path = lambda url: "…"  # noqa: E731
    assert says(lab.check_scrub(drops_the_path), "Keep the path")
    only_code = lambda url: url.replace(lab.CODE, "…")  # noqa: E731
    assert says(lab.check_scrub(only_code), "code_verifier still show")
    assert says(lab.check_scrub(lambda url: None), "did not return a str")


def test_the_kits_own_redaction_passes_the_scrub_check():
    from helpers.redact import redact_text

    assert lab.check_scrub(redact_text).passed, lab.check_scrub(redact_text)

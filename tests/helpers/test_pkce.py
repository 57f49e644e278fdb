import base64

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from hypothesis import given
from hypothesis import strategies as st

from helpers.errors import PKCEError
from helpers.pkce import (
    VERIFIER_PATTERN,
    challenge_matches,
    make_verifier,
    require_verifier,
    s256_challenge,
)

# RFC 7636 Appendix B.
RFC_OCTETS = bytes(
    [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
     22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121]
)  # fmt: skip
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def test_rfc_7636_appendix_b_octets_encode_to_the_verifier():
    assert base64.urlsafe_b64encode(RFC_OCTETS).rstrip(b"=").decode() == RFC_VERIFIER


def test_rfc_7636_appendix_b_challenge():
    assert s256_challenge(RFC_VERIFIER) == RFC_CHALLENGE


@given(st.text(alphabet=UNRESERVED, min_size=43, max_size=128))
def test_challenge_agrees_with_authlib(verifier):
    assert s256_challenge(verifier) == create_s256_code_challenge(verifier)


def test_challenge_has_no_padding():
    for _ in range(20):
        challenge = s256_challenge(make_verifier())
        assert len(challenge) == 43 and "=" not in challenge


@pytest.mark.parametrize("n_bytes, length", [(32, 43), (33, 44), (64, 86), (96, 128)])
def test_make_verifier_lengths(n_bytes, length):
    verifier = make_verifier(n_bytes)
    assert len(verifier) == length
    assert VERIFIER_PATTERN.fullmatch(verifier)


def test_make_verifier_is_random():
    assert len({make_verifier() for _ in range(50)}) == 50


@pytest.mark.parametrize("n_bytes", [31, 97, 0])
def test_make_verifier_refuses_out_of_range(n_bytes):
    with pytest.raises(PKCEError, match=f"n_bytes={n_bytes} is out of range: it must be from 32 to 96"):
        make_verifier(n_bytes)


def test_check_verifier_returns_a_good_one():
    assert require_verifier(RFC_VERIFIER) == RFC_VERIFIER
    assert require_verifier("a" * 128) == "a" * 128


@pytest.mark.parametrize(
    "verifier, rule",
    [
        ("a" * 42, r"too short: length 42 < 43"),
        ("", r"too short: length 0 < 43"),
        ("a" * 129, r"too long: length 129 > 128"),
        ("a" * 10 + "+" + "a" * 40, r"not allowed: '\+' at position 10"),
        ("a" * 43 + "=", r"not allowed: '=' at position 43"),
        ("a" * 20 + " " + "a" * 30, r"not allowed: ' ' at position 20"),
        ("é" + "a" * 50, r"not allowed: 'é' at position 0"),
        # A regex with $ would let this one through.
        ("a" * 43 + "\n", r"not allowed: '\\n' at position 43"),
        (b"a" * 43, r"must be a str, not bytes"),
        (None, r"must be a str, not NoneType"),
    ],
)
def test_check_verifier_names_the_broken_rule(verifier, rule):
    with pytest.raises(PKCEError, match=rule) as caught:
        require_verifier(verifier)
    assert "make_verifier()" in caught.value.hint


def test_check_verifier_message_does_not_quote_the_verifier():
    verifier = "SECRET" * 6 + "+" + "SECRET"
    with pytest.raises(PKCEError) as caught:
        require_verifier(verifier)
    assert verifier not in str(caught.value) and "SECRETSECRET" not in str(caught.value)


def test_s256_challenge_checks_the_verifier_first():
    with pytest.raises(PKCEError, match="too short"):
        s256_challenge("short")


def test_challenge_matches():
    assert challenge_matches(RFC_VERIFIER, RFC_CHALLENGE)
    assert not challenge_matches(RFC_VERIFIER, RFC_CHALLENGE[:-1] + "N")
    assert not challenge_matches(make_verifier(), RFC_CHALLENGE)
    assert not challenge_matches(RFC_VERIFIER, "é")

import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.redact import (
    SECRET_FIELDS,
    redact_header,
    redact_mapping,
    redact_text,
    redact_value,
    redacted_repr,
)

KEY = "sk_test_51HxYzAbCdEfGhIjKlMnOpa1b2"
TOKEN = "Xk2aPq9LmN3vB7cD1eF5gH0j"


@pytest.mark.parametrize(
    "value, shown",
    [
        (KEY, "sk_test_…a1b2"),
        ("sk_live_51HxYzAbCdEfGhIjKlMnOpzz99", "sk_live_…zz99"),
        ("rk_test_51HxYzAbCdEfGhIjKlMnOpq7r8", "rk_test_…q7r8"),
        ("rk_live_51HxYzAbCdEfGhIjKlMnOpq7r8", "rk_live_…q7r8"),
        (TOKEN, "…gH0j"),
        ("short", "…"),
        ("elevenchars", "…"),
        ("twelve_chars", "…hars"),
        # The key's secret part is short: showing 4 of its characters would show too much.
        ("sk_test_abcd", "sk_test_…"),
        ("", ""),
    ],
)
def test_redact_value(value, shown):
    assert redact_value(value) == shown


def test_redact_value_is_idempotent():
    for value in (KEY, TOKEN, "short", ""):
        once = redact_value(value)
        assert redact_value(once) == once


def test_stripe_keys_in_prose():
    text = f"Use {KEY} or rk_live_abcdefghijklmnopqrst, not pk_test_public123456."
    assert redact_text(text) == "Use sk_test_…a1b2 or rk_live_…qrst, not pk_test_public123456."


def test_bearer_credential():
    assert redact_text(f"Authorization: Bearer {TOKEN}") == "Authorization: Bearer …gH0j"


def test_bearer_challenge_is_not_a_credential():
    # WWW-Authenticate's auth-params (RFC 6750 3) say why a token was refused: keep them readable.
    header = 'Bearer realm="kit", error="invalid_token", error_description="The access token expired"'
    assert redact_text(header) == header


def test_form_and_query_fields():
    query = urlencode(
        {"code": TOKEN, "state": "st_visible_state", "code_verifier": "v" * 43, "grant_type": "refresh_token"}
    )
    assert redact_text(f"https://x.test/token?{query}") == (
        "https://x.test/token?code=…gH0j&state=st_visible_state&code_verifier=…vvvv&grant_type=refresh_token"
    )


def test_public_pkce_values_stay_visible():
    text = "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    assert redact_text(text) == text


def test_json_fields_stay_valid_json():
    body = {"access_token": TOKEN, "refresh_token": 'quote"in' + "x" * 20, "token_type": "Bearer", "scope": "read"}
    redacted = json.loads(redact_text(json.dumps(body)))
    assert redacted == {**body, "access_token": "…gH0j", "refresh_token": "…xxxx"}


def test_json_field_with_an_invalid_escape_is_still_redacted():
    assert redact_text(r'{"token": "abc\qdefghijklmnop"}') == '{"token": "…mnop"}'


def test_stripe_error_codes_stay_visible_but_oauth_codes_do_not():
    error = '{"error": {"type": "invalid_request_error", "code": "resource_missing"}}'
    assert redact_text(error) == error
    assert redact_text(f'{{"code": "{TOKEN}"}}') == '{"code": "…gH0j"}'
    assert redact_mapping({"code": "resource_missing"}) == {"code": "resource_missing"}


def test_known_values_anywhere_and_url_encoded():
    secret = "my+secret/value=="
    text = f"said {secret} and sent {quote(secret, safe='')} and {secret.replace('+', '%2B')}"
    redacted = redact_text(text, known=[secret])
    assert secret not in redacted and quote(secret, safe="") not in redacted
    assert redacted.startswith("said …ue== and sent …ue==")


def test_short_known_values_are_ignored():
    assert redact_text("the code is here", known=["code"]) == "the code is here"


def test_redact_mapping_nested():
    data = {
        "Authorization": f"Bearer {KEY}",
        "body": {"access_token": TOKEN, "items": [{"payload": "{long JSON payload}"}], "note": f"key {KEY}"},
        "count": 3,
        "expires_at": None,
    }
    assert redact_mapping(data) == {
        "Authorization": "Bearer sk_test_…a1b2",
        "body": {"access_token": "…gH0j", "items": [{"payload": "…oad}"}], "note": "key sk_test_…a1b2"},
        "count": 3,
        "expires_at": None,
    }
    assert data["body"]["access_token"] == TOKEN, "the original is left alone"


def test_redact_mapping_keeps_tuples_and_redacts_their_items():
    assert redact_mapping({"token": (TOKEN, None), "scopes": ("read", "write")}) == {
        "token": ("…gH0j", None),
        "scopes": ("read", "write"),
    }


def test_headers():
    assert redact_header("authorization", f"Bearer {KEY}") == "Bearer sk_test_…a1b2"
    assert redact_header("Authorization", "Basic dXNlcjpwYXNzd29yZA==") == "Basic …ZA=="
    assert redact_header("cookie", f"session={TOKEN}; theme=darkmode1234") == "session=…gH0j; theme=…1234"
    assert redact_header("set-cookie", f"session={TOKEN}; Path=/; HttpOnly") == "session=…gH0j; Path=/; HttpOnly"
    assert redact_header("content-type", "application/json") == "application/json"


def test_redacted_repr():
    @dataclass(frozen=True)
    class Holder:
        verifier: str
        state: str

    assert redacted_repr(Holder("v" * 43, "visible")) == "Holder(verifier='…vvvv', state='visible')"


_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# Not all lower case: a snake_case word under "code" is an error code, and is shown.
_SECRET = st.text(alphabet=_ALPHANUMERIC + "-_~.", min_size=12, max_size=60).filter(lambda s: not s.islower())
_KEY_BODY = st.text(alphabet=_ALPHANUMERIC, min_size=12, max_size=60)
_FIELD = st.sampled_from(sorted(SECRET_FIELDS))


@st.composite
def _texts_with_secrets(draw):
    field = draw(_FIELD)
    wrapper = draw(
        st.sampled_from(
            [
                "{field}={secret}",
                "x=1&{field}={secret}&y=2",
                '{{"{field}": "{secret}"}}',
                "Authorization: Bearer {secret}",
                "sk_test_{secret}",
            ]
        )
    )
    secret = draw(_KEY_BODY if wrapper.startswith("sk_") else _SECRET)
    noise = draw(st.text(alphabet=' abc=&"{}:', max_size=10))
    # Noise is kept apart by a space: glued to a field name it would make another name.
    return secret, f"{noise} {wrapper.format(field=field, secret=secret)} {noise}"


@given(_texts_with_secrets())
def test_no_secret_survives_and_redaction_is_idempotent(case):
    secret, text = case
    once = redact_text(text)
    assert secret not in once
    assert redact_text(once) == once

"""Hide secrets in values, headers, text and mappings before anything shows them.

Tokens, codes, verifiers and API keys must never reach a notebook output, a trace or a
log in clear: saved notebooks are published. A redacted value keeps just enough to tell
two values apart (a Stripe key keeps its prefix, long values their last 4 characters).

All functions are pure, never raise on odd input, and are idempotent: redacting an
already redacted value, text or mapping changes nothing. The sandbox uses them too.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

ELLIPSIS = "…"
KEY_PREFIXES = ("sk_test_", "sk_live_", "rk_test_", "rk_live_")
# Below this length the last 4 characters would be too large a share of the secret.
MIN_SHOWN_LENGTH = 12
# Shorter "known" values would match ordinary words and mangle unrelated text.
MIN_KNOWN_LENGTH = 8

SECRET_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        # OpenID Connect providers add these two: an ID token is a signed statement of who the user
        # is (a credential to whoever accepts it), and RFC 7591 registration may return a token that
        # manages the client.
        "id_token",
        "registration_access_token",
        "code",
        "code_verifier",
        "verifier",
        "client_secret",
        "payload",
        "api_key",
        "token",
        "password",
    }
)
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})
COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})

_FIELD_NAMES = "|".join(sorted(SECRET_FIELDS, key=len, reverse=True))
_STRIPE_KEY = re.compile(r"(?:sk|rk)_(?:test|live)_[A-Za-z0-9]+")
# RFC 6750 b64token, plus the ellipsis so an already redacted credential is taken whole.
# A credential after "Bearer", but not the auth-params of a WWW-Authenticate challenge
# (Bearer error="invalid_token", …: RFC 6750 3), which say why a token was refused.
_BEARER = re.compile(r"(Bearer\s+)(?![\w-]+=\")([A-Za-z0-9\-._~+/…]+=*)")
_FORM_FIELD = re.compile(rf"(?<![\w\-])({_FIELD_NAMES})=([^&\s#\"']*)", re.IGNORECASE)
_JSON_FIELD = re.compile(rf"(\"({_FIELD_NAMES})\"\s*:\s*)(\"(?:[^\"\\]|\\.)*\")", re.IGNORECASE)
_COOKIE_PAIR = re.compile(r"([^=;\s]+)=([^;]*)")
# Stripe's error envelope has a "code" too ("resource_missing"): a snake_case word is an
# error code, not an authorization code, and hiding it would hide the lesson.
_ERROR_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")


def redact_value(value: str) -> str:
    """Return ``value`` redacted: ``sk_test_…a1b2`` for a Stripe key, ``…wxyz`` otherwise.

    Values (after any key prefix) shorter than ``MIN_SHOWN_LENGTH`` become just ``…``.
    An empty value stays empty (there is nothing to hide, and an empty code is worth
    seeing); a value that already holds ``…`` is taken as redacted and returned as is.
    """
    if not value or ELLIPSIS in value:
        return value
    prefix = next((p for p in KEY_PREFIXES if value.startswith(p)), "")
    rest = value[len(prefix) :]
    if len(rest) < MIN_SHOWN_LENGTH:
        return prefix + ELLIPSIS
    return prefix + ELLIPSIS + rest[-4:]


def redact_text(text: str, known: Iterable[str] = ()) -> str:
    """Return ``text`` with every secret in it redacted.

    Replaced: each ``known`` value of at least ``MIN_KNOWN_LENGTH`` characters (also in its
    URL-encoded forms), the value of each ``SECRET_FIELDS`` field written as ``"field": "…"``
    (JSON) or ``field=…`` (URL query or form body), each ``Bearer`` credential and each
    Stripe secret or restricted key.
    """
    for secret in sorted({k for k in known if len(k) >= MIN_KNOWN_LENGTH}, key=len, reverse=True):
        replacement, forms = _known_forms(secret)
        for form in forms:
            text = text.replace(form, replacement)
    text = _JSON_FIELD.sub(_redact_json_field, text)
    text = _FORM_FIELD.sub(lambda m: f"{m[1]}={_redact_field(m[1], m[2])}", text)
    text = _BEARER.sub(lambda m: m[1] + redact_value(m[2]), text)
    return _STRIPE_KEY.sub(lambda m: redact_value(m[0]), text)


@functools.lru_cache(maxsize=4096)
def _known_forms(secret: str) -> tuple[str, frozenset[str]]:
    """A known secret's redacted value and the forms it is looked for in: as is and URL-encoded.

    Cached: a trace redacts every header and body of every exchange against all the secrets it
    knows, and quoting each again each time was most of what recording an exchange cost.
    """
    return redact_value(secret), frozenset({secret, quote(secret, safe=""), quote_plus(secret, safe="")})


def redact_header(name: str, value: str, known: Iterable[str] = ()) -> str:
    """Return an HTTP header value redacted.

    Credentials keep their scheme (``Bearer sk_test_…a1b2``), cookies their names;
    any other header goes through ``redact_text``.
    """
    lowered = name.lower()
    if lowered in CREDENTIAL_HEADERS:
        scheme, _, credentials = value.partition(" ")
        return f"{scheme} {redact_value(credentials.strip())}" if credentials else redact_value(value)
    if lowered in COOKIE_HEADERS:
        # Set-Cookie holds one cookie then its attributes (Path=/), Cookie holds only cookies.
        count = 1 if lowered == "set-cookie" else 0
        return _COOKIE_PAIR.sub(lambda m: f"{m[1]}={redact_value(m[2])}", value, count=count)
    return redact_text(value, known)


def redact_mapping(data: Mapping[str, Any], known: Iterable[str] = ()) -> dict[str, Any]:
    """Return a copy of ``data`` (nested mappings and lists too) with secrets redacted.

    Values under ``SECRET_FIELDS`` keys are redacted whole, credential and cookie headers
    as by ``redact_header``, and every other string as by ``redact_text``.
    """
    known = tuple(known)
    return {key: _redact_item(str(key), value, known) for key, value in data.items()}


def redacted_repr(instance: Any) -> str:
    """Return the ``repr`` of a dataclass instance with its secret fields redacted.

    For the ``__repr__`` of values that hold secrets (``TokenData``, ``OAuthContext``), so
    that displaying one in a notebook shows no secret.
    """
    shown = {f.name: getattr(instance, f.name) for f in dataclasses.fields(instance) if f.repr}
    arguments = ", ".join(f"{name}={value!r}" for name, value in redact_mapping(shown).items())
    return f"{type(instance).__name__}({arguments})"


def _redact_item(key: str, value: Any, known: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        lowered = key.lower()
        if lowered in CREDENTIAL_HEADERS or lowered in COOKIE_HEADERS:
            return redact_header(key, value, known)
        if lowered in SECRET_FIELDS:
            return _redact_field(key, value)
        return redact_text(value, known)
    if isinstance(value, Mapping):
        return redact_mapping(value, known)
    if isinstance(value, (list, tuple)):
        items = [_redact_item(key, item, known) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def is_secret_field(name: str, value: object) -> bool:
    """Whether ``value`` under the field ``name`` is a secret (an error code under ``code`` is not)."""
    lowered = name.lower()
    if lowered not in SECRET_FIELDS or not isinstance(value, str):
        return False
    return not (lowered == "code" and _ERROR_CODE.fullmatch(value))


def _redact_field(name: str, value: str) -> str:
    return redact_value(value) if is_secret_field(name, value) else value


def _redact_json_field(match: re.Match[str]) -> str:
    head, name, literal = match[1], match[2], match[3]
    try:
        value = json.loads(literal, strict=False)
    except ValueError:
        # An invalid escape: redact the raw characters rather than fail.
        value = literal[1:-1]
    return head + json.dumps(_redact_field(name, value), ensure_ascii=False)

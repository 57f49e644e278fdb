"""Malformed bodies at every POST endpoint of the three stand-ins: never a 5xx.

Wrong types, encodings and content types, repeated, huge and many parameters, deep
JSON: each stand-in must answer in its own error shape (the session-end check in the
top conftest.py also finds no traceback in the sandbox's log). The nasty cases run
as a table, every one at every endpoint; Hypothesis then mixes the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import App, make_app

CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "application/json",
    "application/json; charset=utf-16",
    "multipart/form-data; boundary=kit",
    "text/plain",
    "not a content type",
    None,
)
NASTY_BODIES = (
    b"",
    b"[" * 50_000 + b"]" * 50_000,  # deeper than Python's parser recurses
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'"a JSON string"',
    b"[1, 2, 3]",
    b"42",
    b"null",
    b"\xff\xfe\xfa not UTF-8",
    '{"name": "x"}'.encode("utf-16"),
    b"%zz=%&=&&==%E9",
    b"name=" + b"x" * 1_000_000,  # over werkzeug's 500 KB for one form field
    b"&".join([b"a=1"] * 5_000),  # over werkzeug's 1000 form parts
    b'--kit\r\nContent-Disposition: form-data; name="x"\r\n\r\nunterminated',
)


@dataclass(frozen=True)
class Endpoint:
    path: str  # under the sandbox's base URL
    names: tuple[str, ...]  # the parameters it reads
    authorized: bool = False  # sent with the install's key, so checks past authentication run too


SECRET = ("name", "scope[type]", "scope[user]")
ENDPOINTS = (
    Endpoint(
        "/provider/register", ("redirect_uris", "client_name", "scope", "grant_types", "token_endpoint_auth_method")
    ),
    Endpoint("/provider/authorize", ("decision",)),
    Endpoint("/provider/token", ("grant_type", "code", "code_verifier", "client_id", "redirect_uri", "refresh_token")),
    Endpoint("/provider/revoke", ("token", "token_type_hint", "client_id")),
    Endpoint("/provider/sandbox/let-time-pass", ("token", "seconds")),
    Endpoint("/dashboard/api/installs", ("manifest", "user_id", "mode", "account_id")),
    Endpoint("/dashboard/api/oauth_state", ("state",), authorized=True),
    Endpoint(
        "/stripe/v1/apps/secrets", ("name", "payload", "scope[type]", "scope[user]", "expires_at", "expand[]"), True
    ),
    Endpoint("/stripe/v1/apps/secrets/delete", ("name", "scope[type]", "scope[user]", "expand[0]"), authorized=True),
)


def post(http: httpx.Client, app: App, endpoint: Endpoint, body: bytes, content_type: str | None) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    if endpoint.authorized:
        headers.update(app.auth())
    url = f"{app.world.base_url}{endpoint.path}"
    if endpoint.path.endswith("/authorize"):  # the consent form posts back to the link it was shown at
        url, _ = app.link(http)
    return http.post(url, content=body, headers=headers)


def assert_no_server_error(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.request.method} {response.request.url.path}: {response.text[:500]}"


@pytest.fixture(scope="module")
def fuzz_app(world) -> App:
    with httpx.Client(timeout=60) as http:
        return make_app(world, http)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.path)
def test_nasty_bodies_get_no_server_error(fuzz_app, http, endpoint):
    for body in NASTY_BODIES:
        for content_type in CONTENT_TYPES:
            assert_no_server_error(post(http, fuzz_app, endpoint, body, content_type))


# Values of the wrong type, encoding or shape, and plausible ones, so that checks deep in a handler run too.
TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " 5 ", "1_0", "+5", "\u0665", "-1", "9" * 30, '"', "\\", "\x00", "a" * 6000]),
    st.sampled_from(["authorization_code", "refresh_token", "S256", "user", "account", "payload", "test", "approve"]),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def bodies(endpoint: Endpoint) -> st.SearchStrategy[bytes]:
    names = st.sampled_from(endpoint.names) | st.text(max_size=12)
    # Repeated parameters come from drawing a name twice.
    form = st.lists(st.tuples(names, TEXT), max_size=10).map(lambda pairs: urlencode(pairs).encode())
    json_object = st.dictionaries(names, JSON, max_size=6).map(lambda value: json.dumps(value).encode())
    return st.one_of(form, json_object, JSON.map(lambda value: json.dumps(value).encode()), st.binary(max_size=300))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.path)
def test_fuzzed_bodies_get_no_server_error(fuzz_app, endpoint):
    tried: set[tuple[bytes, str | None]] = set()
    with httpx.Client(timeout=60) as http:

        @settings(
            max_examples=60,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(body=bodies(endpoint), content_type=st.sampled_from(CONTENT_TYPES))
        def fuzz(body: bytes, content_type: str | None) -> None:
            tried.add((body, content_type))
            assert_no_server_error(post(http, fuzz_app, endpoint, body, content_type))

        fuzz()
    print(f"{endpoint.path}: {len(tried)} distinct bodies, no 5xx")

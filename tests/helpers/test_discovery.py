"""Discovery: every standard location in order, documents merged, the issuer checked in each, the report, by hand."""

from __future__ import annotations

import httpx
import pytest

from helpers.discovery import BY_HAND, by_hand, discover, metadata_locations
from helpers.errors import DiscoveryError
from helpers.provider import ProviderError

ISSUER = "https://login.example.com/tenant1"
METADATA = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/authorize",
    "token_endpoint": f"{ISSUER}/token",
    "revocation_endpoint": f"{ISSUER}/revoke",
    "registration_endpoint": f"{ISSUER}/register",
    "code_challenge_methods_supported": ["S256"],
    "token_endpoint_auth_methods_supported": ["none"],
    "grant_types_supported": ["authorization_code", "refresh_token"],
}
# A provider mounted under a path, as Django OAuth Toolkit is by default: its OpenID Connect document
# lacks the revocation and registration endpoints, which its appended RFC 8414 document has.
OPENID_DOCUMENT = {k: v for k, v in METADATA.items() if k not in ("revocation_endpoint", "registration_endpoint")}
OPENID_DOCUMENT["userinfo_endpoint"] = f"{ISSUER}/userinfo"
OAUTH_DOCUMENT = {**METADATA, "token_endpoint": f"{ISSUER}/other-token", "introspection_endpoint": f"{ISSUER}/i"}


@pytest.mark.parametrize(
    "issuer, urls",
    [
        (
            "https://login.example.com/tenant1",
            [
                "https://login.example.com/.well-known/oauth-authorization-server/tenant1",
                "https://login.example.com/.well-known/openid-configuration/tenant1",
                "https://login.example.com/tenant1/.well-known/openid-configuration",
                "https://login.example.com/tenant1/.well-known/oauth-authorization-server",
            ],
        ),
        (
            "https://login.example.com/tenant1/",  # §3.1: the terminating slash goes first
            [
                "https://login.example.com/.well-known/oauth-authorization-server/tenant1",
                "https://login.example.com/.well-known/openid-configuration/tenant1",
                "https://login.example.com/tenant1/.well-known/openid-configuration",
                "https://login.example.com/tenant1/.well-known/oauth-authorization-server",
            ],
        ),
        (
            "https://accounts.example.com",  # no path: inserted and appended are one URL, for each suffix
            [
                "https://accounts.example.com/.well-known/oauth-authorization-server",
                "https://accounts.example.com/.well-known/openid-configuration",
            ],
        ),
        ("http://127.0.0.1:8000/a/b", [
            "http://127.0.0.1:8000/.well-known/oauth-authorization-server/a/b",
            "http://127.0.0.1:8000/.well-known/openid-configuration/a/b",
            "http://127.0.0.1:8000/a/b/.well-known/openid-configuration",
            "http://127.0.0.1:8000/a/b/.well-known/oauth-authorization-server",
        ]),
    ],
)  # fmt: skip
def test_locations_follow_rfc_8414(issuer, urls):
    assert [location.url for location in metadata_locations(issuer)] == urls


@pytest.mark.parametrize(
    "issuer, says",
    [
        ("login.example.com", "not an absolute URL"),
        ("ftp://login.example.com", "not an absolute URL"),
        ("https://login.example.com/t?x=1", "query or fragment"),
        ("http://login.example.com", "requires https"),
    ],
)
def test_an_issuer_that_is_no_issuer_is_refused(issuer, says):
    with pytest.raises(DiscoveryError, match=says):
        metadata_locations(issuer)


def test_a_document_with_every_endpoint_ends_the_search(serve):
    http, script = serve(httpx.Response(404), httpx.Response(200, json=METADATA))
    found = discover(ISSUER, http=http)
    assert [str(r.url) for r in script.requests] == [location.url for location in metadata_locations(ISSUER)[:2]]
    assert found.source == metadata_locations(ISSUER)[1].url
    assert found.kind == "openid-configuration (RFC 8414 §5)"
    assert [a.used for a in found.attempts] == [False, True]
    assert found.metadata["token_endpoint"] == METADATA["token_endpoint"]
    assert set(found.origins.values()) == {found.source}


def test_a_later_document_fills_in_what_the_earlier_one_lacks(serve):
    http, script = serve(
        httpx.Response(404),
        httpx.Response(404),
        httpx.Response(200, json=OPENID_DOCUMENT),
        httpx.Response(200, json=OAUTH_DOCUMENT),
    )
    found = discover(ISSUER, http=http)
    openid, oauth = (location.url for location in metadata_locations(ISSUER)[2:])
    assert [str(r.url) for r in script.requests][2:] == [openid, oauth]
    assert found.metadata["revocation_endpoint"] == METADATA["revocation_endpoint"]
    assert found.metadata["registration_endpoint"] == METADATA["registration_endpoint"]
    # The first document is kept whole: the later one fills gaps, it never overrides.
    assert found.metadata["token_endpoint"] == OPENID_DOCUMENT["token_endpoint"]
    assert found.origins["token_endpoint"] == openid and found.origins["userinfo_endpoint"] == openid
    assert found.origins["revocation_endpoint"] == oauth and found.origins["introspection_endpoint"] == oauth
    assert found.missing() == ()
    assert [d.url for d in found.documents] == [openid, oauth]
    report = found.report()
    assert f"✓ {oauth}: HTTP 200, issuer matches: fills in revocation_endpoint, registration_endpoint" in report
    assert "The provider gave: [1] openid-configuration (OpenID Connect Discovery §4)" in report
    assert f"  and [2] oauth-authorization-server (appended to the issuer, a layout no RFC names) ({oauth})" in report
    assert f"revocation_endpoint     {METADATA['revocation_endpoint']}  [2]" in report
    assert f"token_endpoint          {OPENID_DOCUMENT['token_endpoint']}  [1]" in report


def test_a_later_document_with_nothing_new_is_not_used(serve):
    lacking = {k: v for k, v in METADATA.items() if k != "registration_endpoint"}
    http, _ = serve(*(httpx.Response(200, json=lacking) for _ in range(4)))
    found = discover(ISSUER, http=http)
    assert [a.used for a in found.attempts] == [True, False, False, False]
    assert found.attempts[1].outcome == "HTTP 200, issuer matches: nothing new"
    assert found.missing() == ("registration_endpoint",)
    assert "[1]" not in found.report()  # one document: no numbers needed


def test_a_document_for_another_issuer_is_not_used(serve):
    # RFC 8414 §3.3: a mix-up (or a typo in the issuer) must not lend its endpoints, not even to fill a gap.
    other = {**METADATA, "issuer": "https://attacker.example"}
    http, _ = serve(httpx.Response(200, json=other), httpx.Response(404), httpx.Response(200, json=OPENID_DOCUMENT),
                    httpx.Response(200, json=other))  # fmt: skip
    found = discover(ISSUER, http=http)
    assert found.attempts[0].outcome.startswith("names the issuer 'https://attacker.example'")
    assert found.attempts[3].outcome.startswith("names the issuer 'https://attacker.example'")
    assert found.source.endswith("/tenant1/.well-known/openid-configuration")
    assert "revocation_endpoint" not in found.metadata


def test_nothing_usable_says_what_each_location_answered(serve):
    http, _ = serve(
        httpx.Response(404), httpx.Response(200, text="<html>"), httpx.ConnectError("refused"), httpx.Response(500)
    )
    with pytest.raises(DiscoveryError) as raised:
        discover(ISSUER, http=http)
    message = str(raised.value)
    assert "HTTP 404" in message and "not JSON" in message and "no answer (ConnectError)" in message
    assert "/tenant1/.well-known/oauth-authorization-server: HTTP 500" in message
    assert "by_hand" in raised.value.hint


def test_the_report_says_what_was_found_and_what_is_missing(serve):
    bare = {k: v for k, v in METADATA.items() if k in ("issuer", "authorization_endpoint", "token_endpoint")}
    http, _ = serve(*(httpx.Response(200, json=bare) for _ in range(4)))
    found = discover(ISSUER, http=http)
    assert found.missing() == (
        "PKCE with S256",
        "public clients",
        "refresh tokens",
        "revocation_endpoint",
        "registration_endpoint",
    )
    report = found.report()
    assert "The provider gave: oauth-authorization-server (RFC 8414 §3.1)" in report
    assert "RFC 8414 §2 reads an absent list as no PKCE" in report
    assert "a client secret, which a Stripe App cannot keep" in report
    assert "RFC 9207" not in report


def test_the_report_says_when_iss_is_required(serve):
    http, _ = serve(httpx.Response(200, json={**METADATA, "authorization_response_iss_parameter_supported": True}))
    assert "one without it is refused" in discover(ISSUER, http=http).report()


def test_typed_in_by_hand_reads_like_metadata():
    found = by_hand(
        issuer="https://www.dropbox.com",
        authorization_endpoint="https://www.dropbox.com/oauth2/authorize",
        token_endpoint="https://api.dropboxapi.com/oauth2/token",
    )
    assert found.kind == found.source == BY_HAND
    assert set(found.origins.values()) == {BY_HAND}
    assert found.missing() == ("revocation_endpoint", "registration_endpoint")
    provider = found.provider(client_id="app-key", redirect_uri="https://dashboard.stripe.com/test/apps-oauth/x")
    assert provider.token_endpoint == "https://api.dropboxapi.com/oauth2/token"


def test_metadata_without_the_endpoints_cannot_make_a_provider():
    found = by_hand(issuer=ISSUER, authorization_endpoint="", token_endpoint=f"{ISSUER}/token")
    with pytest.raises(ProviderError, match="no authorization_endpoint"):
        found.provider(client_id="c", redirect_uri="https://x.example/cb")


def test_the_metadata_is_read_only():
    found = by_hand(issuer=ISSUER, authorization_endpoint=f"{ISSUER}/a", token_endpoint=f"{ISSUER}/t")
    with pytest.raises(TypeError):
        found.metadata["token_endpoint"] = "https://attacker.example/token"

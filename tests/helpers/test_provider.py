"""helpers.provider: the provider value and the one RFC 7591 registration request."""

from __future__ import annotations

import pytest

from helpers.errors import ProviderError
from helpers.provider import Provider, registration_request

METADATA = {
    "issuer": "https://auth.example.com",
    "authorization_endpoint": "https://auth.example.com/authorize",
    "token_endpoint": "https://auth.example.com/token",
    "revocation_endpoint": "https://auth.example.com/revoke",
    "registration_endpoint": "https://auth.example.com/register",
}


def test_from_metadata_takes_the_rfc8414_endpoints():
    provider = Provider.from_metadata(METADATA, client_id="c1", redirect_uri="https://dashboard.stripe.com/test/x")
    assert provider.token_endpoint == "https://auth.example.com/token"
    assert provider.revocation_endpoint == "https://auth.example.com/revoke"
    assert provider.api_endpoint is None
    with pytest.raises(AttributeError):
        provider.client_id = "other"  # type: ignore[misc]


@pytest.mark.parametrize("missing", ["authorization_endpoint", "token_endpoint"])
def test_metadata_without_a_needed_endpoint_says_which(missing):
    with pytest.raises(ProviderError, match=missing):
        Provider.from_metadata({**METADATA, missing: None}, client_id="c", redirect_uri="r")


def test_an_optional_endpoint_that_is_not_a_url_is_left_out():
    provider = Provider.from_metadata({**METADATA, "revocation_endpoint": 5}, client_id="c", redirect_uri="r")
    assert provider.revocation_endpoint is None


def test_registration_request_is_a_public_client_with_exactly_these_uris():
    request = registration_request("My app", ("https://a/test/x", "https://a/x"), scope="files.read")
    assert request == {
        "client_name": "My app",
        "redirect_uris": ["https://a/test/x", "https://a/x"],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "files.read",
    }
    assert "scope" not in registration_request("My app", ["https://a/x"])

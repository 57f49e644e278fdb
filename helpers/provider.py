"""Who the provider is, and who the app is there: one value the other steps take.

A provider publishes where its endpoints are in its metadata (RFC 8414); registering
the app (RFC 7591, or a form in the provider's console) gives the app its `client_id`
for the redirect URLs it registered. `Provider` holds both halves, so the link, the
exchange, refresh, revocation and the API call all read the same endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpers.errors import ProviderError

# What an app asks for when it registers as a public client (RFC 7591 §2): it runs in the
# user's browser, so it holds no secret and PKCE protects its codes instead.
PUBLIC_CLIENT = {
    "token_endpoint_auth_method": "none",
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
}


def registration_request(client_name: str, redirect_uris: Sequence[str], scope: str | None = None) -> dict[str, Any]:
    """The RFC 7591 registration request of a public client with these redirect URIs, exactly."""
    request: dict[str, Any] = {"client_name": client_name, "redirect_uris": list(redirect_uris), **PUBLIC_CLIENT}
    if scope:
        request["scope"] = scope
    return request


@dataclass(frozen=True)
class Provider:
    """A provider's endpoints (RFC 8414 names) and the app's registration there, for one mode.

    `api_endpoint` is the protected resource the app calls with the token; RFC 8414 has no
    field for it, so it is given by hand (or left out). `iss_parameter_supported` is the
    metadata's ``authorization_response_iss_parameter_supported``: such a provider names itself
    in every authorization response (RFC 9207), so an answer without ``iss`` is refused.
    """

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    client_id: str
    redirect_uri: str
    revocation_endpoint: str | None = None
    registration_endpoint: str | None = None
    api_endpoint: str | None = None
    scope: str | None = None
    iss_parameter_supported: bool = False

    @classmethod
    def from_metadata(
        cls,
        metadata: Mapping[str, Any],
        *,
        client_id: str,
        redirect_uri: str,
        api_endpoint: str | None = None,
        scope: str | None = None,
    ) -> Provider:
        """Take the endpoints from RFC 8414 metadata; the two the flow cannot do without must be there."""
        missing = [name for name in ("authorization_endpoint", "token_endpoint") if not _is_url(metadata.get(name))]
        if missing:
            raise ProviderError(
                f"The provider's metadata has no {' and no '.join(missing)}.",
                "Check the metadata URL, or give the endpoints by hand from the provider's documentation.",
            )
        return cls(
            issuer=str(metadata.get("issuer") or ""),
            authorization_endpoint=metadata["authorization_endpoint"],
            token_endpoint=metadata["token_endpoint"],
            client_id=client_id,
            redirect_uri=redirect_uri,
            revocation_endpoint=_optional_url(metadata.get("revocation_endpoint")),
            registration_endpoint=_optional_url(metadata.get("registration_endpoint")),
            api_endpoint=api_endpoint,
            scope=scope,
            iss_parameter_supported=metadata.get("authorization_response_iss_parameter_supported") is True,
        )


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _optional_url(value: object) -> str | None:
    return value if isinstance(value, str) and _is_url(value) else None

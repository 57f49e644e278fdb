"""Register the app's redirect URIs with a provider over RFC 7591, where it offers that.

Step 2 of Stripe's page: the provider must know the Dashboard's two redirect URLs before it
will send a user back to them. There are two routes, and the first is the usual one:

- **the provider's console** (or admin portal): you add the URLs to a client without a secret
  and copy the ``client_id`` it shows; ``from_console`` records that, so both routes give the
  same ``Registration``. Company identity providers (Okta, Microsoft Entra ID, Google) work so.
- **RFC 7591**: a JSON request at the ``registration_endpoint`` (§3.1), answered with the new
  ``client_id`` (§3.2.1); the sandbox's, oidc-provider and Auth0 (once enabled) take it. Many
  providers that offer it allow it only to holders of an *initial access token* (§3): a bearer
  token an administrator makes in the provider's console (Keycloak: Realm settings, Client
  registration, Initial access token) or gets from its admin API, good for a time or a number of
  registrations.

A notebook may register a third redirect URI, a loopback one (RFC 8252 §7.3), to catch the
code itself. OpenID Connect Dynamic Client Registration 1.0 §2 names two ``application_type``
values: ``web``, the default, and ``native``, which "MUST only register redirect_uris using
custom URI schemes or loopback URLs using the http scheme". The Dashboard's https URLs make the
app a web client, so ``native`` is sent only when every redirect URI is a loopback or custom-scheme
one (a development client with the loopback URI alone, say); providers that read the field then
accept that loopback URI on any port.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from helpers.errors import RegistrationError
from helpers.provider import registration_request
from helpers.redact import redact_mapping, redact_text
from helpers.responses import body_detail, json_object

# RFC 7591 §3.2.2 error codes, and what to do about each.
REGISTRATION_HINTS: dict[str, str] = {
    "invalid_redirect_uri": (
        "The provider refuses one of the redirect URIs. Register exactly the Dashboard's two URLs; "
        "some providers refuse http:// URIs, and some allow only one URI per client."
    ),
    "invalid_client_metadata": (
        "The provider refuses a field of the request. Read its description above: often it wants a client "
        "secret (token_endpoint_auth_method) or does not know a scope."
    ),
    "invalid_software_statement": "This provider wants a software statement. Register in its console instead.",
    "unapproved_software_statement": "This provider wants a software statement. Register in its console instead.",
}
_DEFAULT_HINT = "Register in the provider's developer console instead, and type in the client_id it gives you."


@dataclass(frozen=True, repr=False)
class Registration:
    """The provider's answer: the app's ``client_id`` there, and everything else it said (read-only)."""

    client_id: str
    redirect_uris: tuple[str, ...]
    metadata: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    def __repr__(self) -> str:
        # No quotes around the client id, so it reads as client_id=… as it does in a link.
        uris = ", ".join(self.redirect_uris)
        return f"Registration(client_id={self.client_id}, redirect_uris=[{uris}])"

    def shown(self) -> dict[str, Any]:
        """The whole answer with its secrets redacted (a registration_access_token, a client_secret)."""
        return redact_mapping(self.metadata)


# OpenID Connect Dynamic Client Registration 1.0 §2: loopback URLs use localhost or the IP loopback address.
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def from_console(client_id: str, redirect_uris: Sequence[str]) -> Registration:
    """The registration you made in the provider's console: the client id it shows, and the URIs you entered."""
    client_id = client_id.strip()
    if not client_id:
        raise RegistrationError(
            "No client id was given.",
            "Register a client without a secret in the provider's console, with the redirect URIs printed above, "
            "and copy the client id (or application id) it shows.",
        )
    uris = list(redirect_uris)
    return Registration(client_id, tuple(uris), {"client_id": client_id, "redirect_uris": uris, "by": "console"})


def application_type(redirect_uris: Sequence[str]) -> Literal["web", "native"]:
    """``native`` when every redirect URI is a loopback (http) or custom-scheme one, else ``web``.

    OpenID Connect Dynamic Client Registration 1.0 §2: a native client registers only those;
    one https URL on a host (the Dashboard's) makes a web client.
    """
    for uri in redirect_uris:
        parts = urlsplit(uri)
        loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
        custom_scheme = parts.scheme not in ("", "http", "https")
        if not (loopback or custom_scheme):
            return "web"
    return "native" if redirect_uris else "web"


def app_registration_request(
    client_name: str,
    redirect_uris: Sequence[str],
    *,
    scope: str | None = None,
    loopback_uri: str | None = None,
) -> dict[str, Any]:
    """The RFC 7591 request of the app as a public client, with the loopback URI if given.

    ``application_type`` is sent only for a native client: ``web`` is the default, and providers
    that do not know the field ignore it (RFC 7591 §2).
    """
    uris = [*redirect_uris, *([loopback_uri] if loopback_uri else [])]
    request = registration_request(client_name, uris, scope)
    if application_type(uris) == "native":
        request["application_type"] = "native"
    return request


def register(
    registration_endpoint: str | None,
    request: Mapping[str, Any],
    *,
    http: httpx.Client,
    initial_access_token: str | None = None,
) -> Registration:
    """POST the registration request (RFC 7591 §3.1) and return the provider's answer.

    ``registration_endpoint`` comes from the metadata; None (a provider without one) is refused
    with the way out: its console.

    ``initial_access_token`` is for providers that allow registration only with one (§3);
    it is sent as a Bearer credential, which traces show redacted.
    """
    if not registration_endpoint:
        raise RegistrationError(
            "This provider offers no registration endpoint (its metadata has no registration_endpoint).",
            "Register the redirect URIs in the provider's developer console, then use the client_id it shows you.",
        )
    headers = {"Accept": "application/json"}
    if initial_access_token:
        headers["Authorization"] = f"Bearer {initial_access_token}"
    try:
        response = http.post(registration_endpoint, json=dict(request), headers=headers)
    except httpx.HTTPError as e:
        raise RegistrationError(
            f"Could not reach {registration_endpoint} ({type(e).__name__}).",
            "Check the registration_endpoint from the provider's metadata, and that this machine can reach it.",
        ) from None
    body = json_object(response)
    known = (initial_access_token,) if initial_access_token else ()
    if response.status_code in (401, 403):
        detail = body_detail(response, known)
        said = f": {detail}" if detail else ""
        if initial_access_token:
            raise RegistrationError(
                f"The provider refused the initial access token (HTTP {response.status_code}){said}.",
                "It may have expired, been used up (some are good for one registration), or come from another "
                "provider or realm: get a fresh one from the provider's console, or register the app there.",
                status_code=response.status_code,
            )
        raise RegistrationError(
            f"The provider refused to register the app without authorization (HTTP {response.status_code}){said}.",
            "This provider allows registration only with an initial access token (RFC 7591 §3): get one from its "
            "console and pass initial_access_token=…, or register in the console.",
            status_code=response.status_code,
        )
    if not response.is_success or body is None:
        error = body.get("error") if body else None
        description = body.get("error_description") if body else None
        said = f": {error}" if isinstance(error, str) else ""
        said += f" ({redact_text(description, known)})" if isinstance(description, str) and description else ""
        if not isinstance(error, str):  # not RFC 7591's error shape: say what the body says instead
            detail = body_detail(response, known)
            said += f", saying: {detail}" if detail else ""
        raise RegistrationError(
            f"The provider did not register the app (HTTP {response.status_code}){said}.",
            REGISTRATION_HINTS.get(error, _DEFAULT_HINT) if isinstance(error, str) else _DEFAULT_HINT,
            error=error if isinstance(error, str) else None,
            status_code=response.status_code,
        )
    client_id = body.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise RegistrationError(
            "The provider answered without a client_id (RFC 7591 §3.2.1 requires one).",
            "Check that registration_endpoint is the provider's RFC 7591 endpoint; else register in its console.",
            status_code=response.status_code,
        )
    asked = tuple(request.get("redirect_uris") or ())
    # §3.2.1: the provider may change what was asked for. A redirect URI it dropped would
    # only show up later, as a refusal at the consent page, so say it now.
    given = body.get("redirect_uris")
    registered = tuple(given) if isinstance(given, list) else asked
    dropped = [uri for uri in asked if uri not in registered]
    if dropped:
        raise RegistrationError(
            f"The provider registered the app without these redirect URIs: {', '.join(dropped)}.",
            "Register them in the provider's console, or ask its support which redirect URIs it allows.",
            status_code=response.status_code,
        )
    return Registration(client_id, registered, body)

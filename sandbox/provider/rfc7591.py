"""Open dynamic registration of public clients (RFC 7591).

An endpoint of Authlib's authorization server (`server.register_endpoint`), whose errors it
renders; the metadata check is the provider's own, stricter than Authlib's: every field it
reads must have its RFC type, malformed metadata is `invalid_client_metadata` (3.2.2), and the
defaults it applies are stored and echoed in the response (3.2.1), so the client learns what it got.

It does not subclass `authlib.oauth2.rfc7591.ClientRegistrationEndpoint`: importing that package
imports joserfc, and joserfc imports `cryptography`, a native wheel the browser edition's kernel
(Pyodide) cannot install; the kit used none of it (its own check replaces Authlib's claims, and
it takes no software statements), only the shape of the exchange, kept here.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.consts import default_json_headers
from authlib.oauth2 import OAuth2Error
from flask import request as flask_request

from ..web import JSONBodyError, json_body
from .models import SCOPES, Client
from .rfc6749 import URI_REFERENCE

GRANT_TYPES = ("authorization_code", "refresh_token")
RESPONSE_TYPES = ("code",)
# Replacing a client's requested values with suitable ones is allowed (3.2.1); these are the
# ones a client that asked for nothing gets, and the response says so.
DEFAULTS = {
    "token_endpoint_auth_method": "none",  # RFC 7591's default is client_secret_basic: a public client has no secret
    "grant_types": ["authorization_code"],
    "response_types": ["code"],
    "scope": " ".join(SCOPES),
}
_STRINGS = ("client_name", "software_id", "software_version", "token_endpoint_auth_method", "scope")
_URIS = ("client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri")
_STRING_LISTS = ("redirect_uris", "grant_types", "response_types", "contacts")


class InvalidClientMetadataError(OAuth2Error):
    """RFC 7591 3.2.2: a metadata field's value is invalid, and the server refused the registration."""

    error = "invalid_client_metadata"


def _invalid(description: str) -> InvalidClientMetadataError:
    return InvalidClientMetadataError(description)


def _is_absolute_uri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(URI_REFERENCE.fullmatch(value) and parts.scheme and parts.netloc)


def client_metadata(data: object) -> dict[str, Any]:
    """The metadata to register for `data`, defaults applied; raises InvalidClientMetadataError."""
    if not isinstance(data, dict):
        raise _invalid("Send the client metadata as one JSON object (RFC 7591 section 3.1).")
    for name in _STRINGS + _URIS:
        if name in data and not isinstance(data[name], str):
            raise _invalid(f"{name} must be a string.")
    for name in _STRING_LISTS:
        if name in data and not (isinstance(data[name], list) and all(isinstance(v, str) for v in data[name])):
            raise _invalid(f"{name} must be an array of strings.")
    for name in _URIS:
        if name in data and not _is_absolute_uri(data[name]):
            raise _invalid(f"{name} must be an absolute URI.")
    if "jwks" in data and not isinstance(data["jwks"], dict):
        raise _invalid("jwks must be a JSON Web Key Set object.")
    metadata = {name: data[name] for name in (*_STRINGS, *_URIS, *_STRING_LISTS, "jwks") if name in data}
    metadata = {**DEFAULTS, **metadata}

    uris = metadata.get("redirect_uris") or []
    if not uris:
        raise _invalid("Register at least one redirect URI (redirect_uris).")
    for uri in uris:
        # Absolute and without a fragment (RFC 6749 3.1.2).
        if not _is_absolute_uri(uri) or "#" in uri:
            raise _invalid("Each redirect URI must be an absolute URI without a fragment (RFC 6749 section 3.1.2).")
    if metadata["token_endpoint_auth_method"] != "none":
        raise _invalid("This provider registers public clients only: use token_endpoint_auth_method 'none'.")
    if not set(metadata["grant_types"]) <= set(GRANT_TYPES):
        raise _invalid(f"grant_types may hold only {', '.join(GRANT_TYPES)}.")
    if not set(metadata["response_types"]) <= set(RESPONSE_TYPES):
        raise _invalid(f"response_types may hold only {', '.join(RESPONSE_TYPES)}.")
    # The code grant and the code response type come together (RFC 7591 2.1).
    if ("authorization_code" in metadata["grant_types"]) != ("code" in metadata["response_types"]):
        raise _invalid("grant_types authorization_code and response_types code go together (RFC 7591 section 2.1).")
    if not metadata["scope"].split() or not set(metadata["scope"].split()) <= set(SCOPES):
        raise _invalid(f"scope must be a space-separated list of {', '.join(SCOPES)}.")
    return metadata


class Registration:
    """The registration endpoint as Authlib's server runs its endpoints: made with the server, called with
    the request it made (`create_endpoint_request`), answering (status, body, headers) or raising an OAuth2Error."""

    ENDPOINT_NAME = "client_registration"

    def __init__(self, server: Any) -> None:
        self.server = server

    def create_endpoint_request(self, request: Any) -> Any:
        return self.server.create_json_request(request)

    def __call__(self, request: Any) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        # Open registration, like a developer console: anyone may register an app (no initial access token).
        try:
            metadata = client_metadata(json_body(flask_request))
        except JSONBodyError as error:
            raise _invalid(f"{error} (RFC 7591 section 3.1).") from None
        # A public client gets no secret: it could not keep one (RFC 6749 2.1).
        info = {"client_id": generate_token(42), "client_id_issued_at": int(time.time())}
        self.server.store.save_client(Client(info["client_id"], metadata), info["client_id_issued_at"])
        return 201, {**metadata, **info}, default_json_headers

"""Find a provider's endpoints from its issuer: RFC 8414 metadata, or OpenID Connect's.

A provider that follows RFC 8414 publishes a JSON document of its endpoints at a
*well-known* URL made from its issuer identifier. Where exactly is the subtle part:

- RFC 8414 §3.1 inserts ``/.well-known/oauth-authorization-server`` between the host and the
  issuer's path (after dropping a terminating ``/``): issuer ``https://example.com/tenant1``
  publishes at ``https://example.com/.well-known/oauth-authorization-server/tenant1``.
- RFC 8414 §5 lets a provider use the suffix ``openid-configuration`` with the same
  insertion, and describes how clients find providers that follow OpenID Connect Discovery
  1.0 §4 instead, which *appends* the suffix to the issuer
  (``https://example.com/tenant1/.well-known/openid-configuration``): RFC 8414's locations
  first, then the appended one.
- Many servers mounted under a path also serve their RFC 8414 document *appended*
  (``https://example.com/tenant1/.well-known/oauth-authorization-server``), a layout no RFC
  names: it is tried last.

For an issuer without a path the four locations collapse to two. One provider may publish
more than one document, and not the same fields in each: an OpenID Connect document often
lacks ``revocation_endpoint``, which its RFC 8414 document has. So ``discover`` keeps the first
document it may use and goes on while an endpoint is still missing, filling in only what the
earlier documents lack, and remembers which document gave each field. RFC 8414 §3.3 forbids
using a document whose ``issuer`` is not the issuer asked for (a mix-up an attacker could
arrange), so each document is checked. A provider that publishes no metadata at all is typed
in by hand, from its documentation, with ``by_hand``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import httpx

from helpers.errors import DiscoveryError
from helpers.provider import Provider

OAUTH_SUFFIX = "oauth-authorization-server"
OPENID_SUFFIX = "openid-configuration"
BY_HAND = "typed in by hand"
# RFC 8414 §2 wants an https issuer; plain http is for a server on this machine only.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The endpoints the flow reads from metadata: discovery goes on to the next location while one is missing.
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "registration_endpoint")
APPENDED = "appended to the issuer, a layout no RFC names"


@dataclass(frozen=True)
class MetadataLocation:
    """One place to look for the metadata: the URL, its well-known suffix, and the rule that names it."""

    url: str
    suffix: str
    rule: str


@dataclass(frozen=True)
class Attempt:
    """What one location answered: ``used`` is True for a document whose fields were taken."""

    url: str
    outcome: str
    used: bool = False


@dataclass(frozen=True)
class Check:
    """One thing the flow needs or uses, whether the metadata says the provider has it, and the field read."""

    name: str
    ok: bool
    says: str
    field: str = ""


def metadata_locations(issuer: str) -> tuple[MetadataLocation, ...]:
    """The URLs to try for ``issuer``'s metadata: RFC 8414's, in the order its §5 gives, then the appended one."""
    parts = _checked_issuer(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")  # §3.1: "any terminating '/' MUST be removed"
    candidates = (
        MetadataLocation(f"{origin}/.well-known/{OAUTH_SUFFIX}{path}", OAUTH_SUFFIX, "RFC 8414 §3.1"),
        MetadataLocation(f"{origin}/.well-known/{OPENID_SUFFIX}{path}", OPENID_SUFFIX, "RFC 8414 §5"),
        MetadataLocation(f"{origin}{path}/.well-known/{OPENID_SUFFIX}", OPENID_SUFFIX, "OpenID Connect Discovery §4"),
        MetadataLocation(f"{origin}{path}/.well-known/{OAUTH_SUFFIX}", OAUTH_SUFFIX, APPENDED),
    )
    unique: dict[str, MetadataLocation] = {}
    for location in candidates:
        unique.setdefault(location.url, location)
    return tuple(unique.values())


@dataclass(frozen=True)
class Document:
    """One metadata document used: where it is and which rule names that place."""

    url: str
    kind: str


@dataclass(frozen=True)
class Discovery:
    """The provider's metadata, the documents it came from, and every location tried on the way.

    ``documents`` lists the documents used, first the one kept whole; ``origins`` says, for each
    field of ``metadata``, the URL of the document that gave it.
    """

    issuer: str
    metadata: Mapping[str, Any]
    documents: tuple[Document, ...]
    attempts: tuple[Attempt, ...] = ()
    origins: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only views: the metadata is a fact about the provider, not something to edit.
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))

    @property
    def source(self) -> str:
        """The URL of the first document used (the one every other only fills in)."""
        return self.documents[0].url

    @property
    def kind(self) -> str:
        """What the first document used is: its well-known suffix and the rule that placed it."""
        return self.documents[0].kind

    def checks(self) -> tuple[Check, ...]:
        """What the flow needs or uses of the provider, each marked found or missing."""
        m = self.metadata
        methods = _strings(m.get("code_challenge_methods_supported"))
        # RFC 8414 §2 defaults: no auth methods listed means client_secret_basic only,
        # no grant types listed means authorization_code and implicit.
        auth_methods = _strings(m.get("token_endpoint_auth_methods_supported")) or ("client_secret_basic",)
        grants = _strings(m.get("grant_types_supported")) or ("authorization_code", "implicit")
        return (
            _endpoint_check(m, "authorization_endpoint", "the link (step 3)"),
            _endpoint_check(m, "token_endpoint", "exchange and refresh (step 5)"),
            Check(
                "PKCE with S256",
                "S256" in methods,
                "code_challenge_methods_supported lists S256"
                if "S256" in methods
                else "not advertised: RFC 8414 §2 reads an absent list as no PKCE; check the provider's documentation",
                "code_challenge_methods_supported",
            ),
            Check(
                "public clients",
                "none" in auth_methods,
                "token_endpoint_auth_methods_supported lists none"
                if "none" in auth_methods
                else "not advertised: the provider may want a client secret, which a Stripe App cannot keep",
                "token_endpoint_auth_methods_supported",
            ),
            Check(
                "refresh tokens",
                "refresh_token" in grants,
                "grant_types_supported lists refresh_token" if "refresh_token" in grants else "not advertised",
                "grant_types_supported",
            ),
            _endpoint_check(m, "revocation_endpoint", "log out at the provider (RFC 7009)"),
            _endpoint_check(m, "registration_endpoint", "register over RFC 7591; else use the console"),
        )

    def missing(self) -> tuple[str, ...]:
        """The names of the checks that failed."""
        return tuple(check.name for check in self.checks() if not check.ok)

    def report(self) -> str:
        """Every location tried, the documents used, and what the flow needs, each found or missing, as text.

        With more than one document, ``[n]`` after a field names the document that gave it.
        """
        lines = [f"{'✓' if a.used else '✗'} {a.url}: {a.outcome}" for a in self.attempts]
        lines.append(f"The provider gave: {self.kind} ({self.source})")
        numbers = {document.url: n for n, document in enumerate(self.documents, 1)}
        if len(self.documents) > 1:
            lines[-1] = f"The provider gave: [1] {self.kind} ({self.source})"
            lines += [f"  and [{numbers[d.url]}] {d.kind} ({d.url})" for d in self.documents[1:]]
        width = max(len(check.name) for check in self.checks())
        for c in self.checks():
            origin = self.origins.get(c.field) if c.ok and c.field else None
            mark = f"  [{numbers[origin]}]" if origin in numbers and len(self.documents) > 1 else ""
            lines.append(f"  {'✓' if c.ok else '–'} {c.name:<{width}}  {c.says}{mark}")
        if self.metadata.get("authorization_response_iss_parameter_supported") is True:
            lines.append("  The provider sends iss with every answer (RFC 9207): one without it is refused.")
        return "\n".join(lines)

    def provider(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        api_endpoint: str | None = None,
        scope: str | None = None,
    ) -> Provider:
        """The ``Provider`` value the other steps take: these endpoints plus the app's registration."""
        return Provider.from_metadata(
            self.metadata, client_id=client_id, redirect_uri=redirect_uri, api_endpoint=api_endpoint, scope=scope
        )


def discover(issuer: str, *, http: httpx.Client) -> Discovery:
    """Fetch ``issuer``'s metadata: every location in order, until no endpoint the flow reads is missing.

    The first document usable for this issuer is kept whole; a later one only fills in the fields
    the earlier ones lack. Raises DiscoveryError, listing every location tried and what it
    answered, when none serves a usable document.
    """
    issuer = issuer.strip()
    attempts: list[Attempt] = []
    documents: list[Document] = []
    metadata: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for location in metadata_locations(issuer):
        if documents and all(_is_url(metadata.get(name)) for name in ENDPOINTS):
            break
        outcome, body = _fetch(location.url, issuer, http)
        if body is None:
            attempts.append(Attempt(location.url, outcome))
            continue
        new = {name: value for name, value in body.items() if name not in metadata or _lacks(metadata, name)}
        if documents:
            endpoints = [name for name in ENDPOINTS if name in new]
            others = len(new) - len(endpoints)
            filled = [*endpoints, *([f"{others} other field{'s' if others > 1 else ''}"] if others else [])]
            outcome += f": fills in {', '.join(filled)}" if filled else ": nothing new"
        else:
            outcome += ": used"
        attempts.append(Attempt(location.url, outcome, used=bool(new)))
        if new:
            documents.append(Document(location.url, f"{location.suffix} ({location.rule})"))
            metadata.update(new)
            origins.update(dict.fromkeys(new, location.url))
    if documents:
        return Discovery(issuer, metadata, tuple(documents), tuple(attempts), origins)
    tried = "; ".join(f"{a.url}: {a.outcome}" for a in attempts)
    raise DiscoveryError(
        f"No usable metadata for the issuer {issuer!r}. Tried {tried}.",
        "Copy the issuer exactly as the provider's documentation gives it (no trailing slash unless it has one). "
        "If the provider publishes no metadata, type its endpoints in from its documentation with by_hand(...).",
    )


def by_hand(
    *,
    issuer: str,
    authorization_endpoint: str,
    token_endpoint: str,
    revocation_endpoint: str | None = None,
    registration_endpoint: str | None = None,
    code_challenge_methods_supported: tuple[str, ...] = ("S256",),
    token_endpoint_auth_methods_supported: tuple[str, ...] = ("none",),
    grant_types_supported: tuple[str, ...] = ("authorization_code", "refresh_token"),
) -> Discovery:
    """Endpoints typed in from the provider's documentation, for a provider that publishes no metadata.

    The capability lists default to what this flow needs (PKCE, a public client, refresh): you
    are saying the documentation promises them. Change them if it does not.
    """
    metadata: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": authorization_endpoint,
        "token_endpoint": token_endpoint,
        "code_challenge_methods_supported": list(code_challenge_methods_supported),
        "token_endpoint_auth_methods_supported": list(token_endpoint_auth_methods_supported),
        "grant_types_supported": list(grant_types_supported),
    }
    for name, value in (("revocation_endpoint", revocation_endpoint), ("registration_endpoint", registration_endpoint)):
        if value:
            metadata[name] = value
    return Discovery(issuer, metadata, (Document(BY_HAND, BY_HAND),), origins=dict.fromkeys(metadata, BY_HAND))


def _checked_issuer(issuer: str) -> Any:
    parts = urlsplit(issuer.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DiscoveryError(
            f"The issuer {issuer!r} is not an absolute URL.",
            "An issuer looks like https://accounts.google.com or https://example.okta.com/oauth2/default.",
        )
    if parts.query or parts.fragment:
        raise DiscoveryError(
            f"The issuer {issuer!r} has a query or fragment, which no issuer has (RFC 8414 §2).",
            "Drop everything from '?' or '#' on.",
        )
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise DiscoveryError(
            f"The issuer {issuer!r} uses http: RFC 8414 §2 requires https, so its metadata could be forged on the way.",
            "Use the provider's https issuer. Plain http is accepted only for a server on this machine (127.0.0.1).",
        )
    return parts


def _fetch(url: str, issuer: str, http: httpx.Client) -> tuple[str, dict[str, Any] | None]:
    """What ``url`` answered, and the metadata if it may be used for ``issuer``."""
    try:
        response = http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as e:
        return f"no answer ({type(e).__name__})", None
    if response.status_code != 200:
        return f"HTTP {response.status_code}", None
    try:
        body = response.json()
    except ValueError:
        return "HTTP 200 but not JSON", None
    if not isinstance(body, dict):
        return "HTTP 200 but not a JSON object", None
    if body.get("issuer") != issuer:
        # RFC 8414 §3.3: "the data contained in the response MUST NOT be used".
        return f"names the issuer {body.get('issuer')!r}, not {issuer!r}: not used (RFC 8414 §3.3)", None
    return "HTTP 200, issuer matches", body


def _endpoint_check(metadata: Mapping[str, Any], name: str, use: str) -> Check:
    value = metadata.get(name)
    ok = _is_url(value)
    return Check(name, ok, f"{value}" if ok else f"missing: needed for {use}", name)


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _lacks(metadata: Mapping[str, Any], name: str) -> bool:
    """True when an earlier document left ``name`` empty (null, "" or []), so a later one may fill it."""
    return metadata.get(name) in (None, "", [])


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

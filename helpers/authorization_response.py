"""Read the address the provider sent the browser back to: the code, or why there is none.

After the user approves, the provider redirects the browser to the redirect URI with
``code`` and ``state`` in the query (RFC 6749 §4.1.2), or with ``error`` (§4.1.2.1). In a
Stripe App the Dashboard reads that address and checks ``state`` before the app sees
anything. Outside the Dashboard (a notebook trying out your own provider), the learner pastes
the address, or a loopback listener catches it, and this module does the Dashboard's checks:

1. it is an address at the redirect URI the link named, not another page;
2. ``state`` is there and is the one the link carried: otherwise this answer belongs to
   another attempt (an older link, or an attacker's, RFC 6749 §10.12);
3. an ``iss`` (RFC 9207) names the provider the link went to; a provider whose metadata says
   it sends ``iss`` (``authorization_response_iss_parameter_supported``) must send it, on an
   error too (RFC 9207 §2), or the answer is refused (§2.4): it may come from another provider;
4. an ``error`` is the provider's refusal, said with the kit's hint;
5. then, and only then, the ``code``.

Each refusal is a ``RedirectError`` (or the provider's ``OAuthError``) with what to do.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from helpers.dashboard_refusals import DashboardRefusal
from helpers.errors import OAuthError, RedirectError
from helpers.redact import redact_text, redacted_repr

_PASTE_HINT = "Paste the whole address from the browser's address bar, as it is after you approved."


@dataclass(frozen=True, repr=False)
class AuthorizationResponse:
    """What a redirect address carried, once checked: the code, its state, and the issuer if sent."""

    code: str
    state: str
    iss: str | None = None

    def __repr__(self) -> str:
        return redacted_repr(self)


def read_redirect(
    url: str,
    *,
    redirect_uri: str,
    state: str,
    issuer: str | None = None,
    iss_required: bool = False,
    authorization_endpoint: str | None = None,
) -> AuthorizationResponse:
    """Check a redirect address against the link that started the attempt, and return its code.

    ``redirect_uri`` and ``state`` are the link's; ``issuer`` is the provider's, checked against
    an ``iss`` parameter when there is one, and ``iss_required`` (the provider's metadata says it
    sends one, RFC 9207) refuses an answer without it. ``authorization_endpoint`` only sharpens
    one message: a learner who pastes the link itself instead of where it led.
    """
    url = url.strip()
    if not url:
        raise RedirectError("Nothing was pasted.", _PASTE_HINT, cause="empty")
    where = _origin_and_path(url)
    if where is None:
        raise RedirectError(
            "That is not a web address (it should start with https://).", _PASTE_HINT, cause="not_a_url"
        )
    registered = _origin_and_path(redirect_uri)
    if where != registered:
        if authorization_endpoint and where == _origin_and_path(authorization_endpoint):
            raise RedirectError(
                "That is the authorization link itself, not where it led.",
                "Open the link, approve, and paste the address of the page you land on.",
                cause="the_link_itself",
            )
        raise RedirectError(
            f"That address goes to {where}, not to this link's redirect URI, {registered}.",
            f"Paste the address you land on after approving: it starts with {redirect_uri}. "
            "A different one means another link, or a redirect URI the provider changed.",
            cause="wrong_redirect",
        )
    params = parse_redirect(url)
    returned = params.get("state")
    if "error" in params:
        if returned is not None and not _same(returned, state):
            raise _state_mismatch()
        # RFC 6749 §4.1.2.1 asks for state on an error too; Stripe's own Connect has been seen to
        # drop it (stripe/stripe-apps#948). An error carries no code, so it is safe to say, once
        # RFC 9207 §2.4 allows assuming it comes from this provider.
        _require_issuer(params, issuer, iss_required)
        description = params.get("error_description")
        raise OAuthError(params["error"], redact_text(description) if description else None)
    if returned is None:
        raise RedirectError(
            "The address has no state, so nothing ties it to the link this notebook made.",
            _PASTE_HINT + " If it really has no state, the provider dropped it: do not use that code.",
            cause=DashboardRefusal.STATE_MISSING,
        )
    if not _same(returned, state):
        raise _state_mismatch()
    iss = _require_issuer(params, issuer, iss_required)
    code = params.get("code")
    if not code:
        raise RedirectError(
            "The address has the right state but no code.",
            _PASTE_HINT + " If the code is missing there too, start again with a fresh link.",
            cause="no_code",
        )
    return AuthorizationResponse(code=code, state=returned, iss=iss)


def parse_redirect(url: str) -> dict[str, str]:
    """Return the query parameters of a redirect URL, one value per name.

    RFC 6749 §3.1 forbids repeating a parameter, so a repeated one raises RedirectError
    instead of silently picking one of the values.
    """
    values = parse_qs(urlsplit(url).query, keep_blank_values=True)
    repeated = sorted(name for name, found in values.items() if len(found) > 1)
    if repeated:
        raise RedirectError(
            f"The redirect URL repeats the parameter(s) {', '.join(repeated)}.",
            "Paste the URL exactly as the browser shows it after the provider's redirect.",
            cause="repeated_parameter",
        )
    return {name: found[0] for name, found in values.items()}


def _require_issuer(params: dict[str, str], issuer: str | None, required: bool) -> str | None:
    """RFC 9207 §2.4: an ``iss`` must be the issuer, exactly; a provider that promises one must send it."""
    iss = params.get("iss")
    said = f" It says error={params['error']}, but that cannot be trusted." if "error" in params else ""
    if iss is None and required:
        raise RedirectError(
            f"The answer has no iss, though the provider's metadata says it names itself in every answer "
            f"(authorization_response_iss_parameter_supported, RFC 9207): it may come from another provider.{said}",
            "Paste the whole address, iss included. If it really has none, start again with a fresh link; if it "
            "happens again, the provider breaks its own metadata: ask its support, and do not use such a code.",
            cause="issuer_missing",
        )
    if issuer is not None and iss is not None and iss != issuer:
        raise RedirectError(
            f"The answer says it comes from {iss!r}, not from {issuer!r}, the provider the link went to "
            f"(RFC 9207 mix-up check).{said}",
            "Start again with a fresh link; if it happens again, another provider is answering in its place.",
            cause="wrong_issuer",
        )
    return iss


def _state_mismatch() -> RedirectError:
    return RedirectError(
        "The address's state is not the one the newest link carried: it answers another attempt "
        "(an older link, or someone else's).",
        "Open the newest link, approve, and paste the address you land on.",
        cause="state_mismatch",
    )


def _origin_and_path(url: str) -> httpx.URL | None:
    """The address without its query and fragment, normalised as httpx does; None if it is no web address.

    httpx lowercases scheme and host (RFC 3986 §6.2.2.1) and drops a default port; the path stays
    exact, as providers compare redirect URIs.
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:  # a port that is no number, and the like
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed.copy_with(query=None, fragment=None)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())

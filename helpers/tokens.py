"""Step 5: exchange the code and verifier for tokens, refresh them, revoke them.

Stripe's page sends the token request's parameters in the query string of a POST with no
body. RFC 6749 §4.1.3 wants them form-encoded in the request body, and for good reason:
query strings end up in server logs and browser history, and the code and verifier are
secrets. Every request here sends a form body (``data=``) and no query.

``TokenData`` keeps the expiry as an absolute time (``expires_at``): a relative
``expires_in`` means nothing once it is saved and read back in a later session.

Each request has two forms: ``exchange_code_at`` (and ``refresh_at``, ``revoke_at``,
``call_api_at``) spells out every parameter, as notebook 03 teaches it; ``exchange_code``
(``refresh``, ``revoke``, ``call_api``) takes them from a ``Provider`` and sends the same request.

After the exchange: ``fresh_token`` refreshes an access token that has expired (or is about
to) before the app uses it, ``call_api`` uses it (RFC 6750) and turns a refusal into an
``OAuthError`` that says what to do, and ``revoke`` ends the grant when the user logs out.
``revoke_grants`` does that for every grant a log-out ends and says what it did; where it could
not (a provider without a revocation endpoint, or one that refused), it says so loudly: the grant
stays live at the provider until it expires.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import httpx

from helpers.context import CheckedOAuthContext
from helpers.errors import GrantStillLiveWarning, OAuthError, ProviderError, TokenError, UncheckedContextError
from helpers.pkce import require_verifier
from helpers.provider import Provider
from helpers.redact import redact_text, redacted_repr
from helpers.responses import body_detail, json_object
from helpers.when import utc_minute

_RESPONSE_HINT = (
    "The endpoint did not answer like an OAuth token endpoint (RFC 6749 §5.1). "
    "Check that the URL is the provider's token endpoint."
)
_NO_REVOCATION_HINT = (
    "End the grant in the provider's console (the app's access, under connected apps or sessions), or give "
    "its documented RFC 7009 endpoint as Provider(revocation_endpoint=…)."
)
_SAVED_HINT = (
    "The saved secret does not hold a token saved by save_token(). Run the flow again and "
    "save the new token, or delete the secret with delete_secret()."
)


@dataclass(frozen=True, repr=False)
class TokenData:
    """What a token response grants, with an absolute expiry in Unix seconds."""

    access_token: str
    token_type: str
    expires_at: int | None = None
    refresh_token: str | None = None
    scope: str | None = None
    refresh_expires_at: int | None = None

    @classmethod
    def from_response(cls, body: Mapping[str, Any], now: float) -> TokenData:
        """Build from a token response (RFC 6749 §5.1) received at Unix time ``now``.

        ``refresh_token_expires_in`` is no part of RFC 6749 but an extension some providers
        send (GitHub among them, and the sandbox's): when given, the refresh token's expiry
        is kept too.
        """
        expiries = {}
        for relative, absolute in (("expires_in", "expires_at"), ("refresh_token_expires_in", "refresh_expires_at")):
            seconds = body.get(relative)
            if seconds is not None and not _is_number(seconds, (int, float)):
                raise TokenError(
                    f"The token response's {relative} is a {type(seconds).__name__}, not a number of seconds.",
                    _RESPONSE_HINT,
                )
            expiries[absolute] = None if seconds is None else int(now + seconds)
        return cls._checked({**body, **expiries}, "token response", _RESPONSE_HINT)

    @classmethod
    def from_json(cls, text: str) -> TokenData:
        """Read back a token written by ``to_json`` (the Secret Store payload)."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as e:
            # The error names a position only, never the text: the text holds the token.
            raise TokenError(f"The saved token is not valid JSON: {e}.", _SAVED_HINT) from None
        if not isinstance(data, dict):
            raise TokenError(f"The saved token is JSON but not an object: {type(data).__name__}.", _SAVED_HINT)
        for name in ("expires_at", "refresh_expires_at"):
            if data.get(name) is not None and not _is_number(data[name], (int,)):
                raise TokenError(f"The saved token's {name} is not a whole number of seconds.", _SAVED_HINT)
        return cls._checked(data, "saved token", _SAVED_HINT)

    @classmethod
    def _checked(cls, data: Mapping[str, Any], source: str, hint: str) -> TokenData:
        missing = [name for name in ("access_token", "token_type") if not _is_text(data.get(name))]
        if missing:
            raise TokenError(f"The {source} has no {' and no '.join(missing)}.", hint)
        wrong = [name for name in ("refresh_token", "scope") if data.get(name) is not None and not _is_text(data[name])]
        if wrong:
            raise TokenError(f"The {source}'s {', '.join(wrong)} should be a string.", hint)
        return cls(
            access_token=data["access_token"],
            token_type=data["token_type"],
            expires_at=data.get("expires_at"),
            refresh_token=data.get("refresh_token"),
            scope=data.get("scope"),
            refresh_expires_at=data.get("refresh_expires_at") if data.get("refresh_token") else None,
        )

    def to_json(self) -> str:
        """Return the token as compact JSON, the form it takes as a Secret Store payload."""
        return json.dumps(asdict(self), separators=(",", ":"))

    def is_expired(self, now: float, leeway: float = 30) -> bool:
        """Tell whether the access token is expired, or will be within ``leeway`` seconds, at ``now``.

        The leeway covers clock skew and the time the next request takes. A token with no
        known expiry never counts as expired.
        """
        return self.expires_at is not None and now >= self.expires_at - leeway

    @property
    def usable_until(self) -> int | None:
        """When the saved token stops being worth anything: the expiry to give its secret.

        With a refresh token, that is the refresh token's expiry (None when the provider does
        not say: the secret should not expire then), since a dead access token can be
        refreshed. Without one, it is the access token's.
        """
        return self.refresh_expires_at if self.refresh_token else self.expires_at

    def __repr__(self) -> str:
        return redacted_repr(self)


def exchange_code_at(
    token_endpoint: str,
    *,
    code: str,
    verifier: str,
    client_id: str,
    redirect_uri: str,
    http: httpx.Client,
    now: float | None = None,
) -> TokenData:
    """Exchange a code and its PKCE verifier for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5).

    Every parameter spelt out, as notebook 03 teaches the request; ``exchange_code`` sends the
    same request from a ``Provider`` and a checked ``oauthContext``. ``redirect_uri`` must be
    the one in the authorization link. Raises OAuthError when the provider refuses (its error
    code picks the hint) or cannot be reached.
    """
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": require_verifier(verifier),
    }
    return _request_token(http, token_endpoint, form, (code, verifier), now)


def exchange_code(
    provider: Provider,
    context: CheckedOAuthContext,
    *,
    http: httpx.Client,
    redirect_uri: str | None = None,
    now: float | None = None,
) -> TokenData:
    """Exchange a checked ``oauthContext`` (``context.checked()``) for tokens at ``provider``.

    Only a checked context is taken, so a context with an error or without a verifier never
    reaches the token endpoint. ``redirect_uri`` is the provider's unless the link named
    another (a loopback one).
    """
    if not isinstance(context, CheckedOAuthContext):
        raise UncheckedContextError(
            f"exchange_code takes a checked oauthContext, not a {type(context).__name__}.",
            "Pass context.checked(): it raises why the context cannot be exchanged (an error such as "
            "access_denied, or no code), and otherwise gives what exchange_code takes.",
        )
    return exchange_code_at(
        provider.token_endpoint,
        code=context.code,
        verifier=context.verifier,
        client_id=provider.client_id,
        redirect_uri=redirect_uri or provider.redirect_uri,
        http=http,
        now=now,
    )


def refresh_at(
    token_endpoint: str,
    *,
    refresh_token: str | None,
    client_id: str,
    http: httpx.Client,
    now: float | None = None,
) -> TokenData:
    """Get a new access token with a refresh token (RFC 6749 §6), every parameter spelt out.

    If the provider issues no new refresh token, the old one stays valid and is kept.
    """
    if not refresh_token:
        raise TokenError(
            "There is no refresh token to refresh with: the provider did not issue one.",
            "Run the authorization flow again to get a new access token.",
        )
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    token = _request_token(http, token_endpoint, form, (refresh_token,), now)
    return token if token.refresh_token else replace(token, refresh_token=refresh_token)


def refresh(provider: Provider, token: TokenData, *, http: httpx.Client, now: float | None = None) -> TokenData:
    """Refresh ``token`` at ``provider`` with its refresh token; save what comes back (rotation)."""
    return refresh_at(
        provider.token_endpoint, refresh_token=token.refresh_token, client_id=provider.client_id, http=http, now=now
    )


def revoke_at(
    revocation_endpoint: str,
    *,
    token: str,
    client_id: str,
    token_type_hint: str | None = None,
    http: httpx.Client,
) -> None:
    """Revoke an access or refresh token (RFC 7009 §2.1), every parameter spelt out.

    Per §2.2 the provider answers 200 even for a token it does not know, so success does
    not prove the token was valid.
    """
    form = {"token": token, "client_id": client_id}
    if token_type_hint is not None:
        form["token_type_hint"] = token_type_hint
    _post_form(http, revocation_endpoint, form, (token,))


def revoke(provider: Provider, token: TokenData, *, http: httpx.Client) -> None:
    """End ``token``'s grant at ``provider``: revoke its refresh token, or without one its access token.

    Revoking the refresh token ends the whole grant (RFC 7009 §2.1). Raises ProviderError when
    the provider publishes no revocation endpoint: the grant then stays live until it expires.
    """
    if provider.revocation_endpoint is None:
        raise ProviderError(
            f"Nothing was revoked: the provider ({provider.issuer or 'its issuer unknown'}) publishes no revocation "
            "endpoint, so the grant stays live there until it expires.",
            _NO_REVOCATION_HINT,
        )
    revoke_at(
        provider.revocation_endpoint,
        token=token.refresh_token or token.access_token,
        token_type_hint="refresh_token" if token.refresh_token else "access_token",
        client_id=provider.client_id,
        http=http,
    )


def grant_stays_live(issuer: str) -> str:
    """What a log-out without a revocation endpoint must tell the user: the grant is not over."""
    return (
        f"the provider ({issuer or 'its issuer unknown'}) publishes no revocation endpoint, so the grant stays "
        "live there until it expires: end it in the provider's console (the app's access, under connected apps "
        "or sessions), or pass its documented RFC 7009 endpoint by hand (revocation_endpoint=…)"
    )


@dataclass(frozen=True)
class GrantsRevoked:
    """What a log-out did at the provider: how many grants it revoked, and which it left live and why."""

    issuer: str
    revoked: int
    live: tuple[str, ...] = ()

    def __str__(self) -> str:
        done = f"{self.revoked} grant{'s' if self.revoked != 1 else ''} revoked at the provider (RFC 7009)"
        if not self.live:
            return done
        lines = [f"⚠ NOT ALL REVOKED: {done}; {len(self.live)} still live at the provider:"]
        return "\n".join([*lines, *(f"  ⚠ {line}" for line in self.live)])


def revoke_grants(provider: Provider, grants: Sequence[TokenData], *, http: httpx.Client) -> GrantsRevoked:
    """Revoke each grant (its refresh token, else its access token) at ``provider``; say what was done.

    Revoking the refresh token ends the whole grant (RFC 7009 §2.1). A grant that could not be
    revoked (no ``revocation_endpoint``, or the provider refused) is reported and warned about
    (``GrantStillLiveWarning``): it stays usable until it expires, by anyone holding a copy.
    """
    live: list[str] = []
    revoked = 0
    for grant in grants:
        until = _expiry(grant.usable_until)
        if provider.revocation_endpoint is None:
            live.append(f"a grant good {until}: {grant_stays_live(provider.issuer)}")
            continue
        try:
            revoke(provider, grant, http=http)
        except OAuthError as error:
            live.append(f"a grant good {until}: the provider refused to revoke it ({error.message}). {error.hint}")
            continue
        revoked += 1
    report = GrantsRevoked(provider.issuer, revoked, tuple(live))
    if live:
        warnings.warn(str(report), GrantStillLiveWarning, stacklevel=2)
    return report


def _expiry(at: int | None) -> str:
    if at is None:
        return "with no expiry the provider gave"
    return "until " + utc_minute(at)


def fresh_token(
    provider: Provider,
    token: TokenData,
    *,
    http: httpx.Client,
    now: float | None = None,
    leeway: float = 30,
) -> TokenData:
    """Return ``token`` if it is still good at ``now``, else one refreshed at ``provider`` (check before you call).

    Checking the expiry first saves a request that would fail with ``invalid_token``. The
    refreshed token replaces the old one, refresh token included (rotation): save it.
    """
    now = time.time() if now is None else now
    if not token.is_expired(now, leeway):
        return token
    return refresh(provider, token, http=http, now=now)


def call_api_at(url: str, *, access_token: str, http: httpx.Client) -> Any:
    """GET a protected resource with the token (RFC 6750 §2.1) and return its JSON.

    A refusal becomes an ``OAuthError`` with the resource server's error code (RFC 6750
    §3.1), taken from its ``WWW-Authenticate`` header: ``invalid_token`` means refresh or
    authorize again.
    """
    response = _send(
        http, "GET", url, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    )
    if response.is_success:
        try:
            return response.json()
        except ValueError:
            raise OAuthError("server_error", f"{url} answered but not with JSON", response.status_code) from None
    challenge = _bearer_challenge(response.headers.get("www-authenticate", ""))
    body = json_object(response) or {}
    error = challenge.get("error") or body.get("error")
    description = challenge.get("error_description") or body.get("error_description")
    if not isinstance(error, str):
        error = "invalid_token" if response.status_code == 401 else "server_error"
        # Not an RFC 6750 answer: what the body says is all there is to go on.
        description = description if isinstance(description, str) else body_detail(response, (access_token,))
    shown = redact_text(description, (access_token,)) if isinstance(description, str) else None
    raise OAuthError(error, shown, response.status_code)


def call_api(provider: Provider, token: TokenData, *, http: httpx.Client) -> Any:
    """GET ``provider``'s API (``api_endpoint``) with ``token``'s access token; its JSON (see ``call_api_at``)."""
    if provider.api_endpoint is None:
        raise ProviderError(
            "The provider has no api_endpoint to call.",
            "Give the protected resource's URL as Provider(api_endpoint=…), or call call_api_at(url, …).",
        )
    return call_api_at(provider.api_endpoint, access_token=token.access_token, http=http)


def _bearer_challenge(header: str) -> dict[str, str]:
    """The parameters of a ``WWW-Authenticate: Bearer k="v", …`` header (RFC 6750 §3).

    The standard library's HTTP list parser reads them (quoted strings, escapes and commas inside
    quotes), as urllib.request reads Digest challenges; werkzeug's parser would load its whole
    package (1 MiB) into a learner's kernel for one header.
    """
    from urllib.request import parse_http_list

    scheme, _, parameters = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return {}
    found: dict[str, str] = {}
    for item in parse_http_list(parameters):
        name, equals, value = item.partition("=")
        if equals:
            value = value.strip()
            found[name.strip().lower()] = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
    return found


def _request_token(
    http: httpx.Client, url: str, form: dict[str, str], known: Iterable[str], now: float | None
) -> TokenData:
    body, status = _post_form(http, url, form, known)
    if body is None:
        raise OAuthError("server_error", f"{url} answered but not with a JSON object", status)
    return TokenData.from_response(body, time.time() if now is None else now)


def _post_form(
    http: httpx.Client, url: str, form: dict[str, str], known: Iterable[str]
) -> tuple[dict[str, Any] | None, int]:
    """POST ``form`` as a form body; return the JSON object answered (or None) and the status.

    Raises OAuthError for a transport failure or an OAuth error answer. The ``known``
    secrets are redacted from the provider's error_description, in case it quotes them.
    """
    response = _send(http, "POST", url, data=form, headers={"Accept": "application/json"})
    body = json_object(response)
    # Some providers (GitHub among them) answer errors with a 200, so look at the body first.
    if body is not None and isinstance(body.get("error"), str):
        description = body.get("error_description")
        shown = redact_text(description, known) if isinstance(description, str) and description else None
        raise OAuthError(body["error"], shown, response.status_code)
    if not response.is_success:
        content_type = response.headers.get("content-type", "no content type")
        detail = body_detail(response, known)
        raise OAuthError(
            "server_error",
            f"{url} answered without an OAuth error body ({content_type})" + (f", saying: {detail}" if detail else ""),
            response.status_code,
        )
    return body, response.status_code


def _send(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send a request; a transport failure becomes the kit's ``connection_error``."""
    try:
        return http.request(method, url, **kwargs)
    except httpx.HTTPError as e:
        raise OAuthError("connection_error", f"could not reach {url} ({type(e).__name__}: {e})") from None


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _is_number(value: object, types: tuple[type, ...]) -> bool:
    # bool is an int to Python, but true is no number of seconds.
    return isinstance(value, types) and not isinstance(value, bool)

"""Step 3: the authorization link.

Stripe's page builds the link by pasting values into a template string. That works only
while no value holds a character with a meaning in a query string: a ``+`` in ``state``
comes back as a space, a ``&`` splits the value, a ``#`` cuts the URL short. Here every
value is percent-encoded, so what the provider reads is exactly what the app sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote, urlencode, urlsplit

from helpers.errors import AuthorizeError

if TYPE_CHECKING:
    from helpers.context import OAuthState


class CreatesOAuthState(Protocol):
    """What ``start_authorization`` needs of the Dashboard: ``createOAuthState``."""

    def create_oauth_state(self, state: str = "") -> OAuthState: ...


def authorization_url(
    authorize_endpoint: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    code_challenge: str,
    scope: str | None = None,
) -> str:
    """Return the link that opens the provider's consent page (RFC 6749 §4.1.1, RFC 7636 §4.3).

    It carries ``response_type=code``, ``client_id``, ``redirect_uri``, ``state``,
    ``code_challenge`` and ``code_challenge_method=S256``, plus ``scope`` when given, all
    percent-encoded (spaces as ``%20``). A query already in ``authorize_endpoint`` is kept,
    as §3.1 requires.
    """
    endpoint = urlsplit(authorize_endpoint)
    if endpoint.scheme not in ("http", "https") or not endpoint.netloc:
        raise AuthorizeError(
            f"authorize_endpoint {authorize_endpoint!r} is not an absolute http(s) URL.",
            "Use the provider's authorization endpoint, including http:// or https://.",
        )
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if scope is not None:
        params["scope"] = scope
    empty = [name for name, value in params.items() if not value]
    if empty:
        raise AuthorizeError(
            f"These authorization parameters are empty: {', '.join(empty)}.",
            "Pass a value for each; state and code_challenge come from create_oauth_state().",
        )
    query = urlencode(params, quote_via=quote)
    if endpoint.query:
        query = f"{endpoint.query}&{query}"
    return endpoint._replace(query=query).geturl()


def start_authorization(
    dashboard: CreatesOAuthState,
    authorize_endpoint: str,
    *,
    client_id: str,
    redirect_uri: str,
    scope: str | None = None,
    custom_state: str = "",
) -> tuple[OAuthState, str]:
    """Step 3 in one call: ``createOAuthState``, then the encoded link carrying its state and challenge.

    Each authorization attempt needs its own state, so call it again for every new link.
    """
    oauth_state = dashboard.create_oauth_state(custom_state)
    link = authorization_url(
        authorize_endpoint,
        client_id=client_id,
        redirect_uri=redirect_uri,
        state=oauth_state.state,
        code_challenge=oauth_state.challenge,
        scope=scope,
    )
    return oauth_state, link

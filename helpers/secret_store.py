"""Steps 6 and 7: keep the token in Stripe's Secret Store, and find it again later.

A Stripe App's UI extension has no storage of its own that survives a page reload; the
Secret Store (``/v1/apps/secrets``) is where tokens go. A secret lives in a *scope*: one
user's (the usual place for that user's OAuth token) or the whole account's. Saving needs
the ``secret_write`` permission; the payload is a string of at most 5000 characters, so a
token is saved as JSON. Every call goes through ``stripe.StripeClient``, unchanged, so the
same code runs against the sandbox and against Stripe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import httpx
import stripe
from stripe.apps import Secret

from helpers.errors import SecretStoreError
from helpers.manifest import GRANT_SECRET_WRITE
from helpers.redact import redact_text
from helpers.tokens import TokenData
from helpers.trace import Trace, traced_client

TOKEN_SECRET_NAME = "oauth_token"

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """Whose secret it is: one user's (``type="user"``) or the whole account's (``type="account"``)."""

    type: Literal["user", "account"]
    user: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ("user", "account"):
            raise SecretStoreError(
                f"Scope type must be 'user' or 'account', not {self.type!r}.",
                "Use Scope.for_user(id) or Scope.account().",
                kind="invalid_request",
            )
        # Stripe's rule: scope.user is required for type "user" and forbidden for "account".
        if self.type == "user" and not self.user:
            raise SecretStoreError(
                "A user scope needs the user's id.",
                "Use Scope.for_user(user_context.id).",
                kind="invalid_request",
            )
        if self.type == "account" and self.user is not None:
            raise SecretStoreError(
                "An account scope takes no user id.",
                "Use Scope.account(), or Scope.for_user(id) for one user's secrets.",
                kind="invalid_request",
            )

    @classmethod
    def for_user(cls, user_id: str) -> Scope:
        """The scope of one Dashboard user (``userContext.id``): where that user's token belongs."""
        return cls("user", user_id)

    @classmethod
    def account(cls) -> Scope:
        """The scope shared by every user of the account."""
        return cls("account")

    def to_params(self) -> dict[str, str]:
        """Return the ``scope`` parameter as the Stripe API takes it."""
        return {"type": self.type, "user": self.user} if self.user else {"type": self.type}

    def __str__(self) -> str:
        return f"user scope of {self.user}" if self.user else "account scope"


class TracedStripeHTTPClient(stripe.HTTPClient):
    """A stripe-python HTTP client that sends through a given ``httpx.Client``.

    Pass it as ``stripe.StripeClient(..., http_client=...)``: the Stripe SDK's requests then
    go through that client, so its trace records them next to the OAuth calls. It owns the
    ``httpx.Client``: ``close()`` closes it. Synchronous calls only.
    """

    name = "httpx"

    def __init__(self, http: httpx.Client) -> None:
        super().__init__()
        self._http = http

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
    ) -> tuple[bytes, int, Mapping[str, str]]:
        """Send one request; the SDK calls this (and does its retries around it)."""
        try:
            # The SDK hands over the body already form-encoded, so it goes as content.
            response = self._http.request(method, url, headers=headers, content=post_data)
        except httpx.HTTPError as e:
            raise stripe.APIConnectionError(
                f"Could not reach {url} ({type(e).__name__}: {e})", should_retry=True
            ) from None
        return response.content, response.status_code, response.headers

    def close(self) -> None:
        """Close the ``httpx.Client``."""
        self._http.close()


def make_client(
    api_key: str,
    *,
    api_base: str | None = None,
    trace: Trace | None = None,
    http: httpx.Client | None = None,
    **http_options: Any,
) -> stripe.StripeClient:
    """Return a ``stripe.StripeClient`` for the Secret Store calls.

    ``api_base`` points it at the sandbox (``None``: Stripe itself). Its requests go through
    httpx: through ``http`` when given (the app's own client, with its trace), else a new
    client recorded by ``trace`` when given; ``http_options`` go to that new ``httpx.Client``
    (e.g. a ``transport`` in tests). No automatic retries: a learner should see each failure once.
    """
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=0,
        http_client=TracedStripeHTTPClient(http or traced_client(trace, **http_options)),
    )


def save_secret(
    client: stripe.StripeClient,
    scope: Scope,
    name: str,
    payload: str,
    *,
    expires_at: int | None = None,
) -> Secret:
    """Create the secret ``name`` in ``scope``, or replace it if it exists (Stripe's set is an upsert).

    ``expires_at`` (Unix seconds) makes Stripe delete the secret then.
    """
    params: dict[str, Any] = {"scope": scope.to_params(), "name": name, "payload": payload}
    if expires_at is not None:
        params["expires_at"] = expires_at
    return _call(lambda: client.v1.apps.secrets.create(params), scope, name)


def find_secret(client: stripe.StripeClient, scope: Scope, name: str) -> str:
    """Return the payload of the secret ``name`` in ``scope``.

    Stripe returns the payload only when asked to expand it, so this asks.
    """
    params: dict[str, Any] = {"scope": scope.to_params(), "name": name, "expand": ["payload"]}
    secret = _call(lambda: client.v1.apps.secrets.find(params), scope, name)
    if secret.payload is None:
        raise SecretStoreError(
            f"The secret {name!r} came back without its payload.",
            "The server ignored expand[]=payload; check that api_base is a Stripe API.",
            kind="api",
        )
    return secret.payload


def save_token(
    client: stripe.StripeClient,
    scope: Scope,
    token: TokenData,
    *,
    name: str = TOKEN_SECRET_NAME,
    expires_at: int | None = None,
) -> Secret:
    """Save ``token`` as JSON in the secret ``name``.

    The secret does not expire with the access token by default: the refresh token in it
    outlives the access token, and it is what gets a new one.
    """
    return save_secret(client, scope, name, token.to_json(), expires_at=expires_at)


def find_token(client: stripe.StripeClient, scope: Scope, *, name: str = TOKEN_SECRET_NAME) -> TokenData:
    """Return the token saved by ``save_token`` in the secret ``name``."""
    return TokenData.from_json(find_secret(client, scope, name))


def delete_secret(client: stripe.StripeClient, scope: Scope, name: str) -> Secret:
    """Delete the secret ``name`` in ``scope``; the answer has ``deleted=True``."""
    params: dict[str, Any] = {"scope": scope.to_params(), "name": name}
    return _call(lambda: client.v1.apps.secrets.delete_where(params), scope, name)


def list_secrets(client: stripe.StripeClient, scope: Scope, limit: int = 10) -> list[Secret]:
    """Return up to ``limit`` (1 to 100) secrets of ``scope``, without their payloads."""
    params: dict[str, Any] = {"scope": scope.to_params(), "limit": limit}
    return list(_call(lambda: client.v1.apps.secrets.list(params), scope, None).data)


def _call(operation: Callable[[], T], scope: Scope, name: str | None) -> T:
    """Run one Secret Store call, turning Stripe's errors into SecretStoreError."""
    try:
        return operation()
    except stripe.StripeError as e:
        # Raised from None: the kit's message carries what matters, and a shorter
        # traceback is easier to read in a notebook.
        raise _store_error(e, scope, name) from None


def _store_error(error: stripe.StripeError, scope: Scope, name: str | None) -> SecretStoreError:
    status = error.http_status
    server_message = redact_text(error.user_message or "no message")
    if isinstance(error, stripe.InvalidRequestError) and status == 404 and name is not None:
        return SecretStoreError(
            f"No secret named {name!r} in the {scope} (Stripe: {server_message}).",
            "Save it first (04-set-secret) or check the name and scope.",
            kind="not_found",
            http_status=status,
        )
    if isinstance(error, stripe.PermissionError) and error.error and error.error.param == "scope[user]":
        return SecretStoreError(
            f"Stripe refused the scope: {server_message}",
            "A UI extension reaches only the account scope and its own user's scope: use "
            "Scope.for_user(user_context.id) with the id of the user the app runs for.",
            kind="permission",
            http_status=status,
        )
    if isinstance(error, stripe.PermissionError):
        return SecretStoreError(
            f"Stripe refused the Secret Store call: {server_message}",
            f"Give the app the secret_write permission: {GRANT_SECRET_WRITE}; then reinstall the app.",
            kind="permission",
            http_status=status,
        )
    if isinstance(error, stripe.AuthenticationError):
        return SecretStoreError(
            f"Stripe did not accept the API key: {server_message}",
            "Use the api_key of the app's install, as world.install_app(...) returns it.",
            kind="authentication",
            http_status=status,
        )
    if isinstance(error, stripe.InvalidRequestError):
        param = f" (parameter: {error.param})" if error.param else ""
        return SecretStoreError(
            f"Stripe rejected the request: {server_message}{param}",
            "Fix the parameter named above and call again.",
            kind="invalid_request",
            http_status=status,
        )
    if isinstance(error, stripe.APIConnectionError):
        return SecretStoreError(
            f"Could not reach the Stripe API: {server_message}",
            "Is the sandbox running? Start it with sandbox.start(), and pass the api_base it gives.",
            kind="api",
        )
    return SecretStoreError(
        f"Stripe failed (HTTP {status}): {server_message}",
        "Check api_base (the sandbox serves Stripe's API under /stripe), then try again; "
        "if it keeps failing, read the sandbox log.",
        kind="api",
        http_status=status,
    )

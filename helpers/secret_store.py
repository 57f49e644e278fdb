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
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import httpx

from helpers.stripe_sdk import stripe

if TYPE_CHECKING:  # types only: the SDK's parameter types are a module tree of their own (about 1 MiB)
    from stripe.apps import Secret
    from stripe.params.apps import (
        SecretCreateParams,
        SecretCreateParamsScope,
        SecretDeleteWhereParams,
        SecretFindParams,
        SecretListParams,
    )

from helpers.errors import (
    SecretAuthenticationError,
    SecretNotFoundError,
    SecretPermissionError,
    SecretRequestError,
    SecretStoreError,
)
from helpers.manifest import GRANT_SECRET_WRITE
from helpers.redact import redact_text
from helpers.tokens import TokenData
from helpers.trace import Trace, http_client, traced_client

TOKEN_SECRET_NAME = "oauth_token"

T = TypeVar("T")


@dataclass(frozen=True)
class SecretScope:
    """Whose secret it is: one user's (``type="user"``) or the whole account's (``type="account"``).

    This is the Secret Store's scope, not an OAuth scope (the permissions a token grants).
    """

    type: Literal["user", "account"]
    user: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ("user", "account"):
            raise SecretRequestError(
                f"SecretScope type must be 'user' or 'account', not {self.type!r}.",
                "Use SecretScope.for_user(id) or SecretScope.account().",
            )
        # Stripe's rule: scope.user is required for type "user" and forbidden for "account".
        if self.type == "user" and not self.user:
            raise SecretRequestError(
                "A user scope needs the user's id.",
                "Use SecretScope.for_user(user_context.id).",
            )
        if self.type == "account" and self.user is not None:
            raise SecretRequestError(
                "An account scope takes no user id.",
                "Use SecretScope.account(), or SecretScope.for_user(id) for one user's secrets.",
            )

    @classmethod
    def for_user(cls, user_id: str) -> SecretScope:
        """The scope of one Dashboard user (``userContext.id``): where that user's token belongs."""
        return cls("user", user_id)

    @classmethod
    def account(cls) -> SecretScope:
        """The scope shared by every user of the account."""
        return cls("account")

    def to_params(self) -> SecretCreateParamsScope:
        """Return the ``scope`` parameter as the Stripe API takes it."""
        return {"type": self.type, "user": self.user} if self.user else {"type": self.type}

    def __str__(self) -> str:
        return f"user scope of {self.user}" if self.user else "account scope"


class HttpxHTTPClient(stripe.HTTPClient):
    """A stripe-python HTTP client that sends through a given ``httpx.Client``.

    Pass it as ``stripe.StripeClient(..., http_client=...)``: the Stripe SDK's requests then
    go through that client, and when that client is traced, its trace records them next to
    the OAuth calls. It owns the ``httpx.Client``: ``close()`` closes it. Synchronous calls only.
    """

    name = "httpx"

    def __init__(self, http: httpx.Client) -> None:
        super().__init__()
        self._http = http

    # stripe-python annotates the body as str, yet its own requests client returns bytes, as this does.
    def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[bytes, int, Mapping[str, str]]:
        """Send one request; the SDK calls this (and does its retries around it)."""
        try:
            # The SDK hands over the body already form-encoded, so it goes as content.
            response = self._http.request(method, url, headers=headers, content=post_data)
        except httpx.HTTPError as e:
            raise stripe.APIConnectionError(  # type: ignore[no-untyped-call]
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
    if http is None:
        http = traced_client(trace, **http_options) if trace is not None else http_client(**http_options)
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=0,
        http_client=HttpxHTTPClient(http),
    )


def save_secret(
    client: stripe.StripeClient,
    scope: SecretScope,
    name: str,
    payload: str,
    *,
    expires_at: int | None = None,
) -> Secret:
    """Create the secret ``name`` in ``scope``, or replace it if it exists (Stripe's set is an upsert).

    ``expires_at`` (Unix seconds) makes Stripe delete the secret then.
    """
    params: SecretCreateParams = {"scope": scope.to_params(), "name": name, "payload": payload}
    if expires_at is not None:
        params["expires_at"] = expires_at
    return _call(lambda: client.v1.apps.secrets.create(params), scope, name)


def find_secret(client: stripe.StripeClient, scope: SecretScope, name: str) -> str:
    """Return the payload of the secret ``name`` in ``scope``.

    Stripe returns the payload only when asked to expand it, so this asks.
    """
    params: SecretFindParams = {"scope": scope.to_params(), "name": name, "expand": ["payload"]}
    secret = _call(lambda: client.v1.apps.secrets.find(params), scope, name)
    if secret.payload is None:
        raise SecretStoreError(
            f"The secret {name!r} came back without its payload.",
            "The server ignored expand[]=payload; check that api_base is a Stripe API.",
        )
    return secret.payload


def save_token(
    client: stripe.StripeClient,
    scope: SecretScope,
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


def find_token(client: stripe.StripeClient, scope: SecretScope, *, name: str = TOKEN_SECRET_NAME) -> TokenData:
    """Return the token saved by ``save_token`` in the secret ``name``."""
    return TokenData.from_json(find_secret(client, scope, name))


def delete_secret(
    client: stripe.StripeClient, scope: SecretScope, name: str, *, missing_ok: bool = False
) -> Secret | None:
    """Delete the secret ``name`` in ``scope``; the answer has ``deleted=True``.

    A secret that is not there raises SecretNotFoundError, or returns None with ``missing_ok``
    (logging out twice, or after the secret expired, leaves nothing to delete).
    """
    params: SecretDeleteWhereParams = {"scope": scope.to_params(), "name": name}
    try:
        return _call(lambda: client.v1.apps.secrets.delete_where(params), scope, name)
    except SecretNotFoundError:
        if missing_ok:
            return None
        raise


def list_secrets(client: stripe.StripeClient, scope: SecretScope, limit: int = 10) -> list[Secret]:
    """Return up to ``limit`` (1 to 100) secrets of ``scope``, without their payloads."""
    params: SecretListParams = {"scope": scope.to_params(), "limit": limit}
    return list(_call(lambda: client.v1.apps.secrets.list(params), scope, None).data)


def _call(operation: Callable[[], T], scope: SecretScope, name: str | None) -> T:
    """Run one Secret Store call, turning Stripe's errors into SecretStoreError."""
    try:
        return operation()
    except stripe.StripeError as e:
        # Raised from None: the kit's message carries what matters, and a shorter
        # traceback is easier to read in a notebook.
        raise _store_error(e, scope, name) from None


@dataclass(frozen=True)
class _Rule:
    """One row of the error table: a Stripe error class (and a test on it) → the kit's error."""

    stripe_error: type[stripe.StripeError]
    kit_error: type[SecretStoreError]
    message: str
    hint: str
    applies: Callable[[stripe.StripeError, str | None], bool] = lambda error, name: True


def _about_user_scope(error: stripe.StripeError, name: str | None) -> bool:
    return error.error is not None and error.error.param == "scope[user]"


def _names_the_grant(error: stripe.StripeError, name: str | None) -> bool:
    """The message already gives the command that grants secret_write (the sandbox's does): the hint says no more."""
    return GRANT_SECRET_WRITE in (error.user_message or "")


# Stripe's errors → the kit's, first match wins (as httpx maps httpcore's through one table).
# {scope}, {name}, {message} (Stripe's, redacted), {status} and {param} fill the texts.
_RULES = (
    _Rule(
        stripe.InvalidRequestError,
        SecretNotFoundError,
        "No secret named {name!r} in the {scope} (Stripe: {message}).",
        "Save it first (04-set-secret) or check the name and scope.",
        lambda error, name: error.http_status == 404 and name is not None,
    ),
    _Rule(
        stripe.PermissionError,
        SecretPermissionError,
        "Stripe refused the scope: {message}",
        "A UI extension reaches only the account scope and its own user's scope: use "
        "SecretScope.for_user(user_context.id) with the id of the user the app runs for.",
        _about_user_scope,
    ),
    _Rule(
        stripe.PermissionError,
        SecretPermissionError,
        "Stripe refused the Secret Store call: {message}",
        "Run the command above in your app's folder, where stripe-app.json is.",
        _names_the_grant,
    ),
    _Rule(
        stripe.PermissionError,
        SecretPermissionError,
        "Stripe refused the Secret Store call: {message}",
        f"Give the app the secret_write permission: {GRANT_SECRET_WRITE}; then reinstall the app.",
    ),
    _Rule(
        stripe.AuthenticationError,
        SecretAuthenticationError,
        "Stripe did not accept the API key: {message}",
        "Use the api_key of the app's install, as world.install_app(...) returns it.",
    ),
    _Rule(
        stripe.InvalidRequestError,
        SecretRequestError,
        "Stripe rejected the request: {message}{param}",
        "Fix the parameter named above and call again.",
    ),
    _Rule(
        stripe.APIConnectionError,
        SecretStoreError,
        "Could not reach the Stripe API: {message}",
        "Is the sandbox running? Start it with sandbox.start(), and pass the api_base it gives.",
    ),
    _Rule(
        stripe.StripeError,
        SecretStoreError,
        "Stripe failed (HTTP {status}): {message}",
        "Check api_base (the sandbox serves Stripe's API under /stripe), then try again; "
        "if it keeps failing, read the sandbox log.",
    ),
)


def _store_error(error: stripe.StripeError, scope: SecretScope, name: str | None) -> SecretStoreError:
    rule = next(r for r in _RULES if isinstance(error, r.stripe_error) and r.applies(error, name))
    param = getattr(error, "param", None)
    fields = {
        "scope": scope,
        "name": name,
        "message": redact_text(error.user_message or "no message"),
        "status": error.http_status,
        "param": f" (parameter: {param})" if param else "",
    }
    # A connection error has no HTTP status of its own (the SDK may still set one).
    status = None if isinstance(error, stripe.APIConnectionError) else error.http_status
    return rule.kit_error(rule.message.format(**fields), rule.hint, status_code=status)

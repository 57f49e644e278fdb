"""08-token-lifecycle: ``get_access_token``, what a later session does before it calls the provider's API.

The check runs the learner's function against the real sandbox, for another user of the
app (so the learner's own saved token stays as it is), in the situations a later session
meets: a good token saved, an expired one, none at all, a grant the provider has ended, a
provider that cannot be reached, and a scope Stripe refuses. Each situation is built for
real: a real authorization, a real token, a real secret, tokens aged at the provider.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx
import stripe

from helpers.authorize import start_authorization
from helpers.dashboard_client import DashboardClient
from helpers.errors import OAuthError, SecretNotFoundError, SecretPermissionError, TokenError
from helpers.provider import Provider
from helpers.redact import redact_text
from helpers.secret_store import TOKEN_SECRET_NAME, SecretScope, delete_secret, make_client, save_token
from helpers.tokens import TokenData, call_api_at, exchange_code, revoke

from .feedback import Feedback, check, not_a_function, not_started

# The user the check plays: not the learner, so the learner's saved token is never touched.
CHECK_USER = "usr_lifecycle08"
# Another user again, whose scope Stripe refuses to CHECK_USER's install (403).
REFUSED_USER = "usr_someoneelse08"
SIGNATURE = "def get_access_token(client, scope, *, provider, http, now): ..."
HOUR = 3600

RETURNED_EXPIRED = (
    "It returned the expired access token without refreshing. Check token.is_expired(now) with the "
    "`now` your function is given (the app's clock, an hour on), and refresh when it says True."
)
RETURNED_TOKEN_DATA = (
    "It returned a TokenData: return the access token itself (token.access_token), the string "
    "the app sends in 'Authorization: Bearer …'."
)


@dataclass(frozen=True)
class _Run:
    """What one call of the learner's function did."""

    got: Any
    error: Exception | None
    token_requests: int  # POSTs to the token endpoint it was given


@dataclass(frozen=True)
class _Saved:
    """The secret after a call: the token in it (None if it holds no token) and its expires_at."""

    token: TokenData | None
    expires_at: int | None


class _Lab:
    """One user of the app, with the sandbox calls to build each situation."""

    def __init__(self, kit: Any, user: str) -> None:
        self.world = kit.world
        self.provider: Provider = kit.provider
        install = kit.world.install_app(kit.manifest, user, kit.mode)
        self.scope = SecretScope.for_user(user)
        # The check's own calls, and the learner's: separate clients, so only the learner's are counted.
        self.plain = httpx.Client(timeout=30)
        self.dashboard = DashboardClient(kit.world.dashboard_base, install.api_key, self.plain)
        self.store = make_client(install.api_key, api_base=kit.world.stripe_api_base, http=self.plain)
        self.requests: list[tuple[str, str]] = []
        self.known: set[str] = set()  # every token issued here, hidden in whatever the check quotes
        self.http = httpx.Client(timeout=30, event_hooks={"request": [self._count], "response": [self._learn]})
        self.client = make_client(install.api_key, api_base=kit.world.stripe_api_base, http=self.http)

    def _count(self, request: httpx.Request) -> None:
        # A request hook sees even a request that never gets an answer (provider unreachable).
        self.requests.append((request.method, str(request.url.copy_with(query=None))))

    def _learn(self, response: httpx.Response) -> None:
        # The tokens of a refresh the learner's function made: an error it raises might quote them.
        response.read()
        try:
            body = response.json()
        except ValueError:
            return
        if isinstance(body, dict):
            self.known.update(str(body[name]) for name in ("access_token", "refresh_token") if body.get(name))

    def close(self) -> None:
        try:
            self.forget()
        finally:
            self.http.close()
            self.plain.close()

    def issue(self) -> TokenData:
        """A new grant: the user approves, the code is exchanged, the token saved as the app would."""
        while self.dashboard.take_oauth_context() is not None:
            pass
        _, link = start_authorization(
            self.dashboard,
            self.provider.authorization_endpoint,
            client_id=self.provider.client_id,
            redirect_uri=self.provider.redirect_uri,
        )
        self.world.consent(link)
        context = self.dashboard.take_oauth_context()
        token = exchange_code(self.provider, context.checked(), http=self.plain)
        self.known.update((token.access_token, token.refresh_token or ""))
        save_token(self.store, self.scope, token, expires_at=token.usable_until)
        return token

    def age(self, token: TokenData) -> float:
        """An hour passes at the provider; return the app's clock, an hour on too."""
        self.world.let_time_pass(token.access_token, HOUR)
        return time.time() + HOUR

    def forget(self) -> None:
        delete_secret(self.store, self.scope, TOKEN_SECRET_NAME, missing_ok=True)

    def saved(self) -> _Saved | None:
        params = {"scope": self.scope.to_params(), "name": TOKEN_SECRET_NAME, "expand": ["payload"]}
        try:
            secret = self.store.v1.apps.secrets.find(params)
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise
        try:
            return _Saved(TokenData.from_json(secret.payload), secret.expires_at)
        except TokenError:  # the learner's function saved something else under the name
            return _Saved(None, secret.expires_at)

    def works(self, access_token: Any) -> bool:
        """Does the provider's API accept this access token now?"""
        if not isinstance(access_token, str) or not access_token:
            return False
        try:
            call_api_at(f"{self.world.provider_issuer}/api/me", access_token=access_token, http=self.plain)
        except OAuthError:
            return False
        return True

    def run(
        self, function: Callable, *, now: float, scope: SecretScope | None = None, provider: Provider | None = None
    ) -> _Run:
        provider = provider or self.provider
        endpoint = provider.token_endpoint
        start = len(self.requests)
        try:
            got = function(
                self.client,
                scope or self.scope,
                provider=provider,
                http=self.http,
                now=now,
            )
            error = None
        except Exception as raised:  # the learner's code: any exception is feedback
            got, error = None, raised
        posts = sum(1 for method, url in self.requests[start:] if method == "POST" and url == endpoint)
        return _Run(got, error, posts)


def check_get_access_token(get_access_token: Any, *, kit: Any, user: str = CHECK_USER) -> Feedback:
    """Run ``get_access_token`` in each situation a later session meets, and say what to fix.

    ``kit`` is the notebook's kit (``setup()``): the check uses its sandbox, app and
    provider registration, for ``user`` rather than the learner.
    """
    if get_access_token is ...:
        return not_started(f"a function: {SIGNATURE}")
    problem = not_a_function(
        get_access_token,
        f"get_access_token should be a function ({SIGNATURE})",
        call=((None, None), {"provider": None, "http": None, "now": 0}),
        wrong_signature=(
            "The check calls your function as get_access_token(client, scope, provider=…, http=…, now=…): "
            f"define it as {SIGNATURE}"
        ),
    )
    if problem is not None:
        return problem
    lab = _Lab(kit, user)
    try:
        points = [
            *_a_good_token(get_access_token, lab),
            *_an_expired_token(get_access_token, lab),
            *_no_token(get_access_token, lab),
            *_an_ended_grant(get_access_token, lab),
            *_an_unreachable_provider(get_access_token, lab),
            *_a_refused_scope(get_access_token, lab),
        ]
    finally:
        lab.close()
    return check(
        list(dict.fromkeys(points)),
        "A good token is used as it is, an expired one is refreshed and saved with the refresh token's "
        "expiry, an ended grant leaves no dead secret behind, and every other failure reaches the caller.",
    )


def _what(error: BaseException, lab: _Lab) -> str:
    first = str(error).splitlines()[0] if str(error) else ""
    return redact_text(f"{type(error).__name__}: {first}" if first else type(error).__name__, lab.known)


def _as_text(got: Any, points: list[str]) -> Any:
    """The access token in what the function returned; a TokenData is a mistake, named once."""
    if isinstance(got, TokenData):
        points.append(RETURNED_TOKEN_DATA)
        return got.access_token
    return got


def _a_good_token(function: Callable, lab: _Lab) -> list[str]:
    token = lab.issue()
    run = lab.run(function, now=time.time())
    points: list[str] = []
    if run.error is not None:
        return [
            f"With a good token saved, your function raised {_what(run.error, lab)}. It should return "
            "token.access_token, without asking the provider for anything."
        ]
    got = _as_text(run.got, points)
    if run.token_requests or not lab.works(token.access_token):
        points.append(
            "It refreshed a token that was still good: a refresh costs a request to the provider, and "
            "rotates the refresh token for nothing. Check token.is_expired(now) first, and return "
            "token.access_token at once when it says False."
        )
    elif got is None:
        points.append(
            "With a good token saved, it returned None: find the token (find_token(client, scope)) and "
            "return its access_token."
        )
    elif got != token.access_token:
        points.append("With a good token saved, it returned something other than that token's access_token.")
    return points


def _an_expired_token(function: Callable, lab: _Lab) -> list[str]:
    token = lab.issue()
    later = lab.age(token)
    run = lab.run(function, now=later)
    saved = lab.saved()
    if run.error is not None:
        return [
            f"With an expired token saved, your function raised {_what(run.error, lab)}. It should refresh the "
            "token, save the new one and return its access_token."
        ]
    points: list[str] = []
    got = _as_text(run.got, points)
    if saved is not None and saved.token is None:
        return [
            *points,
            "The secret no longer holds a token: save the new TokenData with save_token(client, scope, "
            "new, expires_at=new.usable_until), which writes it as JSON.",
        ]
    refreshed = run.token_requests > 0 or (saved is not None and saved.token.refresh_token != token.refresh_token)
    if not refreshed:
        if saved is None:
            points.append(
                "With an expired token saved, it deleted the secret without refreshing. The refresh token "
                "in it is good for 30 days: refresh, save the new token, return its access_token."
            )
        elif got == token.access_token:
            points.append(RETURNED_EXPIRED)
        elif got is None:
            points.append(
                "With an expired token saved, it returned None without refreshing. The refresh token is "
                "good for 30 days: refresh (fresh_token or refresh), save the new token, return it."
            )
        else:
            points.append(
                "With an expired token saved, it did not refresh at the provider it was given, "
                "with the http client it was given."
            )
        return points
    if run.token_requests > 1:
        points.append(
            "It refreshed more than once. Each refresh spends the refresh token it sends; sending a "
            "spent one ends the whole grant (RFC 9700 §4.14.2). Refresh once, keep the result."
        )
    if saved is None:
        points.append(
            "After refreshing, the secret was gone: save the new token over the old one "
            "(save_token(client, scope, new, expires_at=new.usable_until)); do not delete it."
        )
    elif saved.token.refresh_token == token.refresh_token:
        points.append(
            "It refreshed but did not save the new token: the secret still holds the spent refresh "
            "token, so the next session would send it again and the provider would end the grant "
            "(RFC 9700 §4.14.2). Save at once: save_token(client, scope, new, expires_at=new.usable_until)."
        )
    else:
        new = saved.token
        if new.expires_at is None:
            points.append(
                "The token it saved has no expires_at of its own (the provider's raw answer?), so the "
                "next session cannot tell when it expires. Save the TokenData that refresh() returns: it "
                "turns expires_in into a fixed moment."
            )
        if saved.expires_at is None:
            points.append(
                "It saved the new token without expires_at: if the user never comes back, the dead token "
                "stays in the Secret Store for ever. Pass expires_at=new.usable_until."
            )
        elif saved.expires_at == new.expires_at:
            points.append(
                "It saved the new token with the access token's expiry (new.expires_at): Stripe would "
                "delete the secret in an hour, and with it the refresh token, still good for 30 days. "
                "Pass expires_at=new.usable_until."
            )
        elif saved.expires_at != new.usable_until:
            points.append(
                "The secret's expires_at is not the new token's usable_until (the refresh token's "
                "expiry): pass expires_at=new.usable_until, of the token you save."
            )
        if got == token.access_token:
            points.append("It saved the new token but returned the old, expired access token: return new.access_token.")
        elif got != new.access_token:
            points.append("With an expired token saved, return the access token of the new token it saved.")
    return points


def _no_token(function: Callable, lab: _Lab) -> list[str]:
    lab.forget()
    run = lab.run(function, now=time.time())
    if isinstance(run.error, SecretNotFoundError):
        return [
            "When no token is saved, it raised SecretNotFoundError. Catch SecretNotFoundError and return None: "
            "the user has not authorized yet (or logged out), so the app shows Authorize."
        ]
    if run.error is not None:
        return [f"When no token is saved, it raised {_what(run.error, lab)}; it should return None."]
    if run.got is not None:
        return [f"When no token is saved, it returned a {type(run.got).__name__}; it should return None."]
    return []


def _an_ended_grant(function: Callable, lab: _Lab) -> list[str]:
    token = lab.issue()
    # The user removed the app's access at the provider: the saved refresh token is dead.
    revoke(lab.provider, token, http=lab.plain)
    later = lab.age(token)
    run = lab.run(function, now=later)
    saved = lab.saved()
    if isinstance(run.error, OAuthError) and run.error.error == "invalid_grant":
        return [
            "When the grant has ended (the refresh fails with invalid_grant), it let the error through. "
            "Nothing the app can retry will work: delete the secret and return None, so the app shows "
            "Authorize."
        ]
    if run.error is not None:
        return [
            f"When the grant has ended (the refresh fails with invalid_grant), it raised {_what(run.error, lab)}; "
            "it should delete the secret and return None."
        ]
    points: list[str] = []
    got = _as_text(run.got, points)
    if got is None:
        if saved is not None and run.token_requests:
            points.append(
                "It returned None without deleting the dead secret: every later session would find it "
                "and send the dead refresh token again. Delete it, then return None: "
                "delete_secret(client, scope, 'oauth_token')."
            )
    elif got == token.access_token and not run.token_requests:
        points.append(RETURNED_EXPIRED)
    else:
        points.append(
            "When the grant has ended (the refresh fails with invalid_grant), it returned a token that "
            "does not work; it should delete the secret and return None."
        )
    return points


def _closed_port() -> int:
    """A local port nothing listens on: a provider that cannot be reached."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _an_unreachable_provider(function: Callable, lab: _Lab) -> list[str]:
    token = lab.issue()
    later = lab.age(token)
    unreachable = f"http://127.0.0.1:{_closed_port()}/provider/token"
    run = lab.run(function, now=later, provider=replace(lab.provider, token_endpoint=unreachable))
    saved = lab.saved()
    points: list[str] = []
    if saved is None:
        points.append(
            "When the provider could not be reached, it deleted the secret, although the refresh token "
            "in it was still good for 30 days. Delete it only on invalid_grant."
        )
    if run.error is None:
        got = _as_text(run.got, points)
        if got == token.access_token and not run.token_requests:
            points.append(RETURNED_EXPIRED)
        elif not run.token_requests:
            if got is not None:  # it refreshed somewhere else: None without a request is named by the expired case
                points.append(
                    "Refresh at the provider your function is given, with the http client it is "
                    "given (the check gave it a provider that cannot be reached, and got a token anyway)."
                )
        else:
            points.append(
                "It swallowed an error that is not invalid_grant: when the provider could not be reached "
                f"(OAuthError 'connection_error') it returned {'None' if got is None else 'a value'}, and "
                "the app would ask the user to authorize again for a failure of the network. Let every "
                "other error through with a bare `raise`, so the app can say 'try again'."
            )
    elif not (isinstance(run.error, OAuthError) and run.error.error == "connection_error"):
        points.append(
            f"When the provider could not be reached, it raised {_what(run.error, lab)} instead of the "
            "OAuthError: re-raise the error you caught, unchanged, with a bare `raise`."
        )
    return points


def _a_refused_scope(function: Callable, lab: _Lab) -> list[str]:
    run = lab.run(function, now=time.time(), scope=SecretScope.for_user(REFUSED_USER))
    if isinstance(run.error, (stripe.PermissionError, SecretPermissionError)):
        return []
    if run.error is not None:
        return [
            f"On another user's scope (Stripe answers 403) it raised {_what(run.error, lab)} instead of the "
            "SecretStoreError: re-raise the error you caught, unchanged, with a bare `raise`."
        ]
    return [
        "On another user's scope Stripe refuses (403), yet it returned "
        f"{'None' if run.got is None else 'a ' + type(run.got).__name__}. Only a missing secret "
        "(SecretNotFoundError) means 'no token': re-raise every other SecretStoreError, or the app would ask the user "
        "to authorize again when the problem is a permission or a wrong scope."
    ]

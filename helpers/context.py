"""Steps 3 and 4 from the app's side: the extension context, and the two Dashboard calls.

In a Stripe App, the UI extension receives a context from the Dashboard
(``ExtensionContextValue`` in ``@stripe/ui-extension-sdk``): the mode, the user, and after
an OAuth redirect, ``oauthContext`` with the code and verifier. The extension asks the
Dashboard for ``state`` and the PKCE challenge with ``createOAuthState``; the Dashboard
keeps the verifier and hands it back in ``oauthContext`` only when the redirect's state
matches. These classes mirror that in Python; ``Dashboard`` makes the two calls over HTTP
(to the sandbox's Dashboard stand-in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from helpers.errors import DashboardError, OAuthError
from helpers.mode import Mode, check_mode
from helpers.redact import redact_text, redacted_repr
from helpers.waiting import LONG_POLL_SECONDS, oauth_context_arrived

_SANDBOX_HINT = "Is the sandbox running? Start it with sandbox.start() and use the Dashboard URL it gives."
_BASE_URL_HINT = (
    "Check base_url: it must be the Dashboard's base (such as http://127.0.0.1:PORT/dashboard), "
    "not the provider's or Stripe's."
)
_KEY_HINT = "Use the api_key of the app's install, as world.install_app(...) returns it."
_STATUS_HINTS = {401: _KEY_HINT, 403: _KEY_HINT, 404: _BASE_URL_HINT}
_DEFAULT_HINT = "Read the Dashboard's message above; if it does not help, start the flow again."


@dataclass(frozen=True)
class Environment:
    """``environment``: the Dashboard's mode, which picks the redirect URL and the keys."""

    mode: Mode

    def __post_init__(self) -> None:
        check_mode(self.mode)


@dataclass(frozen=True)
class UserContext:
    """``userContext``: who uses the app. ``id`` names the user scope of their secrets.

    Unlike the TypeScript type (``id?: string``), ``id`` is required here: a user's token
    cannot be saved without it.
    """

    id: str
    account_id: str | None = None


@dataclass(frozen=True, repr=False)
class OAuthContext:
    """``oauthContext``: what the Dashboard hands the app after the provider's redirect.

    On success ``code`` and ``verifier`` are set (and ``state`` if the app chose a custom
    one); on failure ``error`` holds the provider's error code, e.g. ``"access_denied"``.
    """

    code: str | None = None
    verifier: str | None = None
    state: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the context carries a code and a verifier and no error."""
        return self.error is None and bool(self.code) and bool(self.verifier)

    def code_and_verifier(self) -> tuple[str, str]:
        """Return ``(code, verifier)`` for the token exchange, or raise why there are none."""
        if self.error is not None:
            raise OAuthError(self.error)
        if not (self.code and self.verifier):
            raise DashboardError(
                "The OAuth context has no code or no verifier.",
                "Start the flow again with a fresh authorization link.",
            )
        return self.code, self.verifier

    def __repr__(self) -> str:
        return redacted_repr(self)


def no_oauth_context() -> DashboardError:
    """Why the app holds no ``oauthContext``, and what to do: said the same wherever the app asks for one."""
    return DashboardError(
        "No oauthContext has arrived: nobody answered the consent page for a fresh link, or the Dashboard "
        "refused the answer (a link works once, and only while it is fresh).",
        "Answer the consent page for a fresh link (New link, or run the cells above again: Run → Run All Above "
        "Selected Cell), then run this cell again.",
    )


class ConsentAnswer(Protocol):
    """What became of the user's answer at the consent page, as the browser saw it end.

    ``outcome`` is ``"handed_over"`` when the Dashboard accepted the redirect and holds an
    ``oauthContext`` for the app; ``reason`` says why the Dashboard refused one, ``error`` is
    the provider's error code. (The sandbox's ``ConsentResult`` is one.)
    """

    @property
    def outcome(self) -> str: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def error(self) -> str | None: ...


@dataclass(frozen=True)
class OAuthState:
    """What ``createOAuthState`` returns: ``state`` and the S256 ``challenge`` for the link."""

    state: str
    challenge: str


@dataclass(frozen=True)
class ExtensionContext:
    """The context a UI extension receives: environment, user, and ``oauthContext`` after a redirect."""

    environment: Environment
    user_context: UserContext
    oauth_context: OAuthContext | None = None


class Dashboard:
    """The Dashboard calls an extension makes in the PKCE flow, sent to ``base_url`` over ``http``.

    ``api_key`` is the app install's key; it authenticates the calls as that install.
    """

    def __init__(self, base_url: str, api_key: str, http: httpx.Client) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._http = http

    def __repr__(self) -> str:
        return f"Dashboard({self.base_url!r})"

    def create_oauth_state(self, state: str = "") -> OAuthState:
        """``createOAuthState(state)``: get a new state and challenge; the Dashboard keeps the verifier.

        ``state`` is an optional custom value of the app's, echoed back in ``oauthContext``.
        """
        body = self._call("POST", "/api/oauth_state", json={"state": state})
        new_state, challenge = body.get("state"), body.get("challenge")
        if not (isinstance(new_state, str) and new_state and isinstance(challenge, str) and challenge):
            raise DashboardError(
                "The Dashboard's answer to createOAuthState lacks state or challenge.",
                _BASE_URL_HINT,
            )
        return OAuthState(new_state, challenge)

    def take_oauth_context(self) -> OAuthContext | None:
        """Read ``oauthContext``: None until a redirect came back; each context is handed over once."""
        body = self._call("GET", "/api/oauth_context")
        context = body.get("oauth_context")
        if context is None:
            return None
        if not isinstance(context, dict):
            raise DashboardError(
                "The Dashboard's oauth_context is not an object.",
                _BASE_URL_HINT,
            )
        return OAuthContext(
            code=context.get("code"),
            verifier=context.get("verifier"),
            state=context.get("state"),
            error=context.get("error"),
        )

    async def oauth_context_arrived(self, wait: float = LONG_POLL_SECONDS, challenges: Sequence[str] = ()) -> bool:
        """Whether ``oauthContext`` (for one of the links of ``challenges``) is there to take, waiting up to ``wait`` s.

        The sandbox's own long-poll (helpers.waiting), not a call of Stripe's.
        """
        return await oauth_context_arrived(self.base_url, self._api_key, wait, challenges)

    def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> dict[str, Any]:
        url = self.base_url + path
        try:
            response = self._http.request(method, url, json=json, headers={"Authorization": f"Bearer {self._api_key}"})
        except httpx.HTTPError as e:
            raise DashboardError(
                f"Could not reach the Dashboard at {url} ({type(e).__name__}: {e}).", _SANDBOX_HINT
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success:
            if isinstance(body, dict):
                return body
            raise DashboardError(
                f"The Dashboard answered {method} {path} with something other than a JSON object.",
                _BASE_URL_HINT,
                status_code=response.status_code,
            )
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        detail = redact_text(message) if isinstance(message, str) and message else "no error message"
        raise DashboardError(
            f"The Dashboard answered {method} {path} with HTTP {response.status_code}: {detail}",
            _STATUS_HINTS.get(response.status_code, _DEFAULT_HINT),
            status_code=response.status_code,
        )

"""Steps 3 and 4 over HTTP: the two Dashboard calls an extension makes, ``createOAuthState`` and
reading ``oauthContext``, sent to the Dashboard (the sandbox's stand-in) as the app install.

The values they return are in ``helpers.context``; this module is only the client that fetches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from helpers.context import OAuthContext, OAuthState
from helpers.errors import DashboardError
from helpers.redact import redact_text
from helpers.waiting import LONG_POLL_SECONDS, oauth_context_arrived

_SANDBOX_HINT = "Is the sandbox running? Start it with sandbox.start() and use the Dashboard URL it gives."
_BASE_URL_HINT = (
    "Check base_url: it must be the Dashboard's base (such as http://127.0.0.1:PORT/dashboard), "
    "not the provider's or Stripe's."
)
_KEY_HINT = "Use the api_key of the app's install, as world.install_app(...) returns it."
_STATUS_HINTS = {401: _KEY_HINT, 403: _KEY_HINT, 404: _BASE_URL_HINT}
_DEFAULT_HINT = "Read the Dashboard's message above; if it does not help, start the flow again."


class DashboardClient:
    """The Dashboard calls an extension makes in the PKCE flow, sent to ``base_url`` over ``http``.

    ``api_key`` is the app install's key; it authenticates the calls as that install.
    """

    def __init__(self, base_url: str, api_key: str, http: httpx.Client) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._http = http

    def __repr__(self) -> str:
        return f"DashboardClient({self.base_url!r})"

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

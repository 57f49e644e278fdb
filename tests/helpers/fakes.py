"""Fakes for the app's tests: a Dashboard object, and a Stripe API and a provider for a MockTransport.

Shared by the flow's tests (test_example_app_model.py) and the widgets' (test_widgets.py);
tests/sandbox/test_example_app.py runs the same app against the sandbox.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import parse_qsl

import httpx
import ipywidgets as widgets

from helpers.context import OAuthContext, OAuthState
from helpers.pkce import s256_challenge
from helpers.provider import Provider
from helpers.tokens import TokenData

KEY = "sk_test_51HxYzAbCdEfGhIjKlMnOpa1b2"
CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"
CODE_2 = "U2Vjb25kQ29kZUZvclRoZVVzZXI"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
ACCESS = "at_Zx81kQ2mN4pL7vR0tY6wE3"
REFRESH = "rt_Hj5sD8fG1kL4zX7cV0bN2m"
ACCESS_2 = "at_Rf3shedAcc3ssT0k3nW9q2"
REFRESH_2 = "rt_R0tat3dR3fr3shT0k3nP5"


def verifier_of(state: int) -> str:
    """The verifier the fake Dashboard keeps for its ``state``-th state (43 characters, as RFC 7636 asks)."""
    return f"verifier-of-state-{state}".ljust(43, "x")


# The fake provider takes these verifiers (it does not tie a code to its challenge).
VERIFIERS = (VERIFIER, *(verifier_of(state) for state in range(1, 6)))
SECRETS = (KEY, CODE, CODE_2, *VERIFIERS, ACCESS, REFRESH, ACCESS_2, REFRESH_2)
BASE = "http://127.0.0.1:9"
NOW = 1_900_000_000
TOKEN = TokenData(ACCESS, "Bearer", NOW + 3600, REFRESH, "files.read")


def shown(widget: widgets.Widget) -> str:
    """Everything a widget and its children show (HTML values, labels, descriptions) and their reprs."""
    parts = [repr(widget)]
    for name in ("value", "description", "tooltip"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            parts.append(value)
    for child in getattr(widget, "children", ()):
        parts.append(shown(child))
    return "\n".join(parts)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@dataclass
class Consent:
    outcome: str
    error: str | None = None
    reason: str | None = None


class FakeDashboard:
    """createOAuthState and oauthContext, as the Dashboard answers them.

    ``approve(n)`` hands over the context of an approved answer to the ``n``-th state, with its verifier.
    """

    def __init__(self):
        self.states = 0
        self.pending: list[OAuthContext] = []
        self.fail_state: Exception | None = None
        self.asks = 0  # long-polls made

    def create_oauth_state(self, state: str = "") -> OAuthState:
        if self.fail_state:
            raise self.fail_state
        self.states += 1
        return OAuthState(f"state-{self.states}", s256_challenge(verifier_of(self.states)))

    def approve(self, state: int, code: str = CODE) -> OAuthContext:
        context = OAuthContext(code, verifier_of(state))
        self.pending.append(context)
        return context

    def take_oauth_context(self) -> OAuthContext | None:
        return self.pending.pop(0) if self.pending else None

    async def oauth_context_arrived(self, wait: float = 25, challenges=()) -> bool:
        """The long-poll: True as soon as a context is pending, False after ``wait`` seconds without one."""
        self.asks += 1
        self.challenges_asked = list(challenges)
        deadline = asyncio.get_running_loop().time() + wait
        while not self.pending and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.005)
        return bool(self.pending)


def _tokens(access: str, refresh: str, **extra: str) -> httpx.Response:
    """A token response (RFC 6749 5.1): an hour for the access token, 30 days for the refresh token."""
    body = {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "refresh_token": refresh}
    return httpx.Response(200, json={**body, "refresh_token_expires_in": 30 * 24 * 3600, **extra})


class FakeWorld:
    """A Stripe API (the Secret Store) and a provider (token, revoke), in memory, for a MockTransport."""

    def __init__(self):
        self.secrets: dict[tuple[str, str], dict] = {}
        self.codes = {CODE: False, CODE_2: False}  # code → spent
        self.refresh_tokens = {REFRESH: False}  # refresh token → spent (they rotate)
        self.token_requests: list[dict] = []
        self.revoked: list[dict] = []
        self.fail: dict[str, httpx.Response] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in self.fail:
            return self.fail[path]
        form = dict(parse_qsl(request.content.decode())) if request.method == "POST" else {}
        query = dict(parse_qsl(request.url.query.decode()))
        if path == "/provider/token" and form.get("grant_type") == "refresh_token":
            self.token_requests.append(form)
            if self.refresh_tokens.get(form.get("refresh_token")) is not False:
                return httpx.Response(400, json={"error": "invalid_grant", "error_description": "spent"})
            self.refresh_tokens[form["refresh_token"]] = True
            return _tokens(ACCESS_2, REFRESH_2)
        if path == "/provider/token":
            self.token_requests.append(form)
            if self.codes.get(form.get("code")) is not False or form.get("code_verifier") not in VERIFIERS:
                return httpx.Response(400, json={"error": "invalid_grant", "error_description": "bad code"})
            self.codes[form["code"]] = True
            return _tokens(ACCESS, REFRESH, scope="files.read")
        if path == "/provider/revoke":
            self.revoked.append(form)
            return httpx.Response(200)
        params = form or query
        key = (params.get("scope[user]", ""), params.get("name", ""))
        if path == "/stripe/v1/apps/secrets" and request.method == "POST":
            self.secrets[key] = {"payload": params["payload"], "expires_at": params.get("expires_at")}
            return httpx.Response(200, json=self.secret_json(key))
        if path in ("/stripe/v1/apps/secrets/find", "/stripe/v1/apps/secrets/delete"):
            if key not in self.secrets:
                return httpx.Response(
                    404,
                    json={
                        "error": {
                            "type": "invalid_request_error",
                            "code": "resource_missing",
                            "message": f"No such secret: '{key[1]}'",
                            "param": "name",
                        }
                    },
                )
            body = self.secret_json(key)
            if path.endswith("/delete"):
                del self.secrets[key]
                body["deleted"] = True
            return httpx.Response(200, json=body)
        return httpx.Response(404, json={"error": {"type": "invalid_request_error", "message": "no route"}})

    def secret_json(self, key):
        saved = self.secrets[key]
        return {
            "id": "appsecret_1",
            "object": "apps.secret",
            "created": NOW,
            "livemode": False,
            "name": key[1],
            "scope": {"type": "user", "user": key[0]},
            "payload": saved["payload"],
            "expires_at": int(saved["expires_at"]) if saved["expires_at"] else None,
        }


def save(world: FakeWorld, token: TokenData = TOKEN, user: str = "usr_1") -> None:
    world.secrets[(user, "oauth_token")] = {"payload": token.to_json(), "expires_at": token.expires_at}


def provider(**changes: str | None) -> Provider:
    """The fake provider's endpoints, and the app's registration there."""
    values: dict[str, str | None] = {
        "issuer": f"{BASE}/provider",
        "authorization_endpoint": f"{BASE}/provider/authorize",
        "token_endpoint": f"{BASE}/provider/token",
        "revocation_endpoint": f"{BASE}/provider/revoke",
        "client_id": "client-1",
        "redirect_uri": f"{BASE}/dashboard/test/apps-oauth/app",
        **changes,
    }
    return Provider(**values)  # type: ignore[arg-type]

"""The security lab's tools (07-security-lab): what the user, the app and the attacker do, a line each.

Every request goes through the app's traced client (``kit.http``), so the notebook's trace
shows the attacker's requests beside the app's. Refusals are returned or printed, never
raised: in the lab, a refusal is the result.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from kit import Kit

from helpers import OAuthContext, OAuthError, TokenData, call_api, exchange_code_at, refresh


def say(text: str) -> None:
    """Print a long line wrapped, for reading in a notebook."""
    print(textwrap.fill(text, 100, subsequent_indent="    "))


def with_query(link: str, change: Callable[[list[tuple[str, str]]], list[tuple[str, str]]]) -> str:
    """The link with its query parameters changed by ``change`` (a list of pairs in, a list out)."""
    parts = urlsplit(link)
    return parts._replace(query=urlencode(change(parse_qsl(parts.query)))).geturl()


def to_plain(link: str) -> str:
    """The link downgraded to ``code_challenge_method=plain``."""
    return with_query(link, lambda q: [(k, "plain" if k == "code_challenge_method" else v) for k, v in q])


def without(*names: str) -> Callable[[str], str]:
    """A change that drops the named parameters from a link."""
    return lambda link: with_query(link, lambda q: [(k, v) for k, v in q if k not in names])


class Lab:
    """The sandbox's world as the attacks see it: honest attempts, raw requests, and what still works."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.provider = kit.provider

    def approved(self) -> OAuthContext:
        """The user's honest attempt: a fresh link, Approve, and the ``oauthContext`` the app gets."""
        _, link = self.kit.start_authorization()
        self.kit.world.consent(link)
        return self.kit.oauth_context()

    def token_request(self, **form: str | None) -> str:
        """A raw token request as an attacker sends it (nothing checked first); the answer in a line."""
        body = {"grant_type": "authorization_code", "client_id": self.provider.client_id, **form}
        body.setdefault("redirect_uri", self.provider.redirect_uri)
        answer = self.kit.http.post(self.provider.token_endpoint, data={k: v for k, v in body.items() if v})
        said = answer.json()
        if answer.is_success:
            return "HTTP 200: a token for whoever sent this"
        return f"HTTP {answer.status_code} {said['error']}: {said['error_description']}"

    def exchange(self, context: OAuthContext, redirect_uri: str | None = None) -> TokenData | None:
        """What the app does with ``oauthContext``, as it is, checked or not; a refusal is printed, None returned.

        The lab sends what an attacker could make the app send, so it spells the request out
        (``exchange_code_at``) instead of taking only a checked context (``exchange_code``).
        """
        try:
            return exchange_code_at(
                self.provider.token_endpoint,
                code=context.code or "",
                verifier=context.verifier or "",
                client_id=self.provider.client_id,
                redirect_uri=redirect_uri or self.provider.redirect_uri,
                http=self.kit.http,
            )
        except OAuthError as error:
            say(f"refused: {error.error} (HTTP {error.status_code}): {error.error_description}")
            return None

    def works(self, token: TokenData | None) -> bool:
        """Does the provider's API still accept this access token?"""
        if token is None:
            return False
        try:
            call_api(self.provider, token, http=self.kit.http)
        except OAuthError:
            return False
        return True

    def refreshable(self, token: TokenData | None) -> bool:
        """Does the provider still accept this token's refresh token? (Refreshing is 08's subject.)"""
        if token is None:
            return False
        try:
            refresh(self.provider, token, http=self.kit.http)
        except OAuthError:
            return False
        return True

    def downgraded(self, change: Callable[[str], str]) -> tuple[OAuthContext | None, str]:
        """A fresh honest link changed by ``change``, approved: the ``oauthContext`` (if any), the provider's reason."""
        _, link = self.kit.start_authorization()
        result = self.kit.world.consent(change(link))
        context = self.kit.dashboard.take_oauth_context()
        reason = parse_qs(urlsplit(result.redirect_url or "").query).get("error_description", [""])[0]
        return context, reason

    def token_requests_since(self, mark: int) -> int:
        """How many requests went to the token endpoint since the trace held ``mark`` exchanges."""
        return sum(x.url == self.provider.token_endpoint for x in self.kit.trace.exchanges[mark:])

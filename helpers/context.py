"""Steps 3 and 4 from the app's side: the values of the extension context.

In a Stripe App, the UI extension receives a context from the Dashboard
(``ExtensionContextValue`` in ``@stripe/ui-extension-sdk``): the mode, the user, and after
an OAuth redirect, ``oauthContext`` with the code and verifier. The extension asks the
Dashboard for ``state`` and the PKCE challenge with ``createOAuthState``; the Dashboard
keeps the verifier and hands it back in ``oauthContext`` only when the redirect's state
matches. These classes mirror those values in Python; ``helpers.dashboard_client`` makes the
two calls over HTTP (to the sandbox's Dashboard stand-in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from helpers.errors import DashboardError, OAuthError, UncheckedContextError
from helpers.mode import Mode, require_mode
from helpers.redact import redacted_repr


@dataclass(frozen=True)
class Environment:
    """``environment``: the Dashboard's mode, which picks the redirect URL and the keys."""

    mode: Mode

    def __post_init__(self) -> None:
        require_mode(self.mode)


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

    def checked(self) -> CheckedOAuthContext:
        """The context, checked (``code_and_verifier``), as the one input ``exchange_code`` accepts."""
        code, verifier = self.code_and_verifier()
        return CheckedOAuthContext(code, verifier, self.state, _made_by=_CHECKED)

    def __repr__(self) -> str:
        return redacted_repr(self)


# Only OAuthContext.checked() holds this, so only it can make a CheckedOAuthContext: an unchecked
# context cannot reach the token endpoint by mistake (as oauth4webapi's validateAuthResponse brands
# the parameters its authorizationCodeGrantRequest accepts).
_CHECKED = object()


@dataclass(frozen=True, repr=False)
class CheckedOAuthContext:
    """An ``oauthContext`` that carries a code and a verifier and no error: made by ``OAuthContext.checked()``."""

    code: str
    verifier: str
    state: str | None = None
    _made_by: object = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self._made_by is not _CHECKED:
            raise UncheckedContextError(
                "A CheckedOAuthContext is made only by checking an oauthContext.",
                "Call .checked() on the OAuthContext the Dashboard handed over (it raises why it cannot be used).",
            )

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

"""The ipywidgets pieces of the notebooks: the buttons, the app view, and what they show.

Each widget takes what it needs as arguments (a link, a callable that plays the user,
a callable that reads ``oauthContext``), so ``helpers`` stays free of the sandbox and
the same widgets work against a real provider.

Widgets update HTML and Label values rather than print into Output widgets: a headless
run (nbval, CI) then sees exactly what a browser shows, and ``button.click()`` in a cell
gives the same result as a click. Everything shown is redacted; each widget's ``repr``
(the text a saved notebook keeps) is short and holds no secret.

The whole app built from these pieces, ``ExampleAppView``, is in ``helpers.example_app_view``.
What only shows a record and takes no click is a cell's output instead, not a widget: the HTTP
trace (``helpers.trace_views``) and a scope's secrets (``helpers.secret_panel``).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar, Protocol

import ipywidgets as widgets
from markupsafe import Markup

from helpers.context import ConsentAnswer, OAuthContext, no_oauth_context
from helpers.errors import KitError
from helpers.redact import redact_text, redact_value
from helpers.tokens import TokenData
from helpers.waiting import Waiter
from helpers.widget_html import (
    BAD,
    OK,
    WAIT,
    authorize_link,
    card,
    colored,
    consent_answer,
    line,
    rows,
)


def _problem(error: Exception) -> str:
    """A learner-facing message for an error: the kit's own message and hint, never a traceback.

    Any other exception is shown by its type and its text, redacted (it was not written
    with secrets in mind).
    """
    if isinstance(error, KitError):
        return card(error.message, line(f"What to do: {error.hint}"), BAD)
    return card(f"{type(error).__name__}: {redact_text(str(error))}", "", BAD)


def status_html(title: str, message: str = "", *, error: Exception | None = None, ok: bool = False) -> str:
    """A status card: the title and a message, or the error as the kit's message and hint (red)."""
    if error is not None:
        return card(title, "", BAD) + _problem(error)
    return card(title, line(message) if message else "", OK if ok else WAIT)


class AuthorizeButton(widgets.HTML):
    """The app's **Authorize** button: a link that opens the provider's consent page in a new tab.

    It is a link styled as a button, as the Stripe UI's ``<Button href=… target="_blank">`` is:
    a browser only opens a new tab for a real link.
    """

    def __init__(self, link: str, label: str = "Authorize") -> None:
        super().__init__()
        self.label = label
        self.show(link)

    def show(self, link: str) -> None:
        """Point the button at a new link (each authorization attempt has its own)."""
        self.link = link
        self.value = authorize_link(link, self.label)

    def __repr__(self) -> str:
        return f"AuthorizeButton({self.label!r})"


class PageButton(widgets.Button):
    """**Authorize** where no new tab can open the link (the browser edition): pressing it shows the
    page in the notebook instead (``AuthorizeLink``'s ``open_in_notebook``). Same label, same link."""

    def __init__(self, label: str, press: Callable[[], object]) -> None:
        super().__init__(description=label, button_style="primary", layout=widgets.Layout(width="auto"))
        self.label = label
        self.link = "#"
        self.on_click(lambda _: press())

    def show(self, link: str) -> None:
        """Point the button at a new link (each authorization attempt has its own)."""
        self.link = link

    def __repr__(self) -> str:
        return f"PageButton({self.label!r})"


class AuthorizeLink(widgets.VBox):
    """**Authorize**, and **New link** beside it: each authorization attempt needs a link of its own.

    ``make_link()`` starts a new attempt (``createOAuthState``, then the encoded link);
    ``browser_link`` turns it into the address the learner's browser opens. A link is spent
    once the user answered it, expires (the Dashboard accepts an answer for a limited time),
    and a link saved in a notebook points at the sandbox of the run that saved it: **New
    link** (or ``renew()``) makes a fresh one at any time. ``link``, when given, is shown
    first instead of a new one (an attempt the caller already started).

    ``open_in_notebook(link)``, when given, makes **Authorize** show the page in the notebook, under
    the buttons (``helpers.consent_in_notebook``), for where no tab can open it.
    """

    def __init__(
        self,
        make_link: Callable[[], str],
        label: str = "Authorize",
        browser_link: Callable[[str], str] | None = None,
        *,
        link: str | None = None,
        open_in_notebook: Callable[[str], widgets.Widget] | None = None,
    ) -> None:
        self._make_link = make_link
        self._browser_link = browser_link or (lambda link: link)
        self._open_in_notebook = open_in_notebook
        self.link = ""
        self.button: AuthorizeButton | PageButton = (
            AuthorizeButton("#", label) if open_in_notebook is None else PageButton(label, self.open_page)
        )
        self.new_link_button = widgets.Button(description="New link", icon="refresh", tooltip="A fresh link")
        self.new_link_button.on_click(lambda _: self._renew_shown())
        self.status = widgets.HTML()
        self.page: widgets.Widget | None = None  # the page shown in the notebook, if any
        self._row = widgets.HBox([self.button, self.new_link_button, self.status])
        super().__init__([self._row])
        if link is None:
            self.renew()
        else:
            self.show(link)

    def show(self, link: str, *, keep_page: bool = False) -> None:
        """Put ``link`` on the button, as the current attempt's.

        The page shown in the notebook goes with the old link, unless ``keep_page``: a new link the app
        made by itself (after an answer) leaves the page the learner just reached on screen, as a browser
        tab stays open, until they press **Authorize** or **New link**.
        """
        self.link = link
        self.button.show(self._browser_link(link))
        self.status.value = ""
        if not keep_page:
            self.page = None
        self.children = [self._row] if self.page is None else [self._row, self.page]

    def renew(self) -> str:
        """Start a new attempt: a fresh link on the button, also returned."""
        self.show(self._make_link())
        return self.link

    def open_page(self) -> widgets.Widget | None:
        """Show the current link's page in the notebook, as pressing **Authorize** there does."""
        if self._open_in_notebook is None:
            return None
        self.page = self._open_in_notebook(self.link)
        self.children = [self._row, self.page]
        return self.page

    def _renew_shown(self) -> None:
        try:
            self.renew()
        except Exception as error:  # shown to the learner, not raised into the widget's machinery
            self.status.value = _problem(error)
        else:
            self.status.value = colored(OK, "A fresh link: the previous one is no longer needed.")

    def __repr__(self) -> str:
        return f"AuthorizeLink({self.button.label!r})"


class UserButtons(widgets.VBox):
    """Approve / Deny buttons that play the user at the consent page, for when no browser can.

    ``consent(approve)`` does it (the sandbox's ``world.consent``); its answers are kept
    in ``results`` and described in the label.
    """

    def __init__(self, consent: Callable[[bool], ConsentAnswer], link_label: str = "the consent page") -> None:
        wide = widgets.Layout(width="auto")  # the default width cuts the labels short
        self.approve = widgets.Button(description="Approve (as the user)", button_style="success", layout=wide)
        self.deny = widgets.Button(description="Deny (as the user)", button_style="danger", layout=wide)
        self.status = widgets.HTML()
        self.results: list[ConsentAnswer] = []
        self._consent, self._link_label = consent, link_label
        self.approve.on_click(lambda _: self._answer(True))
        self.deny.on_click(lambda _: self._answer(False))
        self.reset()
        super().__init__([widgets.HBox([self.approve, self.deny]), self.status])

    def reset(self) -> None:
        """Show that nobody has answered yet (for a new authorization link); ``results`` stay."""
        self.status.value = colored(WAIT, f"Nobody has answered {self._link_label} yet.")

    def _answer(self, approve: bool) -> None:
        try:
            result = self._consent(approve)
        except Exception as error:  # shown to the learner, not raised into the widget's machinery
            self.status.value = _problem(error)
            return
        self.results.append(result)
        detail = result.reason or result.error
        color = OK if result.outcome == "handed_over" and not result.error else BAD
        said = "approved" if approve else "denied"
        self.status.value = consent_answer(color, said, result.outcome, detail)

    def __repr__(self) -> str:
        return f"UserButtons(answers={len(self.results)})"


class Attempt(Protocol):
    """The authorization attempt an app view waits on an answer to (an ``ExampleAppModel`` is one)."""

    def answers(self, context: OAuthContext) -> bool | None:
        """True when ``context`` answers the attempt's link, False when not, None when nobody can tell."""
        ...

    def link_expired(self) -> bool:
        """True when the Dashboard no longer accepts an answer to the attempt's link."""
        ...


# Fixed sentences with markup of their own: written here, so nothing a caller passes goes into them unescaped.
_EXPIRED = Markup(
    "<div>No <code>oauthContext</code>. This link has expired: the Dashboard no longer accepts an answer to "
    "it. Press <b>New link</b>, then <b>Authorize</b>.</div>"
)
_WAITING_FOR_CONTEXT = Markup("<div>Waiting for <code>oauthContext</code>…</div>")
_WENT_ELSEWHERE = Markup("<div>An <code>oauthContext</code> came for another view's link, and went there.</div>")
_NOTHING_YET = Markup("<div>No <code>oauthContext</code> yet: answer the consent page first.</div>")


class AppView(widgets.VBox):
    """What the app's UI extension sees: waits for ``oauthContext`` and shows it, redacted, when it comes.

    ``take_context()`` asks the Dashboard for it (``DashboardClient.take_oauth_context``), and
    ``on_context`` callbacks get each context that arrives. What to do with a code seen
    before is the app's decision (``helpers.example_app_model.OncePerCode``), not the view's.
    ``attempt``, when given, is the app's current authorization attempt: which contexts
    answer its link (a context that answers another view's link goes to that view), and
    whether the link expired (then the view says so).
    """

    def __init__(
        self,
        take_context: Callable[[], OAuthContext | None],
        *,
        attempt: Attempt | None = None,
        arrived: Callable[[float, Sequence[str]], Awaitable[bool]] | None = None,
        challenge: Callable[[], str | None] | None = None,
    ) -> None:
        self._take = take_context
        self._attempt = attempt
        self._challenge = challenge
        self.context: OAuthContext | None = None
        self._callbacks: list[Callable[[OAuthContext], None]] = []
        self.check_button = widgets.Button(
            description="Check for oauthContext", icon="refresh", layout=widgets.Layout(width="auto")
        )
        self.check_button.on_click(lambda _: self.check())
        self.display = widgets.HTML()
        # The real Dashboard pushes oauthContext into the app's props; nothing can push into a
        # kernel, so with `arrived` (``DashboardClient.oauth_context_arrived``) the view waits for it on
        # the kernel's event loop (helpers.waiting): a learner who approves in another tab sees it
        # arrive by itself, at once, while the kernel stays idle. A run with no browser (nbval, CI)
        # waits the same way, and a cell that checks first simply takes it first. `challenge` gives
        # the code_challenge of the view's current link: the view wakes only for a context that
        # answers a link waited on in this kernel, not for one another kernel (a tab left open) waits on.
        self.waiter = (
            Waiter(
                lambda wait: arrived(wait, self._challenges()),
                self.check,
                lambda: self.context is None and self._is_watching() and not self._expired(),
                on_end=self._waited_in_vain,
            )
            if arrived is not None
            else None
        )
        self.reset()
        super().__init__([self.display, self.check_button])

    # The views waiting for an oauthContext, in the order they began to wait. A notebook keeps
    # earlier cells' views on the page, and re-running a cell makes a newer one. Only the
    # newest waiting view asks (one waiting task a kernel: a kernel with nothing to wait for makes
    # no request), and what it takes goes to the view whose link it answers.
    _waiting: ClassVar[list[weakref.ref[AppView]]] = []

    @classmethod
    def _waiting_views(cls) -> list[AppView]:
        """The views still waiting, newest first."""
        return [view for ref in reversed(cls._waiting) if (view := ref()) is not None]

    def _others_waiting(self) -> list[weakref.ref[AppView]]:
        return [ref for ref in AppView._waiting if (view := ref()) is not None and view is not self]

    def _is_watching(self) -> bool:
        waiting = self._waiting_views()
        return bool(waiting) and waiting[0] is self

    def _challenges(self) -> list[str]:
        """The challenges of the links this kernel's waiting views wait on; none (any context) if one cannot say."""
        challenges = []
        for view in self._waiting_views():
            challenge = view._challenge() if view._challenge is not None else None
            if challenge is None:
                return []
            challenges.append(challenge)
        return challenges

    def _expired(self) -> bool:
        return self._attempt is not None and self._attempt.link_expired()

    def _waited_in_vain(self) -> None:
        """The waiting ended with no context: if it is because the link expired, say so."""
        if self.context is None and self._expired():
            self.display.value = self._nothing_yet()

    def _start_waiting(self) -> None:
        if self.waiter is not None:
            self.waiter.start()

    def _stop_waiting(self) -> None:
        """Stop asking; if this view was the one asking, the newest view still waiting asks from now on."""
        if self.waiter is not None:
            self.waiter.stop()
        was_watching = self._is_watching()
        AppView._waiting = self._others_waiting()
        successors = self._waiting_views()
        if was_watching and successors:
            successors[0]._start_waiting()

    def pause(self) -> None:
        """Stop asking (the app is signed in, and wants no context) until reset()."""
        self._stop_waiting()

    def on_context(self, callback: Callable[[OAuthContext], None]) -> None:
        self._callbacks.append(callback)

    def reset(self) -> None:
        """Show the view as waiting again (for a new authorization), as the newest view: the one that asks."""
        self.context = None
        for older in self._waiting_views():
            if older is not self and older.waiter is not None:
                older.waiter.stop()  # only the newest view asks
        AppView._waiting = [*self._others_waiting(), weakref.ref(self)]
        if self.waiter is not None:
            self.waiter.stop()  # a wait under way asked for the previous link's context: ask for this one's
        self._start_waiting()
        self.display.value = card("App view", _WAITING_FOR_CONTEXT)

    def check(self) -> OAuthContext | None:
        """Ask the Dashboard once; return the context if one arrived for this view (and keep it).

        A context that answers another waiting view's link is handed to that view instead.
        """
        try:
            context = self._take()
        except Exception as error:  # shown to the learner, not raised into the widget's machinery
            self.display.value = _problem(error)
            return None
        if context is None:
            if self.context is None:
                self.display.value = self._nothing_yet()
            return None
        owner = self._owner(context)
        if owner is not self:
            owner._arrive(context)
            if self.context is None:
                self.display.value = card("App view", _WENT_ELSEWHERE)
            return None
        self._arrive(context)
        return context

    def oauth_context(self) -> OAuthContext:
        """The ``oauthContext`` this view received (asking once if none has yet), or a DashboardError saying why not."""
        if self.context is None:
            self.check()
        if self.context is None:
            raise no_oauth_context()
        return self.context

    def _nothing_yet(self) -> str:
        if self._attempt is not None and self._attempt.link_expired():
            return card("App view", _EXPIRED, BAD)
        return card("App view", _NOTHING_YET)

    def _owner(self, context: OAuthContext) -> AppView:
        """The waiting view whose link ``context`` answers, newest first; if none can tell, this one, which asked."""
        for view in self._waiting_views():
            if view._attempt is not None and view._attempt.answers(context):
                return view
        return self

    def _arrive(self, context: OAuthContext) -> None:
        self.context = context
        self._stop_waiting()  # arrived: no more asking until reset()
        self.display.value = describe_context(context)
        for callback in self._callbacks:
            try:
                callback(context)
            except Exception as error:
                # The value is the card describe_context made above, HTML already: kept as it is.
                self.display.value = Markup(self.display.value) + _problem(error)

    def __repr__(self) -> str:
        return f"AppView(context={'arrived' if self.context else 'waiting'})"


def describe_context(context: OAuthContext) -> str:
    if context.error:
        return card(
            "oauthContext arrived, with an error",
            rows([("error", context.error), ("state", context.state)]),
            BAD,
        )
    return card(
        "oauthContext arrived",
        rows(
            [
                ("code", redact_value(context.code or "")),
                ("verifier", redact_value(context.verifier or "")),
                ("state", context.state),
            ]
        ),
        OK,
    )


class TokenCard(widgets.HTML):
    """A token, redacted, with its expiry said in words relative to ``now``."""

    def __init__(self, token: TokenData, now: float | None = None) -> None:
        super().__init__()
        self.show(token, now)

    def show(self, token: TokenData, now: float | None = None) -> None:
        """Show another token (after a new sign-in)."""
        self.token = token
        now = time.time() if now is None else now
        if token.expires_at is None:
            expiry = "no expiry given"
        elif token.is_expired(now, leeway=0):
            expiry = "expired"
        else:
            expiry = f"expires in about {round((token.expires_at - now) / 60)} min"
        self.value = card(
            "Token",
            rows(
                [
                    ("access_token", redact_value(token.access_token)),
                    ("token_type", token.token_type),
                    ("refresh_token", redact_value(token.refresh_token or "") or "none"),
                    ("scope", token.scope),
                    ("expiry", expiry),
                ]
            ),
            OK if expiry.startswith("expires in") else BAD,
        )
        self.expiry = expiry

    def __repr__(self) -> str:
        return f"TokenCard({self.token.token_type}, {self.expiry})"

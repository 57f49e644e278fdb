"""The example app of Stripe's page as one widget: the view of ``helpers.example_app_model.ExampleAppModel``.

The widget renders the model's status and forwards clicks to it; everything the app does
is in the model. **Authorize** opens the link, **New link** makes a fresh one (the last was
spent or expired); **Check for oauthContext** (or the view, by itself, the moment it lands) hands the context
to the model; **Reopen** finds the saved token as a later session would; **Log out** deletes
it and revokes the grant.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import ipywidgets as widgets

from helpers.context import ConsentAnswer
from helpers.example_app_model import ExampleAppModel
from helpers.widgets import AppView, AuthorizeLink, TokenCard, UserButtons, status_html

_LABELS: dict[str, str] = {
    "signed_out": "not connected",
    "waiting": "waiting for oauthContext",
    "signed_in": "connected",
}


def _challenge_in(link: str | None) -> str | None:
    """The ``code_challenge`` an authorization link carries (public: it is in the link)."""
    values = parse_qs(urlsplit(link).query).get("code_challenge") if link else None
    return values[0] if values else None


class ExampleAppView(widgets.VBox):
    """The page's ``ExampleApp`` in one widget: the view of an ``ExampleAppModel`` (``app.model``).

    ``consent(link, approve)``, when given, plays the user at the consent page (the kernel
    path: the sandbox's ``world.consent``); the app then shows Approve / Deny buttons.
    ``browser_link`` turns the link into the one a browser opens (through a hub's proxy);
    ``open_in_notebook(link)``, where no tab can open it, gives the page shown in the notebook instead.
    """

    def __init__(
        self,
        model: ExampleAppModel,
        *,
        consent: Callable[[str, bool], ConsentAnswer] | None = None,
        browser_link: Callable[[str], str] | None = None,
        open_in_notebook: Callable[[str], widgets.Widget] | None = None,
        title: str = "Example",
    ) -> None:
        self.model = model
        self._open_in_notebook = open_in_notebook
        self.title = title
        self._consent = consent
        self._browser_link = browser_link or (lambda link: link)

        self.header = widgets.HTML()
        # The model tells the view which contexts answer its link, and when its link expired.
        # A Dashboard client that can say when oauthContext arrives (the sandbox's) lets the view wait for it.
        arrived = getattr(model.dashboard, "oauth_context_arrived", None)
        self.app_view = AppView(
            model.dashboard.take_oauth_context,
            attempt=model,
            arrived=arrived,
            challenge=lambda: _challenge_in(model.link),
        )
        self.app_view.on_context(model.receive)
        # Made on first need and reused: a notebook keeps every widget it ever made.
        self.authorize_link: AuthorizeLink | None = None
        self.user_buttons: UserButtons | None = None
        self.token_card: TokenCard | None = None
        self.logout_button = widgets.Button(description="Log out", icon="sign-out")
        self.logout_button.on_click(lambda _: model.log_out())
        # What a later session does on open: find the saved token again (no authorization).
        self.reopen_button = widgets.Button(
            description="Reopen (find the saved token)", icon="refresh", layout=widgets.Layout(width="auto")
        )
        self.reopen_button.on_click(lambda _: model.load())
        super().__init__([self.header])
        self._shown_link: str | None = None
        # What the view shows; token_requests is a count for the notebook, not shown.
        model.observe(lambda _: self.render(), names=["status", "token", "link", "message", "error"])
        model.load()

    @property
    def check_button(self) -> widgets.Button:
        """**Check for oauthContext**: asks the Dashboard once (the view also waits for it by itself)."""
        return self.app_view.check_button

    def render(self) -> None:
        """Show the model as it is now: the status line, then the parts of its status."""
        model = self.model
        self.header.value = status_html(
            f"{self.title} · {_LABELS[model.status]}", model.message, error=model.error, ok=model.status == "signed_in"
        )
        if model.status == "signed_in" and model.token is not None:
            self.app_view.pause()  # signed in: no oauthContext to wait for, so no asking (and an idle kernel)
            if self.token_card is None:
                self.token_card = TokenCard(model.token)
            else:
                self.token_card.show(model.token)
            # The page the learner answered in the notebook (the browser edition) stays, as their tab would.
            page = None if self.authorize_link is None else self.authorize_link.page
            landing = [] if page is None else [page]
            self.children = [self.header, self.token_card, self.reopen_button, self.logout_button, *landing]
            return
        parts: list[widgets.Widget] = [self.header]
        if model.link is not None:
            self._show_link(model.link)
            # With the page in the notebook (the browser edition) its own Approve / Deny are the user's: the
            # kernel path's buttons stay for cells (``app.user_buttons.approve.click()``), out of sight.
            shown_buttons = None if self._open_in_notebook is not None else self.user_buttons
            parts += [part for part in (self.authorize_link, shown_buttons) if part is not None]
        parts.append(self.app_view)
        self.children = parts

    def _show_link(self, link: str) -> None:
        if link == self._shown_link:
            return
        self._shown_link = link
        self.app_view.reset()  # a new attempt: wait for its oauthContext
        if self.authorize_link is None:
            label = "Authorize ExampleApp"
            self.authorize_link = AuthorizeLink(
                self.model.new_link, label, self._browser_link, link=link, open_in_notebook=self._open_in_notebook
            )
        elif self.authorize_link.link != link:  # the app's own new attempt, not New link pressed
            self.authorize_link.show(link, keep_page=True)
        if self._consent is not None and self.user_buttons is None:
            self.user_buttons = UserButtons(self._answer, "the consent page")
        elif self.user_buttons is not None:
            self.user_buttons.reset()

    def _answer(self, approve: bool) -> ConsentAnswer:
        """The user at the consent page (the kernel path); the model then waits for ``oauthContext``."""
        assert self._consent is not None  # the buttons exist only with a consent callable
        answer = self._consent(self.model.require_link(), approve)
        self.model.answered(answer, approve)
        return answer

    def __repr__(self) -> str:
        return f"ExampleAppView({self.model.status})"

"""The consent page inside the notebook, for where no second tab can open it (the browser edition).

On a laptop or a hub, **Authorize** opens the provider's consent page in a new tab, and the
provider's redirect then brings that tab to the Dashboard's landing. In JupyterLite the provider
and the Dashboard run in the kernel (no server answers a tab), so the notebook is the browser: it
opens the link (GET), shows the page the provider sent, offers the page's own choices (its form's
buttons, Approve / Deny) as buttons, posts the one pressed, follows the redirect to the Dashboard,
and shows the landing page with what it says. The same requests a browser makes, to the same apps.

The page is shown in an ``<iframe sandbox srcdoc=…>``: its own styles stay inside it, and nothing
in it can run or be submitted, so its form is left out and its buttons are the widgets below it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import ipywidgets as widgets

from helpers.context import ConsentAnswer
from helpers.widget_html import BAD, OK, WAIT, colored, consent_answer, framed_page
from helpers.widgets import _problem


class ShownPage(Protocol):
    """A page the browser got for a link (the sandbox's ``ConsentPage``)."""

    @property
    def shown_html(self) -> str: ...

    @property
    def choices(self) -> Sequence[tuple[str, str]]: ...


class PageAnswer(ConsentAnswer, Protocol):
    """What became of a choice, and the page the browser ended on (the sandbox's ``ConsentResult``)."""

    @property
    def page(self) -> str | None: ...


class ConsentInNotebook(widgets.VBox):
    """The consent page for ``link``, its choices as buttons; then the page the choice ends on.

    ``open_page(link)`` gets the page (``world.open_consent``); ``answer(page, decision)`` presses a
    button and follows the redirect (``world.answer_consent``). Each answer is kept in ``results``.
    """

    def __init__(
        self,
        link: str,
        open_page: Callable[[str], ShownPage],
        answer: Callable[[ShownPage, str], PageAnswer],
    ) -> None:
        self.link = link
        self._answer = answer
        self.frame = widgets.HTML()
        self.status = widgets.HTML()
        self.buttons: dict[str, widgets.Button] = {}
        self.results: list[PageAnswer] = []
        super().__init__([self.frame, self.status])
        try:
            self.page = open_page(link)
        except Exception as error:  # shown to the learner, not raised into the widget's machinery
            self.status.value = _problem(error)
            return
        self.frame.value = framed_page(self.page.shown_html, "The provider's consent page")
        for n, (decision, label) in enumerate(self.page.choices):
            button = widgets.Button(description=label, button_style="primary" if n == 0 else "")
            button.on_click(lambda _, decision=decision: self.choose(decision))
            self.buttons[decision] = button
        self.status.value = colored(WAIT, "The provider's page, shown here: choose as the user.")
        self.children = [self.frame, widgets.HBox(list(self.buttons.values())), self.status]

    def choose(self, decision: str) -> PageAnswer | None:
        """Press the page's button for ``decision``; show where the browser ends (the Dashboard's landing)."""
        for button in self.buttons.values():
            button.disabled = True  # the page is gone once answered, as in a browser
        try:
            result = self._answer(self.page, decision)
        except Exception as error:
            self.status.value = _problem(error)
            return None
        self.results.append(result)
        if result.page:
            self.frame.value = framed_page(result.page, "The page the browser ends on")
        color = OK if result.outcome == "handed_over" and not result.error else BAD
        self.status.value = consent_answer(color, f"chose {decision}", result.outcome, result.reason or result.error)
        return result

    def __repr__(self) -> str:
        return f"ConsentInNotebook(answers={len(self.results)})"

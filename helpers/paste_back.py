"""The widgets that take what a learner types into notebook 10, and keep it out of the notebook.

``PasteBack``: after approving at their own provider, the learner lands on the Dashboard's
redirect URL (which cannot hand anything to a notebook) and pastes that address here. The
widget reads it with a callable, normally ``LocalDashboard.oauth_context``, and shows what
it found or why it refused, redacted. ``SecretBox``: a password field for a credential such
as an RFC 7591 initial access token.

Both empty themselves as soon as they are read: a widget's value is part of the notebook's
saved widget state, and the pasted address holds the code. Neither ``repr`` (the text a
saved notebook keeps) holds anything secret.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from helpers.context import CheckedOAuthContext, OAuthContext
from helpers.errors import KitError, OAuthError, RedirectError
from helpers.redact import redact_text
from helpers.widgets import status_html


class PasteBack(widgets.VBox):
    """A box for the redirect address, a **Read** button, and what the read found.

    ``read(url)`` returns the ``OAuthContext`` or raises a ``KitError`` saying why not; the
    result is kept in ``context``, a refusal in ``error``.
    """

    def __init__(self, read: Callable[[str], OAuthContext]) -> None:
        self._read = read
        self.context: OAuthContext | None = None
        self.error: Exception | None = None
        self.url = widgets.Text(
            placeholder="https://dashboard.stripe.com/test/apps-oauth/…?code=…&state=…",
            description="Address:",
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        # A fixed minimum width: the box takes the rest of the row and would squeeze the label away.
        self.read_button = widgets.Button(
            description="Read it", button_style="primary", layout=widgets.Layout(min_width="100px")
        )
        self.read_button.on_click(lambda _: self.submit())
        self.status = widgets.HTML(status_html("Nothing read yet", "Approve at the provider, then paste here."))
        row = widgets.HBox([self.url, self.read_button], layout=widgets.Layout(width="100%"))
        super().__init__([row, self.status])

    def submit(self, url: str | None = None) -> OAuthContext | None:
        """Read ``url`` (by default, what is in the box), empty the box, and show the outcome."""
        text = self.url.value if url is None else url
        self.url.value = ""
        shown = redact_text(text.strip())
        try:
            context = self._read(text)
        except KitError as error:
            self.error = error
            title = "The provider refused" if isinstance(error, OAuthError) else "Not taken"
            self.status.value = status_html(f"{title}: {shown or '(empty)'}", error=error)
            return None
        except Exception as error:  # shown, not raised into the widget machinery
            self.error = error
            self.status.value = status_html(f"Not taken: {shown or '(empty)'}", error=error)
            return None
        self.context, self.error = context, None
        self.status.value = status_html(
            "Taken: code and verifier ready", f"{shown} · state checked against the link", ok=True
        )
        return context

    def checked(self) -> CheckedOAuthContext:
        """The ``oauthContext`` of the address read, checked, for ``exchange_code``; a kit error if none was read."""
        if self.context is None:
            raise RedirectError(
                "No address was read yet, so there is no code.",
                "Approve at the provider, paste the address you land on into the box, and press Read it.",
                cause="empty",
            )
        return self.context.checked()

    def __repr__(self) -> str:
        # What the last read did; a code taken earlier is kept through a later refusal.
        if self.error is not None:
            cause = getattr(self.error, "cause", None) or getattr(self.error, "error", None)
            kept = ", the code taken before is kept" if self.context is not None else ""
            return f"PasteBack(refused: {cause or type(self.error).__name__}{kept})"
        return "PasteBack(code received)" if self.context is not None else "PasteBack(waiting)"


class SecretBox(widgets.Password):
    """A password field whose value is taken once: ``take()`` returns it and empties the field."""

    value: str  # the trait ipywidgets defines, typed for mypy (ipywidgets ships no types)

    def __init__(self, description: str, placeholder: str = "leave empty if not needed") -> None:
        super().__init__(
            description=description,
            placeholder=placeholder,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="480px"),
        )

    def take(self) -> str | None:
        """The typed value (None if empty); the field is emptied, so the value is never saved with the notebook."""
        value = self.value.strip()
        self.value = ""
        return value or None

    def __repr__(self) -> str:
        return f"SecretBox({self.description!r})"

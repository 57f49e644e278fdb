"""Plays the learner's browser at the consent page, over plain HTTP.

The kernel path (nbval, CI, a learner who cannot open pages) goes through the
same endpoints and checks as a browser: it loads the consent page, submits
its form with Approve or Deny, follows the provider's redirect to the
Dashboard landing, and reads what the landing page says. Nothing is
short-circuited.

The two steps are apart (`open_consent`, then `answer_consent`) so that the browser edition,
which has no second tab, can show the page in the notebook between them and let the learner
choose (helpers.consent_in_notebook); `consent` does both at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from helpers.redact import redact_text

from .urls import same_origin


class _PageReader(HTMLParser):
    """Reads what the kit's pages mark for machines: the consent form, and the `data-*` attributes of elements."""

    def __init__(self) -> None:
        super().__init__()
        self.form_action: str | None = None
        self.marks: dict[str, dict[str, str | None]] = {}
        self.choices: list[tuple[str, str]] = []  # the consent form's buttons: (decision, label)
        self._choice: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "consent-form":
            self.form_action = attributes.get("action") or ""
        if tag == "button" and self.form_action is not None and attributes.get("name") == "decision":
            self._choice = attributes.get("value") or ""
            self.choices.append((self._choice, ""))
        if element_id := attributes.get("id"):
            self.marks[element_id] = attributes

    def handle_data(self, data: str) -> None:
        if self._choice is not None:
            value, label = self.choices[-1]
            self.choices[-1] = (value, label + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._choice is not None:
            value, label = self.choices[-1]
            self.choices[-1] = (value, label.strip())
            self._choice = None


def read_page(html: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(html)
    return reader


@dataclass(frozen=True)
class ConsentResult:
    """What happened after the user acted at the consent page.

    outcome is one of:
    - "handed_over": the Dashboard accepted the redirect and holds an oauthContext for the app
      (with a code after Approve, with `error=access_denied` after Deny);
    - "refused": the Dashboard refused the redirect (`reason`, a DashboardRefusal code, says why, e.g. "unknown_state");
    - "provider_error": the provider refused the request and did not redirect (`error`);
    - "redirected_elsewhere": the provider redirected to a URL outside the sandbox (`redirect_url`);
    - "not_followed": asked not to follow, it stopped at the provider's redirect (`redirect_url`), as an
      attacker who wants the code for themselves would.
    """

    outcome: str
    redirect_url: str | None = None
    reason: str | None = None
    error: str | None = None
    message: str | None = None
    # The HTML of the page the browser ended on (the Dashboard's landing, or the provider's error page).
    page: str | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={redact_text(value)!r}"
            for name, value in vars(self).items()
            if value is not None and name != "page"
        )
        return f"ConsentResult({fields})"


@dataclass(frozen=True)
class ConsentPage:
    """What the browser got for an authorization link: the provider's page, or a redirect it answered at once.

    ``choices`` are the consent form's buttons, (decision, label): ``("approve", "Approve")``,
    ``("deny", "Deny")``; none when the page is an error page (or there is no page: ``location``).
    """

    url: str
    html: str = ""
    form_action: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    location: str | None = None
    status: str = "200 OK"

    @property
    def shown_html(self) -> str:
        """The page without its form, for showing where its buttons cannot be pressed (the notebook shows its own)."""
        return _CONSENT_FORM.sub("", self.html)

    def __repr__(self) -> str:
        return f"ConsentPage({redact_text(self.url)!r}, choices={[value for value, _ in self.choices]})"


# The consent form of the provider's page (sandbox/templates/consent.html), buttons and all.
_CONSENT_FORM = re.compile(r"<form\b[^>]*\bid=\"consent-form\".*?</form>", re.S)


def open_consent(link: str, *, http: httpx.Client) -> ConsentPage:
    """Open the authorization link, as the browser does: the consent page, or the provider's redirect."""
    page = http.get(link)
    if page.status_code in (301, 302, 303):
        # The provider answered at once with an error on the redirect URI
        # (e.g. a missing PKCE challenge), without showing a consent page.
        return ConsentPage(link, location=page.headers["location"], status=_status(page))
    reader = read_page(page.text)
    action = None if reader.form_action is None else urljoin(str(page.url), reader.form_action)
    return ConsentPage(str(page.url), page.text, action, tuple(reader.choices), status=_status(page))


def answer_consent(
    page: ConsentPage, *, decision: str, sandbox_base: str, http: httpx.Client, follow: bool = True
) -> ConsentResult:
    """Press the consent form's button for ``decision`` (``"approve"``, ``"deny"``), then follow the redirect."""
    if page.location is not None:
        location = page.location
    elif page.form_action is None:
        mark = read_page(page.html).marks.get("oauth-error", {})
        message = _message(mark, page.status, page.html)
        return ConsentResult("provider_error", error=mark.get("data-error"), message=message, page=page.html)
    else:
        answer = http.post(page.form_action, data={"decision": decision})
        if answer.status_code not in (301, 302, 303):
            mark = read_page(answer.text).marks.get("oauth-error", {})
            return ConsentResult(
                "provider_error", message=_message(mark, _status(answer), answer.text), page=answer.text
            )
        location = answer.headers["location"]
    if not follow:
        return ConsentResult("not_followed", redirect_url=location)
    return visit(location, sandbox_base=sandbox_base, http=http)


def consent(link: str, *, approve: bool, sandbox_base: str, http: httpx.Client, follow: bool = True) -> ConsentResult:
    page = open_consent(link, http=http)
    decision = "approve" if approve else "deny"
    return answer_consent(page, decision=decision, sandbox_base=sandbox_base, http=http, follow=follow)


def visit(location: str, *, sandbox_base: str, http: httpx.Client) -> ConsentResult:
    """Open a redirect URL as the browser would, and read what the Dashboard's landing page says."""
    if not same_origin(location, sandbox_base):
        return ConsentResult("redirected_elsewhere", redirect_url=location)
    landing = http.get(location)
    mark = read_page(landing.text).marks.get("landing", {})
    if mark.get("data-result") in ("code", "error"):
        return ConsentResult(
            "handed_over", redirect_url=location, error=mark.get("data-error") or None, page=landing.text
        )
    return ConsentResult(
        "refused",
        redirect_url=location,
        reason=mark.get("data-reason"),
        message=_message(mark, _status(landing), landing.text),
        page=landing.text,
    )


def _message(mark: dict[str, str | None], status: str, text: str) -> str:
    """What the page says, in its mark's `data-message`; else the status and the start of a page not the kit's."""
    return mark.get("data-message") or f"HTTP {status}: {text[:200]}"


def _status(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}"

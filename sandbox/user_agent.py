"""Plays the learner's browser at the consent page, over plain HTTP.

The kernel path (nbval, CI, a learner who cannot open pages) goes through the
same endpoints and checks as a browser: it loads the consent page, submits
its form with Approve or Deny, follows the provider's redirect to the
Dashboard landing, and reads what the landing page says. Nothing is
short-circuited.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "consent-form":
            self.form_action = attributes.get("action") or ""
        if element_id := attributes.get("id"):
            self.marks[element_id] = attributes


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

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={redact_text(value)!r}" for name, value in vars(self).items() if value is not None)
        return f"ConsentResult({fields})"


def consent(link: str, *, approve: bool, sandbox_base: str, http: httpx.Client, follow: bool = True) -> ConsentResult:
    page = http.get(link)
    if page.status_code in (301, 302, 303):
        # The provider answered at once with an error on the redirect URI
        # (e.g. a missing PKCE challenge), without showing a consent page.
        location = page.headers["location"]
    else:
        reader = read_page(page.text)
        if reader.form_action is None:
            mark = reader.marks.get("oauth-error", {})
            return ConsentResult("provider_error", error=mark.get("data-error"), message=_message(mark, page))
        decision = http.post(
            urljoin(str(page.url), reader.form_action), data={"decision": "approve" if approve else "deny"}
        )
        if decision.status_code not in (301, 302, 303):
            mark = read_page(decision.text).marks.get("oauth-error", {})
            return ConsentResult("provider_error", message=_message(mark, decision))
        location = decision.headers["location"]
    if not follow:
        return ConsentResult("not_followed", redirect_url=location)
    return visit(location, sandbox_base=sandbox_base, http=http)


def visit(location: str, *, sandbox_base: str, http: httpx.Client) -> ConsentResult:
    """Open a redirect URL as the browser would, and read what the Dashboard's landing page says."""
    if not same_origin(location, sandbox_base):
        return ConsentResult("redirected_elsewhere", redirect_url=location)
    landing = http.get(location)
    mark = read_page(landing.text).marks.get("landing", {})
    if mark.get("data-result") in ("code", "error"):
        return ConsentResult("handed_over", redirect_url=location, error=mark.get("data-error") or None)
    return ConsentResult(
        "refused", redirect_url=location, reason=mark.get("data-reason"), message=_message(mark, landing)
    )


def _message(mark: dict[str, str | None], response: httpx.Response) -> str:
    """What the page says, in its mark's `data-message`; else the status and the start of a page not the kit's."""
    return mark.get("data-message") or f"HTTP {response.status_code} {response.reason_phrase}: {response.text[:200]}"

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


class _PageReader(HTMLParser):
    """Reads the few things the kit's pages mark for machines: the consent form and result boxes."""

    def __init__(self) -> None:
        super().__init__()
        self.form_action: str | None = None
        self.marks: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "consent-form":
            self.form_action = attributes.get("action") or ""
        if attributes.get("id"):
            self.marks[attributes["id"]] = attributes


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
    - "refused": the Dashboard refused the redirect (`reason` says why, e.g. "unknown_state");
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
            return ConsentResult("provider_error", error=mark.get("data-error"), message=_text(page))
        decision = http.post(
            urljoin(str(page.url), reader.form_action), data={"decision": "approve" if approve else "deny"}
        )
        if decision.status_code not in (301, 302, 303):
            return ConsentResult("provider_error", message=_text(decision))
        location = decision.headers["location"]
    if not follow:
        return ConsentResult("not_followed", redirect_url=location)
    return visit(location, sandbox_base=sandbox_base, http=http)


def visit(location: str, *, sandbox_base: str, http: httpx.Client) -> ConsentResult:
    """Open a redirect URL as the browser would, and read what the Dashboard's landing page says."""
    if not location.startswith(sandbox_base):
        return ConsentResult("redirected_elsewhere", redirect_url=location)
    landing = http.get(location)
    mark = read_page(landing.text).marks.get("landing", {})
    if mark.get("data-result") in ("code", "error"):
        return ConsentResult("handed_over", redirect_url=location, error=mark.get("data-error") or None)
    return ConsentResult("refused", redirect_url=location, reason=mark.get("data-reason"), message=_text(landing))


def _text(response: httpx.Response) -> str:
    """The page's words without markup, for a message a learner can read."""
    reader = _TextReader()
    reader.feed(response.text)
    return " ".join("".join(reader.parts).split())


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        # The banner ("a local stand-in…") is the same on every page: the message is what follows it.
        self._skip += tag in ("style", "script", "title") or (tag == "div" and ("class", "banner") in attrs)

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script", "title") or (tag == "div" and self._skip > 0)
        if not self._skip and tag in ("h1", "p", "div", "li", "button"):
            # Inline tags (code, strong) run on with the text; a heading ends a sentence.
            self.parts.append(". " if tag == "h1" else " ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

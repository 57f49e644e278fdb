"""Reading what an HTTP endpoint answered, the same way for every caller.

``json_object`` reads an OAuth-shaped answer. Not every failure is one: a gateway answers with
an HTML page, a framework with RFC 9457 problem details (``application/problem+json``), an API
with its own JSON. ``body_detail`` says in a line what such a body says, so a kit error can show
it instead of dropping it.
"""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

import httpx

from helpers.redact import redact_text

# Enough to say what went wrong; a whole error page is not a message.
DETAIL_LENGTH = 200
# The fields in which non-OAuth JSON errors say what happened: RFC 9457's, then common ones.
_JSON_DETAIL_FIELDS = ("title", "detail", "message", "error_description", "error")


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The response's body if it is a JSON object, else None (not JSON, or JSON of another shape)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def body_detail(response: httpx.Response, known: Iterable[str] = ()) -> str | None:
    """What a non-OAuth body says, in one line, with the ``known`` secrets (and any token field) redacted.

    Problem details (RFC 9457) give ``title: detail``; other JSON its message fields; HTML its
    ``<title>`` and visible text; anything else its text. None for an empty body.
    """
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    body = json_object(response)
    if body is not None:
        said = [str(body[name]) for name in _JSON_DETAIL_FIELDS if isinstance(body.get(name), (str, int))]
        text = ": ".join(dict.fromkeys(said))
    elif "html" in content_type or response.text.lstrip()[:1] == "<":
        text = _html_text(response.text)
    else:
        text = response.text
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > DETAIL_LENGTH:
        text = text[: DETAIL_LENGTH - 1] + "…"
    return redact_text(text, tuple(known))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "script" in self._in or "style" in self._in:
            return
        (self.title if "title" in self._in else self.text).append(data)


def _html_text(html: str) -> str:
    page = _Text()
    page.feed(html)
    title = " ".join("".join(page.title).split())
    text = " ".join(" ".join(page.text).split())
    # A page often repeats its title as its heading: say it once.
    if title and text.startswith(title):
        text = text[len(title) :].lstrip(" :-–")
    return f"{title}: {text}" if title and text else title or text

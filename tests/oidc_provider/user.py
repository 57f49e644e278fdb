"""A user at a provider's pages, played over HTTP: signs in, approves (or declines), and stops at
the redirect that leaves the provider, as a browser's address bar would show it.

It knows nothing of a provider but HTML forms: on each page it fills the form's inputs (a login
and password: any, which oidc-provider's development pages accept, or Django OAuth Toolkit's
test user) and presses the first submit button that is no refusal, or for declining, the one
whose value says deny, decline or cancel (DOT's Cancel), or the link to "abort" (oidc-provider's
Cancel). The sandbox's consent page, oidc-provider's and DOT's sign-in and consent pages are all
plain forms, so one user serves all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

LOGIN = {"login": "ada", "username": "ada", "password": "any password"}
REFUSALS = ("deny", "decline", "cancel")


@dataclass
class _Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(_Form(a.get("action", "")))
        elif tag == "input" and self.forms and a.get("type") == "submit":
            self.forms[-1].buttons.append((a.get("name", ""), a.get("value", "")))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and a.get("type", "submit") == "submit":
            self.forms[-1].buttons.append((a.get("name", ""), a.get("value", "")))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])


class NoRedirect(AssertionError):
    """The provider answered with a page the user could not act on (an error page, say)."""


def act(link: str, *, approve: bool = True, http: httpx.Client | None = None, max_steps: int = 12) -> str:
    """Open ``link`` and act as the user until the provider redirects elsewhere; return that address."""
    provider = urlsplit(link).netloc
    client = http or httpx.Client(timeout=10)
    try:
        response = client.get(link)
        for _ in range(max_steps):
            if response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                if urlsplit(target).netloc != provider:  # another host or port: another party
                    return target
                response = client.get(target)
                continue
            response = _press(client, response, approve)
        raise NoRedirect(f"no redirect out of {provider} after {max_steps} steps")
    finally:
        if http is None:
            client.close()


def _press(client: httpx.Client, response: httpx.Response, approve: bool) -> httpx.Response:
    page = _Page()
    page.feed(response.text)
    if not page.forms:
        raise NoRedirect(f"HTTP {response.status_code} at {response.url} with no form: {response.text[:300]}")
    form = page.forms[0]
    here = str(response.url)
    refusals = [b for b in form.buttons if b[1].strip().lower() in REFUSALS]
    if not approve:
        if refusals:
            return client.post(urljoin(here, form.action), data={**form.fields, **_pressed(refusals[0])})
        abort = [href for href in page.links if "abort" in href]
        if abort:
            return client.get(urljoin(here, abort[0]))
    data = {**form.fields, **{k: v for k, v in LOGIN.items() if k in form.fields}}
    press = [b for b in form.buttons if b not in refusals]
    if press:
        data.update(_pressed(press[0]))
    return client.post(urljoin(here, form.action), data=data)


def _pressed(button: tuple[str, str]) -> dict[str, str]:
    # A browser sends a submit button's name=value only for the button pressed, and only if it has a name.
    name, value = button
    return {name: value} if name else {}

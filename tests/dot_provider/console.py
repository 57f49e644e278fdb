"""Register the app the usual way: a person in the provider's console. Here DOT's own console pages,
played over HTTP: sign in, open "Register a new application", fill the form, save.

The form is DOT's (its application registration page, its field names); the values are what a learner
types: a public client, the authorization code grant, the redirect URIs notebook 10 printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from html.parser import HTMLParser

import httpx


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "input" and a.get("name"):
            self.values[a["name"]] = a.get("value", "")


def _inputs(page: httpx.Response) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(page.raise_for_status().text)
    return parser.values


def register_in_console(issuer: str, user: dict[str, str], name: str, redirect_uris: Sequence[str]) -> str:
    """Register a public client with these redirect URIs in DOT's console, signed in as ``user``; its client id."""
    origin = issuer.removesuffix("/o")
    with httpx.Client(base_url=origin, timeout=10, follow_redirects=True) as browser:
        login = _inputs(browser.get("/accounts/login/"))
        browser.post("/accounts/login/", data={**login, **user, "next": "/o/applications/"}).raise_for_status()
        form = _inputs(browser.get("/o/applications/register/"))
        saved = browser.post(
            "/o/applications/register/",
            data={
                "csrfmiddlewaretoken": form["csrfmiddlewaretoken"],
                "name": name,
                "client_id": form["client_id"],
                "client_secret": form["client_secret"],
                "client_type": "public",
                "authorization_grant_type": "authorization-code",
                "redirect_uris": " ".join(redirect_uris),
                "post_logout_redirect_uris": "",
                "allowed_origins": "",
                "algorithm": "",
            },
        )
        saved.raise_for_status()
        if "/o/applications/register/" in str(saved.url):  # the form came back: it was refused
            raise AssertionError(f"DOT's console refused the application: {saved.text[:1500]}")
        return form["client_id"]

"""SecretPanel: a scope's secrets as a cell's output, names and expiry, never payloads."""

from __future__ import annotations

from dataclasses import dataclass

from IPython.core.formatters import DisplayFormatter

from helpers.secret_panel import SecretPanel
from helpers.secret_store import SecretScope
from helpers.when import utc_minute

from .fakes import ACCESS, NOW, REFRESH, assert_no_secret


@dataclass
class FakeSecret:
    name: str
    expires_at: int | None
    payload: str | None = None


def test_the_secret_panel_lists_names_never_payloads():
    panel = SecretPanel(
        [FakeSecret("oauth_token", NOW, ACCESS), FakeSecret("other", None, REFRESH)], SecretScope.for_user("usr_1")
    )
    data, _ = DisplayFormatter().format(panel)
    assert data["text/plain"] == "SecretPanel(['oauth_token', 'other'])"
    html = data["text/html"]
    assert_no_secret(html)
    assert "user scope of usr_1" in html and "expires 2030-03-17 17:46 UTC" in html and "expires never" in html
    assert "none" in SecretPanel([], SecretScope.account())._repr_html_()


def test_the_panel_and_the_token_helpers_show_a_moment_alike():
    # An access token lives an hour: a date alone would not say when it ends; UTC reads the same anywhere.
    assert utc_minute(NOW) == "2030-03-17 17:46 UTC"
    assert utc_minute(NOW + 3600) == "2030-03-17 18:46 UTC"

"""``SecretPanel``: the secrets of a scope as the Secret Store lists them, as a cell's rich output.

Names and expiry only, never payloads. Not a widget: a read-only list needs no kernel to show, stays
readable in the saved notebook, and costs a kernel no ipywidgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from helpers.when import utc_minute
from helpers.widget_html import card, line, rows


class SecretPanel:
    """Secrets of a scope as the Secret Store lists them (names, never payloads)."""

    def __init__(self, secrets: Sequence[Any], scope: Any) -> None:
        self.names = tuple(sorted(s.name for s in secrets))
        listed = [(s.name, "expires " + (utc_minute(s.expires_at) if s.expires_at else "never")) for s in secrets]
        self.html = str(card(f"Secrets in scope {scope}", rows(listed) if listed else line("none")))

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"SecretPanel({list(self.names)})"

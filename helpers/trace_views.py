"""The HTTP trace as a learner reads it: one line per exchange, and ``TraceViewer``.

None of these is a widget. ``TraceViewer`` is a cell's rich output (HTML, with a short text form): it
shows the trace as it stood when the cell ran; run again, it shows it as it stands then. As an output
rather than a widget it stays readable in the saved notebook with no kernel and no widget state (on
GitHub too), nbval compares what it shows, and a notebook that shows no other widget loads no ipywidgets:
the trace's cell took 58 to 93 ms as a widget in 01, 04, 07 and 08, and takes 14 to 25 ms (4 December 2026).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from helpers.trace import Exchange, Trace
from helpers.widget_html import BAD, OK, card, trace_details, trace_table

# Who stands at the far end of a request: first path segment → party.
PARTIES = (("provider", "Provider"), ("dashboard", "Dashboard"), ("stripe", "Stripe API"))


def party_of(url: str) -> str:
    """The party a URL of the sandbox belongs to, from its path (RFC 8414 metadata included)."""
    segments = urlsplit(url).path.strip("/").split("/")
    # RFC 8414 §3.1 puts the well-known part first: /.well-known/oauth-authorization-server/provider
    owner = segments[-1] if segments[0] == ".well-known" else segments[0]
    return dict(PARTIES).get(owner, "Server")


def _path(url: str) -> str:
    """The URL's path, without scheme, host and query."""
    return urlsplit(url).path


def _without_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query="", fragment=""))


def describe_exchanges(exchanges: Sequence[Exchange]) -> str:
    """The exchanges as plain text, one line each: ``1. POST /provider/token → 200 (Provider)``.

    Paths only (no host, no query), so the lines read the same on every machine and hold
    nothing secret; ``(none)`` when there are no exchanges.
    """
    lines = [
        f"{n}. {x.method} {_path(x.url)} → {x.status} ({party_of(x.url)})" for n, x in enumerate(exchanges, start=1)
    ]
    return "\n".join(lines) or "(none)"


class TraceViewer:
    """Every HTTP exchange of a step: a table, and each exchange's redacted headers and body one click deeper.

    Shown as the cell's output, as the trace stands then; run the cell again to see it with the exchanges since.
    """

    def __init__(self, trace: Trace) -> None:
        self.trace = trace

    def _repr_html_(self) -> str:
        numbered = list(enumerate(self.trace.exchanges, start=1))
        table = card(
            f"HTTP trace: {len(numbered)} exchange(s)",
            trace_table(
                [
                    (n, x.method, _without_query(x.url), x.status, OK if x.status < 400 else BAD, party_of(x.url))
                    for n, x in numbered
                ]
            ),
        )
        # <details> elements fold each exchange: the table reads at a glance, the headers and body a click away.
        details = trace_details([(n, x.method, party_of(x.url), x.status, x.render_text()) for n, x in numbered])
        return str(table + details)

    def __repr__(self) -> str:
        return f"TraceViewer({len(self.trace.exchanges)} exchanges)"

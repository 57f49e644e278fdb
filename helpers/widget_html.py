"""The HTML the widgets and the HTML outputs show, built with markupsafe's ``Markup.format``, which escapes
every value.

Every value goes through markupsafe's escaping unless it is ``Markup`` (HTML one of these functions
made), so a state, an error message or a URL can never break out of the card it is shown in: the
same escaping Jinja2's autoescape applies, without a template engine. Jinja2 compiled these
snippets into every learner's kernel at import: 3 MiB of each kernel (its compiler, and the code
it generated), for nine fixed fragments (bench/notebooks.py, issue 22).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup

OK, BAD, WAIT = "#09825d", "#df1b41", "#697386"
_CARD_STYLE = "border:1px solid #d5dbe1;border-radius:6px;padding:8px 12px;margin:4px 0;"
# JupyterLab right-aligns the cells of a table in a cell's output (it is made for numbers); these hold text.
_LEFT = "text-align:left"


def _each(fragment: str, items: Iterable[Sequence[Any]]) -> Markup:
    """``fragment`` filled with each item's values in turn, escaped, joined."""
    return Markup("").join(Markup(fragment).format(*item) for item in items)


def card(title: str, body: str = "", color: str = WAIT) -> Markup:
    """A card: the title in bold, then ``body`` (text is escaped; ``Markup`` from here is kept)."""
    return Markup("<div style='{}border-left:4px solid {}'><b>{}</b>{}</div>").format(_CARD_STYLE, color, title, body)


def rows(pairs: Sequence[tuple[str, Any]]) -> Markup:
    """A two-column table of names and values, each value in ``<code>``."""
    row = (
        f"<tr><td style='padding-right:12px;color:{WAIT};{_LEFT}'>{{}}</td>"
        f"<td style='{_LEFT}'><code>{{}}</code></td></tr>"
    )
    return Markup("<table>{}</table>").format(_each(row, pairs))


def line(text: str) -> Markup:
    """One line of text in a card."""
    return Markup("<div>{}</div>").format(text)


def colored(color: str, text: str) -> Markup:
    """A line of text in a status colour."""
    return Markup("<span style='color:{}'>{}</span>").format(color, text)


def authorize_link(link: str, label: str) -> Markup:
    """A link styled as JupyterLab's primary button, opening ``link`` in a new tab."""
    return Markup(
        "<a class='jupyter-button mod-primary kit-authorize' href='{}' target='_blank' rel='noopener'\n"
        " style='display:inline-flex;align-items:center;padding:0 16px;text-decoration:none;color:white'>{}</a>"
    ).format(link, label)


def framed_page(page: str, title: str) -> Markup:
    """A web page (the whole HTML document) in a sandboxed iframe: its styles stay in it, nothing in it runs."""
    return Markup(
        "<iframe sandbox title='{}' srcdoc='{}'\n"
        " style='width:100%;height:22rem;border:1px solid #d5dbe1;border-radius:6px'></iframe>"
    ).format(title, page)


def consent_answer(color: str, said: str, outcome: str, detail: str | None) -> Markup:
    """What the user answered at the consent page, and what the Dashboard made of it."""
    more = Markup(" ({})").format(detail) if detail else ""
    return Markup("<span style='color:{}'>The user {}. Dashboard: <b>{}</b>{}.</span>").format(
        color, said, outcome, more
    )


def trace_table(table_rows: Sequence[tuple[int, str, str, int, str, str]]) -> Markup:
    """The trace's table: number, method, URL, status (in its colour), party."""
    left = f" style='{_LEFT}'"
    row = (
        f"<tr><td{left}>{{0}}</td><td{left}>{{1}}</td><td{left}><code>{{2}}</code></td>\n"
        f"<td style='color:{{4}};{_LEFT}'>{{3}}</td><td{left}>{{5}}</td></tr>"
    )
    heading = "".join(f"<th{left}>{name}</th>" for name in ("#", "method", "URL", "status", "party"))
    return Markup("<table><tr>{}</tr>{}</table>").format(Markup(heading), _each(row, table_rows))


def trace_details(items: Sequence[tuple[int, str, str, int, str]]) -> Markup:
    """Each exchange folded in a ``<details>``: its summary line, then its text."""
    return _each("<details><summary>{}. {} {} → {}</summary><pre>{}</pre></details>", items)

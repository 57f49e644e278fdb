"""The HTML the widgets show, as Jinja2 templates with autoescaping on.

Every value goes through Jinja2's escaping unless it is ``Markup`` (HTML one of these templates
made), so a state, an error message or a URL can never break out of the card it is shown in.
The templates live here as strings, not as files, so the wheel needs no package data for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jinja2
from markupsafe import Markup

OK, BAD, WAIT = "#09825d", "#df1b41", "#697386"
_CARD_STYLE = "border:1px solid #d5dbe1;border-radius:6px;padding:8px 12px;margin:4px 0;"

_SOURCE = """
{%- macro card(title, body, color) -%}
<div style='{{ card_style }}border-left:4px solid {{ color }}'><b>{{ title }}</b>{{ body }}</div>
{%- endmacro -%}

{%- macro rows(pairs) -%}
<table>{% for key, value in pairs -%}
<tr><td style='padding-right:12px;color:{{ wait }}'>{{ key }}</td><td><code>{{ value }}</code></td></tr>
{%- endfor %}</table>
{%- endmacro -%}

{%- macro line(text) -%}<div>{{ text }}</div>{%- endmacro -%}

{%- macro colored(color, text) -%}<span style='color:{{ color }}'>{{ text }}</span>{%- endmacro -%}

{%- macro authorize_link(link, label) -%}
<a class='jupyter-button mod-primary kit-authorize' href='{{ link }}' target='_blank' rel='noopener'
 style='display:inline-flex;align-items:center;padding:0 16px;text-decoration:none;color:white'>{{ label }}</a>
{%- endmacro -%}

{%- macro framed_page(page, title) -%}
<iframe sandbox title='{{ title }}' srcdoc='{{ page }}'
 style='width:100%;height:22rem;border:1px solid #d5dbe1;border-radius:6px'></iframe>
{%- endmacro -%}

{%- macro consent_answer(color, said, outcome, detail) -%}
<span style='color:{{ color }}'>The user {{ said }}. Dashboard: <b>{{ outcome }}</b>
{%- if detail %} ({{ detail }}){% endif %}.</span>
{%- endmacro -%}

{%- macro trace_table(rows) -%}
<table><tr><th>#</th><th>method</th><th>URL</th><th>status</th><th>party</th></tr>
{%- for n, method, url, status, color, party in rows -%}
<tr><td>{{ n }}</td><td>{{ method }}</td><td><code>{{ url }}</code></td>
<td style='color:{{ color }}'>{{ status }}</td><td>{{ party }}</td></tr>
{%- endfor %}</table>
{%- endmacro -%}

{%- macro trace_details(items) -%}
{%- for n, method, party, status, text in items -%}
<details><summary>{{ n }}. {{ method }} {{ party }} → {{ status }}</summary><pre>{{ text }}</pre></details>
{%- endfor -%}
{%- endmacro -%}
"""

# StrictUndefined: a misspelt name in a template fails loudly instead of showing nothing.
_MACROS = (
    jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    .from_string(_SOURCE, globals={"wait": WAIT, "card_style": _CARD_STYLE})
    .module
)


def _call(name: str, *args: Any) -> Markup:
    return Markup(getattr(_MACROS, name)(*args))


def card(title: str, body: str = "", color: str = WAIT) -> Markup:
    """A card: the title in bold, then ``body`` (text is escaped; ``Markup`` from here is kept)."""
    return _call("card", title, body, color)


def rows(pairs: Sequence[tuple[str, Any]]) -> Markup:
    """A two-column table of names and values, each value in ``<code>``."""
    return _call("rows", pairs)


def line(text: str) -> Markup:
    """One line of text in a card."""
    return _call("line", text)


def colored(color: str, text: str) -> Markup:
    """A line of text in a status colour."""
    return _call("colored", color, text)


def authorize_link(link: str, label: str) -> Markup:
    """A link styled as JupyterLab's primary button, opening ``link`` in a new tab."""
    return _call("authorize_link", link, label)


def framed_page(page: str, title: str) -> Markup:
    """A web page (the whole HTML document) in a sandboxed iframe: its styles stay in it, nothing in it runs."""
    return _call("framed_page", page, title)


def consent_answer(color: str, said: str, outcome: str, detail: str | None) -> Markup:
    """What the user answered at the consent page, and what the Dashboard made of it."""
    return _call("consent_answer", color, said, outcome, detail)


def trace_table(table_rows: Sequence[tuple[int, str, str, int, str, str]]) -> Markup:
    """The trace's table: number, method, URL, status (in its colour), party."""
    return _call("trace_table", table_rows)


def trace_details(items: Sequence[tuple[int, str, str, int, str]]) -> Markup:
    """Each exchange folded in a ``<details>``: its summary line, then its text."""
    return _call("trace_details", items)

"""The widgets' HTML escapes every value it is given, and keeps the HTML it made itself."""

import subprocess
import sys

from markupsafe import Markup

from helpers.widget_html import BAD, card, consent_answer, line, rows, trace_details, trace_table

EVIL = "<script>alert('x')</script>&\""


def test_a_value_cannot_break_out_of_its_card() -> None:
    html = card(EVIL, line(EVIL), BAD)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 2
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#34;"
    assert html.startswith("<div style=") and html.endswith(f"<b>{escaped}</b><div>{escaped}</div></div>")


def test_html_made_here_is_kept_as_html() -> None:
    html = card("Secrets", rows([("name", EVIL)]))
    assert "<table><tr><td style=" in html and "<code>&lt;script&gt;" in html
    assert isinstance(html, Markup)


def test_the_trace_table_puts_each_status_in_its_colour() -> None:
    html = trace_table([(1, "GET", "/a?x=<1>", 401, BAD, "provider")])
    assert f"<td style='color:{BAD};text-align:left'>401</td>" in html and "<code>/a?x=&lt;1&gt;</code>" in html
    # JupyterLab right-aligns an output table's cells; every cell of this one holds text.
    assert html.count("<td") == html.count("text-align:left'") - html.count("<th")
    assert trace_details([(1, "GET", "provider", 401, EVIL)]).count("<details>") == 1


def test_the_consent_answer_shows_a_detail_only_when_there_is_one() -> None:
    assert "(" not in consent_answer("#000", "approved", "connected", None)
    assert consent_answer("#000", "denied", "refused", "<why>").endswith(" (&lt;why&gt;).</span>")


def test_the_widgets_load_no_template_engine() -> None:
    """Jinja2 was 3 MiB of every learner's kernel for these nine fragments (issue 22)."""
    code = "import sys, helpers.widgets as w; w.card('t', w.rows([('a', 'b')])); print('jinja2' in sys.modules)"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["False"]

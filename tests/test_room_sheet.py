"""The room sheet (docs/room-sheet.html and .pdf): one printed page, made by tools.room_sheet from its source.

The committed HTML must be what the source makes now; the committed PDF must be one page that
prints on A4 and on Letter, and must hold the sheet's text (read with poppler's pdfinfo and
pdftotext, which `make test` installs). The sheet must have what a learner needs in the room: blanks
for the hub and the login, the handout's five steps, and the four recovery moves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tools import room_sheet

ROOT = Path(__file__).resolve().parents[1]
HANDOUT = ROOT / "docs" / "handout.md"
POINTS_PER_MM = 72 / 25.4
# The moves a learner makes alone, as the sheet words them: what they see, what they do.
RECOVERY_MOVES = [
    ("No Kernel", "Run All Above Selected Cell"),
    ("link was used, or has expired", "New link"),
    ("provider_error after a restart", "first cell"),
    ("Anything else", "Raise a hand"),
]


class _SheetText(HTMLParser):
    """The text a reader sees: the body's, the SVG's labels included, without styles or titles."""

    _HIDDEN = {"style", "title", "script"}
    # Elements whose text a reader sees apart from their neighbours' (a cell, a label in the diagram).
    _BLOCKS = {"h1", "h2", "p", "li", "tr", "th", "td", "text", "footer"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.first_bold: list[str] = []  # the lead of each list item
        self._hidden = 0
        self._in_item = False
        self._bold: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in self._HIDDEN
        if tag in self._BLOCKS:
            self.parts.append(" ")
        if tag == "li":
            self._in_item = True
        elif tag == "b" and self._in_item:
            self._bold = []

    def handle_endtag(self, tag):
        self._hidden -= tag in self._HIDDEN
        if tag in self._BLOCKS:
            self.parts.append(" ")
        if tag == "b" and self._bold is not None:
            self.first_bold.append("".join(self._bold))
            self._bold, self._in_item = None, False

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)
            if self._bold is not None:
                self._bold.append(data)


def sheet_text(html: str) -> _SheetText:
    parser = _SheetText()
    parser.feed(html)
    return parser


def words(text: str) -> Counter[str]:
    """Words as printed: the sheet's CSS sets some headings in capitals."""
    return Counter(text.lower().split())


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: `make test` installs Debian's poppler-utils (apt-get install poppler-utils).")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: Path) -> tuple[int, float, float]:
    """Pages, and the first page's width and height in mm."""
    info = poppler("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups())
    return pages, width / POINTS_PER_MM, height / POINTS_PER_MM


def handout_steps() -> list[str]:
    """The bold lead of each of the handout's five steps, e.g. "The link"."""
    section = HANDOUT.read_text().split("## The five steps", 1)[1].split("\n## ", 1)[0]
    return [lead.strip("`:") for lead in re.findall(r"^\d\. \*\*(.+?)\*\*", section, re.M)]


def test_the_committed_html_is_what_the_source_makes():
    assert room_sheet.HTML.read_text(encoding="utf-8") == room_sheet.render_html(), (
        "docs/room-sheet.html is out of date: run `make room-sheet` and commit docs/room-sheet.html and .pdf."
    )


def test_the_html_stands_alone_with_its_diagram_drawn():
    html = room_sheet.HTML.read_text(encoding="utf-8")
    assert "{{" not in html and "mermaid" not in html
    assert re.search(r"<svg [^>]*viewBox=", html) and html.count('<line class="msg') >= 10
    # Nothing to fetch: it prints the same from a laptop, a hub or a USB stick.
    assert not re.findall(r"""(?:src|href)=["'](?!#)""", html)
    assert "<link" not in html


def test_the_sheet_has_the_blanks_the_five_steps_and_the_recovery_moves():
    parsed = sheet_text(room_sheet.HTML.read_text(encoding="utf-8"))
    text = " ".join("".join(parsed.parts).split())
    for blank in ("Hub address", "Your login", "Password"):
        assert blank in text
    steps = [lead.rstrip(":") for lead in parsed.first_bold]
    assert steps == handout_steps() and len(steps) == 5, f"sheet: {steps}; handout: {handout_steps()}"
    for seen, move in RECOVERY_MOVES:
        assert re.search(f"{re.escape(seen)}.*?{re.escape(move)}", text), (seen, move)


def test_the_pdf_is_one_page_that_fits_a4_and_letter():
    pages, width, height = pdf_pages(room_sheet.PDF)
    assert pages == 1
    assert width <= 210 and height <= 279.4 + 0.01, f"{width:.2f} x {height:.2f} mm is larger than A4 or Letter"


def test_the_pdf_holds_the_sheets_text():
    """Every word of the HTML is in the PDF (pdftotext), as often: the PDF was printed from this HTML."""
    html_words = words("".join(sheet_text(room_sheet.HTML.read_text(encoding="utf-8")).parts))
    pdf_words = words(poppler("pdftotext", "-raw", str(room_sheet.PDF), "-"))
    missing = html_words - pdf_words
    assert not missing, f"in the HTML, not in docs/room-sheet.pdf: {sorted(missing)}; run `make room-sheet`"


@pytest.mark.browser
@pytest.mark.parametrize("paper", sorted(room_sheet.PAPERS))
def test_the_html_prints_on_one_page(paper, tmp_path):
    """A facilitator prints the HTML from a browser, on their own paper: one page on each."""
    pdf, png = tmp_path / f"{paper}.pdf", ROOT / "tests" / "artifacts" / f"room-sheet-{paper}.png"
    png.parent.mkdir(exist_ok=True)
    # In a thread of its own: Playwright's sync API refuses to run where another test left an event loop running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(room_sheet.print_pdf, room_sheet.HTML, pdf, size=room_sheet.PAPERS[paper], png=png).result()
    assert pdf_pages(pdf)[0] == 1

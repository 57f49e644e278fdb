"""Build the room sheet: one printed page a learner keeps beside the keyboard during a session.

    .venv/bin/python -m tools.room_sheet               # write docs/room-sheet.html and docs/room-sheet.pdf
    .venv/bin/python -m tools.room_sheet --check       # fail if docs/room-sheet.html is not what the source makes
    .venv/bin/python -m tools.room_sheet --png FILE    # also a picture of the printed page, to look at

Used by `make room-sheet`. The source is docs/room-sheet/: ``sheet.html``, in which
``{{sheet.css}}`` and ``{{flow.svg}}`` stand for the files of those names (the flow diagram is
hand-written SVG). The tool puts them together into one self-contained HTML file, which prints on
A4 and on Letter alike, and prints that to PDF in Debian's Chromium (tools.chromium). Both are
committed, so a facilitator without Chromium can print either; `make workshop` puts them into the
learner edition beside the handout.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tools.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "docs" / "room-sheet"
HTML = ROOT / "docs" / "room-sheet.html"
PDF = ROOT / "docs" / "room-sheet.pdf"
# A4 is 210 x 297 mm and Letter 215.9 x 279.4 mm. The PDF's page takes A4's width and Letter's height,
# so it prints at actual size on either paper with nothing cut off. Chromium sizes a page in whole CSS
# pixels (96 to the inch) and rounds 210 mm up, so the width is 8.25 in (209.55 mm).
PAPERS = {"A4": ("210mm", "297mm"), "Letter": ("8.5in", "11in")}
PDF_PAGE = ("8.25in", "11in")
_INCLUDE = re.compile(r"\{\{([\w.-]+)\}\}")


def render_html(source: Path = SOURCE) -> str:
    """The sheet as one HTML file: ``sheet.html`` with each ``{{file}}`` replaced by that file."""
    template = (source / "sheet.html").read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda found: (source / found.group(1)).read_text(encoding="utf-8").rstrip("\n"), template)


def print_pdf(html: Path, pdf: Path, *, size: tuple[str, str] = PDF_PAGE, png: Path | None = None) -> None:
    """Print ``html`` to ``pdf`` on a page of ``size`` (width, height) in Chromium; optionally a PNG of it."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium is missing at {CHROMIUM}: apt-get install chromium, or set KIT_CHROMIUM.")
    width, height = size
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(html.resolve().as_uri())
            # The page's own @page rule sets the margins, as it does when a facilitator prints the HTML.
            page.pdf(path=str(pdf), width=width, height=height, print_background=True)
            if png is not None:  # on screen the sheet keeps the page's margins, so this looks like the print
                page.set_viewport_size({"width": _pixels(width), "height": _pixels(height)})
                page.screenshot(path=str(png), full_page=True)
        finally:
            browser.close()


def _pixels(length: str) -> int:
    """A CSS length in mm or in to CSS pixels (96 to the inch)."""
    number, unit = float(length[:-2]), length[-2:]
    return round(number * 96 / (25.4 if unit == "mm" else 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare docs/room-sheet.html with the source")
    parser.add_argument("--png", type=Path, help="also save a picture of the printed page here")
    args = parser.parse_args(argv)
    html = render_html()
    if args.check:
        if HTML.read_text(encoding="utf-8") != html:
            print(f"{HTML.relative_to(ROOT)} is out of date: run `make room-sheet` and commit it.", file=sys.stderr)
            return 1
        print(f"{HTML.relative_to(ROOT)} is what {SOURCE.relative_to(ROOT)}/ makes.")
        return 0
    HTML.write_text(html, encoding="utf-8")
    print_pdf(HTML, PDF, png=args.png)
    print(f"Wrote {HTML.relative_to(ROOT)} and {PDF.relative_to(ROOT)}" + (f", and {args.png}." if args.png else "."))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

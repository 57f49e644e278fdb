"""make workshop's learner edition: nothing run, the optional parts folded, and it runs on its own; beside the
notebooks, the app they link to and the room's papers, so that every relative link in it resolves."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools.learner_edition import BESIDE, build
from tools.learner_time import is_core
from tools.run_notebooks import NOTEBOOKS, execute, fresh_sandbox, notebook_paths


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return build(tmp_path_factory.mktemp("workshop"))


def test_every_notebook_and_what_they_need_is_there(edition):
    for path in notebook_paths():
        assert (edition / path.name).exists()
    for needed in ("kit.py", "stripe-app.json", "exercises/feedback.py", "solutions"):
        assert (edition / needed).exists(), needed
    assert not list(edition.rglob("__pycache__"))


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_nothing_is_run_and_the_optional_parts_are_folded(edition, path):
    notebook = nbformat.read(edition / path.name, as_version=4)
    assert "widgets" not in notebook.metadata
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        assert hidden == (not is_core(cell)), cell.source[:60]
    assert nbformat.read(path, as_version=4).cells[0].source == notebook.cells[0].source


def test_the_app_the_room_sheet_and_the_handout_are_beside_the_notebooks(edition):
    root = edition.parent
    for name in BESIDE:
        assert (root / name).exists(), name
    for name in ("stripe-app/src/oauth.ts", "stripe-app/src/views/App.tsx", "stripe-app/package-lock.json"):
        assert (root / name).is_file(), name
    assert (root / "room-sheet.pdf").read_bytes().startswith(b"%PDF")
    assert not list(root.rglob("node_modules"))


# A link's target in Markdown, or in an HTML attribute, when it is neither a URL nor an anchor in the page.
_LINK = re.compile(r"""\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)|(?:href|src)=["']([^"']+)["']""")
_ELSEWHERE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|//)", re.I)


def relative_links(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        cells = nbformat.read(path, as_version=4).cells
        text = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    found = (markdown or html for markdown, html in _LINK.findall(text))
    return [link.split("#", 1)[0] for link in found if not _ELSEWHERE.match(link)]


def test_every_relative_link_in_the_edition_resolves_inside_it(edition):
    root = edition.parent.resolve()
    pages = [path for suffix in ("*.ipynb", "*.md", "*.html") for path in root.rglob(suffix)]
    links = {(page, link) for page in pages for link in relative_links(page)}
    broken = sorted(
        f"{page.relative_to(root)}: {link}"
        for page, link in links
        if not (target := (page.parent / link).resolve()).exists() or not target.is_relative_to(root)
    )
    assert not broken, f"links that lead nowhere in the learner edition: {broken}"
    # 06 reaches out of notebooks/ into the app: the links this test is most about.
    assert any(page.name == "06-the-whole-app.ipynb" and link.startswith("../stripe-app/") for page, link in links)


def test_the_repository_notebooks_are_untouched(edition):
    assert any(cell.get("outputs") for cell in nbformat.read(NOTEBOOKS / "01-redirect-urls.ipynb", 4).cells)


@pytest.mark.slow
def test_a_notebook_of_the_edition_runs_from_its_folder(edition):
    with fresh_sandbox():
        notebook, _ = execute(edition / "03-token-exchange.ipynb")
    assert all(cell.execution_count for cell in notebook.cells if cell.cell_type == "code")

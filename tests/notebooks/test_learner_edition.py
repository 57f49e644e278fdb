"""make workshop's learner edition: nothing run, the optional parts folded, and it runs on its own; beside the
notebooks, the app they link to and the room's papers, so that every relative link in it resolves."""

from __future__ import annotations

import nbformat
import pytest

from tools.learner_edition import BESIDE, broken_links, build, relative_links
from tools.learner_time import is_core
from tools.run_notebooks import notebook_paths


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


def test_every_relative_link_in_the_edition_resolves_inside_it(edition):
    broken = broken_links(edition.parent)
    assert not broken, f"links that lead nowhere in the learner edition: {broken}"
    # 06 reaches out of notebooks/ into the app: the links this test is most about.
    assert any(link.startswith("../stripe-app/") for link in relative_links(edition / "06-the-whole-app.ipynb"))

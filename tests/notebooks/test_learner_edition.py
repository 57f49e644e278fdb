"""make workshop's learner edition: nothing run, the optional parts folded, and it runs on its own."""

from __future__ import annotations

import nbformat
import pytest

from tools.learner_edition import build
from tools.learner_time import is_core
from tools.run_notebooks import NOTEBOOKS, execute, fresh_sandbox, notebook_paths


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return build(tmp_path_factory.mktemp("workshop"))


def test_every_notebook_and_what_they_need_is_there(edition):
    for path in notebook_paths():
        assert (edition / path.name).exists()
    for needed in ("workbench.py", "stripe-app.json", "exercises/feedback.py", "solutions"):
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


def test_the_repository_notebooks_are_untouched(edition):
    assert any(cell.get("outputs") for cell in nbformat.read(NOTEBOOKS / "01-redirect-urls.ipynb", 4).cells)


@pytest.mark.slow
def test_a_notebook_of_the_edition_runs_from_its_folder(edition):
    with fresh_sandbox():
        notebook, _ = execute(edition / "03-token-exchange.ipynb")
    assert all(cell.execution_count for cell in notebook.cells if cell.cell_type == "code")

"""Build the learner edition: the notebooks with outputs cleared and optional parts folded, and beside them
what they link to and what a learner reads in the room.

    .venv/bin/python -m tools.learner_edition                  # into build/workshop/
    .venv/bin/python -m tools.learner_edition --out DIR        # into DIR/

Used by `make workshop`. A facilitator hands the folder out or puts it on a hub (see
docs/workshop.md): learners then run every cell themselves, and the optional exercises and
"Going further" sections (cells tagged ``optional`` or ``deeper``) start folded, one click
away. The edition holds:

- ``notebooks/``: the notebooks, and everything they need beside them (kit, exercises,
  solutions, the manifest);
- ``stripe-app/``: the example app as a real Stripe App, which 06 links into and 09 reads
  (without its ``node_modules``);
- ``room-sheet.html``, ``room-sheet.pdf`` (tools.room_sheet) and ``handout.md``, from docs/.

Every relative link in it resolves inside it (tests/notebooks/test_learner_edition.py).
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import nbformat

from tools.learner_time import is_core
from tools.run_notebooks import NOTEBOOKS, ROOT, notebook_paths

DEFAULT_OUT = ROOT / "build" / "workshop"
# Beside notebooks/, by their names in the edition: what the notebooks link to, and the room's papers.
BESIDE = {
    "stripe-app": ROOT / "stripe-app",
    "room-sheet.html": ROOT / "docs" / "room-sheet.html",
    "room-sheet.pdf": ROOT / "docs" / "room-sheet.pdf",
    "handout.md": ROOT / "docs" / "handout.md",
}
# What a checkout holds that the learner does not need: caches, and the app's npm install and build.
_SKIP = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc", "node_modules", "coverage", ".build")


def learner_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as a learner should first see it: nothing run yet, the optional parts folded."""
    notebook.metadata.pop("widgets", None)  # saved widget views: they would show a run nobody made
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
        if not is_core(cell):
            # JupyterLab shows a hidden cell as a one-line bar; a click unfolds it.
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            cell.metadata["jupyter"].pop("outputs_hidden", None)
    return notebook


def build(out: Path = DEFAULT_OUT) -> Path:
    """Write the learner edition into ``out`` (replacing what an earlier build wrote there) and return
    its notebooks folder, ``out/notebooks``."""
    target = out / "notebooks"
    for name in ("notebooks", *BESIDE):
        _remove(out / name)
    shutil.copytree(NOTEBOOKS, target, ignore=_SKIP)
    for path in notebook_paths():
        notebook = learner_notebook(nbformat.read(path, as_version=4))
        nbformat.write(notebook, target / path.name)
    for name, source in BESIDE.items():
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=_SKIP)
        else:
            shutil.copy2(source, out / name)
    return target


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


# A link's target in Markdown, or in an HTML attribute, when it is neither a URL nor an anchor in the page.
_LINK = re.compile(r"""\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)|(?:href|src)=["']([^"']+)["']""")
_ELSEWHERE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|//)", re.I)


def relative_links(path: Path) -> list[str]:
    """The relative links of a notebook's Markdown, or of a Markdown or HTML page (anchors left off)."""
    if path.suffix == ".ipynb":
        cells = nbformat.read(path, as_version=4).cells
        text = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    found = (markdown or html for markdown, html in _LINK.findall(text))
    return [link.split("#", 1)[0] for link in found if not _ELSEWHERE.match(link)]


def broken_links(root: Path) -> list[str]:
    """Each relative link of the pages under ``root`` (notebooks, Markdown, HTML) that leads to nothing
    under it, as "page: link"."""
    root = root.resolve()
    pages = [path for suffix in ("*.ipynb", "*.md", "*.html") for path in root.rglob(suffix)]
    return sorted(
        f"{page.relative_to(root)}: {link}"
        for page in pages
        for link in relative_links(page)
        if not (target := (page.parent / link).resolve()).exists() or not target.is_relative_to(root)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the folder to write the edition into")
    args = parser.parse_args(argv)
    build(args.out)
    print(f"The learner edition is in {args.out}: notebooks/ ({len(notebook_paths())} notebooks), {', '.join(BESIDE)}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Build the learner edition of the notebooks: outputs cleared, optional parts folded.

    .venv/bin/python -m tools.learner_edition                  # into build/workshop/notebooks/
    .venv/bin/python -m tools.learner_edition --out DIR        # into DIR/notebooks/

Used by `make workshop`. A facilitator hands the folder out or puts it on a hub (see
docs/workshop.md): learners then run every cell themselves, and the optional exercises and
"Going further" sections (cells tagged ``optional`` or ``deeper``) start folded, one click
away. Everything the notebooks need beside them (workbench, exercises, solutions, the
manifest) is copied too.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import nbformat

from tools.learner_time import is_core
from tools.run_notebooks import NOTEBOOKS, ROOT, notebook_paths

DEFAULT_OUT = ROOT / "build" / "workshop"
# What a notebook folder holds that the learner does not need.
_SKIP = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")


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
    """Write the learner edition to ``out/notebooks`` (replacing an earlier one) and return that folder."""
    target = out / "notebooks"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(NOTEBOOKS, target, ignore=_SKIP)
    for path in notebook_paths():
        notebook = learner_notebook(nbformat.read(path, as_version=4))
        nbformat.write(notebook, target / path.name)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the folder to write notebooks/ into")
    args = parser.parse_args(argv)
    target = build(args.out)
    print(f"The learner edition is in {target} ({len(notebook_paths())} notebooks).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run the kit's notebooks in order, in one fresh sandbox, and keep what they printed.

    .venv/bin/python -m tools.run_notebooks            # rewrite notebooks/*.ipynb with fresh outputs
    .venv/bin/python -m tools.run_notebooks --check    # run them, write nothing
    .venv/bin/python -m tools.run_notebooks notebooks/02-*.ipynb   # only these, in a fresh sandbox

Used by `make notebooks` (after editing a notebook, to commit it with its outputs, which
nbval then compares) and by the test that no output holds a secret in clear.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import sandbox
from workshop.kernel_spec import LeanKernelSpec

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


@contextmanager
def fresh_sandbox() -> Iterator[Path]:
    """A temporary sandbox folder, set as KIT_SANDBOX_DIR for the kernels, stopped afterwards."""
    previous = os.environ.get("KIT_SANDBOX_DIR")
    with tempfile.TemporaryDirectory(prefix="kit-") as parent:
        # Named .sandbox as on a learner's machine, so what the notebooks print about it reads the same.
        folder = str(Path(parent) / ".sandbox")
        os.environ["KIT_SANDBOX_DIR"] = folder
        try:
            yield Path(folder)
        finally:
            sandbox.stop(folder)
            if previous is None:
                os.environ.pop("KIT_SANDBOX_DIR", None)
            else:
                os.environ["KIT_SANDBOX_DIR"] = previous


@contextmanager
def learners_kernel() -> Iterator[KernelManager]:
    """The kernel a learner's server starts (workshop/kernel_spec.py: IPython's, without debugpy), for a
    client to start; shut down on leaving, which a client given its kernel manager does not do."""
    kernel = KernelManager(
        kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_spec_class=LeanKernelSpec)
    )
    try:
        yield kernel
    finally:
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=True)


def execute(path: Path) -> tuple[nbformat.NotebookNode, float]:
    """Run one notebook top to bottom in a new learners' kernel started in its folder; return it and its seconds.

    The kernel learners get, as nbval's (tests/notebooks/nbval_plugin.py), so the outputs saved here are
    the ones nbval then compares."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    with learners_kernel() as kernel:
        NotebookClient(
            notebook, km=kernel, timeout=120, resources={"metadata": {"path": str(path.parent)}}, allow_errors=False
        ).execute()
    return notebook, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="run the notebooks without rewriting them")
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks to run, in this order (default: all)")
    args = parser.parse_args(argv)
    with fresh_sandbox():
        for path in args.paths or notebook_paths():
            notebook, seconds = execute(path)
            if not args.check:
                nbformat.write(notebook, path)
            print(f"{path.name}: {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

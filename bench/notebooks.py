"""Benchmark: the kit's notebooks under nbval, next to the floor of trivial notebooks; and kernel memory.

    .venv/bin/python -m bench.notebooks

From one run it prints:

1. the nbval wall time of the kit's notebooks (in order, one fresh sandbox, as `make test`
   runs them) against the same number of trivial one-cell notebooks (the kernel start-up
   floor), and their ratio (target: at most 1.3); and, as a control that no target reads,
   trivial notebooks with as many cells as each of the kit's (`1 + 1` in each): what nbval and
   the kernel cost per cell, apart from what the kit's cells do;
2. for each notebook, the memory (RSS) of its kernel after running it top to bottom,
   against a bare kernel that only imported ipywidgets, and their ratio (target: at most 1.2);
   and, from that same run, where the kit's side of 1 spends its own time: each notebook's cells
   as the kernel timed them (from its execute_input to its execute_reply, both stamped by the
   kernel, so the round trips to nbval are not in it), its first cell apart (it imports the kit
   and calls `setup()`), and the slowest cells of all.
   Both sides run the kernel learners get (the kit's server extension starts it:
   workshop/kernel_spec.py, IPython's kernel without debugpy); the bare one loads ipykernel and
   ipywidgets, the kit's what each notebook imports on top (helpers, httpx, stripe where the
   Secret Store is called, ...).

In 1 too both sides run that kernel, under nbval as `make test` runs it (its plugin
tests/notebooks/nbval_plugin.py, also given to the trivial side).

The phases of 1 are timed alternately (trivial, kit, control, three times over) and each side's best
is kept, so a machine that speeds up or slows down as the bench runs favours neither. Three passes, not
two: a pass now and then reads 2 to 8 s slower than the others, most often a first one after the machine
was idle (15.2 then 12.0 s trivial, 18.7 then 15.4 s kit; in a later run kit 21.4 then 14.1 and 13.5 s,
4 December 2026), and with two a second pass slowed by anything else left only slow figures to choose
from. It is not the disk cache: the kit's side with the page cache dropped first (84 MiB read again)
took 13.8 and 14.0 s, warm 15.0 and 13.8 s; fourteen passes in a row had none slower than 17.3 s.
One cause, found on 5 December 2026: pytest deleting an earlier run's temporary files as a session ended
(5.7 s for the 1 GB that `make test` leaves), in the third session to start after a test run; each session
now keeps its files in a folder of its own (nbval_command).
Figures are printed, never asserted.

The time ratio moves with the machine's speed, not only with the kit: the kit's side computes more (its
kernels, the sandbox and pytest at once, about 1.5 times the trivial side's CPU time), while the trivial
side waits more on fixed intervals (a kernel's shutdown, about 0.11 s each); when the CPU slows, the
kit's side slows more. On one 2-core machine, the same day and the same code (4 December 2026), a fixed
pure-Python loop took 0.43 to 0.81 s; the ratio read 1.22 to 1.34 with a trivial floor of 10.2 to
11.5 s, and 1.32 to 1.43 with one of 12.3 to 13.0 s. Read it a few times, next to its floor.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

from bench.verdict import load, verdict
from tools.learner_time import kernel_seconds  # the kernel's own stamps, read as the learner-time model reads them
from tools.run_notebooks import fresh_sandbox, learners_kernel, notebook_paths

ROOT = Path(__file__).resolve().parents[1]
TARGET_TIME_RATIO = 1.3
TARGET_MEMORY_RATIO = 1.2
PASSES = 3  # of each side, alternately; each side's best is kept (see the docstring)


def nbval_command(paths: list[Path], sanitize: bool, basetemp: Path) -> list[str]:
    """pytest running nbval on `paths`, as `make test` does, its temporary files in `basetemp`.

    Its own `--basetemp`: otherwise pytest keeps the three newest of /tmp/pytest-of-<user>/pytest-N and
    deletes the oldest as a session ends, and after `make test` that one holds about 1 GB (67,000 files):
    the third session after it spent 5.7 s deleting them (5 December 2026), a pass lost to an earlier run's
    files, not to the notebooks.
    """
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--basetemp",
        str(basetemp),
        # As `make test` runs nbval (the root conftest.py names this plugin), on both sides: the learners'
        # kernel, and nbval's debug log formatted only when shown (tests/notebooks/nbval_plugin.py).
        "-p",
        "tests.notebooks.nbval_plugin",
        "--nbval",
        "--nbval-current-env",
    ]
    if sanitize:
        command += ["--nbval-sanitize-with", str(ROOT / "tests/notebooks/sanitize.cfg")]
    return command + [str(path) for path in paths]


def nbval_seconds(paths: list[Path], sanitize: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-pytest-") as basetemp:  # removed after the timing
        command = nbval_command(paths, sanitize, Path(basetemp))
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"nbval failed:\n{result.stdout[-3000:]}")
    return seconds


def trivial_notebooks(folder: Path, cells: list[int]) -> list[Path]:
    """A notebook of `1 + 1` cells for each count in `cells`, their outputs committed as nbval compares them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, count in enumerate(cells):
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        for number in range(1, count + 1):
            cell = nbformat.v4.new_code_cell("1 + 1")
            cell.execution_count = number
            cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=number)]
            notebook.cells.append(cell)
        path = folder / f"{n:02d}-trivial-{count}.ipynb"
        nbformat.write(notebook, path)
        paths.append(path)
    return paths


def code_cell_count(path: Path) -> int:
    return sum(cell.cell_type == "code" for cell in nbformat.read(path, as_version=4).cells)


def kernel_rss_after(notebook: nbformat.NotebookNode, cwd: Path) -> int:
    """Run a notebook in a new kernel and return that kernel's RSS (bytes) at the end.

    Its code cells are left with the kernel's timestamps in `metadata.execution` (nbclient records them).
    """
    # The kernel a learner's server starts, for the kit and the bare side alike.
    with learners_kernel() as kernel:
        client = NotebookClient(notebook, km=kernel, timeout=120, resources={"metadata": {"path": str(cwd)}})
        with client.setup_kernel():
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
            pid = client.km.provisioner.process.pid
            return psutil.Process(pid).memory_info().rss


def what_it_does(cell: nbformat.NotebookNode) -> str:
    """A cell's first line that does something: not an import, a comment or a block's opening line."""
    lines = [line.strip() for line in cell.source.splitlines()]
    doing = [line for line in lines if line and not line.startswith(("#", "import ", "from ")) and line[-1] != ":"]
    return (doing or lines or [""])[0]


def bare_kernel_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import ipywidgets")]
    return notebook


def main() -> int:
    kit = notebook_paths()
    print(f"notebook benchmark: {len(kit)} kit notebooks vs {len(kit)} trivial notebooks, nbval strict ({load()})\n")

    cells = [code_cell_count(path) for path in kit]
    with tempfile.TemporaryDirectory() as folder:
        trivial = trivial_notebooks(Path(folder) / "one", [1] * len(kit))
        control = trivial_notebooks(Path(folder) / "many", cells)
        trivial_runs, kit_runs, control_runs = [], [], []
        for _ in range(PASSES):
            trivial_runs.append(nbval_seconds(trivial, sanitize=False))
            with fresh_sandbox():
                kit_runs.append(nbval_seconds(kit, sanitize=True))
            control_runs.append(nbval_seconds(control, sanitize=False))
    best_trivial, best_kit, best_control = min(trivial_runs), min(kit_runs), min(control_runs)
    time_ratio = best_kit / best_trivial
    print(f"nbval wall time (best of {PASSES}, each run includes pytest start-up):")
    print(f"  trivial notebooks  {', '.join(f'{s:.1f}' for s in trivial_runs)} s  → {best_trivial:.1f} s")
    print(f"  kit notebooks      {', '.join(f'{s:.1f}' for s in kit_runs)} s  → {best_kit:.1f} s")
    print(f"  ratio kit/trivial  {time_ratio:.2f}   (target ≤ {TARGET_TIME_RATIO})")
    # Each pass's own ratio, its two sides timed a few seconds apart: their spread is the machine's noise.
    print(f"  ratio pass by pass {', '.join(f'{k / t:.2f}' for k, t in zip(kit_runs, trivial_runs, strict=True))}")
    print(
        f"  control: trivial notebooks with the kit's {sum(cells)} cells  "
        f"{', '.join(f'{s:.1f}' for s in control_runs)} s  → {best_control:.1f} s: "
        f"ratio {best_control / best_trivial:.2f} from the count of cells alone; "
        f"kit/control {best_kit / best_control:.2f}\n"
    )

    print("kernel memory (RSS) after running each notebook, vs a bare kernel that imported ipywidgets")
    print("(both the learners' kernel: IPython's, without debugpy, workshop/kernel_spec.py):")
    bare = kernel_rss_after(bare_kernel_notebook(), ROOT / "notebooks")
    print(f"  {'bare kernel':26} {bare / 2**20:7.1f} MiB")
    worst = 0.0
    # Each: seconds, notebook, its code cell's number (nbval's "Cell N"), what the cell does.
    timed: list[tuple[float, str, int, str]] = []
    with fresh_sandbox():
        for path in kit:
            notebook = nbformat.read(path, as_version=4)
            rss = kernel_rss_after(notebook, path.parent)
            worst = max(worst, rss / bare)
            print(f"  {path.name:26} {rss / 2**20:7.1f} MiB   ratio {rss / bare:.2f}")
            code = [cell for cell in notebook.cells if cell.cell_type == "code"]
            timed += [(kernel_seconds(cell), path.name, n, what_it_does(cell)) for n, cell in enumerate(code)]
    print(f"  worst ratio                {worst:.2f}   (target ≤ {TARGET_MEMORY_RATIO})\n")

    first = sum(seconds for seconds, _, n, _ in timed if n == 0)
    rest = [entry for entry in timed if entry[2] > 0]
    print("where the kit's cells spend their time, as their kernels timed them in the run above (no round trips):")
    print(f"  first cells (import the kit, setup())  {first:.2f} s in {len(kit)}")
    print(f"  the other cells                        {sum(entry[0] for entry in rest):.2f} s in {len(rest)}")
    print("  slowest of the other cells:")
    for seconds, name, n, line in sorted(rest, reverse=True)[:8]:
        print(f"    {seconds * 1000:5.0f} ms  {name} cell {n}: {line[:60]}")
    print()

    verdict("nbval time ratio", time_ratio, TARGET_TIME_RATIO)
    verdict("worst kernel memory ratio", worst, TARGET_MEMORY_RATIO)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())

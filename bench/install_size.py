"""Benchmark: the learner's install (`make lab`) against a bare JupyterLab + ipywidgets, in size and time.

    .venv/bin/python -m bench.install_size [--rounds 2]

Builds, in one run and in a temporary folder, two fresh venvs the same way (`python -m venv`,
pip upgraded, then one `pip install`, as the Makefile's lab target does):

- bare: `pip install jupyterlab ipywidgets`, the floor of any notebook tutorial with widgets;
- kit: `pip install -e <this checkout>`, the kit's runtime dependencies only (pyproject's
  [project.dependencies]: no test extras), exactly what `make lab` installs.

It prints each venv's size on disk (as `du` counts it) and their ratio (target: at most 1.3),
and each install's wall time. The two are built alternately, `--rounds` times, with the pip
cache as it is, and each side's fastest time is kept, so a cache warmed by the first build
favours neither. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.3
MB = 1000 * 1000


def disk_usage(folder: Path) -> int:
    """Bytes on disk, as `du` counts them (allocated blocks, each hard-linked file once)."""
    seen, total = set(), 0
    for directory, _, files in os.walk(folder):
        for name in files:
            stat = os.lstat(os.path.join(directory, name))
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_blocks * 512
    return total


def build(venv: Path, requirements: list[str]) -> float:
    """A fresh venv with `requirements`; returns the seconds it took, the venv's creation included."""
    started = time.perf_counter()
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    for command in ([sys.executable, "-m", "venv", str(venv)], [*pip, "--upgrade", "pip"], [*pip, *requirements]):
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)  # pip's warnings: not figures
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    sides = {"bare": ["jupyterlab", "ipywidgets"], "kit": ["-e", str(ROOT)]}
    times: dict[str, list[float]] = {side: [] for side in sides}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="kit-install-") as folder:
        for round_ in range(args.rounds):
            for side, requirements in sides.items():
                venv = Path(folder) / f"{side}-{round_}"
                times[side].append(build(venv, requirements))
                sizes[side] = disk_usage(venv)
                seconds, size = times[side][-1], sizes[side] / MB
                print(f"  {side:<4} round {round_ + 1}: {seconds:5.1f} s, {size:.0f} MB", flush=True)
    ratio = sizes["kit"] / sizes["bare"]
    print()
    print(f"venv size   bare (jupyterlab + ipywidgets) {sizes['bare'] / MB:4.0f} MB")
    print(f"            kit (make lab: runtime only)   {sizes['kit'] / MB:4.0f} MB")
    print(f"            ratio kit/bare                 {ratio:4.2f}   (target <= {TARGET_RATIO})")
    print(f"install     bare {min(times['bare']):.1f} s, kit {min(times['kit']):.1f} s (fastest of {args.rounds} each)")
    print(f"VERDICT: {'PASS' if ratio <= TARGET_RATIO else 'MISS'} - size ratio {ratio:.2f} (<= {TARGET_RATIO})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

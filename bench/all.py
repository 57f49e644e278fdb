"""Every bench but the room (`make bench`), one after the other, then their verdict lines together.

    .venv/bin/python -m bench.all

Each bench prints its figures as it goes; the verdict lines (`PASS …` / `MISS …`, and the older
benches' `VERDICT: …`) are gathered and printed again at the end, one line a figure. The room of 30
(bench/room.py: a quiet machine, 8 GiB and about 9 minutes) runs alone: `make bench-room`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHES = [
    "bench.sandbox_flow",
    "bench.notebooks",
    "bench.browser",
    "bench.server_start",
    "bench.learner_memory",
    "bench.install_size",
    "bench.lite",
]


def is_verdict(line: str) -> bool:
    return line.startswith(("PASS ", "MISS ", "VERDICT:"))


def main() -> int:
    verdicts: list[str] = []
    failed: list[str] = []
    for bench in BENCHES:
        print(f"\n=== python -m {bench}", flush=True)
        with subprocess.Popen(
            [sys.executable, "-m", bench], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                print(line, end="", flush=True)
                if is_verdict(line):
                    verdicts.append(f"{line.rstrip()}   [{bench}]")
        if process.returncode != 0:
            failed.append(bench)
    print("\nverdicts, one a figure:")
    for line in verdicts:
        print(f"  {line}")
    for bench in failed:
        print(f"  FAILED to run: {bench}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

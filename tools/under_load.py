"""Run a command while other processes keep the CPUs busy, as on a shared 2-core machine.

    python tools/under_load.py [--busy N] -- COMMAND...      # e.g. -- make test

Starts N processes (default 2) that each spin one CPU in a busy loop, runs COMMAND, then stops
them, whatever COMMAND did, and exits with COMMAND's status. `make test-under-load` runs `make test`
so: tests that pass only on a quiet machine (a fixed wait, a short timeout) fail here first.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import multiprocessing.synchronize


def spin(stop: multiprocessing.synchronize.Event) -> None:
    """Keep one CPU busy until told to stop (checked every few million additions)."""
    while not stop.is_set():
        total = 0
        for number in range(2_000_000):
            total += number


def run_under_load(command: list[str], busy: int) -> int:
    stop = multiprocessing.Event()
    spinners = [multiprocessing.Process(target=spin, args=(stop,), daemon=True) for _ in range(busy)]
    for spinner in spinners:
        spinner.start()
    started = time.monotonic()
    try:
        return subprocess.run(command).returncode
    finally:
        stop.set()
        for spinner in spinners:
            spinner.join(timeout=5)
            if spinner.is_alive():
                spinner.terminate()
                spinner.join()
        print(f"under_load: {' '.join(command)} took {time.monotonic() - started:.0f} s beside {busy} busy processes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=2, help="how many CPU-bound processes run beside it")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --, e.g. -- make test")
    return run_under_load(command, args.busy)


if __name__ == "__main__":
    sys.exit(main())

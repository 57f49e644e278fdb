"""Benchmark: the memory one learner holds, at its peak, walking notebooks 00 to 08 with the kit's defaults.

    .venv/bin/python -m bench.learner_memory [--speedup 30] [--json PATH]

One learner on a real JupyterHub (tests/hub, the kit's jupyter-config/ and the sandbox's own
defaults), their cells sent through their own server and kernel websockets (tests/support/walk.py),
their processes sampled ten times a second: the single-user server, every kernel, the sandbox, and
any other process under the server while it lives (05's later session lives about 0.2 s: the kernels'
new children are looked for every 10 ms, and each counts with the most it held before it ended, listed
under its walk: tests/support/walk.py).
Three walks, one after the other, each on a hub of its own:

1. As the notebooks say: at each notebook's end the learner shuts its kernel down
   (Kernel > Shut Down Kernel), then opens the next. A cell every second: the pace does not
   change what a process holds.
2. Every tab left open: no kernel is ever shut down by the learner, so only the culler frees
   them. The learner spends on each notebook the minutes of docs/workshop.md's agenda, its
   cells spread over them, and the culler runs with the shipped settings. Both are sped up by
   `--speedup` (default 30: the 103 minutes take about 3.5), the culling timeout and interval
   and the sandbox's idle time divided by the same factor, so every kernel lives as long,
   relative to the walk, as it would in the room. Then the learner stops: the figures after
   the culler and the sandbox's sleep are what an idle learner holds.
3. The worst case a memory limit must allow: every tab left open and all nine notebooks run
   within minutes (a cell every 0.2 s, the shipped culling as it is), before the culler acts.

It prints each walk's peak RSS (every process's resident pages summed: an upper bound) and
PSS (pages shared between processes counted once: what the learner adds to the machine), what
made up the RSS peak, and the most kernels open at once. Target: at most 300 MiB at the peak.
Whether 05's later session ran while the most kernels were open is the culler's timing, which moves
walk 2's sampled peak by its 31 MiB from run to run; so each walk also prints the RSS with the
largest process a cell started counted at the peak of the rest, and walk 2's verdict (at most
350 MiB) is on the larger of the two. Every brief process is listed with what it held.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from textwrap import shorten

import sandbox
from bench.verdict import verdict
from sandbox.idle import DEFAULT_IDLE_EXIT, ENV_IDLE_EXIT
from tests.support.hub import Hub, bench_folder
from tests.support.walk import MIB, Brief, Memory, Pace, Sample, mib, walk
from tools.run_notebooks import notebook_paths
from workshop.settings import KERNEL_CULLING

LEARNER = "ada"
TARGET_MIB = 300
# Every tab left open, the culler at work (walk 2): the peak the room's sizing plans for (issue 22).
TARGET_TABS_OPEN_MIB = 350
# Minutes a learner spends on each notebook: docs/workshop.md's agenda (00-06) and its second hour (07, 08).
MINUTES = {"00": 5, "01": 8, "02": 12, "03": 12, "04": 8, "05": 8, "06": 15, "07": 20, "08": 15}


def one_walk(notebooks: list[Path], pace: Pace, spawner_args=(), spawner_env=None, idle_wait: float = 0) -> dict:
    """A hub, one learner's walk with its memory sampled, and (with `idle_wait`) the learner idle afterwards."""
    with bench_folder("kit-learner-") as folder:
        hub = Hub.with_the_kit_installed(folder, spawner_args=spawner_args, spawner_env=spawner_env or {})
        try:
            # Every 0.1 s, so a process of 0.2 s is seen at least once; PSS (which reads every page map) every second.
            with Memory(hub, [LEARNER], interval=0.1, pss_every=10) as memory:
                walked = asyncio.run(walk(hub, LEARNER, notebooks, pace))
                walked_samples = len(memory.samples)
                time.sleep(idle_wait)  # the learner has stopped: the culler and the sandbox's sleep act
        finally:
            hub.stop()
            sandbox.stop(hub.sandbox_dir(LEARNER))
    during = memory.samples[:walked_samples]
    return {
        "errors": walked.errors,
        "cells": len(walked.cell_seconds),
        "seconds": walked.finished - walked.started,
        "during": during,
        "after": memory.samples[-1] if idle_wait else None,
        # Each brief process of the walk that was read at least once (not one gone before its exec).
        "brief": [b for b in memory.brief.values() if b.peak and during and b.first_seen <= during[-1].at],
    }


def peak(samples: list[Sample], key: str) -> Sample:
    return max((s for s in samples if getattr(s, key)), key=lambda s: getattr(s, key)[LEARNER])


def with_a_cell_process(during: list[Sample], brief: list[Brief]) -> tuple[int, Sample, Brief | None]:
    """The RSS with the largest process a cell starts (05's later session) running when the learner's other
    processes held the most: whether a sample caught the two together is the culler's timing, and a learner may
    run that cell again with any tabs open. Its sample, and that process (None if no cell started one)."""
    rest = max(during, key=lambda s: s.rss[LEARNER] - s.parts[LEARNER]["other"])
    largest = max((b for b in brief if b.started_by == "kernel"), key=lambda b: b.peak, default=None)
    held = rest.rss[LEARNER] - rest.parts[LEARNER]["other"] + (largest.peak if largest else 0)
    return held, rest, largest


def report(title: str, result: dict) -> dict:
    during = result["during"]
    by_rss, by_pss = peak(during, "rss"), peak(during, "pss")
    parts = by_rss.parts[LEARNER]
    most_kernels = max(s.kernels[LEARNER] for s in during)
    worst, rest, largest = with_a_cell_process(during, result["brief"])
    figures = {
        "peak_rss_mib": by_rss.rss[LEARNER] / MIB,
        "worst_rss_mib": max(worst, by_rss.rss[LEARNER]) / MIB,
        "peak_pss_mib": by_pss.pss[LEARNER] / MIB,
        "at_rss_peak_mib": {part: value / MIB for part, value in parts.items()},
        "kernels_at_rss_peak": by_rss.kernels[LEARNER],
        "most_kernels": most_kernels,
        "cells": result["cells"],
        "errors": result["errors"],
    }
    verdict = "within" if figures["peak_rss_mib"] <= TARGET_MIB else "OVER"
    print(f"{title} ({result['cells']} cells in {result['seconds']:.0f} s, {len(result['errors'])} errors):")
    print(f"  peak RSS {mib(by_rss.rss[LEARNER])}  ({verdict} the {TARGET_MIB} MiB target)")
    print(f"  peak PSS {mib(by_pss.pss[LEARNER])}")
    print(
        f"  at the RSS peak: server {mib(parts['server'])}, {by_rss.kernels[LEARNER]} kernel(s) "
        f"{mib(parts['kernels'])}, sandbox {mib(parts['sandbox'])}, other {mib(parts['other'])}"
    )
    if largest is not None:
        others = rest.parts[LEARNER]
        print(
            f"  with a cell's process at the peak of the rest: {mib(worst)} (server {mib(others['server'])}, "
            f"{rest.kernels[LEARNER]} kernel(s) {mib(others['kernels'])}, sandbox {mib(others['sandbox'])}, "
            f"{shorten(largest.command, 40)} {mib(largest.peak)})"
        )
    print(f"  most kernels open at once: {most_kernels}")
    for brief in result["brief"]:
        how = f"seen by {brief.sampled} sample(s)" if brief.sampled else "born and gone between two samples"
        print(f"  brief process: {shorten(brief.command, 90)}: {mib(brief.peak)} at most, {how}")
    after = result["after"]
    if after is not None:
        idle = after.parts[LEARNER]
        figures["idle_rss_mib"] = after.rss[LEARNER] / MIB
        figures["idle_pss_mib"] = after.pss[LEARNER] / MIB
        print(
            f"  idle afterwards: RSS {mib(after.rss[LEARNER])}, PSS {mib(after.pss[LEARNER])} "
            f"(server {mib(idle['server'])}, {after.kernels[LEARNER]} kernel(s), sandbox asleep {mib(idle['sandbox'])})"
        )
    for error in result["errors"][:5]:
        print(f"  error: {error}")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speedup", type=float, default=30, help="how much faster than a person walk 2 goes")
    parser.add_argument("--walks", default="1,2,3", help="which of the walks to run")
    parser.add_argument(
        "--cull-idle-timeout", type=int, help="walk 2 with this kernel timeout (s) instead of the shipped one"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    notebooks = notebook_paths()
    culling = dict(KERNEL_CULLING)
    if args.cull_idle_timeout:
        culling["cull_idle_timeout"] = args.cull_idle_timeout
    k = args.speedup
    walks = args.walks.split(",")
    figures = {}

    print(f"one learner, notebooks {notebooks[0].stem[:2]} to {notebooks[-1].stem[:2]}, the kit's shipped settings\n")
    if "1" in walks:
        shut_down = one_walk(notebooks, Pace(seconds=1, jitter=0, shut_down_at_end=True))
        figures["shut_down_at_end"] = report("1. shutting each kernel down at its end, as the notebooks say", shut_down)
    if "2" in walks:
        timeout = max(1, round(culling["cull_idle_timeout"] / k))
        interval = max(1, round(culling["cull_interval"] / k))
        idle_exit = DEFAULT_IDLE_EXIT / k
        per_notebook = {p.name: MINUTES.get(p.name[:2], 10) * 60 / k for p in notebooks}
        print(
            f"\n2. every tab left open, {k:g} times faster than a person: {sum(per_notebook.values()):.0f} s for "
            f"{sum(MINUTES.get(p.name[:2], 10) for p in notebooks)} minutes; culling after {timeout} idle s "
            f"({culling['cull_idle_timeout']} s / {k:g}), checked every {interval} s; "
            f"the sandbox sleeps after {idle_exit:g} s"
        )
        left_open = one_walk(
            notebooks,
            Pace(jitter=0, shut_down_at_end=False, per_notebook=per_notebook),
            spawner_args=[
                f"--MappingKernelManager.cull_idle_timeout={timeout}",
                f"--MappingKernelManager.cull_interval={interval}",
            ],
            spawner_env={ENV_IDLE_EXIT: str(idle_exit)},
            idle_wait=timeout + 2 * interval + idle_exit + 5,
        )
        figures["tabs_left_open"] = report("   tabs left open, the culler at work", left_open)
        tabs_open = figures["tabs_left_open"]["worst_rss_mib"]
        verdict("one learner, every tab open: peak RSS", tabs_open, TARGET_TABS_OPEN_MIB, " MiB", digits=0)
    if "3" in walks:
        print()
        hurried = one_walk(notebooks, Pace(seconds=0.2, jitter=0, shut_down_at_end=False))
        figures["all_at_once"] = report(
            "3. every notebook run within minutes, every tab left open (worst case)", hurried
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: a room of learners on one machine, each with their own server, kernels and sandbox.

    .venv/bin/python -m bench.room [--learners 30] [--arrivals 120] [--pace 3] [--notebooks 00,01,02,03,04]
                                   [--leave-tabs-open] [--json PATH]

What it does, in one run:

1. Starts a real JupyterHub as tests/hub does (tests/support/jupyterhub_config.py: the simple local
   process spawner, configurable-http-proxy from npm, the kit's shipped Jupyter settings in
   jupyter-config/ and the sandbox's own defaults). No browser: each learner's cells go through
   their own server's REST API and kernel websocket (tests/support/walk.py), so the servers' memory
   and CPU count.
2. The room: N learners arrive one after another, spread over `--arrivals` seconds. Each logs
   in, which starts their server, and walks the same notebooks in order, a cell every `--pace`
   seconds (give or take a second), shutting each notebook's kernel down at its end, as the
   notebooks tell them (`--leave-tabs-open`: they leave it running instead). Meanwhile it
   samples every learner's processes (server, kernels, sandbox) every 2 s, PSS every third time,
   from a process of its own, so the clients never wait for it to time a cell.
3. Alone: once the room is done and its servers sit idle, `--alone` more learners (3) walk the same
   notebooks one after another, each alone, a cell every `--solo-pace` seconds. Each cell's time,
   from sending it to its last output, alone, is the baseline for the same cell in the room: all
   their cells for the p50 and p95 alone (one walk's p95 is its third-slowest cell of 56, which
   moves with any one stall), each cell's median for the same cell's ratio.

It prints: peak and steady memory per learner and for the room (RSS, and PSS, which counts
pages shared between processes once), the hub's own; the time per cell at p50 and p95 in the
room against the same cells alone (ratios); the CPU each learner used; errors (target 0); and
whether any learner's sandbox answered another's request (target never: every HTTP request of
every kernel is checked against the port of the learner's own sandbox, and the sandbox behind
each notebook's World against the learner's data folder; tests/support/walk.py). Figures are printed, never asserted.
On a machine others use too, the time ratios carry their load as well; say so with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from pathlib import Path

import psutil

import sandbox
from bench.verdict import verdict
from sandbox.files import ANNOUNCE_FILE
from tests.support.hub import Hub, bench_folder
from tests.support.walk import Memory, Pace, Walked, cross_answers, mib, percentile, summary, walk
from tools.run_notebooks import notebook_paths

SOLO = "solo"  # the learners alone: solo1, solo2, ...
# The room should feel like one learner alone: its slowest cells at most twice as slow (issue 22).
TARGET_P95_RATIO = 2.0


def learner_names(count: int) -> list[str]:
    return [f"learner{n:02d}" for n in range(1, count + 1)]


def busy_seconds(times) -> float:
    """CPU seconds spent working in `psutil.cpu_times()` (the machine's: idle and waiting for disk left out) or
    `Process.cpu_times()` (one process's own, and its children's once they ended: the memory sampler's)."""
    fields = ("user", "nice", "system", "irq", "softirq", "children_user", "children_system")
    return sum(getattr(times, field, 0.0) for field in fields)


def cpu_seconds(hub: Hub, name: str) -> float:
    """CPU a learner used so far: their server, its kernels (live, or ended and reaped by it), their sandbox."""
    total = 0.0
    try:
        server = hub.server_process(name)
    except LookupError:
        return total
    processes = [server, *server.children(recursive=True)]
    try:
        pid = json.loads((hub.sandbox_dir(name) / ANNOUNCE_FILE).read_text())["pid"]
        if pid not in {p.pid for p in processes}:
            processes.append(psutil.Process(pid))
    except (OSError, ValueError, KeyError, psutil.Error):
        pass
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
            if process.pid == server.pid:
                total += times.children_user + times.children_system
        except psutil.Error:
            continue
    return total


async def loop_lag(lags: list[float], every: float = 0.05) -> None:
    """How late the clients' event loop wakes, every `every` seconds, into `lags`: while it is late, a cell's
    last output waits in this process, and that wait counts in the cell's time though no learner's server
    caused it."""
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time()
        await asyncio.sleep(every)
        lags.append(loop.time() - asked - every)


async def the_room(
    hub: Hub, names: list[str], notebooks: list[Path], pace: Pace, arrivals: float, lags: list[float]
) -> list[Walked]:
    rng = random.Random(14)
    spacing = arrivals / max(len(names) - 1, 1)
    delays = [max(0.0, i * spacing + rng.uniform(-spacing / 3, spacing / 3)) for i in range(len(names))]

    async def arrive(index: int, name: str) -> Walked:
        await asyncio.sleep(delays[index])
        return await walk(hub, name, notebooks, pace, seed=index)

    watch = asyncio.create_task(loop_lag(lags))
    try:
        return list(await asyncio.gather(*(arrive(i, name) for i, name in enumerate(names))))
    finally:
        watch.cancel()


def plateau(walks: list[Walked], samples) -> list:
    """The samples while every learner was in the room, working: after the last login, before the first finish."""
    everyone_in = max(w.started + w.login_seconds for w in walks)
    first_out = min(w.finished for w in walks)
    inside = [s for s in samples if everyone_in <= s.at <= first_out]
    if len(inside) >= 3:
        return inside
    start, end = samples[0].at, samples[-1].at  # arrivals outlasted a walk: the middle third instead
    return [s for s in samples if start + (end - start) / 3 <= s.at <= end - (end - start) / 3]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--arrivals", type=float, default=120, help="seconds over which learners arrive")
    parser.add_argument("--pace", type=float, default=3, help="seconds between a learner's cells (give or take 1)")
    parser.add_argument("--solo-pace", type=float, default=0.5, help="seconds between cells of the learner alone")
    parser.add_argument("--alone", type=int, default=3, help="learners who walk alone, one after another")
    parser.add_argument("--notebooks", default="00,01,02,03,04", help="notebook numbers to walk, in order")
    parser.add_argument("--leave-tabs-open", action="store_true", help="learners never shut a kernel down")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    wanted = args.notebooks.split(",")
    notebooks = [p for p in notebook_paths() if p.name[:2] in wanted]
    names = learner_names(args.learners)
    pace = Pace(seconds=args.pace, jitter=min(1.0, args.pace), shut_down_at_end=not args.leave_tabs_open)
    solo_pace = Pace(seconds=args.solo_pace, jitter=0, shut_down_at_end=True)
    solo_names = [f"{SOLO}{k}" for k in range(1, max(1, args.alone) + 1)]
    print(
        f"room: {len(names)} learners arriving over {args.arrivals:.0f} s, each walking "
        f"{', '.join(p.stem for p in notebooks)} ({sum(1 for _ in notebooks)} notebooks), a cell every "
        f"{args.pace:g} ± {pace.jitter:g} s, "
        f"{'leaving every tab open' if args.leave_tabs_open else 'shutting each kernel down at its end'}",
        flush=True,
    )
    started = time.monotonic()
    with bench_folder("kit-room-") as folder:
        hub = Hub.with_the_kit_installed(folder)
        try:
            lags: list[float] = []  # how late the clients' event loop woke (loop_lag)
            room_started = time.monotonic()
            machine_before, bench_before = busy_seconds(psutil.cpu_times()), busy_seconds(psutil.Process().cpu_times())
            # The sampler works in a process of its own (`apart`), so the clients timing the cells never wait
            # for it; its CPU still counts on the machine, and the follower stays off (walk.py: its cost).
            with Memory(hub, names, interval=2, find_children=False, apart=True) as memory:
                walks = asyncio.run(the_room(hub, names, notebooks, pace, args.arrivals, lags))
                cpu = {name: cpu_seconds(hub, name) for name in names}
            room_seconds = time.monotonic() - room_started
            machine_cpu = busy_seconds(psutil.cpu_times()) - machine_before
            bench_cpu = busy_seconds(psutil.Process().cpu_times()) - bench_before
            print(f"  the room: {sum(len(w.cell_seconds) for w in walks)} cells in {room_seconds:.0f} s", flush=True)
            # Alone afterwards: the room's servers sit idle (their kernels shut down), and the disk
            # cache is as warm for this learner as it was for most of the room.
            solos = [asyncio.run(walk(hub, name, notebooks, solo_pace)) for name in solo_names]
            print(
                f"  alone: {len(solos)} learners one after another, {sum(len(w.cell_seconds) for w in solos)} cells "
                f"in {sum(w.finished - w.started for w in solos):.0f} s",
                flush=True,
            )
        finally:
            hub.stop()
            for name in [*names, *solo_names]:
                sandbox.stop(hub.sandbox_dir(name))

    # ------------------------------------------------------------------ figures
    n = len(names)
    alone = [s for w in solos for _, _, s in w.cell_seconds]
    room = [s for w in walks for _, _, s in w.cell_seconds]
    alone_by_cell: dict[tuple[str, int], list[float]] = {}
    for w in solos:
        for nb, i, s in w.cell_seconds:
            alone_by_cell.setdefault((nb, i), []).append(s)
    solo_by_cell = {cell: statistics.median(times) for cell, times in alone_by_cell.items()}
    per_cell = [s / solo_by_cell[(nb, i)] for w in walks for nb, i, s in w.cell_seconds if (nb, i) in solo_by_cell]
    errors = [e for w in [*solos, *walks] for e in w.errors]
    crossed, checked = cross_answers([*solos, *walks], hub)
    rss, pss = summary(memory.samples, "rss", names), summary(memory.samples, "pss", names)
    steady = plateau(walks, memory.samples)
    steady_rss = statistics.median(sum(s.rss.values()) for s in steady)
    steady_pss = statistics.median(sum(s.pss.values()) for s in steady if s.pss) if any(s.pss for s in steady) else 0
    peak_kernels = max((max(s.kernels.values(), default=0) for s in memory.samples), default=0)
    hub_rss = max((s.hub_rss for s in memory.samples), default=0)
    cells_per_learner = max(1, statistics.median(len(w.cell_seconds) for w in walks))
    cpu_per_learner = statistics.median(cpu.values())

    print()
    print(f"memory, {n} learners (server + kernels + sandbox each; RSS counts shared pages in every process):")
    print(
        f"  per learner, peak   RSS {mib(rss['learner_peak_median'])} median, {mib(rss['learner_peak_max'])} max;"
        f"  PSS {mib(pss['learner_peak_median'])} median, {mib(pss['learner_peak_max'])} max"
    )
    print(f"  per learner, steady RSS {mib(steady_rss / n)}, PSS {mib(steady_pss / n)}  (while all were working)")
    print(f"  room, peak          RSS {mib(rss['room_peak'])}, PSS {mib(pss['room_peak'])}")
    print(f"  room, steady        RSS {mib(steady_rss)}, PSS {mib(steady_pss)}")
    print(f"  hub + proxy         RSS {mib(hub_rss)} (once per room)")
    print(f"  most kernels one learner had at once: {peak_kernels}")
    print(f"time per cell, {len(room)} cells in the room vs {len(alone)} alone:")
    print(
        f"  p50 {percentile(room, 0.5):.2f} s vs {percentile(alone, 0.5):.2f} s alone: "
        f"ratio {percentile(room, 0.5) / percentile(alone, 0.5):.2f}"
    )
    print(
        f"  p95 {percentile(room, 0.95):.2f} s vs {percentile(alone, 0.95):.2f} s alone: "
        f"ratio {percentile(room, 0.95) / percentile(alone, 0.95):.2f}"
    )
    if per_cell:
        print(
            f"  the same cell, room/alone: median ratio {statistics.median(per_cell):.2f}, "
            f"p95 {percentile(per_cell, 0.95):.2f}"
        )
    logins = [w.login_seconds for w in walks if w.login_seconds]
    if logins:
        print(f"  log in and server start: p50 {percentile(logins, 0.5):.1f} s, max {max(logins):.1f} s")
    print(
        f"CPU per learner: {cpu_per_learner:.1f} s for {cells_per_learner:.0f} cells "
        f"({1000 * cpu_per_learner / cells_per_learner:.0f} ms a cell, server + kernels + sandbox); "
        f"{psutil.cpu_count()} cores"
    )
    # The learners' clients (logins, page requests, websockets) and the memory sampler run in this process, on
    # the same cores as the servers; in a workshop that work is done on the learners' laptops.
    print(
        f"the machine was busy {machine_cpu:.0f} CPU-s of {psutil.cpu_count() * room_seconds:.0f} in the room; "
        f"the bench itself (its {n} learners' clients and its memory sampler) {bench_cpu:.0f} CPU-s of them "
        f"({100 * bench_cpu / max(machine_cpu, 1e-9):.0f}%)"
    )
    if lags:
        print(
            f"  the clients' event loop woke late by p50 {1000 * percentile(lags, 0.5):.0f} ms, "
            f"p95 {1000 * percentile(lags, 0.95):.0f} ms, max {1000 * max(lags):.0f} ms (a cell's time includes it)"
        )
    print(f"errors: {len(errors)} (target 0)")
    for error in errors[:10]:
        print(f"  {error}")
    print(
        f"a sandbox answered another learner: {'NEVER' if not crossed else f'{len(crossed)} TIMES'} "
        f"({checked} requests of {sum(len(w.probes) for w in [*solos, *walks])} notebook runs checked)"
    )
    for line in crossed[:10]:
        print(f"  {line}")
    print(f"the run took {time.monotonic() - started:.0f} s (the room {room_seconds:.0f} s)")
    verdict(f"room of {n}: per-cell p95 ratio", percentile(room, 0.95) / percentile(alone, 0.95), TARGET_P95_RATIO)
    verdict(f"room of {n}: errors", len(errors), 0, digits=0)
    verdict(f"room of {n}: requests a sandbox answered for another learner", len(crossed), 0, digits=0)

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {
            "learners": n,
            "notebooks": [p.name for p in notebooks],
            "pace": args.pace,
            "arrivals": args.arrivals,
            "leave_tabs_open": args.leave_tabs_open,
            "rss": rss,
            "pss": pss,
            "steady_rss": steady_rss,
            "steady_pss": steady_pss,
            "hub_rss": hub_rss,
            "cell_p50": percentile(room, 0.5),
            "cell_p95": percentile(room, 0.95),
            "alone_p50": percentile(alone, 0.5),
            "alone_p95": percentile(alone, 0.95),
            "cpu_per_learner": cpu_per_learner,
            "cells_per_learner": cells_per_learner,
            "loop_lag_p50": percentile(lags, 0.5) if lags else None,
            "loop_lag_p95": percentile(lags, 0.95) if lags else None,
            "cells": {w.name: w.cell_seconds for w in [*solos, *walks]},
            "errors": errors,
            "crossed": crossed,
            "seconds": time.monotonic() - started,
        }
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: a learner's JupyterLab server from its start to the Lab page, the kit's command against the stock one.

    .venv/bin/python -m bench.server_start [--starts 3]

Side by side in one run, started alternately `--starts` times each:

- stock: `jupyter-lab`, with nothing of the kit's Jupyter config (JupyterLab as installed);
- kit: `pkce-kit-lab` as `make lab` starts it (workshop/server.py; jupyter-config/ on JUPYTER_CONFIG_PATH).

For each start it measures the seconds until the server answers `/api/status`; the CPU its process and
every process it started used until then, and until 3 s after headless Chromium has loaded the Lab page
(the page's own requests included, such as JupyterLab's build check where the page makes one); how many
times `node` ran (a `node` first on the PATH counts each run, then runs the real one); and the server's RSS
at the end. It prints each side's median and the kit's against the stock. Figures are printed, never
asserted; no target reads them (workshop/server.py quotes them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

import sandbox
from bench.verdict import load
from tests.processes import stop_process
from tests.support.lab import KIT_JUPYTER_CONFIG, counting_node
from tests.support.ports import answers, free_port
from tools.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SIDES = {
    "stock jupyter-lab": ("jupyter-lab", {}),
    "kit pkce-kit-lab": ("pkce-kit-lab", {"JUPYTER_CONFIG_PATH": str(KIT_JUPYTER_CONFIG)}),
}


def cpu_seconds(process: psutil.Process) -> float:
    """CPU of the process, its live descendants, and the children it has reaped."""
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def one_start(command: str, extra_env: dict[str, str], folder: Path, browser) -> dict[str, float]:
    folder.mkdir()
    bin_dir, runs = counting_node(folder, run_it=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update(
        extra_env,
        PATH=f"{bin_dir}{os.pathsep}{env['PATH']}",
        JUPYTER_CONFIG_DIR=str(folder / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(folder / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(folder / "workspaces"),
        KIT_SANDBOX_DIR=str(folder / "sandbox"),
    )
    argv = [str(BIN / command), "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1"]
    argv += ["--IdentityProvider.token=", f"--ServerApp.root_dir={ROOT}"]
    started = time.perf_counter()
    server = subprocess.Popen(argv, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        process = psutil.Process(server.pid)
        if not answers(f"{url}api/status", server, interval=0.02):  # finely: the wait is the figure
            raise SystemExit(f"{command} did not answer")
        answered = time.perf_counter() - started
        cpu_answered = cpu_seconds(process)
        page = browser.new_page()
        page.goto(f"{url}lab")
        page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
        time.sleep(3)  # what the page started on the server (its build check among them) ends
        page.close()
        cpu_page = cpu_seconds(process)
        rss = process.memory_info().rss
    finally:
        stop_process(server)
        # The sandbox the kit's server started as it started runs on without it, as a learner's does.
        sandbox.stop(folder / "sandbox")
    node_runs = len(runs.read_text().splitlines()) if runs.exists() else 0
    return {"answered": answered, "cpu_answered": cpu_answered, "cpu_page": cpu_page, "node": node_runs, "rss": rss}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="starts of each command (default 3)")
    args = parser.parse_args()
    print(f"server start: {', '.join(SIDES)}, {args.starts} starts each, alternately ({load()})\n")
    results: dict[str, list[dict[str, float]]] = {side: [] for side in SIDES}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="kit-bench-start-") as folder:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for n in range(args.starts):
                for side, (command, extra_env) in SIDES.items():
                    results[side].append(one_start(command, extra_env, Path(folder) / f"{n}-{command}", browser))
        finally:
            browser.close()

    def median(side: str, key: str) -> float:
        return statistics.median(r[key] for r in results[side])

    print(
        f"{'median of ' + str(args.starts):22} {'answers in':>11} {'CPU to answer':>14} {'CPU to page':>12} "
        f"{'node runs':>10} {'RSS':>9}"
    )
    for side in SIDES:
        print(
            f"{side:22} {median(side, 'answered'):9.2f} s {median(side, 'cpu_answered'):12.2f} s "
            f"{median(side, 'cpu_page'):10.2f} s {median(side, 'node'):10.0f} {median(side, 'rss') / 2**20:5.1f} MiB"
        )
    stock, kit = SIDES
    print(
        f"\nkit/stock: answers in {median(kit, 'answered') / median(stock, 'answered'):.2f}, "
        f"CPU to the page {median(kit, 'cpu_page') / median(stock, 'cpu_page'):.2f}, "
        f"RSS {median(kit, 'rss') / median(stock, 'rss'):.2f}"
    )
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())

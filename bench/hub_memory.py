"""Benchmark: the memory one learner needs on a JupyterHub, after running every notebook.

    .venv/bin/python -m bench.hub_memory [--json PATH]

What it does:

1. Starts a real JupyterHub in a temporary folder, configured as the workshop test configures it
   (tests/support/jupyterhub_config.py: local process spawner, jupyterhub-singleuser from this venv,
   the kit's notebooks copied into the learner's home, KIT_SANDBOX_DIR=~/.kit-sandbox).
2. One learner logs in through the browser (headless Chromium), then opens and runs
   notebooks 00 to 06 in order in JupyterLab (Run All). The learner leaves every tab open,
   as learners usually do, so every notebook keeps its kernel.
3. After each notebook, it sums the memory of the learner's single-user server process tree
   with psutil: the jupyterhub-singleuser process and all its descendants (the kernels, and
   the sandbox, which the first kernel started). The sandbox is also counted by its pid
   from the sandbox's announce file, in case it is no longer under a kernel. It reports:
   - RSS summed over the processes. This overstates the total, because shared library pages
     are counted once per process. Use it as the upper bound for a memory limit;
   - PSS summed, which counts shared pages once. Use it as the better estimate of real use;
   - the largest single kernel, the server, the sandbox.
4. It measures the CPU that the same process tree uses over 10 s while nobody does anything,
   first with 06 still open in the tab and then after the learner has left JupyterLab. 06's app
   view polls the kernel for oauthContext twice a second for as long as its tab is open.
5. It also reports the hub's own processes (jupyterhub and configurable-http-proxy), which are
   paid once per hub and not once per learner.

The Chromium of the learner is not counted: it runs on the learner's own machine.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import psutil

import sandbox
from tests.support.hub import Hub, Learner, bench_folder, process_tree_memory
from tools.chromium import CHROMIUM, CHROMIUM_ARGS
from tools.run_notebooks import notebook_paths

LEARNER = "ada"
MIB = 1024 * 1024


def snapshot(hub: Hub, name: str) -> dict:
    server = hub.server_process(name)
    world = sandbox.running(hub.sandbox_dir(name))
    memory = process_tree_memory(server, extra=[world.pid] if world else [])
    kernels = [row for row in memory["processes"] if "ipykernel" in row[1]]
    sandboxes = [row for row in memory["processes"] if "-m sandbox" in row[1]]
    return {
        "rss_mib": memory["rss"] / MIB,
        "pss_mib": memory["pss"] / MIB,
        "uss_mib": memory["uss"] / MIB,
        "processes": len(memory["processes"]),
        "kernels": len(kernels),
        "server_rss_mib": server.memory_info().rss / MIB,
        "largest_kernel_rss_mib": max((row[2] for row in kernels), default=0) / MIB,
        "sandbox_rss_mib": sum(row[2] for row in sandboxes) / MIB,
    }


async def idle_load(hub: Hub, learner: Learner, seconds: float = 10) -> tuple[float, list[str]]:
    """CPU of the learner's tree while nobody does anything, the last notebook open in the tab.

    Also the kernels' last_activity before and after, from the server's /api/kernels: the
    app view of 06 polls for oauthContext twice a second while its tab is open.
    """

    async def activity() -> dict:
        response = await learner.context.request.get(f"{learner.server_url}api/kernels")
        return {k["id"]: k["last_activity"] for k in await response.json()}

    tree = [hub.server_process(LEARNER), *hub.server_process(LEARNER).children(recursive=True)]
    world = sandbox.running(hub.sandbox_dir(LEARNER))
    if world and world.pid not in {p.pid for p in tree}:
        tree.append(psutil.Process(world.pid))
    before = await activity()
    start = {p.pid: p.cpu_times() for p in tree}
    await asyncio.sleep(seconds)  # the measuring window itself, not a wait for something
    used = sum((p.cpu_times().user + p.cpu_times().system) - (start[p.pid].user + start[p.pid].system) for p in tree)
    after = await activity()
    moved = [kernel for kernel in after if after[kernel] != before.get(kernel)]
    return 100 * used / seconds, moved


async def run_notebooks(hub: Hub) -> list[dict]:
    from playwright.async_api import async_playwright

    rows = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            learner = Learner(hub, browser, LEARNER)
            await learner.start()
            paths = notebook_paths()
            await learner.log_in(paths[0].name)
            rows.append({"after": "login (server, no kernel yet)", **snapshot(hub, LEARNER)})
            for index, path in enumerate(paths):
                started = time.monotonic()
                await learner.open_and_run(path.name, navigate=index > 0)
                seconds = time.monotonic() - started
                rows.append({"after": path.stem, "seconds": seconds, **snapshot(hub, LEARNER)})
                print(
                    f"  {path.stem:<28} {seconds:5.1f} s  tree RSS {rows[-1]['rss_mib']:6.0f} MiB  "
                    f"PSS {rows[-1]['pss_mib']:6.0f} MiB  kernels {rows[-1]['kernels']}",
                    flush=True,
                )
            rows[-1]["idle_cpu_percent"], rows[-1]["kernel_activity"] = await idle_load(hub, learner)
            await learner.page.goto(f"{hub.url}/hub/home")  # the learner leaves JupyterLab
            rows[-1]["idle_cpu_percent_no_tab"], _ = await idle_load(hub, learner)
            await learner.close()
        finally:
            await browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    with bench_folder("kit-hub-memory-") as folder:
        hub = Hub.with_the_kit_installed(folder)
        try:
            hub_processes = [psutil.Process(hub.process.pid), *psutil.Process(hub.process.pid).children()]
            rows = asyncio.run(run_notebooks(hub))
            infrastructure = {
                " ".join(p.cmdline()[:2])[-60:]: p.memory_info().rss / MIB
                for p in hub_processes
                if "singleuser" not in " ".join(p.cmdline())
            }
        finally:
            hub.stop()
            sandbox.stop(hub.sandbox_dir(LEARNER))

    last = rows[-1]
    print()
    print(f"one learner after notebooks 00-06 ({last['kernels']} kernels open, {last['processes']} processes):")
    print(f"  RSS summed   {last['rss_mib']:6.0f} MiB   (upper bound: shared pages counted per process)")
    print(f"  PSS summed   {last['pss_mib']:6.0f} MiB   (shared pages counted once)")
    print(f"  server       {last['server_rss_mib']:6.0f} MiB RSS")
    print(f"  kernel, max  {last['largest_kernel_rss_mib']:6.0f} MiB RSS")
    print(f"  sandbox      {last['sandbox_rss_mib']:6.0f} MiB RSS")
    print(
        f"  idle CPU     {last['idle_cpu_percent']:6.1f} % of one core over 10 s, the tab on 06 open "
        f"({len(last['kernel_activity'])} kernel(s) showed activity in that window)"
    )
    print(f"  idle CPU     {last['idle_cpu_percent_no_tab']:6.1f} % of one core over 10 s, JupyterLab closed")
    one_kernel = rows[1]
    print(
        f"after 00 only (server + one kernel + sandbox): RSS {one_kernel['rss_mib']:.0f} MiB, "
        f"PSS {one_kernel['pss_mib']:.0f} MiB"
    )
    print(
        "hub's own processes (once per hub): "
        + ", ".join(f"{name.strip()}: {rss:.0f} MiB" for name, rss in infrastructure.items())
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"steps": rows, "hub_processes_rss_mib": infrastructure}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

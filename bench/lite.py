"""Benchmark: the JupyterLite edition (`make lite`) as a learner first meets it.

    .venv/bin/python -m bench.lite [--reps N] [--site DIR]

Builds the site as `make lite` does (into a temporary folder), unless ``--site`` names one already
built, serves it on 127.0.0.1 as any static host would (tests/support/lite.py), and opens it in
Debian's headless Chromium, each time in a fresh browser context: an empty cache, a learner's first
visit. It prints:

1. the site's size: every file a static host serves, and what a first visit downloads before the
   kernel is ready (the rest, such as other notebooks' pages, is fetched when used);
2. page load to kernel idle: from the navigation to 00-index to the status bar's "Python (Pyodide) |
   Idle" (Pyodide and every wheel loaded, the kernel answering);
3. page load to the end of 02: from the navigation to 02-authorization-link to the end of its Run
   All, every cell run (the kernel's start included).

Medians over N runs, with their range. Served from this machine, so the network costs nothing here:
on a real host, add the download of (1) at the learner's bandwidth. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

from bench.verdict import load, verdict
from tests.support.lab import run_all
from tests.support.lite import KERNEL_TIMEOUT, Requests, StaticSite, kernel_idle, open_notebook
from tools.chromium import CHROMIUM, CHROMIUM_ARGS
from tools.lite_site import build, site_size

TARGET_SIZE_MB = 60
TARGET_KERNEL_IDLE_S = 15
TARGET_END_OF_02_S = 30


def first_visit(browser, site: StaticSite, notebook: str, run: bool) -> tuple[float, int]:
    """Seconds from navigation to kernel idle (or, with ``run``, to the end of Run All), and the bytes fetched."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    requests = Requests(context, site)
    started = time.perf_counter()
    open_notebook(page, site, notebook)
    if run:
        run_all(page, notebook, kernel_timeout=KERNEL_TIMEOUT)
    else:
        kernel_idle(page)
    seconds = time.perf_counter() - started
    context.close()
    assert requests.outside == [], f"requests left the site: {requests.outside[:5]}"
    fetched = {site.folder / urlparse(url).path.lstrip("/") for url in requests.inside}
    return seconds, sum(path.stat().st_size for path in fetched if path.is_file())


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.1f} s (min {min(values):.1f}, max {max(values):.1f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--site", type=Path, help="a site built by `make lite` (default: build one now)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kit-bench-lite-") as scratch:
        folder = args.site or build(Path(scratch) / "site")
        size_mb = site_size(folder) / 1e6
        site = StaticSite(folder)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
                idle = [first_visit(browser, site, "00-index.ipynb", run=False) for _ in range(args.reps)]
                end_of_02 = [
                    first_visit(browser, site, "02-authorization-link.ipynb", run=True)[0] for _ in range(args.reps)
                ]
                browser.close()
        finally:
            site.stop()
    fetched_mb = statistics.median(fetched for _, fetched in idle) / 1e6
    print(f"\nthe Lite site ({load()}):")
    print(f"  size: {size_mb:.1f} MB served; a first visit fetches {fetched_mb:.1f} MB before the kernel is ready")
    print(f"  page load to kernel idle (00-index): {spread([seconds for seconds, _ in idle])}")
    print(f"  page load to the end of 02 (Run All): {spread(end_of_02)}")
    verdict("lite site size", size_mb, TARGET_SIZE_MB, " MB", digits=1)
    verdict(
        "lite page load to kernel idle", statistics.median(s for s, _ in idle), TARGET_KERNEL_IDLE_S, " s", digits=1
    )
    verdict("lite page load to end of 02", statistics.median(end_of_02), TARGET_END_OF_02_S, " s", digits=1)


if __name__ == "__main__":
    main()

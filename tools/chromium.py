"""The one Chromium the kit drives, and how: Debian's, never a build downloaded by a test tool.

The browser tests, the benchmarks and tools.room_sheet launch it through Playwright with
``executable_path=CHROMIUM`` and these arguments. Elsewhere than Debian or Ubuntu, point
``KIT_CHROMIUM`` at a Chromium or Chrome binary.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium"))
# Headless in a container, as root, offline: no sandbox, no GPU, nothing that calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

"""Session-wide test setup shared by tests/ and the notebook run (nbval).

The notebooks run in order, 00 to 06, against one fresh sandbox in a temporary
folder: the kernels nbval starts inherit KIT_SANDBOX_DIR from this process.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sandbox

_fresh_dir: tempfile.TemporaryDirectory | None = None


def pytest_configure(config):
    global _fresh_dir
    if "KIT_SANDBOX_DIR" not in os.environ:
        _fresh_dir = tempfile.TemporaryDirectory(prefix="kit-")
        # Named .sandbox as on a learner's machine, so what the notebooks print about it reads the same.
        os.environ["KIT_SANDBOX_DIR"] = str(Path(_fresh_dir.name) / ".sandbox")


# Folders whose tests all carry a marker, so `make check` can leave them out by name.
_FOLDER_MARKERS = {"browser": "browser", "hub": "hub"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = item.path.parts
        if "tests" in parts:
            folder = parts[parts.index("tests") + 1] if parts.index("tests") + 1 < len(parts) else ""
            if folder in _FOLDER_MARKERS:
                item.add_marker(_FOLDER_MARKERS[folder])


def pytest_unconfigure(config):
    if _fresh_dir is not None:
        sandbox.stop(os.environ["KIT_SANDBOX_DIR"])
        _fresh_dir.cleanup()

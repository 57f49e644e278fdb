"""The files a sandbox keeps in its data folder, and where that folder is, named once for all.

Its own module, with nothing to import: the kernel's launcher needs these names without
loading Flask, the server needs them without loading the launcher's client side, and a
learner's Jupyter server (workshop.extension) finds the folder without loading either.
"""

import logging
import os
import sys
from pathlib import Path

ENV_DATA_DIR = "KIT_SANDBOX_DIR"

ANNOUNCE_FILE = "sandbox.json"  # where a running sandbox announces itself: pid and port
LOG_FILE = "sandbox.log"  # its access log and any error it logs
STDERR_FILE = "sandbox.stderr"  # what the process itself prints, e.g. a failure to start
DATABASE_FILE = "sandbox.sqlite3"
LOG_FORMAT = "%(asctime)s %(name)s %(message)s"
# The loggers whose records make the sandbox's log: its own, and werkzeug's request lines.
LOGGERS = ("sandbox", "werkzeug")
# JupyterLite's folder of notebooks, as its Pyodide kernel sees it: the browser keeps what is written there.
LITE_DRIVE = Path("/drive")


def default_data_dir() -> Path:
    """`$KIT_SANDBOX_DIR`, else `.sandbox/` at the top of the kit's checkout (found from the working folder).

    Outside a checkout (the learner edition on a hub, an installed kit): `~/.kit-sandbox`. In the
    browser (JupyterLite), `.kit-sandbox` at the top of its notebooks' folder, which the browser keeps
    across reloads (the kernel's home is in memory, lost at each reload and kernel restart).
    """
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR]).expanduser()
    if sys.platform == "emscripten" and LITE_DRIVE.is_dir():
        return LITE_DRIVE / ".kit-sandbox"
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").exists() and (folder / "sandbox").is_dir():
            return folder / ".sandbox"
    return Path.home() / ".kit-sandbox"


def log_into(handler: logging.Handler) -> None:
    """Send the sandbox's log records to ``handler``: a sandbox process's and the browser edition's alike.

    The handler brings its own formatter: a queue's handler must pass records on unformatted."""
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    logging.getLogger("sandbox").setLevel(logging.INFO)

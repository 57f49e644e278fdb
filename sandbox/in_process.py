"""The stand-in world inside the kernel, for the browser edition (JupyterLite), whose Python has no
sockets, no threads and no processes of its own.

`sandbox.start()` comes here when the kernel is Pyodide (`sys.platform == "emscripten"`), or when
`KIT_IN_PROCESS=1` asks (so that CPython's tests run this very path). It makes the same three
Flask apps as a sandbox process (app.py) and mounts them at the address a sandbox would have
(`helpers.in_process`): every client of the kit, the `stripe` SDK's included, reaches them there
through `httpx.WSGITransport`, with the same URLs, checks and answers. What differs, and why:

- nothing listens, so nothing sleeps when idle (idle.py): the world is the kernel's own memory,
  freed when the kernel ends;
- each kernel has its own world; what they share is the data. The database works in the kernel's
  memory file system and is copied whole into the data folder after each write (storage.py's
  mirror): in JupyterLite that folder is in the notebooks' storage, which the browser keeps across
  reloads and kernel restarts, so a fresh kernel finds what an earlier one saved;
- the Dashboard's landing tells the app view waiting in the same kernel at once (a push, as the
  real Dashboard pushes `oauthContext` into the app's props) instead of answering a long-poll;
- the access log, redacted as ever, is kept in the kernel's memory file system, lost on reload.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from helpers import in_process

from .files import DATABASE_FILE, LOG_FILE, LOG_FORMAT, LOGGERS, log_into

if TYPE_CHECKING:  # the launcher imports this module: its names, and Flask's apps, are imported when used
    from .launcher import World

ENV_IN_PROCESS = "KIT_IN_PROCESS"
# The port a sandbox of the kit's README would listen on: only a name here, as nothing listens.
DEFAULT_PORT = 8765

# The world of each data folder started in this kernel, and the temporary folders they work in.
_worlds: dict[Path, World] = {}
_work_dirs: dict[Path, tempfile.TemporaryDirectory[str]] = {}


def wanted() -> bool:
    """Whether the stand-ins run in this process: in a Pyodide kernel, or when KIT_IN_PROCESS=1 asks."""
    return sys.platform == "emscripten" or os.environ.get(ENV_IN_PROCESS) == "1"


def running(data_dir: Path) -> World | None:
    """The world of `data_dir` this kernel started, if it still runs."""
    return _worlds.get(data_dir)


def start(data_dir: Path, port: int | None = None) -> World:
    """The world of `data_dir` in this kernel: the one started already, or a new one on the data saved there.

    Without a port it takes the one this data folder had last (so the redirect URLs registered
    with the provider, which hold the port, stay good), else DEFAULT_PORT; when another world of
    this kernel has that address, the next one free, as a sandbox process takes a free port.
    """
    from helpers.waiting import push_arrival

    from .app import create_app
    from .launcher import SandboxError, World
    from .spawn import LAST_PORT_FILE
    from .storage import Storage

    world = running(data_dir)
    if world is not None:
        return world
    if port is not None and in_process.served_here(_origin(port)):
        raise SandboxError(
            f"Another sandbox of this kernel has port {port}.", hint="Call sandbox.start() without a port."
        )
    if port is None:
        try:
            port = int((data_dir / LAST_PORT_FILE).read_text())
        except (OSError, ValueError):
            port = DEFAULT_PORT
        while in_process.served_here(_origin(port)):
            port += 1
    work = tempfile.TemporaryDirectory(prefix="kit-sandbox-")
    work_dir = Path(work.name)
    _log_to(work_dir / LOG_FILE)
    storage = Storage(work_dir / DATABASE_FILE, mirror=data_dir / DATABASE_FILE)
    world = World(_origin(port), data_dir, os.getpid(), work_dir=work_dir)
    in_process.serve(world.base_url, create_app(data_dir, storage=storage, on_handed=push_arrival))
    (data_dir / LAST_PORT_FILE).write_text(str(port))
    _worlds[data_dir], _work_dirs[data_dir] = world, work
    return world


def stop(world: World) -> None:
    """Unmount the world: its address answers nothing in this kernel any more. Its data stays."""
    in_process.unserve(world.base_url)
    _worlds.pop(world.data_dir, None)
    work = _work_dirs.pop(world.data_dir, None)
    if work is not None:
        _stop_logging_to(Path(work.name) / LOG_FILE)
        work.cleanup()


def _origin(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _log_to(path: Path) -> None:
    """The sandbox's log into `path` too, written as each request ends (no thread to hand records to)."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    log_into(handler)


def _stop_logging_to(path: Path) -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if isinstance(h, logging.FileHandler)]:
            if Path(handler.baseFilename) == path.resolve():
                logger.removeHandler(handler)
                handler.close()

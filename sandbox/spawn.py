"""Start a data folder's sandbox process: the part of starting that needs no HTTP client.

Shared by the launcher (`sandbox.start()`, in a kernel: it then waits until the sandbox answers) and
the kit's Jupyter server extension, which starts a learner's sandbox as their server starts
(`start_in_background`), so that the first cell of notebook 00, which a workshop runs all together,
finds it running instead of thirty learners starting thirty sandboxes in the same second. The nbval
session of the kit's notebooks starts theirs the same way (the root conftest.py), so that 00 is
checked as learners meet it. Nothing here loads httpx or Flask: the server stays as lean as it was.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .files import ANNOUNCE_FILE, STDERR_FILE, default_data_dir

LAST_PORT_FILE = "last-port"
# Held while a sandbox starts, by whichever process starts it: two kernels, or a kernel and the server,
# starting at once share one sandbox instead of racing to start two.
LOCK_FILE = "launcher.lock"
# The kit's checkout, or the installed kit's site-packages: where `python -m sandbox` is found.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


class StartFailed(Exception):
    """The sandbox process ended, or did not announce itself, while starting."""


def resolve_data_dir(data_dir: Path | str | None = None) -> Path:
    """The absolute data folder: the one given (a leading ~ is the user's home), else the default."""
    return Path(data_dir or default_data_dir()).expanduser().resolve()


def announced(data_dir: Path) -> tuple[int, int] | None:
    """The pid and port in the folder's announce file, if that process is alive (asleep counts: the
    keeper keeps the pid). Whether it answers is the launcher's to ask."""
    try:
        found = json.loads((data_dir / ANNOUNCE_FILE).read_text())
        pid, port = int(found["pid"]), int(found["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (pid, port) if alive(pid) else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of this process has exited but still "exists"
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def port_is_free(port: int) -> bool:
    """Whether the sandbox could listen on `port` now, binding as its server does (SO_REUSEADDR, which
    werkzeug's server sets): connections of an earlier sandbox in TIME_WAIT, after a crash or a kill,
    do not hold the port, and it comes back on the port its redirect URIs were registered with."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # on Windows SO_REUSEADDR would let it bind a port another process listens on
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def spawn(data_dir: Path, port: int | None) -> subprocess.Popen[bytes]:
    """Start `python -m sandbox` for `data_dir`, detached. Hold the folder's LOCK_FILE while calling it.

    Without a port it takes the port this data folder's sandbox last had, when that is free, so the
    redirect URIs registered with the provider (which hold the port) keep working after a restart;
    else any free port.
    """
    (data_dir / ANNOUNCE_FILE).unlink(missing_ok=True)
    if port is None:
        try:
            last = int((data_dir / LAST_PORT_FILE).read_text())
        except (OSError, ValueError):
            last = 0
        port = last if last and port_is_free(last) else 0
    with open(data_dir / STDERR_FILE, "ab") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", str(port or 0), "--data-dir", str(data_dir)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # not in the starter's process group: survives a kernel restart
            cwd=PACKAGE_PARENT,
        )


def start_early(data_dir: Path | str | None = None, timeout: float = 30) -> subprocess.Popen[bytes] | None:
    """Start the folder's sandbox unless one is there; return its process once it has announced itself,
    or None when one was already there. Raises StartFailed, naming the file to read, if it does not start.
    The caller is its parent: wait() on it, so that when it ends it is reaped at once rather than left a
    zombie, which other processes would take for a running sandbox.

    It holds LOCK_FILE until the sandbox announces itself, so a kernel's `sandbox.start()` in the
    meantime waits for this one instead of starting another.
    """
    data_dir = resolve_data_dir(data_dir)
    if announced(data_dir):
        return None
    data_dir.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock

    with FileLock(data_dir / LOCK_FILE):
        if announced(data_dir):
            return None
        process = spawn(data_dir, None)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StartFailed(f"it exited at start (exit code {process.returncode}); read {data_dir / STDERR_FILE}")
            found = announced(data_dir)
            if found and found[0] == process.pid:
                (data_dir / LAST_PORT_FILE).write_text(str(found[1]))
                return process
            time.sleep(0.01)
        process.terminate()
        raise StartFailed(f"it did not announce itself within {timeout:.0f} seconds; read {data_dir / STDERR_FILE}")


def start_in_background(log: logging.Logger, data_dir: Path | str | None = None) -> threading.Thread:
    """Start the folder's sandbox in a thread unless it runs (`start_early`); log either way; return the thread.

    The thread then waits for the sandbox to end: the process that started it is its parent, and reaps it
    at once (a kernel's `sandbox.stop()` would otherwise wait on a zombie it takes for a running sandbox).
    If it cannot start, a notebook's first cell (`sandbox.start()`) starts it, and says why if it cannot.
    """

    def start() -> None:
        folder = resolve_data_dir(data_dir)
        try:
            process = start_early(folder)
        except (StartFailed, OSError) as problem:
            log.warning("pkce-kit: the sandbox did not start early (%s): a notebook's first cell starts it", problem)
            return
        if process is None:
            log.info("pkce-kit: the sandbox in %s was already running", folder)
            return
        log.info("pkce-kit: started the sandbox in %s (pid %d), ready for the first cell", folder, process.pid)
        process.wait()

    thread = threading.Thread(target=start, name="pkce-kit-sandbox", daemon=True)
    thread.start()
    return thread

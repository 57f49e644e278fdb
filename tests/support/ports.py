"""Ports for the servers a test starts, and starting a Jupyter server on one that stays its own."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx


def free_port() -> int:
    """A port nothing listens on now; only now (see ``NO_PORT_RETRIES``)."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` different ports nothing listens on now, on 127.0.0.1 (all held open while probing)."""
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            sockets.append(probe)
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


# A free port is free only when probed: until a server binds it, another process may take it (a client's
# connection takes its own end from the same range). Given a taken port, Jupyter's server quietly tries
# others (`port_retries`, 50 by default), and a test waiting at the port it gave waited its whole minute for
# nothing (CI, 4 December 2026: "The port 35199 is already in use, trying another port"). Without retries
# the server exits at once, naming the port, and `start_jupyter` starts it again on another.
NO_PORT_RETRIES = "--ServerApp.port_retries=0"


def jupyter_options(port: int, token: str = "") -> list[str]:
    """What every Jupyter server a test starts is given: no browser, root allowed, on 127.0.0.1 at ``port``
    and no other (``NO_PORT_RETRIES``), with ``token`` (none: no login)."""
    return [
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        NO_PORT_RETRIES,
        f"--IdentityProvider.token={token}",
    ]


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[int]:
    """``handler`` served on a free port of 127.0.0.1 by a thread of this process, for the block; its port."""
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server.server_address[1]
        finally:
            server.shutdown()


def start_jupyter(
    command: Callable[[int], list[str]],
    status_url: Callable[[int], str],
    log: Path,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
    attempts: int = 3,
) -> tuple[int, subprocess.Popen, bool]:
    """Start a Jupyter server, ``command(port)`` (given ``jupyter_options``) on a free port, in ``cwd`` with ``env``,
    in a session of its own, its output (stdout and stderr) written to ``log``; again on another port while the
    one given was taken before the server bound it.

    Returns the port, the process, and whether within ``timeout`` seconds the server said in ``log`` that it
    serves at that port (it says so once it is bound, before it answers) and then answered 200 at
    ``status_url(port)``: a 200 from a process that took the port first is not taken for this server's.
    """
    for attempt in range(1, attempts + 1):
        port = free_port()
        with open(log, "w") as out:
            process = subprocess.Popen(
                command(port), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        bound, taken = f"127.0.0.1:{port}/", f"port {port} is not available"
        while bound not in _text(log) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if bound in _text(log):
            return port, process, answers(status_url(port), process, deadline - time.monotonic(), headers=headers)
        if process.poll() is None or taken not in _text(log) or attempt == attempts:
            return port, process, False
    raise AssertionError("attempts must be at least 1")


def _text(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


def answers(
    url: str,
    process: subprocess.Popen,
    timeout: float = 60,
    interval: float = 0.2,
    headers: dict[str, str] | None = None,
) -> bool:
    """Whether the server ``process`` answers 200 at ``url`` within ``timeout`` seconds (False once it has exited),
    asking every ``interval`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2, headers=headers).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            return False
        time.sleep(interval)
    return False

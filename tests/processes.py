"""Starting and ending the servers a test runs: each announces itself with one JSON line, and is
asked to stop first, then made to."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import sandbox
from sandbox.files import ANNOUNCE_FILE


def in_a_fresh_process(code: str) -> str:
    """What ``code`` prints, run by this venv's Python in a process of its own (what it imports is its own)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@contextmanager
def announced(argv: Sequence[str], *, cwd: Path, name: str, timeout: float = 30) -> Iterator[dict[str, Any]]:
    """Start ``argv``; yield the JSON object of the first line it prints (it prints it once it answers); stop it.

    A server that prints nothing within ``timeout`` seconds fails the test with the end of its stderr.
    """
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True
        )
        try:
            ready, _, _ = select.select([process.stdout], [], [], timeout)
            line = process.stdout.readline() if ready else ""
            if not line:
                log.seek(0)
                pytest.fail(f"{name} did not start in {timeout} s: {log.read()[-2000:]}")
            yield json.loads(line)
        finally:
            stop_process(process, timeout=10)


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM, wait up to ``timeout`` seconds for a clean exit, then SIGKILL (a test must not leave it behind)."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_sandbox(data_dir: Path) -> None:
    """Stop the sandbox of ``data_dir``: asked to if it answers, else (hung, or never healthy) killed by its pid."""
    if sandbox.stop(data_dir):
        return
    try:
        pid = json.loads((data_dir / ANNOUNCE_FILE).read_text())["pid"]
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError, KeyError):
        pass  # nothing announced, or it is gone already


def sandbox_log(world: sandbox.World, pattern: str, timeout: float = 10) -> str:
    """The sandbox's log once a line matches ``pattern`` (a regex), or as it is after ``timeout`` seconds.

    A sandbox process writes its log from a queue, in a thread of its own (sandbox/server.py), so a
    request's line can reach the file just after its answer reached the test."""
    deadline = time.monotonic() + timeout
    while True:
        log = world.log_file.read_text()
        if re.search(pattern, log) or time.monotonic() > deadline:
            return log
        time.sleep(0.05)

"""Ending the servers a test started: ask first, then insist."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM, wait up to ``timeout`` seconds for a clean exit, then SIGKILL (a test must not leave it behind)."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

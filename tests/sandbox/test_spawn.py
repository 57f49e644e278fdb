"""Starting a learner's sandbox early, as their Jupyter server starts (sandbox/spawn.py, workshop/extension.py).

The server starts it without an HTTP client; a kernel's `sandbox.start()` then finds that one, even while it is
still starting: the two share the folder's start lock, so one folder never has two sandboxes.
"""

from __future__ import annotations

import sys
import threading

import pytest

import sandbox
from sandbox.files import ANNOUNCE_FILE, STDERR_FILE
from sandbox.spawn import LAST_PORT_FILE, StartFailed, announced, start_early


def test_start_early_starts_it_once_and_the_kernels_start_finds_it(own_data_dir):
    pid = start_early(own_data_dir).pid
    assert announced(own_data_dir)[0] == pid
    port = announced(own_data_dir)[1]
    assert (own_data_dir / LAST_PORT_FILE).read_text() == str(port)  # the redirect URIs' port, kept for a restart
    assert start_early(own_data_dir) is None  # already there: nothing started
    world = sandbox.start(own_data_dir)
    assert (world.pid, world.port) == (pid, port)
    assert world.is_healthy()


def test_a_kernel_starting_meanwhile_waits_for_the_same_sandbox(own_data_dir):
    early: list[int | None] = []  # the pid the server's start started, if it did
    server = threading.Thread(target=lambda: early.append(getattr(start_early(own_data_dir), "pid", None)))
    server.start()
    world = sandbox.start(own_data_dir)  # as 00's first cell, while the server's start may still run
    server.join()
    started = [pid for pid in early if pid is not None]
    # Whichever came first started it; the other found it. One sandbox, never two.
    assert started in ([], [world.pid])
    assert announced(own_data_dir)[0] == world.pid


def test_after_a_stop_it_starts_again_on_the_same_port(own_data_dir):
    first = start_early(own_data_dir).pid
    port = announced(own_data_dir)[1]
    assert sandbox.stop(own_data_dir)
    assert announced(own_data_dir) is None
    second = start_early(own_data_dir)
    assert second is not None and second.pid != first
    assert announced(own_data_dir)[1] == port


def test_a_stale_announcement_is_not_taken_for_a_sandbox(own_data_dir):
    (own_data_dir / ANNOUNCE_FILE).write_text('{"pid": 999999999, "port": 1}')  # its process long gone
    assert announced(own_data_dir) is None
    assert start_early(own_data_dir) is not None


def test_a_sandbox_that_exits_at_start_is_reported_with_the_file_to_read(own_data_dir, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/bin/false")  # a "python" that exits at once
    with pytest.raises(StartFailed) as failed:
        start_early(own_data_dir)
    assert "exit code 1" in str(failed.value) and str(own_data_dir / STDERR_FILE) in str(failed.value)

"""The benches' memory sampler (tests/support/walk.py `Memory`): a brief process counts with its peak.

A learner's server runs brief processes (05's later session, JupyterLab's build check): a sample can
catch one before or after its peak, so it counts with the most it has held (VmHWM). Here a stand-in
server's child allocates 64 MiB, frees it and waits: sampled afterwards, it still counts 64 MiB. One
that no sample sees at all is found among the server's children and counts in the sample before it.
And bench/learner_memory.py's worst case counts the largest process a cell started at the peak of the rest.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from bench.learner_memory import with_a_cell_process
from tests.support.walk import MIB, Brief, Memory, Sample, peak_rss

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")

CHILD = (
    "import sys, time; b = bytearray(64 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); del b; "
    "print('freed', flush=True); time.sleep(30)"
)
SERVER = (
    "import subprocess, sys, time; "
    f"c = subprocess.Popen([sys.executable, '-c', {CHILD!r}], stdout=sys.stdout); time.sleep(30)"
)


class StandInHub:
    """What Memory asks of a hub: the learner's server, their sandbox folder, the hub's own process."""

    def __init__(self, server: subprocess.Popen, folder: Path) -> None:
        self.server, self.folder = server, folder
        self.process = SimpleNamespace(pid=server.pid)

    def server_process(self, name: str) -> psutil.Process:
        return psutil.Process(self.server.pid)

    def sandbox_dir(self, name: str) -> Path:
        return self.folder  # no sandbox announced here


def test_a_brief_process_counts_with_the_most_it_held(tmp_path):
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "freed"
        child = psutil.Process(server.pid).children()[0]
        assert child.memory_info().rss < 40 * MIB <= 64 * MIB <= peak_rss(child.pid)  # freed, yet it held 64
        sample = Memory(StandInHub(server, tmp_path), ["ada"], interval=60)._sample(with_pss=False)
        parts = sample.parts["ada"]
        assert parts["other"] >= 64 * MIB
        assert parts["server"] > 0 and parts["kernels"] == parts["sandbox"] == 0
        assert sample.rss["ada"] == sum(parts.values())
    finally:
        for process in psutil.Process(server.pid).children(recursive=True):
            process.kill()
        server.kill()
        server.wait()


def test_peak_rss_of_a_process_that_is_gone_is_zero():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # reaped: no /proc entry is left
    assert peak_rss(gone.pid) == 0


def test_a_brief_process_sampled_before_its_peak_counts_with_its_peak_in_that_sample(tmp_path):
    """05's later session may be sampled once, part-way through its imports: the follower reads its VmHWM
    until it ends, and the sample that saw it counts that (what a faster sampler would have seen)."""
    go = tmp_path / "go"
    grows = (
        "import os, sys, time\n"
        "print('small', flush=True)\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
        "b = bytearray(64 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.2)"
    )
    server_code = (
        "import subprocess, sys, time; "
        f"c = subprocess.Popen([sys.executable, '-c', {grows!r}], stdout=sys.stdout); c.wait(); time.sleep(30)"
    )
    server = subprocess.Popen([sys.executable, "-c", server_code], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "small"
        memory = Memory(StandInHub(server, tmp_path), ["ada"], interval=60)
        with memory:
            while not memory.samples:  # the first sample, taken at once: the child is still small
                time.sleep(0.01)
            first = memory.samples[0].parts["ada"]["other"]
            go.touch()
            while psutil.Process(server.pid).children():  # it grows to 64 MiB more, then ends
                time.sleep(0.01)
        assert first < 40 * MIB
        settled = memory.samples[0]
        assert settled.parts["ada"]["other"] >= 64 * MIB
        assert settled.rss["ada"] == sum(settled.parts["ada"].values())
        assert memory.samples[-1].parts["ada"]["other"] == 0  # the last sample, after it ended, did not see it
    finally:
        server.kill()
        server.wait()


def test_a_brief_process_no_sample_saw_counts_in_the_sample_before_it_started(tmp_path):
    """A process of 0.2 s can be born and gone between two samples (each lists every process): the follower
    finds it among the server's children, and it counts, at its peak, in the last sample before it started."""
    go = tmp_path / "go"
    brief = "b = bytearray(64 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(0.15)"
    server_code = (
        "import os, subprocess, sys, time\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
        f"subprocess.run([sys.executable, '-c', {brief!r}])\n"
        "print('done', flush=True); time.sleep(30)"
    )
    server = subprocess.Popen([sys.executable, "-c", server_code], stdout=subprocess.PIPE, text=True)
    try:
        memory = Memory(StandInHub(server, tmp_path), ["ada"], interval=60)
        with memory:
            while not memory.samples:  # the first sample, taken at once, before the brief process starts
                time.sleep(0.01)
            go.touch()
            assert server.stdout.readline().strip() == "done"
        assert len(memory.samples) == 2  # the first and the last: neither saw it
        (found,) = memory.brief.values()
        assert found.sampled == 0 and "bytearray" in found.command
        assert found.peak >= 64 * MIB
        first, last = memory.samples
        assert first.parts["ada"]["other"] >= 64 * MIB
        assert first.rss["ada"] == sum(first.parts["ada"].values())
        assert last.parts["ada"]["other"] == 0
    finally:
        server.kill()
        server.wait()


def _sample(at: float, server: int, kernels: int, sandbox: int, other: int, count: int) -> Sample:
    parts = {"server": server, "kernels": kernels, "sandbox": sandbox, "other": other}
    return Sample(at, {"ada": sum(parts.values())}, {}, {"ada": count}, {"ada": parts}, 0)


def test_the_worst_case_counts_a_cells_process_at_the_peak_of_the_rest():
    """Walk 2's verdict: 05's later session ran while two kernels were open; at three it would have held more."""
    during = [
        _sample(1.0, 120 * MIB, 100 * MIB, 30 * MIB, 31 * MIB, 2),  # the later session ran here
        _sample(2.0, 120 * MIB, 150 * MIB, 30 * MIB, 0, 3),  # the peak of the rest
        _sample(3.0, 120 * MIB, 10 * MIB, 30 * MIB, 90 * MIB, 1),  # a server's own brief process: not a cell's
    ]
    brief = [
        Brief("ada", "python3.11 later_session.py", 1.0, 31 * MIB, started_by="kernel"),
        Brief("ada", "node build check", 3.0, 90 * MIB, started_by="server"),
    ]
    held, rest, largest = with_a_cell_process(during, brief)
    assert held == (120 + 150 + 30 + 31) * MIB
    assert rest is during[1] and largest is brief[0]
    assert with_a_cell_process(during, brief[1:])[0] == 300 * MIB  # no cell started one: the rest alone


def test_apart_the_samples_are_taken_in_another_process_and_come_back(tmp_path):
    """bench/room.py samples apart: its clients, which time the room's cells, never wait for the sampler's GIL.
    The samples and brief processes come back when it stops, read as the threads would have read them."""
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "freed"
        memory = Memory(StandInHub(server, tmp_path), ["ada"], interval=0.05, apart=True)
        threads_before = threading.active_count()
        children_before = {c.pid for c in psutil.Process().children()}  # a test run may have others: sandboxes
        with memory:
            sampler = [c for c in psutil.Process().children() if c.pid not in children_before]
            assert len(sampler) == 1  # the sampler: a process of its own
            assert threading.active_count() == threads_before  # and no sampling thread here
            time.sleep(0.5)
            assert memory.samples == []  # they are over there, not here yet
        assert not sampler[0].is_running() or sampler[0].status() == psutil.STATUS_ZOMBIE
        assert len(memory.samples) >= 3
        for sample in memory.samples:
            assert sample.parts["ada"]["server"] > 0
            assert sample.parts["ada"]["other"] >= 64 * MIB  # the freed child, with the most it held
            assert sample.rss["ada"] == sum(sample.parts["ada"].values())
        assert [b.peak >= 64 * MIB for b in memory.brief.values()] == [True]
    finally:
        for process in psutil.Process(server.pid).children(recursive=True):
            process.kill()
        server.kill()
        server.wait()

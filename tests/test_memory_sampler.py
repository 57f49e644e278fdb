"""The benches' memory sampler (tests/support/walk.py `Memory`): a brief process counts with its peak.

A learner's server runs brief processes (05's later session, JupyterLab's build check): a sample can
catch one before or after its peak, so it counts with the most it has held (VmHWM). Here a stand-in
server's child allocates 64 MiB, frees it and waits: sampled afterwards, it still counts 64 MiB.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from tests.support.walk import MIB, Memory, peak_rss

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

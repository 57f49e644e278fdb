"""The Jupyter server settings the kit ships (jupyter-config/): a kernel left idle is culled, its tab open or not.

A real `jupyter server` reads the shipped file the way `make lab`, Binder and the hub do (the
folder on JUPYTER_CONFIG_PATH, nothing of this machine's own Jupyter config). The test only
shortens the timeout and the interval on the command line, which wins over config files; the
rest (cull_connected, cull_busy) comes from the file.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from traitlets.config.loader import PyFileConfigLoader

from tests.kernel_client import Server
from tests.processes import stop_process

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "jupyter-config"
VENV_BIN = Path(sys.executable).parent


def shipped() -> dict:
    config = PyFileConfigLoader("jupyter_server_config.py", path=str(CONFIG_DIR)).load_config()
    return dict(config.MappingKernelManager)


def test_the_shipped_config_culls_kernels_left_idle_with_their_tab_open():
    settings = shipped()
    assert settings["cull_idle_timeout"] > 0 and settings["cull_interval"] > 0
    assert settings["cull_connected"] is True and settings["cull_busy"] is False


def test_every_way_of_running_the_kit_puts_the_config_folder_on_the_path():
    assert "jupyter-config" in (ROOT / "Makefile").read_text()
    assert "jupyter-config" in (ROOT / "binder" / "start").read_text()
    assert "jupyter-config" in (ROOT / "tests" / "hub" / "jupyterhub_config.py").read_text()
    # The hub recipes set nothing: the installed package carries the settings (tests/test_workshop_doc.py).


def test_the_workshop_page_quotes_the_shipped_timeout():
    minutes = shipped()["cull_idle_timeout"] // 60
    assert re.search(rf"\b{minutes} minutes\b", (ROOT / "docs" / "workshop.md").read_text())


@pytest.fixture
def jupyter_server(tmp_path):
    """`jupyter server` with the shipped config, culling every second after 2 idle seconds."""
    port, token = free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update(
        JUPYTER_CONFIG_PATH=str(CONFIG_DIR),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "jupyter"),
                "server",
                "--no-browser",
                "--allow-root",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                f"--IdentityProvider.token={token}",
                "--MappingKernelManager.cull_idle_timeout=2",
                "--MappingKernelManager.cull_interval=1",
            ],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{url}api/status", headers={"Authorization": f"token {token}"}).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield url, token, tmp_path
    finally:
        stop_process(process, timeout=20)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_a_kernel_left_idle_is_shut_down_though_its_tab_is_still_connected(jupyter_server):
    url, token, root = jupyter_server
    release = root / "release"  # the busy cell below runs until this file appears

    async def scenario() -> tuple[bool, bool]:
        server = Server(url, token=token)
        try:
            kernel = await server.start_kernel()
            result = await kernel.execute("answer = 6 * 7\nanswer")  # the learner ran a cell...
            assert result.error is None and result.outputs[0]["data"]["text/plain"] == "42"
            busy = await server.start_kernel()  # ...and another learner's tab is busy all along
            wait_for_release = f"import os, time\nwhile not os.path.exists({str(release)!r}): time.sleep(0.2)"
            running = asyncio.create_task(busy.execute(wait_for_release))
            # ...then left the tab open: its websocket stays connected while nothing runs.
            deadline = time.monotonic() + 60
            while await server.kernel_exists(kernel.id) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            culled = not await server.kernel_exists(kernel.id)
            busy_survived = await server.kernel_exists(busy.id)
            release.touch()
            await running
            await busy.shut_down()
            return culled, busy_survived
        finally:
            await server.aclose()

    # In a thread of its own: an event loop that another test's Playwright left in this thread is no obstacle.
    with ThreadPoolExecutor(max_workers=1) as pool:
        culled, busy_survived = pool.submit(asyncio.run, scenario()).result()
    log = (root / "server.log").read_text()
    assert culled, f"the idle kernel was not culled within 60 s:\n{log[-3000:]}"
    assert re.search(r"Culling 'idle' kernel 'python3' \(\S+\) with 1 connections", log), log[-3000:]
    # From the shipped file, not from the test's command line:
    assert "Culling kernels even with connected clients" in log, log[-3000:]
    assert busy_survived, "a kernel running a cell was culled (cull_busy must stay off)"

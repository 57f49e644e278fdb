"""The Jupyter server settings the kit ships: a kernel left idle is culled, its tab open or not.

The settings live in workshop/settings.py; the kit's server extension (workshop.extension) applies
them, enabled by jupyter-config/jupyter_server_config.d/ (a data file of the wheel; on
JUPYTER_CONFIG_PATH for editable installs: `make lab`, Binder). A real `jupyter server` starts the
way `make lab` starts it, with nothing of this machine's own Jupyter config. The test shortens the
timeout and the interval on the command line, which must win over the kit's settings; the rest
(cull_connected, cull_busy) comes from the kit.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import sys
import time
from pathlib import Path

import pytest

from tests.kernel_client import Server
from tests.processes import stop_process
from tests.support.event_loop import in_a_thread
from tests.support.ports import jupyter_options, start_jupyter
from workshop.settings import KERNEL_CULLING

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "jupyter-config"
VENV_BIN = Path(sys.executable).parent


def test_the_shipped_settings_cull_kernels_left_idle_with_their_tab_open():
    assert KERNEL_CULLING["cull_idle_timeout"] > 0 and KERNEL_CULLING["cull_interval"] > 0
    assert KERNEL_CULLING["cull_connected"] is True and KERNEL_CULLING["cull_busy"] is False


def test_every_editable_way_of_running_the_kit_puts_the_config_folder_on_the_path():
    # An install from the wheel enables the extension by its data file (tests/test_packaging.py).
    assert "jupyter-config" in (ROOT / "Makefile").read_text()
    assert "jupyter-config" in (ROOT / "binder" / "start").read_text()
    enabled = json.loads((CONFIG_DIR / "jupyter_server_config.d" / "stripe-apps-pkce-kit.json").read_text())
    assert enabled == {"ServerApp": {"jpserver_extensions": {"workshop.extension": True}}}


def test_the_workshop_page_quotes_the_shipped_timeout():
    minutes = KERNEL_CULLING["cull_idle_timeout"] // 60
    assert re.search(rf"\b{minutes} minutes\b", (ROOT / "docs" / "workshop.md").read_text())


@pytest.fixture
def jupyter_server(tmp_path):
    """`jupyter server` with the shipped config, culling every second after 2 idle seconds."""
    token = secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_", "NBFORMAT_"))}
    env.update(
        JUPYTER_CONFIG_PATH=str(CONFIG_DIR),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    log_path = tmp_path / "server.log"

    port, process, ready = start_jupyter(
        lambda port: [
            str(VENV_BIN / "jupyter"),
            "server",
            *jupyter_options(port, token),
            "--MappingKernelManager.cull_idle_timeout=2",
            "--MappingKernelManager.cull_interval=1",
        ],
        lambda port: f"http://127.0.0.1:{port}/api/status",
        log_path,
        cwd=tmp_path,
        env=env,
        headers={"Authorization": f"token {token}"},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        assert ready, log_path.read_text()
        yield url, token, tmp_path
    finally:
        stop_process(process, timeout=20)


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
            # The kit's kernel (workshop/kernel.py): no debugpy in it.
            lean = await kernel.execute(
                "import sys\nprint(sys.modules.get('debugpy'), type(get_ipython().kernel).__name__)"
            )
            assert lean.error is None and lean.outputs[0]["text"].split() == ["None", "LeanKernel"], lean.outputs
            # The server checks notebooks with jsonschema (workshop/notebook_validator.py); its kernels inherit it.
            checker = await kernel.execute("import os\nprint(os.environ.get('NBFORMAT_VALIDATOR'))")
            assert checker.error is None and checker.outputs[0]["text"].split() == ["jsonschema"], checker.outputs
            # An app view waiting for oauthContext (helpers.waiting) waits on the kernel's loop, a long-poll
            # always pending: the kernel counts as idle all the same, and is culled.
            waiting = await kernel.execute(
                "import asyncio\nfrom helpers.waiting import Waiter\n"
                "async def pending(seconds):\n    await asyncio.sleep(seconds)\n    return False\n"
                "waiter = Waiter(pending, lambda: None, lambda: True)\nwaiter.start()"
            )
            assert waiting.error is None and waiting.outputs[0]["data"]["text/plain"] == "True", waiting.outputs
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

    culled, busy_survived = in_a_thread(scenario())
    log = (root / "server.log").read_text()
    assert culled, f"the idle kernel was not culled within 60 s:\n{log[-3000:]}"
    assert re.search(r"Culling 'idle' kernel 'python3' \(\S+\) with 1 connections", log), log[-3000:]
    # From the kit's settings, not from the test's command line, which wins where it speaks:
    assert "Culling kernels even with connected clients" in log, log[-3000:]
    assert re.search(r"pkce-kit: kernel culling .*'cull_idle_timeout': 2\b", log), log[-3000:]
    assert "pkce-kit: notebooks checked with jsonschema" in log, log[-3000:]
    assert busy_survived, "a kernel running a cell was culled (cull_busy must stay off)"

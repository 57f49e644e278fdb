"""Starting, finding and stopping the sandbox, and the links it gives the browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import stripe

import sandbox

from .conftest import make_app, register_client


def test_start_reuses_a_running_sandbox(world):
    assert sandbox.start(world.data_dir) == world


def test_a_running_sandbox_is_found_without_the_start_lock(world):
    """Every notebook after the first finds the sandbox: filelock (0.7 MiB) stays out of its kernel."""
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, sandbox; w = sandbox.start(sys.argv[1]); print(w.port, 'filelock' in sys.modules)",
        ]
        + [str(world.data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.split() == [str(world.port), "False"]


def _maps_cryptography(pid: int) -> bool:
    return "cryptography" in Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the process's mapped files (Linux)")
def test_a_sandbox_never_loads_cryptography_registrations_included(own_data_dir, http):
    """Authlib's RFC 7591 package brings joserfc and cryptography (12 MiB, and a native wheel the browser
    edition's Pyodide lacks): the provider's registration endpoint does without it (rfc7591.py)."""
    world = sandbox.start(own_data_dir)
    assert not _maps_cryptography(world.pid)
    register_client(world, http, [f"{world.dashboard_base}/test/apps-oauth/com.example.a"])
    register_client(world, http, [f"{world.dashboard_base}/test/apps-oauth/com.example.b"])
    assert not _maps_cryptography(world.pid)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the process's mapped files (Linux)")
def test_a_sandbox_runs_a_whole_flow_without_openssl(own_data_dir, http):
    """`python -m sandbox` leaves out ssl and OpenSSL's hashes (sandbox/__main__.py): 4.5 MiB a learner. Its S256
    check (Python's own SHA-256) still tells the right verifier from a wrong one."""
    world = sandbox.start(own_data_dir)
    app = make_app(world, http)
    context = app.approved_context(http)
    assert app.token_request(http, context, code_verifier="w" * 43).json()["error"] == "invalid_grant"
    context = app.approved_context(http)
    assert app.token_request(http, context).status_code == 200
    maps = Path(f"/proc/{world.pid}/maps").read_text()
    assert "libssl" not in maps and "libcrypto" not in maps and "_hashlib" not in maps


def test_stop_then_start_keeps_data(own_data_dir):
    tmp_path = own_data_dir
    world = sandbox.start(tmp_path)
    with httpx.Client(timeout=30) as http:
        app = make_app(world, http)
    client = stripe.StripeClient(app.install.api_key, base_addresses={"api": world.stripe_api_base})
    client.v1.apps.secrets.create({"name": "k", "payload": "v", "scope": {"type": "account"}})
    assert sandbox.stop(tmp_path) is True
    assert sandbox.stop(tmp_path) is False
    again = sandbox.start(tmp_path)
    client = stripe.StripeClient(app.install.api_key, base_addresses={"api": again.stripe_api_base})
    assert (
        client.v1.apps.secrets.find({"name": "k", "scope": {"type": "account"}, "expand": ["payload"]}).payload == "v"
    )


def test_browser_url_goes_through_the_hub_proxy_when_there_is_one(world, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert world.browser_url("/provider/authorize") == f"{world.base_url}/provider/authorize"
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    assert world.browser_url("provider/authorize") == f"/user/ada/proxy/{world.port}/provider/authorize"


def test_browser_url_follows_the_jupyter_servers_base_url(world, monkeypatch, tmp_path):
    """Under a Jupyter server with a base URL (no hub), links go through its proxy too."""
    import json

    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("JPY_PARENT_PID", "4242")
    (tmp_path / "jpserver-4242.json").write_text(json.dumps({"base_url": "/lab-base/", "pid": 4242}))
    assert world.browser_url("/provider/authorize") == f"/lab-base/proxy/{world.port}/provider/authorize"
    (tmp_path / "jpserver-4242.json").write_text(json.dumps({"base_url": "/", "pid": 4242}))
    assert world.browser_url("/x") == f"{world.base_url}/x"


def test_a_data_folder_under_home_may_be_written_with_a_tilde(monkeypatch, tmp_path):
    from sandbox.files import default_data_dir
    from sandbox.spawn import resolve_data_dir

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KIT_SANDBOX_DIR", "~/.kit-sandbox")  # as the workshop recipes set it
    assert default_data_dir() == tmp_path / ".kit-sandbox"
    assert resolve_data_dir() == tmp_path / ".kit-sandbox"
    assert resolve_data_dir("~/elsewhere") == tmp_path / "elsewhere"


def test_log_line_waits_for_the_line_the_sandbox_writes_a_moment_after_it_answers(tmp_path):
    """The sandbox's log is written by a thread of its own (server.py): 07 reads the line of a request it
    has just made, which may not be in the file yet."""
    import threading

    from sandbox.files import LOG_FILE

    world = sandbox.World("http://127.0.0.1:9", tmp_path, pid=0)
    (tmp_path / LOG_FILE).write_text("sandbox.access POST /provider/token?code=…AAAA 400 1.0ms\n")

    def later() -> None:
        with (tmp_path / LOG_FILE).open("a") as log:
            log.write("sandbox.access POST /provider/token?code=…BBBB 400 1.0ms\n")

    timer = threading.Timer(0.2, later)
    timer.start()
    try:
        assert world.log_line("/token?code=…BBBB").endswith("code=…BBBB 400 1.0ms")
    finally:
        timer.join()
    assert "…AAAA" in world.log_line("/token?code=…AAAA")
    with pytest.raises(sandbox.SandboxError, match="No line of the sandbox's log"):
        world.log_line("/token?code=…CCCC", timeout=0.1)

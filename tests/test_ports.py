"""tests/support/ports.py: a Jupyter server a test starts is the one that answers at the port the test uses."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.processes import stop_process
from tests.support import ports
from tests.support.ports import jupyter_options, serving, start_jupyter

JUPYTER = Path(sys.executable).with_name("jupyter")


def bare_server(tmp_path: Path) -> dict[str, str]:
    """The environment of a bare `jupyter server`, its settings and files in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    for name in ("CONFIG", "DATA", "RUNTIME"):
        env[f"JUPYTER_{name}_DIR"] = str(tmp_path / name.lower())
    return env


class Answers200(BaseHTTPRequestHandler):
    """Another process that took the port first, and answers 200 at every path: the worst a free port can turn
    out to be."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@contextmanager
def another_process_listening() -> Iterator[int]:
    """A port another process took first (a listener that answers nothing)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize("answering", [False, True], ids=["listening", "answering 200"])
def test_a_port_taken_before_the_server_binds_it_gets_the_server_another(tmp_path, monkeypatch, answering):
    log = tmp_path / "server.log"
    free_port = ports.free_port
    with serving(Answers200) if answering else another_process_listening() as taken:
        offered = iter([taken])
        monkeypatch.setattr(ports, "free_port", lambda: next(offered, None) or free_port())
        port, process, ready = start_jupyter(
            lambda port: [str(JUPYTER), "server", *jupyter_options(port)],
            lambda port: f"http://127.0.0.1:{port}/api/status",
            log,
            cwd=tmp_path,
            env=bare_server(tmp_path),
        )
        try:
            assert ready, log.read_text()
            assert port != taken
        finally:
            stop_process(process)


def test_a_server_that_cannot_start_for_another_reason_is_not_started_again(tmp_path):
    log = tmp_path / "server.log"
    starts = []

    def command(port: int) -> list[str]:
        starts.append(port)
        return [str(JUPYTER), "server", "--no-such-option=1", "--ServerApp.ip=not an address"]

    port, process, ready = start_jupyter(command, lambda p: f"http://127.0.0.1:{p}/api/status", log, timeout=30)
    process.wait(10)
    assert not ready and starts == [port]

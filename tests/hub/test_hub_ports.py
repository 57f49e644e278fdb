"""tests/support/hub.py: a hub that finds a port of its own taken, as it binds it, starts again on others."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.support import hub as hub_support
from tests.support.hub import Hub, ProxyUnavailable, configurable_http_proxy


@pytest.mark.parametrize("which", [0, 1], ids=["the proxy's public port", "the hub's own port"])
def test_a_hub_whose_port_was_taken_starts_on_others(tmp_path, installed_kit, monkeypatch, which):
    try:
        configurable_http_proxy()
    except ProxyUnavailable as missing:
        pytest.skip(str(missing))
    with socket.socket() as taken:  # another process's listener, as it were
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        free_ports = hub_support.free_ports
        first = free_ports(4)
        first[which] = port
        offers = iter([first])
        monkeypatch.setattr(hub_support, "free_ports", lambda count: next(offers, None) or free_ports(count))
        hub = Hub(tmp_path, installed_kit)
        try:
            assert port not in (hub.port, int(hub.url.rsplit(":", 1)[1]))
            assert httpx.get(f"{hub.url}/hub/api", timeout=10).status_code == 200
        finally:
            hub.stop()

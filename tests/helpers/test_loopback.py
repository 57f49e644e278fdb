"""The loopback catcher: a real listener on 127.0.0.1 keeps the first request to its path."""

from __future__ import annotations

import httpx
import pytest

from helpers.errors import LoopbackError
from helpers.loopback import LoopbackCatcher


def test_it_catches_the_redirect_and_answers_the_browser():
    with LoopbackCatcher() as catcher:
        assert catcher.redirect_uri.startswith("http://127.0.0.1:") and catcher.redirect_uri.endswith("/callback")
        assert httpx.get(f"http://127.0.0.1:{catcher.port}/favicon.ico").status_code == 404
        page = httpx.get(f"{catcher.redirect_uri}?code=Qm9vZ2llV29vZ2ll&state=s1")
        assert page.status_code == 200 and "close this tab" in page.text
        assert "Qm9vZ2llV29vZ2ll" not in page.text and page.headers["cache-control"] == "no-store"
        assert catcher.wait(timeout=5) == f"{catcher.redirect_uri}?code=Qm9vZ2llV29vZ2ll&state=s1"
        assert repr(catcher) == f"LoopbackCatcher({catcher.redirect_uri}, caught 1)"


def test_each_redirect_is_handed_over_once_in_order():
    # A second attempt (the cell run again) gets its own redirect, not the first one again.
    with LoopbackCatcher() as catcher:
        httpx.get(f"{catcher.redirect_uri}?state=s1")
        httpx.get(f"{catcher.redirect_uri}?state=s2")
        assert [catcher.wait(1), catcher.wait(1)] == [f"{catcher.redirect_uri}?state=s{n}" for n in (1, 2)]
        with pytest.raises(LoopbackError):
            catcher.wait(timeout=0.05)


def test_no_redirect_in_time_says_where_loopback_cannot_work():
    with LoopbackCatcher(path="/cb") as catcher:
        with pytest.raises(LoopbackError) as raised:
            catcher.wait(timeout=0.05)
    assert catcher.redirect_uri in raised.value.message and "JupyterHub" in raised.value.hint


def test_a_taken_port_is_a_kit_error():
    with LoopbackCatcher() as first:
        with pytest.raises(LoopbackError, match=f"Could not listen on 127.0.0.1:{first.port}"):
            LoopbackCatcher(port=first.port)


def test_the_path_must_be_a_path():
    with pytest.raises(LoopbackError, match="must start with '/'"):
        LoopbackCatcher(path="callback")


def test_in_the_browsers_kernel_it_says_to_paste_the_address_back(monkeypatch):
    monkeypatch.setattr("sys.platform", "emscripten")  # Pyodide: no port to listen on
    with pytest.raises(LoopbackError, match="cannot listen on a port") as raised:
        LoopbackCatcher()
    assert "Paste the address back" in raised.value.hint

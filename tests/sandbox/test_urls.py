"""sandbox/urls.py: which redirects point at the sandbox's own origin."""

from __future__ import annotations

import pytest

from sandbox.urls import origin, same_origin


@pytest.mark.parametrize(
    ("url", "other"),
    [
        ("http://127.0.0.1:8765/dashboard/x?y=1", "http://127.0.0.1:8765"),
        ("HTTP://LocalHost/a", "http://localhost:80/b"),  # case-folded; 80 is http's default
        ("https://example.com:443/", "https://EXAMPLE.com"),
    ],
)
def test_the_same_origin(url, other):
    assert same_origin(url, other)


@pytest.mark.parametrize(
    ("url", "other"),
    [
        ("http://127.0.0.1:8766/", "http://127.0.0.1:8765/"),  # another port
        ("https://127.0.0.1:8765/", "http://127.0.0.1:8765/"),  # another scheme
        ("http://localhost:8765/", "http://127.0.0.1:8765/"),  # another host, though the same machine
        ("http://127.0.0.1:99999/", "http://127.0.0.1:99999/"),  # no URL: a port out of range
        ("http://[::1/", "http://[::1/"),  # no URL: an unclosed IPv6 address
    ],
)
def test_not_the_same_origin(url, other):
    assert not same_origin(url, other)


def test_the_origin_names_a_default_port_as_none():
    assert origin("https://Example.com:443/x") == ("https", "example.com", None)
    assert origin("http://example.com:8080") == ("http", "example.com", 8080)
    assert origin("http://example.com:port/") is None

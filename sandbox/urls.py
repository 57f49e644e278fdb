"""Comparing URLs by origin: scheme and host case-folded, a scheme's default port the same as none.

With the standard library's parser rather than httpx's: the sandbox process then never imports httpx
(2.3 MiB of every learner's sandbox, which only needs this comparison from it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origin(url: str) -> tuple[str, str, int | None] | None:
    """The URL's scheme, host and port (None: the scheme's default), or None for a string that is no URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port that is no number, or out of range
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    return scheme, host, None if port == DEFAULT_PORTS.get(scheme) else port


def same_origin(url: str, other: str) -> bool:
    mine = origin(url)
    return mine is not None and mine == origin(other)

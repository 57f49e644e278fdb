"""Comparing URLs by origin, with httpx's parser: scheme and host case-folded, a default port the same as none."""

from __future__ import annotations

import httpx


def origin(url: str) -> tuple[str, str, int | None] | None:
    """The URL's scheme, host and port (None: the scheme's default), or None for a string that is no URL."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return None
    return parsed.scheme, parsed.host, parsed.port


def same_origin(url: str, other: str) -> bool:
    mine = origin(url)
    return mine is not None and mine == origin(other)

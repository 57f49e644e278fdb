"""The Dashboard's two modes: test and live. Each has its own redirect URL, keys and data."""

from __future__ import annotations

from typing import Literal

from helpers.errors import ModeError

Mode = Literal["test", "live"]
MODES: tuple[Mode, ...] = ("test", "live")


def require_mode(mode: object) -> Mode:
    """Return ``mode`` if it is ``"test"`` or ``"live"``, else raise ModeError."""
    for known in MODES:
        if mode == known:
            return known
    raise ModeError(
        f"mode must be 'test' or 'live', not {mode!r}.",
        "Use environment.mode from the extension context.",
    )

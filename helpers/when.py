"""A moment as the kit shows it to a learner: to the minute, in UTC, the same in every output."""

from __future__ import annotations

import time


def utc_minute(at: float) -> str:
    """``at`` (Unix seconds) as ``2030-03-17 17:46 UTC``.

    To the minute, not the day: an access token lives an hour, so a date alone would say nothing
    about when it ends; UTC, so a notebook reads the same on every learner's machine.
    """
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(at))

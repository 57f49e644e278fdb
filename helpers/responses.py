"""Reading what an HTTP endpoint answered, the same way for every caller."""

from __future__ import annotations

from typing import Any

import httpx


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The response's body if it is a JSON object, else None (not JSON, or JSON of another shape)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None

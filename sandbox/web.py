"""What the three stand-ins share about reading a request body."""

from __future__ import annotations

import json
import re

from flask import Request


class JSONBodyError(ValueError):
    """The request body is not the JSON document the endpoint needs; the message says what to send."""


def json_body(request: Request) -> object:
    """The request's JSON document; JSONBodyError for another content type or a body that is not JSON.

    Read with the standard parser rather than Flask's `get_json`: a deeply nested document
    makes the parser recurse past Python's limit, which must be the client's error, not a crash.
    """
    if not request.is_json:
        raise JSONBodyError("Send a JSON body, with Content-Type: application/json")
    try:
        return json.loads(request.get_data())
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise JSONBodyError("The body is not a JSON document") from None


_INTEGER = re.compile(r"-?[0-9]{1,18}")  # at most 18 digits: always within SQLite's 64-bit integers


def parse_integer(text: str) -> int | None:
    """A whole number written plainly (`42`, `-7`), else None.

    Stricter than `int()`, which also takes ` 5 `, `1_0`, `+5` and non-ASCII digits.
    """
    return int(text) if _INTEGER.fullmatch(text) else None

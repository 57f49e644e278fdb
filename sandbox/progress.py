"""The flow's steps as the sandbox serves them, recorded for the facilitator's board (workshop.progress).

A WSGI middleware around the three stand-ins: it knows a step by the request that makes it and
the answer that says it worked, whichever way the learner went (a notebook cell, the browser, the
TypeScript app), and records each step the first time this sandbox serves it. It records names
and times only, never a value from the request.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from workshop.progress import reached, record

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_LANDING = re.compile(r"^/dashboard/(test/)?apps-oauth/[^/]+$")
_MAX_PEEK = 64 * 1024  # a token request is a few hundred bytes


def _form(environ: WSGIEnvironment) -> dict[str, list[str]]:
    """The request's form body, read and put back for the app (it is read again there)."""
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), _MAX_PEEK)
    except ValueError:
        return {}
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return parse_qs(body.decode("latin-1"))


def step_of(environ: WSGIEnvironment) -> Callable[[int], str | None]:
    """From the request, a function of the answer's status that names the step it made, if any."""
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if method == "POST" and path == "/provider/register":
        return lambda status: "registered" if status == 201 else None
    if method == "POST" and path == "/dashboard/api/oauth_state":
        return lambda status: "link" if status == 200 else None
    if method == "GET" and _LANDING.match(path) and "code" in query and "error" not in query:
        return lambda status: "approved" if status == 200 else None
    if method == "POST" and path == "/provider/token":
        exchange = _form(environ).get("grant_type") == ["authorization_code"]
        return lambda status: "exchanged" if exchange and status == 200 else None
    if method == "POST" and path == "/stripe/v1/apps/secrets":
        return lambda status: "saved" if status == 200 else None
    if method == "GET" and path == "/stripe/v1/apps/secrets/find":
        return lambda status: "found" if status == 200 else None
    return lambda status: None


class RecordSteps:
    """WSGI middleware: records each step of the flow the first time this sandbox serves it."""

    def __init__(self, app: WSGIApplication, data_dir: Path) -> None:
        self.app, self.data_dir = app, data_dir
        self.recorded = set(reached(data_dir))

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        step_for = step_of(environ)

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            step = step_for(int(status.split(" ", 1)[0]))
            if step and step not in self.recorded:
                self.recorded.add(step)
                record(self.data_dir, step)
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start_response)

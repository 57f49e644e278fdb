"""The facilitator's board: every learner, and the furthest step each has reached on the core path.

A JupyterHub-managed service (docs/workshop.md gives its config: `c.JupyterHub.services` and a role
with only what it needs). Only those the hub lets reach the service see it: by default its admins,
who hold `access:services`. Its page lists the hub's users; for each running server it asks the
learner's own Jupyter server, through the hub's proxy, for `kit/progress` (workshop.extension),
with the service's token and its `access:servers` scope, and shows the steps reached: the app
registered, a link built, approved, exchanged, saved, found, and each exercise passed. The page
refreshes itself every few seconds. A step's name and time is all it ever gets: no code, verifier,
token or secret reaches it. **Reset** asks the learner's server for `kit/reset`: a clean slate,
their old work moved aside and kept.

    python -m workshop.board      # as the hub starts it, with the JUPYTERHUB_* variables it sets

KIT_BOARD_HUB_URL is where the board reaches the hub's proxy, as a learner's browser does
(TLJH: http://127.0.0.1, or the hub's https address; Z2JH: http://proxy-public).

It needs only what JupyterHub itself brings (tornado, its service auth), so it also runs from a
hub's own environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.web import Application, HTTPError, RequestHandler, authenticated

from .progress import EXERCISES, STEPS

ENV_HUB_URL = "KIT_BOARD_HUB_URL"
REFRESH_SECONDS = 3
PAGINATION = "application/jupyterhub-pagination+json"
_NAME = re.compile(r"^[^/?#]+$")


class Hub:
    """The hub's API and proxy, as the service reaches them with its own token."""

    def __init__(self, api_url: str, proxy_url: str, token: str) -> None:
        self.api_url, self.proxy_url, self.token = api_url.rstrip("/"), proxy_url.rstrip("/"), token
        self.http = AsyncHTTPClient()

    async def _call(self, url: str, method: str = "GET", accept: str = "application/json", timeout: float = 10) -> Any:
        request = HTTPRequest(
            url,
            method=method,
            headers={"Authorization": f"token {self.token}", "Accept": accept},
            body=b"" if method == "POST" else None,
            request_timeout=timeout,
            follow_redirects=False,
        )
        response = await self.http.fetch(request)
        return json.loads(response.body or b"null")

    async def users(self) -> list[dict[str, Any]]:
        """Every user the hub has, page by page, with their default server."""
        users: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            page = await self._call(f"{self.api_url}/users?offset={offset}&limit=200", accept=PAGINATION)
            users.extend(page["items"])
            following = (page.get("_pagination") or {}).get("next")
            offset = following["offset"] if following else None
        return users

    async def learner_server(self, server: dict[str, Any], path: str, method: str = "GET") -> Any:
        """Ask a learner's Jupyter server, through the proxy, for one of the kit's endpoints."""
        return await self._call(url_path_join(self.proxy_url, server["url"], path), method=method, timeout=30)


def server_of(user: dict[str, Any]) -> dict[str, Any] | None:
    return (user.get("servers") or {}).get("")


async def learner_row(hub: Hub, user: dict[str, Any]) -> dict[str, Any]:
    """One row of the board: who, whether their server runs, and what their server says of their progress."""
    row: dict[str, Any] = {"name": user["name"], "admin": bool(user.get("admin")), "last_activity": None}
    server = server_of(user)
    row["last_activity"] = (server or {}).get("last_activity") or user.get("last_activity")
    if not server or not server.get("ready"):
        row["server"] = "starting" if server and server.get("pending") else "stopped"
        return row
    row["server"] = "running"
    try:
        answer = await hub.learner_server(server, "kit/progress")
    except (HTTPClientError, OSError, ValueError) as problem:
        row["problem"] = f"its server did not answer kit/progress ({problem}): is the kit installed there?"
        return row
    row["progress"] = answer["progress"]
    row["kernels"] = answer.get("kernels")
    return row


class BoardHandler(HubOAuthenticated, RequestHandler):
    @property
    def hub(self) -> Hub:
        return self.settings["hub"]


class Page(BoardHandler):
    @authenticated
    def get(self) -> None:
        self.render(
            "board.html",
            prefix=self.settings["prefix"],
            steps=STEPS,
            exercises=EXERCISES,
            refresh_seconds=REFRESH_SECONDS,
            viewer=self.current_user["name"],
        )


class Learners(BoardHandler):
    @authenticated
    async def get(self) -> None:
        users = sorted(await self.hub.users(), key=lambda user: user["name"])
        rows = await asyncio.gather(*(learner_row(self.hub, user) for user in users))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"learners": rows}))


class Reset(BoardHandler):
    @authenticated
    async def post(self, name: str) -> None:
        if not _NAME.match(name):
            raise HTTPError(400, "no such learner")
        users = {user["name"]: user for user in await self.hub.users()}
        server = server_of(users.get(name) or {})
        if not server or not server.get("ready"):
            raise HTTPError(409, f"{name}'s server is not running: start it from /hub/admin, then reset.")
        try:
            answer = await self.hub.learner_server(server, "kit/reset", method="POST")
        except HTTPClientError as problem:
            body = problem.response.body.decode(errors="replace") if problem.response else ""
            raise HTTPError(502, f"{name}'s server refused the reset: {body[:300]}") from None
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"name": name, **answer}))


def make_app() -> Application:
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    hub = Hub(
        os.environ["JUPYTERHUB_API_URL"],
        os.environ.get(ENV_HUB_URL, "http://127.0.0.1"),
        os.environ["JUPYTERHUB_API_TOKEN"],
    )
    return Application(
        [
            (prefix, Page),
            (url_path_join(prefix, "api/learners"), Learners),
            (url_path_join(prefix, r"api/learners/([^/]+)/reset"), Reset),
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        ],
        cookie_secret=os.urandom(32),
        template_path=str(Path(__file__).with_name("templates")),
        hub=hub,
        prefix=prefix,
    )


def main() -> None:
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    HTTPServer(make_app()).listen(url.port or 80, url.hostname or "127.0.0.1")
    loop = IOLoop.current()
    for stop in (signal.SIGINT, signal.SIGTERM):  # the hub stops its services so: end quietly
        signal.signal(stop, lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()


if __name__ == "__main__":
    main()

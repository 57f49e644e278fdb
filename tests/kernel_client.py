"""A notebook without a browser: a Jupyter server's sessions over REST, a kernel's messages over its websocket.

JupyterLab opens a notebook by creating a session (`POST api/sessions`, which starts the
kernel), connects the kernel's websocket (`api/kernels/<id>/channels`) and sends each cell as
an `execute_request`; the outputs come back on the same websocket. `Server` and `Kernel` do the
same, so a test or a bench exercises the learner's own Jupyter server (its REST handlers, its
websocket, its activity tracking and culling) without a browser. Used by
tests/test_jupyter_config.py (culling), and through tests/support/walk.py by bench/room.py and
bench/learner_memory.py.

A server is reached either with a token (a plain `jupyter server`) or with the cookies a
learner got by logging in to JupyterHub (`Server.log_in_through_hub`, which then asks what
JupyterLab's page asks as it loads), in which case each request that changes something
carries the `_xsrf` cookie back as a header, as JupyterLab does.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx
from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect


class KernelGone(RuntimeError):
    """The kernel's websocket closed: the kernel was shut down (or culled) or the server went away."""


@dataclass
class CellResult:
    """What one execute_request gave: its outputs as the notebook would store them, and how long it took."""

    status: str  # "ok" or "error", from the execute_reply
    outputs: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def error(self) -> str | None:
        for output in self.outputs:
            if output["output_type"] == "error":
                return f"{output['ename']}: {output['evalue']}"
        return None if self.status == "ok" else self.status


# What JupyterLab 4's page asks its server for as it loads with a notebook open, under the kit's settings
# (jupyter-config/: no build check, no list of nbconvert's export formats), static files and the notebook's
# own requests aside (`open_notebook` makes those). Answering them makes the server load what it answers
# with (the settings schemas, the translations), so a learner without a browser costs it as much, and no
# more: tests/browser/test_in_jupyterlab.py checks this list against what a real page asks.
LAB_PAGE_REQUESTS = (
    "api/kernelspecs",
    "api/me",
    "lab/api/settings",
    "api/kernels",
    "api/terminals",
    "api/sessions",
    "lab/api/workspaces",
    "lab/api/translations/default",
    "lsp/status",
    "lab/api/translations",
    "lab/api/settings/@jupyterlab/codemirror-extension:plugin",
    "api/contents",
    "server-proxy/servers-info",
    "lab/api/themes/@jupyterlab/theme-light-extension/index.css",
    "lab/api/settings/@jupyterlab/docmanager-extension:plugin",
    "lab/api/settings/@jupyterlab/notebook-extension:panel",
    "lab/api/workspaces/default",
)


class Server:
    """A Jupyter server's REST API, with a token or with a hub login's cookies."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 120) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        headers = {"Authorization": f"token {token}"} if token else {}
        self.http = httpx.AsyncClient(headers=headers, timeout=timeout, follow_redirects=True)

    @classmethod
    async def log_in_through_hub(cls, hub_url: str, user: str, password: str, timeout: float = 300) -> Server:
        """Log in on the hub's form, have it start the user's server, and come back with its cookies.

        The same steps as a browser: the login form (with the hub's _xsrf), /hub/spawn, the
        spawn-pending page until the server is up, then the server's OAuth round trip with
        the hub, which leaves the server's own cookie.
        """
        server = cls(f"{hub_url}/user/{user}/", timeout=timeout)
        http = server.http
        form = await http.get(f"{hub_url}/hub/login")
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        data = {"username": user, "password": password, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
        logged_in = await http.post(f"{hub_url}/hub/login?next=/hub/spawn/{user}", data=data)
        if logged_in.status_code >= 400 or "/hub/login" in str(logged_in.url):
            raise RuntimeError(f"{user} could not log in: {logged_in.status_code} at {logged_in.url}")
        deadline = time.monotonic() + timeout
        # JupyterLab's page: the spawn-pending page until the server is up, then the server's
        # OAuth round trip (its cookie) and the page, which sets the _xsrf cookie that every
        # POST and DELETE sends back. (An API URL would only answer 403 without the cookie.)
        while True:
            response = await http.get(f"{server.base_url}lab")
            if response.status_code == 200 and str(response.url).startswith(server.base_url):
                for request in LAB_PAGE_REQUESTS:
                    await http.get(f"{server.base_url}{request}")
                return server
            if time.monotonic() > deadline:
                raise TimeoutError(f"{user}'s server did not start within {timeout:.0f} s ({response.url})")
            await asyncio.sleep(1)

    def _headers(self) -> dict:
        path = urlsplit(self.base_url).path
        # The server's own _xsrf cookie (the hub's, for /hub/, has the same name).
        xsrf = [c.value for c in self.http.cookies.jar if c.name == "_xsrf" and path.startswith(c.path)]
        return {"X-XSRFToken": xsrf[-1]} if xsrf else {}

    async def open_notebook(self, path: str, kernel_name: str = "python3") -> Kernel:
        """Open a notebook as JupyterLab does: read it, make a session (its kernel starts), connect the websocket."""
        (await self.http.get(f"{self.base_url}api/contents/{path}")).raise_for_status()
        response = await self.http.post(
            f"{self.base_url}api/sessions",
            json={"path": path, "name": path.rsplit("/", 1)[-1], "type": "notebook", "kernel": {"name": kernel_name}},
            headers=self._headers(),
        )
        response.raise_for_status()
        session = response.json()
        return await self.connect(session["kernel"]["id"], session_id=session["id"])

    async def start_kernel(self, kernel_name: str = "python3") -> Kernel:
        """A kernel with no notebook (`POST api/kernels`), its websocket connected."""
        response = await self.http.post(
            f"{self.base_url}api/kernels", json={"name": kernel_name}, headers=self._headers()
        )
        response.raise_for_status()
        return await self.connect(response.json()["id"])

    async def connect(self, kernel_id: str, session_id: str | None = None) -> Kernel:
        url = urlsplit(f"{self.base_url}api/kernels/{kernel_id}/channels")
        scheme = "wss" if url.scheme == "https" else "ws"
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies.jar if url.path.startswith(c.path))
        headers = {**{k: v for k, v in self.http.headers.items() if k.lower() == "authorization"}}
        if cookies:
            headers["Cookie"] = cookies
        client_session = uuid.uuid4().hex
        request = HTTPRequest(
            f"{scheme}://{url.netloc}{url.path}?session_id={client_session}", headers=headers, request_timeout=120
        )
        socket = await websocket_connect(request, max_message_size=64 * 1024 * 1024)
        return Kernel(self, kernel_id, session_id, client_session, socket)

    async def kernel_exists(self, kernel_id: str) -> bool:
        response = await self.http.get(f"{self.base_url}api/kernels/{kernel_id}")
        return response.status_code == 200

    async def kernels(self) -> list[dict]:
        response = await self.http.get(f"{self.base_url}api/kernels")
        response.raise_for_status()
        return response.json()

    async def aclose(self) -> None:
        await self.http.aclose()


class Kernel:
    """One kernel's websocket: send cells, collect their outputs; close the tab or shut the kernel down."""

    def __init__(self, server: Server, kernel_id: str, session_id: str | None, client_session: str, socket) -> None:
        self.server, self.id, self.session_id = server, kernel_id, session_id
        self._client_session = client_session
        self._socket: WebSocketClientConnection = socket

    def _message(self, msg_type: str, content: dict) -> dict:
        return {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "username": "learner",
                "session": self._client_session,
                "msg_type": msg_type,
                "version": "5.3",
                "date": datetime.now(timezone.utc).isoformat(),
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "buffers": [],
            "channel": "shell",
        }

    async def execute(self, code: str, timeout: float = 300) -> CellResult:
        """Run one cell; return when its execute_reply and its idle status have both come back."""
        request = self._message(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        started = time.perf_counter()
        await self._socket.write_message(json.dumps(request))
        result = CellResult(status="")
        idle = False
        deadline = time.monotonic() + timeout
        while not (idle and result.status):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no answer to a cell within {timeout:.0f} s")
            raw = await asyncio.wait_for(self._socket.read_message(), remaining)
            if raw is None:
                raise KernelGone(f"kernel {self.id}: its websocket closed")
            if isinstance(raw, bytes):
                continue  # binary frames carry buffers (widgets); no cell output of ours comes as one
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
                continue  # another client's, or a widget's message
            kind, content = message["msg_type"], message["content"]
            if kind == "execute_reply":
                result.status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind in ("stream", "display_data", "execute_result", "error"):
                result.outputs.append({"output_type": kind, **content})
        result.seconds = time.perf_counter() - started
        return result

    def close(self) -> None:
        """Close the websocket only (the tab goes; the kernel stays, as JupyterLab leaves it)."""
        self._socket.close()

    async def shut_down(self) -> None:
        """Kernel > Shut Down Kernel: the session and its kernel end."""
        self.close()
        http, base = self.server.http, self.server.base_url
        if self.session_id:
            response = await http.delete(f"{base}api/sessions/{self.session_id}", headers=self.server._headers())
        else:
            response = await http.delete(f"{base}api/kernels/{self.id}", headers=self.server._headers())
        if response.status_code not in (204, 404):
            response.raise_for_status()

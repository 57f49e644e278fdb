"""Start, find and stop the one sandbox of a data folder; what notebooks call.

The sandbox runs detached from the kernel, so it outlives a kernel restart and
"find the secret in a later session" is real. A lock file makes two kernels
starting at once share one sandbox instead of racing to start two.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from helpers.errors import KitError
from helpers.trace import http_client

from . import in_process
from .files import LOG_FILE, STDERR_FILE
from .installs import Install
from .spawn import LAST_PORT_FILE, LOCK_FILE, alive, announced, resolve_data_dir, spawn
from .user_agent import ConsentPage, ConsentResult, answer_consent, consent, open_consent, visit

# A sandbox asleep (idle.py) answers once it has woken: a second or two, more on a busy machine.
WAKE_TIMEOUT = 30


class SandboxError(KitError):
    """The sandbox could not be started, reached or used."""


class ParsedManifest(Protocol):
    """A manifest the kernel already read (helpers.manifest.Manifest): the sandbox takes its raw JSON only."""

    @property
    def raw(self) -> Mapping[str, Any]: ...


def _manifest_json(manifest: ParsedManifest | Mapping[str, Any] | str | Path) -> dict[str, Any]:
    """The manifest's JSON, for the Dashboard to check against Stripe's schema (the kernel's reading is not trusted)."""
    if isinstance(manifest, (str, Path)):
        try:
            data: dict[str, Any] = json.loads(Path(manifest).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SandboxError(
                f"Cannot read the manifest {manifest}: {error}.", hint="Pass the path of a stripe-app.json."
            ) from None
        return data
    if isinstance(manifest, Mapping):
        return dict(manifest)
    return dict(manifest.raw)


@dataclass(frozen=True)
class World:
    """A running sandbox: where each stand-in lives, and the sandbox-only actions."""

    base_url: str
    data_dir: Path
    pid: int
    # A world in the kernel itself (in_process.py): its working folder (database, log); None for a sandbox process.
    work_dir: Path | None = None

    @property
    def in_process(self) -> bool:
        return self.work_dir is not None

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 80

    @property
    def stripe_api_base(self) -> str:
        return f"{self.base_url}/stripe"

    @property
    def provider_issuer(self) -> str:
        return f"{self.base_url}/provider"

    @property
    def dashboard_base(self) -> str:
        return f"{self.base_url}/dashboard"

    @property
    def log_file(self) -> Path:
        return (self.work_dir or self.data_dir) / LOG_FILE

    def log_line(self, containing: str, timeout: float = 5.0) -> str:
        """The last line of the sandbox's log that holds ``containing``, waiting for one up to ``timeout`` s.

        The sandbox writes its log from a thread of its own, a moment after it has answered (server.py), so
        the line of a request just made may not be in the file yet.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                lines = [line for line in self.log_file.read_text().splitlines() if containing in line]
            except OSError:
                lines = []
            if lines:
                return lines[-1]
            if time.monotonic() >= deadline:
                raise SandboxError(
                    f"No line of the sandbox's log ({self.log_file}) holds {containing!r}.",
                    hint="Make the request first; its line follows within a moment.",
                )
            time.sleep(0.01)

    def browser_url(self, path: str = "/") -> str:
        """The address of a sandbox page for the learner's browser.

        On JupyterHub and Binder, and under any Jupyter server with a base URL, the browser
        may not be on the kernel's machine: it goes through jupyter-server-proxy under the
        server's prefix, with a relative link (the browser supplies the host). Otherwise
        (a laptop) the browser reaches 127.0.0.1 directly.
        """
        path = "/" + path.lstrip("/")
        prefix = proxy_prefix()
        if prefix is not None:
            return f"{prefix}proxy/{self.port}{path}"
        return f"{self.base_url}{path}"

    @property
    def http(self) -> httpx.Client:
        """A plain (untraced) client for the sandbox-only calls, shared by the whole process."""
        return _loopback_client()

    def install_app(
        self, manifest: ParsedManifest | Mapping[str, Any] | str | Path, user_id: str, mode: str = "test"
    ) -> Install:
        """Install the app for a user in a mode, as uploading and installing it in Stripe would."""
        response = self.http.post(
            f"{self.dashboard_base}/api/installs",
            json={"manifest": _manifest_json(manifest), "user_id": user_id, "mode": mode},
        )
        body = response.json()
        if response.status_code != 200:
            raise SandboxError(body["error"]["message"], hint="Fix the manifest or the arguments, then try again.")
        return Install.from_json(body)

    def consent(self, link: str, approve: bool = True, follow: bool = True) -> ConsentResult:
        """Play the user at the provider's consent page: open the link, press Approve or Deny.

        With follow=False the provider's redirect is not followed: its URL (with the code) is returned.
        """
        return consent(link, approve=approve, sandbox_base=self.base_url, http=self.http, follow=follow)

    def open_consent(self, link: str) -> ConsentPage:
        """Open the link as the user's browser does, and stop at the provider's page (its choices in ``choices``)."""
        return open_consent(link, http=self.http)

    def answer_consent(self, page: ConsentPage, decision: str) -> ConsentResult:
        """Press the page's button for ``decision`` (``"approve"``, ``"deny"``), and follow on to the Dashboard."""
        return answer_consent(page, decision=decision, sandbox_base=self.base_url, http=self.http)

    def let_time_pass(self, token: str, seconds: int) -> None:
        """Make `seconds` pass for the grant `token` belongs to, at the provider (instead of waiting)."""
        response = self.http.post(
            f"{self.provider_issuer}/sandbox/let-time-pass", data={"token": token, "seconds": str(seconds)}
        )
        if response.status_code != 200:
            raise SandboxError(
                f"The sandbox could not age that token: {response.json()['error_description']}",
                "Pass an access or refresh token this sandbox's provider issued.",
            )

    def open_app(self, folder: Path | str, user_id: str, mode: str = "test") -> str:
        """Build the app in ``folder`` and give the address of the Dashboard page that runs it, as
        `stripe apps start` does: installed for ``user_id`` from its own manifest, its view in the
        drawer, its code in a sandboxed iframe under its manifest's CSP (sandbox/app_page.py).

        A folder without node_modules is built with the kit's own app's packages (the same lockfile).
        """
        from helpers.stripe_app import KIT_APP

        folder = Path(folder).resolve()
        install = self.install_app(folder / "stripe-app.json", user_id, mode)
        packages = KIT_APP / "node_modules"
        own = (folder / "node_modules").is_dir()
        response = self.http.post(
            f"{self.dashboard_base}/api/apps",
            json={"folder": str(folder), "packages": None if own or not packages.is_dir() else str(packages)},
            headers={"Authorization": f"Bearer {install.api_key}"},
            timeout=180,
        )
        if response.status_code != 200:
            raise SandboxError(
                f"The Dashboard could not run the app: {response.json()['error']['message']}",
                hint="Fix what it names, then open the app again.",
            )
        return self.browser_url(response.json()["page"].removeprefix(urlsplit(self.base_url).path))

    def set_cors(self, enabled: bool) -> None:
        """Switch the provider's CORS for browser apps on or off (sandbox/provider/cors.py); it stays so."""
        response = self.http.post(f"{self.provider_issuer}/sandbox/cors", data={"enabled": "on" if enabled else "off"})
        response.raise_for_status()

    def visit(self, url: str) -> ConsentResult:
        """Open a URL in the user's browser, e.g. a redirect URL an attacker made: what the Dashboard says."""
        return visit(url, sandbox_base=self.base_url, http=self.http)

    def is_healthy(self, timeout: float = 2) -> bool:
        try:
            response = self.http.get(f"{self.base_url}/healthz", timeout=timeout)
            return response.status_code == 200 and Path(response.json()["data_dir"]) == self.data_dir
        except (httpx.HTTPError, ValueError, KeyError):
            return False

    def stop(self, timeout: float = 10) -> None:
        """Stop this sandbox. Its data stays in the data folder for the next start."""
        if self.in_process:
            in_process.stop(self)
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and alive(self.pid):
            time.sleep(0.05)


def proxy_prefix() -> str | None:
    """The Jupyter server's URL prefix when the browser must go through it, else None.

    `JUPYTERHUB_SERVICE_PREFIX` on JupyterHub and Binder; else the base URL of the Jupyter
    server that started this kernel (found from `JPY_PARENT_PID` in its runtime file), when
    it is not "/". Read from where the server is, never guessed.
    """
    hub = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if hub:
        return hub if hub.endswith("/") else hub + "/"
    server_pid = os.environ.get("JPY_PARENT_PID")
    if not server_pid:
        return None
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        info = json.loads((Path(jupyter_runtime_dir()) / f"jpserver-{server_pid}.json").read_text())
    except (ImportError, OSError, ValueError):
        return None
    base_url = info.get("base_url") or "/"
    return base_url if base_url != "/" else None


@functools.cache
def _loopback_client() -> httpx.Client:
    # One client for the process; it loads no CA bundle (about 20 ms and 1 MiB) for calls that never use TLS.
    return http_client(timeout=30)


def running(data_dir: Path | str | None = None) -> World | None:
    """The healthy sandbox serving this data folder, if there is one."""
    data_dir = resolve_data_dir(data_dir)
    if in_process.wanted():
        return in_process.running(data_dir)
    found = announced(data_dir)
    if found is None:
        return None
    world = World(f"http://127.0.0.1:{found[1]}", data_dir, found[0])
    return world if world.is_healthy(timeout=WAKE_TIMEOUT) else None


def start(data_dir: Path | str | None = None, port: int | None = None, timeout: float = 30) -> World:
    """Reuse the running sandbox of this data folder, or start one, detached.

    Without a port it takes the port this data folder's sandbox last had,
    when that is free, so the redirect URIs registered with the provider
    (which hold the port) keep working after a restart; else any free port.
    """
    data_dir = resolve_data_dir(data_dir)
    # Every notebook after the first finds the sandbox running: no lock needed to see it, and filelock
    # (0.7 MiB) stays out of those kernels.
    world = running(data_dir)
    if world:
        return world
    data_dir.mkdir(parents=True, exist_ok=True)
    if in_process.wanted():  # no processes, no sockets (the browser edition): the world runs in this kernel
        return in_process.start(data_dir, port)
    # Not on the browser edition's path either: on Pyodide (no fcntl) filelock warns as it is imported.
    from filelock import FileLock

    # Two kernels (or a kernel and the learner's server, spawn.start_early) starting at once share one sandbox.
    with FileLock(data_dir / LOCK_FILE):
        world = running(data_dir)
        if world:
            return world
        process = spawn(data_dir, port)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SandboxError(
                    f"The sandbox exited at start (exit code {process.returncode}).",
                    hint=f"Read {data_dir / STDERR_FILE}; if the port is in use, call sandbox.start() "
                    "without a port to take a free one.",
                )
            world = running(data_dir)
            if world and world.pid == process.pid:
                (data_dir / LAST_PORT_FILE).write_text(str(world.port))
                return world
            # Until it announces itself, a look is one failed file read: a fine step costs nothing, and
            # the learner's first cell (00) waits no longer than the sandbox takes to start (~0.15 s).
            time.sleep(0.01)
        process.terminate()
        raise SandboxError(
            f"The sandbox did not answer within {timeout:.0f} seconds.",
            hint=f"Read {data_dir / STDERR_FILE} and {data_dir / LOG_FILE}, then try sandbox.start() again.",
        )


def stop(data_dir: Path | str | None = None) -> bool:
    """Stop the sandbox of this data folder, if one runs. Returns whether one was stopped."""
    world = running(data_dir)
    if world:
        world.stop()
    return world is not None

"""A real JupyterHub for a room of learners, and what a learner does in it with a browser.

`Hub` starts `jupyterhub` from this venv with `jupyterhub_config.py` next to this file, on
127.0.0.1 with free ports, in a folder of its own, behind configurable-http-proxy (CHP). CHP
comes from npm, and it is installed into `.cache/chp/` at the top of the checkout the first time.
The learners' servers run from another venv, the kit installed in it by the TLJH recipe's install
block (tests/installed.py), as TLJH keeps the hub's environment apart from the users'. The
recipe's config snippet goes into the hub's jupyterhub_config.d/, as TLJH loads it: each learner
gets the learner edition from the kit's server extension, lands on 00-index, and logs in with the
room's password.
`Learner` drives one learner's browser context (Playwright's async API): log in, open a
notebook in JupyterLab, Run All, authorize the app. Used by tests/hub (whose fixtures are in its
conftest.py), bench/hub_memory.py, bench/room.py and bench/learner_memory.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

from tests.installed import InstalledKit, install_kit
from tests.recipes import tljh_config_snippet
from tests.support.ports import free_ports
from workshop.edition import COPY_NAME

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.prefix) / "bin"
CHP_VERSION = "5.3.0"
CHP_DIR = ROOT / ".cache" / "chp"
CHP_BINARY = CHP_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "workshop-pass-for-tests"
ADMIN = "facilitator"  # an admin, as TLJH names the one its installer was given
ADMIN_PASSWORD = "the-facilitators-password-for-the-hub-tests"  # 32 characters or more, as JupyterHub asks
NOTEBOOKS_IN_HOME = f"{COPY_NAME}/notebooks"  # the learner's copy of the learner edition
ARTIFACTS = ROOT / "tests" / "artifacts"
# The same JupyterLab overrides as tests/browser: no news toast, and every cell in the page.
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


class ProxyUnavailable(RuntimeError):
    """configurable-http-proxy is not installed, and npm is not there to install it."""


def configurable_http_proxy() -> Path:
    """The CHP binary, installed from npm into .cache/chp/ when it is missing."""
    if CHP_BINARY.exists():
        return CHP_BINARY
    npm = shutil.which("npm")
    if npm is None:
        raise ProxyUnavailable(
            f"configurable-http-proxy is missing from {CHP_DIR} and npm is not installed to fetch it: "
            "install Node.js and npm (apt-get install nodejs npm) and run the test again."
        )
    CHP_DIR.mkdir(parents=True, exist_ok=True)
    with open(CHP_DIR / ".install.lock", "w") as lock:  # two test runs at once install it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not CHP_BINARY.exists():
            result = subprocess.run(
                [
                    npm,
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    str(CHP_DIR),
                    f"configurable-http-proxy@{CHP_VERSION}",
                ],
                check=False,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if result.returncode != 0 or not CHP_BINARY.exists():
                raise ProxyUnavailable(f"npm could not install configurable-http-proxy:\n{result.stderr[-2000:]}")
    return CHP_BINARY


PORT_ATTEMPTS = 3  # starts of a hub, each on new ports, while it finds one taken


class PortTaken(RuntimeError):
    """The hub or its proxy found a port it was given taken."""


def wait_for(check, timeout: float, what: str, interval: float = 0.1):
    """Poll `check()` until it returns something truthy, and return that; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


class Hub:
    """One JupyterHub, its proxy and its learners' servers, all in `run_dir`."""

    def __init__(
        self, run_dir: Path, kit: InstalledKit, spawner_args: Sequence[str] = (), spawner_env: Mapping[str, str] = {}
    ) -> None:
        """Learners' servers from `kit`. `spawner_args` and `spawner_env` go to every learner's server on top of
        the config's (benches).
        """
        self.run_dir, self.kit = run_dir, kit
        snippets = run_dir / "jupyterhub_config.d"
        snippets.mkdir(parents=True, exist_ok=True)
        (snippets / "pkce-kit.py").write_text(tljh_config_snippet(kit.checkout, kit.bin))
        settings = run_dir / "lab-settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES))
        self.log_path = run_dir / "jupyterhub.log"
        self._seen: dict[int, psutil.Process] = {}
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("JUPYTER", "KIT_", "JPY_"))  # nothing of this test's own Jupyter or sandbox
        }
        env.update(
            KIT_HUB_DIR=str(run_dir),
            KIT_HUB_VENV_BIN=str(VENV_BIN),
            KIT_HUB_USER_BIN=str(kit.bin),
            KIT_HUB_CHP=str(configurable_http_proxy()),
            KIT_HUB_PASSWORD=PASSWORD,
            KIT_HUB_ADMIN=ADMIN,
            KIT_HUB_ADMIN_PASSWORD=ADMIN_PASSWORD,
            KIT_HUB_SPAWNER_ARGS=json.dumps(list(spawner_args)),
            KIT_HUB_SPAWNER_ENV=json.dumps(dict(spawner_env)),
        )
        # Free ports are free only when probed (tests/support/ports.py): the hub or its proxy may find one
        # taken as it binds, and exits saying so; then it starts again on others.
        for attempt in range(1, PORT_ATTEMPTS + 1):
            self.port, internal_port, api_port, board_port = free_ports(4)
            self.url = f"http://127.0.0.1:{self.port}"
            env.update(
                KIT_HUB_PORT=str(self.port),
                KIT_HUB_INTERNAL_PORT=str(internal_port),
                KIT_HUB_PROXY_API_PORT=str(api_port),
                KIT_HUB_BOARD_PORT=str(board_port),
            )
            # As tests/support/ports.py's start_jupyter: the hub holds its log open; this process need not.
            with open(self.log_path, "w") as log:
                self.process = subprocess.Popen(
                    [str(VENV_BIN / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
                    cwd=run_dir,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                wait_for(self._answers, 60, f"JupyterHub did not answer; see {self.log_path}")
                return
            except BaseException as error:
                self.stop()
                if not isinstance(error, PortTaken) or attempt == PORT_ATTEMPTS:
                    raise

    @classmethod
    def with_the_kit_installed(cls, run_dir: Path, **options) -> Hub:
        """A hub in `run_dir` with the kit installed there first by the recipe (benches)."""
        return cls(run_dir, install_kit(run_dir / "install"), **options)

    def _answers(self) -> bool:
        # The hub exits when its own port is taken; the proxy only logs it, and runs on without its public port.
        if "already in use" in self.log_path.read_text(errors="replace"):
            raise PortTaken(f"a port of the hub was taken before it could bind it; see {self.log_path}")
        if self.process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with code {self.process.returncode}; see {self.log_path}")
        try:  # through the proxy, as a browser comes
            return httpx.get(f"{self.url}/hub/api", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def home(self, user: str) -> Path:
        return self.run_dir / "home" / user

    def homes(self) -> list[Path]:
        """Every learner's home the hub made so far."""
        return sorted(path for path in (self.run_dir / "home").glob("*") if path.is_dir())

    def sandbox_dir(self, user: str) -> Path:
        """Where the learner's sandbox keeps its data: KIT_SANDBOX_DIR=~/.kit-sandbox in the config."""
        return self.home(user) / ".kit-sandbox"

    def server_process(self, user: str) -> psutil.Process:
        """The learner's single-user server: the hub's child started for that user."""
        for child in psutil.Process(self.process.pid).children():
            try:
                if child.environ().get("JUPYTERHUB_USER") == user:
                    return child
            except psutil.NoSuchProcess:
                continue
        raise LookupError(f"no single-user server runs for {user}")

    def remember_processes(self) -> None:
        """Note every process under the hub now, so stop() can make sure they all ended."""
        try:
            for process in psutil.Process(self.process.pid).children(recursive=True):
                self._seen[process.pid] = process
        except psutil.NoSuchProcess:
            pass

    def stop(self) -> None:
        """SIGTERM the hub (it stops CHP and the servers), then end anything of ours still running."""
        self.remember_processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        leftovers = [p for p in self._seen.values() if _still_running(p)]
        for process in leftovers:  # only processes this hub started, each by its own pid
            process.terminate()
        _, alive = psutil.wait_procs(leftovers, timeout=10)
        for process in alive:
            process.kill()


@contextmanager
def bench_folder(prefix: str) -> Iterator[Path]:
    """A bench's hub folder in the temporary directory (the kit's venv, the learners' homes, the logs: about
    0.5 GB), removed when the bench is done with it; kept, and named, when the bench fails, for its logs."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    except BaseException:
        print(f"kept for its logs: {folder}", file=sys.stderr)
        raise
    shutil.rmtree(folder, ignore_errors=True)


def _still_running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def process_tree_memory(root: psutil.Process, extra: list[int] = ()) -> dict:
    """RSS, PSS and USS (bytes) summed over `root`, its descendants and the `extra` pids."""
    processes = {root.pid: root}
    processes.update({p.pid: p for p in root.children(recursive=True)})
    for pid in extra:
        processes.setdefault(pid, psutil.Process(pid))
    totals = {"rss": 0, "pss": 0, "uss": 0}
    rows = []
    for process in processes.values():
        info = process.memory_full_info()
        for key in totals:
            totals[key] += getattr(info, key)
        rows.append((process.pid, " ".join(process.cmdline())[:100], info.rss, info.pss, info.uss))
    return {**totals, "processes": rows}


# ---------------------------------------------------------------- a learner in the browser


class Learner:
    """One learner: their own browser context (own cookies), logged in to the hub as `name`."""

    def __init__(self, hub: Hub, browser, name: str) -> None:
        self.hub, self.browser, self.name = hub, browser, name
        self.server_url = f"{hub.url}/user/{name}/"
        self.console_errors: list[str] = []

    async def start(self) -> None:
        self.context = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = await self.context.new_page()
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        # A Run All that comes before the page has its kernel asks "Select Kernel" (on a busy hub,
        # the page can say idle before that). Accept the preferred kernel, as a learner would.
        await self.page.add_locator_handler(
            self.page.locator(".jp-Dialog").filter(has_text="Select Kernel"),
            lambda dialog: dialog.locator("button.jp-mod-accept").click(),
        )

    async def close(self) -> None:
        await self.context.close()

    async def screenshot(self, page, moment: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"hub-{self.name}-{moment}.png"
        await page.screenshot(path=str(path))
        return path

    def notebook_url(self, notebook: str) -> str:
        return f"{self.server_url}lab/tree/{NOTEBOOKS_IN_HOME}/{notebook}?reset"

    async def log_in(self, notebook: str) -> None:
        """The hub's login form, then the hub starts the server and sends the browser to the notebook."""
        from playwright.async_api import expect

        # After the login, start the server (/hub/spawn, as the hub's own home page does), then the notebook.
        spawn = f"/hub/spawn/{self.name}?next={quote(self.notebook_url(notebook).removeprefix(self.hub.url))}"
        await self.page.goto(f"{self.hub.url}/hub/login?next={quote(spawn)}")
        await self.page.fill("#username_input", self.name)
        await self.page.fill("#password_input", PASSWORD)
        await self.screenshot(self.page, "login")
        await self.page.click("#login_submit")
        # login -> spawn -> spawn-pending (while the server starts) -> the notebook in JupyterLab
        await expect(self.page).to_have_url(re.compile(re.escape(f"{self.server_url}lab")), timeout=120_000)

    async def open_and_run(self, notebook: str, navigate: bool = True) -> None:
        """Open a notebook (already open after log_in), Run All, and wait until every cell has run."""
        from playwright.async_api import expect

        page = self.page
        if navigate:
            await page.goto(self.notebook_url(notebook))
        await page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        menu = page.locator("#jp-MainMenu")
        panel = page.locator(".jp-NotebookPanel:visible")
        # The learner edition folds its optional cells: a folded cell shows a placeholder, with no prompt.
        prompts = panel.locator(".jp-CodeCell .jp-InputPrompt:not(.jp-Placeholder-prompt)")
        first_prompt = prompts.first
        # On a busy hub the page can say idle before its kernel is attached ("No Kernel").
        try:
            await expect(panel.locator(".jp-Toolbar-kernelName")).to_have_text(re.compile("Python 3"), timeout=30_000)
        except AssertionError:
            pass  # Run All then asks "Select Kernel", and the handler of start() answers
        # The notebook comes with its outputs and their numbers: clear them, so a number on the
        # first cell means it ran now. A Run All that ran nothing is then tried again. (A menu
        # command given while the notebook is not yet the current tab does nothing: try again.)
        numbered = re.compile(r"\[\d+\]")
        # Queued ([*]) counts as run: a slow kernel may not start within the wait, and a second
        # Run All would then run the notebook twice, and the second run fails.
        started = re.compile(r"\[(\d+|\*)\]")
        for menu_name, command, ran, seconds in (
            ("Edit", "Clear Outputs of All Cells", False, 5),
            ("Run", "Run All Cells", True, 15),
        ):
            for _ in range(6):
                await menu.get_by_text(menu_name, exact=True).click()
                await page.get_by_text(command, exact=True).click()
                try:
                    if ran:
                        await expect(first_prompt).to_have_text(started, timeout=seconds * 1000)
                    else:
                        await expect(first_prompt).not_to_have_text(numbered, timeout=seconds * 1000)
                    break
                except AssertionError:
                    continue
            else:
                raise AssertionError(f"{self.name}: {command} had no effect on {notebook}")
        await expect(panel.locator(".jp-InputPrompt", has_text="[*]")).to_have_count(0, timeout=180_000)
        await expect(prompts.last).to_have_text(re.compile(r"\[\d+\]"))
        await page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)

    async def assert_clean(self) -> None:
        page = self.page
        assert await page.locator("text=Error displaying widget").count() == 0, self.name
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert await errors.count() == 0, f"{self.name}: {await errors.first.inner_text()}"
        assert self.console_errors == [], f"{self.name}: {self.console_errors}"

    async def authorize_in_the_browser(self) -> dict:
        """06's "Your turn": Authorize -> consent tab -> Approve -> the app in the notebook signs in by itself."""
        from playwright.async_api import expect

        page = self.page
        app = page.locator(".jp-Cell").filter(has_text="yours = kit.example_app(").locator(".jp-OutputArea")
        await expect(app.locator("a.kit-authorize")).to_have_count(1, timeout=60_000)
        await app.scroll_into_view_if_needed()
        await expect(app).to_contain_text("not connected")
        await self.screenshot(page, "notebook")
        async with page.expect_popup() as opened:
            await app.locator("a.kit-authorize").click()
        consent = await opened.value
        await consent.wait_for_load_state()
        consent_url = consent.url
        await expect(consent.locator("#consent-title")).to_contain_text("PKCE Kit Example", timeout=30_000)
        await self.screenshot(consent, "consent")
        await consent.get_by_role("button", name="Approve").click()
        await expect(consent.locator("#landing")).to_contain_text("You approved the app", timeout=30_000)
        landing_url = consent.url
        approved_at = time.monotonic()
        await self.screenshot(consent, "landing")
        await page.bring_to_front()
        await expect(app).to_contain_text("connected: the token is saved", timeout=60_000, ignore_case=True)
        seconds = time.monotonic() - approved_at
        await expect(app).to_contain_text("expires in about 60 min")
        await app.scroll_into_view_if_needed()
        await self.screenshot(page, "signed-in")
        await consent.close()
        return {"consent_url": consent_url, "landing_url": landing_url, "signed_in_after": seconds}

"""The kit's server commands (workshop/server.py): the usual servers, without rfc3987_syntax or httpx's CLI.

Each command is run as installed (the console scripts in the venv's bin, as a hub's Spawner.cmd and
`make lab` run them) with Python's import log on (PYTHONPROFILEIMPORTTIME): `--version` imports the
whole server (jupyter_server, and jsonschema with it) before it answers, so the log shows what a
running server would have imported.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest
import tomllib

import sandbox
from sandbox.spawn import announced
from tests.kernel_client import LAB_PAGE_REQUESTS
from tests.processes import in_a_fresh_process, stop_process
from tests.support.lab import KIT_JUPYTER_CONFIG, counting_node
from tests.support.ports import jupyter_options, serving, start_jupyter

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# What importing rfc3987_syntax loads (the import log also lists an import that failed, the package's own name).
LOADED_BY_IT = {"rfc3987_syntax.syntax_helpers", "lark"}
# What httpx's command-line client loads where the kit's test tools installed rich and click.
LOADED_BY_HTTPX_CLI = {"click", "rich.console"}


def imported_by(command: str) -> set[str]:
    result = subprocess.run(
        [str(BIN / command), "--version"],
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return modules_in(result.stderr)


def modules_in(import_log: str) -> set[str]:
    """The modules an import log (PYTHONPROFILEIMPORTTIME, on stderr) names."""
    return {line.rsplit("|", 1)[-1].strip() for line in import_log.splitlines() if line.startswith("import time:")}


def page_config_of(lab_page: str) -> dict:
    """The page config the server wrote into its Lab page (what the page's plugins read)."""
    data = lab_page.split('id="jupyter-config-data" type="application/json">', 1)[1]
    return json.loads(data.split("</script>", 1)[0])


def test_the_console_scripts_are_the_modules_commands():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"pkce-kit-singleuser": "workshop.server:singleuser", "pkce-kit-lab": "workshop.server:lab"}


@pytest.mark.parametrize(
    ("kit", "usual"), [("pkce-kit-lab", "jupyter-lab"), ("pkce-kit-singleuser", "jupyterhub-singleuser")]
)
def test_each_command_runs_its_server_without_rfc3987_syntax(kit, usual):
    imports = imported_by(kit)
    assert "jsonschema" in imports and "jupyter_server.serverapp" in imports
    assert not imports & LOADED_BY_IT
    if importlib.util.find_spec("rfc3987_syntax") is not None:  # installed: the usual command loads it
        assert LOADED_BY_IT <= imported_by(usual)


def test_jupyterlab_runs_without_httpx_command_line_client():
    # `--version` of the single-user command does not import JupyterLab (it loads as the server's extension);
    # both commands leave out the same names (the next test), so JupyterLab's command shows it for both.
    imports = imported_by("pkce-kit-lab")
    assert "httpx" in imports and "jupyterlab.extensions.pypi" in imports  # the extension manager still has httpx
    assert not imports & LOADED_BY_HTTPX_CLI
    if all(importlib.util.find_spec(name) for name in ("rich", "click")):  # installed: the usual command loads them
        assert LOADED_BY_HTTPX_CLI <= imported_by("jupyter-lab")


def test_httpx_without_its_command_line_client_still_sends_requests():
    code = (
        "from workshop.server import _leave_out; _leave_out(); import sys, httpx; "
        "r = httpx.Client(transport=httpx.MockTransport(lambda q: httpx.Response(204))).get('http://x/'); "
        "print(r.status_code, 'click' in sys.modules, 'rich' in sys.modules)"
    )
    out = in_a_fresh_process(code).split()
    assert out == ["204", "False", "False"]


def test_jsonschema_without_it_checks_every_format_a_jupyter_schema_uses():
    code = (
        "from workshop.server import _leave_out; _leave_out(); import jsonschema, sys; "
        "c = jsonschema.FormatChecker(); print(sorted({'uri', 'date-time', 'uuid'} - set(c.checkers)), "
        "'iri' in c.checkers, sys.modules.get('rfc3987_syntax'))"
    )
    out = in_a_fresh_process(code).split()
    assert out == ["[]", "False", "None"]


# What the servers defer (workshop/left_out.py `defer`): loaded at import by server extensions, used only on
# paths the kit never takes (jupyterlab_server's extension listings, jupyter-server-proxy's readiness check
# of processes it launches). What loading either would import first.
LOADED_BY_THE_DEFERRED = {"requests.api", "aiohttp.client"}


def test_the_hub_servers_extensions_load_without_cryptography_or_requests():
    # The modules jupyterhub-singleuser and its server extensions import as they start (not run: it needs a hub).
    code = (
        "from workshop.server import _leave_out; _leave_out(); import json, sys; "
        "import jupyterhub.singleuser.mixins, jupyterhub.crypto, jupyterlab_server, jupyter_server_proxy.handlers; "
        "print(json.dumps({'crypto': jupyterhub.crypto.cryptography is None, "
        "'loaded': sorted(m for m in ('requests.api', 'cryptography.fernet') if m in sys.modules)}))"
    )
    assert json.loads(in_a_fresh_process(code)) == {"crypto": True, "loaded": []}


def test_the_lab_command_proxies_a_port_without_loading_what_it_defers(tmp_path):
    """As a hub learner's browser reaches their sandbox: through jupyter-server-proxy's /proxy/<port>/."""
    page = tmp_path / "page"
    page.mkdir()
    (page / "index.html").write_text("the sandbox's page")
    with (
        serving(functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(page))) as port,
        running(["pkce-kit-lab"], tmp_path) as (lab, log),
    ):
        answer = httpx.get(f"{lab}proxy/{port}/index.html", timeout=10)
    assert answer.status_code == 200 and answer.text == "the sandbox's page"
    imports = modules_in(log.read_text())
    assert "jupyter_server_proxy.handlers" in imports and "jupyterlab_server.listings_handler" in imports
    assert not imports & LOADED_BY_THE_DEFERRED


def test_the_lab_command_runs_no_node_for_jupyterlab_to_start_or_serve_its_page(tmp_path):
    """JupyterLab runs `node yarn.js config` as it starts and at each page load, for a registry nothing here uses.

    A `node` first on the PATH records every run. The server starts, serves the Lab page and the listing of
    extensions the page asks for; the page is told there is no build to check (the kit's page_config.json),
    so it does not ask /lab/api/build, which would run node to check its version. What is left is
    jupyter-lsp's search for language servers installed with npm (`npm prefix -g`, a node script): once a
    server, in a thread after it answers, and a learner who installs one may want it found; left as it is.
    """
    fake_bin, ran = counting_node(tmp_path, run_it=False)
    env = {"PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}", "JUPYTER_CONFIG_PATH": str(KIT_JUPYTER_CONFIG)}
    with running(["pkce-kit-lab"], tmp_path, env) as (lab, log):
        page = httpx.get(f"{lab}lab", timeout=30)
        listing = httpx.get(f"{lab}lab/api/extensions", timeout=30)
    assert page.status_code == 200 and listing.status_code == 200, log.read_text()[-2000:]
    page_config = page_config_of(page.text)
    assert page_config["buildCheck"] is False and page_config["buildAvailable"] is False
    # Nor asked whether they want Jupyter's news: a pop-up over the notebook a workshop has no use for.
    assert "@jupyterlab/apputils-extension:announcements" in page_config["disabledExtensions"]
    runs = ran.read_text().splitlines() if ran.exists() else []
    assert [run for run in runs if "npm prefix -g" not in run] == []


def test_a_learners_lab_page_leaves_nbconvert_out_of_their_server(tmp_path):
    """JupyterLab's page lists nbconvert's export formats (File > Save and Export Notebook As, a raw cell's
    format) by asking api/nbconvert, which imports nbconvert and every exporter: 0.5 s of CPU and 10 MiB in
    each learner's server. The kit's page config turns both plugins off (workshop/server.py), so a learner's
    page asks everything else it asks and the server never loads nbconvert; asked anyway, it still answers."""
    env = {"JUPYTER_CONFIG_PATH": str(KIT_JUPYTER_CONFIG)}
    with running(["pkce-kit-lab"], tmp_path, env) as (lab, log):
        page = httpx.get(f"{lab}lab", timeout=30)
        disabled = page_config_of(page.text)["disabledExtensions"]
        for request in LAB_PAGE_REQUESTS:
            assert httpx.get(f"{lab}{request}", timeout=30).status_code == 200, request
        before = modules_in(log.read_text())
        formats = httpx.get(f"{lab}api/nbconvert", timeout=60)
        after = modules_in(log.read_text())
    assert {"@jupyterlab/notebook-extension:export", "@jupyterlab/notebook-extension:update-raw-mimetype"} <= set(
        disabled
    )
    assert "jupyterlab_server.settings_handler" in before and "nbconvert" not in before
    assert formats.status_code == 200 and "html" in formats.json() and "nbconvert" in after


def test_the_hub_command_reads_yarns_configuration_without_node():
    # As pkce-kit-singleuser prepares its server (it needs a hub to run): JupyterLab's reader replaced.
    code = (
        "from workshop.server import _leave_out; _leave_out(); from jupyterlab import commands; "
        "print(commands._yarn_config.__qualname__, commands.AppOptions().registry)"
    )
    assert in_a_fresh_process(code).split() == ["_yarn_defaults", "https://registry.yarnpkg.com"]


@contextmanager
def running(command: list[str], folder: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """The command's server on a free port, no token, its import log in a file (`env` on top of this
    process's environment); its URL and that file. A sandbox the server starts (the kit's settings in `env`)
    has its folder in `folder` unless `env` names one, not the checkout's, and is stopped with the server."""
    log = folder / "server.log"
    env = {"KIT_SANDBOX_DIR": str(folder / "sandbox"), **(env or {})}

    port, process, ready = start_jupyter(
        lambda port: [str(BIN / command[0]), *command[1:], *jupyter_options(port), f"--ServerApp.root_dir={folder}"],
        lambda port: f"http://127.0.0.1:{port}/api/status",
        log,
        env={**os.environ, **env, "PYTHONPROFILEIMPORTTIME": "1", "JUPYTER_CONFIG_DIR": str(folder / "config")},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        assert ready, log.read_text()[-2000:]
        yield url, log
    finally:
        stop_process(process)
        sandbox.stop(env["KIT_SANDBOX_DIR"])


def test_the_learners_sandbox_starts_with_their_server_before_any_notebook(tmp_path):
    """The kit's server extension starts it (sandbox/spawn.py `start_early`): 00's first cell, which a workshop
    runs all together, finds it running. No kernel has run; the server answers meanwhile."""
    data_dir = tmp_path / "home" / ".kit-sandbox"
    env = {"JUPYTER_CONFIG_PATH": str(KIT_JUPYTER_CONFIG), "KIT_SANDBOX_DIR": str(data_dir)}
    try:
        with running(["pkce-kit-lab"], tmp_path, env) as (lab, log):
            deadline = time.monotonic() + 30
            while announced(data_dir) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert httpx.get(f"{lab}api/kernels", timeout=10).json() == []
            found = announced(data_dir)
            assert found is not None, log.read_text()[-3000:]
            server = psutil.Process(found[0]).parent()
            assert server is not None and server.cmdline()[1].endswith("pkce-kit-lab")
            assert sandbox.start(data_dir).pid == found[0]  # what the first cell does: it finds this one
            # Stopped by another process (a kernel, here this test): its parent, the server, reaps it at once.
            asked = time.monotonic()
            assert sandbox.stop(data_dir)
            assert time.monotonic() - asked < 5 and not psutil.pid_exists(found[0])
        assert f"pkce-kit: started the sandbox in {data_dir.resolve()} (pid {found[0]})" in log.read_text()
    finally:
        sandbox.stop(data_dir)


def test_a_sandbox_that_cannot_start_with_the_server_leaves_the_server_running_and_says_so(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    env = {"JUPYTER_CONFIG_PATH": str(KIT_JUPYTER_CONFIG), "KIT_SANDBOX_DIR": str(blocked / ".kit-sandbox")}
    with running(["pkce-kit-lab"], tmp_path, env) as (lab, log):
        deadline = time.monotonic() + 30
        while "did not start early" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.get(f"{lab}api/status", timeout=10).status_code == 200
    assert "pkce-kit: the sandbox did not start early" in log.read_text()
    assert "a notebook's first cell starts it" in log.read_text()

"""Binder: what repo2docker builds from binder/, checked, then its build and launch repeated.

Once a `binder/` folder exists, Binder reads only that folder (the root environment.yml is
ignored), so binder/environment.yml must list the kit's runtime dependencies (pyproject's
[project.dependencies], not the test extras), binder/postBuild installs the kit itself, and
binder/start wraps every launch.

SLOW, and it needs PyPI (or a warm pip cache): test_binder_build_and_launch_in_a_fresh_venv
repeats Binder's steps as far as a machine without conda or docker can, in a fresh venv
(about a minute; skip it while iterating with `pytest -k 'not fresh_venv'`):

1. a fresh venv gets the packages binder/environment.yml lists, through pip (conda specs
   translated), as `micromamba install -f binder/environment.yml` gives Binder's image;
2. binder/postBuild runs from the top of a copy of the repository, that venv first on PATH;
3. binder/start wraps a Jupyter server (as Binder's entrypoint wraps jupyterhub-singleuser)
   and a Python process standing in for a kernel: the kit imports from the install, a sandbox
   starts in a temporary folder, its page is reached through the server's jupyter-server-proxy
   at the relative URL the kit gives the browser under JUPYTERHUB_SERVICE_PREFIX, and stops;
4. 00-index, the notebook Binder opens, runs in that environment alone (nbconvert --execute).
   Every notebook runs on the runtime dependencies alone in tests/test_packaging.py (the kit
   installed from its wheel, whose dependencies are pyproject's, which binder/environment.yml
   lists exactly, as the first test here checks), so a notebook that needs a package only the
   test extras bring fails there; running all of them here too would cost a minute for nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomllib
from packaging.specifiers import SpecifierSet

import sandbox
from tests.processes import stop_process
from tests.support.ports import jupyter_options, start_jupyter

from .installed import copy_of_the_repository
from .test_dependencies import conda_requirements, pyproject_requirements

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
PREFIX = "/user/binder-test/"  # what Binder sets JUPYTERHUB_SERVICE_PREFIX to, with a random name
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ----------------------------------------------------------------------------------- the files


def conda_python_pin(path: Path) -> str | None:
    match = re.search(r"^  - python=([\d.]+)$", path.read_text(), re.M)
    return match.group(1) if match else None


def test_binder_environment_lists_exactly_the_runtime_dependencies():
    assert conda_requirements(BINDER / "environment.yml") == pyproject_requirements(extras=False)


def test_binder_environment_is_conda_forge_with_pip_and_a_python_the_kit_supports():
    text = (BINDER / "environment.yml").read_text()
    assert re.search(r"^channels:\n  - conda-forge\n", text, re.M)
    assert "  - pip" in text.splitlines()
    python = conda_python_pin(BINDER / "environment.yml")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python and SpecifierSet(requires).contains(python), (python, requires)


def test_binder_environment_stays_within_the_repo2docker_base():
    # repo2docker's base environment pins jupyterlab==4.* and ipywidgets==8.*: ours must allow them.
    requirements = conda_requirements(BINDER / "environment.yml")
    assert SpecifierSet(requirements["jupyterlab"]).contains("4.2.0")
    assert not SpecifierSet(requirements["jupyterlab"]).contains("5.0.0")
    assert SpecifierSet(requirements["ipywidgets"]).contains("8.1.5")
    assert not SpecifierSet(requirements["ipywidgets"]).contains("9.0.0")
    assert "jupyter-server-proxy" in requirements


def test_post_build_starts_with_set_e_and_installs_the_kit():
    path = BINDER / "postBuild"
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    # Without `set -e` a failing step does not fail Binder's build.
    assert lines[0] == "set -e"
    assert any(re.match(r"python -m pip install .*--no-deps.* (--editable|-e) \.$", line) for line in lines)
    assert os.access(path, os.X_OK)


def test_start_ends_with_exec_and_is_executable():
    path = BINDER / "start"
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert path.read_text().startswith("#!")
    # Binder runs `start <the server's command>`: the last line must hand over to it.
    assert lines[-1] == 'exec "$@"'
    assert os.access(path, os.X_OK)


def test_start_runs_jupyterhubs_server_as_the_kits_lighter_command_and_anything_else_as_it_is(tmp_path):
    for name in ("pkce-kit-singleuser", "jupyterhub-singleuser", "jupyter-lab"):
        (tmp_path / name).write_text(f'#!/bin/sh\necho {name} "$@"\n')
        (tmp_path / name).chmod(0o755)
    # Only the stand-ins and the shell's tools: a real pkce-kit-singleuser on PATH would blur the last case.
    environment = {**os.environ, "PATH": os.pathsep.join([str(tmp_path), "/usr/bin", "/bin"])}

    def start(*command: str) -> str:
        return subprocess.run(
            [str(BINDER / "start"), *command], env=environment, capture_output=True, text=True, check=True
        ).stdout.strip()

    assert (
        start("jupyterhub-singleuser", "--ip=0.0.0.0", "--port", "8888")
        == "pkce-kit-singleuser --ip=0.0.0.0 --port 8888"
    )
    assert start("jupyter-lab", "--no-browser") == "jupyter-lab --no-browser"
    (tmp_path / "pkce-kit-singleuser").unlink()  # a kit not installed yet: JupyterHub's own
    assert start("jupyterhub-singleuser") == "jupyterhub-singleuser"


def test_readme_binder_badge_opens_the_index_notebook_in_lab():
    badge = re.search(
        r"\(https://mybinder\.org/v2/gh/[^/]+/[^/]+/main\?urlpath=lab/tree/([^)]+)\)", (ROOT / "README.md").read_text()
    )
    assert badge and (ROOT / badge.group(1)).is_file(), badge


# ---------------------------------------------------------------------- the build, repeated


def pip_spec(conda_spec: str) -> str:
    """A conda-forge spec as pip reads it: `name=1.2` (conda's fuzzy match) is `name==1.2.*`; the rest is alike."""
    name, version = re.match(r"^([A-Za-z0-9_.\-]+)(.*)$", conda_spec).groups()
    version = re.sub(r"(^|,)=(?!=)([\d.]+)", r"\1==\2.*", version)
    return name + version


def test_pip_spec_translates_conda_specs():
    assert pip_spec("jupyter-server-proxy>=4.2,!=4.5.0") == "jupyter-server-proxy>=4.2,!=4.5.0"
    assert pip_spec("stripe>=16,<17") == "stripe>=16,<17"
    assert pip_spec("flask=3.1") == "flask==3.1.*"
    assert pip_spec("flask==3.1.0") == "flask==3.1.0"


def binder_packages() -> list[str]:
    """pip specs for what binder/environment.yml installs: its conda packages and its pip: section."""
    specs = []
    for line in (BINDER / "environment.yml").read_text().split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^(?:  |      )- (\S+)$", line)
        if match and not re.match(r"^(python|pip)\b(?![-_])", match.group(1)):
            specs.append(pip_spec(match.group(1)))
    return specs


def run(command: list[str], env: dict, cwd: Path, timeout: float) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{output[-4000:]}"
    return output


# What the stand-in kernel runs, from the notebooks' folder, under binder/start.
KERNEL = """
import json, os, sys, httpx
import helpers, kit, sandbox
repo = os.environ["REPO"]
for module in (helpers, sandbox):
    assert module.__file__.startswith(repo), module.__file__
assert sys.prefix == os.environ["VENV"], sys.prefix
world = sandbox.start()
try:
    assert str(world.data_dir) == os.environ["KIT_SANDBOX_DIR"], world.data_dir
    link = world.browser_url("/healthz")
    assert link == f"{os.environ['JUPYTERHUB_SERVICE_PREFIX']}proxy/{world.port}/healthz", link
    proxied = httpx.get(f"http://127.0.0.1:{os.environ['SERVER_PORT']}{link}", timeout=10)
    assert proxied.status_code == 200, (proxied.status_code, proxied.text[:300])
    print(json.dumps({"port": world.port, "data_dir": proxied.json()["data_dir"]}))
finally:
    world.stop()
"""


@pytest.mark.slow
def test_binder_build_and_launch_in_a_fresh_venv(tmp_path):
    timings = {}
    started = time.perf_counter()
    repo = copy_of_the_repository(tmp_path / "repo")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "JPY_", "KIT_", "PYTHON", "VIRTUAL_ENV", "CONDA", "PIP_REQUIRE"))
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        VIRTUAL_ENV=str(venv),
        # No Jupyter config, kernelspec or runtime file from this machine's home: a fresh image has none.
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    timings["venv"] = time.perf_counter() - started

    # 1. The environment, as `micromamba install -f binder/environment.yml` (pip's cache is reused).
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *binder_packages()], env, repo, timeout=600)
    timings["environment"] = time.perf_counter() - started - sum(timings.values())

    # 2. postBuild, from the top of the repository, as Binder runs it.
    run(["./binder/postBuild"], env, repo, timeout=300)
    timings["postBuild"] = time.perf_counter() - started - sum(timings.values())

    # 3. A launch: start exports the sandbox folder (the repository's .sandbox/ when none is set)...
    printed = run(["./binder/start", "python", "-c", "import os; print(os.environ['KIT_SANDBOX_DIR'])"], env, repo, 60)
    assert printed.strip() == str(repo / ".sandbox")
    # ...and jupyter-server-proxy is enabled, with nothing to configure.
    extensions = run(["./binder/start", "jupyter", "server", "extension", "list"], env, repo, 60)
    assert re.search(r"jupyter_server_proxy enabled", extensions), extensions
    assert re.search(r"jupyter_server_proxy [\d.]+ OK", extensions), extensions
    # ...and the kit's Jupyter settings (kernel culling) are on Jupyter's config path.
    paths = json.loads(run(["./binder/start", "jupyter", "--paths", "--json"], env, repo, 60))
    assert str(repo / "jupyter-config") in paths["config"], paths["config"]

    # The server, under the base URL Binder gives it, and a kernel's worth of kit beside it.
    launch = {**env, "KIT_SANDBOX_DIR": str(tmp_path / "sandbox")}
    server_port, server, ready = start_jupyter(
        lambda port: ["./binder/start", "jupyter", "server", *jupyter_options(port), f"--ServerApp.base_url={PREFIX}"],
        lambda port: f"http://127.0.0.1:{port}{PREFIX}api/status",
        tmp_path / "server.log",
        cwd=repo,
        env=launch,
    )
    try:
        assert ready, (tmp_path / "server.log").read_text()
        kernel = {
            **launch,
            "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
            "SERVER_PORT": str(server_port),
            "REPO": str(repo),
            "VENV": str(venv),
        }
        printed = run(["../binder/start", "python", "-c", KERNEL], kernel, repo / "notebooks", 120)
        answer = json.loads(printed.strip().splitlines()[-1])
        assert answer["data_dir"] == str(tmp_path / "sandbox")
    finally:
        stop_process(server)
        sandbox.stop(tmp_path / "sandbox")  # if the stand-in kernel died before it stopped its sandbox
    timings["launch"] = time.perf_counter() - started - sum(timings.values())

    # 4. The notebook Binder opens, in the Binder environment alone (every notebook: tests/test_packaging.py).
    notebooks = ["notebooks/00-index.ipynb"]
    folder = tmp_path / "sandbox-notebooks"
    try:
        run(
            [
                "./binder/start",
                "jupyter",
                "nbconvert",
                "--execute",
                "--to",
                "notebook",
                f"--output-dir={tmp_path / 'executed'}",
                "--ExecutePreprocessor.timeout=120",
                *notebooks,
            ],
            {**env, "KIT_SANDBOX_DIR": str(folder), "JUPYTERHUB_SERVICE_PREFIX": PREFIX},
            repo,
            600,
        )
    finally:
        sandbox.stop(folder)
    executed = sorted(path.name for path in (tmp_path / "executed").glob("*.ipynb"))
    assert executed == ["00-index.ipynb"]
    timings["notebooks"] = time.perf_counter() - started - sum(timings.values())
    # Shown with -rP or -s; the figures matter for `make test`'s time budget.
    print(
        "binder build and launch: "
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items())
        + f"; total {time.perf_counter() - started:.1f} s"
    )

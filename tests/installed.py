"""The kit installed the way a hub installs it: a fresh venv, the recipe's `pip install <checkout>`.

docs/workshop.md's recipes install the kit with `pip install /opt/pkce-kit` (TLJH with the user
environment's pip, Z2JH in the image): not editable, so the wheel is all a learner gets. `make lab`,
Binder and the unit tests install editable and would never see a file the wheel leaves out. Here a
copy of the repository (as a clone has it) goes into a fresh venv by that command, with JupyterHub
beside it as TLJH's user environment has it (for `jupyterhub-singleuser`). Used by
tests/test_packaging.py (the learner edition runs on it) and tests/hub (every learner's server).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_of_the_repository(target: Path) -> Path:
    """The repository as a clone has it: its files (committed or not) less what .gitignore ignores."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name.startswith(".cache/") or "node_modules/" in name:
            continue  # tools' downloads (e.g. configurable-http-proxy for the hub tests), not the kit
        if source.is_file():  # a tracked file deleted in the work tree is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def clean_environment(venv: Path, **extra: str) -> dict[str, str]:
    """This process's environment without its own Python, Jupyter or kit settings, `venv` first on PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "JPY_", "KIT_", "PYTHON", "VIRTUAL_ENV", "CONDA", "PIP_REQUIRE"))
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        VIRTUAL_ENV=str(venv),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        **extra,
    )
    return env


@dataclass(frozen=True)
class InstalledKit:
    """A venv with the kit installed from `checkout` by the recipe's command."""

    venv: Path
    checkout: Path
    install_command: tuple[str, ...]
    seconds: float

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def site_packages(self) -> Path:
        printed = subprocess.run(
            [str(self.python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        )
        return Path(printed.stdout.strip())

    def installed_files(self) -> set[str]:
        """Every file the kit's install wrote, as its RECORD lists them (paths relative to site-packages)."""
        (dist_info,) = self.site_packages().glob("stripe_apps_pkce_kit-*.dist-info")
        return {line.split(",")[0] for line in (dist_info / "RECORD").read_text().splitlines() if line}


def install_kit(folder: Path, recipe_pip_args: tuple[str, ...] = ("install", "/opt/pkce-kit")) -> InstalledKit:
    """A fresh venv in `folder/venv` with the kit installed from `folder/pkce-kit` by `pip <recipe_pip_args>`.

    `recipe_pip_args` are the recipe's words after `pip`, its checkout path (`/opt/pkce-kit`) standing
    for the copy here.
    """
    started = time.perf_counter()
    checkout = copy_of_the_repository(folder / "pkce-kit")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = clean_environment(venv)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    # TLJH's user environment has JupyterHub (jupyterhub-singleuser); the same version as the hub here.
    _run([*pip, "install", "--quiet", f"jupyterhub=={version('jupyterhub')}"], env, folder)
    command = tuple(arg.replace("/opt/pkce-kit", str(checkout)) for arg in recipe_pip_args)
    _run([*pip, *command], env, folder)
    return InstalledKit(venv, checkout, command, time.perf_counter() - started)


def _run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-4000:]
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}:\n{output}")

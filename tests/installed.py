"""The kit installed the way a hub installs it: docs/workshop.md's TLJH install block, run as written.

The recipes install the kit with `pip install /opt/pkce-kit` (TLJH with the user environment's pip,
Z2JH in the image): not editable, so the wheel is all a learner gets. `make lab`, Binder and the
unit tests install editable and would never see a file the wheel leaves out. Here a copy of the
repository (as a clone has it) stands for the recipe's checkout, a fresh venv with JupyterHub in
it stands for TLJH's user environment (which has `jupyterhub-singleuser`), and the recipe's install
block runs in it line by line (tests/recipes.py): the kit's install, then the learner edition.
Used by tests/test_packaging.py (the learner edition runs on it) and tests/hub (every learner's
server).
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

from tests.recipes import tljh_install_commands

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
    """A venv with the kit installed from `checkout` by the recipe's commands, and the edition they made."""

    venv: Path
    checkout: Path
    commands: tuple[str, ...]
    seconds: float

    @property
    def edition(self) -> Path:
        """The learner edition the recipe made (`python -m tools.learner_edition` in the checkout)."""
        return self.checkout / "build" / "workshop"

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


def install_kit(folder: Path) -> InstalledKit:
    """A fresh venv in `folder/venv`, the kit installed in it from `folder/pkce-kit` by the TLJH recipe."""
    started = time.perf_counter()
    checkout = copy_of_the_repository(folder / "pkce-kit")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = clean_environment(venv)
    # TLJH's user environment has JupyterHub (jupyterhub-singleuser); the same version as the hub here.
    _run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"jupyterhub=={version('jupyterhub')}"],
        env,
        folder,
    )
    commands = tuple(tljh_install_commands(checkout, venv / "bin"))
    for command in commands:
        _run(["bash", "-c", command], env, folder)
    return InstalledKit(venv, checkout, commands, time.perf_counter() - started)


def _run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-4000:]
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}:\n{output}")

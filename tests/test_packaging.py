"""The kit installed like any package: what its wheel carries, and the learner edition run on it.

A hub installs the kit with `pip install /opt/pkce-kit`, not editable (docs/workshop.md), so a
file the wheel leaves out is missing for every learner, while `make lab` and the other tests,
which install editable, would never notice. Here the wheel is built from a copy of the
repository and read; the recipe's install (tests/installed.py) must be exactly that wheel; and
the learner edition the recipe made (`make workshop`), copied into an empty home folder, runs every
notebook on that install alone: the core path, 09 (the app template from the wheel) and the rest,
on the runtime dependencies only (a notebook that needs a test tool fails here, as on a hub or Binder).

SLOW: a fresh venv and eleven notebooks (about two minutes); left out of `make check`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

import sandbox
from helpers.stripe_app import APP_FILES, MANIFEST_FILE
from tests.installed import ROOT, clean_environment, copy_of_the_repository

pytestmark = pytest.mark.slow

PACKAGES = ("helpers", "sandbox", "workshop")
DIST = "stripe_apps_pkce_kit"
SETTINGS = "etc/jupyter/jupyter_server_config.d/stripe-apps-pkce-kit.json"
PAGE_CONFIG = "etc/jupyter/labconfig/page_config.json"  # no build check (workshop/server.py), no news pop-up


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    checkout = copy_of_the_repository(folder / "pkce-kit")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(folder / "dist"), str(checkout)],
        check=True,
        capture_output=True,
    )
    (built,) = (folder / "dist").glob(f"{DIST}-*.whl")
    return built


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_carries_every_package_and_nothing_of_the_checkout_besides(wheel):
    names = wheel_names(wheel)
    packages = sorted(
        str(init.parent.relative_to(ROOT))
        for top in PACKAGES
        for init in (ROOT / top).rglob("__init__.py")
        if "stripe_app_template" not in init.parts
    )
    assert "sandbox/provider" in packages  # the subpackage an explicit list once left out
    missing = [package for package in packages if f"{package}/__init__.py" not in names]
    assert missing == [], f"packages left out of the wheel: {missing}"
    tops = {name.split("/")[0] for name in names if not name.startswith(f"{DIST}-")}
    assert tops == set(PACKAGES), tops


def test_the_wheel_carries_the_templates_the_app_template_and_the_jupyter_settings(wheel):
    names = wheel_names(wheel)
    for top in PACKAGES:
        for template in (ROOT / top / "templates").glob("*.html"):
            assert str(template.relative_to(ROOT)) in names, template
    app = "helpers/stripe_app_template"
    missing = [name for name in (*APP_FILES, MANIFEST_FILE) if f"{app}/{name}" not in names]
    assert missing == [], f"files of the Stripe App template missing from the wheel: {missing}"
    assert not any("node_modules" in name for name in names)
    (settings,) = [name for name in names if name.endswith(SETTINGS)]
    assert settings.startswith(f"{DIST}-") and ".data/data/" in settings
    with zipfile.ZipFile(wheel) as archive:
        enabled = json.loads(archive.read(settings))["ServerApp"]["jpserver_extensions"]
    assert enabled == {"workshop.extension": True}
    (page_config,) = [name for name in names if name.endswith(PAGE_CONFIG)]
    with zipfile.ZipFile(wheel) as archive:
        assert json.loads(archive.read(page_config)) == {
            "buildAvailable": False,
            "buildCheck": False,
            "disabledExtensions": {
                "@jupyterlab/apputils-extension:announcements": True,  # no news pop-up
                # No list of nbconvert's formats (workshop/server.py): nbconvert stays out of the server.
                "@jupyterlab/notebook-extension:export": True,
                "@jupyterlab/notebook-extension:update-raw-mimetype": True,
            },
        }


def test_the_recipes_install_is_that_wheel_not_an_editable_link(wheel, installed_kit):
    in_wheel = {name for name in wheel_names(wheel) if name.split("/")[0] in PACKAGES}
    installed = {
        name
        for name in installed_kit.installed_files()
        if name.split("/")[0] in PACKAGES and "__pycache__" not in name  # compiled by pip on install
    }
    assert installed == in_wheel
    assert not list(installed_kit.site_packages().glob("__editable__*"))
    assert (installed_kit.venv / SETTINGS).is_file() and (installed_kit.venv / PAGE_CONFIG).is_file()


def test_the_learner_edition_runs_on_the_installed_kit_from_an_empty_home(installed_kit, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copytree(installed_kit.edition, home / "pkce-kit")  # the learner edition the recipe made
    notebooks = home / "pkce-kit" / "notebooks"
    env = clean_environment(installed_kit.venv, HOME=str(home))
    imports = "import helpers, workshop; from sandbox.files import default_data_dir; print(default_data_dir())"
    where = subprocess.run(
        [str(installed_kit.python), "-c", imports], cwd=notebooks, env=env, capture_output=True, text=True
    )
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip() == str(home / ".kit-sandbox")
    # Every notebook: the core path, 09 (the app template), and the rest, on the runtime dependencies alone.
    chosen = sorted(path.name for path in notebooks.glob("[0-9][0-9]-*.ipynb"))
    assert [name[:2] for name in chosen] == [f"{n:02}" for n in range(11)]
    try:
        result = subprocess.run(
            [
                str(installed_kit.bin / "jupyter"),
                "nbconvert",
                "--execute",
                "--to",
                "notebook",
                f"--output-dir={tmp_path / 'executed'}",
                "--ExecutePreprocessor.timeout=120",
                *chosen,
            ],
            cwd=notebooks,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, result.stderr[-4000:]
    finally:
        sandbox.stop(home / ".kit-sandbox")
    for name in chosen:
        executed = nbformat.read(tmp_path / "executed" / name, as_version=4)
        errors = [
            output
            for cell in executed.cells
            for output in cell.get("outputs", [])
            if output.output_type == "error" or output.get("name") == "stderr"
        ]
        assert errors == [], f"{name}: {errors[:2]}"
        modules = [output.get("text", "") for cell in executed.cells for output in cell.get("outputs", [])]
        assert not any(str(ROOT) in text for text in modules), f"{name} printed a path into the checkout"
    app = notebooks / "my-stripe-app"
    assert all((app / name).is_file() for name in APP_FILES), sorted(p.name for p in app.rglob("*"))

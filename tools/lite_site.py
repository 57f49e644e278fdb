"""Build the JupyterLite edition: the learner edition's notebooks in a static site whose Python kernel
(Pyodide, WebAssembly) runs in the learner's own browser, with every file it loads served by the site.

    .venv/bin/python -m tools.lite_site                 # into build/lite/
    .venv/bin/python -m tools.lite_site --out DIR       # into DIR/

Used by `make lite` (README, "No install"). The site is built clean every time: jupyterlite's own
incremental build can keep a stale ``jupyter-lite.json`` without the local ``pyodideUrl``, and the
kernel then asks a CDN for Pyodide and never starts. What goes in:

- Pyodide from npm (``lite/package-lock.json``), its lock cut to what this site serves: micropip, the
  wheels of ``lite/wheels.txt`` (exact versions, sha256 checked by pip at download), markupsafe built
  pure from its sdist (``lite/sdists.txt``), the kit's own wheel built from this checkout, the
  message a notebook gets when its folder is out of the kernel's reach (``lite/kit-outside-its-folder``:
  on plain HTTP from another machine the browser gives the kernel no files), and the kernel's own
  wheels from jupyterlite-pyodide-kernel. No address outside the site remains.
- Every wheel is preloaded when a kernel starts (Pyodide's ``loadPyodideOptions.packages``), so a
  notebook imports ``helpers`` and ``sandbox`` as it does on a laptop, with nothing to install.
- The widgets' front end (jupyterlab_widgets' labextension) and the Pyodide kernel's, and no other.

Downloads are kept in ``.cache/lite/`` (outside git) and checked against their hashes again.
"""

from __future__ import annotations

import argparse
import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

import nbformat
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from tools.learner_edition import build as build_learner_edition
from tools.run_notebooks import ROOT

LITE = ROOT / "lite"
DEFAULT_OUT = ROOT / "build" / "lite"
CACHE = ROOT / ".cache" / "lite"
# The build's tools (jupyterlite-core, the Pyodide kernel, jupyter_server, the widgets' labextension), in a
# venv of their own (pyproject.toml's `lite` group; the Makefile makes it): in the kit's venv the Pyodide
# kernel's labextension would load into the laptop's JupyterLab, and fail there.
LITE_VENV = CACHE / "venv"
LABEXTENSIONS_DIR = LITE_VENV / "share" / "jupyter" / "labextensions"
PYODIDE_DIST = LITE / "node_modules" / "pyodide"
# The notebooks that run in the browser: the core path and the second session. 09 builds a TypeScript
# app with Node.js and 10 talks to a provider on the internet, which a page's kernel cannot do.
NOTEBOOKS = ("00", "01", "02", "03", "04", "05", "06", "07", "08")
# Pyodide's own files the kernel loads; its npm package's docs, consoles, typings and source maps stay out.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "package.json")
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
# The two front ends the site needs, from the build venv's labextensions, and no other one found there.
LABEXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager")
# Installed without their dependencies: the kit's wheel names JupyterLab and a server proxy (the laptop's
# needs), Authlib names cryptography and joserfc, which only its client side imports; neither has a pure wheel.
NO_DEPS = {"stripe-apps-pkce-kit", "authlib"}
# Pyodide's environment markers, for the dependency check (PEP 508 names).
PYODIDE_MARKERS = {
    "python_version": "3.14",
    "python_full_version": "3.14.2",
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}
PIP_PURE = ["--only-binary", ":all:", "--python-version", "3.14", "--platform", "any", "--abi", "none"]


class LiteBuildError(RuntimeError):
    """The site could not be built as pinned: the message says what to fix."""


@dataclass(frozen=True)
class Wheel:
    path: Path
    name: str
    version: str
    requires: tuple[Requirement, ...]
    imports: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> Wheel:
        name, version, _, _ = parse_wheel_filename(path.name)
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
            metadata = email.parser.HeaderParser().parsestr(archive.read(metadata_name).decode())
        top = {n.split("/")[0] for n in names}
        imports = sorted(
            t.removesuffix(".py")
            for t in top
            if not t.endswith((".dist-info", ".data")) and "." not in t.removesuffix(".py")
        )
        return cls(
            path,
            str(name),
            str(version),
            tuple(Requirement(r) for r in metadata.get_all("Requires-Dist") or []),
            tuple(imports),
        )

    def needs(self) -> list[Requirement]:
        """Its dependencies in Pyodide (their markers evaluated there); none for those installed without."""
        if self.name in NO_DEPS:
            return []
        return [r for r in self.requires if r.marker is None or r.marker.evaluate(PYODIDE_MARKERS)]

    def lock_entry(self) -> dict[str, object]:
        """The wheel as Pyodide's lock describes a package (the shape of its own micropip entry)."""
        return {
            "name": self.name,
            "version": self.version,
            "file_name": self.path.name,
            "install_dir": "site",
            "sha256": sha256(self.path.read_bytes()).hexdigest(),
            "package_type": "package",
            "imports": list(self.imports),
            "depends": sorted({str(canonicalize_name(r.name)) for r in self.needs()}),
            "unvendored_tests": False,
        }


def _run(*command: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env, cwd=cwd)
    if result.returncode:
        raise LiteBuildError(
            f"{' '.join(map(str, command[:4]))} … failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )


def _pip(*args: str | Path, env: dict[str, str] | None = None) -> None:
    _run(sys.executable, "-m", "pip", "--disable-pip-version-check", *args, env=env)


# pip download's flags for a pinned requirements file: exactly those files, each hash checked.
PIP_PINNED = ["download", "--quiet", "--no-deps", "--require-hashes"]


def pinned_wheels(cache: Path = CACHE) -> list[Path]:
    """The wheels of lite/wheels.txt, downloaded once into the cache; pip checks every hash, cached or not."""
    folder = cache / "wheels"
    _pip(*PIP_PINNED, *PIP_PURE, "--implementation", "py", "-r", LITE / "wheels.txt", "-d", folder)
    return _listed(LITE / "wheels.txt", folder)


def built_wheels(cache: Path = CACHE) -> list[Path]:
    """lite/sdists.txt's packages as pure wheels: downloaded (hash-checked), then built with no C compiler,
    which their setup.py answers by leaving the speedups out (markupsafe's own fallback)."""
    sdists, folder = cache / "sdists", cache / "built"
    _pip(*PIP_PINNED, "--no-binary", ":all:", "-r", LITE / "sdists.txt", "-d", sdists)
    wheels = []
    for sdist in _listed(LITE / "sdists.txt", sdists):
        name, version = _dist(sdist)
        wheel = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        if not wheel.exists():
            no_compiler = {**os.environ, "CC": "false"}
            _pip("wheel", "--quiet", "--no-deps", "--no-cache-dir", "-w", folder, sdist, env=no_compiler)
        if not wheel.exists() or any(n.endswith((".so", ".pyd")) for n in zipfile.ZipFile(wheel).namelist()):
            raise LiteBuildError(f"{sdist.name} did not build a pure wheel ({wheel.name}): see its setup.py")
        wheels.append(wheel)
    return wheels


def local_wheel(project: Path, folder: Path) -> Path:
    """The wheel of a project in this checkout, built into a folder of its own under ``folder``: the kit
    itself (helpers, sandbox and their templates and schema), or lite/kit-outside-its-folder (what
    ``import kit`` finds when the notebook's folder is out of the kernel's reach: a message, where
    Python would say only "No module named 'kit'")."""
    target = folder / f"wheel-of-{project.name}"
    _pip("wheel", "--quiet", "--no-deps", "-w", target, project)
    return next(target.glob("*.whl"))


def kernel_wheels() -> list[Path]:
    """The Pyodide kernel's own wheels (its kernel, piplite, and the stand-ins for ipykernel and
    widgetsnbextension that it ships), from its labextension in this venv."""
    pypi = LABEXTENSIONS_DIR / LABEXTENSIONS[0] / "static/pypi"
    newest: dict[str, Path] = {}
    for path in sorted(pypi.glob("*.whl"), key=lambda p: parse_wheel_filename(p.name)[1]):
        newest[str(parse_wheel_filename(path.name)[0])] = path
    if not newest:
        raise LiteBuildError(f"No kernel wheels in {pypi}: run `make lite`, which installs its build tools.")
    return list(newest.values())


def _listed(requirements: Path, folder: Path) -> list[Path]:
    """The files of ``folder`` that the requirements file pins, one per line."""
    files = []
    for line in requirements.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line.split(" --hash")[0])
            name, version = canonicalize_name(requirement.name), next(iter(requirement.specifier)).version
            found = [p for p in folder.iterdir() if _dist(p) == (name, version)]
            if not found:
                raise LiteBuildError(f"{requirement} is missing from {folder} after download")
            files.append(found[0])
    return files


def _dist(path: Path) -> tuple[str, str]:
    """A wheel's or an sdist's (canonical name, version), from its file name."""
    if path.name.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(path.name)
        return str(name), str(version)
    name, version = path.name.removesuffix(".tar.gz").rsplit("-", 1)
    return str(canonicalize_name(name)), version


def check_closure(wheels: list[Wheel]) -> None:
    """Every dependency of every wheel, under Pyodide's markers, is in the set at a version it accepts."""
    versions = {w.name: w.version for w in wheels}
    missing = []
    for wheel in wheels:
        for requirement in wheel.needs():
            have = versions.get(str(canonicalize_name(requirement.name)))
            if have is None or not requirement.specifier.contains(have, prereleases=True):
                missing.append(f"{wheel.name} needs {requirement} (have: {have or 'nothing'})")
    if missing:
        raise LiteBuildError(
            "The wheels do not cover their dependencies; pin them in lite/wheels.txt:\n  " + "\n  ".join(missing)
        )


def check_widgets_front_end(wheels: list[Wheel]) -> None:
    """The widgets' front end the site serves (the build venv's jupyterlab_widgets) is the version the
    kernel's ipywidgets was made for (lite/wheels.txt's jupyterlab-widgets)."""
    kernel = next(w.version for w in wheels if w.name == "jupyterlab-widgets")
    found = LITE_VENV.glob("lib/python*/site-packages/jupyterlab_widgets-*.dist-info")
    front_end = sorted(path.name.removesuffix(".dist-info").split("-")[1] for path in found)
    if front_end != [kernel]:
        raise LiteBuildError(
            f"The widgets' front end ({front_end}) is not lite/wheels.txt's jupyterlab-widgets {kernel}: "
            "pin the same version in pyproject.toml's lite group."
        )


def pyodide_folder(target: Path, wheels: list[Wheel]) -> list[str]:
    """Pyodide's files and the wheels in ``target``, with a lock naming only those wheels; returns the
    names the kernel preloads (all but micropip, which the kernel loads itself)."""
    if not (PYODIDE_DIST / "pyodide.mjs").exists():
        raise LiteBuildError(f"No Pyodide in {PYODIDE_DIST}: run `make lite`, which installs it with npm ci.")
    target.mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE_DIST / name, target / name)
    upstream = json.loads((PYODIDE_DIST / "pyodide-lock.json").read_text())
    packages = {}
    for wheel in wheels:
        shutil.copy2(wheel.path, target / wheel.path.name)
        packages[wheel.name] = wheel.lock_entry()
    if packages["micropip"]["version"] != upstream["packages"]["micropip"]["version"]:
        raise LiteBuildError("lite/wheels.txt's micropip is not the version Pyodide's lock names: pin that one.")
    lock = {"info": upstream["info"], "packages": dict(sorted(packages.items()))}
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    return sorted(name for name in packages if name != "micropip")


def lite_config(preload: list[str]) -> dict[str, object]:
    """jupyter-lite.json: the kernel loads Pyodide from the site, never from PyPI or a CDN."""
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Stripe Apps PKCE kit",
            "litePluginSettings": {
                KERNEL_PLUGIN: {
                    "pyodideUrl": "./static/pyodide/pyodide.mjs",
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {"packages": preload},
                }
            },
        },
    }


# JupyterLab's settings in the site: no update check or news (there is no server to ask), and every cell
# kept in the page (JupyterLab otherwise draws only the cells near the view: the browser's find, and the
# test's check that every cell ran, would miss the rest). The laptop's test server sets the same.
SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def build_config(overrides: Path) -> dict[str, object]:
    """jupyter_lite_config.json: only the two front ends named above, the settings above, no source maps."""
    return {
        "LiteBuildConfig": {
            "apps": ["lab"],
            "ignore_sys_prefix": ["federated_extensions"],
            "federated_extensions": [str(LABEXTENSIONS_DIR / name) for name in LABEXTENSIONS],
            "settings_overrides": [str(overrides)],
            "no_sourcemaps": True,
        }
    }


# A Markdown link to one of the kit's notebooks: [text](NN-name.ipynb#anchor).
NOTEBOOK_LINK = re.compile(r"\[([^\]]+)\]\((\d\d)-[^)\s]+\.ipynb(?:#[^)\s]*)?\)")
NOT_HERE = " *(not in the browser edition: it needs the kit installed, `make lab`)*"


def notebook_files(target: Path, scratch: Path) -> None:
    """The learner edition's notebooks that run in the browser, what they import and link to; a link to
    a notebook left out becomes its text, saying why, so that no link in the site leads nowhere."""
    edition = build_learner_edition(scratch / "edition")
    for path in edition.glob("[0-9][0-9]-*.ipynb"):
        if path.name[:2] not in NOTEBOOKS:
            path.unlink()
            continue
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = unlink_left_out(cell.source)
        nbformat.write(notebook, path)
    shutil.copytree(edition, target / "notebooks")
    shutil.copytree(edition.parent / "stripe-app", target / "stripe-app")


def unlink_left_out(markdown: str) -> str:
    """``markdown`` with each link to a notebook the site leaves out turned into its text and why."""
    return NOTEBOOK_LINK.sub(lambda m: m.group(0) if m.group(2) in NOTEBOOKS else m.group(1) + NOT_HERE, markdown)


def external_addresses(site: Path) -> list[str]:
    """Each address outside the site in what tells the app and the kernel where to load from: every
    jupyter-lite.json, Pyodide's lock and the wheel indexes (JSON schemas' ``$schema`` names are not loaded)."""
    found = []
    configs = [*site.rglob("jupyter-lite.json"), *site.rglob("pyodide-lock.json"), *site.rglob("pypi/all.json")]
    for path in configs:
        for word in path.read_text().replace('"', " ").split():
            if "://" in word:
                found.append(f"{path.relative_to(site)}: {word}")
    return found


def build(out: Path = DEFAULT_OUT, cache: Path = CACHE) -> Path:
    """Build the site into ``out`` (emptied first) and return it."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kit-lite-") as scratch_name:
        scratch = Path(scratch_name)
        source = scratch / "site"
        wheels = [
            Wheel.read(p)
            for p in [
                *pinned_wheels(cache),
                *built_wheels(cache),
                *kernel_wheels(),
                local_wheel(ROOT, scratch),
                local_wheel(LITE / "kit-outside-its-folder", scratch),
            ]
        ]
        check_closure(wheels)
        check_widgets_front_end(wheels)
        preload = pyodide_folder(source / "static" / "pyodide", wheels)
        notebook_files(source / "files", scratch)
        (source / "jupyter-lite.json").write_text(json.dumps(lite_config(preload), indent=2))
        (source / "overrides.json").write_text(json.dumps(SETTINGS, indent=2))
        (source / "jupyter_lite_config.json").write_text(json.dumps(build_config(source / "overrides.json"), indent=2))
        if out.exists():
            shutil.rmtree(out)
        _run(
            LITE_VENV / "bin" / "jupyter",
            "lite",
            "build",
            "--lite-dir",
            source,
            "--output-dir",
            out,
            cwd=source,
        )
    # A browser asks every site for /favicon.ico: answer it with the app's, not a 404 in the console.
    shutil.copy2(out / "lab" / "favicon.ico", out / "favicon.ico")
    settings = json.loads((out / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"][
        KERNEL_PLUGIN
    ]
    if settings.get("pyodideUrl") != "./static/pyodide/pyodide.mjs" or not settings.get("disablePyPIFallback"):
        raise LiteBuildError(f"The built jupyter-lite.json lost the local Pyodide: {settings}")
    if external := external_addresses(out):
        raise LiteBuildError("The site's configuration names addresses outside it:\n  " + "\n  ".join(external))
    seconds = time.perf_counter() - started
    print(f"Built the Lite site in {out} in {seconds:.0f} s: {site_size(out) / 1e6:.1f} MB, {len(wheels)} wheels.")
    return out


def site_size(site: Path) -> int:
    """The bytes a static host serves for the site (every file in it)."""
    return sum(path.stat().st_size for path in site.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the site's folder (emptied first)")
    try:
        build(parser.parse_args().out)
    except LiteBuildError as error:
        sys.exit(f"make lite: {error}")


if __name__ == "__main__":
    main()

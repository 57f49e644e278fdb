"""tools/lite_site.py's checks of the wheels it puts in the JupyterLite site, on small wheels made here.

The site itself is built and opened in Chromium by tests/lite (marker `lite`, in `make test`).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tools.lite_site import LITE, LiteBuildError, Wheel, check_closure


def make_wheel(folder, name: str, version: str, *requires: str, modules: tuple[str, ...] = ()) -> Wheel:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    metadata = "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\n{metadata}")
        for module in modules:
            archive.writestr(module, "")
    return Wheel.read(path)


def test_a_dependency_counts_only_where_pyodide_would_install_it(tmp_path):
    shell = make_wheel(
        tmp_path,
        "shell",
        "1.0",
        'pexpect>4.6; sys_platform != "win32" and sys_platform != "emscripten"',
        'typing_extensions>=4.6; python_version < "3.12"',
        "traitlets>=5",
        modules=("shell/__init__.py", "shell_helper.py"),
    )
    assert [str(r) for r in shell.needs()] == ["traitlets>=5"]
    assert shell.lock_entry()["depends"] == ["traitlets"]
    assert shell.lock_entry()["imports"] == ["shell", "shell_helper"]


def test_a_missing_or_too_old_dependency_is_named_with_what_to_do(tmp_path):
    wheels = [
        make_wheel(tmp_path, "app", "1.0", "lib>=2", "other"),
        make_wheel(tmp_path, "lib", "1.5"),
    ]
    with pytest.raises(LiteBuildError) as raised:
        check_closure(wheels)
    message = str(raised.value)
    assert "app needs lib>=2 (have: 1.5)" in message
    assert "app needs other (have: nothing)" in message
    assert "lite/wheels.txt" in message


def test_the_kit_and_authlib_bring_no_dependencies(tmp_path):
    kit = make_wheel(tmp_path, "stripe_apps_pkce_kit", "0.1.0", "jupyterlab>=4.2,<5", "jsonschema>=4.18")
    authlib = make_wheel(tmp_path, "authlib", "1.9.10", "cryptography", "joserfc>=1.6")
    check_closure([kit, authlib])
    assert kit.lock_entry()["depends"] == authlib.lock_entry()["depends"] == []


def test_kit_outside_its_folder_says_why_and_what_to_do(tmp_path):
    """lite/kit-outside-its-folder's kit, imported as the browser edition's kernel would find it when the
    notebook's own kit.py is out of reach; here (no /drive, like a page on plain HTTP) and in a folder."""
    guard = LITE / "kit-outside-its-folder"
    ran = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.append({str(guard)!r}); import kit"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 1 and "ModuleNotFoundError" not in ran.stderr
    assert "helpers.errors.KitError: This kernel cannot reach the notebooks' folder" in ran.stderr
    assert "What to do: Serve the site on your own machine and open it on localhost" in ran.stderr

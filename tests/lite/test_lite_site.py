"""The JupyterLite edition (`make lite`), built here and served as a static host would, in headless Chromium.

The site is built once for the module (tools/lite_site.py, from the cached wheels and Pyodide), then:
its configuration names nothing outside it; the Pyodide kernel starts in the page and imports the kit;
and each notebook of the core path, run as a learner would (Run All), shows its widgets with no
"Error displaying widget", no error output and no console error, as in tests/browser. No request of any
page, nor of its kernel's worker, leaves 127.0.0.1's site.
"""

from __future__ import annotations

import json
from hashlib import sha256

import pytest

from tests.support.lab import assert_clean, expect_its_widgets, run_all, screenshot
from tests.support.lite import KERNEL_TIMEOUT, Requests, StaticSite, kernel_idle, open_notebook, run_code
from tools.lite_site import KERNEL_PLUGIN, build, external_addresses
from tools.run_notebooks import notebook_paths

CORE = [path.name for path in notebook_paths() if path.name[:2] <= "06"]  # the core path, as tests/notebooks counts it


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = StaticSite(build(tmp_path_factory.mktemp("lite") / "site"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def requests(page, site):
    return Requests(page.context, site)


def test_the_site_loads_pyodide_and_every_wheel_from_itself(site):
    folder = site.folder
    settings = json.loads((folder / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"]
    kernel = settings[KERNEL_PLUGIN]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
    assert external_addresses(folder) == []
    lock = json.loads((folder / "static/pyodide/pyodide-lock.json").read_text())["packages"]
    for name, package in lock.items():
        wheel = folder / "static/pyodide" / package["file_name"]
        assert sha256(wheel.read_bytes()).hexdigest() == package["sha256"], name
    assert {"micropip", "stripe-apps-pkce-kit", "markupsafe", "ipywidgets"} <= set(lock)
    assert set(kernel["loadPyodideOptions"]["packages"]) == set(lock) - {"micropip"}


def test_the_kernel_starts_in_the_page_and_imports_the_kit(page, site, requests):
    open_notebook(page, site, "00-index.ipynb")
    kernel_idle(page)
    shown = run_code(
        page,
        "import sys, sqlite3, helpers, sandbox, flask, stripe, ipywidgets\n"
        "print(sys.platform, sqlite3.sqlite_version, helpers.__name__, sandbox.__name__)",
    )
    screenshot(page, "lite-kernel")
    assert shown.startswith("emscripten 3.") and "helpers sandbox" in shown, shown
    assert requests.outside == []
    # The watcher saw the kernel's worker fetch Pyodide and the wheels: "nothing outside" covers them.
    assert any(url.endswith("pyodide.asm.wasm") for url in requests.inside)
    assert any(url.endswith(".whl") for url in requests.inside)


@pytest.mark.parametrize("notebook", CORE)
def test_each_core_notebook_runs_in_the_browser_alone(page, site, requests, notebook):
    open_notebook(page, site, notebook)
    run_all(page, notebook, kernel_timeout=KERNEL_TIMEOUT)
    expect_its_widgets(page, notebook)
    screenshot(page, f"lite-{notebook.removesuffix('.ipynb')}")
    assert_clean(page)
    assert requests.outside == []

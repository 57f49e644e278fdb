"""The Dashboard's app page where it cannot build: a refusal with what to do, never a server error."""

from __future__ import annotations

import json
import os

import pytest
from werkzeug.test import Client

from sandbox import app_page
from sandbox.app import create_app

from .conftest import make_manifest


@pytest.mark.parametrize("missing", ["the checkout's scripts", "Node.js"])
def test_a_sandbox_that_cannot_build_refuses_with_409_and_says_what_to_do(tmp_path, monkeypatch, missing):
    if missing == "Node.js":
        monkeypatch.setattr(app_page.shutil, "which", lambda name: None)
    else:  # an installed kit: the wheel carries no sandbox/dashboard_js/
        monkeypatch.setattr(app_page, "JS", tmp_path / "site-packages" / "sandbox" / "dashboard_js")
    client = Client(create_app(tmp_path / "data"))
    installed = client.post("/dashboard/api/installs", json={"manifest": make_manifest(), "user_id": "usr_page1"})
    key = installed.get_json()["api_key"]
    answer = client.post(
        "/dashboard/api/apps",
        json={"folder": str(tmp_path / "app"), "packages": None},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 409, answer.get_data(as_text=True)
    message = answer.get_json()["error"]["message"]
    assert ("npm ci" in message) if missing == "Node.js" else ("make lab" in message), message


def test_the_dashboards_scripts_are_built_once_and_again_only_when_their_sources_change(tmp_path, monkeypatch):
    builds: list[tuple[str, ...]] = []
    build = app_page._run_build

    def counted(*args: str) -> None:
        builds.append(args)
        build(*args)

    monkeypatch.setattr(app_page, "_run_build", counted)
    monkeypatch.setattr(app_page, "DIST", tmp_path / "dist")
    folder = app_page.dashboard_scripts()
    assert folder == tmp_path / "dist" and len(builds) == 1
    assert all((folder / name).stat().st_size > 1000 for name in app_page.SCRIPTS)
    assert app_page.dashboard_scripts() == folder and len(builds) == 1  # fresh: served as built
    # A source newer than what was built (the kit's Dashboard edited): built again, moved in whole.
    os.utime(folder / "runtime.js", (0, 0))
    app_page.dashboard_scripts()
    assert len(builds) == 2 and (folder / "runtime.js").stat().st_mtime > 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dist"]  # no staging folder left behind


def test_the_entry_imports_each_view_once_and_exports_the_manifest_as_the_cli_writes_it():
    manifest = make_manifest()
    manifest["ui_extension"]["views"] = [
        {"viewport": "stripe.dashboard.drawer.default", "component": "App"},
        {"viewport": "stripe.dashboard.customer.detail", "component": "App"},
        {"viewport": "settings", "component": "AppSettings"},
    ]
    entry = app_page.app_entry(manifest).splitlines()
    assert entry[1:4] == [
        "import App from './src/views/App';",
        "import AppSettings from './src/views/AppSettings';",
        "export * from '@stripe/ui-extension-sdk/version';",
    ]
    assert entry[4].startswith('export const BUILD_TIME = "') and entry[4].endswith('Z";')
    assert entry[5] == "export { App, AppSettings };"
    exported = "\n".join(entry[6:]).removeprefix("export default ").removesuffix(";")
    assert json.loads(exported) == manifest


@pytest.mark.parametrize(
    ("manifest_text", "says"),
    [
        ("{not json", "is not JSON"),
        (json.dumps({"ui_extension": {"views": [{"component": "App'; globalThis.x = 1; //"}]}}), "component is a name"),
        (
            json.dumps({"ui_extension": {"views": [{"viewport": "stripe.dashboard.drawer.default"}]}}),
            "component is a name",
        ),
    ],
)
def test_a_manifest_esbuild_cannot_be_given_is_refused_with_400_and_what_to_fix(tmp_path, manifest_text, says):
    folder = tmp_path / "app"
    (folder / "src").mkdir(parents=True)
    (folder / "stripe-app.json").write_text(manifest_text)
    client = Client(create_app(tmp_path / "data"))
    installed = client.post("/dashboard/api/installs", json={"manifest": make_manifest(), "user_id": "usr_page2"})
    answer = client.post(
        "/dashboard/api/apps",
        json={"folder": str(folder), "packages": str(tmp_path)},
        headers={"Authorization": f"Bearer {installed.get_json()['api_key']}"},
    )
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert says in answer.get_json()["error"]["message"]

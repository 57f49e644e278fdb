"""The Dashboard's app page: a Stripe App's real view, run in the browser as the Dashboard runs it.

`stripe apps start` builds the app and the Dashboard loads the bundle into an iframe sandboxed
with `allow-scripts` only, under a Content Security Policy made from the manifest. This stand-in
does the same for an app folder on this machine:

- `POST /dashboard/api/apps` (with the install's key, `World.open_app`) builds the folder's bundle
  with esbuild, in the Stripe CLI's shape (`build_app`), for that install;
- `GET /dashboard/apps/<app id>?user=…&mode=…` is the page: its script (`dashboard_js/src/host.jsx`)
  opens the iframe, answers the SDK's calls and draws the view the app renders (the page's script and
  the iframe's runtime are the Dashboard's own, built once for the checkout into `dashboard_js/dist/`);
- the iframe's document (`…/frame`) carries the CSP: `default-src 'none'`, `script-src` naming the
  Dashboard's runtime and the app's bundle and nothing else, and `connect-src` from the manifest.

Building needs Node.js and the npm packages of `sandbox/dashboard_js/` (the Makefile's `npm ci`);
without them the page says so, and the rest of the sandbox works as before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file, url_for

from .dashboard_store import DashboardStore
from .installs import Install, find_install
from .web import api_key, storage, stripe_error

JS = Path(__file__).resolve().parent / "dashboard_js"
BUILD_SCRIPT = JS / "build.mjs"
ESBUILD = JS / "node_modules" / ".bin" / "esbuild"
DIST = JS / "dist"
SCRIPTS = ("host.js", "runtime.js")
DRAWER = "stripe.dashboard.drawer.default"
BUILD_TIMEOUT = 120
# What the Dashboard's runtime provides to a bundle (dashboard_js/src/runtime.jsx): one React, shared by
# the app and the renderer, left out of the bundle and `require`d at run time.
PROVIDED = ("react", "react/jsx-runtime", "@remote-ui/react")
COMPONENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

app_page = Blueprint("app_page", __name__)


class BuildError(RuntimeError):
    """The Dashboard's scripts or the app's bundle could not be built; the message says why and what to do."""


class CannotBuild(BuildError):
    """This sandbox has no way to build: an installed kit carries no dashboard_js/, or Node.js is missing."""


def _node() -> str:
    if not (JS / "src").is_dir():
        raise CannotBuild(
            "The Dashboard's page builds the app from the kit's checkout (sandbox/dashboard_js/, with Node.js and "
            "npm), and this kit was installed as a package, without it. Clone the kit and run `make lab` there "
            "to see your app in the page; everything else in 09 works here."
        )
    node = shutil.which("node")
    if node is None or not ESBUILD.exists():
        raise CannotBuild(
            "The Dashboard's page needs Node.js and its npm packages: run `make "
            "sandbox/dashboard_js/node_modules/.installed` in the kit's checkout (or `npm ci` in sandbox/dashboard_js)."
        )
    return node


def _run_build(*args: str) -> None:
    """`node build.mjs ARGS`: the Dashboard's own scripts."""
    _bundle([_node(), str(BUILD_SCRIPT), *args], cwd=JS)


def _bundle(command: list[str], cwd: Path, **options: Any) -> None:
    """Run an esbuild build; if it fails, a BuildError with the last lines esbuild printed."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT, cwd=cwd, **options)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BuildError(f"esbuild could not build it: {' '.join(lines[-6:]) or 'no message'}")


def dashboard_scripts() -> Path:
    """The page's script and the iframe's runtime, in `dashboard_js/dist/`: built again only when their sources change.

    They are the Dashboard's own code, the same for every sandbox and app, which the real Dashboard
    serves ready-made: so they are built once for the checkout (`make`'s DASHBOARD_JS, else here, at
    the first page or app opened), not for each sandbox. Only the app's bundle is built when an app is
    opened, as `stripe apps start` does. Built beside `dist/` and moved in, so sandboxes building at
    the same time (pytest-xdist's workers) never read a half-written script.
    """
    _node()  # says what is missing before anything is read
    sources = [BUILD_SCRIPT, *sorted((JS / "src").iterdir())]
    newest = max(path.stat().st_mtime for path in sources)
    if not all(path.exists() and path.stat().st_mtime >= newest for path in (DIST / name for name in SCRIPTS)):
        staging = Path(tempfile.mkdtemp(prefix=".dist-", dir=DIST.parent))
        try:
            _run_build("dashboard", str(staging))
            DIST.mkdir(exist_ok=True)
            for name in SCRIPTS:
                os.replace(staging / name, DIST / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return DIST


def build_app(folder: Path, out: Path, packages: Path | None) -> Path:
    """The app's bundle, `out/ext.js`, as `stripe apps start` builds it (the shape read from the bundles the
    CLI writes into .build/): an entry that imports each view of the manifest and exports it with the SDK's
    version, a build time and the manifest; one IIFE whose result is the global __StripeExtExports; what the
    Dashboard's runtime provides (PROVIDED) left out; process.env.NODE_ENV "development", as for
    `stripe apps start`. `packages`: a node_modules folder to resolve the app's packages from when the app
    has none of its own (the kit's copy, same lockfile), given to esbuild as NODE_PATH.

    esbuild's own executable, not its JavaScript API under Node.js: 0.07 s for the kit's app rather than
    0.22 s, most of it Node.js starting, which a learner waits for when they open their app.
    """
    if not (folder / "stripe-app.json").is_file() or not (folder / "src").is_dir():
        raise BuildError(f"{folder} is not a Stripe App project: it has no stripe-app.json and src/.")
    if not (folder / "node_modules").is_dir() and packages is None:
        raise BuildError(f"{folder} has no node_modules: run `npm ci` there first.")
    _node()  # says what is missing before anything is read
    try:
        manifest = json.loads((folder / "stripe-app.json").read_text(encoding="utf-8"))
    except ValueError as error:
        raise BuildError(f"{folder / 'stripe-app.json'} is not JSON: {error}") from None
    out.mkdir(parents=True, exist_ok=True)
    command = [
        str(ESBUILD),
        "--bundle",
        "--format=iife",
        "--global-name=__StripeExtExports",
        "--platform=browser",
        "--target=es2020",
        *(f"--external:{name}" for name in PROVIDED),
        "--jsx=automatic",
        '--define:process.env.NODE_ENV="development"',
        "--sourcemap=inline",
        "--sourcefile=.build/manifest.js",  # the entry comes on stdin, resolved from the app's folder
        "--loader=js",
        f"--outfile={out / 'ext.js'}",
        "--log-level=error",
    ]
    environment = {**os.environ, "NODE_PATH": str(packages)} if packages else None
    _bundle(command, cwd=folder, input=app_entry(manifest), env=environment)
    return out / "ext.js"


def app_entry(manifest: Any) -> str:
    """The bundle's entry, as the Stripe CLI writes .build/manifest.js. Each view's component names a file in
    src/views/ and becomes a JavaScript name here, so it must be one: never code from the manifest in the bundle."""
    views_given = ((manifest.get("ui_extension") or {}).get("views") or []) if isinstance(manifest, dict) else None
    if not isinstance(views_given, list) or not all(
        isinstance(view, dict) and isinstance(view.get("component"), str) and COMPONENT.fullmatch(view["component"])
        for view in views_given
    ):
        raise BuildError(
            "stripe-app.json's ui_extension.views must list views whose component is a name such as "
            "AppSettings, the file src/views/AppSettings.tsx."
        )
    views = list(dict.fromkeys(view["component"] for view in views_given))
    built = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return "\n".join(
        [
            "// AUTOGENERATED by the kit, as the Stripe CLI writes .build/manifest.js",
            *(f"import {name} from './src/views/{name}';" for name in views),
            "export * from '@stripe/ui-extension-sdk/version';",
            f"export const BUILD_TIME = {json.dumps(built)};",
            f"export {{ {', '.join(views)} }};",
            f"export default {json.dumps(manifest, indent=2, ensure_ascii=False)};",
        ]
    )


def frame_policy(manifest: dict[str, Any], scripts: list[str]) -> str:
    """The iframe's CSP: nothing by default; the Dashboard's runtime and the bundle; connect-src from the manifest."""
    policy = (manifest.get("ui_extension") or {}).get("content_security_policy") or {}
    connect = policy.get("connect-src") or []
    images = policy.get("image-src") or []
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {' '.join(scripts)}",
            f"connect-src {' '.join(connect) or chr(39) + 'none' + chr(39)}",
            f"img-src {' '.join(images) or chr(39) + 'none' + chr(39)}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def _data_dir() -> Path:
    return storage().path.parent


def _bundle_dir(install: Install) -> Path:
    return _data_dir() / "apps" / install.install_id


def _install_for(app_id: str) -> Install:
    """The install the page shows: the app, for the user and mode in the query string."""
    user, mode = request.args.get("user", ""), request.args.get("mode", "test")
    install = DashboardStore(storage()).install_of(app_id, user, mode)
    if install is None:
        abort(404, f"No install of {app_id} for user {user!r} in {mode} mode: open the app with World.open_app.")
    return install


def _who(install: Install) -> dict[str, Any]:
    """The query string that names the install: its user and mode (the app id is in the path)."""
    return {"user": install.user_id, "mode": install.mode}


def _absolute(endpoint: str, **values: Any) -> str:
    return request.host_url.rstrip("/") + url_for(endpoint, **values)


@app_page.post("/api/apps")
def open_app() -> Any:
    install = find_install(storage(), api_key(request) or "")
    if install is None:
        return stripe_error(401, "Unknown or missing install key: use the api_key from world.install_app(...).")
    body = request.get_json(silent=True) or {}
    folder, packages = body.get("folder"), body.get("packages")
    if not isinstance(folder, str) or not (packages is None or isinstance(packages, str)):
        return stripe_error(400, "Send {folder, packages}: the app's folder, and a node_modules folder or null.")
    try:
        dashboard_scripts()
        build_app(Path(folder), _bundle_dir(install), Path(packages) if packages else None)
    except (BuildError, subprocess.TimeoutExpired) as failure:
        # A sandbox that cannot build is no server error: the request is refused, with what to do.
        return stripe_error(409 if isinstance(failure, CannotBuild) else 400, str(failure))
    return jsonify(page=url_for(".page", app_id=install.app_id, **_who(install)))


@app_page.get("/apps/<app_id>")
def page(app_id: str) -> Any:
    install = _install_for(app_id)
    args = _who(install)
    urls = {
        "session": url_for(".session", app_id=app_id, **args),
        "frame": url_for(".frame", app_id=app_id, **args),
        "dashboard": request.script_root,
        "stripe": request.script_root.rsplit("/dashboard", 1)[0] + "/stripe",
    }
    manifest = DashboardStore(storage()).manifest_of(install)
    return render_template(
        "app_page.html",
        install=install,
        manifest=manifest,
        urls=json.dumps(urls),
        host_script=url_for(".dashboard_script", name="host.js"),
        policy=frame_policy(manifest, ["(the Dashboard's runtime)", "(the app's bundle)"]),
    )


@app_page.get("/apps/<app_id>/session")
def session(app_id: str) -> Any:
    install = _install_for(app_id)
    manifest = DashboardStore(storage()).manifest_of(install)
    views = (manifest.get("ui_extension") or {}).get("views") or []
    view = next((v for v in views if v.get("viewport") == DRAWER), views[0] if views else None)
    if view is None:
        return stripe_error(400, "The manifest has no view to show: add one under ui_extension.views.")
    response = jsonify(
        api_key=install.api_key,
        user_id=install.user_id,
        account_id=install.account_id,
        mode=install.mode,
        permissions=list(install.permissions),
        manifest=manifest,
        component=view["component"],
        viewport=view["viewport"],
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@app_page.get("/apps/<app_id>/frame")
def frame(app_id: str) -> Any:
    install = _install_for(app_id)
    args = _who(install)
    runtime = _absolute(".dashboard_script", name="runtime.js")
    bundle_path = url_for(".bundle", app_id=app_id)
    bundle = _absolute(".bundle", app_id=app_id, **args)
    html = render_template("app_frame.html", runtime=runtime, bundle=bundle)
    response = Response(html, mimetype="text/html")
    # A CSP source matches scheme, host and path only: the bundle's source is its URL without the query string.
    response.headers["Content-Security-Policy"] = frame_policy(
        DashboardStore(storage()).manifest_of(install), [runtime, request.host_url.rstrip("/") + bundle_path]
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@app_page.get("/apps/<app_id>/ext.js")
def bundle(app_id: str) -> Any:
    built = _bundle_dir(_install_for(app_id)) / "ext.js"
    if not built.is_file():
        abort(404, "The app was not built: open it with World.open_app.")
    return send_file(built, mimetype="text/javascript", max_age=0)


@app_page.get("/dashboard-js/<name>")
def dashboard_script(name: str) -> Any:
    if name not in SCRIPTS:
        abort(404)
    try:
        folder = dashboard_scripts()
    except BuildError as failure:
        return Response(f"console.error({json.dumps(str(failure))});", mimetype="text/javascript")
    return send_file(folder / name, mimetype="text/javascript", max_age=0)

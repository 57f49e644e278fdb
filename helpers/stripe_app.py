"""Your Stripe App: the kit's TypeScript app (``stripe-app/``), filled with your app and provider.

The app's code never changes from one provider to the next; what does is written into its
manifest, ``stripe-app.json``, which the Dashboard reads and passes on:

- ``constants.oauth``: the ``client_id``, the provider's endpoints, the scope and both redirect
  URLs, exactly as registered (the view reads them as ``environment.constants``);
- ``content_security_policy["connect-src"]``: the token, revocation and API endpoints, which the
  app ``fetch``es from its iframe (the authorization link is only navigated to). Entries of the
  kit's sample (``api.example.com``) and of the provider the manifest was generated for before are
  replaced; any other entry you added is kept;
- what Stripe's own example manifests write out: ``distribution_type``, ``stripe_api_access_type``
  and ``sandbox_install_compatible``, unless your manifest says otherwise;
- one view, ``App``, in the Dashboard's default drawer: ``oauthContext`` reaches the viewport
  the flow started from only (stripe/stripe-apps#637), and the drawer is the one it returns to.

``generate_app`` writes the whole project into a folder you name. Run it again with other
values and it rewrites what it wrote before, but never a file you changed since: it keeps a
record of what it wrote (``.kit-generated.json``, which the project's .gitignore leaves out) and
refuses, naming the files, instead. The one exception is ``stripe-app.json`` when you pass that
very file as the manifest: your edits are then the input, and the new one carries them.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from helpers.errors import KitError, ManifestError
from helpers.manifest import (
    GRANT_SECRET_WRITE,
    PRODUCTION_DASHBOARD,
    SECRET_WRITE,
    Manifest,
    connect_src_allows,
    manifest_problems,
    parse_manifest,
    redirect_urls,
)
from helpers.provider import Provider


def _kit_app() -> Path:
    """The kit's own app, the template: inside an installed kit (setup.py puts it there), else the checkout's."""
    installed = Path(__file__).resolve().parent / "stripe_app_template"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[1] / "stripe-app"


KIT_APP = _kit_app()
SCHEMA = "https://stripe.com/stripe-app.schema.json"
DRAWER_VIEW = {"viewport": "stripe.dashboard.drawer.default", "component": "App"}
MANIFEST_FILE = "stripe-app.json"
RECORD_FILE = ".kit-generated.json"
# The kit's sample manifest (notebooks/stripe-app.json) and its placeholder provider use this host.
SAMPLE_HOST = "api.example.com"
# Written out as Stripe's example manifests write them (the schema's defaults, said plainly).
MANIFEST_DEFAULTS = {
    "stripe_api_access_type": "platform",
    "distribution_type": "private",
    "sandbox_install_compatible": True,
}
# The project as `stripe apps create` lays it out, less the manifest, which is generated.
# The kit's own test harness (stripe-app/test/) needs the sandbox and stays behind.
APP_FILES = (
    ".gitignore",
    "README.md",
    "eslint.config.mjs",
    "jest.config.mjs",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "ui-extensions.d.ts",
    "src/oauth.ts",
    "src/oauth.test.ts",
    "src/testing/fakes.ts",
    "src/views/App.tsx",
    "src/views/App.test.tsx",
)


class StripeAppError(KitError):
    """The app cannot be generated: values that do not fit together, or a folder with your edits."""


@dataclass(frozen=True)
class GeneratedApp:
    """What ``generate_app`` did: the folder, the manifest it wrote, the files written or left as they were."""

    folder: Path
    manifest: Mapping[str, Any]
    written: tuple[str, ...]
    unchanged: tuple[str, ...]


def app_manifest(
    manifest: Manifest, provider: Provider, dashboard_base: str = PRODUCTION_DASHBOARD, provider_name: str | None = None
) -> dict[str, Any]:
    """The app's ``stripe-app.json``: your manifest, with the provider you registered the app with.

    ``provider_name`` is what the view calls the provider (default: its issuer's host name).

    ``provider.redirect_uri`` must be one of the app's two redirect URLs on ``dashboard_base``
    (the URL the ``client_id`` was registered for); both are written, one for each mode.
    """
    urls = redirect_urls(manifest.app_id, dashboard_base)
    if provider.redirect_uri not in (urls.test, urls.live):
        raise StripeAppError(
            f"The client_id was registered for the redirect URL {provider.redirect_uri}, which is not one of "
            f"this app's: {urls.test} (test) and {urls.live} (live).",
            "Register both of the app's redirect URLs with the provider and use that client_id, or pass the "
            "dashboard_base the redirect URLs were made for.",
        )
    if not manifest.has_permission(SECRET_WRITE):
        raise ManifestError(
            "The manifest lacks the secret_write permission, which the app needs to keep the token.",
            f"Run: {GRANT_SECRET_WRITE}",
        )
    data = copy.deepcopy(dict(manifest.raw))
    ui_extension = data["ui_extension"]
    ui_extension["views"] = [dict(DRAWER_VIEW)]  # the only component the app has
    policy = ui_extension.setdefault("content_security_policy", {})
    # What the Dashboard shows the user as the reason for these URLs: what the app does with them.
    policy["purpose"] = (
        "Exchanges the authorization code for a token"
        + (", calls the provider's API with it" if provider.api_endpoint else "")
        + (", and revokes it at log out" if provider.revocation_endpoint else "")
    )
    replaced = _generated_endpoints(data)
    policy["connect-src"] = [
        entry
        for entry in policy.get("connect-src") or []
        if entry not in replaced and urlsplit(entry).hostname != SAMPLE_HOST
    ]
    fetched = (provider.token_endpoint, provider.revocation_endpoint, provider.api_endpoint)
    for endpoint in fetched:
        if endpoint and not connect_src_allows(parse_manifest(data), endpoint):
            # CSP matches scheme, host and path: the query string does not belong in the entry.
            policy["connect-src"] = [*policy["connect-src"], _csp_entry(endpoint)]
    data["constants"] = {
        **(data.get("constants") or {}),
        "oauth": {
            "client_id": provider.client_id,
            "provider_name": provider_name or urlsplit(provider.issuer or provider.authorization_endpoint).hostname,
            "authorization_endpoint": provider.authorization_endpoint,
            "token_endpoint": provider.token_endpoint,
            "revocation_endpoint": provider.revocation_endpoint,
            "api_endpoint": provider.api_endpoint,
            "scope": provider.scope,
            "redirect_uris": {"test": urls.test, "live": urls.live},
        },
    }
    data = {**data, **{key: value for key, value in MANIFEST_DEFAULTS.items() if key not in data}}
    data = {"$schema": SCHEMA, **{key: value for key, value in data.items() if key != "$schema"}}
    problems = manifest_problems(parse_manifest(data), provider.token_endpoint)
    if problems:  # cannot happen after the above; a guard against a future edit of this function
        raise StripeAppError(" ".join(problems), "Fix the manifest, then generate again.")
    return data


def _csp_entry(url: str) -> str:
    return urlsplit(url)._replace(query="", fragment="").geturl()


def _generated_endpoints(data: Mapping[str, Any]) -> set[str]:
    """The connect-src entries a generation for another provider wrote: its endpoints in ``constants.oauth``."""
    oauth = (data.get("constants") or {}).get("oauth") or {}
    names = ("token_endpoint", "revocation_endpoint", "api_endpoint")
    return {_csp_entry(oauth[name]) for name in names if isinstance(oauth.get(name), str)}


def app_files(
    manifest: Manifest,
    provider: Provider,
    *,
    template: Path,
    dashboard_base: str = PRODUCTION_DASHBOARD,
    provider_name: str | None = None,
) -> dict[str, bytes]:
    """Every file of the app, by path: the template's, with your manifest and your app's npm name."""
    missing = [name for name in APP_FILES if not (template / name).is_file()]
    if missing:
        raise StripeAppError(
            f"The kit's app is not complete at {template}: it lacks {', '.join(missing)}.",
            "Pass template= the stripe-app/ folder of a checkout of the kit (KIT_APP is where the kit expects it).",
        )
    files = {name: (template / name).read_bytes() for name in APP_FILES}
    data = app_manifest(manifest, provider, dashboard_base, provider_name)
    files[MANIFEST_FILE] = _json_bytes(data)
    name = npm_name(manifest.app_id)
    for lock_or_package in ("package.json", "package-lock.json"):
        content = json.loads(files[lock_or_package])
        content["name"] = name
        if "" in content.get("packages", {}):  # the lockfile names the project twice
            content["packages"][""]["name"] = name
        files[lock_or_package] = _json_bytes(content)
    return files


def generate_app(
    folder: str | Path,
    manifest: Manifest,
    provider: Provider,
    *,
    template: str | Path,
    dashboard_base: str = PRODUCTION_DASHBOARD,
    provider_name: str | None = None,
    overwrite: bool = False,
) -> GeneratedApp:
    """Write the app into ``folder``, from the kit's app in ``template`` (``stripe-app/``).

    A file that differs from what would be written is replaced only if this function wrote it
    last time and nobody changed it since; otherwise nothing is written and StripeAppError
    names the files (``overwrite=True`` replaces them anyway).
    """
    named = folder  # messages name the folder as the caller did
    folder, template = Path(folder).resolve(), Path(template).resolve()
    if folder == template:
        raise StripeAppError(
            f"{named} is the kit's own app, the template the others are made from.",
            "Name a folder of your own, e.g. generate_app('my-stripe-app', ...).",
        )
    files = app_files(manifest, provider, template=template, dashboard_base=dashboard_base, provider_name=provider_name)
    record = _read_record(folder)
    changed = {name for name, content in files.items() if _read(folder / name) not in (None, content)}
    edited = sorted(name for name in changed if record.get(name) != _digest(_read(folder / name) or b""))
    if MANIFEST_FILE in edited and _read_json(folder / MANIFEST_FILE) == dict(manifest.raw):
        edited.remove(MANIFEST_FILE)  # your edited manifest is the input: the new one carries the edits
    if edited and not overwrite:
        raise StripeAppError(
            f"{named} holds files that differ from the kit's and were changed since the kit wrote them "
            f"(or were never written by it): {', '.join(edited)}.",
            "Keep your changes elsewhere (or commit them) and generate again, generate into another folder, "
            "or pass overwrite=True to replace them.",
        )
    written = []
    for name, content in files.items():
        path = folder / name
        if name in changed or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            written.append(name)
    (folder / RECORD_FILE).write_text(json.dumps({name: _digest(content) for name, content in files.items()}, indent=2))
    return GeneratedApp(
        folder=folder,
        manifest=json.loads(files[MANIFEST_FILE]),
        written=tuple(sorted(written)),
        unchanged=tuple(sorted(set(files) - set(written))),
    )


def excerpt(path: str | Path, name: str) -> str:
    """The declaration of ``name`` in a TypeScript file with the comment above it: a short piece to show.

    It ends at the first line that closes a brace in the first column, as a top-level
    function, class or object does in the kit's app.
    """
    lines = Path(path).read_text().splitlines()
    declaration = re.compile(rf"^(export )?(async )?(function|class|const|interface) {re.escape(name)}\b")
    start = next((i for i, line in enumerate(lines) if declaration.match(line)), None)
    if start is None:
        raise StripeAppError(f"{path} declares no {name}.", "Check the name: it is case-sensitive.")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("}"))
    while start > 0 and lines[start - 1].lstrip().startswith(("/**", "*", "//")):
        start -= 1
    return "\n".join(lines[start : end + 1])


def npm_name(app_id: str) -> str:
    """The app id as an npm package name: lower case, not starting with '.' or '_'."""
    return re.sub(r"^[._]+", "", app_id.lower()) or "stripe-app"


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _read_record(folder: Path) -> dict[str, str]:
    try:
        record = json.loads((folder / RECORD_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}

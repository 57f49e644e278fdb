"""Step 1: read the app manifest (``stripe-app.json``) and make the redirect URLs from its id.

The provider must know where to send the user back: the Dashboard's ``apps-oauth`` page
for this app, one URL for test mode and one for live mode. The manifest must also let the
app do the rest of the flow: ``secret_write`` to keep the token, and a ``connect-src``
entry that admits the provider's token endpoint (the exchange is a ``fetch`` from the
extension's iframe, which Stripe's Content Security Policy limits to those URLs).

The checks follow Stripe's manifest schema (``schema/stripe-app.schema.json`` in
stripe/stripe-apps), so a manifest that passes here passes ``stripe apps upload``'s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from helpers.errors import ManifestError
from helpers.mode import require_mode

APP_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_\-\.]+$")
# Stripe's schema pattern for connect-src entries: a scheme, a host and a non-empty path.
CONNECT_SRC_PATTERN = re.compile(r"^https?://.*/.+")
PRODUCTION_DASHBOARD = "https://dashboard.stripe.com"
SECRET_WRITE = "secret_write"
GRANT_SECRET_WRITE = 'stripe apps grant permission "secret_write" "Allows storing secrets between page reloads"'

_REQUIRED_FIELDS = ("id", "name", "version", "permissions", "ui_extension")


@dataclass(frozen=True)
class Manifest:
    """The parts of ``stripe-app.json`` the OAuth flow depends on; ``raw`` holds all of it."""

    app_id: str
    name: str
    version: str
    permissions: tuple[str, ...]
    connect_src: tuple[str, ...] | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    def has_permission(self, name: str) -> bool:
        """Tell whether the manifest asks for permission ``name`` (e.g. ``"secret_write"``)."""
        return name in self.permissions


@dataclass(frozen=True)
class RedirectURLs:
    """The two URLs to register with the provider: the Dashboard's landing in each mode."""

    test: str
    live: str


def parse_manifest(data: Mapping[str, Any]) -> Manifest:
    """Check the manifest's content against Stripe's schema and return its flow-relevant parts."""
    if not isinstance(data, Mapping):
        raise ManifestError(
            f"The manifest must be a JSON object, not {type(data).__name__}.",
            'Start from the sample notebooks/stripe-app.json: {"id": ..., "name": ..., ...}.',
        )
    missing = [name for name in _REQUIRED_FIELDS if name not in data]
    if missing:
        raise ManifestError(
            f"The manifest lacks required field(s): {', '.join(missing)}.",
            "Add them; notebooks/stripe-app.json shows each one.",
        )
    app_id = _require_app_id(data["id"])
    for name in ("name", "version"):
        if not isinstance(data[name], str) or not data[name]:
            raise ManifestError(
                f"The manifest's {name!r} must be a non-empty string.",
                'Give it a value, e.g. "name": "My App", "version": "0.0.1".',
            )
    return Manifest(
        app_id=app_id,
        name=data["name"],
        version=data["version"],
        permissions=_parse_permissions(data["permissions"]),
        connect_src=_parse_connect_src(data["ui_extension"]),
        raw=MappingProxyType(dict(data)),
    )


def load_manifest(path: str | Path) -> Manifest:
    """Read ``stripe-app.json`` at ``path`` and parse it (see ``parse_manifest``)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as e:
        raise ManifestError(
            f"Cannot read the manifest {path}: {e.strerror}.",
            "Pass the path of your stripe-app.json; the sample one is notebooks/stripe-app.json.",
        ) from None
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ManifestError(
            f"{path} is not UTF-8 text (byte {e.start} cannot be read).",
            "Save the file as UTF-8; most editors offer it in their encoding menu.",
        ) from None
    except json.JSONDecodeError as e:
        raise ManifestError(
            f"{path} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}.",
            "Fix the JSON there; a trailing comma or a missing quote is the usual cause.",
        ) from None
    return parse_manifest(data)


def redirect_url(app_id: str, mode: str, dashboard_base: str = PRODUCTION_DASHBOARD) -> str:
    """Return the Dashboard URL the provider sends the user back to, in ``mode``.

    Test mode has its own URL (``/test/apps-oauth/<id>``); the provider must accept both.
    The app id's alphabet needs no URL-encoding, so the id goes in as it is.
    """
    app_id = _require_app_id(app_id)
    prefix = "/test" if require_mode(mode) == "test" else ""
    return f"{dashboard_base.rstrip('/')}{prefix}/apps-oauth/{app_id}"


def redirect_urls(app_id: str, dashboard_base: str = PRODUCTION_DASHBOARD) -> RedirectURLs:
    """Return both redirect URLs of the app, to register with the provider."""
    return RedirectURLs(
        test=redirect_url(app_id, "test", dashboard_base),
        live=redirect_url(app_id, "live", dashboard_base),
    )


def connect_src_allows(manifest: Manifest, url: str) -> bool:
    """Tell whether the manifest's ``connect-src`` lets the extension fetch ``url``.

    Stripe's rule: an entry ending in ``/`` admits that URL and everything below it; any
    other entry admits exactly itself. Scheme and host compare case-insensitively, the path
    exactly; a query string does not matter (as in CSP source matching).
    """
    target = urlsplit(url)
    for entry in manifest.connect_src or ():
        allowed = urlsplit(entry)
        if (allowed.scheme.lower(), allowed.netloc.lower()) != (
            target.scheme.lower(),
            target.netloc.lower(),
        ):
            continue
        if allowed.path.endswith("/") and target.path.startswith(allowed.path):
            return True
        if allowed.path == target.path:
            return True
    return False


def manifest_problems(manifest: Manifest, token_endpoint: str) -> list[str]:
    """Return what stops the app from running the flow against ``token_endpoint`` (empty if nothing)."""
    problems = []
    if not manifest.has_permission(SECRET_WRITE):
        problems.append(
            "The app lacks the secret_write permission, so it cannot save the token in the "
            f"Secret Store. Run: {GRANT_SECRET_WRITE}"
        )
    if not connect_src_allows(manifest, token_endpoint):
        entry = urlsplit(token_endpoint)._replace(query="", fragment="").geturl()
        problems.append(
            f"connect-src does not admit the token endpoint {entry}, so the browser would "
            f'refuse the exchange. Add "{entry}" to ui_extension.content_security_policy'
            '["connect-src"].'
        )
    return problems


def _require_app_id(app_id: object) -> str:
    if not isinstance(app_id, str) or not APP_ID_PATTERN.fullmatch(app_id):
        raise ManifestError(
            f"The app id {app_id!r} is not valid: it may hold only letters, digits, '_', '-' and '.'.",
            'Use a reverse-DNS style id such as "com.example.myapp".',
        )
    return app_id


def _parse_permissions(permissions: object) -> tuple[str, ...]:
    if not isinstance(permissions, list):
        raise ManifestError(
            f"'permissions' must be a list, not {type(permissions).__name__}.",
            'Write [{"permission": "secret_write", "purpose": "..."}] or [] for none.',
        )
    names = []
    for index, entry in enumerate(permissions):
        if not (
            isinstance(entry, Mapping)
            and set(entry) == {"permission", "purpose"}
            and all(isinstance(entry[key], str) and entry[key] for key in entry)
        ):
            raise ManifestError(
                f"permissions[{index}] is not valid: each entry needs exactly a non-empty "
                "'permission' and a non-empty 'purpose'.",
                'Write {"permission": "secret_write", "purpose": "Allows storing secrets between '
                'page reloads"}, or let the Stripe CLI write it: ' + GRANT_SECRET_WRITE,
            )
        names.append(entry["permission"])
    return tuple(names)


def _parse_connect_src(ui_extension: object) -> tuple[str, ...] | None:
    if not isinstance(ui_extension, Mapping):
        raise ManifestError(
            f"'ui_extension' must be an object, not {type(ui_extension).__name__}.",
            'Write "ui_extension": {"views": [...], "content_security_policy": {...}}.',
        )
    policy = ui_extension.get("content_security_policy") or {}
    if not isinstance(policy, Mapping):
        raise ManifestError(
            f"content_security_policy must be an object, not {type(policy).__name__}.",
            'Write "content_security_policy": {"connect-src": [...], "purpose": "..."}.',
        )
    entries = policy.get("connect-src")
    if entries is None:
        return None
    if not isinstance(entries, list):
        raise ManifestError(
            f"connect-src must be a list of URLs or null, not {type(entries).__name__}.",
            'Write "connect-src": ["https://api.example.com/oauth2/token"].',
        )
    for index, entry in enumerate(entries):
        if not isinstance(entry, str) or not CONNECT_SRC_PATTERN.search(entry):
            raise ManifestError(
                f"connect-src[{index}] {entry!r} is not valid: an entry needs a scheme, a host "
                "and a path, e.g. https://api.example.com/oauth2/token (a bare origin is refused).",
                "Give the full URL the app fetches, or a folder ending in '/' such as "
                "https://api.example.com/oauth2/ to admit everything under it.",
            )
    return tuple(entries)

"""The Dashboard stand-in's check of an app's manifest: Stripe's published JSON schema, nothing of the kit's.

A learner's code reads the manifest with `helpers.manifest`; the stand-in must not trust that
code to check itself, so it validates against Stripe's own schema (`schema/`, vendored with its
source), as `stripe apps upload` does, with jsonschema.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft7Validator

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "stripe-app.schema.json"
SECRET_WRITE = "secret_write"
# The Stripe CLI's command that adds the permission, as Stripe's docs give it.
GRANT_SECRET_WRITE = 'stripe apps grant permission "secret_write" "Allows storing secrets between page reloads"'


class ManifestRefused(ValueError):
    """The manifest breaks Stripe's schema; the message says where and how."""


@dataclass(frozen=True)
class AppManifest:
    """What installing needs from a manifest that passed the schema; `raw` is all of it."""

    app_id: str
    permissions: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)


def _without_unused_format_checkers() -> None:
    """Before jsonschema is first imported: keep rfc3987-syntax out of the process.

    Importing jsonschema loads the optional libraries of its format checkers, and that one (which
    Jupyter installs) builds a Lark grammar at import: 16 MiB and about a second of every sandbox.
    The Dashboard checks a manifest's structure, not string formats (no format_checker, jsonschema's
    default), so the checker is never used; a None in sys.modules makes its import fail, which
    jsonschema expects of an optional library. One imported already (in a test's process) stays.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@functools.cache
def _validator() -> Draft7Validator:
    # Imported at the first install, not when the sandbox starts: every start (kernel restarts, tests)
    # would wait for it. Without the format checker nobody uses: see _without_unused_format_checkers.
    _without_unused_format_checkers()
    from jsonschema import Draft7Validator

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def check_manifest(data: object) -> AppManifest:
    """The manifest's install-relevant parts; ManifestRefused with the most telling schema error."""
    _without_unused_format_checkers()
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(data))
    if error is not None:
        where = error.json_path if error.path else "the manifest"
        raise ManifestRefused(
            f"The manifest breaks Stripe's schema (stripe-app.schema.json) at {where}: {error.message}"
        )
    assert isinstance(data, Mapping)  # the schema's "type": "object" held
    return AppManifest(
        app_id=data["id"],
        permissions=tuple(entry["permission"] for entry in data["permissions"]),
        raw=dict(data),
    )

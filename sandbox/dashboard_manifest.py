"""The Dashboard stand-in's check of an app's manifest: Stripe's published JSON schema, nothing of the kit's.

A learner's code reads the manifest with `helpers.manifest`; the stand-in must not trust that
code to check itself, so it validates against Stripe's own schema (`schema/`, vendored with its
source), as `stripe apps upload` does, with fastjsonschema: pure Python, so the same check runs in
the browser edition's kernel (Pyodide), where jsonschema's native dependency (rpds-py) does not.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "stripe-app.schema.json"
SECRET_WRITE = "secret_write"
# The Stripe CLI's command that adds the permission, as Stripe's docs give it.
GRANT_SECRET_WRITE = 'stripe apps grant permission "secret_write" "Allows storing secrets between page reloads"'
# fastjsonschema names the value that broke a rule from "data" (the whole document): `data.permissions[0]`.
_DOCUMENT = "data"


class ManifestRefused(ValueError):
    """The manifest breaks Stripe's schema; the message says where and how."""


@dataclass(frozen=True)
class AppManifest:
    """What installing needs from a manifest that passed the schema; `raw` is all of it."""

    app_id: str
    permissions: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@functools.cache
def _validator() -> Callable[[object], object]:
    # Compiled at the first install, not when the sandbox starts: every start (kernel restarts, tests)
    # would wait for it. String formats are not checked: the Dashboard checks a manifest's structure.
    import fastjsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validate: Callable[[object], object] = fastjsonschema.compile(schema, use_formats=False)
    _hand_back_freed_memory()
    return validate


def _hand_back_freed_memory() -> None:
    """Give the system back what compiling the validator freed: 3.8 MiB of every learner's sandbox.

    fastjsonschema writes the validator as Python source (120 kB) and compiles it: Python's parser builds
    and frees some 5 MiB, which glibc keeps in the process for later use, and the sandbox never needs it
    again. glibc's malloc_trim returns what it can (as Dask does for its workers); the validator itself
    holds about 0.1 MiB. Where the C library is not glibc (macOS, Pyodide) there is nothing to call.
    """
    import ctypes

    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def _where(name: str) -> str:
    """The broken value as a JSONPath (`$.permissions[0]`), or "the manifest" for the whole of it."""
    return "the manifest" if name == _DOCUMENT else "$" + name.removeprefix(_DOCUMENT)


def check_manifest(data: object) -> AppManifest:
    """The manifest's install-relevant parts; ManifestRefused naming the first schema rule it breaks, and where."""
    import fastjsonschema

    try:
        _validator()(data)
    except fastjsonschema.JsonSchemaValueException as error:
        name = error.name or _DOCUMENT
        # Its message repeats the name first ("data.id must match …"): said once, as a JSONPath.
        how = re.sub(rf"^{re.escape(name)}\s+", "", error.message)
        raise ManifestRefused(
            f"The manifest breaks Stripe's schema (stripe-app.schema.json) at {_where(name)}: {how}"
        ) from None
    assert isinstance(data, Mapping)  # the schema's "type": "object" held
    return AppManifest(
        app_id=data["id"],
        permissions=tuple(entry["permission"] for entry in data["permissions"]),
        raw=dict(data),
    )

"""The Dashboard stand-in checks manifests against Stripe's published schema, vendored unchanged."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.dashboard_manifest import SCHEMA_FILE, ManifestRefused, check_manifest

ROOT = Path(__file__).resolve().parents[2]


def test_the_vendored_schema_is_the_one_its_readme_names():
    readme = (SCHEMA_FILE.parent / "README.md").read_text()
    recorded = re.search(r"sha256 `([0-9a-f]{64})`", readme).group(1)
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == recorded
    assert json.loads(SCHEMA_FILE.read_text())["$id"] == "https://stripe.com/stripe-app.schema.json"


@pytest.mark.parametrize("path", ["notebooks/stripe-app.json", "stripe-app/stripe-app.json"])
def test_the_kits_own_manifests_pass_stripes_schema(path):
    manifest = check_manifest(json.loads((ROOT / path).read_text()))
    assert manifest.app_id == "com.example.pkce-kit" and manifest.permissions == ("secret_write",)


@pytest.mark.parametrize(
    "change, where",
    [
        ({"id": "com example"}, "$.id"),
        ({"permissions": [{"permission": "secret_write"}]}, "$.permissions[0]"),
        ({"permissions": [{"permission": "not_a_permission", "purpose": "x"}]}, "$.permissions[0].permission"),
        ({"surprise": 1}, "the manifest"),
    ],
)
def test_a_manifest_that_breaks_the_schema_is_refused_saying_where(change, where):
    manifest = {**json.loads((ROOT / "notebooks/stripe-app.json").read_text()), **change}
    with pytest.raises(ManifestRefused, match=re.escape(where)):
        check_manifest(manifest)


def test_a_bare_origin_in_connect_src_is_refused_by_stripes_pattern():
    manifest = json.loads((ROOT / "notebooks/stripe-app.json").read_text())
    manifest["ui_extension"]["content_security_policy"]["connect-src"] = ["https://api.example.com"]
    with pytest.raises(ManifestRefused, match=re.escape("connect-src")):
        check_manifest(manifest)


def test_the_check_runs_without_jsonschema_nor_native_wheels():
    """A fresh process, as the sandbox is, and as the browser edition's Pyodide has it: no jsonschema (whose
    rpds-py is native), nor rfc3987-syntax's Lark grammar (16 MiB) loaded; the check still refuses what it must."""
    manifest = json.loads((ROOT / "notebooks/stripe-app.json").read_text())
    script = (
        "import json, sys\n"
        "sys.modules.update(jsonschema=None, rpds=None)\n"
        "from sandbox.dashboard_manifest import ManifestRefused, check_manifest\n"
        f"manifest = json.loads({json.dumps(json.dumps(manifest))})\n"
        "print(check_manifest(manifest).app_id)\n"
        "try:\n"
        "    check_manifest({**manifest, 'id': 'com example'})\n"
        "except ManifestRefused as refused:\n"
        "    print(str(refused).split(': ')[0])\n"
        "print(sorted(name for name in ('lark', 'rfc3987_syntax', 'rpds') if sys.modules.get(name) is not None))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        manifest["id"],
        "The manifest breaks Stripe's schema (stripe-app.schema.json) at $.id",
        "[]",
    ]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process's RSS (Linux)")
def test_compiling_the_check_leaves_the_parsers_garbage_with_the_system():
    """The first check compiles fastjsonschema's validator: Python's parser frees some 5 MiB that glibc would
    keep in the sandbox's process; handed back (sandbox/dashboard_manifest.py), the process grows 2 MiB, the
    validator and ctypes. A bound, not a benchmark: without the hand-back it grows 5.4 MiB."""
    script = (
        "import json, fastjsonschema\n"
        "from sandbox.dashboard_manifest import check_manifest\n"
        "def rss():\n"
        "    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) * 1024\n"
        f"manifest = json.loads({json.dumps((ROOT / 'notebooks/stripe-app.json').read_text())})\n"
        "before = rss(); check_manifest(manifest); print(rss() - before)\n"
    )
    grew = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
    assert grew < 3.5 * 2**20

"""helpers/__init__.py: the names that need httpx or stripe load when first used, and all of them resolve."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parents[2]


def _imported_for_type_checkers() -> dict[str, tuple[str, ...]]:
    tree = ast.parse((ROOT / "helpers" / "__init__.py").read_text())
    (block,) = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    return {f.module: tuple(a.name for a in f.names) for f in block.body if isinstance(f, ast.ImportFrom) and f.module}


def test_what_type_checkers_see_is_what_loads_later():
    assert _imported_for_type_checkers() == helpers.LATER


def test_every_later_name_resolves_and_is_exported():
    for module, names in helpers.LATER.items():
        for name in names:
            assert getattr(helpers, name) is getattr(sys.modules[module], name)
            assert name in helpers.__all__


def test_neither_helpers_nor_the_sandbox_server_imports_httpx_or_stripe():
    code = (
        "import sys, helpers, helpers.redact, sandbox.server\n"
        "print(sorted(m for m in ('httpx', 'stripe', 'requests') if m in sys.modules))"
    )
    printed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert printed.stdout.strip() == "[]", printed.stdout + printed.stderr

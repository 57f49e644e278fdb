"""The sandbox's code keeps the shape the design asks of it, measured over its source with ast."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
SOURCES = sorted(path for path in SANDBOX.rglob("*.py") if "node_modules" not in path.parts)
# What the stand-ins check, they must not borrow from the code they check (DESIGN.md, dependency rule):
# PKCE, the manifest and the state are the learner's lessons in helpers/.
CHECKED_HELPERS = ("helpers.pkce", "helpers.manifest", "helpers.state")
MAX_FUNCTION_LINES = 80


def _imported_modules(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(SANDBOX)))
def test_the_stand_ins_import_nothing_of_what_they_check(path):
    imported = _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    borrowed = [name for name in imported if name.startswith(CHECKED_HELPERS)]
    assert not borrowed, f"{path.name} imports {borrowed}: compute it in the sandbox, independently of helpers/"


def test_no_function_in_the_sandbox_is_over_80_lines():
    long = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(SANDBOX)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, long

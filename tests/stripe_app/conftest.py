"""The kit's Stripe App (stripe-app/) as its own tools see it: npm, tsc, ESLint, Jest.

Its node_modules is installed by the Makefile's rule (`npm ci`, again only when the
lockfile changes), so `make test` and a pytest run on its own install it the same way.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .example import APP, ROOT


@dataclass(frozen=True)
class NodeProject:
    folder: Path

    def run(self, tool: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Run one of the project's own tools (node_modules/.bin), from its folder."""
        return subprocess.run(
            [str(self.folder / "node_modules" / ".bin" / tool), *args],
            cwd=self.folder,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture(scope="session")
def stripe_app() -> NodeProject:
    subprocess.run(["make", "--silent", f"{APP.name}/node_modules/.installed"], cwd=ROOT, check=True)
    return NodeProject(APP)

"""The app passes its own checks: strict types against the installed SDK, Stripe's ESLint rules, unit tests.

The kit's copy is checked, and so is a project generated from it, as a learner gets it: the
commands its README gives (`npm run typecheck`, `npm run lint`, `npm test`) must pass there too.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from helpers.stripe_app import generate_app

from .example import APP, EXAMPLE_PROVIDER, KIT_MANIFEST

pytestmark = pytest.mark.slow


def test_types_check_strictly_against_the_sdk(stripe_app):
    result = stripe_app.run("tsc", "--noEmit", "--project", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    harness = stripe_app.run("tsc", "--noEmit", "--project", "test")  # the kit's Node harness, with Node's types
    assert harness.returncode == 0, harness.stdout + harness.stderr


def test_the_app_itself_is_checked_without_nodes_globals():
    config = json.loads(
        "\n".join(line for line in (APP / "tsconfig.json").read_text().splitlines() if "//" not in line)
    )
    assert "node" not in config["compilerOptions"]["types"]
    assert "@types/node" in json.loads((APP / "package.json").read_text())["devDependencies"]


def test_eslint_with_stripes_rules(stripe_app):
    result = stripe_app.run("eslint", "--max-warnings", "0", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_unit_tests(stripe_app):
    result = stripe_app.run("jest", "--ci", "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "App.test.tsx" in result.stderr  # the view's test, as `stripe apps create` ships one


@pytest.mark.parametrize("script", ["typecheck", "lint", "test"])
def test_a_generated_projects_own_scripts_pass(stripe_app, generated_app, script):
    result = subprocess.run(
        ["npm", "run", "--silent", script],
        cwd=generated_app,
        env={**os.environ, "CI": "true"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def generated_app(stripe_app, tmp_path_factory):
    """A project as notebook 09 writes it; its packages are the kit's (the same lockfile), linked, not installed."""
    folder = generate_app(tmp_path_factory.mktemp("generated") / "my-app", KIT_MANIFEST, EXAMPLE_PROVIDER, template=APP)
    (folder.folder / "node_modules").symlink_to(APP / "node_modules", target_is_directory=True)
    return folder.folder

"""The app passes its own checks: strict types against the installed SDK, Stripe's ESLint rules, unit tests."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_types_check_strictly_against_the_sdk(stripe_app):
    result = stripe_app.run("tsc", "--noEmit", "--project", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_eslint_with_stripes_rules(stripe_app):
    result = stripe_app.run("eslint", "--max-warnings", "0", "src", "test")
    assert result.returncode == 0, result.stdout + result.stderr


def test_unit_tests(stripe_app):
    result = stripe_app.run("jest", "--ci", "src")
    assert result.returncode == 0, result.stdout + result.stderr

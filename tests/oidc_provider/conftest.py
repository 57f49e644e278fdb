"""The provider fixtures of notebook 10's tests: oidc-provider run with node, or the sandbox's."""

from __future__ import annotations

from .running import oidc_issuer  # noqa: F401 (a fixture)

"""The provider fixtures of notebook 10's tests: oidc-provider run with node, Django OAuth Toolkit, or the
sandbox's."""

from __future__ import annotations

from tests.dot_provider.running import dot  # noqa: F401 (a fixture)

from .running import oidc_issuer  # noqa: F401 (a fixture)

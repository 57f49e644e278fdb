"""The stand-in world: an OAuth provider, the Stripe Dashboard and the Stripe API, offline.

import sandbox
world = sandbox.start()      # reuses the running sandbox of this checkout, or starts one
world.stripe_api_base        # give this to stripe.StripeClient(base_addresses={"api": ...})
world.stop()

The names below load on first use (PEP 562), so that `sandbox.files`, which names the sandbox's
files and folder with nothing to import, stays that light for a learner's Jupyter server
(workshop.extension), which must not carry the launcher's HTTP client.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .installs import Install
    from .launcher import SandboxError, World, running, start, stop
    from .user_agent import ConsentResult

_HOMES = {
    "Install": ".installs",
    "SandboxError": ".launcher",
    "World": ".launcher",
    "running": ".launcher",
    "start": ".launcher",
    "stop": ".launcher",
    "ConsentResult": ".user_agent",
}
__all__ = ["Install", "ConsentResult", "SandboxError", "World", "running", "start", "stop"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name], __name__), name)

"""The stand-in world: an OAuth provider, the Stripe Dashboard and the Stripe API, offline.

import sandbox
world = sandbox.start()      # reuses the running sandbox of this checkout, or starts one
world.stripe_api_base        # give this to stripe.StripeClient(base_addresses={"api": ...})
world.stop()
"""

from .installs import Install
from .launcher import SandboxError, World, running, start, stop
from .user_agent import ConsentResult

__all__ = ["Install", "ConsentResult", "SandboxError", "World", "running", "start", "stop"]

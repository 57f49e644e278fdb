"""A later session: a new Python process finds the token that an earlier one saved.

05-find-secret runs this file as a separate process, the way reloading the Dashboard
starts the app's code afresh: no variable of the kernel reaches it. It knows only what
a real app knows at start-up, given through environment variables (never on the
command line, where other users of the machine could read them):

- KIT_STRIPE_API_BASE: where Stripe's API is (the sandbox's stand-in);
- KIT_INSTALL_KEY: who is calling, the sandbox's stand-in for the Dashboard session
  that a real UI extension's createHttpClient() uses;
- KIT_USER_ID: the user, as userContext.id gives it.

KIT_TOKEN_SHA256 is a fingerprint of the token the kernel saved (a SHA-256 hash, from
which the token cannot be recovered): only so this process can say whether it found
that same token. It prints nothing secret: no token, no key.

    python later_session.py

In the browser edition (JupyterLite) a kernel cannot start another Python process: there a fresh
kernel (Kernel → Restart Kernel…) is the later session, and 05's next step shows it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from helpers import KitError, SecretScope, SecretStoreError, TokenData, Trace, find_token, make_client, redact_value

if TYPE_CHECKING:
    from kit import Kit


def run_later_session(kit: Kit, token: TokenData) -> str:
    """Run this file as a new Python process that knows only what a real app knows; what it printed."""
    if kit.world.in_process:
        raise KitError(
            "In the browser edition the kernel cannot start another Python process.",
            "Restart the kernel (Kernel → Restart Kernel…) and run the next step's cell: "
            "a fresh kernel, which knows nothing of this one, is the later session here.",
        )
    environment = {
        **os.environ,
        "KIT_STRIPE_API_BASE": kit.world.stripe_api_base,
        "KIT_INSTALL_KEY": kit.install.api_key,
        "KIT_USER_ID": kit.context.user_context.id,
        "KIT_TOKEN_SHA256": hashlib.sha256(token.access_token.encode()).hexdigest(),
    }
    here = Path(__file__).resolve()
    later = subprocess.run(
        [sys.executable, here.name], env=environment, capture_output=True, text=True, cwd=here.parent
    )
    return later.stdout


def main() -> int:
    trace = Trace()
    client = make_client(os.environ["KIT_INSTALL_KEY"], api_base=os.environ["KIT_STRIPE_API_BASE"], trace=trace)
    user = os.environ["KIT_USER_ID"]
    try:
        token = find_token(client, SecretScope.for_user(user))
    except SecretStoreError as error:
        print(f"no token found for {user}: {error.message}")  # the kit's messages hold no secret
        return 1
    finally:
        for exchange in trace.exchanges:
            print(f"request:  {exchange.method} {urlsplit(exchange.url).path} → {exchange.status}")
    same = hashlib.sha256(token.access_token.encode()).hexdigest() == os.environ.get("KIT_TOKEN_SHA256")
    print(f"found:    a token for {user}")
    print(f"access token {redact_value(token.access_token)} is the one the kernel saved: {same}")
    if token.expires_at is not None:
        print(f"expiry:   in about {round((token.expires_at - time.time()) / 60)} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

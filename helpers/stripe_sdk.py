"""The `stripe` SDK, imported without loading `requests`, which the kit never uses.

stripe-python chooses its default HTTP client as it is imported: it imports `requests` to see
whether it is installed (``stripe._http_client._resolve_sync_client``). That is 3.8 MiB in every
kernel that saves a token (charset_normalizer and urllib3 with it), although the kit always hands
the SDK its own httpx client (``helpers.secret_store.HttpxHTTPClient``). With `requests` hidden
for that one import, as an absent optional library, stripe takes the standard library's urllib as
its default instead, which only a client made without the kit's would use. `requests` is then
importable again, as usual. Import the SDK from here (``from helpers.stripe_sdk import stripe``).
"""

from __future__ import annotations

import sys

_hide = "requests" not in sys.modules and "stripe" not in sys.modules
if _hide:
    sys.modules["requests"] = None  # type: ignore[assignment]  # how Python marks a module as absent
try:
    import stripe as stripe
finally:
    if _hide:
        del sys.modules["requests"]

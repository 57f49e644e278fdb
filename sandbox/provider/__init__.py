"""The OAuth provider stand-in: a real authorization server built on Authlib.

It plays the part of a provider such as Dropbox: clients register (RFC 7591,
`rfc7591.py`), users consent on an HTML page, the authorization endpoint issues
codes bound to a PKCE challenge (RFC 7636, S256 only: `rfc7636.py`), the token
endpoint exchanges and refreshes (RFC 6749: `grants.py`), tokens can be revoked
(RFC 7009: `rfc7009.py`), the metadata is published (RFC 8414: `server.py`),
and `/api/me` is a protected resource (RFC 6750: `rfc6750.py`).

Authlib does the protocol; these modules supply storage (`store.py`) and the places
where the kit is stricter than Authlib's defaults, each marked with its RFC.
"""

from .routes import WELL_KNOWN, create_provider_app

__all__ = ["WELL_KNOWN", "create_provider_app"]

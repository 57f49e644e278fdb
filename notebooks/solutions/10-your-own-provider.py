from urllib.parse import urlsplit


def well_known_urls(issuer):
    """Where to look for an issuer's metadata: RFC 8414's order (§5), then RFC 8414's suffix appended."""
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")  # RFC 8414 §3.1: drop a terminating "/" first
    urls = [
        f"{origin}/.well-known/oauth-authorization-server{path}",  # RFC 8414 §3.1: inserted
        f"{origin}/.well-known/openid-configuration{path}",  # RFC 8414 §5: the same, OpenID's suffix
        f"{origin}{path}/.well-known/openid-configuration",  # OpenID Connect Discovery: appended
        f"{origin}{path}/.well-known/oauth-authorization-server",  # appended too, as many servers serve it
    ]
    return list(dict.fromkeys(urls))  # without a path, inserted and appended are the same URL

# Exact string matching (RFC 9700 4.1.3): no prefixes, no patterns, no normalising.
def redirect_uri_allowed(redirect_uri, registered):
    return redirect_uri in registered

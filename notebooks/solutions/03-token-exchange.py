# The token request of RFC 6749 section 4.1.3 with PKCE's code_verifier: five parameters, no client_secret.
# The values are plain: the HTTP client form-encodes the dict when it sends it (data=my_form).
my_form = {
    "grant_type": "authorization_code",
    "code": code,  # oauthContext.code
    "code_verifier": verifier,  # oauthContext.verifier
    "client_id": kit.provider.client_id,
    "redirect_uri": kit.provider.redirect_uri,  # identical to the one in the link
}

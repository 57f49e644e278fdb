# The six parameters, every value percent-encoded by urlencode (quote_via=quote writes a space as %20).
from urllib.parse import quote, urlencode

params = {
    "response_type": "code",
    "client_id": kit.provider.client_id,
    "redirect_uri": kit.provider.redirect_uri,
    "state": oauth_state.state,
    "code_challenge": oauth_state.challenge,
    "code_challenge_method": "S256",
}
my_link = kit.provider.authorization_endpoint + "?" + urlencode(params, quote_via=quote)

from urllib.parse import parse_qs, urlsplit

import pytest

from helpers.authorization_response import parse_redirect
from helpers.authorize import authorization_url
from helpers.errors import AuthorizeError

ENDPOINT = "https://auth.example.com/oauth2/authorize"
REDIRECT = "https://dashboard.stripe.com/test/apps-oauth/com.example.app"
# Values with every character that means something in a query string.
NASTY = {
    "client_id": "client id+1",
    "redirect_uri": REDIRECT + "?next=/a&b=c#frag",
    "state": "a+b/c==&d#e?f g",
    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
}


def query_of(url):
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_exactly_the_six_parameters():
    url = authorization_url(ENDPOINT, client_id="app", redirect_uri=REDIRECT, state="st", code_challenge="ch")
    assert url.startswith(ENDPOINT + "?")
    assert query_of(url) == {
        "response_type": ["code"],
        "client_id": ["app"],
        "redirect_uri": [REDIRECT],
        "state": ["st"],
        "code_challenge": ["ch"],
        "code_challenge_method": ["S256"],
    }


def test_scope_is_added_and_spaces_are_percent_20():
    url = authorization_url(
        ENDPOINT, client_id="app", redirect_uri=REDIRECT, state="st", code_challenge="ch", scope="files.read account"
    )
    assert "scope=files.read%20account" in url
    assert "+" not in url
    assert query_of(url)["scope"] == ["files.read account"]


def test_nasty_values_survive_a_round_trip():
    url = authorization_url(ENDPOINT, **NASTY)
    assert urlsplit(url).fragment == ""
    assert {name: values[0] for name, values in query_of(url).items() if name in NASTY} == NASTY


def test_naive_concatenation_breaks_them():
    # What Stripe's page does: paste the values into a template string.
    naive = (
        f"{ENDPOINT}?response_type=code&client_id={NASTY['client_id']}&redirect_uri={NASTY['redirect_uri']}"
        f"&state={NASTY['state']}&code_challenge={NASTY['code_challenge']}&code_challenge_method=S256"
    )
    parsed = query_of(naive)
    assert parsed["client_id"] == ["client id 1"]  # the + became a space
    assert parsed["redirect_uri"] == [REDIRECT + "?next=/a"]  # split at the &
    assert "state" not in parsed  # everything after the first # is a fragment, never sent
    assert urlsplit(naive).fragment.startswith("frag&state=a+b/c==")


def test_existing_query_is_kept():
    url = authorization_url(
        ENDPOINT + "?tenant=acme", client_id="app", redirect_uri=REDIRECT, state="st", code_challenge="ch"
    )
    assert url.startswith(ENDPOINT + "?tenant=acme&response_type=code&")
    assert query_of(url)["tenant"] == ["acme"]


@pytest.mark.parametrize("empty", ["client_id", "redirect_uri", "state", "code_challenge", "scope"])
def test_empty_values_are_refused(empty):
    values = {**NASTY, "scope": "read", empty: ""}
    with pytest.raises(AuthorizeError, match=f"parameters are empty: {empty}") as caught:
        authorization_url(ENDPOINT, **values)
    assert "create_oauth_state()" in caught.value.hint


@pytest.mark.parametrize("endpoint", ["", "auth.example.com/authorize", "ftp://auth.example.com/authorize"])
def test_endpoint_must_be_absolute_http(endpoint):
    with pytest.raises(AuthorizeError, match="not an absolute http"):
        authorization_url(endpoint, **NASTY)


def test_parse_redirect():
    url = authorization_url(REDIRECT, **{**NASTY, "redirect_uri": "https://x.test/cb"})
    assert parse_redirect(url)["state"] == NASTY["state"]
    assert parse_redirect("https://x.test/cb?code=abc&state=s%2Bt&empty=") == {
        "code": "abc",
        "state": "s+t",
        "empty": "",
    }
    assert parse_redirect("https://x.test/cb?error=access_denied") == {"error": "access_denied"}
    assert parse_redirect("https://x.test/cb") == {}


def test_parse_redirect_refuses_repeated_parameters():
    with pytest.raises(AuthorizeError, match="repeats the parameter.*state"):
        parse_redirect("https://x.test/cb?code=a&state=1&state=2")


def test_start_authorization_asks_for_a_state_and_builds_the_link_from_it():
    from urllib.parse import parse_qs, urlsplit

    from helpers.authorize import start_authorization
    from helpers.context import OAuthState

    class Dashboard:
        asked: list = []

        def create_oauth_state(self, state=""):
            self.asked.append(state)
            return OAuthState(f"st-{len(self.asked)}:{state}", "c" * 43)

    oauth_state, link = start_authorization(
        Dashboard(),
        "https://p.example/authorize",
        client_id="cid",
        redirect_uri="https://d.example/cb",
        custom_state="a&b",
    )
    query = parse_qs(urlsplit(link).query)
    assert Dashboard.asked == ["a&b"] and query["state"] == [oauth_state.state] == ["st-1:a&b"]
    assert query["code_challenge"] == ["c" * 43] and query["code_challenge_method"] == ["S256"]

"""03-token-exchange: the form of the token request, built by hand."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, quote_plus, urlsplit

from helpers.pkce import s256_challenge
from helpers.provider import Provider

from .feedback import Feedback, check, not_started, records_pass

PARAMETERS = ("grant_type", "code", "code_verifier", "client_id", "redirect_uri")
# Names seen instead of the right ones: the wrong name → the right one.
MISSPELLINGS = {
    "grant-type": "grant_type",
    "granttype": "grant_type",
    "grantType": "grant_type",
    "authorization_code": "code",
    "auth_code": "code",
    "verifier": "code_verifier",
    "code_verifer": "code_verifier",
    "codeVerifier": "code_verifier",
    "code-verifier": "code_verifier",
    "pkce_verifier": "code_verifier",
    "clientid": "client_id",
    "client-id": "client_id",
    "clientId": "client_id",
    "clientID": "client_id",
    "redirect_url": "redirect_uri",
    "redirect-uri": "redirect_uri",
    "redirectUri": "redirect_uri",
    "redirect": "redirect_uri",
}
# Parameters of the authorization link, which have no place in the token request.
LINK_ONLY = ("response_type", "reponse_type", "state", "code_challenge", "code_challenge_method", "scope")


@records_pass("03")
def check_token_form(form: object, provider: Provider, *, code: str, verifier: str) -> Feedback:
    """Is `form` the body of the token request of RFC 6749 4.1.3 + RFC 7636 4.5, for this public client?

    `code` and `verifier` are the ones from oauthContext; the provider's `redirect_uri` is the one in the link.
    """
    client_id, redirect_uri = provider.client_id, provider.redirect_uri
    if form is ...:
        return not_started("a dict of the five parameters")
    if isinstance(form, str):
        return Feedback(False, (_about_a_string(form),))
    if not isinstance(form, Mapping):
        return Feedback(False, (f"The form should be a dict (name → value), not {type(form).__name__}.",))

    points: list[str] = []
    names = {str(name) for name in form}
    for wrong, right in MISSPELLINGS.items():
        if wrong in names and right not in names:
            points.append(f"'{wrong}' is not a token request parameter; it is spelled '{right}'.")
    for name in LINK_ONLY:
        if name in names:
            hint = (
                " The provider already knows the challenge from the link; here it wants the verifier."
                if name == "code_challenge"
                else ""
            )
            points.append(f"'{name}' belongs in the authorization link, not in the token request: leave it out.{hint}")
    if "client_secret" in names:
        points.append(
            "Leave out client_secret: the app is a public client, registered with no secret. It runs in "
            "the user's browser, where a secret could not stay secret; PKCE's verifier protects it instead."
        )
    renamed = {right for wrong, right in MISSPELLINGS.items() if wrong in names}
    for name in PARAMETERS:
        if name not in names and name not in renamed:
            points.append(_missing(name))
    known = set(PARAMETERS) | set(MISSPELLINGS) | set(LINK_ONLY) | {"client_secret"}
    extra = sorted(names - known)
    if extra:
        points.append(f"The provider does not expect these parameters: {', '.join(extra)}.")

    values = {name: form[name] for name in PARAMETERS if name in form}
    not_text = [name for name, value in values.items() if not isinstance(value, str)]
    for name in not_text:
        got = "..." if values[name] is ... else type(values[name]).__name__
        points.append(f"The value of {name} should be a str, not {got}.")
    values = {name: value for name, value in values.items() if name not in not_text}
    if "grant_type" in values:
        points.extend(_about_grant_type(values["grant_type"]))
    if "code" in values and values["code"] != code:
        if values["code"] == verifier:
            points.append("code holds the verifier: code is oauthContext.code, code_verifier is oauthContext.verifier.")
        else:
            points.append("code should be the code from oauthContext (code), exactly as it arrived.")
    if "code_verifier" in values and values["code_verifier"] != verifier:
        points.append(_about_verifier(values["code_verifier"], code=code, verifier=verifier))
    if "client_id" in values and values["client_id"] != client_id:
        points.append(
            "client_id should be the id the provider gave the app when it registered (kit.provider.client_id)."
        )
    if "redirect_uri" in values and values["redirect_uri"] != redirect_uri:
        points.append(_about_redirect_uri(values["redirect_uri"], redirect_uri))
    return check(points, "That is the token request: post it as a form body (data=form), never in the URL.")


def _about_a_string(form: str) -> str:
    if form.startswith(("http://", "https://")) or "?" in form:
        return (
            "That is a URL with the parameters in its query string, as Stripe's page sends them. "
            "Put the five parameters in a dict: it goes in the request body (data=form), and the URL "
            "stays the bare token endpoint."
        )
    if "=" in form:
        return (
            "That is already an encoded string. Give a dict of the five parameters and let the HTTP "
            "client encode it as the form body (httpx: data=form; TypeScript: new URLSearchParams(form))."
        )
    return "The form should be a dict of the five parameters, not a string."


def _missing(name: str) -> str:
    why = {
        "grant_type": "It names the grant: 'authorization_code'.",
        "code": "It is what the token is exchanged for: oauthContext.code.",
        "code_verifier": (
            "Without it the provider cannot check PKCE and refuses the code; send oauthContext.verifier."
        ),
        "client_id": "A public client has no secret, so it names itself with its client_id.",
        "redirect_uri": "It was in the link, so RFC 6749 4.1.3 requires it here too, with the identical value.",
    }[name]
    return f"The form has no {name}. {why}"


def _about_grant_type(value: str) -> list[str]:
    if value == "authorization_code":
        return []
    if value.strip() == "authorization_code" or value.lower() == "authorization_code":
        return ["grant_type should be exactly 'authorization_code' (lower case, no spaces)."]
    if value == "code":
        return ["grant_type is 'authorization_code', not 'code' ('code' is the response_type of the link)."]
    if value in ("authorization-code", "authorizationcode", "auth_code"):
        return ["grant_type is spelled 'authorization_code', with an underscore."]
    if value == "refresh_token":
        return ["'refresh_token' is the grant for refreshing a token later; exchanging a code is 'authorization_code'."]
    if value in ("pkce", "S256", "client_credentials", "password"):
        return [f"grant_type '{value}' is not the one: exchanging a code is 'authorization_code'."]
    return ["grant_type should be 'authorization_code'."]


def _about_verifier(value: str, *, code: str, verifier: str) -> str:
    if value == code:
        return "code_verifier holds the code: it should be oauthContext.verifier."
    try:
        is_challenge = value == s256_challenge(verifier)
    except Exception:  # a malformed verifier given to the check: no challenge to compare
        is_challenge = False
    if is_challenge:
        return (
            "code_verifier holds the challenge. The provider hashes what you send and compares it with the "
            "challenge from the link, so send the verifier itself: oauthContext.verifier."
        )
    return (
        "code_verifier should be the verifier from oauthContext (the Dashboard's), not one you made: "
        "only that one hashes to the challenge in the link."
    )


def _about_redirect_uri(value: str, want: str) -> str:
    if value in (quote(want, safe=""), quote_plus(want, safe="")):
        return (
            "redirect_uri is percent-encoded already. Put the plain URL in the dict: the form encoding "
            "encodes it once, and encoding it twice changes it."
        )
    if value.rstrip("/") == want.rstrip("/"):
        return (
            "redirect_uri differs from the link's by a trailing slash; it must be identical, character for character."
        )
    given, wanted = urlsplit(value), urlsplit(want)
    if given.path.replace("/test/", "/") == wanted.path.replace("/test/", "/") and given.netloc == wanted.netloc:
        return (
            "redirect_uri is the URL of the other mode. The link used the one for the current mode "
            "(kit.provider.redirect_uri), and the token request must repeat it exactly."
        )
    if given.netloc != wanted.netloc:
        return (
            "redirect_uri has another host than the link's. Use the same value as in the link "
            "(kit.provider.redirect_uri): RFC 6749 4.1.3 wants them identical."
        )
    return "redirect_uri must be identical to the one in the authorization link (kit.provider.redirect_uri)."

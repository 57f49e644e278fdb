"""02-authorization-link: the S256 challenge, and the authorization link built by hand."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qsl, urlsplit

from helpers.pkce import s256_challenge
from helpers.provider import Provider

from .feedback import Feedback, check, not_started, records_pass

REQUIRED = ("response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method")
MISSPELLINGS = {
    "reponse_type": "response_type",
    "redirect_url": "redirect_uri",
    "challenge": "code_challenge",
    "code_challenge_type": "code_challenge_method",
    "clientid": "client_id",
}


@records_pass("02")
def check_challenge(verifier: str, challenge: object) -> Feedback:
    """Is `challenge` BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 4.2)?"""
    if challenge is ...:
        return not_started("the challenge you computed, as a string")
    if not isinstance(challenge, str):
        return Feedback(
            False,
            (
                f"The challenge should be a str, not {type(challenge).__name__}; "
                "decode the bytes with .decode('ascii').",
            ),
        )
    right = s256_challenge(verifier)
    if challenge == right:
        return Feedback(True, praise="That is the S256 challenge: it matches RFC 7636 Appendix B.")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    if challenge == verifier:
        hint = "That is the verifier itself: the 'plain' method, which the provider refuses. Hash it with SHA-256."
    elif challenge == digest.hex():
        hint = "That is the SHA-256 digest in hex. Encode the raw digest bytes with base64url instead."
    elif challenge == base64.b64encode(digest).decode():
        hint = "That is standard base64 (with + / and = padding). Use base64.urlsafe_b64encode and strip the '='."
    elif challenge == base64.urlsafe_b64encode(digest).decode():
        hint = "Almost: base64url, but with '=' padding at the end. RFC 7636 uses it without padding: .rstrip('=')."
    elif challenge.rstrip("=") == base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).hexdigest().encode()
    ).decode().rstrip("="):
        hint = "You encoded the hex text of the digest. Encode the 32 raw bytes of .digest(), not .hexdigest()."
    else:
        hint = "It does not match. Compute base64.urlsafe_b64encode(hashlib.sha256(verifier.encode('ascii')).digest())."
    return Feedback(False, (hint,))


def check_link(link: object, provider: Provider, *, state: str, challenge: str) -> Feedback:
    """Does `link` carry the six parameters, each with the right value, URL-encoded?"""
    authorize_endpoint, client_id, redirect_uri = (
        provider.authorization_endpoint,
        provider.client_id,
        provider.redirect_uri,
    )
    if link is ...:
        return not_started("the link you built, as a string")
    if not isinstance(link, str):
        return Feedback(False, (f"The link should be a str, not {type(link).__name__}.",))
    points = []
    parts = urlsplit(link)
    if f"{parts.scheme}://{parts.netloc}{parts.path}" != authorize_endpoint:
        points.append(f"The link should start with the provider's authorization endpoint: {authorize_endpoint}?")
    params = parse_qsl(parts.query, keep_blank_values=True)
    names = [name for name, _ in params]
    values = dict(params)
    for wrong, right in MISSPELLINGS.items():
        if wrong in values:
            points.append(
                f"'{wrong}' is not an OAuth parameter; it is spelled '{right}'"
                + (" (Stripe's page has this typo)." if wrong == "reponse_type" else ".")
            )
    for name in REQUIRED:
        if name not in values and not any(MISSPELLINGS.get(w) == name for w in values):
            points.append(f"The link has no {name} parameter.")
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        points.append(f"These parameters appear twice: {', '.join(duplicated)}.")
    expected = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    for name, want in expected.items():
        got = values.get(name)
        if got is None or got == want:
            continue
        if name in ("state", "redirect_uri") and want.startswith(got) or parts.fragment:
            points.append(
                f"{name} arrives cut short: a character in it (& # + or space) was not URL-encoded. "
                "Build the query with urllib.parse.urlencode."
            )
        elif got == want.replace("+", " ") or "%" in want and got != want:
            points.append(f"{name} arrives changed: encode the values with urlencode, not by hand.")
        elif name == "code_challenge" and got == state or name == "state" and got == challenge:
            points.append("state and code_challenge are swapped.")
        else:
            source = "create_oauth_state" if name in ("state", "code_challenge") else "kit.provider"
            points.append(f"{name} should be the value from {source}.")
    extra = sorted(set(values) - set(expected) - set(MISSPELLINGS) - {"scope"})
    if extra:
        points.append(f"The provider does not expect these parameters: {', '.join(extra)}.")
    return check(sorted(set(points), key=points.index), "The link is right, and every value survives the trip.")

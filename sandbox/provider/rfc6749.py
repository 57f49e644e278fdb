"""The syntax of OAuth request parameters (RFC 6749 3.1, 3.2 and Appendix A), checked before Authlib reads them.

Authlib takes the first of repeated parameters and quotes some values in its
error descriptions, which may hold only visible ASCII without quote or
backslash (RFC 6749 5.2): a malformed value there would end as a crash. So a
request whose parameters break the RFC's syntax is refused first, as
`invalid_request`, without quoting what it sent.
"""

from __future__ import annotations

import re

from authlib.oauth2.rfc6749 import InvalidRequestError
from werkzeug.datastructures import MultiDict

VSCHAR = re.compile(r"[\x20-\x7e]*")
NAME = re.compile(r"[A-Za-z0-9._~-]+")  # code_challenge_method, token_type_hint
NQCHAR = r"[\x21\x23-\x5b\x5d-\x7e]+"
SCOPE = re.compile(rf"{NQCHAR}(?: {NQCHAR})*")
RESPONSE_TYPE = re.compile(r"[A-Za-z0-9_]+(?: [A-Za-z0-9_]+)*")
# The characters a URI may hold (RFC 3986 2): unreserved, reserved and percent signs.
URI_REFERENCE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")

SYNTAX = {
    "client_id": VSCHAR,
    "response_type": RESPONSE_TYPE,
    "redirect_uri": URI_REFERENCE,
    "scope": SCOPE,
    "state": VSCHAR,
    "code": VSCHAR,
    "grant_type": URI_REFERENCE,  # a grant-name or an absolute URI
    "refresh_token": VSCHAR,
    "code_challenge": VSCHAR,  # RFC 7636 4.2's finer syntax is Authlib's to check
    "code_challenge_method": NAME,
    "code_verifier": VSCHAR,
    "token": VSCHAR,  # RFC 7009 2.1
    "token_type_hint": NAME,
}
# RFC 6749 4.1.3, 6 and 3.2: a token request's parameters travel in the form-encoded body.
TOKEN_PARAMETERS = ("grant_type", "code", "code_verifier", "client_id", "redirect_uri", "refresh_token")


def check_parameters(values: MultiDict[str, str]) -> None:
    """Each OAuth parameter at most once (RFC 6749 3.1, 3.2) and in its Appendix A syntax."""
    for name, pattern in SYNTAX.items():
        found = values.getlist(name)
        if len(found) > 1:
            raise InvalidRequestError(
                f"The parameter {name} was sent more than once; send each once (RFC 6749 3.1, 3.2)."
            )
        if found and not pattern.fullmatch(found[0]):
            raise InvalidRequestError(f"The parameter {name} is malformed: see its syntax in RFC 6749 Appendix A.")


def check_token_request(query: MultiDict[str, str]) -> None:
    """Token parameters in the URL end up in access logs and proxies: refuse them there."""
    in_query = [name for name in TOKEN_PARAMETERS if name in query]
    if in_query:
        raise InvalidRequestError(
            f"Token parameters were sent in the URL query string ({', '.join(in_query)}). "
            "Send them in the form-encoded request body (RFC 6749 section 4.1.3)."
        )

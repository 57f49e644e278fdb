"""10-your-own-provider: the metadata locations to try for an issuer, in RFC 8414's order."""

from __future__ import annotations

from urllib.parse import urlsplit

from helpers.discovery import metadata_locations

from .feedback import Feedback, check, not_a_function, not_started

# A path-less issuer, one with a path, and one with a terminating slash (RFC 8414 §3.1 drops it).
ISSUERS = ("https://login.example.com", "https://login.example.com/tenant1", "https://login.example.com/tenant1/")


def check_well_known_urls(well_known_urls: object) -> Feedback:
    if well_known_urls is ...:
        return not_started("a function: def well_known_urls(issuer): ...")
    problem = not_a_function(
        well_known_urls,
        "well_known_urls should be a function of the issuer",
        call=(("https://login.example.com",), {}),
        wrong_signature="well_known_urls should take one argument, the issuer: def well_known_urls(issuer).",
    )
    if problem is not None:
        return problem
    points: list[str] = []
    for issuer in ISSUERS:
        try:
            got = well_known_urls(issuer)
        except Exception as e:  # the learner's code: say what it raised, and for which issuer
            points.append(f"For {issuer!r} it raised {type(e).__name__}: {e}.")
            continue
        want = [location.url for location in metadata_locations(issuer)]
        if not isinstance(got, (list, tuple)) or not all(isinstance(url, str) for url in got):
            points.append(f"For {issuer!r} return a list of URLs (strings), not {type(got).__name__}.")
        elif list(got) != want:
            points.append(_what_differs(issuer, list(got), want))
    return check(
        list(dict.fromkeys(points)),
        "Those are the locations, in the order RFC 8414 §5 gives: discover() tries exactly these.",
    )


def _what_differs(issuer: str, got: list[str], want: list[str]) -> str:
    path = urlsplit(issuer).path.rstrip("/")
    appended_oauth = f"{issuer.rstrip('/')}/.well-known/oauth-authorization-server"
    if path and got and got[0] == appended_oauth:
        return (
            f"For {issuer!r} the first URL appends the well-known part to the issuer. RFC 8414 §3.1 inserts it "
            f"between the host and the path: {want[0]}."
        )
    if issuer.endswith("/") and any("//.well-known" in url or url.endswith("/") for url in got):
        return f"For {issuer!r} drop the issuer's terminating '/' first (RFC 8414 §3.1): {want[0]}."
    if len(got) == len(want) + 1 and not path:
        return (
            f"For {issuer!r}, without a path, inserting and appending give the same URL: try it once, "
            f"so {len(want)} URLs."
        )
    if sorted(got) == sorted(want):
        return (
            f"For {issuer!r} the URLs are right but not their order: RFC 8414's own location first, then "
            "openid-configuration inserted, then OpenID Connect's appended location (§5), and RFC 8414's suffix "
            "appended last."
        )
    missing = [url for url in want if url not in got]
    if any("openid-configuration" in url for url in missing):
        return f"For {issuer!r} try openid-configuration too, as RFC 8414 §5 says (missing: {', '.join(missing)})."
    return f"For {issuer!r} the URLs should be, in order: {', '.join(want)}."

"""09-your-stripe-app: which of the app's requests its manifest's connect-src must admit."""

from __future__ import annotations

from .feedback import Feedback, check, not_started

# Why each request does or does not go through the extension's Content Security Policy.
REASONS = {
    "the authorization link": (
        "The authorization link is not fetched: the user's browser navigates to it, and navigation is not "
        "limited by connect-src."
    ),
    "the code exchange": (
        "The code exchange is a fetch from the app's iframe to the provider's token endpoint: the browser refuses "
        "it unless connect-src admits that URL."
    ),
    "the refresh": "The refresh is a fetch to the token endpoint too, from the same iframe.",
    "log out's revocation": (
        "Log out's revocation is a fetch to the revocation endpoint: without a connect-src entry the browser "
        "blocks it (06 warned about this one)."
    ),
    "saving the token in the Secret Store": (
        "Secret Store calls go through createHttpClient(), which sends them through the Dashboard session, not "
        "from the iframe: they need no connect-src entry."
    ),
    "the redirect back to the Dashboard": (
        "The redirect back is the provider sending the user's browser to the Dashboard's landing page: a "
        "navigation, not a fetch of the app's."
    ),
}
FETCHED = {"the code exchange", "the refresh", "log out's revocation"}


def check_connect_src(answer: object) -> Feedback:
    if answer is ...:
        return not_started("a set of the request names that need a connect-src entry")
    if not isinstance(answer, (set, frozenset, list, tuple)) or not all(isinstance(name, str) for name in answer):
        return Feedback(False, (f"Give a set of names from `requests`, not {type(answer).__name__}.",))
    unknown = sorted(set(answer) - set(REASONS))
    points = [f"{name!r} is not one of the names in `requests`: copy the names exactly." for name in unknown]
    points += [f"Missing: {REASONS[name]}" for name in sorted(FETCHED - set(answer))]
    points += [f"Not needed: {REASONS[name]}" for name in sorted(set(answer) & (set(REASONS) - FETCHED))]
    return check(
        points,
        "Right: only what the app fetches itself needs connect-src, here the token and revocation endpoints, "
        "which generate_app puts there.",
    )

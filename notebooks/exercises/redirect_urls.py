"""01-redirect-urls: build the test and live redirect URLs from the app id."""

from __future__ import annotations

from urllib.parse import urlsplit

from helpers.manifest import PRODUCTION_DASHBOARD, redirect_urls

from .feedback import Feedback, check, not_started, records_pass


@records_pass("01")
def check_redirect_urls(test_url: object, live_url: object, app_id: str) -> Feedback:
    if test_url is ... or live_url is ...:
        return not_started("the two URLs, as strings")
    expected = redirect_urls(app_id, PRODUCTION_DASHBOARD)
    points = []
    for label, given, want in (("test", test_url, expected.test), ("live", live_url, expected.live)):
        if not isinstance(given, str):
            points.append(f"The {label} URL should be a string, not {type(given).__name__}.")
            continue
        if given == want:
            continue
        parts = urlsplit(given)
        if parts.scheme != "https":
            points.append(f"The {label} URL must use https (the Dashboard is only served over https).")
        if parts.netloc != "dashboard.stripe.com":
            points.append(f"The {label} URL's host should be dashboard.stripe.com, not {parts.netloc or 'missing'}.")
        if label == "test" and not parts.path.startswith("/test/"):
            points.append("The test URL needs /test/ before apps-oauth: test mode has its own path.")
        if label == "live" and parts.path.startswith("/test/"):
            points.append("The live URL has no /test/ in it: that part is only for test mode.")
        if "apps-oauth" not in parts.path:
            points.append(f"The {label} URL's path goes through apps-oauth/ (…/apps-oauth/<app id>).")
        if not parts.path.rstrip("/").endswith(app_id):
            points.append(f"The {label} URL should end with the app id from stripe-app.json: {app_id}.")
        elif parts.path.endswith("/"):
            points.append(f"The {label} URL should not end with a slash: providers compare redirect URIs exactly.")
        if parts.query or parts.fragment:
            points.append(f"The {label} URL has no query or fragment.")
        if len(points) == 0:
            points.append(f"The {label} URL should be exactly {want}.")
    return check(points, "Both redirect URLs are right: register exactly these with the provider.")

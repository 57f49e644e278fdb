import pytest

from helpers.errors import (
    DEFAULT_OAUTH_HINT,
    OAUTH_HINTS,
    AuthorizeError,
    DashboardError,
    KitError,
    ManifestError,
    OAuthError,
    PKCEError,
    SecretNotFoundError,
    SecretStoreError,
    TokenError,
)


def test_str_says_what_went_wrong_and_what_to_do():
    error = KitError("The thing broke.", "Fix the thing.")
    assert (error.message, error.hint) == ("The thing broke.", "Fix the thing.")
    assert str(error) == "The thing broke.\nWhat to do: Fix the thing."


@pytest.mark.parametrize(
    "kind", [PKCEError, ManifestError, AuthorizeError, TokenError, OAuthError, SecretStoreError, DashboardError]
)
def test_every_kit_error_is_a_kit_error(kind):
    assert issubclass(kind, KitError)


@pytest.mark.parametrize(
    "code, words",
    [
        ("invalid_grant", ["expired", "already used", "verifier", "redirect_uri", "fresh authorization link"]),
        ("invalid_request", ["form-encoded body"]),
        ("invalid_client", ["client_id", "public", "not a confidential one"]),
        ("unauthorized_client", ["grant"]),
        ("unsupported_grant_type", ["authorization_code"]),
        ("invalid_scope", ["SCOPE", "scopes_supported"]),
        ("access_denied", ["declined", "approve"]),
        ("connection_error", ["metadata or documentation", "network"]),
        ("server_error", ["metadata or documentation", "status page"]),
    ],
)
def test_oauth_error_hint_comes_from_its_code(code, words):
    error = OAuthError(code, "details", 400)
    assert error.hint == OAUTH_HINTS[code]
    for word in words:
        assert word in error.hint


def test_oauth_error_keeps_its_parts_and_shows_them():
    error = OAuthError("invalid_grant", "Code challenge failed.", 400)
    assert (error.error, error.error_description, error.status_code) == (
        "invalid_grant",
        "Code challenge failed.",
        400,
    )
    assert error.message == "OAuth error 'invalid_grant' (HTTP 400): Code challenge failed."


def test_oauth_error_without_status_or_description():
    error = OAuthError("access_denied")
    assert error.message == "OAuth error 'access_denied'"
    assert error.status_code is None and error.error_description is None


def test_unknown_oauth_error_gets_the_default_hint():
    assert OAuthError("slow_down").hint == DEFAULT_OAUTH_HINT


def test_secret_store_and_dashboard_errors_carry_status():
    store = SecretNotFoundError("No secret.", "Save it.", status_code=404)
    assert isinstance(store, SecretStoreError) and store.status_code == 404
    dashboard = DashboardError("Refused.", "Use the key.", status_code=401)
    assert dashboard.status_code == 401
    assert str(dashboard) == "Refused.\nWhat to do: Use the key."


@pytest.mark.parametrize("code", ["server_error", "connection_error"])
def test_transport_hints_do_not_assume_the_kits_sandbox(code):
    # Notebook 10 talks to the learner's own provider: the sandbox is one case among others, named as such.
    hint = OAUTH_HINTS[code]
    before, _, sandbox_part = hint.partition("If the provider is the kit's sandbox")
    assert sandbox_part and "sandbox" not in before

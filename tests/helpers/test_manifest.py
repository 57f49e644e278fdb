import copy
import json

import pytest

from helpers.errors import ManifestError
from helpers.manifest import (
    PRODUCTION_DASHBOARD,
    Manifest,
    RedirectURLs,
    connect_src_allows,
    load_manifest,
    manifest_problems,
    parse_manifest,
    redirect_url,
    redirect_urls,
)

TOKEN_ENDPOINT = "https://api.dropboxapi.com/oauth2/token"
# The manifest of Stripe's Dropbox PKCE example (stripe/stripe-apps at 5c58932c^).
DROPBOX = {
    "id": "com.example.dropbox-oauth-pkce",
    "version": "0.0.1",
    "name": "Dropbox OAuth PKCE",
    "icon": "",
    "permissions": [{"permission": "secret_write", "purpose": "For storing secrets in Stripe."}],
    "ui_extension": {
        "views": [{"viewport": "stripe.dashboard.drawer.default", "component": "App"}],
        "actions": [],
        "content_security_policy": {
            "connect-src": [TOKEN_ENDPOINT, "https://api.dropboxapi.com/2/users/get_account"],
            "image-src": None,
            "purpose": "Enables Dropbox integration",
        },
    },
    "post_install_action": None,
}


def changed(path, value):
    """DROPBOX with the value at ``path`` (keys) replaced, or removed if value is ...."""
    data = copy.deepcopy(DROPBOX)
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return data


def with_connect_src(*entries):
    return parse_manifest(changed(["ui_extension", "content_security_policy", "connect-src"], list(entries)))


def test_parse_the_dropbox_example():
    manifest = parse_manifest(DROPBOX)
    assert manifest == Manifest(
        app_id="com.example.dropbox-oauth-pkce",
        name="Dropbox OAuth PKCE",
        version="0.0.1",
        permissions=("secret_write",),
        connect_src=(TOKEN_ENDPOINT, "https://api.dropboxapi.com/2/users/get_account"),
        raw=DROPBOX,
    )
    assert manifest.raw["icon"] == ""
    assert manifest.has_permission("secret_write")
    assert not manifest.has_permission("user_email_read")


def test_raw_is_read_only():
    with pytest.raises(TypeError):
        parse_manifest(DROPBOX).raw["id"] = "other"  # type: ignore[index]


def test_no_csp_means_no_connect_src():
    assert parse_manifest(changed(["ui_extension", "content_security_policy"], ...)).connect_src is None
    assert with_connect_src().connect_src == ()


@pytest.mark.parametrize("field", ["id", "name", "version", "permissions", "ui_extension"])
def test_missing_required_field(field):
    with pytest.raises(ManifestError, match=f"lacks required field.*{field}"):
        parse_manifest(changed([field], ...))


@pytest.mark.parametrize("app_id", ["com.example/oauth", "", "with space", "ünïcode", 42])
def test_bad_app_id(app_id):
    with pytest.raises(ManifestError, match="letters, digits, '_', '-' and '.'"):
        parse_manifest(changed(["id"], app_id))


@pytest.mark.parametrize("app_id", ["dub.co", "com.invoicing.myapp", "A_b-9"])
def test_good_app_ids(app_id):
    assert parse_manifest(changed(["id"], app_id)).app_id == app_id


@pytest.mark.parametrize(
    "permissions, message",
    [
        ("secret_write", "must be a list, not str"),
        (["secret_write"], r"permissions\[0\] is not valid"),
        ([{"permission": "secret_write"}], r"permissions\[0\] is not valid"),
        ([{"permission": "secret_write", "purpose": ""}], r"permissions\[0\] is not valid"),
        (
            [{"permission": "secret_write", "purpose": "x"}, {"permission": "a", "purpose": "b", "extra": 1}],
            r"permissions\[1\] is not valid",
        ),
    ],
)
def test_bad_permissions(permissions, message):
    with pytest.raises(ManifestError, match=message):
        parse_manifest(changed(["permissions"], permissions))


def test_empty_name_is_refused():
    with pytest.raises(ManifestError, match="'name' must be a non-empty string"):
        parse_manifest(changed(["name"], ""))


@pytest.mark.parametrize("entry", ["https://api.dropboxapi.com/", "https://example.com", "api.example.com/token"])
def test_connect_src_entry_needs_a_path(entry):
    with pytest.raises(ManifestError) as caught:
        with_connect_src(TOKEN_ENDPOINT, entry)
    error = caught.value
    assert f"connect-src[1] {entry!r}" in error.message
    assert "needs a scheme, a host and a path, e.g. https://api.example.com/oauth2/token" in error.message
    assert "ending in '/'" in error.hint


def test_load_manifest(tmp_path):
    path = tmp_path / "stripe-app.json"
    path.write_text(json.dumps(DROPBOX, indent=2))
    assert load_manifest(path) == parse_manifest(DROPBOX)
    assert load_manifest(str(path)).app_id == DROPBOX["id"]


def test_load_manifest_missing_file(tmp_path):
    with pytest.raises(ManifestError, match="Cannot read the manifest .*nope.json: No such file") as caught:
        load_manifest(tmp_path / "nope.json")
    assert "notebooks/stripe-app.json" in caught.value.hint


def test_load_manifest_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "stripe-app.json"
    path.write_text('{\n  "id": "com.example.app",\n  "name": "x",\n}\n')
    with pytest.raises(ManifestError, match="not valid JSON: .* at line 4, column 1") as caught:
        load_manifest(path)
    assert "trailing comma" in caught.value.hint


def test_load_manifest_that_is_not_utf8(tmp_path):
    path = tmp_path / "stripe-app.json"
    path.write_bytes(b'{"name": "Caf\xe9"}')
    with pytest.raises(ManifestError, match="is not UTF-8 text \\(byte 13"):
        load_manifest(path)


def test_redirect_urls():
    assert redirect_url("com.example.app", "test") == "https://dashboard.stripe.com/test/apps-oauth/com.example.app"
    assert redirect_url("com.example.app", "live") == "https://dashboard.stripe.com/apps-oauth/com.example.app"
    assert redirect_urls("dub.co", "http://127.0.0.1:8765/dashboard/") == RedirectURLs(
        test="http://127.0.0.1:8765/dashboard/test/apps-oauth/dub.co",
        live="http://127.0.0.1:8765/dashboard/apps-oauth/dub.co",
    )
    assert redirect_urls("x").live.startswith(PRODUCTION_DASHBOARD)


def test_redirect_url_refuses_bad_mode_and_id():
    with pytest.raises(ManifestError, match="is not valid"):
        redirect_url("com.example/app", "test")


@pytest.mark.parametrize(
    "entry, url, allowed",
    [
        (TOKEN_ENDPOINT, TOKEN_ENDPOINT, True),
        (TOKEN_ENDPOINT, "HTTPS://API.DropboxAPI.com/oauth2/token", True),
        (TOKEN_ENDPOINT, TOKEN_ENDPOINT + "?x=1", True),
        (TOKEN_ENDPOINT, "https://api.dropboxapi.com/oauth2/TOKEN", False),
        (TOKEN_ENDPOINT, TOKEN_ENDPOINT + "/more", False),
        (TOKEN_ENDPOINT, "http://api.dropboxapi.com/oauth2/token", False),
        (TOKEN_ENDPOINT, "https://api.dropboxapi.com:8443/oauth2/token", False),
        ("https://api.dropboxapi.com/oauth2/", TOKEN_ENDPOINT, True),
        ("https://api.dropboxapi.com/oauth2/", "https://api.dropboxapi.com/oauth2/", True),
        ("https://api.dropboxapi.com/oauth2/", "https://api.dropboxapi.com/oauth2", False),
        ("https://api.dropboxapi.com/oauth2/", "https://api.dropboxapi.com/oauth2x/token", False),
        ("https://api.dropboxapi.com/oauth2/", "https://evil.example/oauth2/token", False),
    ],
)
def test_connect_src_allows(entry, url, allowed):
    assert connect_src_allows(with_connect_src(entry), url) is allowed


def test_no_connect_src_allows_nothing():
    manifest = parse_manifest(changed(["ui_extension", "content_security_policy"], ...))
    assert not connect_src_allows(manifest, TOKEN_ENDPOINT)


def test_check_ready_on_a_ready_manifest():
    assert manifest_problems(parse_manifest(DROPBOX), TOKEN_ENDPOINT) == []


def test_check_ready_names_each_problem():
    manifest = parse_manifest(
        changed(["permissions"], [{"permission": "user_email_read", "purpose": "Greets the user."}])
    )
    endpoint = "https://auth.example.com/oauth/token?audience=x"
    missing_permission, missing_connect_src = manifest_problems(manifest, endpoint)
    assert 'stripe apps grant permission "secret_write" "Allows storing secrets between page reloads"' in (
        missing_permission
    )
    assert 'Add "https://auth.example.com/oauth/token" to ui_extension.content_security_policy' in (missing_connect_src)

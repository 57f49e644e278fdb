"""helpers.stripe_app: the app's manifest from the kit's manifest and a provider, and the project written safely."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from helpers.errors import ManifestError
from helpers.manifest import GRANT_SECRET_WRITE, load_manifest, parse_manifest, redirect_urls
from helpers.stripe_app import (
    APP_FILES,
    KIT_APP,
    RECORD_FILE,
    StripeAppError,
    app_manifest,
    generate_app,
    npm_name,
)
from tests.stripe_app.example import APP, EXAMPLE_PROVIDER, KIT_MANIFEST

SANDBOX_DASHBOARD = "http://127.0.0.1:8765/dashboard"


def sandbox_provider():
    urls = redirect_urls(KIT_MANIFEST.app_id, SANDBOX_DASHBOARD)
    return dataclasses.replace(
        EXAMPLE_PROVIDER,
        authorization_endpoint="http://127.0.0.1:8765/provider/authorize",
        token_endpoint="http://127.0.0.1:8765/provider/token",
        revocation_endpoint="http://127.0.0.1:8765/provider/revoke",
        api_endpoint="http://127.0.0.1:8765/provider/api/me",
        client_id="client-from-registration",
        redirect_uri=urls.live,
    )


def test_the_kits_app_is_filled_by_the_generator():
    committed = json.loads((APP / "stripe-app.json").read_text())
    assert committed == app_manifest(KIT_MANIFEST, EXAMPLE_PROVIDER)


def test_the_manifest_carries_what_was_registered():
    data = app_manifest(KIT_MANIFEST, sandbox_provider(), SANDBOX_DASHBOARD)
    oauth = data["constants"]["oauth"]
    assert oauth["client_id"] == "client-from-registration"
    assert oauth["redirect_uris"] == dataclasses.asdict(redirect_urls(KIT_MANIFEST.app_id, SANDBOX_DASHBOARD))
    assert data["ui_extension"]["views"] == [{"viewport": "stripe.dashboard.drawer.default", "component": "App"}]
    connect_src = data["ui_extension"]["content_security_policy"]["connect-src"]
    assert connect_src == [
        "http://127.0.0.1:8765/provider/token",
        "http://127.0.0.1:8765/provider/revoke",
        "http://127.0.0.1:8765/provider/api/me",
    ]  # the sample's api.example.com entries replaced
    assert oauth["api_endpoint"] == "http://127.0.0.1:8765/provider/api/me"
    assert parse_manifest(data).app_id == KIT_MANIFEST.app_id


def test_the_manifest_says_what_stripes_examples_say_unless_yours_does():
    data = app_manifest(KIT_MANIFEST, EXAMPLE_PROVIDER)
    assert (data["distribution_type"], data["stripe_api_access_type"], data["sandbox_install_compatible"]) == (
        "private",
        "platform",
        True,
    )
    public = app_manifest(parse_manifest({**KIT_MANIFEST.raw, "distribution_type": "public"}), EXAMPLE_PROVIDER)
    assert public["distribution_type"] == "public"


def test_connect_src_drops_an_earlier_providers_endpoints_and_keeps_your_own_entries():
    first = app_manifest(KIT_MANIFEST, sandbox_provider(), SANDBOX_DASHBOARD)
    first["ui_extension"]["content_security_policy"]["connect-src"].append("https://files.mine.example/v2/")
    again = app_manifest(parse_manifest(first), EXAMPLE_PROVIDER)
    assert again["ui_extension"]["content_security_policy"]["connect-src"] == [
        "https://files.mine.example/v2/",
        "https://api.example.com/oauth2/token",
        "https://api.example.com/oauth2/revoke",
    ]


def test_a_client_registered_for_other_redirect_urls_is_refused():
    with pytest.raises(StripeAppError, match="not one of this app's"):
        app_manifest(KIT_MANIFEST, sandbox_provider())  # registered on the sandbox, made for dashboard.stripe.com


def test_secret_write_is_required():
    raw = {**KIT_MANIFEST.raw, "permissions": []}
    with pytest.raises(ManifestError, match="secret_write"):
        app_manifest(parse_manifest(raw), EXAMPLE_PROVIDER)


def test_the_app_and_the_kit_name_the_same_grant_command():
    assert f"'{GRANT_SECRET_WRITE}'" in (APP / "src" / "oauth.ts").read_text()


def test_the_app_reads_the_constants_the_generator_writes():
    source = (APP / "src" / "oauth.ts").read_text()
    written = app_manifest(KIT_MANIFEST, EXAMPLE_PROVIDER)["constants"]["oauth"]
    read = set(re.findall(r"field\((?:oauth|redirects), '(\w+)'\)", source))
    optional = {"scope", "revocation_endpoint", "api_endpoint", "provider_name"}
    assert read | {"redirect_uris"} >= set(written) - optional
    assert optional <= set(re.findall(r"optional\('(\w+)'\)", source))


def test_generates_the_whole_project(tmp_path):
    app = generate_app(tmp_path / "my-app", KIT_MANIFEST, EXAMPLE_PROVIDER, template=APP)
    assert set(app.written) == {*APP_FILES, "stripe-app.json"}
    assert (tmp_path / "my-app" / "src" / "views" / "App.tsx").read_bytes() == (APP / "src/views/App.tsx").read_bytes()
    assert not (tmp_path / "my-app" / "test").exists()  # the kit's harness needs the sandbox


def test_rerun_with_other_values_rewrites_only_what_changed(tmp_path):
    generate_app(tmp_path, KIT_MANIFEST, EXAMPLE_PROVIDER, template=APP)
    other = dataclasses.replace(EXAMPLE_PROVIDER, client_id="another")
    app = generate_app(tmp_path, KIT_MANIFEST, other, template=APP)
    assert app.written == ("stripe-app.json",)
    assert json.loads((tmp_path / "stripe-app.json").read_text())["constants"]["oauth"]["client_id"] == "another"


def test_never_overwrites_a_learners_edit_silently(tmp_path):
    generate_app(tmp_path, KIT_MANIFEST, EXAMPLE_PROVIDER, template=APP)
    view = tmp_path / "src" / "views" / "App.tsx"
    view.write_text(view.read_text() + "// mine\n")
    with pytest.raises(StripeAppError, match=r"src/views/App.tsx"):
        generate_app(tmp_path, KIT_MANIFEST, dataclasses.replace(EXAMPLE_PROVIDER, client_id="x"), template=APP)
    assert view.read_text().endswith("// mine\n")
    assert json.loads((tmp_path / "stripe-app.json").read_text())["constants"]["oauth"]["client_id"] == "your_client_id"
    generate_app(tmp_path, KIT_MANIFEST, EXAMPLE_PROVIDER, template=APP, overwrite=True)
    assert not view.read_text().endswith("// mine\n")


def test_regenerating_from_your_edited_manifest_carries_the_edits(tmp_path):
    generate_app(tmp_path, KIT_MANIFEST, sandbox_provider(), template=APP, dashboard_base=SANDBOX_DASHBOARD)
    manifest_file = tmp_path / "stripe-app.json"
    edited = json.loads(manifest_file.read_text())
    edited["name"] = "My own app"
    manifest_file.write_text(json.dumps(edited, indent=2))
    app = generate_app(tmp_path, load_manifest(manifest_file), EXAMPLE_PROVIDER, template=APP)  # "for real"
    assert app.written == ("stripe-app.json",)
    written = json.loads(manifest_file.read_text())
    assert written["name"] == "My own app"
    assert written["constants"]["oauth"]["token_endpoint"] == EXAMPLE_PROVIDER.token_endpoint
    assert not [
        entry for entry in written["ui_extension"]["content_security_policy"]["connect-src"] if "127.0.0.1" in entry
    ]
    # Edited and not passed in: still yours, and kept.
    manifest_file.write_text(manifest_file.read_text().replace("My own app", "Mine"))
    with pytest.raises(StripeAppError, match="stripe-app.json"):
        generate_app(tmp_path, KIT_MANIFEST, EXAMPLE_PROVIDER, template=APP)


def test_the_record_stays_out_of_the_learners_git():
    assert f"/{RECORD_FILE}" in (APP / ".gitignore").read_text().splitlines()


def test_a_file_the_kit_never_wrote_is_not_replaced(tmp_path):
    (tmp_path / "package.json").write_text("{}\n")
    with pytest.raises(StripeAppError, match="package.json"):
        generate_app(tmp_path, KIT_MANIFEST, EXAMPLE_PROVIDER, template=APP)
    assert not (tmp_path / RECORD_FILE).exists()


def test_refuses_to_write_into_the_template():
    with pytest.raises(StripeAppError, match="template"):
        generate_app(APP, KIT_MANIFEST, EXAMPLE_PROVIDER, template=APP)


@pytest.mark.parametrize(("app_id", "name"), [("com.Example.App", "com.example.app"), ("_x.y", "x.y")])
def test_npm_name(app_id, name):
    assert npm_name(app_id) == name


def test_the_kits_app_is_where_the_helpers_expect_it():
    assert KIT_APP == APP


def test_a_missing_template_is_named(tmp_path):
    with pytest.raises(StripeAppError, match="src/oauth.ts"):
        generate_app(tmp_path / "app", KIT_MANIFEST, EXAMPLE_PROVIDER, template=tmp_path)

"""The Secret Store stand-in, driven by the real `stripe` SDK (both styles) and raw httpx."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
import stripe

from .conftest import make_app


@pytest.fixture
def client(app):
    return stripe.StripeClient(
        app.install.api_key, base_addresses={"api": app.world.stripe_api_base}, max_network_retries=0
    )


def scope_of(app) -> dict:
    return {"type": "user", "user": app.install.user_id}


def test_set_find_list_delete_with_stripe_client(app, client):
    token = json.dumps({"access_token": "at-123", "expires_at": 1_900_000_000})
    created = client.v1.apps.secrets.create({"name": "oauth_token", "payload": token, "scope": scope_of(app)})
    assert created.object == "apps.secret" and created.id.startswith("appsecret_")
    assert created.livemode is False and created.scope.type == "user" and created.scope.user == app.install.user_id
    assert "payload" not in created  # only when expanded, as in Stripe

    found = client.v1.apps.secrets.find({"name": "oauth_token", "scope": scope_of(app), "expand": ["payload"]})
    assert found.id == created.id and json.loads(found.payload)["access_token"] == "at-123"

    listed = client.v1.apps.secrets.list({"scope": scope_of(app)})
    assert [s.name for s in listed.data] == ["oauth_token"] and listed.has_more is False

    deleted = client.v1.apps.secrets.delete_where({"name": "oauth_token", "scope": scope_of(app)})
    assert deleted.deleted is True and deleted.id == created.id
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.apps.secrets.find({"name": "oauth_token", "scope": scope_of(app)})


def test_create_replaces_a_secret_of_the_same_name(app, client):
    first = client.v1.apps.secrets.create({"name": "k", "payload": "one", "scope": scope_of(app)})
    second = client.v1.apps.secrets.create({"name": "k", "payload": "two", "scope": scope_of(app)})
    assert second.id == first.id
    found = client.v1.apps.secrets.find({"name": "k", "scope": scope_of(app), "expand": ["payload"]})
    assert found.payload == "two"
    assert len(client.v1.apps.secrets.list({"scope": scope_of(app)}).data) == 1


def test_account_scope_is_shared_by_the_apps_users_but_user_scopes_are_not(world, http):
    alice = make_app(world, http)
    # the same app installed for a second user
    bob_install = world.install_app(_manifest_of(alice), "usr_bob" + alice.install.user_id[4:])
    a = stripe.StripeClient(alice.install.api_key, base_addresses={"api": world.stripe_api_base})
    b = stripe.StripeClient(bob_install.api_key, base_addresses={"api": world.stripe_api_base})
    a.v1.apps.secrets.create({"name": "shared", "payload": "acct", "scope": {"type": "account"}})
    a.v1.apps.secrets.create({"name": "mine", "payload": "u", "scope": scope_of(alice)})
    assert (
        b.v1.apps.secrets.find({"name": "shared", "scope": {"type": "account"}, "expand": ["payload"]}).payload
        == "acct"
    )
    assert b.v1.apps.secrets.list({"scope": {"type": "user", "user": bob_install.user_id}}).data == []


def _manifest_of(app) -> dict:
    db = sqlite3.connect(app.world.data_dir / "sandbox.sqlite3")
    raw = db.execute("SELECT manifest FROM installs WHERE api_key=?", (app.install.api_key,)).fetchone()[0]
    db.close()
    return json.loads(raw)


def test_each_app_sees_only_its_own_secrets(world, http):
    one, two = make_app(world, http), make_app(world, http)
    c1 = stripe.StripeClient(one.install.api_key, base_addresses={"api": world.stripe_api_base})
    c2 = stripe.StripeClient(two.install.api_key, base_addresses={"api": world.stripe_api_base})
    c1.v1.apps.secrets.create({"name": "same", "payload": "one's", "scope": {"type": "account"}})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        c2.v1.apps.secrets.find({"name": "same", "scope": {"type": "account"}})
    assert caught.value.http_status == 404


def test_livemode_follows_the_key(world, http):
    live = make_app(world, http, mode="live")
    assert live.install.api_key.startswith("sk_live_")
    c = stripe.StripeClient(live.install.api_key, base_addresses={"api": world.stripe_api_base})
    secret = c.v1.apps.secrets.create({"name": "k", "payload": "v", "scope": {"type": "account"}})
    assert secret.livemode is True


def test_legacy_global_style(app, monkeypatch):
    monkeypatch.setattr(stripe, "api_key", app.install.api_key)
    monkeypatch.setattr(stripe, "api_base", app.world.stripe_api_base)
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    stripe.apps.Secret.create(name="legacy", payload="v1", scope=scope_of(app))
    found = stripe.apps.Secret.find(name="legacy", scope=scope_of(app), expand=["payload"])
    assert found.payload == "v1"
    assert [s.name for s in stripe.apps.Secret.list(scope=scope_of(app)).data] == ["legacy"]
    assert stripe.apps.Secret.delete_where(name="legacy", scope=scope_of(app)).deleted is True


def test_raw_and_percent_encoded_brackets_both_work(app, http):
    auth = {"Authorization": f"Bearer {app.install.api_key}"}
    base = f"{app.world.stripe_api_base}/v1/apps/secrets"
    user = app.install.user_id
    created = http.post(base, headers=auth, content=f"name=raw&payload=p&scope[type]=user&scope[user]={user}")
    assert created.status_code == 200, created.text
    http.post(
        base,
        headers={**auth, "Content-Type": "application/x-www-form-urlencoded"},
        content=f"name=enc&payload=q&scope%5Btype%5D=user&scope%5Buser%5D={user}",
    )
    found = http.get(
        f"{base}/find?name=enc&scope%5Btype%5D=user&scope%5Buser%5D={user}&expand%5B%5D=payload", headers=auth
    )
    assert found.status_code == 200 and found.json()["payload"] == "q"
    assert found.headers["Request-Id"].startswith("req_")


def test_expired_secret_is_gone(app, client):
    client.v1.apps.secrets.create(
        {"name": "short", "payload": "v", "scope": scope_of(app), "expires_at": int(time.time()) + 60}
    )
    db = sqlite3.connect(app.world.data_dir / "sandbox.sqlite3")
    with db:
        db.execute("UPDATE secrets SET expires_at = expires_at - 120 WHERE name='short'")
    db.close()
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.apps.secrets.find({"name": "short", "scope": scope_of(app)})
    assert client.v1.apps.secrets.list({"scope": scope_of(app)}).data == []


def test_list_pagination(app, client):
    for i in range(5):
        client.v1.apps.secrets.create({"name": f"n{i}", "payload": "v", "scope": scope_of(app)})
    first = client.v1.apps.secrets.list({"scope": scope_of(app), "limit": 2})
    assert len(first.data) == 2 and first.has_more
    rest = client.v1.apps.secrets.list({"scope": scope_of(app), "limit": 10, "starting_after": first.data[-1].id})
    assert len(rest.data) == 3 and not rest.has_more
    assert {s.name for s in first.data + rest.data} == {f"n{i}" for i in range(5)}


def test_unknown_parameter(app, client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.apps.secrets.find({"name": "x", "scope": scope_of(app), "colour": "red"})
    assert (caught.value.code, caught.value.param) == ("parameter_unknown", "colour")

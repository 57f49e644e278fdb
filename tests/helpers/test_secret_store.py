import json
from urllib.parse import parse_qsl

import httpx
import pytest
import stripe

from helpers.errors import (
    SecretAuthenticationError,
    SecretNotFoundError,
    SecretPermissionError,
    SecretRequestError,
    SecretStoreError,
    TokenError,
)
from helpers.secret_store import (
    SecretScope,
    delete_secret,
    find_secret,
    find_token,
    list_secrets,
    make_client,
    save_secret,
    save_token,
)
from helpers.tokens import TokenData
from helpers.trace import Trace

from .conftest import Script

KEY = "sk_test_51HxYzAbCdEfGhIjKlMnOpa1b2"
API_BASE = "http://127.0.0.1:9/stripe"
USER = SecretScope.for_user("usr_1")
TOKEN = TokenData("at_Zx81kQ2mN4pL7vR0tY6wE3", "Bearer", 1_700_003_600, "rt_Hj5sD8fG1kL4zX7cV0bN2m", "files.read")


def secret_json(name="oauth_token", payload=None, **extra):
    return {
        "id": "appsecret_5110QzMIZ0005GiEH1m0419O8KAxCG",
        "object": "apps.secret",
        "created": 1_700_000_000,
        "expires_at": None,
        "livemode": False,
        "name": name,
        "payload": payload,
        "scope": {"type": "user", "user": "usr_1"},
        **extra,
    }


def stripe_error(status, type_, message, code=None, param=None):
    error = {"type": type_, "message": message, "code": code, "param": param}
    return httpx.Response(status, json={"error": {k: v for k, v in error.items() if v is not None}})


class Stripe(Script):
    """A scripted Stripe API: answers in order, keeps the requests; `client` talks to it."""

    def __init__(self, *answers):
        super().__init__(answers)
        self.trace = Trace()
        self.client = make_client(KEY, api_base=API_BASE, trace=self.trace, transport=httpx.MockTransport(self))


def params_of(request):
    text = request.content.decode() if request.method == "POST" else request.url.query.decode()
    return dict(parse_qsl(text))


def test_scope_params():
    assert USER.to_params() == {"type": "user", "user": "usr_1"}
    assert SecretScope.account().to_params() == {"type": "account"}
    assert str(USER) == "user scope of usr_1" and str(SecretScope.account()) == "account scope"


@pytest.mark.parametrize(
    "type_, user, message",
    [
        ("user", None, "needs the user's id"),
        ("user", "", "needs the user's id"),
        ("account", "usr_1", "takes no user id"),
        ("team", None, "must be 'user' or 'account'"),
    ],
)
def test_scope_refuses_what_stripe_refuses(type_, user, message):
    with pytest.raises(SecretStoreError, match=message) as caught:
        SecretScope(type_, user)
    assert type(caught.value) is SecretRequestError


def test_make_client_talks_to_api_base_without_retries():
    api = Stripe(httpx.Response(500, json={"error": {"type": "api_error", "message": "boom"}}))
    with pytest.raises(SecretStoreError) as caught:
        list_secrets(api.client, USER)
    assert len(api.requests) == 1, "no retry"
    assert str(api.last.url).startswith(f"{API_BASE}/v1/apps/secrets?")
    assert api.last.headers["authorization"] == f"Bearer {KEY}"
    assert (type(caught.value), caught.value.status_code) == (SecretStoreError, 500)
    assert "Stripe failed (HTTP 500): boom" in caught.value.message


def test_make_client_defaults_to_stripe():
    requests = []

    def answer(request):
        requests.append(request)
        return httpx.Response(200, json=secret_json())

    client = make_client(KEY, transport=httpx.MockTransport(answer))
    save_secret(client, USER, "theme", "dark")
    assert str(requests[0].url) == "https://api.stripe.com/v1/apps/secrets"


def test_save_token_wire_format():
    api = Stripe(httpx.Response(200, json=secret_json()))
    secret = save_token(api.client, USER, TOKEN, expires_at=1_900_000_000)
    request = api.last
    assert (request.method, request.url.path) == ("POST", "/stripe/v1/apps/secrets")
    assert request.url.query == b""
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    body = request.content.decode()
    assert "scope[type]=user&scope[user]=usr_1" in body
    assert params_of(request) == {
        "scope[type]": "user",
        "scope[user]": "usr_1",
        "name": "oauth_token",
        "payload": TOKEN.to_json(),
        "expires_at": "1900000000",
    }
    assert secret.id == "appsecret_5110QzMIZ0005GiEH1m0419O8KAxCG"


def test_save_secret_without_expiry_in_account_scope():
    api = Stripe(httpx.Response(200, json=secret_json("theme")))
    save_secret(api.client, SecretScope.account(), "theme", "dark")
    assert params_of(api.last) == {"scope[type]": "account", "name": "theme", "payload": "dark"}


def test_find_token_wire_format():
    api = Stripe(httpx.Response(200, json=secret_json(payload=TOKEN.to_json())))
    assert find_token(api.client, USER) == TOKEN
    request = api.last
    assert (request.method, request.url.path) == ("GET", "/stripe/v1/apps/secrets/find")
    assert request.content == b""
    assert "expand[0]=payload" in request.url.query.decode()
    assert params_of(request) == {
        "scope[type]": "user",
        "scope[user]": "usr_1",
        "name": "oauth_token",
        "expand[0]": "payload",
    }


def test_find_secret_returns_the_raw_payload():
    api = Stripe(httpx.Response(200, json=secret_json("theme", payload="dark")))
    assert find_secret(api.client, USER, "theme") == "dark"


def test_find_without_payload():
    api = Stripe(httpx.Response(200, json=secret_json(payload=None)))
    with pytest.raises(SecretStoreError, match="came back without its payload") as caught:
        find_secret(api.client, USER, "oauth_token")
    assert type(caught.value) is SecretStoreError


def test_find_token_of_a_secret_that_is_no_token():
    api = Stripe(httpx.Response(200, json=secret_json(payload="dark")))
    with pytest.raises(TokenError, match="not valid JSON"):
        find_token(api.client, USER)


def test_delete_wire_format():
    api = Stripe(httpx.Response(200, json={"id": "appsecret_1", "object": "apps.secret", "deleted": True}))
    assert delete_secret(api.client, USER, "oauth_token").deleted is True
    assert (api.last.method, api.last.url.path) == ("POST", "/stripe/v1/apps/secrets/delete")
    assert params_of(api.last) == {"scope[type]": "user", "scope[user]": "usr_1", "name": "oauth_token"}


def test_list_wire_format():
    answer = {"object": "list", "url": "/v1/apps/secrets", "has_more": False}
    answer["data"] = [secret_json("a"), secret_json("b")]
    api = Stripe(httpx.Response(200, json=answer))
    secrets = list_secrets(api.client, USER, limit=3)
    assert [secret.name for secret in secrets] == ["a", "b"]
    assert isinstance(secrets, list)
    assert params_of(api.last) == {"scope[type]": "user", "scope[user]": "usr_1", "limit": "3"}


def test_not_found():
    api = Stripe(
        stripe_error(404, "invalid_request_error", "No such secret: 'oauth_token'", "resource_missing", "name")
    )
    with pytest.raises(SecretStoreError) as caught:
        find_token(api.client, USER)
    error = caught.value
    assert (type(error), error.status_code) == (SecretNotFoundError, 404)
    assert error.message == (
        "No secret named 'oauth_token' in the user scope of usr_1 (Stripe: No such secret: 'oauth_token')."
    )
    assert error.hint == "Save it first (04-set-secret) or check the name and scope."
    assert error.__suppress_context__


def test_permission():
    api = Stripe(stripe_error(403, "invalid_request_error", "The app lacks the secret_write permission."))
    with pytest.raises(SecretStoreError) as caught:
        save_token(api.client, USER, TOKEN)
    assert (type(caught.value), caught.value.status_code) == (SecretPermissionError, 403)
    grant = 'stripe apps grant permission "secret_write" "Allows storing secrets between page reloads"'
    assert grant in caught.value.hint
    assert "reinstall" in caught.value.hint


def test_permission_whose_message_names_the_grant_is_not_repeated():
    grant = 'stripe apps grant permission "secret_write" "Allows storing secrets between page reloads"'
    api = Stripe(stripe_error(403, "invalid_request_error", f"No secret_write. Add it with: {grant}, then install."))
    with pytest.raises(SecretPermissionError) as caught:
        save_token(api.client, USER, TOKEN)
    assert str(caught.value).count(grant) == 1 and "your app's folder" in caught.value.hint


def test_authentication_hides_the_key():
    api = Stripe(stripe_error(401, "invalid_request_error", f"Invalid API Key provided: {KEY}"))
    with pytest.raises(SecretStoreError) as caught:
        save_token(api.client, USER, TOKEN)
    error = caught.value
    assert (type(error), error.status_code) == (SecretAuthenticationError, 401)
    assert KEY not in str(error) and "sk_test_…a1b2" in error.message
    assert "world.install_app(...)" in error.hint


def test_invalid_request_quotes_message_and_param():
    api = Stripe(
        stripe_error(400, "invalid_request_error", "Invalid integer: abc", "parameter_invalid_integer", "expires_at")
    )
    with pytest.raises(SecretStoreError) as caught:
        save_token(api.client, USER, TOKEN)
    error = caught.value
    assert (type(error), error.status_code) == (SecretRequestError, 400)
    assert error.message == "Stripe rejected the request: Invalid integer: abc (parameter: expires_at)"


def test_connection_error():
    api = Stripe(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(SecretStoreError) as caught:
        find_token(api.client, USER)
    error = caught.value
    assert (type(error), error.status_code) == (SecretStoreError, None)
    assert "ConnectError" in error.message
    assert "sandbox.start()" in error.hint


def test_trace_sees_the_calls_without_secrets():
    api = Stripe(
        httpx.Response(200, json=secret_json()),
        httpx.Response(200, json=secret_json(payload=TOKEN.to_json())),
    )
    save_token(api.client, USER, TOKEN)
    find_token(api.client, USER)
    rendered = api.trace.render_text(headers=None)
    for secret in (KEY, TOKEN.access_token, TOKEN.refresh_token, TOKEN.to_json()):
        assert secret not in rendered
    assert [exchange.method for exchange in api.trace.exchanges] == ["POST", "GET"]


def test_stripe_errors_are_the_sdks():
    # The mapping relies on the SDK raising these for these statuses.
    api = Stripe(stripe_error(403, "invalid_request_error", "nope"))
    with pytest.raises(stripe.PermissionError):
        api.client.v1.apps.secrets.list({"scope": USER.to_params()})
    assert json.loads(api.last.headers["x-stripe-client-user-agent"])["httplib"] == "httpx"


def test_delete_of_a_missing_secret_raises_unless_missing_ok():
    missing = {"error": {"type": "invalid_request_error", "message": "No such secret: 'oauth_token'", "param": "name"}}
    api = Stripe(httpx.Response(404, json=missing), httpx.Response(404, json=missing))
    with pytest.raises(SecretNotFoundError):
        delete_secret(api.client, USER, "oauth_token")
    assert delete_secret(api.client, USER, "oauth_token", missing_ok=True) is None


def test_every_kit_error_is_a_secret_store_error():
    for kind in (SecretNotFoundError, SecretPermissionError, SecretAuthenticationError, SecretRequestError):
        assert issubclass(kind, SecretStoreError)

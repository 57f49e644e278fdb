import json
import threading
from dataclasses import FrozenInstanceError
from urllib.parse import urlencode

import httpx
import pytest
import stripe

from helpers.secret_store import HttpxHTTPClient
from helpers.trace import Trace, http_client, traced_client

KEY = "sk_test_51HxYzAbCdEfGhIjKlMnOpa1b2"
CODE = "Qm9vZ2llV29vZ2llQ29kZTEyMw"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
ACCESS = "at_Zx81kQ2mN4pL7vR0tY6wE3"
SECRETS = (KEY, CODE, VERIFIER, ACCESS)


def echo(request: httpx.Request) -> httpx.Response:
    """Answer with a body that repeats the secrets, as a careless server might."""
    return httpx.Response(
        200,
        json={"access_token": ACCESS, "code": CODE, "verifier": VERIFIER, "note": f"key was {KEY}"},
        headers={"set-cookie": f"session={ACCESS}; Path=/"},
    )


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_records_an_exchange():
    trace = Trace()
    with traced_client(trace, transport=httpx.MockTransport(echo)) as http:
        response = http.post("http://127.0.0.1:9/provider/oauth/token", data={"grant_type": "authorization_code"})
    assert response.json()["access_token"] == ACCESS, "the caller still reads the body"
    (exchange,) = trace.exchanges
    assert (exchange.method, exchange.url, exchange.status) == (
        "POST",
        "http://127.0.0.1:9/provider/oauth/token",
        200,
    )
    assert exchange.request_body == "grant_type=authorization_code"
    assert ("content-type", "application/x-www-form-urlencoded") in exchange.request_headers
    assert exchange.elapsed_ms >= 0
    with pytest.raises(FrozenInstanceError):
        exchange.status = 500  # type: ignore[misc]


def test_secrets_never_reach_the_trace():
    trace = Trace()
    with traced_client(trace, transport=httpx.MockTransport(echo)) as http:
        http.get(f"http://127.0.0.1:9/cb?{urlencode({'code': CODE, 'state': 'visible-state'})}")
        http.post(
            "http://127.0.0.1:9/token",
            data={"code": CODE, "code_verifier": VERIFIER},
            headers={"Authorization": f"Bearer {KEY}"},
        )
        http.post("http://127.0.0.1:9/api", json={"verifier": VERIFIER, "api_key": KEY})
    rendered = trace.render_text(headers=None)
    assert_no_secret(rendered)
    for exchange in trace.exchanges:
        assert_no_secret(repr(exchange))
    assert "code=…EyMw&state=visible-state" in rendered
    assert "> authorization: Bearer sk_test_…a1b2" in rendered
    assert f"code_verifier=…{VERIFIER[-4:]}" in rendered
    assert "< set-cookie: session=…6wE3; Path=/" in rendered


def test_remembered_values_are_hidden_anywhere():
    trace = Trace()
    trace.remember("my-custom-state-value", None, "")
    with traced_client(trace, transport=httpx.MockTransport(echo)) as http:
        http.post("http://127.0.0.1:9/api", content="free text my-custom-state-value here")
    assert trace.exchanges[0].request_body == "free text …alue here"


def test_secrets_seen_in_fields_are_hidden_later_in_any_form():
    """Tokens received and a code sent are remembered: a later free-text mention is hidden too."""
    granted = {
        "access_token": "at_Zx81kQ2mN4pL7vR0tY6wE3",
        "token_type": "Bearer",
        "refresh_token": "rt_9f8e7d6c5b4a3210",
    }
    answers = iter(
        [httpx.Response(200, json=granted), httpx.Response(404, json={"error": {"code": "resource_missing"}})]
    )
    trace = Trace()
    with traced_client(trace, transport=httpx.MockTransport(lambda request: next(answers))) as http:
        http.post("http://127.0.0.1:9/token", data={"code": "c0de-sent-in-a-form", "grant_type": "x"})
        http.post("http://127.0.0.1:9/api", content="at_Zx81kQ2mN4pL7vR0tY6wE3 rt_9f8e7d6c5b4a3210 c0de-sent-in-a-form")
    assert trace.exchanges[1].request_body == "…6wE3 …3210 …form"
    # An error code in Stripe's envelope is no secret: it stays readable wherever it shows.
    assert '"resource_missing"' in trace.exchanges[1].response_body


def test_render_text_shape_and_header_filter():
    trace = Trace()
    with traced_client(trace, transport=httpx.MockTransport(lambda r: httpx.Response(204))) as http:
        http.post("http://127.0.0.1:9/a", data={"x": "1"}, headers={"Authorization": f"Bearer {KEY}"})
        http.get("http://127.0.0.1:9/b")
    assert trace.render_text() == (
        "POST http://127.0.0.1:9/a → 204\n"
        "> authorization: Bearer sk_test_…a1b2\n"
        "> content-type: application/x-www-form-urlencoded\n"
        "> x=1\n"
        "\n"
        "GET http://127.0.0.1:9/b → 204"
    )
    assert "> host: 127.0.0.1:9" in trace.render_text(headers=None)
    assert trace.render_text(headers=()).splitlines()[:2] == ["POST http://127.0.0.1:9/a → 204", "> x=1"]


def test_clear_keeps_remembered_values():
    trace = Trace()
    trace.remember("remembered-secret")
    with traced_client(trace, transport=httpx.MockTransport(echo)) as http:
        http.get("http://127.0.0.1:9/a")
        trace.clear()
        assert trace.exchanges == ()
        http.post("http://127.0.0.1:9/a", content="remembered-secret")
    assert trace.exchanges[0].request_body == "…cret"


def test_thread_safe_recording():
    trace = Trace()
    with traced_client(trace, transport=httpx.MockTransport(lambda r: httpx.Response(200))) as http:
        threads = [threading.Thread(target=lambda i=i: http.get(f"http://127.0.0.1:9/{i}")) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    urls = sorted(exchange.url for exchange in trace.exchanges)
    assert urls == sorted(f"http://127.0.0.1:9/{i}" for i in range(20))


def test_traced_client_keeps_other_hooks_and_options():
    seen = []
    trace = Trace()
    with traced_client(
        trace,
        transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        event_hooks={"request": [seen.append], "response": [lambda r: seen.append(r.status_code)]},
        timeout=3.0,
    ) as http:
        http.get("http://127.0.0.1:9/")
        assert http.timeout.read == 3.0
    assert [type(item) for item in seen] == [httpx.Request, int]
    assert len(trace.exchanges) == 1


def test_plain_client_has_no_hooks():
    with http_client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as http:
        assert http.event_hooks == {"request": [], "response": []}


def stripe_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "appsecret_1",
            "object": "apps.secret",
            "created": 1,
            "livemode": False,
            "name": "oauth_token",
            "payload": json.dumps({"access_token": ACCESS}),
            "scope": {"type": "user", "user": "usr_1"},
        },
        headers={"request-id": "req_1"},
    )


def test_stripe_calls_go_through_the_traced_client():
    trace = Trace()
    http = traced_client(trace, transport=httpx.MockTransport(stripe_answer))
    client = stripe.StripeClient(
        KEY, base_addresses={"api": "http://127.0.0.1:9/stripe"}, http_client=HttpxHTTPClient(http)
    )
    scope = {"type": "user", "user": "usr_1"}
    payload = json.dumps({"access_token": ACCESS})
    client.v1.apps.secrets.create({"scope": scope, "name": "oauth_token", "payload": payload})
    secret = client.v1.apps.secrets.find({"scope": scope, "name": "oauth_token", "expand": ["payload"]})
    assert json.loads(secret.payload) == {"access_token": ACCESS}
    create, find = trace.exchanges
    assert (create.method, create.url) == ("POST", "http://127.0.0.1:9/stripe/v1/apps/secrets")
    assert create.request_body.startswith("scope[type]=user&scope[user]=usr_1&name=oauth_token&payload=…")
    assert find.method == "GET" and "expand[0]=payload" in find.url
    rendered = trace.render_text(headers=None)
    assert_no_secret(rendered)
    assert "authorization: Bearer sk_test_…a1b2" in rendered
    assert "x-stripe-client-user-agent" in rendered and '"httplib": "httpx"' in rendered


def test_stripe_connection_error():
    def refuse(request):
        raise httpx.ConnectError("refused")

    http = httpx.Client(transport=httpx.MockTransport(refuse))
    stripe_http = HttpxHTTPClient(http)
    message = r"Could not reach http://127.0.0.1:9/x \(ConnectError: refused\)"
    with pytest.raises(stripe.APIConnectionError, match=message) as caught:
        stripe_http.request("get", "http://127.0.0.1:9/x", {})
    assert caught.value.should_retry
    stripe_http.close()
    assert http.is_closed


def test_multi_line_bodies_get_a_marker_on_every_line():
    trace = Trace()
    pretty = json.dumps({"access_token": ACCESS, "token_type": "Bearer"}, indent=2) + "\n"
    with traced_client(trace, transport=httpx.MockTransport(lambda r: httpx.Response(200, text=pretty))) as http:
        http.get("http://127.0.0.1:9/pretty")
    assert trace.render_text(headers=()) == (
        'GET http://127.0.0.1:9/pretty → 200\n< {\n<   "access_token": "…6wE3",\n<   "token_type": "Bearer"\n< }'
    )


def test_a_client_loads_the_ca_bundle_only_when_it_meets_an_https_url(monkeypatch):
    import ssl

    from helpers.trace import TLSWhenNeeded

    made: list[ssl.SSLContext] = []

    def context() -> ssl.SSLContext:
        made.append(ssl.create_default_context())
        return made[-1]

    monkeypatch.setattr("helpers.trace.shared_ssl_context", context)
    with http_client(timeout=2) as client:
        assert isinstance(client._transport, TLSWhenNeeded)
        with pytest.raises(httpx.ConnectError):
            client.get("http://127.0.0.1:9/")  # nothing listens there: plain HTTP, no TLS made
        assert made == []
        with pytest.raises(httpx.ConnectError):
            client.get("https://127.0.0.1:9/")
        assert len(made) == 1  # verified TLS, the process's one context
    with http_client(verify=False) as given:  # a transport option given: httpx makes the transport as usual
        assert not isinstance(given._transport, TLSWhenNeeded)

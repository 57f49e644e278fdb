"""The `stripe` SDK as the kit imports it: without `requests` in the kernel (helpers/stripe_sdk.py)."""

from __future__ import annotations

from tests.processes import in_a_fresh_process


def test_saving_a_token_loads_neither_requests_nor_werkzeug():
    code = (
        "import sys, helpers.secret_store, helpers.example_app_model, helpers.tokens as t\n"
        "t._bearer_challenge('Bearer error=\"invalid_token\"')\n"
        "print(sorted(m for m in ('requests', 'urllib3', 'charset_normalizer', 'werkzeug') if m in sys.modules))"
    )
    assert in_a_fresh_process(code) == "[]"


def test_requests_is_importable_afterwards_and_stripe_works_without_it():
    code = (
        "from helpers.stripe_sdk import stripe\n"
        "import stripe._http_client as h, requests\n"
        "print(h.new_default_http_client().name, requests.__name__)"
    )
    # stripe's own default (only a client made without the kit's uses it) is the standard library's.
    assert in_a_fresh_process(code) == "urllib.request requests"


def test_where_requests_was_loaded_first_nothing_is_hidden():
    code = (
        "import requests\n"
        "from helpers.stripe_sdk import stripe\n"
        "import stripe._http_client as h, sys\n"
        "print(h.new_default_http_client().name, sys.modules['requests'] is requests)"
    )
    assert in_a_fresh_process(code) == "requests True"

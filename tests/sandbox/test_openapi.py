"""schemathesis checks the Secret Store stand-in against Stripe's own OpenAPI description of it.

`stripe-apps-secrets-openapi.json` is the subset of Stripe's spec3.json for `/v1/apps/secrets*`
(its source and commit in `x-source`). For each operation, schema-valid cases are sent in the
app's account scope, so that many succeed and their responses are checked against the schemas,
and schema-violating cases, whose errors must conform too. Bounded: 40 cases a kind an operation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import App

SPEC = Path(__file__).with_name("stripe-apps-secrets-openapi.json")
SCHEMA = schemathesis.openapi.from_path(SPEC)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def in_the_apps_account_scope(case: schemathesis.Case) -> schemathesis.Case:
    """A case whose scope the app may use and without expansions, so the call can succeed.

    The spec allows any scope and any `expand` string; Stripe, and the sandbox, refuse most.
    """
    if case.method == "POST" and isinstance(case.body, dict):
        case.body["scope"] = {"type": "account"}
        case.body.pop("expand", None)
    elif case.method == "GET":
        case.query = {k: v for k, v in (case.query or {}).items() if not k.startswith(("scope", "expand"))}
        case.query["scope[type]"] = "account"
    return case


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_secret_store_conforms_to_stripes_openapi(app: App, operation, mode):
    cases = operation.as_strategy(mode)
    if mode == GenerationMode.POSITIVE:
        cases = cases.map(in_the_apps_account_scope)

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def conforms(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=app.world.stripe_api_base, headers=app.auth(), checks=CHECKS)

    conforms()

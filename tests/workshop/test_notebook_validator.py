"""The learner's server checks notebooks with jsonschema (workshop/notebook_validator.py)."""

from __future__ import annotations

from nbformat.json_compat import JsonSchemaValidator, get_current_validator

from workshop.notebook_validator import VALIDATOR, VARIABLE, apply_notebook_validator


def test_jsonschema_is_chosen_unless_the_environment_named_a_validator():
    unset: dict[str, str] = {}
    assert apply_notebook_validator(unset) == VALIDATOR and unset == {VARIABLE: "jsonschema"}
    chosen = {VARIABLE: "fastjsonschema"}
    assert apply_notebook_validator(chosen) == "fastjsonschema" and chosen == {VARIABLE: "fastjsonschema"}


def test_nbformat_takes_the_validator_from_that_variable(monkeypatch):
    # If nbformat renamed its variable, the setting would quietly stop saving the server's memory.
    monkeypatch.setenv(VARIABLE, VALIDATOR)
    assert get_current_validator() is JsonSchemaValidator

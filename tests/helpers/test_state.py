"""helpers.state: an unguessable, URL-safe state (RFC 6749 §10.10, §10.12)."""

from __future__ import annotations

import pytest

from helpers.errors import StateError
from helpers.pkce import UNRESERVED
from helpers.state import make_state


def test_make_state_gives_distinct_url_safe_values():
    states = {make_state() for _ in range(50)}
    assert len(states) == 50
    assert all(len(state) == 32 and set(state) <= set(UNRESERVED) for state in states)


def test_too_few_octets_is_a_state_error():
    with pytest.raises(StateError, match="at least 16 random octets"):
        make_state(8)

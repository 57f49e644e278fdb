"""Fixtures shared by the test folders."""

from __future__ import annotations

import pytest

import sandbox


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    """One real sandbox for the session, in a temporary data folder."""
    world = sandbox.start(tmp_path_factory.mktemp("sandbox"))
    yield world
    world.stop()

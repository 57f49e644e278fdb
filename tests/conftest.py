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


@pytest.fixture(scope="session")
def installed_kit(tmp_path_factory):
    """The kit installed as the hub recipes install it (tests/installed.py): slow, about a minute."""
    from tests.installed import install_kit

    return install_kit(tmp_path_factory.mktemp("installed"))

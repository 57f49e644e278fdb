"""Fixtures shared by the test folders."""

from __future__ import annotations

import pytest

import sandbox
from tests.processes import stop_sandbox


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    """One real sandbox for the session (an xdist worker: its own), in a temporary folder; stopped however it ends."""
    data_dir = tmp_path_factory.mktemp("sandbox")
    try:
        yield sandbox.start(data_dir)
    finally:
        stop_sandbox(data_dir)


@pytest.fixture(scope="session")
def installed_kit(tmp_path_factory):
    """The kit installed as the hub recipes install it (tests/installed.py): slow, about a minute."""
    from tests.installed import install_kit

    return install_kit(tmp_path_factory.mktemp("installed"))

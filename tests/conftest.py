"""Fixtures shared by the test folders."""

from __future__ import annotations

import pytest

import sandbox
from tests.processes import stop_sandbox
from tools.chromium import CHROMIUM


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


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, which the browser and hub tests drive (tools/chromium.py)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: `make test` installs Debian's chromium package "
            "(apt-get install chromium); elsewhere set KIT_CHROMIUM to a Chromium or Chrome binary."
        )
    return str(CHROMIUM)

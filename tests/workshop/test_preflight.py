"""The pre-flight's verdicts on what a learner's server reports (tests/hub runs it whole on a real hub)."""

from __future__ import annotations

import json

import httpx
import pytest

from workshop import preflight as preflight_module
from workshop.preflight import CheckFailed, Preflight
from workshop.settings import KERNEL_CULLING

SERVER = {"JUPYTERHUB_SERVICE_URL": "http://:8888/user/pat/", "JUPYTERHUB_API_TOKEN": "t0ken"}


def reporting(answer: dict, status: int = 200) -> Preflight:
    """A pre-flight whose learner's server answers kit/progress with `answer`."""

    def respond(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/user/pat/kit/progress"
        assert request.headers["Authorization"] == "token t0ken"
        return httpx.Response(status, json=answer)

    return Preflight(environ=dict(SERVER), transport=httpx.MockTransport(respond))


def test_a_server_on_every_interface_is_reached_on_this_machine():
    assert Preflight(environ=dict(SERVER)).server_url == "http://127.0.0.1:8888/user/pat/"


def test_the_sizing_as_the_kit_ships_it_passes():
    check = reporting({"memory_limit": 1280 * 2**20, "culling": KERNEL_CULLING})
    assert check.sizing() == "memory limit 1280 MiB; idle kernels culled after 10 minutes"


def test_a_memory_limit_below_the_sizing_says_how_much_and_how_to_fix_it():
    with pytest.raises(CheckFailed) as failed:
        reporting({"memory_limit": 512 * 2**20, "culling": KERNEL_CULLING}).sizing()
    assert str(failed.value) == "the memory limit is 512 MiB, below 1280M."
    assert "sudo tljh-config set limits.memory 1280M" in failed.value.fix


def test_no_memory_limit_and_no_culling_are_both_named():
    with pytest.raises(CheckFailed) as failed:
        reporting({"memory_limit": None, "culling": {**KERNEL_CULLING, "cull_idle_timeout": 0}}).sizing()
    assert "no memory limit is set" in str(failed.value) and "not culled" in str(failed.value)
    assert "singleuser.memory.limit" in failed.value.fix and "cull_" in failed.value.fix


def test_a_server_without_the_kits_extension_is_named():
    with pytest.raises(CheckFailed) as failed:
        reporting({}, status=404).sizing()
    assert "kit's server extension is not running" in str(failed.value)


def test_outside_a_hub_it_fails_at_once_with_where_to_run_it(capsys, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_URL", raising=False)
    assert preflight_module.main() == 1
    out = capsys.readouterr().out
    assert out.startswith("PRE-FLIGHT FAILED: this is not a learner's server on JupyterHub")
    assert len(out.strip().splitlines()) == 2


def test_an_unexpected_error_is_a_failed_check_with_its_place_not_a_traceback():
    check = Preflight(environ=dict(SERVER))
    assert not check.run("a check", lambda: json.loads("{"))
    (result,) = check.results
    assert result.detail.startswith("JSONDecodeError:") and "(at " in result.detail and result.fix

"""The facilitator's pre-flight, run as the recipe says: by a test learner, in their own server on the hub.

`python -m workshop.preflight` runs where a terminal of the learner's server runs it: a process of
that server's environment, with the variables the hub gave the server (here a kernel's subprocess,
which inherits them as a terminal does). On the test hub, installed and configured by the recipe,
every check passes; outside a learner's server it says where to run it instead.
"""

from __future__ import annotations

import json

from tests.kernel_client import Server
from tests.support.event_loop import in_a_thread
from tests.support.hub import PASSWORD

LEARNER = "pat"
RUN = """
import json, os, subprocess, sys
env = dict(os.environ, **json.loads({overrides!r}))
for name in {unset!r}:
    env.pop(name, None)
done = subprocess.run([sys.executable, "-m", "workshop.preflight"], env=env, capture_output=True, text=True)
print(json.dumps({{"status": done.returncode, "out": done.stdout, "err": done.stderr}}))
"""


async def run_preflight(hub_url: str, overrides: dict | None = None, unset: tuple = ()) -> dict:
    server = await Server.log_in_through_hub(hub_url, LEARNER, PASSWORD)
    try:
        kernel = await server.start_kernel()
        try:
            result = await kernel.execute(RUN.format(overrides=json.dumps(overrides or {}), unset=list(unset)))
            assert result.error is None, result.error
            text = "".join(o.get("text", "") for o in result.outputs if o["output_type"] == "stream")
            return json.loads(text.strip().splitlines()[-1])
        finally:
            await kernel.shut_down()
    finally:
        await server.aclose()


def preflight(hub, **options) -> dict:
    return in_a_thread(run_preflight(hub.url, **options))


def test_the_preflight_passes_on_a_hub_set_up_by_the_recipe(hub):
    ran = preflight(hub)
    lines = ran["out"].strip().splitlines()
    print("\n" + ran["out"])  # the closing note quotes it
    assert ran["status"] == 0, ran
    assert lines[-1].startswith("PRE-FLIGHT PASSED: 5 of 5 checks"), lines
    assert [line[:1] for line in lines[:-1]] == ["✓"] * 5, lines
    assert f"/user/{LEARNER}/proxy/" in ran["out"]  # the consent page, at the learner's own base URL
    assert "memory limit 1280 MiB; idle kernels culled after 10 minutes" in ran["out"]
    assert str(hub.sandbox_dir(LEARNER)) in ran["out"]
    assert ran["err"] == "", ran["err"]


def test_the_preflight_says_where_to_run_it_when_not_in_a_learners_server(hub):
    ran = preflight(hub, unset=("JUPYTERHUB_SERVICE_URL",))
    assert ran["status"] == 1
    assert ran["out"].startswith("PRE-FLIGHT FAILED: this is not a learner's server on JupyterHub"), ran["out"]
    assert "File → New → Terminal" in ran["out"]
